// Callbacks: functions the core calls back. integrate's trampoline calls a Python function;
// find_peaks_into's allocator lets NumPy allocate the result. Both are called from C, so no C++
// exception may leave them: each stores what it caught, and the caller rethrows it once the core
// has returned (raise_for_status with BC_ECALLBACK).
#include "bindings.hpp"

#include <utility>

namespace bcore_pybind11 {
namespace {

using namespace pybind11::literals;

// ---- integrate: a Python function called by C -----------------------------------------------

// region: callback
// What integrate() passes through the core to its trampoline. One per call, on the stack, so
// integrate is re-entrant (f may itself call integrate).
struct callback_context {
    const py::function &f;
    std::exception_ptr error; // what f raised, if it failed, or a signal handler (check_signals)
};

// region: trampoline
// The bc_func. The core calls it with the GIL held (integrate never releases it), so it may
// call Python. No exception may unwind through C, so every one is stored, and a non-zero
// return makes the core stop at once.
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
// endregion: trampoline

// region: integrate-check
// integrate's bc_check, called by the core with the same context as call_python, so it stores
// a signal handler's exception where f's would go. integrate holds the GIL throughout, so the
// handlers can run at once. Only this makes a builtin f (math.sin: no bytecode, so Python's own
// check for signals never runs) interruptible.
int check_signals(void *context) noexcept {
    auto &call = *static_cast<callback_context *>(context);
    return signal_raised(call.error) ? 1 : 0;
}
// endregion: integrate-check

// py::function accepts any callable: anything else is a TypeError from overload resolution.
double integrate(const py::function &f, Real a, Real b, py::handle n) {
    const std::size_t intervals = to_size(n, "integrate: n");
    callback_context context{f, nullptr};
    double result = 0.0;
    const int status =
        bc_integrate(call_python, check_signals, &context, a.value, b.value, intervals, &result);
    // f's own exception, or a signal handler's (KeyboardInterrupt), if either raised
    raise_for_status(status, "integrate", context.error);
    return result;
}
// endregion: callback

// ---- find_peaks_into: an allocator called by C ----------------------------------------------

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
py::array_t<std::int64_t> find_peaks_into(const ArrayLike &x_arg, Real threshold) {
    const array_arg &x = x_arg.array;
    require_ndim(x, 1, "find_peaks_into: x");
    const double *data = x.data();
    const std::size_t n = length(x);
    result_allocation allocation;
    std::size_t count = 0;
    const int status = release_gil_if_large(n, [&] {
        return bc_find_peaks_into(data, n, threshold.value, allocate_result, &allocation, &count);
    });
    raise_for_status(status, "find_peaks_into", allocation.error); // the allocator's MemoryError
    // The array the allocator made, now holding `count` indices: nothing to copy or free.
    return py::reinterpret_steal<py::array_t<std::int64_t>>(allocation.array.release());
}
// endregion: find-peaks-into

} // namespace

void bind_callbacks(py::module_ &m) {
    m.def("integrate", &integrate, "f"_a, "a"_a, "b"_a, "n"_a, py::pos_only(),
          "Trapezoid rule of f over [a, b] with n intervals.");
    m.def("find_peaks_into", &find_peaks_into, "x"_a, "threshold"_a, py::pos_only(),
          "find_peaks, written by C into an array NumPy allocated.");
}

} // namespace bcore_pybind11
