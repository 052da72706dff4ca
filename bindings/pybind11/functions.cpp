// The plain functions of the interface: one pattern of the C/Python boundary each (see bcore.h).
// Arguments arrive converted (convert.cpp); each function calls the core and makes the result.
#include "bindings.hpp"

#include <string>

namespace bcore_pybind11 {
namespace {

using namespace pybind11::literals;

// ---- scalars --------------------------------------------------------------------------------

// region: scalars
std::int64_t add(py::handle a, py::handle b) {
    std::int64_t sum = 0;
    raise_for_status(bc_add(to_int64(a, "add: a"), to_int64(b, "add: b"), &sum), "add");
    return sum;
}

double sum6(Real a, Real b, Real c, Real d, Real e, Real f) {
    return bc_sum6(a.value, b.value, c.value, d.value, e.value, f.value);
}
// endregion: scalars

// ---- arrays ---------------------------------------------------------------------------------

// region: dsum
double dsum(const ArrayLike &x_arg) {
    const array_arg &x = x_arg.array;
    require_ndim(x, 1, "dsum: x");
    const double *data = x.data();
    const std::size_t n = length(x);
    return release_gil_if_large(n, [=] { return bc_dsum(data, n); });
}
// endregion: dsum

// region: scale
py::array_t<double> scale(const ArrayLike &x_arg, Real k, const py::object &out) {
    const array_arg &x = x_arg.array;
    require_ndim(x, 1, "scale: x");
    auto result = out.is_none() ? py::array_t<double>(x.size()) : checked_out(out, x, "scale");
    const double *data = x.data();
    double *result_data = result.mutable_data();
    const std::size_t n = length(x);
    // out=x arrives as the same memory (x is not copied): the core scales in place, and
    // refuses (BC_EINVAL) an out that overlaps x otherwise.
    const int status =
        release_gil_if_large(n, [=] { return bc_scale(data, n, k.value, result_data); });
    raise_for_status(status, "scale");
    return result;
}
// endregion: scale

// region: find-peaks
py::array_t<std::int64_t> find_peaks(const ArrayLike &x_arg, Real threshold) {
    const array_arg &x = x_arg.array;
    require_ndim(x, 1, "find_peaks: x");
    const double *data = x.data();
    const std::size_t n = length(x);
    std::int64_t *peaks = nullptr;
    std::size_t count = 0;
    const int status = release_gil_if_large(
        n, [&] { return bc_find_peaks(data, n, threshold.value, &peaks, &count); });
    core_ptr<std::int64_t> owned(peaks); // until the capsule below takes it over
    raise_for_status(status, "find_peaks");
    // Zero-copy hand-over: the result's base is a capsule that owns the core's buffer and
    // bc_free()s it, exactly once, when NumPy drops the array.
    const py::capsule owner(owned.get(), bc_free);
    owned.release();
    return py::array_t<std::int64_t>(static_cast<py::ssize_t>(count), peaks, owner);
}
// endregion: find-peaks

py::array_t<double> matvec(const ArrayLike &a_arg, const ArrayLike &x_arg) {
    const array_arg &a = a_arg.array;
    const array_arg &x = x_arg.array;
    require_ndim(a, 2, "matvec: A");
    require_ndim(x, 1, "matvec: x");
    if (a.shape(1) != x.shape(0)) {
        throw py::value_error("matvec: A.shape[1] (" + std::to_string(a.shape(1)) +
                              ") != len(x) (" + std::to_string(x.shape(0)) + ")");
    }
    py::array_t<double> y(a.shape(0));
    const double *a_data = a.data();
    const double *x_data = x.data();
    double *y_data = y.mutable_data();
    const auto rows = static_cast<std::size_t>(a.shape(0));
    const auto cols = static_cast<std::size_t>(a.shape(1));
    // A is C-contiguous, so its rows are exactly cols elements apart.
    const int status = release_gil_if_large(
        length(a), [=] { return bc_matvec(a_data, rows, cols, cols, x_data, y_data); });
    raise_for_status(status, "matvec");
    return y;
}

// ---- bytes and strings ----------------------------------------------------------------------

// region: fnv1a
// py::buffer accepts any object with the buffer protocol (not str: it has none).
std::uint64_t fnv1a(const py::buffer &data) {
    const contiguous_bytes bytes(data, "fnv1a"); // held until the hash is done
    const void *ptr = bytes.data();
    const std::size_t len = bytes.size();
    return release_gil_if_large(len, [=] { return bc_fnv1a(ptr, len); });
}
// endregion: fnv1a

// region: repeat
py::str repeat(const py::str &s, py::handle n) {
    const std::size_t times = to_size(n, "repeat: n");
    const std::string_view utf8 = to_utf8(s);
    char *raw = nullptr;
    std::size_t raw_len = 0;
    const int status = bc_repeat(utf8.data(), utf8.size(), times, &raw, &raw_len);
    const core_ptr<char> repeated(raw); // freed on every path out of here
    raise_for_status(status, "repeat");
    return py::str(repeated.get(), raw_len); // decodes the UTF-8 by length: embedded NULs survive
}
// endregion: repeat

// ---- structs --------------------------------------------------------------------------------

bc_stats describe(const ArrayLike &x_arg) {
    const array_arg &x = x_arg.array;
    require_ndim(x, 1, "describe: x");
    const double *data = x.data();
    const std::size_t n = length(x);
    bc_stats stats{};
    const int status = release_gil_if_large(n, [&] { return bc_describe(data, n, &stats); });
    raise_for_status(status, "describe");
    return stats;
}

// region: events-total
double events_total(py::handle events, py::handle kind) {
    const auto records = event_array(events, "events_total: events");
    const std::int32_t wanted = to_int32(kind, "events_total: kind");
    const bc_event *data = records.data();
    const std::size_t n = length(records);
    return release_gil_if_large(n, [=] { return bc_events_total(data, n, wanted); });
}
// endregion: events-total

// ---- test hook ------------------------------------------------------------------------------

// region: hook
void fail_allocation_after(py::handle k) {
    bc_fail_allocation_after(to_int64(k, "fail_allocation_after: k"));
}
// endregion: hook

} // namespace

void bind_functions(py::module_ &m) {
    // region: stats
    // describe() returns the C struct itself, exposed field by field: pybind11's natural
    // record type. It costs one small object and no tuple or dict. Module-local, because
    // bc_stats is a C type that another pybind11 module could bind too. Bound before describe,
    // so that describe's signature names it (docs/advanced/misc.rst, "Avoiding C++ types in
    // docstrings").
    py::class_<bc_stats>(m, "Stats", "What describe() returns: n, mean, std, min, max.",
                         py::is_final(), py::module_local())
        .def_readonly("n", &bc_stats::n)
        .def_readonly("mean", &bc_stats::mean)
        .def_readonly("std", &bc_stats::std, "Population standard deviation.")
        .def_readonly("min", &bc_stats::min)
        .def_readonly("max", &bc_stats::max)
        .def("__repr__", [](const bc_stats &s) {
            return py::str("Stats(n={}, mean={}, std={}, min={}, max={})")
                .format(s.n, s.mean, s.std, s.min, s.max);
        });
    // endregion: stats

    // region: defs
    // Parameters are positional-only, as in bindings._interface.
    m.def("noop", &bc_noop, "Does nothing: the cost of a call.");
    m.def("add", &add, "a"_a, "b"_a, py::pos_only(),
          "a + b as int64; OverflowError if it does not fit.");
    m.def("sum6", &sum6, "a"_a, "b"_a, "c"_a, "d"_a, "e"_a, "f"_a, py::pos_only(),
          "a + b + c + d + e + f, left to right.");
    m.def("dsum", &dsum, "x"_a, py::pos_only(), "Sum of a 1-D array.");
    m.def("scale", &scale, "x"_a, "k"_a, py::pos_only(), "out"_a = py::none(),
          "x * k into out (a new array when None); returns out.");
    m.def("find_peaks", &find_peaks, "x"_a, "threshold"_a, py::pos_only(),
          "Indices i with x[i] > threshold and x[i-1] < x[i] >= x[i+1], as int64.");
    // endregion: defs
    m.def("matvec", &matvec, "A"_a, "x"_a, py::pos_only(), "A @ x.");
    m.def("fnv1a", &fnv1a, "data"_a, py::pos_only(),
          "FNV-1a 64-bit hash of a C-contiguous buffer.");
    m.def("repeat", &repeat, "s"_a, "n"_a, py::pos_only(), "s * n, computed on UTF-8 bytes.");
    m.def("describe", &describe, "x"_a, py::pos_only(),
          "n, mean, population std, min and max of a non-empty 1-D array.");
    m.def("events_total", &events_total, "events"_a, "kind"_a, py::pos_only(),
          "Sum of value over the records of an EVENT_DTYPE array with the given kind.");
    m.def("live_allocations", &bc_live_allocations,
          "Core allocations not yet released (for leak tests).");
    m.def("fail_allocation_after", &fail_allocation_after, "k"_a, py::pos_only(),
          "Test hook: the k-th core allocation from now fails; k <= 0 disarms it.");
}

} // namespace bcore_pybind11
