"""Functions: the interface's plain functions, each a thin wrapper over one declared foreign function."""

from __future__ import annotations

from ctypes import POINTER, ArgumentError, addressof, c_char, c_int64, c_size_t
from operator import index
from typing import Any, SupportsFloat, SupportsIndex

import numpy as np

from ._convert import (
    INT32_MAX,
    INT32_MIN,
    INT64_MAX,
    INT64_MIN,
    address,
    byte_array,
    count,
    event_address,
    float64_address,
    int64,
    output_array,
    real_error,
)
from ._errors import raise_for_status
from ._library import (
    bc_add,
    bc_describe,
    bc_dsum,
    bc_events_total,
    bc_fail_allocation_after,
    bc_find_peaks,
    bc_fnv1a,
    bc_free,
    bc_live_allocations,
    bc_matvec,
    bc_noop,
    bc_repeat,
    bc_scale,
    bc_stats,
    bc_sum6,
)

# Nothing to check or convert: the declared foreign functions themselves.
noop = bc_noop
live_allocations = bc_live_allocations


def fail_allocation_after(k: SupportsIndex, /) -> None:
    # A bare int64 argument would wrap 2**63 to -2**63 (disarming the hook
    # instead of failing): the range check comes first, as for add.
    bc_fail_allocation_after(int64(k, "k"))


# region: add
def add(a: SupportsIndex, b: SupportsIndex, /) -> int:
    # int64() written out: the call of a Python helper per argument would
    # cost more than the check itself.
    a = index(a)
    if not INT64_MIN <= a <= INT64_MAX:
        raise OverflowError(f"a={a} does not fit int64")
    b = index(b)
    if not INT64_MIN <= b <= INT64_MAX:
        raise OverflowError(f"b={b} does not fit int64")
    # One out-parameter per call: a shared one would be overwritten by another
    # thread (ctypes drops the GIL during the call) or by a re-entrant call.
    # Passed as is, not byref(result): a POINTER(c_int64) parameter takes a
    # c_int64 by reference itself, and more cheaply.
    result = c_int64()
    status = bc_add(a, b, result)
    if status:
        raise_for_status(status, "add")
    return result.value


# endregion: add


def sum6(
    a: SupportsFloat,
    b: SupportsFloat,
    c: SupportsFloat,
    d: SupportsFloat,
    e: SupportsFloat,
    f: SupportsFloat,
    /,
) -> float:
    try:
        return bc_sum6(a, b, c, d, e, f)
    except ArgumentError:
        raise real_error(a, b, c, d, e, f) from None


# region: dsum
def dsum(x: Any, /) -> float:
    x, start = float64_address(x, 1, "x")
    return bc_dsum(start, len(x))


# endregion: dsum


# region: scale
def scale(x: Any, k: SupportsFloat, /, out: np.ndarray | None = None) -> np.ndarray:
    x, start = float64_address(x, 1, "x")
    size = len(x)
    out = np.empty(size) if out is None else output_array(out, x.shape, "out")
    try:
        status = bc_scale(start, size, k, address(out))
    except ArgumentError:
        raise real_error(k) from None
    if status:
        raise_for_status(status, "scale")
    return out


# endregion: scale


_INT64 = np.dtype(np.int64).str
# The out-parameter types, made once (POINTER() looks its cache up on every call).
_int64_pointer = POINTER(c_int64)
_char_pointer = POINTER(c_char)


# region: core-buffer
class _CoreBuffer:
    """The owner of an int64 buffer the core allocated: the base of the NumPy result.

    Zero copy, as in the other backends: NumPy reads the buffer through the
    array interface and keeps this object as the array's base (every view
    keeps it too), and this object frees the buffer with bc_free, once, when
    the last of them dies. A plain object with ``__del__`` costs a fraction of
    a ctypes array plus ``weakref.finalize`` plus ``numpy.ctypeslib.as_array``;
    and ``__del__`` runs only when nothing can read the buffer any more, so a
    result held until interpreter exit stays valid to the end.
    """

    __slots__ = ("__array_interface__", "start")

    def __init__(self, start: int, length: int) -> None:
        self.start = start
        self.__array_interface__ = {
            "version": 3,
            "shape": (length,),
            "typestr": _INT64,
            "data": (start, False),
        }

    def __del__(self, bc_free: Any = bc_free) -> None:  # bound now: module globals may be gone at exit
        bc_free(self.start)


# endregion: core-buffer


# region: find-peaks
def find_peaks(x: Any, threshold: SupportsFloat, /) -> np.ndarray:
    x, start = float64_address(x, 1, "x")
    peaks = _int64_pointer()
    found = c_size_t()
    try:
        status = bc_find_peaks(start, len(x), threshold, peaks, found)
    except ArgumentError:
        raise real_error(threshold) from None
    if status:
        raise_for_status(status, "find_peaks")
    address = addressof(peaks.contents)
    try:
        owner = _CoreBuffer(address, found.value)
    except BaseException:  # until the owner exists, nothing else frees it
        bc_free(address)
        raise
    return np.asarray(owner)


# endregion: find-peaks


def matvec(A: Any, x: Any, /) -> np.ndarray:
    A, a_start = float64_address(A, 2, "A")
    x, x_start = float64_address(x, 1, "x")
    rows, cols = A.shape
    if cols != len(x):
        raise ValueError(f"matvec: A has {cols} columns but x has {len(x)} elements")
    y = np.empty(rows)
    # A is C-contiguous, so its rows start `cols` elements apart.
    status = bc_matvec(a_start, rows, cols, cols, x_start, address(y))
    if status:
        raise_for_status(status, "matvec")
    return y


def fnv1a(data: Any, /) -> int:
    if type(data) is bytes:  # a c_void_p parameter takes bytes as a pointer to their own buffer
        return bc_fnv1a(data, len(data))
    view = byte_array(data)
    return bc_fnv1a(address(view), view.size)


def repeat(s: str, n: SupportsIndex, /) -> str:
    if not isinstance(s, str):
        raise TypeError(f"repeat: s must be a str, not {type(s).__name__}")
    data = s.encode()  # UTF-8; UnicodeEncodeError for lone surrogates
    times = count(n, "n")
    result = _char_pointer()
    length = c_size_t()
    status = bc_repeat(data, len(data), times, result, length)
    if status:
        raise_for_status(status, "repeat")
    # A str owns its characters, so this result is copied, then freed. The
    # bytes may hold NULs, so they are read by their length, never as a C
    # string: slicing a char pointer copies exactly that many bytes (and,
    # unlike ctypes.string_at, whose length is a C int, reads 2 GiB or more).
    try:
        return result[: length.value].decode()
    finally:
        bc_free(result)


def describe(x: Any, /) -> bc_stats:
    # The bc_stats Structure itself is the result: C fills it in place, and
    # its fields are the attributes the interface names (ctypes converts
    # each to a Python int or float when it is read).
    x, start = float64_address(x, 1, "x")
    stats = bc_stats()
    status = bc_describe(start, len(x), stats)
    if status:
        raise_for_status(status, "describe")
    return stats


def events_total(events: Any, kind: SupportsIndex, /) -> float:
    events, start = event_address(events)
    kind = index(kind)  # int32() written out, as in add
    if not INT32_MIN <= kind <= INT32_MAX:
        raise OverflowError(f"kind={kind} does not fit int32")
    return bc_events_total(start, len(events), kind)
