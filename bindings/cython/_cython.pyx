# cython: language_level=3, binding=True
"""The Cython backend: bcore (c_core/) bound to Python with Cython 3.

Every public name implements the shared interface in bindings/_interface.py;
bindings/README.md states the rules (errors, arrays, ownership, GIL, lock).

Compiler directives. ``binding=True`` (Cython 3's default, stated for the
reader) makes each function a cyfunction whose signature ``inspect`` and
``help()`` read; ``embedsignature`` would only repeat it in the docstring.
``boundscheck(False)`` is set only on the functions that take a buffer's
address as ``&view[0]``, with the reason beside it. ``wraparound`` and
``cdivision`` stay at their safe defaults: nothing here uses a negative index
or divides. ``auto_pickle(False)`` on the classes that own C state: pickling
them then fails with TypeError, as for any object that cannot be pickled.

Integers. Cython converts a Python object to a C integer type through
``__int__``, so a float such as 2.5 would silently become 2. The interface
wants ``__index__`` (TypeError for floats), so integer parameters are taken as
objects and passed through ``PyNumber_Index`` (``operator.index``) first; only
``Py_ssize_t`` parameters already convert that way.
"""

cimport cython
from cpython.buffer cimport (
    PyBUF_FORMAT, PyBUF_ND, PyBUF_STRIDES, PyBUF_WRITABLE,
    PyBuffer_IsContiguous, PyBuffer_Release, PyObject_GetBuffer,
)
from cpython.number cimport PyNumber_Index
from cpython.pythread cimport (
    NOWAIT_LOCK, WAIT_LOCK, PyThread_acquire_lock, PyThread_allocate_lock,
    PyThread_free_lock, PyThread_release_lock, PyThread_type_lock,
)
from cpython.unicode cimport PyUnicode_AsUTF8AndSize
from libc.stdint cimport int32_t, int64_t, uint64_t
from libc.string cimport memcpy

from .bcore cimport *  # the whole header, every name prefixed bc_ / BC_

import numpy as np

from .. import EVENT_DTYPE, GIL_RELEASE_MIN_SIZE

# The threshold as a C constant, so the size test before each call is free.
cdef size_t GIL_MIN_SIZE = GIL_RELEASE_MIN_SIZE


# ---- errors: the one place where a bc_status becomes an exception ----------

# region: context
@cython.auto_pickle(False)
cdef class _Context:
    """What a function we hand to C shares with the call that handed it over,
    passed as the C function's ``void *ctx``: one object per call, so no global
    state and every such call is re-entrant. An exception cannot cross C, so
    the function stores it here and reports failure to C by its return value."""

    cdef object error  # what the function raised, for _raise() to re-raise
# endregion: context


# region: errors
# region: ch10-errors
cdef int _raise(int status, const char *what, _Context context) except -1:
    if status == BC_ECALLBACK and context is not None and context.error is not None:
        # Re-raise the callback's own exception object, unchanged.
        error, context.error = context.error, None
        raise error
    message = f"{what.decode()}: {bc_strerror(status).decode()}"
    if status == BC_EINVAL:
        raise ValueError(message)
    if status == BC_EOVERFLOW:
        raise OverflowError(message)
    if status == BC_ENOMEM:
        raise MemoryError(message)
    raise SystemError(f"{message} (unexpected status {status})")


cdef inline int _check(int status, const char *what, _Context context=None) except -1:
    """Returns 0 for BC_OK; otherwise raises the exception that status maps to."""
    if status != BC_OK:
        return _raise(status, what, context)
    return 0
# endregion: ch10-errors
# endregion: errors


# ---- arrays: a C-contiguous float64 array is read in place, the rest copied -

