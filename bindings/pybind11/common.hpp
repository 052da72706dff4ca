// What every translation unit of the pybind11 backend shares: the rules of
// bindings/README.md (errors, integer arguments, arrays, the GIL, core-owned memory),
// each written down once.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <bcore.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace bcore_pybind11 {

namespace py = pybind11;

// ---- errors ---------------------------------------------------------------------------------

// region: core-error
// A core function returned a status other than BC_OK. It carries no Python state, so it can be
// thrown anywhere; the translator installed by register_error_translator() turns it into the
// Python exception of its status. Those two are the only code that maps status codes.
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

// Throws core_error unless status is BC_OK; `what` names the operation in the message.
void check(int status, const char *what);

// Installs (for this module only) the translator from core_error to Python exceptions.
void register_error_translator();
// endregion: core-error

// ---- integer arguments ----------------------------------------------------------------------

// region: integers
// The interface takes int or any object with __index__ (TypeError otherwise, floats included)
// and reports a value out of range as OverflowError. pybind11's integer caster differs on both
// counts: it also accepts objects with only __int__ (Fraction(3, 2) becomes 1), and a value out
// of range fails overload resolution with TypeError. So integer parameters are declared
// py::handle and converted by these functions; `name` ("add: a") goes into error messages.
std::int64_t to_int64(py::handle value, const char *name);
std::int32_t to_int32(py::handle value, const char *name);
// As above, and ValueError if negative.
std::size_t to_size(py::handle value, const char *name);
// endregion: integers

// ---- real arguments -------------------------------------------------------------------------

// region: real
// A real (double) parameter. The interface converts it as float() does: OverflowError for an int
// too large for a double, TypeError for str, None and other non-numbers. pybind11's double
// caster swallows that OverflowError and fails overload resolution, a TypeError. So real
// parameters are declared Real, whose caster (end of this file) lets float()'s error through.
struct Real {
    double value;
};
// endregion: real

// ---- arrays ---------------------------------------------------------------------------------

// region: array-arg
// An array argument. pybind11 hands it to NumPy (PyArray_FromAny): a C-contiguous float64
// ndarray arrives as itself, without a copy; anything numpy.asarray(obj, dtype=float64) accepts
// arrives as a C-contiguous float64 copy; anything else fails overload resolution (TypeError).
using array_arg = py::array_t<double, py::array::c_style | py::array::forcecast>;
// endregion: array-arg

// array_t asks NumPy for C order, not for alignment, and NumPy allows a float64 array at any
// address; C must not read doubles there (UBSan reports it, vectorised code can fault). So a
// misaligned array is copied (array_t from a buffer without a base copies the data).
inline array_arg aligned(const array_arg &array) {
    if (reinterpret_cast<std::uintptr_t>(array.data()) % alignof(double) == 0) {
        return array;
    }
    return array_arg(array.request());
}

// ValueError unless `array` has `ndim` dimensions.
void require_ndim(const py::array &array, py::ssize_t ndim, const char *name);

inline std::size_t length(const py::array &array) {
    return static_cast<std::size_t>(array.size());
}

// ---- the GIL --------------------------------------------------------------------------------

// Mirrors bindings.GIL_RELEASE_MIN_SIZE (checked when the module is imported).
constexpr std::size_t gil_release_min_size = 4096;

// region: release-gil
// Returns call(), run without the GIL when n (elements, or bytes) is at least
// gil_release_min_size: for shorter inputs, releasing and retaking the GIL costs more than the
// call. `call` must not touch Python objects.
// region: ch11-release
template <typename Call> auto call_releasing_gil_if_large(std::size_t n, Call &&call) {
    if (n < gil_release_min_size) {
        return call();
    }
    py::gil_scoped_release release;
    return call();
}
// endregion: release-gil
// endregion: ch11-release

// ---- memory the core hands over -------------------------------------------------------------

// region: core-ptr
struct core_free {
    void operator()(void *p) const noexcept {
        bc_free(p);
    }
};

// Owns a buffer the core allocated (bc_find_peaks, bc_repeat) until it is released or handed on.
template <typename T> using core_ptr = std::unique_ptr<T, core_free>;
// endregion: core-ptr

// ---- the module's parts ---------------------------------------------------------------------

void bind_functions(py::module_ &m);
void bind_detector(py::module_ &m);

} // namespace bcore_pybind11

namespace pybind11::detail {

// region: real-caster
template <> struct type_caster<bcore_pybind11::Real> {
    PYBIND11_TYPE_CASTER(bcore_pybind11::Real,
                         io_name("typing.SupportsFloat | typing.SupportsIndex", "float"));

    bool load(handle src, bool convert) {
        PyObject *object = src.ptr();
        if (PyFloat_CheckExact(object)) { // the common case, without a call
            value.value = PyFloat_AS_DOUBLE(object);
            return true;
        }
        // As pybind11's own caster: only floats and ints until implicit conversions are allowed.
        if (!convert && !PyFloat_Check(object) && !PyLong_Check(object)) {
            return false;
        }
        const double result = PyFloat_AsDouble(object); // __float__, else __index__
        if (result == -1.0 && PyErr_Occurred() != nullptr) {
            // Thrown rather than returned as false, which would become a TypeError: the
            // dispatcher re-raises an error_already_set from a caster as it is (pybind11's own
            // map caster throws one the same way).
            throw error_already_set();
        }
        value.value = result;
        return true;
    }
};
// endregion: real-caster

} // namespace pybind11::detail
