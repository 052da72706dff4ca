// The module's functions: one pattern of the C/Python boundary each (see bcore.h).
#include "common.hpp"

#include <exception>
#include <string>
#include <utility>

namespace bcore_pybind11 {
namespace {

using namespace pybind11::literals;

std::string type_name(py::handle object) {
    return py::str(py::type::handle_of(object).attr("__name__"));
}

// ---- scalars --------------------------------------------------------------------------------

// region: scalars
std::int64_t add(py::handle a, py::handle b) {
    std::int64_t sum = 0;
    check(bc_add(to_int64(a, "add: a"), to_int64(b, "add: b"), &sum), "add");
    return sum;
}

double sum6(Real a, Real b, Real c, Real d, Real e, Real f) {
    return bc_sum6(a.value, b.value, c.value, d.value, e.value, f.value);
}
// endregion: scalars

// ---- arrays ---------------------------------------------------------------------------------

// region: dsum
double dsum(const array_arg &x_arg) {
    const array_arg x = aligned(x_arg);
    require_ndim(x, 1, "dsum: x");
    const double *data = x.data();
    const std::size_t n = length(x);
    return call_releasing_gil_if_large(n, [=] { return bc_dsum(data, n); });
}
// endregion: dsum

// region: scale
// out= is checked, never converted: the caller asked for the result in that very array.
py::array_t<double> checked_out(const py::object &out, const py::array &x) {
    if (!py::isinstance<py::array>(out)) {
        throw py::type_error("scale: out must be a numpy.ndarray, not " + type_name(out));
    }
    if (!py::isinstance<py::array_t<double>>(out)) { // array_t's check compares the dtype
        throw py::type_error("scale: out must have dtype float64, not " +
                             std::string(py::str(out.attr("dtype"))));
    }
    auto array = py::reinterpret_borrow<py::array_t<double>>(out);
    if (array.ndim() != 1 || array.shape(0) != x.shape(0)) {
        throw py::value_error("scale: out must have the shape of x");
    }
    if ((array.flags() & py::array::c_style) == 0) {
        throw py::value_error("scale: out must be C-contiguous");
    }
    if (!array.writeable()) {
        throw py::value_error("scale: out must be writable");
    }
    // NumPy allows arrays at any address; C may only write doubles at aligned ones.
    if (reinterpret_cast<std::uintptr_t>(array.data()) % alignof(double) != 0) {
        throw py::value_error("scale: out must be aligned for float64");
    }
    return array;
}

py::array_t<double> scale(const array_arg &x_arg, Real k, const py::object &out) {
    const array_arg x = aligned(x_arg);
    require_ndim(x, 1, "scale: x");
    auto result = out.is_none() ? py::array_t<double>(x.size()) : checked_out(out, x);
    const double *data = x.data();
    double *result_data = result.mutable_data();
    const std::size_t n = length(x);
    // out=x arrives as the same memory (x is not copied): the core scales in place, and
    // refuses (BC_EINVAL) an out that overlaps x otherwise.
    check(call_releasing_gil_if_large(n, [=] { return bc_scale(data, n, k.value, result_data); }),
          "scale");
    return result;
}
// endregion: scale

// region: find-peaks
py::array_t<std::int64_t> find_peaks(const array_arg &x_arg, Real threshold) {
    const array_arg x = aligned(x_arg);
    require_ndim(x, 1, "find_peaks: x");
    const double *data = x.data();
    const std::size_t n = length(x);
    std::int64_t *peaks = nullptr;
    std::size_t count = 0;
    const int status = call_releasing_gil_if_large(
        n, [&] { return bc_find_peaks(data, n, threshold.value, &peaks, &count); });
    core_ptr<std::int64_t> owned(peaks); // until the capsule below takes it over
    check(status, "find_peaks");
    // Zero-copy hand-over: the result's base is a capsule that owns the core's buffer and
    // bc_free()s it, exactly once, when NumPy drops the array.
    const py::capsule owner(owned.get(), bc_free);
    owned.release();
    return py::array_t<std::int64_t>(static_cast<py::ssize_t>(count), peaks, owner);
}
// endregion: find-peaks

// region: allocator
// One find_peaks_into() call's state, handed to the allocator through the core as its context:
// nothing global, so calls from several threads never share it.
struct result_allocation {
    py::object array;         // the result, once the allocator has made it
    std::exception_ptr error; // what making it raised, if it failed
};

// The bc_allocator: NumPy makes the result and C writes the indices straight into it. The core
// calls it without the GIL when the input is large, so it takes the GIL back just while it
// makes the array (gil_scoped_acquire only counts when this thread holds the GIL already). No
// exception may unwind through C: a failure is stored and NULL returned, so the core stops with
// BC_ECALLBACK. The element size is always sizeof(std::int64_t).
void *allocate_result(std::size_t count, std::size_t /*size*/, void *context) noexcept {
    auto &allocation = *static_cast<result_allocation *>(context);
    try {
        py::gil_scoped_acquire gil;
        py::array_t<std::int64_t> array(static_cast<py::ssize_t>(count)); // MemoryError if too big
        void *data = array.mutable_data(); // never NULL: NumPy allocates even for 0 elements
        allocation.array = std::move(array);
        return data;
    } catch (...) {
        allocation.error = std::current_exception();
        return nullptr;
    }
}
// endregion: allocator

// region: find-peaks-into
py::array_t<std::int64_t> find_peaks_into(const array_arg &x_arg, Real threshold) {
    const array_arg x = aligned(x_arg);
    require_ndim(x, 1, "find_peaks_into: x");
    const double *data = x.data();
    const std::size_t n = length(x);
    result_allocation allocation;
    std::size_t count = 0;
    const int status = call_releasing_gil_if_large(n, [&] {
        return bc_find_peaks_into(data, n, threshold.value, allocate_result, &allocation, &count);
    });
    if (status == BC_ECALLBACK && allocation.error) {
        std::rethrow_exception(allocation.error); // the allocator's own MemoryError
    }
    check(status, "find_peaks_into");
    // The array the allocator made, now holding `count` indices: nothing to copy or free.
    return py::reinterpret_steal<py::array_t<std::int64_t>>(allocation.array.release());
}
// endregion: find-peaks-into

py::array_t<double> matvec(const array_arg &a_arg, const array_arg &x_arg) {
    const array_arg a = aligned(a_arg);
    const array_arg x = aligned(x_arg);
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
    check(call_releasing_gil_if_large(
              length(a), [=] { return bc_matvec(a_data, rows, cols, cols, x_data, y_data); }),
          "matvec");
    return y;
}

// ---- bytes and strings ----------------------------------------------------------------------

// region: fnv1a
// py::buffer accepts any object with the buffer protocol (not str: it has none).
std::uint64_t fnv1a(const py::buffer &data) {
    const py::buffer_info info = data.request(); // holds the export until the hash is done
    if (PyBuffer_IsContiguous(info.view(), 'C') == 0) {
        throw py::value_error("fnv1a: the buffer must be C-contiguous");
    }
    const void *bytes = info.ptr;
    const auto len = static_cast<std::size_t>(info.size * info.itemsize);
    return call_releasing_gil_if_large(len, [=] { return bc_fnv1a(bytes, len); });
}
// endregion: fnv1a

// region: repeat
py::str repeat(const py::str &s, py::handle n) {
    const std::size_t times = to_size(n, "repeat: n");
    // Not s.cast<std::string_view>(): pybind11's string caster turns the UnicodeEncodeError of
    // a lone surrogate into a failed cast. The UTF-8 stays cached in s: no copy.
    Py_ssize_t len = 0;
    const char *utf8 = PyUnicode_AsUTF8AndSize(s.ptr(), &len);
    if (utf8 == nullptr) {
        throw py::error_already_set();
    }
    char *raw = nullptr;
    std::size_t raw_len = 0;
    const int status = bc_repeat(utf8, static_cast<std::size_t>(len), times, &raw, &raw_len);
    const core_ptr<char> repeated(raw); // freed on every path out of here
    check(status, "repeat");
    return py::str(repeated.get(), raw_len); // decodes the UTF-8 by length: embedded NULs survive
}
// endregion: repeat

// ---- structs --------------------------------------------------------------------------------

bc_stats describe(const array_arg &x_arg) {
    const array_arg x = aligned(x_arg);
    require_ndim(x, 1, "describe: x");
    const double *data = x.data();
    const std::size_t n = length(x);
    bc_stats stats{};
    check(call_releasing_gil_if_large(n, [&] { return bc_describe(data, n, &stats); }), "describe");
    return stats;
}

// region: events-total
// Record arrays are checked, not converted: only a non-contiguous one is copied.
double events_total(const py::handle &events, py::handle kind) {
    if (!py::isinstance<py::array>(events)) {
        throw py::type_error("events_total: events must be a numpy.ndarray, not " +
                             type_name(events));
    }
    if (!py::isinstance<py::array_t<bc_event>>(events)) {
        throw py::type_error("events_total: events must have dtype bindings.EVENT_DTYPE, not " +
                             std::string(py::str(events.attr("dtype"))));
    }
    require_ndim(py::reinterpret_borrow<py::array>(events), 1, "events_total: events");
    const std::int32_t wanted = to_int32(kind, "events_total: kind");
    py::array_t<bc_event, py::array::c_style> records(py::reinterpret_borrow<py::object>(events));
    if (reinterpret_cast<std::uintptr_t>(records.data()) % alignof(bc_event) != 0) {
        records = py::array_t<bc_event, py::array::c_style>(records.request()); // an aligned copy
    }
    const bc_event *data = records.data();
    const std::size_t n = length(records);
    return call_releasing_gil_if_large(n, [=] { return bc_events_total(data, n, wanted); });
}
// endregion: events-total

// ---- callback -------------------------------------------------------------------------------

// region: callback
// What integrate() passes through the core to its trampoline. One per call, on the stack, so
// integrate is re-entrant (f may itself call integrate).
struct callback_context {
    const py::function &f;
    std::exception_ptr error; // what f raised, if it failed
};

// The bc_func. The core calls it with the GIL held (integrate never releases it), so it may
// call Python. No exception may unwind through C, so every one is stored, and a non-zero
// return makes the core stop at once.
// region: ch10-trampoline
int call_python(double x, void *context, double *y) noexcept {
    auto &call = *static_cast<callback_context *>(context);
    try {
        const py::object result = call.f(x);
        // Real-number semantics (__float__ or __index__); TypeError for anything else.
        const double value = PyFloat_AsDouble(result.ptr());
        if (value == -1.0 && PyErr_Occurred() != nullptr) {
            throw py::error_already_set();
        }
        *y = value;
        return 0;
    } catch (...) {
        call.error = std::current_exception();
        return 1;
    }
}
// endregion: ch10-trampoline

// py::function accepts any callable: anything else is a TypeError from overload resolution.
double integrate(const py::function &f, Real a, Real b, py::handle n) {
    const std::size_t intervals = to_size(n, "integrate: n");
    callback_context context{f, nullptr};
    double result = 0.0;
    const int status = bc_integrate(call_python, &context, a.value, b.value, intervals, &result);
    if (context.error) {
        // An error_already_set holds the Python exception object that f raised: rethrowing it
        // makes pybind11 restore that same object.
        std::rethrow_exception(context.error);
    }
    check(status, "integrate");
    return result;
}
// endregion: callback

// ---- test hook ------------------------------------------------------------------------------

// region: hook
void fail_allocation_after(py::handle k) {
    bc_fail_allocation_after(to_int64(k, "fail_allocation_after: k"));
}
// endregion: hook

} // namespace

void bind_functions(py::module_ &m) {
    // region: numpy-dtype
    // The dtype pybind11 uses for bc_event, built from the struct's own field offsets.
    PYBIND11_NUMPY_DTYPE(bc_event, kind, value);
    // endregion: numpy-dtype

    // region: stats
    // describe() returns the C struct itself, exposed field by field: pybind11's natural
    // record type. It costs one small object and no tuple or dict. Module-local, because
    // bc_stats is a C type that another pybind11 module could bind too.
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
    m.def("find_peaks_into", &find_peaks_into, "x"_a, "threshold"_a, py::pos_only(),
          "find_peaks, written by C into an array NumPy allocated.");
    // endregion: defs
    m.def("matvec", &matvec, "A"_a, "x"_a, py::pos_only(), "A @ x.");
    m.def("fnv1a", &fnv1a, "data"_a, py::pos_only(),
          "FNV-1a 64-bit hash of a C-contiguous buffer.");
    m.def("repeat", &repeat, "s"_a, "n"_a, py::pos_only(), "s * n, computed on UTF-8 bytes.");
    m.def("describe", &describe, "x"_a, py::pos_only(),
          "n, mean, population std, min and max of a non-empty 1-D array.");
    m.def("events_total", &events_total, "events"_a, "kind"_a, py::pos_only(),
          "Sum of value over the records of an EVENT_DTYPE array with the given kind.");
    m.def("integrate", &integrate, "f"_a, "a"_a, "b"_a, "n"_a, py::pos_only(),
          "Trapezoid rule of f over [a, b] with n intervals.");
    m.def("live_allocations", &bc_live_allocations,
          "Core allocations not yet released (for leak tests).");
    m.def("fail_allocation_after", &fail_allocation_after, "k"_a, py::pos_only(),
          "Test hook: the k-th core allocation from now fails; k <= 0 disarms it.");
}

} // namespace bcore_pybind11
