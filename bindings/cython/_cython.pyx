# region: directives
# cython: language_level=3, binding=True
# cython: freethreading_compatible=False, subinterpreters_compatible=no
# endregion: directives
"""The Cython backend: bcore (c_core/) bound to Python with Cython 3.

Every public name implements the shared interface in bindings/_interface.py;
bindings/README.md states the rules (errors, arrays, ownership, GIL, lock).

Layout. Cython builds a module from one .pyx, so the parts that the other
backends keep in files of their own are sections here, under the headings and
in the order of bindings/README.md: errors, conversion, functions, callbacks,
detector, module. The declarations are bcore.pxd, cimported as a module as in
Cython's "Using C libraries" tutorial (docs/src/tutorial/clibraries.rst):
every C name is spelled ``bcore.bc_...``, so a reader sees which names are C's.

Names. A ``cdef`` function, method or field is C: Python cannot reach it, so
it carries no leading underscore. The classes Python could reach (the contexts
handed to C) start with one.

Compiler directives. ``binding=True`` (Cython 3's default, stated for the
reader) makes each function a cyfunction whose signature ``inspect`` and
``help()`` read; ``embedsignature`` would only repeat it in the docstring.
``boundscheck``, ``wraparound`` and ``cdivision`` stay at their safe
defaults: nothing here indexes a typed memoryview (arrays are read through a
``Py_buffer``, see the conversion section) and nothing divides.
``auto_pickle(False)`` on the classes that own C state: pickling them then
fails with TypeError, as for any object that cannot be pickled.

``freethreading_compatible=False`` (Cython's default, stated because it is a
claim): the module keeps the GIL on in a free-threaded CPython (Cython gives
the module the ``Py_mod_gil`` slot ``Py_MOD_GIL_USED``;
docs/src/userguide/freethreading.rst). The GIL is what guards a Detector's
count of exported posterior buffers (``exports``: ``__getbuffer__`` adds one
without the detector's lock, and ``close()`` reads it and destroys the handle
as one step) and each call's ``_Context.error``. To declare support, the count
would move under the detector's lock (or a ``cython.critical_section``) in
both places, and the module would need a test run on a free-threaded CPython.

``subinterpreters_compatible=no`` (also the default): the module may be
imported by one interpreter only; Cython enforces it (an ImportError names the
"interpreter change"). Declaring support would need Cython's module-state
mode, and Cython 3.1+ warns at compile time about what this module does that
module state does not cover yet: the ``cdef`` globals of the module section
(NumPy's types, read once), the typed memoryview of the event-layout check,
and ``with gil`` (PyGILState, which knows only the main interpreter). NumPy
refuses to load in a subinterpreter anyway.

Integers. Cython converts a Python object to a C integer type through
``__int__``, so a float such as 2.5 would silently become 2. The interface
wants ``__index__`` (TypeError for floats), so integer parameters are taken as
objects. An int64 is read with ``PyLong_AsLongLong``, which since Python 3.10
calls ``__index__`` only, in one step; the others pass through
``PyNumber_Index`` (``operator.index``) first. Only ``Py_ssize_t`` parameters
already convert that way.
"""

cimport cython
from cpython.exc cimport PyErr_CheckSignals
from cpython.buffer cimport (
    PyBUF_C_CONTIGUOUS, PyBUF_FORMAT, PyBUF_ND, PyBUF_RECORDS_RO, PyBUF_STRIDES,
    PyBUF_WRITABLE, PyBuffer_IsContiguous, PyBuffer_Release, PyObject_GetBuffer,
)
from cpython.long cimport PyLong_AsLongLong
from cpython.number cimport PyNumber_Index
from cpython.pythread cimport PyThread_get_thread_ident
from cpython.unicode cimport PyUnicode_AsUTF8AndSize
from libc.stdint cimport int32_t, int64_t, uint64_t
from libc.string cimport memcpy

from bindings.cython cimport bcore

import sys

import numpy as np

import bindings  # the package: its constants are read once, in the module section


# ---- errors -----------------------------------------------------------------
# The one place where a bc_status becomes an exception.

# region: context
@cython.auto_pickle(False)
cdef class _Context:
    """What a function we hand to C shares with the call that handed it over,
    passed as the C function's ``void *ctx``: one object per call, so no global
    state and every such call is re-entrant. An exception cannot cross C, so
    the function stores it here and reports failure to C by its return value."""

    cdef object error  # what the function raised, for raise_for_status() to re-raise
