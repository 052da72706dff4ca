// What every translation unit of the pybind11 backend shares: the C API (bcore.h) and the
// declarations of the parts of bindings/README.md, in its order (errors, conversion, the GIL and
// core-owned memory, the module's parts). One header for all of them, as pybind11's own tests
// share pybind11_tests.h, custom type casters included.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <bcore.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string_view>

namespace bcore_pybind11 {

namespace py = pybind11;

// ---- errors (errors.cpp) --------------------------------------------------------------------

// Returns if status is BC_OK. Otherwise throws an exception that the module's translator (see
// bind_errors) raises in Python as ValueError, OverflowError or MemoryError, its message naming
// `what` (the call) and the core's reason. BC_ECALLBACK rethrows callback_error: the exception
// that the callback or allocator stored, exactly as it was raised. The exception carries no
// Python object, so it may be thrown where the GIL is released.
void raise_for_status(int status, const char *what,
                      const std::exception_ptr &callback_error = nullptr);

// Ctrl-C during a long core call (bcore.h, region "check"). The GIL must be held. Runs the
// signal handlers that are pending (PyErr_CheckSignals: in the main thread only, elsewhere it
// does nothing); if one raised, KeyboardInterrupt for SIGINT, stores that exception in `error`
// and returns true. The check that calls this then returns non-zero, the core stops with
// BC_ECALLBACK, and raise_for_status rethrows `error`.
bool signal_raised(std::exception_ptr &error) noexcept;

// ---- conversion (convert.cpp) ---------------------------------------------------------------

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

// region: real
// A real (double) parameter. The interface converts it as float() does: OverflowError for an int
// too large for a double, TypeError for str, None and other non-numbers. pybind11's double
// caster swallows that OverflowError and fails overload resolution, a TypeError. So real
// parameters are declared Real, whose caster (declared at the end of this file, defined in
// convert.cpp) lets float()'s error through.
struct Real {
    double value;
};
// endregion: real

// region: array-arg
// An array as C reads it: C-contiguous, aligned float64. The flags are pybind11's documented pair
// for a dense C-order input that converts rather than fails (docs/advanced/pycpp/numpy.rst,
// "Arrays").
using array_arg = py::array_t<double, py::array::c_style | py::array::forcecast>;

// An array argument, declared ArrayLike rather than array_arg. Its caster (declared at the end of
// this file, defined in convert.cpp) takes a C-contiguous, aligned float64 ndarray as it is,
// without a call into NumPy, and hands anything else to NumPy (array_arg::ensure, which is
// PyArray_FromAny): anything numpy.asarray(obj, dtype=float64) accepts arrives as a C-contiguous,
// aligned float64 copy; anything else fails overload resolution (TypeError). A parameter of type
// array_arg would behave the same, but array_t's own caster default-constructs its value, an
// empty NumPy array, on every call, and calls PyArray_FromAny even for an array that is already
// right: for a short array, more than the rest of the call costs.
struct ArrayLike {
    array_arg array = py::reinterpret_steal<array_arg>(py::handle()); // no NumPy call
};
// endregion: array-arg

// ValueError unless `array` has `ndim` dimensions.
void require_ndim(const py::array &array, py::ssize_t ndim, const char *name);
// The number of elements, as the core counts them.
std::size_t length(const py::array &array);
// `out` if it is a float64 ndarray of x's shape that C may write as it is, else TypeError or
// ValueError: out= is checked, never converted.
py::array_t<double> checked_out(const py::object &out, const py::array &x, const char *name);
// `events` as a C-contiguous, aligned array of bc_event records (copied only if it is not one
// already); TypeError unless it is an ndarray of dtype bindings.EVENT_DTYPE, ValueError unless
// it is 1-D.
py::array_t<bc_event, py::array::c_style> event_array(py::handle events, const char *name);
// The UTF-8 of `s`, cached inside s (no copy): valid while s lives. UnicodeEncodeError for lone
// surrogates.
std::string_view to_utf8(const py::str &s);
// region: contiguous-bytes
// A view of `data`'s bytes, held (so neither moved nor freed) while this lives; ValueError unless
// the buffer is C-contiguous. A Py_buffer on the stack rather than py::buffer::request(): the
// py::buffer_info that request() returns copies the shape and strides into two std::vectors
// and the format into a std::string, a heap allocation each, which costs more than hashing a
// short buffer.
class contiguous_bytes {
  public:
    contiguous_bytes(const py::buffer &data, const char *name);
    ~contiguous_bytes() {
        PyBuffer_Release(&view_);
    }
    contiguous_bytes(const contiguous_bytes &) = delete;
    contiguous_bytes &operator=(const contiguous_bytes &) = delete;

    const void *data() const {
        return view_.buf;
    }
    std::size_t size() const {
        return static_cast<std::size_t>(view_.len);
    }

  private:
    Py_buffer view_{};
};
// endregion: contiguous-bytes

// ---- the GIL --------------------------------------------------------------------------------

// Mirrors bindings.GIL_RELEASE_MIN_SIZE (module.cpp checks it when the module is imported).
constexpr std::size_t GIL_RELEASE_MIN_SIZE = 4096;

// region: release-gil-if-large
// Returns call(), run without the GIL when n (elements, or bytes) is at least
// GIL_RELEASE_MIN_SIZE: for shorter inputs, releasing and retaking the GIL costs more than the
// call. `call` must not touch Python objects. py::gil_scoped_release retakes the GIL in its
// destructor, on every way out (docs/advanced/misc.rst, "Global Interpreter Lock (GIL)").
template <typename Call> auto release_gil_if_large(std::size_t n, Call &&call) {
    if (n < GIL_RELEASE_MIN_SIZE) {
        return call();
    }
    py::gil_scoped_release release;
    return call();
}
// endregion: release-gil-if-large

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

// ---- the module's parts: one bind_* per file, called by module.cpp ---------------------------

void bind_errors(py::module_ &m);
void bind_convert(py::module_ &m);
void bind_functions(py::module_ &m);
void bind_callbacks(py::module_ &m);
void bind_detector(py::module_ &m);

} // namespace bcore_pybind11

// region: real-caster-declaration
// Custom type casters (docs/advanced/cast/custom.rst): specialisations every translation unit
// that takes a Real or an ArrayLike must see, so they are declared here; load() is in
// convert.cpp.
namespace pybind11::detail {

template <> struct type_caster<bcore_pybind11::Real> {
    PYBIND11_TYPE_CASTER(bcore_pybind11::Real,
                         io_name("typing.SupportsFloat | typing.SupportsIndex", "float"));

    bool load(handle src, bool convert);
};

template <> struct type_caster<bcore_pybind11::ArrayLike> {
    PYBIND11_TYPE_CASTER(bcore_pybind11::ArrayLike,
                         io_name("typing.Annotated[numpy.typing.ArrayLike, numpy.float64]",
                                 "numpy.typing.NDArray[numpy.float64]"));

    bool load(handle src, bool convert);
};

} // namespace pybind11::detail
// endregion: real-caster-declaration
