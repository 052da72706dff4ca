"""Arrays in and out: dsum, scale, find_peaks, find_peaks_into, matvec.

``ffi.from_buffer`` gives C a pointer into the ndarray's own memory (no
copy); the cdata it returns holds the buffer, so the array stays alive and
unmoved until the call has returned.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, SupportsFloat

import numpy as np
import numpy.typing as npt

from ._cffi_bcore import ffi, lib
from ._convert import as_float64, check_out
from ._errors import raise_for_status

_DOUBLES = ffi.typeof("double[]")
_INT64 = np.dtype(np.int64)
_SIZE_P = ffi.typeof("size_t *")
_VOID_P = ffi.typeof("void *")


# region: dsum
def dsum(x: npt.ArrayLike, /) -> float:
    """Sum of a 1-D array; 0.0 if empty."""
    arr = as_float64(x, 1, "dsum")
    return lib.bc_dsum(ffi.from_buffer(_DOUBLES, arr), arr.size)
    # endregion: dsum


# region: scale
def scale(
    x: npt.ArrayLike, k: SupportsFloat, /, out: npt.NDArray[np.float64] | None = None
) -> npt.NDArray[np.float64]:
    """x * k into out (a new array when None); out=x works in place."""
    arr = as_float64(x, 1, "scale")
    if out is None:
        out = np.empty_like(arr)
    else:
        check_out(out, arr.shape, "scale")
    dest = ffi.from_buffer(_DOUBLES, out, require_writable=True)
    status = lib.bc_scale(ffi.from_buffer(_DOUBLES, arr), arr.size, k, dest)
    if status:  # BC_EINVAL: out overlaps x without being the same memory
        raise_for_status(status, "scale")
    return out
    # endregion: scale


# region: find-peaks
def find_peaks(x: npt.ArrayLike, threshold: SupportsFloat, /) -> npt.NDArray[np.int64]:
    """Indices of the strict local maxima above threshold, as int64."""
    arr = as_float64(x, 1, "find_peaks")
    out = ffi.new("int64_t **")
    count = ffi.new("size_t *")
    status = lib.bc_find_peaks(ffi.from_buffer(_DOUBLES, arr), arr.size, threshold, out, count)
    if status:  # the core allocated nothing
        raise_for_status(status, "find_peaks")
    # region: ch9-hand-over
    # Zero copy: the result array is a view of the core's buffer. ffi.gc ties
    # bc_free to the lifetime of the cdata `owner`, ffi.buffer keeps `owner`
    # alive, and NumPy keeps the buffer as the array's base: bc_free runs
    # exactly once, when the last array over the buffer is gone.
    # (The size tells PyPy's GC how much memory the cdata holds.)
    nbytes = count[0] * _INT64.itemsize
    owner = ffi.gc(out[0], lib.bc_free, nbytes)
    return np.frombuffer(ffi.buffer(owner, nbytes), dtype=_INT64)
    # endregion: find-peaks
    # endregion: ch9-hand-over


class _Allocation:
    """The ctx of one find_peaks_into() call: the array the allocator made, or its exception."""

    __slots__ = ("array", "error")

    def __init__(self) -> None:
        self.array: npt.NDArray[np.int64] | None = None
        self.error: BaseException | None = None


def _allocation_escaped(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    # The backstop of _integrate._escaped, for the same reason: an exception
    # raised before the body's `try` (a signal handler) is kept in the call's
    # ctx. Returning None makes cffi return the `error` value, NULL, to C.
    if tb is not None:
        ffi.from_handle(tb.tb_frame.f_locals["ctx"]).error = exc


# region: allocator
@ffi.def_extern(onerror=_allocation_escaped)
def cffi_allocate_int64(count: int, size: int, ctx: Any) -> Any:
    # cffi took the GIL back to run this (C runs without it). The core asks
    # for int64_t elements, so `size` is always 8: the dtype says it.
    allocation = ffi.from_handle(ctx)
    try:
        array = np.empty(count, dtype=_INT64)
    except BaseException as exc:  # stored; find_peaks_into() re-raises it once C has returned
        allocation.error = exc
        return ffi.NULL  # the core then returns BC_ECALLBACK
    # The array owns the memory and `allocation` owns the array, so the
    # pointer stays valid while C writes; NumPy never hands out NULL, not
    # even for count == 0.
    allocation.array = array
    return ffi.cast(_VOID_P, array.__array_interface__["data"][0])
    # endregion: allocator


# region: find-peaks-into
def find_peaks_into(x: npt.ArrayLike, threshold: SupportsFloat, /) -> npt.NDArray[np.int64]:
    """find_peaks' result, written by C straight into an array Python allocated."""
    arr = as_float64(x, 1, "find_peaks_into")
    allocation = _Allocation()
    handle = ffi.new_handle(allocation)  # a local, so it outlives the C call
    count = ffi.new(_SIZE_P)
    status = lib.bc_find_peaks_into(
        ffi.from_buffer(_DOUBLES, arr), arr.size, threshold, lib.cffi_allocate_int64, handle, count
    )
    if status == lib.BC_ECALLBACK and allocation.error is not None:
        try:
            raise allocation.error  # the allocator's own exception, e.g. MemoryError
        finally:
            allocation.error = None  # no cycle through the traceback (see integrate)
    if status:
        raise_for_status(status, "find_peaks_into")
    return allocation.array  # exactly count[0] elements, all written
    # endregion: find-peaks-into


def matvec(A: npt.ArrayLike, x: npt.ArrayLike, /) -> npt.NDArray[np.float64]:
    """A @ x for a 2-D A and a 1-D x."""
    a = as_float64(A, 2, "matvec: A")
    v = as_float64(x, 1, "matvec: x")
    rows, cols = a.shape
    if v.size != cols:
        raise ValueError(f"matvec: A has {cols} columns but x has {v.size} elements")
    y = np.empty(rows)
    status = lib.bc_matvec(
        ffi.from_buffer(_DOUBLES, a),
        rows,
        cols,
        cols,  # row_stride: a is C-contiguous
        ffi.from_buffer(_DOUBLES, v),
        ffi.from_buffer(_DOUBLES, y, require_writable=True),
    )
    if status:
        raise_for_status(status, "matvec")
    return y