# endregion: context


# region: raise-for-status
cdef object status_exception(int status, const char *what, _Context context):
    """The exception a failed status maps to (the callback's own for BC_ECALLBACK)."""
    if status == bcore.BC_ECALLBACK and context is not None and context.error is not None:
        # The callback's own exception object, unchanged.
        error, context.error = context.error, None
        return error
    message = f"{what.decode()}: {bcore.bc_strerror(status).decode()}"
    if status == bcore.BC_EINVAL:
        return ValueError(message)
    if status == bcore.BC_EOVERFLOW:
        return OverflowError(message)
    if status == bcore.BC_ENOMEM:
        return MemoryError(message)
    return SystemError(f"{message} (unexpected status {status})")


cdef inline int raise_for_status(int status, const char *what, _Context context=None) except -1:
    """Returns 0 for BC_OK; otherwise raises the exception that status maps to."""
    if status != bcore.BC_OK:
        raise status_exception(status, what, context)
    return 0
# endregion: raise-for-status


# ---- conversion -------------------------------------------------------------
# Python arguments to C arguments: a C-contiguous float64 array is read in
# place, anything else copied; records are checked, never converted. And the
# way back: result arrays C writes into, and memory the core allocated, handed
# to NumPy, not copied.
#
# region: why-py-buffer
# Arrays go through the buffer protocol itself (a Py_buffer, as fnv1a does),
# not through typed memoryviews, Cython's usual tool: acquiring a memoryview
# allocates a memoryview object and parses the buffer's format string on every
# call, which cost more than the whole C-API backend's call on a small array.
# A Py_buffer is the same request without those extras; its price is that
# each function releases what it acquired, hence the try/finally blocks.
# endregion: why-py-buffer

cdef object as_float64_array(object x, int ndim):
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


cdef inline bint is_aligned(const void *p) noexcept:
    # double and bc_event both need 8-byte alignment; C must not read them elsewhere.
    return <size_t>p % sizeof(double) == 0


# region: get-array
cdef inline bint is_native_float64(const Py_buffer *view) noexcept:
    """True if the buffer's items are native doubles: "d", "@d", "=d", or "<d" where little-endian."""
    cdef const char *format = view.format
    if format == NULL or view.itemsize != sizeof(double):
        return False
    if format[0] == b'@' or format[0] == b'=' or format[0] == NATIVE_ORDER:
        format += 1
    return format[0] == b'd' and format[1] == 0


cdef int get_array(object x, int ndim, Py_buffer *view) except -1:
    """Fills view with x as a C-contiguous, aligned float64 array of ndim dimensions.

    x's own memory when it already fits, a converted copy otherwise. The
    caller releases view with PyBuffer_Release; on an exception there is
    nothing to release.
    """
    if isinstance(x, ndarray):
        try:
            # NumPy refuses (ValueError) unless it can hand over C-contiguous memory.
            PyObject_GetBuffer(x, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT)
        except (ValueError, BufferError):
            pass  # a strided array: converted below
        else:
            if view.ndim == ndim and is_native_float64(view) and is_aligned(view.buf):
                return 0
            PyBuffer_Release(view)  # another dtype or number of dimensions
    # The converted copy is C-contiguous float64 of ndim dimensions, or it raised.
    PyObject_GetBuffer(as_float64_array(x, ndim), view, PyBUF_C_CONTIGUOUS)
    return 0
# endregion: get-array


# region: new-array
cdef object new_array(Py_ssize_t n, object dtype, Py_buffer *view):
    """numpy.empty(n, dtype), uninitialised, with its writable buffer in view for C to fill.

    The caller releases view with PyBuffer_Release once C has written.
    """
    array = np.empty(n, dtype)  # positional arguments: no keyword dict to build
    PyObject_GetBuffer(array, view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS)
    return array
# endregion: new-array


