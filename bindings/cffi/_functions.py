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

# The functions the calls below make, bound once: a name looked up on `lib`
# costs cffi's getattr at every call, an imported one a global lookup.
from ._cffi_bcore.lib import (
    bc_dsum,
    bc_events_total,
    bc_fnv1a,
    bc_free,
    bc_matvec,
    bc_scale,
    cffi_add,
    cffi_describe,
    cffi_find_peaks,
    cffi_repeat,
)
from ._convert import FLOAT64, as_byte_buffer, as_events, as_float64, check_out
from ._errors import raise_for_status

# Made once, here: ffi.typeof parses a C type, and from_buffer takes the
# ctype object faster than its text; `ffi.from_buffer` makes a new bound
# method at every lookup, `_from_buffer` is that method, bound once; the
# NumPy functions too, to skip two lookups per call.
_DOUBLES = ffi.typeof("double[]")
_EVENTS = ffi.typeof("bc_event[]")
_INT64 = np.dtype(np.int64)
_INT64_P = ffi.typeof("int64_t *")
_STATS_P = ffi.typeof("bc_stats *")
_empty = np.empty
_frombuffer = np.frombuffer
_from_buffer = ffi.from_buffer

# region: passthrough
noop = lib.bc_noop
sum6 = lib.bc_sum6
live_allocations = lib.bc_live_allocations
# endregion: passthrough


# region: add
def add(a: SupportsIndex, b: SupportsIndex, /) -> int:
    """a + b as int64; OverflowError if an argument or the result does not fit."""
    # cffi converts integer parameters with __int__: it refuses floats but
    # takes Decimal (and Fraction, whose __int__ came in CPython 3.11), and
    # refuses objects that only have __index__.
    # operator.index() gives the interface's rule; cffi then checks the range.
    a = index(a)
    b = index(b)
    total = cffi_add(a, b)  # the helper of _build.py: no out-parameter
    if total == -1:  # a failure, or the sum -1: bc_add itself tells which
        return _add_or_raise(a, b)
    return total


def _add_or_raise(a: int, b: int) -> int:
    """add the general way: bc_add's status and its out-parameter."""
    out = ffi.new(_INT64_P)
    status = lib.bc_add(a, b, out)
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
    return bc_dsum(_from_buffer(_DOUBLES, arr), len(arr))


# endregion: dsum


# region: scale
def scale(
    x: npt.ArrayLike, k: SupportsFloat, /, out: npt.NDArray[np.float64] | None = None
) -> npt.NDArray[np.float64]:
    """x * k into out (a new array when None); out=x works in place."""
    arr = as_float64(x, 1, "scale")
    if out is None:
        # Our own new array is writable: no require_writable to pay for.
        out = _empty(len(arr), FLOAT64)
        dest = _from_buffer(_DOUBLES, out)
    else:
        check_out(out, arr.shape, "scale")
        dest = _from_buffer(_DOUBLES, out, require_writable=True)
    status = bc_scale(_from_buffer(_DOUBLES, arr), len(arr), k, dest)
    if status:  # BC_EINVAL: out overlaps x without being the same memory
        raise_for_status(status, "scale")
    return out


# endregion: scale


# region: find-peaks
def find_peaks(x: npt.ArrayLike, threshold: SupportsFloat, /) -> npt.NDArray[np.int64]:
    """Indices of the strict local maxima above threshold, as int64."""
    arr = as_float64(x, 1, "find_peaks")
    # The helper returns the status, the count and the pointer in one struct
    # by value: no ffi.new for the two out-parameters.
    peaks = cffi_find_peaks(_from_buffer(_DOUBLES, arr), len(arr), threshold)
    if peaks.status:  # the core allocated nothing
        raise_for_status(peaks.status, "find_peaks")
    # region: hand-over
    # Zero copy: the result array is a view of the core's buffer. ffi.gc ties
    # bc_free to the lifetime of the cdata `owner`, ffi.buffer keeps `owner`
    # alive, and NumPy keeps the buffer as the array's base: bc_free runs
    # exactly once, when the last array over the buffer is gone.
    # (The size tells PyPy's GC how much memory the cdata holds.)
    nbytes = peaks.count * _INT64.itemsize
    owner = ffi.gc(peaks.indices, bc_free, nbytes)
    result = _frombuffer(ffi.buffer(owner, nbytes), _INT64)
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
    y = _empty(rows, FLOAT64)
    status = bc_matvec(
        _from_buffer(_DOUBLES, a),
        rows,
        cols,
        cols,  # row_stride: a is C-contiguous
        _from_buffer(_DOUBLES, v),
        _from_buffer(_DOUBLES, y),  # our own new array: writable
    )
    if status:
        raise_for_status(status, "matvec")
    return y


def fnv1a(data: Any, /) -> int:
    """FNV-1a 64-bit hash of the bytes of any C-contiguous buffer (read-only is fine)."""
    if type(data) is bytes:  # cffi passes a bytes object's own storage to a pointer parameter
        return bc_fnv1a(data, len(data))
    buf = as_byte_buffer(data, "fnv1a")
    return bc_fnv1a(buf, len(buf))


def repeat(s: str, n: SupportsIndex, /) -> str:
    """s * n, computed by C on UTF-8 bytes (embedded NULs survive)."""
    if not isinstance(s, str):
        raise TypeError(f"repeat: s must be a str, not {type(s).__name__}")
    n = index(n)
    if n < 0:  # cffi would report it as an OverflowError of size_t
        raise ValueError(f"repeat: n must be >= 0, not {n}")
    data = s.encode()  # UnicodeEncodeError for lone surrogates
    text = cffi_repeat(data, len(data), n)  # status, length and pointer, by value
    if text.status:  # the core allocated nothing
        raise_for_status(text.status, "repeat")
    # The bytes are copied into a str, so nothing needs the buffer after
    # this: an explicit bc_free in try/finally releases it here, on every
    # path, where ffi.gc would leave it to the garbage collector's timing
    # (immediate on CPython, not on PyPy) and cost one more object.
    buffer = text.bytes
    try:
        return ffi.unpack(buffer, text.len).decode()
    finally:
        bc_free(buffer)


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
    data = _from_buffer(_DOUBLES, arr)
    stats = cffi_describe(data, len(arr))  # a bc_stats by value: no ffi.new
    n = stats.n
    if not n:  # a success has n >= 1: bc_describe itself gives the status
        raise_for_status(lib.bc_describe(data, len(arr), ffi.new(_STATS_P)), "describe")
    return Stats(n, stats.mean, stats.std, stats.min, stats.max)


# endregion: describe


def events_total(events: npt.NDArray[Any], kind: SupportsIndex, /) -> float:
    """Sum of ``value`` over the records whose ``kind`` equals kind."""
    records = as_events(events, "events_total")
    # index() for the interface's integer rule (see add); cffi checks the int32 range.
    return bc_events_total(_from_buffer(_EVENTS, records), len(records), index(kind))


# region: fail-allocation-after
def fail_allocation_after(k: SupportsIndex, /) -> None:
    """Test hook: the k-th core allocation from now fails (MemoryError); k <= 0 disarms."""
    lib.bc_fail_allocation_after(index(k))  # index(): the integer rule of add


# endregion: fail-allocation-after