cdef object _converted(object x, int ndim):
    """x as a new C-contiguous float64 array with ndim dimensions.

    ``asarray(order="C")`` rather than ``ascontiguousarray``: the latter turns
    a 0-d input into 1-d, which would hide a wrong number of dimensions.
    """
    try:
        array = np.asarray(x, dtype=np.float64, order="C")
    except MemoryError:
        raise
    except Exception as exc:  # every other failure, OverflowError for [10**400] included
        raise TypeError(f"expected an array of real numbers, got {type(x).__name__}: {exc}") from exc
    if array.ndim != ndim:
        raise ValueError(f"expected a {ndim}-D array, got {array.ndim}-D")
    if not array.flags.aligned:  # asarray keeps a misaligned float64 array as it is
        array = array.copy()
    return array


# region: vector
# These return typed memoryviews, which carry their own error indicator (no
# `except` clause needed): an exception comes back as an unset view.
cdef const double[::1] _vector(object x):
    """A 1-D float64 view of x: x's own memory when it already fits."""
    cdef const double[::1] view
    if isinstance(x, np.ndarray):
        try:
            view = x  # the fast path: acquiring the view is nearly the whole check
        except (ValueError, BufferError):
            pass  # another dtype, not contiguous or not 1-D: convert below
        else:
            # A memoryview accepts misaligned memory; C must not read doubles there.
            if view.shape[0] == 0 or <size_t>&view[0] % sizeof(double) == 0:
                return view
    return _converted(x, 1)
# endregion: vector


cdef const double[:, ::1] _matrix(object x):
    """A 2-D C-contiguous float64 view of x: x's own memory when it already fits."""
    cdef const double[:, ::1] view
    if isinstance(x, np.ndarray):
        try:
            view = x
        except (ValueError, BufferError):
            pass
        else:
            if view.shape[0] * view.shape[1] == 0 or <size_t>&view[0, 0] % sizeof(double) == 0:
                return view
    return _converted(x, 2)


cdef object _checked_out(object out, Py_ssize_t n):
    """The out= array, if it is what the interface demands; never converted."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy.ndarray, not {type(out).__name__}")
    if out.dtype != np.float64:
        raise TypeError(f"out must have dtype float64, not {out.dtype}")
    if out.shape != (n,):
        raise ValueError(f"out has shape {out.shape}, expected {(n,)}")
    if not out.flags.c_contiguous or not out.flags.aligned:
        raise ValueError("out must be C-contiguous and aligned")
    if not out.flags.writeable:
        raise ValueError("out must be writable")
    return out


# ---- bare crossing and scalars ---------------------------------------------

def noop():
    """Does nothing: the cost of a call."""
    bc_noop()


# region: scalars
def add(a, b, /):
    """a + b as int64; OverflowError if an argument or the result does not fit."""
    cdef int64_t x = PyNumber_Index(a)
    cdef int64_t y = PyNumber_Index(b)
    cdef int64_t total
    _check(bc_add(x, y, &total), "add")
    return total


def sum6(double a, double b, double c, double d, double e, double f, /):
    """a + b + c + d + e + f, left to right, in double precision."""
    return bc_sum6(a, b, c, d, e, f)
# endregion: scalars


# ---- arrays -----------------------------------------------------------------
# Each call below runs without the GIL once the input is large enough to pay
# for releasing it. Cython's `with nogil(<condition>)` takes only compile-time
# conditions, so the two branches are spelled out.

# region: dsum
@cython.boundscheck(False)  # &v[0] is only the base address, valid even when v is empty
def dsum(x, /):
    """Sum of a 1-D array (read in place when C-contiguous float64); 0.0 if empty."""
    cdef const double[::1] v = _vector(x)
    cdef size_t n = v.shape[0]
    cdef double total
    # region: ch11-release
    if n < GIL_MIN_SIZE:
        total = bc_dsum(&v[0], n)
    else:
        with nogil:
            total = bc_dsum(&v[0], n)
    # endregion: ch11-release
    return total
# endregion: dsum


# region: scale
@cython.boundscheck(False)  # &v[0] and &dst[0] are only base addresses
def scale(x, double k, /, out=None):
    """x * k into out (a new array when None), and returns out.

    out must be a numpy.ndarray of dtype float64 (TypeError), x's shape,
    C-contiguous and writable (ValueError); out=x works in place.
    """
    cdef const double[::1] v = _vector(x)
    cdef size_t n = v.shape[0]
    result = np.empty(n, dtype=np.float64) if out is None else _checked_out(out, v.shape[0])
    cdef double[::1] dst = result
    cdef int status
    if n < GIL_MIN_SIZE:
        status = bc_scale(&v[0], n, k, &dst[0])
    else:
        with nogil:
            status = bc_scale(&v[0], n, k, &dst[0])
    _check(status, "scale")
    return result
# endregion: scale


# region: find-peaks
@cython.boundscheck(False)  # &v[0] and &r[0] are only base addresses
def find_peaks(x, double threshold, /):
    """int64 indices i, 0 < i < n-1, x[i] > threshold, x[i-1] < x[i] >= x[i+1]."""
    cdef const double[::1] v = _vector(x)
    cdef size_t n = v.shape[0]
    cdef int64_t *peaks = NULL
    cdef size_t count = 0
    cdef int64_t[::1] r
    cdef int status
    if n < GIL_MIN_SIZE:
        status = bc_find_peaks(&v[0], n, threshold, &peaks, &count)
    else:
        with nogil:
            status = bc_find_peaks(&v[0], n, threshold, &peaks, &count)
    # region: ch9-copy
    # The result is copied into a NumPy-owned array and the core's buffer
    # freed here, rather than wrapped zero-copy: the copy is O(peaks), cheap
    # next to the O(n) scan, and the returned array is then a plain ndarray
    # that pins no core memory (live_allocations() is back to its value as
    # soon as the call returns). `peaks` stays NULL on failure, and
    # bc_free(NULL) is a no-op, so the finally clause covers every path.
    try:
        _check(status, "find_peaks")
        result = np.empty(count, dtype=np.int64)
        r = result
        memcpy(&r[0], peaks, count * sizeof(int64_t))
    finally:
        bc_free(peaks)
    return result
    # endregion: ch9-copy
# endregion: find-peaks


# region: allocator
@cython.final
@cython.auto_pickle(False)
cdef class _Allocation(_Context):
    """One find_peaks_into() call's context: the array the allocator made."""

    cdef object result