cdef object get_out(object out, Py_ssize_t n, Py_buffer *view):
    """The out= array, if it is what the interface demands (never converted), with its buffer in view."""
    if not isinstance(out, ndarray):
        raise TypeError(f"out must be a numpy.ndarray, not {type(out).__name__}")
    if out.dtype != FLOAT64:
        raise TypeError(f"out must have dtype float64, not {out.dtype}")
    # Any layout, and read-only too: each requirement below gets its own message.
    PyObject_GetBuffer(out, view, PyBUF_RECORDS_RO)
    cdef str problem = None
    if view.ndim != 1 or view.shape[0] != n:
        problem = f"out has shape {out.shape}, expected {(n,)}"
    elif not (PyBuffer_IsContiguous(view, b'C') and is_aligned(view.buf)):
        problem = "out must be C-contiguous and aligned"
    elif view.readonly:
        problem = "out must be writable"
    if problem is not None:
        PyBuffer_Release(view)
        raise ValueError(problem)
    return out


# region: get-events
cdef int get_events(object events, Py_buffer *view) except -1:
    """Fills view with the records of a 1-D bindings.EVENT_DTYPE array, copied only to be contiguous.

    The dtype is checked by the array's dtype, so the buffer is requested
    without its format string (which NumPy would spell out field by field);
    the import-time check in the module section ties EVENT_DTYPE to bc_event.
    """
    if not isinstance(events, ndarray):
        raise TypeError(f"events must be a numpy.ndarray, not {type(events).__name__}")
    dtype = events.dtype
    if dtype is not EVENT_DTYPE and dtype != EVENT_DTYPE:
        raise TypeError(f"events must have dtype bindings.EVENT_DTYPE, not {dtype}")
    PyObject_GetBuffer(events, view, PyBUF_STRIDES)  # any layout: checked here
    if view.ndim != 1:
        PyBuffer_Release(view)
        raise ValueError(f"events must be 1-D, not {events.ndim}-D")
    if PyBuffer_IsContiguous(view, b'C') and is_aligned(view.buf):
        return 0
    PyBuffer_Release(view)
    # C reads bc_event structs: contiguous and aligned.
    PyObject_GetBuffer(events.copy(), view, PyBUF_C_CONTIGUOUS)
    return 0
# endregion: get-events


# region: export-vector
cdef void export_vector(Py_buffer *view, int flags, void *buf, Py_ssize_t *length,
                        Py_ssize_t *itemsize, char *format, bint readonly) noexcept:
    """Describes a 1-D C array in ``view`` for a __getbuffer__, which sets ``view.obj`` itself.

    ``length`` and ``itemsize`` are fields of the exporter: the view's shape
    and strides point at them, and the view keeps the exporter alive.
    """
    view.buf = buf
    view.len = length[0] * itemsize[0]
    view.readonly = readonly
    view.itemsize = itemsize[0]
    view.ndim = 1
    # The protocol wants each of these NULL unless the consumer asked for it.
    view.format = format if flags & PyBUF_FORMAT else NULL
    view.shape = length if flags & PyBUF_ND else NULL
    view.strides = itemsize if (flags & PyBUF_STRIDES) == PyBUF_STRIDES else NULL
    view.suboffsets = NULL
    view.internal = NULL
# endregion: export-vector


# region: core-buffer
# The owner that hands a core buffer to NumPy without a copy, as Cython's guide
# to the buffer protocol has an extension type export its memory and NumPy
# wrap it (docs/src/userguide/buffer.rst). numpy.frombuffer with the dtype
# given wraps it at once, where numpy.asarray would first discover what the
# object is.
@cython.final
@cython.internal  # not a name of the module: Python meets it only as an array's base
@cython.auto_pickle(False)
cdef class _CoreBuffer:
    """Owns int64 values the core allocated; bc_free releases them when the last array over them dies."""

    cdef int64_t *data        # owned; NULL until array_from_core fills it
    cdef Py_ssize_t length    # the buffer's shape
    cdef Py_ssize_t itemsize  # and stride

    def __getbuffer__(self, Py_buffer *view, int flags):
        view.obj = self  # each array over the values keeps this owner alive
        export_vector(view, flags, self.data, &self.length, &self.itemsize, INT64_FORMAT, False)

    # No __releasebuffer__: nothing is counted and the memory never moves
    # while an array shows it; __dealloc__ alone ends its life.

    def __dealloc__(self):
        bcore.bc_free(self.data)  # bc_free(NULL) is a no-op


cdef object array_from_core(int64_t *data, size_t count):
    """An int64 array over ``count`` values at ``data``, which the core allocated.

    Takes ownership on every path: the owner frees ``data`` when the array
    dies, or at once if no array can be made.
    """
    cdef _CoreBuffer owner
    try:
        owner = _CoreBuffer.__new__(_CoreBuffer)
    except BaseException:
        bcore.bc_free(data)
        raise
    owner.data = data
    owner.length = count
    owner.itemsize = sizeof(int64_t)
    return frombuffer(owner, INT64)
