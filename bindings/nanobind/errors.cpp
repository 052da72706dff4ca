// Errors: a core status becomes a Python exception here, and nowhere else.
#include "bindings.hpp"

#include <cstdarg>

namespace bcore_nanobind {

// region: raise-error
// nanobind re-raises a thrown nb::python_error as the Python exception it holds, so setting the
// exception and throwing is all it takes; PyErr_Format formats the message in the same call.
[[noreturn]] void raise_error(PyObject *type, const char *format, ...) {
    va_list args;
    va_start(args, format);
    PyErr_FormatV(type, format, args);
    va_end(args);
    throw nb::python_error();
}
// endregion: raise-error

// region: raise-for-status
// BC_ECALLBACK re-raises the callback's own exception (the same object), which integrate() and
// find_peaks_into() pass in.
void raise_for_status(int status, const char *what, const std::exception_ptr &callback_error) {
    if (status == BC_OK)
        return;
    if (status == BC_ECALLBACK && callback_error)
        std::rethrow_exception(callback_error);
    PyObject *type = status == BC_EINVAL      ? PyExc_ValueError
                     : status == BC_EOVERFLOW ? PyExc_OverflowError
                     : status == BC_ENOMEM    ? PyExc_MemoryError
                                              : PyExc_RuntimeError;
    raise_error(type, "%s: %s", what, bc_strerror(status));
}
// endregion: raise-for-status

// region: signal-raised
bool signal_raised(std::exception_ptr &error) noexcept {
    if (PyErr_CheckSignals() == 0)
        return false;
    // The handler's exception, fetched into an nb::python_error. Thrown and caught rather than
    // made with std::make_exception_ptr: constructing it may itself throw (bad_alloc), and this
    // function is called from C, where nothing may unwind.
    try {
        throw nb::python_error();
    } catch (...) {
        error = std::current_exception();
    }
    return true;
}
// endregion: signal-raised

} // namespace bcore_nanobind
