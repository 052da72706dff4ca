// The module `bindings.pybind11._pybind11`, and the shared rules declared in common.hpp.
#include "common.hpp"

#include <climits>
#include <string>

namespace bcore_pybind11 {

// ---- errors ---------------------------------------------------------------------------------

// region: ch10-errors
// region: errors
void check(int status, const char *what) {
    if (status != BC_OK) {
        throw core_error(status, std::string(what) + ": " + bc_strerror(status));
    }
}

namespace {

PyObject *exception_type(int status) {
    switch (status) {
    case BC_EINVAL:
        return PyExc_ValueError;
    case BC_EOVERFLOW:
        return PyExc_OverflowError;
    case BC_ENOMEM:
        return PyExc_MemoryError;
    default: // BC_ECALLBACK never gets here: integrate() re-raises the callback's own exception.
        return PyExc_RuntimeError;
    }
}

} // namespace

void register_error_translator() {
    // Local: core_error belongs to this module, other pybind11 modules never see it.
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
// endregion: errors
// endregion: ch10-errors

// ---- integer arguments ----------------------------------------------------------------------

// region: to-int64
std::int64_t to_int64(py::handle value, const char *name) {
    static_assert(sizeof(long long) == sizeof(std::int64_t), "long long is not 64 bits");
    // Since Python 3.10 this calls __index__ and nothing else: TypeError for floats.
    int overflow = 0;
    const long long result = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
    if (overflow != 0) {
        throw std::overflow_error(std::string(name) + " does not fit int64");
    }
    if (result == -1 && PyErr_Occurred() != nullptr) {
        throw py::error_already_set();
    }
    return result;
}
// endregion: to-int64

std::int32_t to_int32(py::handle value, const char *name) {
    const std::int64_t result = to_int64(value, name);
    if (result < INT32_MIN || result > INT32_MAX) {
        throw std::overflow_error(std::string(name) + " does not fit int32");
    }
    return static_cast<std::int32_t>(result);
}

std::size_t to_size(py::handle value, const char *name) {
    const auto index = py::reinterpret_steal<py::int_>(PyNumber_Index(value.ptr()));
    if (!index) {
        throw py::error_already_set();
    }
    if (index < py::int_(0)) {
        throw py::value_error(std::string(name) + " must be >= 0");
    }
    const std::size_t result = PyLong_AsSize_t(index.ptr());
    if (result == static_cast<std::size_t>(-1) && PyErr_Occurred() != nullptr) {
        PyErr_Clear();
        throw std::overflow_error(std::string(name) + " does not fit size_t");
    }
    return result;
}

// ---- arrays ---------------------------------------------------------------------------------

void require_ndim(const py::array &array, py::ssize_t ndim, const char *name) {
    if (array.ndim() != ndim) {
        throw py::value_error(std::string(name) + " must be " + std::to_string(ndim) + "-D, not " +
                              std::to_string(array.ndim()) + "-D");
    }
}

namespace {

// The module mirrors two constants of the `bindings` package (its parent, so already imported):
// refuse to load if they have drifted apart.
// region: check-mirrors
void check_mirrors() {
    const auto bindings = py::module_::import("bindings");
    if (bindings.attr("GIL_RELEASE_MIN_SIZE").cast<std::size_t>() != gil_release_min_size) {
        throw py::import_error("gil_release_min_size differs from bindings.GIL_RELEASE_MIN_SIZE");
    }
    const py::object event_dtype = bindings.attr("EVENT_DTYPE");
    if (!py::dtype::of<bc_event>().equal(event_dtype)) {
        throw py::import_error("the dtype of bc_event differs from bindings.EVENT_DTYPE");
    }
}
// endregion: check-mirrors

} // namespace

} // namespace bcore_pybind11

// region: module
// No py::mod_gil_not_used(): the module relies on the GIL (see Detector::closed and view_token),
// so a free-threaded interpreter turns the GIL back on when it imports this module.
PYBIND11_MODULE(_pybind11, m) {
    using namespace bcore_pybind11;
    m.doc() = "The C core (c_core/include/bcore.h) bound with pybind11; see bindings._interface.";
    register_error_translator();
    bind_functions(m);
    bind_detector(m);
    check_mirrors();
}
// endregion: module