# endregion: core-buffer


# ---- functions --------------------------------------------------------------
# Each array function runs without the GIL once the input has at least
# GIL_RELEASE_MIN_SIZE elements, enough to pay for releasing it. Cython's
# `with nogil(<condition>)` takes only compile-time conditions
# (docs/src/userguide/nogil.rst), so the two branches are spelled out.

def noop():
    """Does nothing: the cost of a call."""
    bcore.bc_noop()


# region: scalars
def add(a, b, /):
    """a + b as int64; OverflowError if an argument or the result does not fit."""
    cdef int64_t x = PyLong_AsLongLong(a)  # __index__ only; OverflowError outside int64
    cdef int64_t y = PyLong_AsLongLong(b)
    cdef int64_t total
    raise_for_status(bcore.bc_add(x, y, &total), "add")
    return total


def sum6(double a, double b, double c, double d, double e, double f, /):
    """a + b + c + d + e + f, left to right, in double precision."""
    return bcore.bc_sum6(a, b, c, d, e, f)
# endregion: scalars


# region: dsum
def dsum(x, /):
    """Sum of a 1-D array (read in place when C-contiguous float64); 0.0 if empty."""
    cdef Py_buffer v
    get_array(x, 1, &v)
    cdef size_t n = v.shape[0]
    cdef double total
    # region: release-gil-if-large
    if n < GIL_RELEASE_MIN_SIZE:
        total = bcore.bc_dsum(<const double *>v.buf, n)
    else:
        with nogil:
            total = bcore.bc_dsum(<const double *>v.buf, n)
    # endregion: release-gil-if-large
    PyBuffer_Release(&v)  # nothing between the two can raise
    return total
# endregion: dsum


# region: scale
def scale(x, double k, /, out=None):
    """x * k into out (a new array when None), and returns out.

    out must be a numpy.ndarray of dtype float64 (TypeError), x's shape,
    C-contiguous and writable (ValueError); out=x works in place.
    """
    cdef Py_buffer v, dst
    get_array(x, 1, &v)
    cdef size_t n = v.shape[0]
    cdef int status
    try:
        result = new_array(n, FLOAT64, &dst) if out is None else get_out(out, n, &dst)
        if n < GIL_RELEASE_MIN_SIZE:
            status = bcore.bc_scale(<const double *>v.buf, n, k, <double *>dst.buf)
        else:
            with nogil:
                status = bcore.bc_scale(<const double *>v.buf, n, k, <double *>dst.buf)
        PyBuffer_Release(&dst)
    finally:
        PyBuffer_Release(&v)
    raise_for_status(status, "scale")
    return result
# endregion: scale


# region: find-peaks
def find_peaks(x, double threshold, /):
    """int64 indices i, 0 < i < n-1, x[i] > threshold, x[i-1] < x[i] >= x[i+1]."""
    cdef Py_buffer v
    get_array(x, 1, &v)
    cdef size_t n = v.shape[0]
    cdef int64_t *peaks = NULL
    cdef size_t count = 0
    cdef int status
    if n < GIL_RELEASE_MIN_SIZE:
        status = bcore.bc_find_peaks(<const double *>v.buf, n, threshold, &peaks, &count)
    else:
        with nogil:
            status = bcore.bc_find_peaks(<const double *>v.buf, n, threshold, &peaks, &count)
    PyBuffer_Release(&v)
    # On failure the core leaves `peaks` NULL: nothing to free. On success
    # the array takes the buffer over, and frees it when it dies.
    raise_for_status(status, "find_peaks")
    return array_from_core(peaks, count)
# endregion: find-peaks


