// The plain functions of the interface, and describe()'s Stats type.
#include "bindings.hpp"

#include <cstring>
#include <memory>
#include <utility>

namespace bcore_nanobind {

using namespace nb::literals;

namespace {

// region: add
int64_t add(Int<int64_t> a, Int<int64_t> b) {
    int64_t sum = 0;
    raise_for_status(bc_add(a.get("a"), b.get("b"), &sum), "add");
    return sum;
}
// endregion: add

// region: dsum
double dsum(const ArrayLike &x) {
    require_ndim(x, 1, "x");
    return release_gil_if_large(x.size(), [&] { return bc_dsum(x.data(), x.size()); });
}
// endregion: dsum

// Not part of the interface: dsum reading its array through the buffer protocol, as the C-API
// backend does, for the benchmarks to set beside dsum (the variant "buffer"). nb::ndarray, the
// idiom, imports every array through DLPack (numpy's __dlpack__ makes a capsule per call), which
// costs more than the rest of a short call; this skips it, and with it every conversion: only a
// C-contiguous, aligned 1-D float64 buffer, TypeError otherwise.
double dsum_buffer(nb::handle x) {
    const Buffer view(x, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT);
    if (view->ndim != 1 || std::strcmp(view->format, "d") != 0 ||
        reinterpret_cast<uintptr_t>(view->buf) % alignof(double) != 0)
        throw nb::type_error("_dsum_buffer: needs a C-contiguous, aligned 1-D float64 buffer");
    const size_t n = static_cast<size_t>(view->shape[0]);
    const auto *data = static_cast<const double *>(view->buf);
    return release_gil_if_large(n, [&] { return bc_dsum(data, n); });
}

// region: scale
NumpyArray<double> scale(const ArrayLike &x, Real k_arg, nb::handle out) {
    const double k = k_arg.get();
    require_ndim(x, 1, "x");
    const size_t n = x.shape(0);
    // Either way the array returned is the Python object it was imported from.
    NumpyArray<double> target = out.is_none() ? empty_array<double>(n) : checked_out(out, n);
    const int status =
        release_gil_if_large(n, [&] { return bc_scale(x.data(), n, k, target.data()); });
    raise_for_status(status, "scale");
    return target;
}
// endregion: scale

// region: find-peaks
NumpyArray<int64_t> find_peaks(const ArrayLike &x, Real threshold_arg) {
    const double threshold = threshold_arg.get();
    require_ndim(x, 1, "x");
    const size_t n = x.shape(0);
    int64_t *peaks = nullptr;
    size_t count = 0;
    const int status = release_gil_if_large(
        n, [&] { return bc_find_peaks(x.data(), n, threshold, &peaks, &count); });
    std::unique_ptr<int64_t[], CoreFree> owned(peaks); // freed on every path from here
    raise_for_status(status, "find_peaks");
    return to_numpy(std::move(owned), count);
}
// endregion: find-peaks

NumpyArray<double> matvec(const ArrayLike &a, const ArrayLike &x) {
    require_ndim(a, 2, "A");
    require_ndim(x, 1, "x");
    const size_t rows = a.shape(0), cols = a.shape(1);
    if (x.shape(0) != cols)
        raise_error(PyExc_ValueError, "matvec: A has %zu columns but x has %zu elements", cols,
                    x.shape(0));
    NumpyArray<double> y = empty_array<double>(rows);
    const int status = release_gil_if_large(
        a.size(), [&] { return bc_matvec(a.data(), rows, cols, cols, x.data(), y.data()); });
    raise_for_status(status, "matvec");
    return y;
}

// region: fnv1a
uint64_t fnv1a(nb::handle data) {
    const Buffer buffer(data, PyBUF_STRIDED_RO); // TypeError for str and for non-buffers
    if (!buffer.c_contiguous())
        throw nb::value_error("fnv1a: data must be a C-contiguous buffer");
    const auto len = static_cast<size_t>(buffer->len);
    return release_gil_if_large(len, [&] { return bc_fnv1a(buffer->buf, len); });
}
// endregion: fnv1a

// region: repeat
nb::str repeat(const nb::str &s, Int<int64_t> n) {
    if (n.negative)
        throw nb::value_error("repeat: n must be >= 0");
    const int64_t times = n.get("n");
    Py_ssize_t len = 0;
    // UTF-8, cached in the str object; a lone surrogate has none: UnicodeEncodeError.
    const char *utf8 = PyUnicode_AsUTF8AndSize(s.ptr(), &len);
    if (!utf8)
        throw nb::python_error();
    char *out = nullptr;
    size_t out_len = 0;
    const int status =
        bc_repeat(utf8, static_cast<size_t>(len), static_cast<size_t>(times), &out, &out_len);
    const std::unique_ptr<char, CoreFree> owned(out);
    raise_for_status(status, "repeat");
    return nb::str(out, out_len);
}
// endregion: repeat

bc_stats describe(const ArrayLike &x) {
    require_ndim(x, 1, "x");
    bc_stats stats{};
    const int status =
        release_gil_if_large(x.size(), [&] { return bc_describe(x.data(), x.size(), &stats); });
    raise_for_status(status, "describe");
    return stats;
}

// region: events-total
// The records are read through the buffer protocol, once is_event_array() has checked them.
double events_total(nb::handle events, int32_t kind) {
    if (!is_event_array(events))
        throw nb::type_error("events_total: events must be a numpy array of "
                             "dtype bindings.EVENT_DTYPE");
    const Buffer buffer(events, PyBUF_STRIDED_RO);
    if (buffer->ndim != 1)
        raise_error(PyExc_ValueError, "events must be 1-dimensional, not %d-dimensional",
                    buffer->ndim);
    // A strided or misaligned view: sum its C-contiguous, aligned copy (C reads bc_event).
    if (!buffer.c_contiguous() ||
        reinterpret_cast<std::uintptr_t>(buffer->buf) % alignof(bc_event) != 0)
        return events_total(events.attr("copy")(), kind);
    const auto *records = static_cast<const bc_event *>(buffer->buf);
    const auto n = static_cast<size_t>(buffer->shape[0]);
    return release_gil_if_large(n, [&] { return bc_events_total(records, n, kind); });
}
// endregion: events-total

} // namespace

// The interface's parameters are positional-only. nanobind makes an argument positional-only by
// leaving it unnamed (no nb::arg("name")), and a function with no nb::arg() at all takes
// nanobind's fastest call path; nb::sig then gives the signature its names, for help() and
// error messages.
void bind_functions(nb::module_ &m) {
    m.def("noop", &bc_noop, "Does nothing: the cost of a call.");
    // region: defs
    m.def("add", &add,
          nb::sig("def add(a: typing.SupportsIndex, b: typing.SupportsIndex, /) -> int"),
          "a + b as int64.");
    m.def(
        "sum6",
        [](Real a, Real b, Real c, Real d, Real e, Real f) {
            // A braced list, not bc_sum6's arguments: it calls get() in order (see Real).
            const double x[] = {a.get(), b.get(), c.get(), d.get(), e.get(), f.get()};
            return bc_sum6(x[0], x[1], x[2], x[3], x[4], x[5]);
        },
        nb::sig("def sum6(a: typing.SupportsFloat, b: typing.SupportsFloat, "
                "c: typing.SupportsFloat, d: typing.SupportsFloat, e: typing.SupportsFloat, "
                "f: typing.SupportsFloat, /) -> float"),
        "a + b + c + d + e + f, left to right.");
    // endregion: defs
    m.def("dsum", &dsum, array_arg(), nb::sig("def dsum(x: numpy.typing.ArrayLike, /) -> float"),
          "Sum of a 1-D array; 0.0 if empty.");
    m.def("_dsum_buffer", &dsum_buffer, nb::arg(),
          nb::sig("def _dsum_buffer(x: numpy.typing.NDArray[numpy.float64], /) -> float"),
          "dsum through the buffer protocol, not nb::ndarray: a benchmark variant.");
    m.def("scale", &scale, array_arg(), nb::arg(), "out"_a = nb::none(),
          nb::sig("def scale(x: numpy.typing.ArrayLike, k: typing.SupportsFloat, /, "
                  "out: numpy.typing.NDArray[numpy.float64] | None = None) "
                  "-> numpy.typing.NDArray[numpy.float64]"),
          "x * k into out (a new array when None); returns out.");
    m.def("find_peaks", &find_peaks, array_arg(), nb::arg(),
          nb::sig("def find_peaks(x: numpy.typing.ArrayLike, threshold: typing.SupportsFloat, /) "
                  "-> numpy.typing.NDArray[numpy.int64]"),
          "Indices of the local maxima above threshold.");
    m.def("matvec", &matvec, array_arg(), array_arg(),
          nb::sig("def matvec(A: numpy.typing.ArrayLike, x: numpy.typing.ArrayLike, /) "
                  "-> numpy.typing.NDArray[numpy.float64]"),
          "A @ x for a 2-D A and a 1-D x.");
    m.def("fnv1a", &fnv1a, nb::sig("def fnv1a(data: typing_extensions.Buffer, /) -> int"),
          "FNV-1a 64-bit hash of a C-contiguous buffer's bytes.");
    m.def("repeat", &repeat, nb::sig("def repeat(s: str, n: typing.SupportsIndex, /) -> str"),
          "s * n, computed by C on UTF-8 bytes.");
    m.def("describe", &describe, array_arg(),
          nb::sig("def describe(x: numpy.typing.ArrayLike, /) -> Stats"),
          "n, mean, population std, min, max of a 1-D array.");
    m.def(
        "events_total",
        [](nb::handle events, Int<int32_t> kind) { return events_total(events, kind.get("kind")); },
        nb::sig("def events_total(events: numpy.typing.NDArray[numpy.void], "
                "kind: typing.SupportsIndex, /) -> float"),
        "Sum of value over the records with kind == kind.");
    m.def("live_allocations", &bc_live_allocations, "Core allocations not yet released.");
    m.def(
        "fail_allocation_after", [](Int<int64_t> k) { bc_fail_allocation_after(k.get("k")); },
        nb::sig("def fail_allocation_after(k: typing.SupportsIndex, /) -> None"),
        "Test hook: the k-th core allocation from now fails; k <= 0 disarms it.");

    // region: stats-class
    nb::class_<bc_stats>(m, "Stats", "What describe() returns.")
        .def_ro("n", &bc_stats::n)
        .def_ro("mean", &bc_stats::mean)
        .def_ro("std", &bc_stats::std)
        .def_ro("min", &bc_stats::min)
        .def_ro("max", &bc_stats::max)
        .def("__repr__", [](const bc_stats &s) {
            return nb::str("Stats(n={}, mean={}, std={}, min={}, max={})")
                .format(s.n, s.mean, s.std, s.min, s.max);
        });
    // endregion: stats-class
}

} // namespace bcore_nanobind