@cython.boundscheck(False)  # &r[0] is only the base address, valid even when count == 0
cdef void *_allocate(size_t count, size_t size, void *ctx) noexcept with gil:
    # `with gil`: the core may call this from a find_peaks_into that released
    # the GIL, and creating an array needs it. `noexcept`: no exception may
    # cross C, so it is stored in the context and NULL tells the core.
    cdef _Allocation allocation = <_Allocation>ctx
    cdef int64_t[::1] r
    try:
        if size != sizeof(int64_t):
            raise SystemError(f"find_peaks_into: asked for {size}-byte elements, not int64")
        allocation.result = np.empty(count, dtype=np.int64)  # MemoryError if it cannot
        r = allocation.result
    except BaseException as exc:
        allocation.error = exc
        return NULL
    # The array stays alive in the context after the view r is released, and
    # NumPy never gives an array a NULL data pointer, even when count == 0.
    return &r[0]
# endregion: allocator


# region: find-peaks-into
@cython.boundscheck(False)  # &v[0] is only the base address
def find_peaks_into(x, double threshold, /):
    """The same indices as find_peaks, written by C straight into a NumPy array.

    The allocator above creates the array when the core knows how many peaks
    there are: no copy, and nothing for this function to free.
    """
    cdef const double[::1] v = _vector(x)
    cdef size_t n = v.shape[0]
    cdef size_t count = 0
    cdef _Allocation allocation = _Allocation.__new__(_Allocation)
    cdef void *ctx = <void *>allocation  # borrowed: `allocation` keeps it alive
    cdef int status
    if n < GIL_MIN_SIZE:
        status = bc_find_peaks_into(&v[0], n, threshold, _allocate, ctx, &count)
    else:
        with nogil:
            status = bc_find_peaks_into(&v[0], n, threshold, _allocate, ctx, &count)
    _check(status, "find_peaks_into", allocation)  # the allocator's own exception, if it failed
    return allocation.result