def matvec(A, x, /):
    """A @ x for a 2-D A and 1-D x; ValueError if A.shape[1] != len(x)."""
    cdef Py_buffer a, v, y
    get_array(A, 2, &a)
    cdef size_t rows = a.shape[0]
    cdef size_t cols = a.shape[1]
    cdef int status
    try:
        get_array(x, 1, &v)
        try:
            if <size_t>v.shape[0] != cols:
                raise ValueError(f"matvec: A has {cols} columns but x has {v.shape[0]} elements")
            result = new_array(rows, FLOAT64, &y)
            # A is C-contiguous, so its rows start exactly `cols` elements apart.
            if rows * cols < GIL_RELEASE_MIN_SIZE:
                status = bcore.bc_matvec(<const double *>a.buf, rows, cols, cols,
                                         <const double *>v.buf, <double *>y.buf)
            else:
                with nogil:
                    status = bcore.bc_matvec(<const double *>a.buf, rows, cols, cols,
                                             <const double *>v.buf, <double *>y.buf)
            PyBuffer_Release(&y)
        finally:
            PyBuffer_Release(&v)
    finally:
        PyBuffer_Release(&a)
    raise_for_status(status, "matvec")
    return result


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
        if <size_t>view.len < GIL_RELEASE_MIN_SIZE:
            h = bcore.bc_fnv1a(view.buf, view.len)
        else:
            with nogil:
                h = bcore.bc_fnv1a(view.buf, view.len)
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
    cdef int status = bcore.bc_repeat(utf8, length, times, &out, &out_len)
    try:
        raise_for_status(status, "repeat")
        # Slicing with the length keeps embedded NULs.
        return out[:out_len].decode("utf-8")
    finally:
        bcore.bc_free(out)  # NULL on failure: a no-op
# endregion: repeat


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


def describe(x, /):
    """n, mean, population std, min, max of a 1-D array; ValueError if empty."""
    cdef Py_buffer v
    get_array(x, 1, &v)
    cdef size_t n = v.shape[0]
    cdef bcore.bc_stats s
    cdef int status
    if n < GIL_RELEASE_MIN_SIZE:
        status = bcore.bc_describe(<const double *>v.buf, n, &s)
    else:
        with nogil:
            status = bcore.bc_describe(<const double *>v.buf, n, &s)
    PyBuffer_Release(&v)
    raise_for_status(status, "describe")
    cdef Stats result = Stats.__new__(Stats)
    result.n = s.n
    result.mean = s.mean
    result.std = s.std
    result.min = s.min
    result.max = s.max
    return result


# region: events-total
def events_total(events, kind, /):
    """Sum of ``value`` over the records of a bindings.EVENT_DTYPE array with ``kind == kind``."""
    cdef Py_buffer ev
    get_events(events, &ev)
    cdef size_t n = ev.shape[0]
    cdef int32_t k
    cdef double total
    try:
        k = PyNumber_Index(kind)  # OverflowError outside int32
        if n < GIL_RELEASE_MIN_SIZE:
            total = bcore.bc_events_total(<const bcore.bc_event *>ev.buf, n, k)
        else:
            with nogil:
                total = bcore.bc_events_total(<const bcore.bc_event *>ev.buf, n, k)
    finally:
        PyBuffer_Release(&ev)
    return total
# endregion: events-total


def live_allocations():
    """Core allocations not yet released (for leak tests)."""
    return bcore.bc_live_allocations()


def fail_allocation_after(k, /):
    """Test hook: the k-th core allocation from now fails; k <= 0 disarms it.

    This module links its own copy of the core, so only this function reaches
    the allocator its functions use.
    """
    cdef int64_t calls = PyLong_AsLongLong(k)  # TypeError for floats, OverflowError outside int64
    bcore.bc_fail_allocation_after(calls)


# ---- callbacks --------------------------------------------------------------
# C functions written here and handed to the core: the find_peaks_into
# allocator, the integrate trampoline, and the check that lets Ctrl-C stop a
# long integrate or update_many.

# region: check
cdef int check_signals(void *ctx) noexcept:
    # The core's bc_check, for a call made with the GIL held (integrate): it
    # runs the Python signal handlers that are pending, which happens only in
    # the main thread (elsewhere PyErr_CheckSignals returns 0 at once). A
    # handler that raised (KeyboardInterrupt, for Ctrl-C) stops the call:
    # `noexcept`, so the exception waits in the call's context, as a
    # callback's does, and raise_for_status re-raises it for BC_ECALLBACK.
    try:
        PyErr_CheckSignals()
    except BaseException as exc:
        (<_Context>ctx).error = exc
        return 1
    return 0


cdef class Detector


@cython.final
@cython.auto_pickle(False)
cdef class _UpdateCheck(_Context):
    """The context of update_many's check: the detector whose lock is held
    while the check runs the signal handlers."""

    cdef Detector detector


