// What every translation unit of the nanobind backend shares: the C core's declarations
// (bcore.h), the one error mapping, results, the argument types and their casters, the GIL rule,
// and the bind_* function of each part, which module.cpp calls. Shared declarations in one
// header, each part in its own file and one NB_MODULE calling a bind function per part: how
// nanobind's own tests split a module over files (tests/test_abi_multi.h declares bind_part2,
// defined in test_abi_multi_2.cpp and called from NB_MODULE in test_abi_multi_1.cpp).
#pragma once

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <bcore.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>

namespace bcore_nanobind {

namespace nb = nanobind;

// ---- errors ---------------------------------------------------------------------------------

// Raises `type` with a PyErr_Format message.
[[noreturn]] void raise_error(PyObject *type, const char *format, ...);

// The one place where a core status becomes a Python exception; `what` names the operation in
// the message. BC_ECALLBACK rethrows `callback_error`, what a callback stored.
void raise_for_status(int status, const char *what,
                      const std::exception_ptr &callback_error = nullptr);

// Ctrl-C during a long core call (bcore.h, region "check"). The GIL must be held. Runs the signal
// handlers that are pending (PyErr_CheckSignals: in the main thread only, elsewhere it does
// nothing); if one raised, KeyboardInterrupt for SIGINT, stores that exception in `error` and
// returns true. The check that calls this then returns non-zero, the core stops with
// BC_ECALLBACK, and raise_for_status rethrows `error`.
bool signal_raised(std::exception_ptr &error) noexcept;

// ---- results --------------------------------------------------------------------------------

// region: results
// A 1-D NumPy array, as a function returns it.
template <typename T> using NumpyArray = nb::ndarray<nb::numpy, T, nb::ndim<1>>;

// A new array of n elements (T: double or int64_t), uninitialised, made by numpy.empty(n, dtype):
// NumPy allocates its data with its own PyDataMem handler (malloc by default, which reports each
// block to tracemalloc: https://numpy.org/doc/stable/reference/c-api/data_memory.html) and the
// array owns it. nb::ndarray imports it for the data pointer, and returned, exports as that same
// array object. Called with the GIL held (convert.cpp).
template <typename T> NumpyArray<T> empty_array(size_t n);

// Releases memory the core allocated.
struct CoreFree {
    void operator()(void *p) const noexcept {
        bc_free(p);
    }
};

// Releases memory from new_array().
struct PyMemFree {
    void operator()(void *p) const noexcept {
        PyMem_Free(p);
    }
};

// Memory for a result that C fills while the detector's lock is held (Detector.posterior): from
// PyMem, which runs no Python code there, unlike numpy.empty. tracemalloc traces it and Python's
// allocator debug hooks check it. to_numpy() hands it over. Called with the GIL held.
template <typename T> std::unique_ptr<T[], PyMemFree> new_array(size_t n) {
    T *data = PyMem_New(T, n); // NULL if n * sizeof(T) overflows, too
    if (data == nullptr)
        raise_error(PyExc_MemoryError, "cannot allocate an array of %zu elements", n);
    return std::unique_ptr<T[], PyMemFree>(data);
}

// Hands `n` elements at `data` to NumPy without a copy: a capsule takes the buffer over and
// releases it with Deleter, exactly once, when the last array over it is gone.
template <typename T, typename Deleter>
NumpyArray<T> to_numpy(std::unique_ptr<T[], Deleter> data, size_t n) {
    nb::capsule owner(data.get(), [](void *p) noexcept { Deleter()(static_cast<T *>(p)); });
    return NumpyArray<T>(data.release(), {n}, owner);
}
// endregion: results

// ---- conversion -----------------------------------------------------------------------------

// region: int
// A caster that rejects an argument makes the call fail with TypeError, and cannot raise
// anything else (from_python is noexcept). The interface also wants OverflowError and ValueError
// for some arguments, so these casters accept such arguments and let the function raise:
// Int<T>::get(), Real::get() and require_ndim().

// An integer argument: an int or any object with __index__ (floats and str have none: the
// caster rejects them). nanobind's own int64_t caster would reject an int outside int64 with
// TypeError; this one records that it does not fit, and get() raises OverflowError. An
// __index__ that raises is recorded too, and get() raises its exception. Trivially copyable,
// like the built-in integers, so that passing it is a plain copy.
template <typename T> struct Int {
    T value = 0;
    bool fits = false;
    bool negative = false;     // known even when it does not fit: a count < 0 is a ValueError
    PyObject *error = nullptr; // what __index__ raised (the call's cleanup list owns it)

    // Inline, with the raising out of line: -Os would otherwise make every get() a call.
    NB_INLINE T get(const char *name) const {
        if (NB_UNLIKELY(error != nullptr || !fits))
            raise(name);
        return value;
    }

  private:
    [[noreturn]] NB_NOINLINE void raise(const char *name) const {
        if (error) { // the same exception object, traceback included
            PyErr_SetObject(reinterpret_cast<PyObject *>(Py_TYPE(error)), error);
            throw nb::python_error();
        }
        raise_error(PyExc_OverflowError, "%s does not fit in int%d", name,
                    static_cast<int>(8 * sizeof(T)));
    }
};
// endregion: int

// region: real
// float(obj): how the interface converts a real number (PyFloat_AsDouble: __float__, else
// __index__), raising what float() raises: TypeError for str or None, OverflowError for an int
// too large for a double, whatever __float__ raises. Inline: every real argument comes here.
inline double to_double(nb::handle obj) {
#if !defined(Py_LIMITED_API) // the stable ABI hides a float's value: PyFloat_AsDouble reads it
    if (PyFloat_CheckExact(obj.ptr())) // the common case, without a call
        return PyFloat_AS_DOUBLE(obj.ptr());
#endif
    const double value = PyFloat_AsDouble(obj.ptr());
    if (value == -1.0 && PyErr_Occurred())
        throw nb::python_error();
    return value;
}

// A real argument. nanobind's own double caster turns every failure of float() into the
// TypeError of a rejected argument, so an int too large for a double would not raise
// OverflowError. This caster only takes the object; get() converts it with to_double(), raising
// as float() does. Functions call get() on their real arguments first, in argument order, so
// that a call with several bad arguments raises for the first of them.
struct Real {
    nb::handle obj; // borrowed: the call's own argument, alive until the call returns