# endregion: find-peaks-into


@cython.boundscheck(False)  # &a[0, 0], &v[0] and &y[0] are only base addresses
def matvec(A, x, /):
    """A @ x for a 2-D A and 1-D x; ValueError if A.shape[1] != len(x)."""
    cdef const double[:, ::1] a = _matrix(A)
    cdef const double[::1] v = _vector(x)
    cdef size_t rows = a.shape[0]
    cdef size_t cols = a.shape[1]
    if <size_t>v.shape[0] != cols:
        raise ValueError(f"matvec: A has {cols} columns but x has {v.shape[0]} elements")
    result = np.empty(rows, dtype=np.float64)
    cdef double[::1] y = result
    cdef int status
    # A is C-contiguous, so its rows start exactly `cols` elements apart.
    if rows * cols < GIL_MIN_SIZE:
        status = bc_matvec(&a[0, 0], rows, cols, cols, &v[0], &y[0])
    else:
        with nogil:
            status = bc_matvec(&a[0, 0], rows, cols, cols, &v[0], &y[0])
    _check(status, "matvec")
    return result


# ---- bytes and strings ------------------------------------------------------

# region: fnv1a
def fnv1a(data, /):
    """FNV-1a 64-bit hash of a C-contiguous buffer's bytes.

    The buffer protocol is used directly rather than through a typed
    memoryview: ``const unsigned char[::1]`` would accept only byte formats,
    but any C-contiguous buffer (a float64 array, a 2-D array) is hashed as
    its raw bytes. Not requesting PyBUF_WRITABLE accepts read-only buffers.
    """
    cdef Py_buffer view
    cdef uint64_t h
    PyObject_GetBuffer(data, &view, PyBUF_STRIDES)  # TypeError for str and non-buffers
    try:
        # Checked here, not requested with PyBUF_C_CONTIGUOUS, because
        # exporters refuse that request with different exceptions
        # (memoryview: BufferError, NumPy: ValueError).
        if not PyBuffer_IsContiguous(&view, b'C'):
            raise ValueError("fnv1a: the buffer is not C-contiguous")
        if <size_t>view.len < GIL_MIN_SIZE:
            h = bc_fnv1a(view.buf, view.len)
        else:
            with nogil:
                h = bc_fnv1a(view.buf, view.len)
    finally:
        PyBuffer_Release(&view)
    return h
# endregion: fnv1a


# region: repeat
def repeat(s, n, /):
    """s * n, computed by C on UTF-8 bytes (embedded NULs survive)."""
    if not isinstance(s, str):
        raise TypeError(f"repeat: s must be str, not {type(s).__name__}")
    n = PyNumber_Index(n)
    if n < 0:
        raise ValueError(f"repeat: n must be >= 0, got {n}")
    cdef size_t times = n  # OverflowError beyond size_t
    cdef Py_ssize_t length
    # The str's own UTF-8 (cached on it by CPython, no copy for ASCII);
    # UnicodeEncodeError for lone surrogates.
    cdef const char *utf8 = PyUnicode_AsUTF8AndSize(s, &length)
    cdef char *out = NULL
    cdef size_t out_len = 0
    cdef int status = bc_repeat(utf8, length, times, &out, &out_len)
    try:
        _check(status, "repeat")
        # Slicing with the length keeps embedded NULs.
        return out[:out_len].decode("utf-8")
    finally:
        bc_free(out)  # NULL on failure: a no-op
# endregion: repeat


# ---- structs ----------------------------------------------------------------

@cython.final
cdef class Stats:
    """What describe() returns: n, mean, population std, min, max."""

    cdef readonly size_t n
    cdef readonly double mean
    cdef readonly double std
    cdef readonly double min
    cdef readonly double max

    def __repr__(self):
        return (f"Stats(n={self.n}, mean={self.mean!r}, std={self.std!r}, "
                f"min={self.min!r}, max={self.max!r})")