cdef int check_signals_without_gil(void *ctx) noexcept nogil:
    # The same check for update_many, which released the GIL: it takes the
    # GIL back for as long as the handlers run, about every millisecond. The
    # detector's lock stays held, so checking_thread says which thread runs
    # them: a handler that uses this detector gets RuntimeError from
    # Detector.acquire instead of waiting for its own thread.
    with gil:
        detector = (<_UpdateCheck>ctx).detector
        detector.checking_thread = PyThread_get_thread_ident()
        raised = check_signals(ctx)
        detector.checking_thread = 0
        return raised
# endregion: check


# region: allocator
@cython.final
@cython.auto_pickle(False)
cdef class _Allocation(_Context):
    """One find_peaks_into() call's context: the array the allocator made."""

    cdef object result


cdef void *allocate(size_t count, size_t size, void *ctx) noexcept with gil:
    # `with gil`: the core may call this from a find_peaks_into that released
    # the GIL, and creating an array needs it. `noexcept`: no exception may
    # cross C, so it is stored in the context and NULL tells the core.
    cdef _Allocation allocation = <_Allocation>ctx
    cdef Py_buffer r
    cdef void *data
    try:
        if size != sizeof(int64_t):
            raise SystemError(f"find_peaks_into: asked for {size}-byte elements, not int64")
        allocation.result = new_array(count, INT64, &r)  # MemoryError if it cannot
    except BaseException as exc:
        allocation.error = exc
        return NULL
    # The array stays alive in the context after its buffer is released, and
    # NumPy never gives an array a NULL data pointer, even when count == 0.
    data = r.buf
    PyBuffer_Release(&r)
    return data
# endregion: allocator


# region: find-peaks-into
def find_peaks_into(x, double threshold, /):
    """The same indices as find_peaks, written by C straight into a NumPy array.

    The allocator above creates the array when the core knows how many peaks
    there are: no copy, and nothing for this function to free.
    """
    cdef Py_buffer v
    get_array(x, 1, &v)
    cdef size_t n = v.shape[0]
    cdef size_t count = 0
    cdef _Allocation allocation
    cdef void *ctx
    cdef int status
    try:
        allocation = _Allocation.__new__(_Allocation)
        ctx = <void *>allocation  # borrowed: `allocation` keeps it alive
        if n < GIL_RELEASE_MIN_SIZE:
            status = bcore.bc_find_peaks_into(<const double *>v.buf, n, threshold, allocate, ctx, &count)
        else:
            with nogil:
                status = bcore.bc_find_peaks_into(<const double *>v.buf, n, threshold, allocate, ctx, &count)
    finally:
        PyBuffer_Release(&v)
    raise_for_status(status, "find_peaks_into", allocation)  # the allocator's own exception, if it failed
    return allocation.result
# endregion: find-peaks-into


# region: integrate-context
@cython.final
@cython.auto_pickle(False)
cdef class _Callback(_Context):
    """One integrate() call's context (f may itself call integrate)."""

    cdef object func
# endregion: integrate-context


# region: trampoline
cdef int trampoline(double x, void *ctx, double *y) noexcept:
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
    # The check stops even a callback that runs no bytecode, such as math.sin,
    # when Ctrl-C is pressed: the interpreter itself would never look.
    cdef int status = bcore.bc_integrate(
        trampoline, check_signals, <void *>callback, a, b, intervals, &result
    )
    raise_for_status(status, "integrate", callback)
    return result


