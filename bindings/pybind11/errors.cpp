// Errors: the core's status codes -> Python exceptions, in this file only.
#include "bindings.hpp"

#include <stdexcept>
#include <string>

namespace bcore_pybind11 {

// region: raise-for-status
namespace {

// A core call failed. The exception holds the status and the message, no Python object, so it
// may be thrown where the GIL is released; the translator below raises the Python exception.
class core_error : public std::runtime_error {
  public:
    core_error(int status, const std::string &message)
        : std::runtime_error(message), status_(status) {}
    int status() const noexcept {
        return status_;
    }

  private:
    int status_;
};

} // namespace

void raise_for_status(int status, const char *what, const std::exception_ptr &callback_error) {
    if (status == BC_OK) {
        return;
    }
    if (status == BC_ECALLBACK && callback_error) {
        // The callback's or allocator's own exception: an error_already_set holds the very
        // Python exception object, which pybind11 restores as it was, traceback included.
        std::rethrow_exception(callback_error);
    }
    throw core_error(status, std::string(what) + ": " + bc_strerror(status));
}
// endregion: raise-for-status

// region: signal-raised
bool signal_raised(std::exception_ptr &error) noexcept {
    if (PyErr_CheckSignals() == 0) {
        return false;
    }
    // The handler's exception, fetched into an error_already_set. Thrown and caught rather than
    // made with std::make_exception_ptr: constructing it may itself throw (bad_alloc), and this
    // function is called from C, where nothing may unwind.
    try {
        throw py::error_already_set();
    } catch (...) {
        error = std::current_exception();
    }
    return true;
}
// endregion: signal-raised

// region: translator
namespace {

PyObject *exception_type(int status) {
    switch (status) {
    case BC_EINVAL:
        return PyExc_ValueError;
    case BC_EOVERFLOW:
        return PyExc_OverflowError;
    case BC_ENOMEM:
        return PyExc_MemoryError;
    default: // BC_ECALLBACK without a stored exception: a bug in the core or in this backend
        return PyExc_RuntimeError;
    }
}

} // namespace

// The translator pattern of pybind11's tests/test_exceptions.cpp (MyException6): rethrow, catch
// our type, set a standard Python exception. Local: core_error belongs to this module, and a
// translator registered with py::register_exception_translator would run for every pybind11
// module in the process.
void bind_errors(py::module_ & /*m*/) {
    py::register_local_exception_translator([](std::exception_ptr p) {
        try {
            if (p) {
                std::rethrow_exception(p);
            }
        } catch (const core_error &e) {
            py::set_error(exception_type(e.status()), e.what());
        }
    });
}
// endregion: translator

} // namespace bcore_pybind11