    double get() const {
        return to_double(obj);
    }
};
// endregion: real

// region: array-like
// An array argument: anything numpy.asarray(obj, dtype=numpy.float64) accepts, as a
// C-contiguous float64 ndarray of any number of dimensions (checked by require_ndim).
struct ArrayLike : nb::ndarray<const double, nb::c_contig, nb::device::cpu> {};

inline void require_ndim(const ArrayLike &array, size_t ndim, const char *name) {
    if (array.ndim() != ndim)
        raise_error(PyExc_ValueError, "%s must be %zu-dimensional, not %zu-dimensional", name, ndim,
                    array.ndim());
}

// The annotation of an array parameter in m.def: it takes None too, as numpy.asarray does (a
// 0-d array: ValueError). Without it, nanobind would reject None with TypeError before the
// caster sees it.
inline auto array_arg() {
    return nb::arg().none();
}
// endregion: array-like

// region: buffer
// A Py_buffer released at scope exit: nanobind has no py::buffer, the C API is short enough.
class Buffer {
  public:
    Buffer(nb::handle obj, int flags) {
        if (PyObject_GetBuffer(obj.ptr(), &view_, flags) != 0)
            throw nb::python_error();
    }
    ~Buffer() {
        PyBuffer_Release(&view_);
    }
    Buffer(const Buffer &) = delete;
    Buffer &operator=(const Buffer &) = delete;

    const Py_buffer *operator->() const {
        return &view_;
    }
    bool c_contiguous() const {
        return PyBuffer_IsContiguous(&view_, 'C') != 0;
    }

