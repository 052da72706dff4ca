"""Arrays in and out: dsum, scale, find_peaks, matvec.

``ffi.from_buffer`` gives C a pointer into the ndarray's own memory (no
copy); the cdata it returns holds the buffer, so the array stays alive and
unmoved until the call has returned.
"""

from __future__ import annotations

from typing import SupportsFloat

import numpy as np
import numpy.typing as npt

from ._cffi_bcore import ffi, lib
from ._convert import as_float64, check_out
from ._errors import raise_for_status

_DOUBLES = ffi.typeof("double[]")
_INT64 = np.dtype(np.int64)


def dsum(x: npt.ArrayLike, /) -> float:
    """Sum of a 1-D array; 0.0 if empty."""
    arr = as_float64(x, 1, "dsum")
    return lib.bc_dsum(ffi.from_buffer(_DOUBLES, arr), arr.size)


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


def find_peaks(x: npt.ArrayLike, threshold: SupportsFloat, /) -> npt.NDArray[np.int64]:
    """Indices of the strict local maxima above threshold, as int64."""
    arr = as_float64(x, 1, "find_peaks")
    out = ffi.new("int64_t **")
    count = ffi.new("size_t *")
    status = lib.bc_find_peaks(ffi.from_buffer(_DOUBLES, arr), arr.size, threshold, out, count)
    if status:  # the core allocated nothing
        raise_for_status(status, "find_peaks")
    # Zero copy: the result array is a view of the core's buffer. ffi.gc ties
    # bc_free to the lifetime of the cdata `owner`, ffi.buffer keeps `owner`
    # alive, and NumPy keeps the buffer as the array's base: bc_free runs
    # exactly once, when the last array over the buffer is gone.
    # (The size tells PyPy's GC how much memory the cdata holds.)
    nbytes = count[0] * _INT64.itemsize
    owner = ffi.gc(out[0], lib.bc_free, nbytes)
    return np.frombuffer(ffi.buffer(owner, nbytes), dtype=_INT64)


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