# ---- detector ---------------------------------------------------------------

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
    (results are allocated before taking it, errors raised after giving it
    back), so a finalizer that uses the detector cannot deadlock against its
    own thread. The one exception is the signal handlers that update_many's
    check runs so that Ctrl-C can stop it: a handler that uses the detector
    it interrupts gets RuntimeError.
    """

    # region: detector-life
    cdef bcore.bc_detector *handle  # NULL once closed (or if __init__ never ran)
    # Cython's lock (3.1+): a PyMutex from Python 3.13, a PyThread lock before;
    # Cython creates it with the object and destroys it with the object.
    cdef cython.pymutex lock
    # The thread running signal handlers in update_many's check, with the
    # lock held; 0 when none. Read and written with the GIL held.
    cdef unsigned long checking_thread
    cdef Py_ssize_t size            # posterior length, R + 1 (also the buffer's shape)
    cdef Py_ssize_t itemsize        # sizeof(double) (the buffer's stride)
    # Buffers handed out by __getbuffer__ and not yet released. Guarded by
    # the GIL: this module does not declare free-threading support, so
    # CPython keeps the GIL on while it is loaded.
    cdef Py_ssize_t exports
    cdef object __weakref__         # weak references work, as for a Python class

    def __init__(self, double hazard=0.01, double mu0=0.0, double kappa0=1.0,
                 double alpha0=1.0, double beta0=1.0, max_run_length=500):
        if self.handle is not NULL:
            raise RuntimeError("Detector.__init__ called twice")
        cdef bcore.bc_normal_gamma model = bcore.bc_normal_gamma(
            mu0=mu0, kappa0=kappa0, alpha0=alpha0, beta0=beta0)
        cdef bcore.bc_hazard h = bcore.bc_hazard(rate=hazard, max_run_length=PyNumber_Index(max_run_length))
        cdef size_t length
        raise_for_status(bcore.bc_detector_create(&model, &h, &self.handle), "Detector")
        # No other thread can know this object yet: no lock needed.
        bcore.bc_detector_posterior(self.handle, &length)
        self.size = length
        self.itemsize = sizeof(double)

    def __dealloc__(self):
        # No view is alive (each one holds a reference), so nothing else uses
        # the handle; bc_detector_destroy accepts NULL.
        bcore.bc_detector_destroy(self.handle)
    # endregion: detector-life

    # region: detector-lock
    cdef int acquire(self, const char *what) except -1:
        """Takes the lock; RuntimeError if this thread holds it already."""
        # A reentrant call: this thread is inside update_many's check, running
        # a signal handler (or a finalizer) that uses this same detector. The
        # lock is its own, so waiting would never end. CPython's buffered
        # files refuse the same case the same way (_enter_buffered_busy in
        # https://github.com/python/cpython/blob/v3.13.0/Modules/_io/bufferedio.c).
        # Usually no check is running: one compare against 0, no thread id.
        if self.checking_thread != 0 and self.checking_thread == PyThread_get_thread_ident():
            raise RuntimeError(
                f"{what.decode()}: reentrant call, from inside update_many() of the same "
                "detector on the same thread (in a signal handler?)")
        # Taken with the GIL held, a pymutex first tries without blocking (the
        # common, uncontended case), then waits with the GIL released, since
        # the holder may be an update_many that needs the GIL back before it
        # can let go: the dance a PyThread lock needs by hand. (Cython's
        # docs/src/userguide/freethreading.rst, "Locks"; the code is in
        # Cython/Utility/Synchronization.c. From Python 3.13 a pymutex is a
        # PyMutex, whose wait releases the GIL too.)
        self.lock.acquire()
        return 0
    # endregion: detector-lock

    # region: open-handle
    cdef bcore.bc_detector *open_handle(self, const char *what) except NULL:
        """Takes the lock and returns the open handle; the caller releases the lock.

        ValueError, with the lock given back, if the detector is closed;
        RuntimeError for a reentrant call (see acquire).
        """
        self.acquire(what)
        if self.handle is NULL:
            self.lock.release()
            raise ValueError(f"{what.decode()}: the detector is closed")
        return self.handle
    # endregion: open-handle

    def update(self, double x, /):
        """One observation; returns the most probable run length."""
        cdef int64_t run_length
        cdef bcore.bc_detector *d = self.open_handle("Detector.update")
        cdef int status = bcore.bc_detector_update(d, x, &run_length)
        self.lock.release()
        raise_for_status(status, "Detector.update")
        return run_length

    # region: update-many
    def update_many(self, xs, /):
        """Many observations (1-D); returns the run length after each as int64.

        Releases the GIL while C runs.
        """
        cdef Py_buffer v, r
        get_array(xs, 1, &v)
        cdef size_t n = v.shape[0]
        cdef int64_t *runs
        cdef int status
        cdef bcore.bc_detector *d
        cdef _UpdateCheck context
        try:
            result = new_array(n, INT64, &r)
            runs = <int64_t *>r.buf
            PyBuffer_Release(&r)  # only we know the new array: its memory stays where it is
            context = _UpdateCheck.__new__(_UpdateCheck)  # where the check leaves a KeyboardInterrupt
            context.detector = self
            d = self.open_handle("Detector.update_many")
            with nogil:
                status = bcore.bc_detector_update_many(d, <const double *>v.buf, n, runs,
                                                       check_signals_without_gil, <void *>context)
                # On every path, BC_ECALLBACK included (the steps taken so far
                # stay taken), and before the GIL is taken back: a waiting
                # thread goes at once.
                self.lock.release()
        finally:
            PyBuffer_Release(&v)
        raise_for_status(status, "Detector.update_many", context)
        return result
    # endregion: update-many

    def posterior(self):
        """A float64 copy of the run-length posterior (length max_run_length + 1)."""
        cdef Py_buffer r
        result = new_array(self.size, FLOAT64, &r)
        cdef void *copy = r.buf
        PyBuffer_Release(&r)  # only we know the new array: its memory stays where it is
        cdef size_t length
        cdef const double *data = bcore.bc_detector_posterior(self.open_handle("Detector.posterior"), &length)
        # Copied under the lock: never a step in progress. (length is R + 1,
        # fixed at creation: the length of result.)
        memcpy(copy, data, length * sizeof(double))
        self.lock.release()
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
        cdef uint64_t steps = bcore.bc_detector_steps(self.open_handle("Detector.t"))
        self.lock.release()
        return steps

    def reset(self):
        """Back to the prior (the posterior buffer stays where it is)."""
        bcore.bc_detector_reset(self.open_handle("Detector.reset"))
        self.lock.release()

    def close(self):
        """Releases the C detector; idempotent. BufferError while views live."""
        self.acquire("Detector.close")  # an update_many in flight finishes first
        # From here to the end the GIL is held, so no view can be exported
        # between the check and the destruction.
        if self.exports:
            self.lock.release()
            raise BufferError(f"cannot close a Detector while {self.exports} posterior view(s) exist")
        bcore.bc_detector_destroy(self.handle)
        self.handle = NULL
        self.lock.release()

    @property
    def closed(self):
        """True once close() has run."""
        return self.handle is NULL

    def __enter__(self):
        self.open_handle("Detector.__enter__")
        self.lock.release()
        return self

    def __exit__(self, *exc_info):
        """Closes the detector."""
        self.close()

    # region: posterior-buffer
    # The buffer protocol, read-only, for posterior_view().
    def __getbuffer__(self, Py_buffer *view, int flags):
        if flags & PyBUF_WRITABLE:
            raise BufferError("the posterior is read-only")
        cdef size_t length
        cdef const double *data = bcore.bc_detector_posterior(
            self.open_handle("Detector.posterior_view"), &length)
        self.lock.release()
        self.exports += 1  # under the GIL, like the check in close()
        view.obj = self
        export_vector(view, flags, <void *>data, &self.size, &self.itemsize, b"d", True)

    def __releasebuffer__(self, Py_buffer *view):
        self.exports -= 1
    # endregion: posterior-buffer


# ---- module -----------------------------------------------------------------
# What runs at import, once every definition above exists. Cython creates the
# module itself; __init__.py re-exports its interface names.

# The package's constants, read once into C values: the size test before each
# array call is then one comparison, and the record check one lookup fewer.
cdef size_t GIL_RELEASE_MIN_SIZE = bindings.GIL_RELEASE_MIN_SIZE
cdef object EVENT_DTYPE = bindings.EVENT_DTYPE

# NumPy's names each call uses, read once: a module attribute costs a
# dictionary lookup per use, a C global nothing. (numpy.empty is still looked
# up at each call, so a test can make it fail, as chapter 5 does.)
cdef type ndarray = np.ndarray
cdef object frombuffer = np.frombuffer
cdef object FLOAT64 = np.dtype(np.float64)
cdef object INT64 = np.dtype(np.int64)
# The byte order a buffer format may spell out for native doubles.
cdef char NATIVE_ORDER = b'<' if sys.byteorder == "little" else b'>'

# region: event-layout
# events_total reads EVENT_DTYPE records as bc_event structs. A typed
# memoryview of the struct compares a buffer's format, field by field, with
# bc_event as the C compiler laid it out (padding included): made once here,
# over an empty array, it stops the import if bindings.EVENT_DTYPE and
# bcore.h ever disagree.
cdef const bcore.bc_event[::1] event_layout = np.empty(0, dtype=EVENT_DTYPE)
# endregion: event-layout
# The format NumPy itself gives int64 ("l" or "q", by platform), so that an
# exported core buffer comes back as exactly numpy.int64.
cdef bytes INT64_FORMAT = INT64.char.encode()
