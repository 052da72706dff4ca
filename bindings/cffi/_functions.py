"""The plain functions of the interface: a wrapper around one lib call each, or the call itself.

``noop``, ``sum6`` and ``live_allocations`` need no wrapper: cffi's own
conversions already behave as the interface says (a double parameter takes
what ``float()`` takes except strings, i.e. ``__float__`` or ``__index__``),
so they are the compiled functions themselves and cost no Python frame.
"""

from __future__ import annotations

from operator import index
from typing import Any, NamedTuple, SupportsFloat, SupportsIndex

import numpy as np
import numpy.typing as npt

from ._cffi_bcore import ffi, lib
from ._convert import as_byte_buffer, as_events, as_float64, check_out
from ._errors import raise_for_status

_DOUBLES = ffi.typeof("double[]")
_EVENTS = ffi.typeof("bc_event[]")
_INT64 = np.dtype(np.int64)
_INT64_P = ffi.typeof("int64_t *")

# region: passthrough
noop = lib.bc_noop
sum6 = lib.bc_sum6
live_allocations = lib.bc_live_allocations
# endregion: passthrough


# region: add
def add(a: SupportsIndex, b: SupportsIndex, /) -> int:
    """a + b as int64; OverflowError if an argument or the result does not fit."""
    out = ffi.new(_INT64_P)
    # cffi converts integer parameters with __int__: it refuses floats but
    # takes Decimal or Fraction, and refuses objects that only have __index__.
    # operator.index() gives the interface's rule; cffi then checks the range.
    status = lib.bc_add(index(a), index(b), out)
    if status:
        raise_for_status(status, "add")
    return out[0]


# endregion: add


# No release_gil_if_large in this backend: in API mode cffi releases the GIL
# around every call of a lib function ("C function calls are done with the
# GIL released", cffi's doc/source/ref.rst), so the interface's "from
# GIL_RELEASE_MIN_SIZE elements" is "always" here.


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
    # region: hand-over
    # Zero copy: the result array is a view of the core's buffer. ffi.gc ties
    # bc_free to the lifetime of the cdata `owner`, ffi.buffer keeps `owner`
    # alive, and NumPy keeps the buffer as the array's base: bc_free runs
    # exactly once, when the last array over the buffer is gone.
    # (The size tells PyPy's GC how much memory the cdata holds.)
    nbytes = count[0] * _INT64.itemsize
    owner = ffi.gc(out[0], lib.bc_free, nbytes)
    result = np.frombuffer(ffi.buffer(owner, nbytes), dtype=_INT64)
    # endregion: hand-over
    return result


# endregion: find-peaks


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


def fnv1a(data: Any, /) -> int:
    """FNV-1a 64-bit hash of the bytes of any C-contiguous buffer (read-only is fine)."""
    if type(data) is bytes:  # cffi passes a bytes object's own storage to a pointer parameter
        return lib.bc_fnv1a(data, len(data))
    buf = as_byte_buffer(data, "fnv1a")
    return lib.bc_fnv1a(buf, len(buf))


def repeat(s: str, n: SupportsIndex, /) -> str:
    """s * n, computed by C on UTF-8 bytes (embedded NULs survive)."""
    if not isinstance(s, str):
        raise TypeError(f"repeat: s must be a str, not {type(s).__name__}")
    n = index(n)
    if n < 0:  # cffi would report it as an OverflowError of size_t
        raise ValueError(f"repeat: n must be >= 0, not {n}")
    data = s.encode()  # UnicodeEncodeError for lone surrogates
    out = ffi.new("char **")
    out_len = ffi.new("size_t *")
    status = lib.bc_repeat(data, len(data), n, out, out_len)
    if status:  # the core allocated nothing
        raise_for_status(status, "repeat")
    # The bytes are copied into a str, so nothing needs the buffer after
    # this: an explicit bc_free in try/finally releases it here, on every
    # path, where ffi.gc would leave it to the garbage collector's timing
    # (immediate on CPython, not on PyPy) and cost one more object.
    try:
        return ffi.unpack(out[0], out_len[0]).decode()
    finally:
        lib.bc_free(out[0])


class Stats(NamedTuple):
    """What describe() returns: bc_stats as an immutable Python record.

    Returning the ``bc_stats *`` cdata would also give attribute access, but
    it is a mutable view of C memory with an opaque repr; a NamedTuple is a
    plain value that compares, prints and unpacks.
    """

    n: int
    mean: float
    std: float  # population standard deviation
    min: float
    max: float


# region: describe
def describe(x: npt.ArrayLike, /) -> Stats:
    """n, mean, population std, min and max of a non-empty 1-D array."""
    arr = as_float64(x, 1, "describe")
    out = ffi.new("bc_stats *")
    status = lib.bc_describe(ffi.from_buffer(_DOUBLES, arr), arr.size, out)
    if status:  # BC_EINVAL: empty
        raise_for_status(status, "describe")
    return Stats(out.n, out.mean, out.std, out.min, out.max)


# endregion: describe


def events_total(events: npt.NDArray[Any], kind: SupportsIndex, /) -> float:
    """Sum of ``value`` over the records whose ``kind`` equals kind."""
    records = as_events(events, "events_total")
    # index() for the interface's integer rule (see add); cffi checks the int32 range.
    return lib.bc_events_total(ffi.from_buffer(_EVENTS, records), records.size, index(kind))


# region: fail-allocation-after
def fail_allocation_after(k: SupportsIndex, /) -> None:
    """Test hook: the k-th core allocation from now fails (MemoryError); k <= 0 disarms."""
    lib.bc_fail_allocation_after(index(k))  # index(): the integer rule of add


# endregion: fail-allocation-after