@cython.boundscheck(False)  # &v[0] is only the base address
def describe(x, /):
    """n, mean, population std, min, max of a 1-D array; ValueError if empty."""
    cdef const double[::1] v = _vector(x)
    cdef size_t n = v.shape[0]
    cdef bc_stats s
    cdef int status
    if n < GIL_MIN_SIZE:
        status = bc_describe(&v[0], n, &s)
    else:
        with nogil:
            status = bc_describe(&v[0], n, &s)
    _check(status, "describe")
    cdef Stats result = Stats.__new__(Stats)
    result.n = s.n
    result.mean = s.mean
    result.std = s.std
    result.min = s.min
    result.max = s.max
    return result


# region: events-total
@cython.boundscheck(False)  # &ev[0] is only the base address
def events_total(events, kind, /):
    """Sum of ``value`` over the records of a bindings.EVENT_DTYPE array with ``kind == kind``."""
    if not isinstance(events, np.ndarray):
        raise TypeError(f"events must be a numpy.ndarray, not {type(events).__name__}")
    if events.dtype != EVENT_DTYPE:
        raise TypeError(f"events must have dtype bindings.EVENT_DTYPE, not {events.dtype}")
    if events.ndim != 1:
        raise ValueError(f"events must be 1-D, not {events.ndim}-D")
    cdef int32_t k = PyNumber_Index(kind)  # OverflowError outside int32
    if not (events.flags.c_contiguous and events.flags.aligned):
        events = events.copy()  # C reads bc_event structs: contiguous and aligned
    # A typed view of the C struct itself: Cython checks the buffer's format
    # against bc_event's real layout (offsets from the C compiler), so a
    # mismatch between EVENT_DTYPE and the header fails loudly here.
    cdef const bc_event[::1] ev = events
    cdef size_t n = ev.shape[0]
    cdef double total
    if n < GIL_MIN_SIZE:
        total = bc_events_total(&ev[0], n, k)
    else:
        with nogil:
            total = bc_events_total(&ev[0], n, k)
    return total
# endregion: events-total


# ---- callback ---------------------------------------------------------------

# region: trampoline
@cython.final
@cython.auto_pickle(False)
cdef class _Callback(_Context):
    """One integrate() call's context (f may itself call integrate)."""

    cdef object func


# region: ch10-trampoline
cdef int _trampoline(double x, void *ctx, double *y) noexcept:
    # `noexcept`: an exception cannot travel through C, so it is stored in the
    # context and signalled by the return value. No `with gil`: bc_integrate is
    # declared without nogil (see bcore.pxd), so Cython guarantees it is only
    # called, and this runs, with the GIL held; re-acquiring it per call would
    # only add cost.
    cdef _Callback callback = <_Callback>ctx
    try:
        y[0] = callback.func(x)  # a non-number result raises TypeError here
    except BaseException as exc:  # KeyboardInterrupt included: it is re-raised
        callback.error = exc
        return 1
    return 0
# endregion: ch10-trampoline
# endregion: trampoline


def integrate(f, double a, double b, n, /):
    """Trapezoid rule of f over [a, b] with n intervals (n + 1 calls of f).

    An exception raised by f propagates unchanged and stops the integration.
    """
    if not callable(f):
        raise TypeError(f"integrate: f must be callable, not {type(f).__name__}")
    n = PyNumber_Index(n)  # a Python int: any negative, however large, is a ValueError
    if n < 1:
        raise ValueError(f"integrate: n must be >= 1, got {n}")
    cdef size_t intervals = n  # OverflowError beyond size_t
    cdef _Callback callback = _Callback.__new__(_Callback)
    callback.func = f
    cdef double result
    # The GIL stays held (bcore.pxd makes that a compile-time rule): every
    # step calls back into Python.
    cdef int status = bc_integrate(_trampoline, <void *>callback, a, b, intervals, &result)
    _check(status, "integrate", callback)
    return result


# ---- accounting -------------------------------------------------------------

def live_allocations():
    """Core allocations not yet released (for leak tests)."""
    return bc_live_allocations()


