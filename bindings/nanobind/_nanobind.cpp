// The nanobind backend: the C core (c_core/include/bcore.h) as the extension module
// bindings.nanobind._nanobind, behind the interface of bindings/_interface.py.
//
// Read top to bottom: the one error mapping; two argument types whose casters implement the
// interface's conversion rules; helpers for NumPy results, buffers and the GIL; the functions;
// the Detector class; the module definition, which also looks up the few Python objects used.

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <bcore.h>

#include <cstdarg>
#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <utility>

namespace nb = nanobind;
using namespace nb::literals;

namespace {

// Array functions release the GIL from this many elements (bytes for fnv1a) up, as NumPy
// does: releasing costs more than a short call. Mirrors bindings.GIL_RELEASE_MIN_SIZE.
constexpr size_t GIL_RELEASE_MIN_SIZE = 4096;

// Python objects used on every call: numpy.asarray, numpy.dtype("float64"), numpy.ndarray and
// bindings.EVENT_DTYPE. The module's init looks them up once, before any call can run. They are
// deliberately never released: a static nb::object would be destroyed after the interpreter
// has shut down.
nb::handle numpy_asarray, numpy_float64, numpy_ndarray, event_dtype;

// ---- errors -------------------------------------------------------------------------------

// region: errors
// Raises `type` with a PyErr_Format message. nanobind re-raises a thrown nb::python_error as
// the Python exception it holds.
[[noreturn]] void raise_error(PyObject *type, const char *format, ...) {
    va_list args;
    va_start(args, format);
    PyErr_FormatV(type, format, args);
    va_end(args);
    throw nb::python_error();
}

// The one place where a core status becomes a Python exception. BC_ECALLBACK re-raises the
// callback's own exception (the same object), which integrate() passes in.
// region: ch10-errors
void check(int status, const char *what, const std::exception_ptr &callback_error = nullptr) {
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
// endregion: errors
// endregion: ch10-errors

// ---- argument types -----------------------------------------------------------------------
// region: int
// A caster that rejects an argument makes the call fail with TypeError, and cannot raise
// anything else (from_python is noexcept). The interface also wants OverflowError and ValueError
// for some arguments, so these casters accept such arguments and let the function raise:
// Int<T>::get(), Real::get() and require_ndim().

// An integer argument: an int or any object with __index__ (floats and str have none: the
// caster rejects them). nanobind's own int64_t caster would reject an int outside int64 with
// TypeError; this one records that it does not fit, and get() raises OverflowError. An
// __index__ that raises is recorded too, and get() raises its exception. Trivially copyable,
// like the built-in integers, so that passing it costs no more than passing them.
template <typename T> struct Int {
    T value = 0;
    bool fits = false;
    bool negative = false;     // known even when it does not fit: a count < 0 is a ValueError
    PyObject *error = nullptr; // what __index__ raised (the call's cleanup list owns it)

    T get(const char *name) const {
        if (error) { // the same exception object, traceback included
            PyErr_SetObject(reinterpret_cast<PyObject *>(Py_TYPE(error)), error);
            throw nb::python_error();
        }
        if (!fits)
            raise_error(PyExc_OverflowError, "%s does not fit in int%d", name,
                        static_cast<int>(8 * sizeof(T)));
        return value;
    }
};
// endregion: int

// region: real
// float(obj): how the interface converts a real number (PyFloat_AsDouble: __float__, else
// __index__), raising what float() raises: TypeError for str or None, OverflowError for an int
// too large for a double, whatever __float__ raises.
double to_double(nb::handle obj) {
    if (PyFloat_CheckExact(obj.ptr())) // the common case, without a call
        return PyFloat_AS_DOUBLE(obj.ptr());
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

void require_ndim(const ArrayLike &array, size_t ndim, const char *name) {
    if (array.ndim() != ndim)
        raise_error(PyExc_ValueError, "%s must be %zu-dimensional, not %zu-dimensional", name, ndim,
                    array.ndim());
}
// endregion: array-like

} // namespace

namespace nanobind::detail {

// region: int-caster
template <typename T> struct type_caster<Int<T>> {
    NB_TYPE_CASTER(Int<T>, const_name("typing.SupportsIndex"))

    bool from_python(handle src, uint32_t flags, cleanup_list *cleanup) noexcept {
        if (PyLong_CheckExact(src.ptr())) { // the common case, without a call of __index__
            load(src.ptr());
            return true;
        }
        // Like nanobind's integer casters: only ints until implicit conversions are allowed.
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

  private:
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
template <> struct type_caster<Real> {
    NB_TYPE_CASTER(Real, const_name("typing.SupportsFloat"))

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

// region: array-caster
template <> struct type_caster<ArrayLike> {
    NB_TYPE_CASTER(ArrayLike, const_name("numpy.typing.ArrayLike"))

    bool from_python(handle src, uint32_t flags, cleanup_list *) noexcept {
        ndarray<const double, c_contig, device::cpu> &array = value;
        // ndarray's constraints say nothing of alignment, and NumPy allows a float64 array at
        // any address; C must not read doubles there (UBSan reports it), so those are copied.
        auto aligned = [&array] {
            return reinterpret_cast<std::uintptr_t>(array.data()) % alignof(double) == 0;
        };
        // Zero copy: a C-contiguous, aligned float64 array (or buffer) is read in place.
        if (try_cast(src, array, /*convert=*/false) && aligned())
            return true;
        if (!(flags & cast_flags::convert))
            return false;
        // Anything else is converted by numpy.asarray(src, float64, "C"), so that every backend
        // accepts the same inputs (nanobind's own ndarray conversion changes dtype and layout
        // but does not take lists). NumPy's error, ValueError for a ragged list included,
        // becomes the TypeError of a failed conversion; the wrong number of dimensions stays a
        // ValueError for later.
        try {
            object converted = numpy_asarray(src, numpy_float64, "C");
            if (try_cast(converted, array, /*convert=*/false) && aligned())
                return true;
            return try_cast(converted.attr("copy")(), array, /*convert=*/false); // asarray kept it
        } catch (...) {
            return false;
        }
    }
};
// endregion: array-caster

} // namespace nanobind::detail

namespace {

// ---- results, buffers and the GIL ---------------------------------------------------------

// region: results
template <typename T> using NumpyArray = nb::ndarray<nb::numpy, T, nb::ndim<1>>;

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

// Memory for a result array of n elements. It comes from PyMem, like NumPy's own arrays, so
// that tracemalloc and Python's allocator debug hooks see it. Called with the GIL held.
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

// region: call-core
// Runs a core call over n elements (bytes for fnv1a), without the GIL when n is large.
// region: ch11-release
template <typename Call> auto call_core(size_t n, Call &&call) {
    if (n < GIL_RELEASE_MIN_SIZE)
        return call();
    nb::gil_scoped_release nogil;
    return call();
}
// endregion: call-core
// endregion: ch11-release

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

// ---- functions ----------------------------------------------------------------------------

// region: add
int64_t add(Int<int64_t> a, Int<int64_t> b) {
    int64_t sum = 0;
    check(bc_add(a.get("a"), b.get("b"), &sum), "add");
    return sum;
}
// endregion: add

// region: dsum
double dsum(const ArrayLike &x) {
    require_ndim(x, 1, "x");
    return call_core(x.size(), [&] { return bc_dsum(x.data(), x.size()); });
}
// endregion: dsum

// region: scale
// out= is checked, never converted: not a numpy.ndarray or not float64 is a TypeError; the
// wrong shape, a strided or a read-only array is a ValueError.
NumpyArray<double> checked_out(nb::handle out, size_t n) {
    if (PyObject_IsInstance(out.ptr(), numpy_ndarray.ptr()) != 1)
        raise_error(PyExc_TypeError, "out must be a numpy.ndarray, not %U",
                    nb::inst_name(out).ptr());
    nb::ndarray<double, nb::device::cpu> writable; // any shape and layout
    if (!nb::try_cast(out, writable, /*convert=*/false)) {
        nb::ndarray<const double, nb::device::cpu> readonly;
        if (nb::try_cast(out, readonly, /*convert=*/false))
            throw nb::value_error("out must be writable");
        raise_error(PyExc_TypeError, "out must have dtype float64, not %S",
                    out.attr("dtype").ptr());
    }
    if (writable.ndim() != 1 || writable.shape(0) != n)
        raise_error(PyExc_ValueError, "out must have the shape of x, (%zu,)", n);
    if (n > 1 && writable.stride(0) != 1)
        throw nb::value_error("out must be C-contiguous");
    // NumPy allows arrays at any address; C may only write doubles at aligned ones.
    if (reinterpret_cast<uintptr_t>(writable.data()) % alignof(double) != 0)
        throw nb::value_error("out must be aligned for float64");
    return NumpyArray<double>(writable);
}

NumpyArray<double> scale(const ArrayLike &x, Real k_arg, nb::handle out) {
    const double k = k_arg.get();
    require_ndim(x, 1, "x");
    const size_t n = x.shape(0);
    if (out.is_none()) {
        auto result = new_array<double>(n);
        check(call_core(n, [&] { return bc_scale(x.data(), n, k, result.get()); }), "scale");
        return to_numpy(std::move(result), n);
    }
    NumpyArray<double> target = checked_out(out, n);
    check(call_core(n, [&] { return bc_scale(x.data(), n, k, target.data()); }), "scale");
    return target; // exports as `out` itself, the object it was imported from
}
// endregion: scale

// region: find-peaks
NumpyArray<int64_t> find_peaks(const ArrayLike &x, Real threshold_arg) {
    const double threshold = threshold_arg.get();
    require_ndim(x, 1, "x");
    const size_t n = x.shape(0);
    int64_t *peaks = nullptr;
    size_t count = 0;
    const int status =
        call_core(n, [&] { return bc_find_peaks(x.data(), n, threshold, &peaks, &count); });
    std::unique_ptr<int64_t[], CoreFree> owned(peaks); // freed on every path from here
    check(status, "find_peaks");
    return to_numpy(std::move(owned), count);
}
// endregion: find-peaks

// region: find-peaks-into
// One find_peaks_into() call's state, handed to the allocator through the core as its context:
// the buffer the allocator made, or what making it raised.
struct PeaksInto {
    std::unique_ptr<int64_t[], PyMemFree> buffer;
    std::exception_ptr error;

    // The bc_allocator. The core calls it once, without the GIL when the input is large: it
    // takes the GIL back just while PyMem allocates (gil_scoped_acquire only counts when this
    // thread holds it already). No exception may unwind through C: it is stored, and NULL makes
    // the core return BC_ECALLBACK. The element size is always sizeof(int64_t).
    // Trade-off: memory handed to NumPy through a capsule once the core returns (to_numpy, as
    // nanobind's documentation returns arrays) costs no Python call here, but the array's base
    // is that capsule; numpy.empty() would give an array owning its data, for a call per result.
    static void *allocate(size_t count, size_t /*size*/, void *context) noexcept {
        auto &self = *static_cast<PeaksInto *>(context);
        nb::gil_scoped_acquire gil;
        try {
            self.buffer = new_array<int64_t>(count); // PyMem_Malloc(0) is not NULL
            return self.buffer.get();
        } catch (...) {
            self.error = std::current_exception(); // copied with the GIL held
            return nullptr;
        }
    }
};

NumpyArray<int64_t> find_peaks_into(const ArrayLike &x, Real threshold_arg) {
    const double threshold = threshold_arg.get();
    require_ndim(x, 1, "x");
    const size_t n = x.shape(0);
    PeaksInto state;
    size_t count = 0;
    const int status = call_core(n, [&] {
        return bc_find_peaks_into(x.data(), n, threshold, &PeaksInto::allocate, &state, &count);
    });
    check(status, "find_peaks_into", state.error);   // BC_ECALLBACK: the allocator's MemoryError
    return to_numpy(std::move(state.buffer), count); // C wrote into it: no copy, no bc_free
}
// endregion: find-peaks-into

NumpyArray<double> matvec(const ArrayLike &a, const ArrayLike &x) {
    require_ndim(a, 2, "A");
    require_ndim(x, 1, "x");
    const size_t rows = a.shape(0), cols = a.shape(1);
    if (x.shape(0) != cols)
        raise_error(PyExc_ValueError, "matvec: A has %zu columns but x has %zu elements", cols,
                    x.shape(0));
    auto y = new_array<double>(rows);
    check(call_core(a.size(),
                    [&] { return bc_matvec(a.data(), rows, cols, cols, x.data(), y.get()); }),
          "matvec");
    return to_numpy(std::move(y), rows);
}

// region: fnv1a
uint64_t fnv1a(nb::handle data) {
    const Buffer buffer(data, PyBUF_STRIDED_RO); // TypeError for str and for non-buffers
    if (!buffer.c_contiguous())
        throw nb::value_error("fnv1a: data must be a C-contiguous buffer");
    const auto len = static_cast<size_t>(buffer->len);
    return call_core(len, [&] { return bc_fnv1a(buffer->buf, len); });
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
    check(status, "repeat");
    return nb::str(out, out_len);
}
// endregion: repeat

bc_stats describe(const ArrayLike &x) {
    require_ndim(x, 1, "x");
    bc_stats stats{};
    check(call_core(x.size(), [&] { return bc_describe(x.data(), x.size(), &stats); }), "describe");
    return stats;
}

// region: events-total
// nb::ndarray has no structured dtypes, so the record array is checked against
// bindings.EVENT_DTYPE with NumPy's own dtype equality and read through the buffer protocol.
double events_total(nb::handle events, int32_t kind) {
    if (PyObject_IsInstance(events.ptr(), numpy_ndarray.ptr()) != 1 ||
        !events.attr("dtype").equal(event_dtype))
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
    return call_core(n, [&] { return bc_events_total(records, n, kind); });
}
// endregion: events-total

// region: integrate
// One integrate() call's state, handed to the core as the callback's context: no globals, so
// f may itself call integrate().
struct Integrand {
    nb::callable f;
    std::exception_ptr error; // what f raised, rethrown once bc_integrate has returned

    // The bc_func trampoline. It runs with the GIL held (integrate never releases it), and
    // must not let a C++ exception unwind through the C core: it stores it and returns 1.
    static int call(double x, void *context, double *y) noexcept {
        auto &self = *static_cast<Integrand *>(context);
        try {
            nb::object result = self.f(x);
            *y = to_double(result); // not nb::try_cast<double>: see Real
            return 0;
        } catch (...) {
            self.error = std::current_exception();
            return 1;
        }
    }
};

double integrate(nb::callable f, Real a_arg, Real b_arg, Int<int64_t> n) {
    const double a = a_arg.get(), b = b_arg.get();
    const int64_t intervals = n.negative ? 0 : n.get("n");
    if (intervals < 1)
        throw nb::value_error("integrate: n must be >= 1");
    Integrand integrand{std::move(f), nullptr};
    double result = 0.0;
    const int status =
        bc_integrate(&Integrand::call, &integrand, a, b, static_cast<size_t>(intervals), &result);
    check(status, "integrate", integrand.error);
    return result;
}
// endregion: integrate

// ---- the detector -------------------------------------------------------------------------

// Owns one bc_detector. The core does not serialise calls on a detector, so every core call
// holds mutex_. handle_ changes only with both mutex_ and the GIL held, views_ only with the GIL
// (a capsule destructor runs with it), so both may be read with the GIL alone; close() checks
// views_ and destroys the handle without letting the GIL go in between.
class Detector {
  public:
    // region: detector-life
    Detector(Real hazard, Real mu0, Real kappa0, Real alpha0, Real beta0,
             Int<int64_t> max_run_length) {
        const double hazard_rate = hazard.get(); // the arguments in order (see Real)
        const bc_normal_gamma model{mu0.get(), kappa0.get(), alpha0.get(), beta0.get()};
        const bc_hazard rate{hazard_rate, max_run_length.get("max_run_length")};
        check(bc_detector_create(&model, &rate, &handle_), "Detector");
    }
    // No view can be alive here: each one holds a reference to the detector.
    ~Detector() {
        bc_detector_destroy(handle_);
    }
    // endregion: detector-life
    Detector(const Detector &) = delete;
    Detector &operator=(const Detector &) = delete;

    int64_t update(Real x) {
        const double value = x.get();
        int64_t run_length = 0;
        int status;
        {
            auto guard = lock();
            status = bc_detector_update(handle(), value, &run_length);
        }
        check(status, "Detector.update");
        return run_length;
    }

    // region: update-many
    NumpyArray<int64_t> update_many(const ArrayLike &xs) {
        require_ndim(xs, 1, "xs");
        const size_t n = xs.shape(0);
        auto run_lengths = new_array<int64_t>(n);
        int status;
        {
            auto guard = lock();
            bc_detector *detector = handle();
            nb::gil_scoped_release nogil; // always, whatever n
            status = bc_detector_update_many(detector, xs.data(), n, run_lengths.get());
        }
        check(status, "Detector.update_many");
        return to_numpy(std::move(run_lengths), n);
    }
    // endregion: update-many

    NumpyArray<double> posterior() {
        size_t len = 0;
        std::unique_ptr<double[], PyMemFree> copy;
        {
            auto guard = lock(); // a copy never shows a step in progress
            const double *data = bc_detector_posterior(handle(), &len);
            copy = new_array<double>(len);
            std::memcpy(copy.get(), data, len * sizeof(double));
        }
        return to_numpy(std::move(copy), len);
    }

    // region: posterior-view
    // A read-only array over the core's own buffer. Its owner is a capsule holding a reference
    // to this detector; every array derived from the view keeps the capsule alive (directly or
    // through the view), so it lives exactly as long as any of them, and views_ counts the live
    // capsules.
    NumpyArray<const double> posterior_view() {
        nb::object self = nb::find(*this);
        nb::capsule owner(self.ptr(), &Detector::release_view);
        (void)self.release(); // the capsule holds this reference now
        ++views_;
        const double *data = nullptr;
        size_t len = 0;
        {
            auto guard = lock();
            data = bc_detector_posterior(handle(), &len);
        }
        return NumpyArray<const double>(data, {len}, owner);
    }
    // endregion: posterior-view

    uint64_t steps() {
        auto guard = lock();
        return bc_detector_steps(handle());
    }

    void reset() {
        auto guard = lock();
        bc_detector_reset(handle());
    }

    // region: close
    void close() {
        auto guard = lock(); // waits for an update_many in flight
        if (handle_ == nullptr)
            return;
        if (views_ != 0)
            throw nb::buffer_error("cannot close a Detector while posterior views of it exist");
        bc_detector_destroy(handle_);
        handle_ = nullptr;
    }
    // endregion: close

    bool closed() const {
        return handle_ == nullptr;
    }

    // The C handle, or ValueError once the detector is closed.
    bc_detector *handle() const {
        if (handle_ == nullptr)
            throw nb::value_error("operation on a closed Detector");
        return handle_;
    }

  private:
    // region: lock
    // Takes mutex_ for one core call. A thread that finds it held (by an update_many running
    // without the GIL) waits with the GIL released: waiting with it would deadlock, as that
    // update_many needs the GIL back before it can return and unlock.
    // region: ch11-lock
    std::unique_lock<std::mutex> lock() {
        std::unique_lock<std::mutex> guard(mutex_, std::try_to_lock);
        if (!guard.owns_lock()) {
            nb::gil_scoped_release nogil;
            guard.lock();
        }
        return guard;
    }
    // endregion: lock
    // endregion: ch11-lock

    // region: release-view
    // The capsule destructor: the last array over one posterior view is gone.
    static void release_view(void *self) noexcept {
        const nb::handle detector(static_cast<PyObject *>(self));
        --nb::inst_ptr<Detector>(detector)->views_;
        detector.dec_ref(); // may destroy the detector: last
    }
    // endregion: release-view

    bc_detector *handle_ = nullptr;
    size_t views_ = 0;
    std::mutex mutex_;
};

} // namespace

// ---- the module ---------------------------------------------------------------------------
// region: module
// The interface's parameters are positional-only. nanobind makes an argument positional-only by
// leaving it unnamed (no nb::arg("name")), and a function with no nb::arg() at all takes
// nanobind's fastest call path; nb::sig then gives the signature its names, for help(), error
// messages and the stub that stubgen writes (_nanobind.pyi).

NB_MODULE(_nanobind, m) {
    m.doc() = "The C core bound with nanobind (see bindings/_interface.py).";

    const nb::module_ numpy = nb::module_::import_("numpy");
    numpy_asarray = nb::object(numpy.attr("asarray")).release();
    numpy_float64 = numpy.attr("dtype")("float64").release();
    numpy_ndarray = nb::object(numpy.attr("ndarray")).release();
    event_dtype = nb::object(nb::module_::import_("bindings").attr("EVENT_DTYPE")).release();
    if (nb::cast<size_t>(event_dtype.attr("itemsize")) != sizeof(bc_event))
        throw nb::import_error("bindings.EVENT_DTYPE does not match bc_event");

    // Array arguments take None too, as numpy.asarray does (a 0-d array: ValueError). Without
    // it, nanobind would reject None with TypeError before the caster sees it.
    const auto array = nb::arg().none();
    // endregion: module

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
    m.def("dsum", &dsum, array, nb::sig("def dsum(x: numpy.typing.ArrayLike, /) -> float"),
          "Sum of a 1-D array; 0.0 if empty.");
    m.def("scale", &scale, array, nb::arg(), "out"_a = nb::none(),
          nb::sig("def scale(x: numpy.typing.ArrayLike, k: typing.SupportsFloat, /, "
                  "out: numpy.typing.NDArray[numpy.float64] | None = None) "
                  "-> numpy.typing.NDArray[numpy.float64]"),
          "x * k into out (a new array when None); returns out.");
    m.def("find_peaks", &find_peaks, array, nb::arg(),
          nb::sig("def find_peaks(x: numpy.typing.ArrayLike, threshold: typing.SupportsFloat, /) "
                  "-> numpy.typing.NDArray[numpy.int64]"),
          "Indices of the local maxima above threshold.");
    m.def("find_peaks_into", &find_peaks_into, array, nb::arg(),
          nb::sig("def find_peaks_into(x: numpy.typing.ArrayLike, "
                  "threshold: typing.SupportsFloat, /) -> numpy.typing.NDArray[numpy.int64]"),
          "find_peaks, written by C into memory Python allocated.");
    m.def("matvec", &matvec, array, array,
          nb::sig("def matvec(A: numpy.typing.ArrayLike, x: numpy.typing.ArrayLike, /) "
                  "-> numpy.typing.NDArray[numpy.float64]"),
          "A @ x for a 2-D A and a 1-D x.");
    m.def("fnv1a", &fnv1a, nb::sig("def fnv1a(data: typing_extensions.Buffer, /) -> int"),
          "FNV-1a 64-bit hash of a C-contiguous buffer's bytes.");
    m.def("repeat", &repeat, nb::sig("def repeat(s: str, n: typing.SupportsIndex, /) -> str"),
          "s * n, computed by C on UTF-8 bytes.");
    m.def("describe", &describe, array,
          nb::sig("def describe(x: numpy.typing.ArrayLike, /) -> Stats"),
          "n, mean, population std, min, max of a 1-D array.");
    m.def(
        "events_total",
        [](nb::handle events, Int<int32_t> kind) { return events_total(events, kind.get("kind")); },
        nb::sig("def events_total(events: numpy.typing.NDArray[numpy.void], "
                "kind: typing.SupportsIndex, /) -> float"),
        "Sum of value over the records with kind == kind.");
    m.def("integrate", &integrate,
          nb::sig("def integrate(f: collections.abc.Callable[[float], typing.SupportsFloat], "
                  "a: typing.SupportsFloat, b: typing.SupportsFloat, n: typing.SupportsIndex, /) "
                  "-> float"),
          "Trapezoid rule of f over [a, b] with n intervals.");
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

    // region: detector-class
    nb::class_<Detector>(m, "Detector", "Bayesian online change-point detector.")
        .def(nb::init<Real, Real, Real, Real, Real, Int<int64_t>>(), "hazard"_a = 0.01,
             "mu0"_a = 0.0, "kappa0"_a = 1.0, "alpha0"_a = 1.0, "beta0"_a = 1.0,
             "max_run_length"_a = 500,
             nb::sig("def __init__(self, hazard: typing.SupportsFloat = 0.01, "
                     "mu0: typing.SupportsFloat = 0.0, kappa0: typing.SupportsFloat = 1.0, "
                     "alpha0: typing.SupportsFloat = 1.0, beta0: typing.SupportsFloat = 1.0, "
                     "max_run_length: typing.SupportsIndex = 500) -> None"))
        .def("update", &Detector::update,
             nb::sig("def update(self, x: typing.SupportsFloat, /) -> int"),
             "One observation; returns the most probable run length.")
        .def("update_many", &Detector::update_many, array,
             nb::sig("def update_many(self, xs: numpy.typing.ArrayLike, /) "
                     "-> numpy.typing.NDArray[numpy.int64]"),
             "Many observations; the run length after each (runs without the GIL).")
        .def("posterior", &Detector::posterior, "A copy of the run-length posterior.")
        .def("posterior_view", &Detector::posterior_view,
             "A read-only view of the posterior that follows every update.")
        .def_prop_ro("t", &Detector::steps, "Steps since creation or the last reset().")
        .def("reset", &Detector::reset, "Back to the prior.")
        .def("close", &Detector::close, "Releases the C detector; idempotent.")
        .def_prop_ro("closed", &Detector::closed)
        .def(
            "__enter__",
            [](Detector &detector) -> Detector & {
                detector.handle(); // ValueError once closed
                return detector;
            },
            nb::rv_policy::reference)
        .def(
            "__exit__", [](Detector &detector, const nb::args &) { detector.close(); },
            nb::sig("def __exit__(self, *exc_info: object) -> None"), "Closes the detector.");
    // endregion: detector-class
}