  private:
    Py_buffer view_{};
};
// endregion: buffer

// An out= argument: checked, never converted (convert.cpp).
NumpyArray<double> checked_out(nb::handle out, size_t n);

// True if `obj` is a numpy.ndarray of dtype bindings.EVENT_DTYPE (convert.cpp).
bool is_event_array(nb::handle obj);

// ---- the GIL --------------------------------------------------------------------------------

// Array functions release the GIL from this many elements (bytes for fnv1a) up, as NumPy does:
// releasing costs more than a short call. Mirrors bindings.GIL_RELEASE_MIN_SIZE (checked when
// the module is imported).
constexpr size_t GIL_RELEASE_MIN_SIZE = 4096;

// region: release-gil-if-large
// Returns call(), run without the GIL when n (elements, or bytes) is at least
// GIL_RELEASE_MIN_SIZE. `call` must not touch Python objects.
template <typename Call> auto release_gil_if_large(size_t n, Call &&call) {
    if (n < GIL_RELEASE_MIN_SIZE)
        return call();
    nb::gil_scoped_release nogil;
    return call();
}
// endregion: release-gil-if-large

// ---- the module's parts: one bind_* per file, called by module.cpp ---------------------------

// Nothing to add to the module: looks up the Python objects the conversions use on every call,
// before any call can run.
void bind_convert(nb::module_ &m);
void bind_functions(nb::module_ &m);
void bind_callbacks(nb::module_ &m);
void bind_detector(nb::module_ &m);

} // namespace bcore_nanobind

// ---- the casters ----------------------------------------------------------------------------

namespace nanobind::detail {

// region: int-caster
template <typename T> struct type_caster<bcore_nanobind::Int<T>> {
    NB_TYPE_CASTER(bcore_nanobind::Int<T>, const_name("typing.SupportsIndex"))

    // The common case inline: an int that fits T, which nanobind's own caster reads straight
    // from its digits, without conversions (flags 0). Anything else goes to load_other().
    NB_INLINE bool from_python(handle src, uint32_t flags, cleanup_list *cleanup) noexcept {
        if (make_caster<T> builtin; builtin.from_python(src, 0, nullptr)) {
            value.value = builtin.value;
            value.fits = true;
            value.negative = builtin.value < 0;
            return true;
        }
        return load_other(src, flags, cleanup);
    }

  private:
    NB_NOINLINE bool load_other(handle src, uint32_t flags, cleanup_list *cleanup) noexcept {
        if (PyLong_CheckExact(src.ptr())) { // an int that does not fit: get() raises
            load(src.ptr());
            return true;
        }
        // Only ints until implicit conversions are allowed. Unlike nanobind's own integer casters,
        // which refuse bool on that pass, this lets it through: bool is an int subclass.
        if (!(flags & cast_flags::convert) && !PyLong_Check(src.ptr()))
            return false;
        if (!PyIndex_Check(src.ptr())) // no __index__: a float, a str, None...
            return false;
        PyObject *index = PyNumber_Index(src.ptr());
        if (!index) {
            if (!cleanup) { // no call to keep the exception for: only a rejection is possible
                PyErr_Clear();
                return false;
            }
            // __index__ raised. Rejecting the argument would replace its exception with a
            // TypeError, and a caster cannot raise: accept, and let get() raise it.
            value.error = python_error().value().inc_ref().ptr();
            cleanup->append(value.error); // released when the call is over
            return true;
        }
        load(index);
        Py_DECREF(index);
        return true;
    }

    void load(PyObject *integer) noexcept {
        int overflow = 0;
        const long long v = PyLong_AsLongLongAndOverflow(integer, &overflow);
        value.value = static_cast<T>(v);
        value.fits = overflow == 0 && value.value == v;
        value.negative = overflow < 0 || (overflow == 0 && v < 0); // v is -1 on overflow
    }
};
// endregion: int-caster

// region: real-caster
template <> struct type_caster<bcore_nanobind::Real> {
    NB_TYPE_CASTER(bcore_nanobind::Real, const_name("typing.SupportsFloat"))

    // NB_INLINE as in nanobind's own casters: this module is built with -Os, which would
    // otherwise make it a call per argument on the hot path (sum6, Detector.update).
    NB_INLINE bool from_python(handle src, uint32_t flags, cleanup_list *) noexcept {
        // Like nanobind's double caster: only floats until implicit conversions are allowed.
        if (!(flags & cast_flags::convert) && !PyFloat_Check(src.ptr()))
            return false;
        value.obj = src;
        return true;
    }
};
// endregion: real-caster

// Defined in convert.cpp, beside the Python objects it uses.
template <> struct type_caster<bcore_nanobind::ArrayLike> {
    NB_TYPE_CASTER(bcore_nanobind::ArrayLike, const_name("numpy.typing.ArrayLike"))

    bool from_python(handle src, uint32_t flags, cleanup_list *cleanup) noexcept;
};

} // namespace nanobind::detail