def fail_allocation_after(k, /):
    """Test hook: the k-th core allocation from now fails; k <= 0 disarms it.

    This module links its own copy of the core, so only this function reaches
    the allocator its functions use.
    """
    cdef int64_t calls = PyNumber_Index(k)  # TypeError for floats, OverflowError outside int64
    bc_fail_allocation_after(calls)


# ---- opaque handle ------------------------------------------------------------

# The docstring's first lines are the class signature in Argument Clinic's
# form: __init__ is a slot of a cdef class, so inspect.signature(Detector)
# reads the signature from there (Detector.__text_signature__).
@cython.final
@cython.auto_pickle(False)
cdef class Detector:
    """Detector(hazard=0.01, mu0=0.0, kappa0=1.0, alpha0=1.0, beta0=1.0, max_run_length=500)
--

    Bayesian online change-point detector (see c_core/include/bcore.h).

    Calls on one detector are serialised by a lock of its own, held around
    every call into the core. Python code never runs while the lock is held
    (results are allocated before taking it), so a finalizer that uses the
    detector cannot deadlock against its own thread.
    """

    # region: detector-life
    cdef bc_detector *_handle      # NULL once closed (or if __init__ never ran)
    cdef PyThread_type_lock _lock
    cdef Py_ssize_t _size          # posterior length, R + 1 (also the buffer's shape)
    cdef Py_ssize_t _itemsize      # sizeof(double) (the buffer's stride)
    # Buffers handed out by __getbuffer__ and not yet released. Guarded by
    # the GIL: this module does not declare free-threading support, so
    # CPython keeps the GIL on while it is loaded.
    cdef Py_ssize_t _exports
    cdef object __weakref__        # weak references work, as for a Python class

    def __cinit__(self, *args, **kwargs):
        # The lock exists for the object's whole life, even if __init__ fails.
        self._lock = PyThread_allocate_lock()
        if self._lock is NULL:
            raise MemoryError("Detector: cannot allocate its lock")
        self._itemsize = sizeof(double)

    def __init__(self, double hazard=0.01, double mu0=0.0, double kappa0=1.0,
                 double alpha0=1.0, double beta0=1.0, max_run_length=500):
        if self._handle is not NULL:
            raise RuntimeError("Detector.__init__ called twice")
        cdef bc_normal_gamma model = bc_normal_gamma(mu0=mu0, kappa0=kappa0, alpha0=alpha0, beta0=beta0)
        cdef bc_hazard h = bc_hazard(rate=hazard, max_run_length=PyNumber_Index(max_run_length))
        cdef size_t size
        _check(bc_detector_create(&model, &h, &self._handle), "Detector")
        # No other thread can know this object yet: no lock needed.
        bc_detector_posterior(self._handle, &size)
        self._size = size

    def __dealloc__(self):
        # No view is alive (each one holds a reference), so nothing else uses
        # the handle; bc_detector_destroy accepts NULL.
        bc_detector_destroy(self._handle)
        if self._lock is not NULL:
            PyThread_free_lock(self._lock)
    # endregion: detector-life

    # -- the lock

    # region: ch11-lock
    cdef void _lock_wait(self) noexcept:
        # Try without blocking first (the common, uncontended case); else
        # wait with the GIL released, since the holder may be an update_many
        # that needs the GIL back before it can release the lock.
        if not PyThread_acquire_lock(self._lock, NOWAIT_LOCK):
            with nogil:
                PyThread_acquire_lock(self._lock, WAIT_LOCK)
    # endregion: ch11-lock

    cdef bc_detector *_acquire(self) except NULL:
        """Takes the lock and returns the open handle; ValueError (lock not kept) if closed."""
        self._lock_wait()
        if self._handle is NULL:
            PyThread_release_lock(self._lock)
            raise ValueError("operation on a closed Detector")
        return self._handle

    cdef inline void _release(self) noexcept nogil:
        PyThread_release_lock(self._lock)

    # -- the interface

    def update(self, double x, /):
        """One observation; returns the most probable run length."""
        cdef int64_t run_length
        cdef bc_detector *d = self._acquire()
        cdef int status = bc_detector_update(d, x, &run_length)
        self._release()
        _check(status, "Detector.update")
        return run_length

    # region: update-many
    @cython.boundscheck(False)  # &v[0] and &r[0] are only base addresses
    def update_many(self, xs, /):
        """Many observations (1-D); returns the run length after each as int64.

        Releases the GIL while C runs.
        """
        cdef const double[::1] v = _vector(xs)
        cdef size_t n = v.shape[0]
        result = np.empty(n, dtype=np.int64)
        cdef int64_t[::1] r = result
        cdef int status
        cdef bc_detector *d = self._acquire()
        with nogil:
            status = bc_detector_update_many(d, &v[0], n, &r[0])
            self._release()
        _check(status, "Detector.update_many")
        return result
    # endregion: update-many

    @cython.boundscheck(False)  # &r[0] is only the base address
    def posterior(self):
        """A float64 copy of the run-length posterior (length max_run_length + 1)."""
        result = np.empty(self._size, dtype=np.float64)
        cdef double[::1] r = result
        cdef size_t size
        cdef const double *data
        cdef bc_detector *d = self._acquire()
        # Copied under the lock: never a step in progress. (size is R + 1,
        # fixed at creation: the length of result.)
        data = bc_detector_posterior(d, &size)
        memcpy(&r[0], data, size * sizeof(double))
        self._release()
        return result

    def posterior_view(self):
        """A read-only float64 array over the detector's own posterior buffer.

        Its base holds a buffer exported by this detector (as for mmap), which
        keeps the detector alive and makes close() raise BufferError.
        """
        return np.frombuffer(self, dtype=np.float64)

    @property
    def t(self):
        """Steps seen since creation or the last reset()."""
        cdef bc_detector *d = self._acquire()
        cdef uint64_t steps = bc_detector_steps(d)
        self._release()
        return steps

    def reset(self):
        """Back to the prior (the posterior buffer stays where it is)."""
        cdef bc_detector *d = self._acquire()
        bc_detector_reset(d)
        self._release()

    def close(self):
        """Releases the C detector; idempotent. BufferError while views live."""
        self._lock_wait()  # an update_many in flight finishes first
        # From here to the end the GIL is held, so no view can be exported
        # between the check and the destruction.
        if self._exports:
            self._release()
            raise BufferError(f"cannot close a Detector while {self._exports} posterior view(s) exist")
        bc_detector_destroy(self._handle)
        self._handle = NULL
        self._release()

    @property
    def closed(self):
        """True once close() has run."""
        return self._handle is NULL

    def __enter__(self):
        if self._handle is NULL:
            raise ValueError("operation on a closed Detector")
        return self

    def __exit__(self, *exc_info):
        """Closes the detector."""
        self.close()

    # -- the buffer protocol, read-only, for posterior_view()

    # region: getbuffer
    def __getbuffer__(self, Py_buffer *view, int flags):
        if flags & PyBUF_WRITABLE:
            raise BufferError("the posterior is read-only")
        cdef size_t size
        cdef const double *data = bc_detector_posterior(self._acquire(), &size)
        self._release()
        self._exports += 1  # under the GIL, like the check in close()
        view.obj = self
        view.buf = <void *>data
        view.len = self._size * self._itemsize
        view.readonly = 1
        view.itemsize = self._itemsize
        view.ndim = 1
        # The protocol wants each of these NULL unless the consumer asked for
        # it. shape and strides point into this object, which the view keeps alive.
        view.format = NULL
        view.shape = NULL
        view.strides = NULL
        if flags & PyBUF_FORMAT:
            view.format = "d"
        if flags & PyBUF_ND:
            view.shape = &self._size
        if (flags & PyBUF_STRIDES) == PyBUF_STRIDES:
            view.strides = &self._itemsize
        view.suboffsets = NULL
        view.internal = NULL

    def __releasebuffer__(self, Py_buffer *view):
        self._exports -= 1
    # endregion: getbuffer
