"""The interface's functions, each a thin wrapper over one declared foreign function."""

from __future__ import annotations

from ctypes import POINTER, ArgumentError, addressof, byref, c_char, c_int64, c_size_t, memmove
from typing import Any, SupportsFloat, SupportsIndex

import numpy as np

from ._arrays import address, byte_array, event_array, float64_array, output_array
from ._errors import real_error, status_error
from ._library import (
    bc_add,
    bc_allocator,
    bc_describe,
    bc_dsum,
    bc_events_total,
    bc_fail_allocation_after,
    bc_find_peaks,
    bc_find_peaks_into,
    bc_fnv1a,
    bc_free,
    bc_live_allocations,
    bc_matvec,
    bc_noop,
    bc_repeat,
    bc_scale,
    bc_sum6,
)
from ._scalars import count, int32, int64
from ._structs import bc_stats

# Nothing to check or convert: the declared foreign functions themselves.
noop = bc_noop
live_allocations = bc_live_allocations


def fail_allocation_after(k: SupportsIndex, /) -> None:
    # A bare int64 argument would wrap 2**63 to -2**63 (disarming the hook
    # instead of failing): the range check comes first, as for add.
    bc_fail_allocation_after(int64(k, "k"))


# region: add
def add(a: SupportsIndex, b: SupportsIndex, /) -> int:
    result = c_int64()
    status = bc_add(int64(a, "a"), int64(b, "b"), byref(result))
    if status:
        raise status_error(status, "add")
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
    x = float64_array(x, 1, "x")
    return bc_dsum(address(x), x.size)
    # endregion: dsum


# region: ch9-out
def scale(x: Any, k: SupportsFloat, /, out: np.ndarray | None = None) -> np.ndarray:
    x = float64_array(x, 1, "x")
    out = np.empty_like(x) if out is None else output_array(out, x.shape, "out")
    try:
        status = bc_scale(address(x), x.size, k, address(out))
    except ArgumentError:
        raise real_error(k) from None
    if status:
        raise status_error(status, "scale")
    return out
    # endregion: ch9-out


def find_peaks(x: Any, threshold: SupportsFloat, /) -> np.ndarray:
    x = float64_array(x, 1, "x")
    peaks = POINTER(c_int64)()
    found = c_size_t()
    try:
        status = bc_find_peaks(address(x), x.size, threshold, byref(peaks), byref(found))
    except ArgumentError:
        raise real_error(threshold) from None
    if status:
        raise status_error(status, "find_peaks")
    # region: find-peaks-copy
    # Copy, then free. The result is usually far smaller than x, so one
    # memcpy is cheap, and afterwards it is ordinary NumPy memory while the C
    # buffer is released here, on every path. A zero-copy view would need an
    # owner object that calls bc_free when the last view of it dies, keeping
    # the core's allocation alive (and counted) until then.
    try:
        result = np.empty(found.value, dtype=np.int64)
        if result.size:
            memmove(address(result), peaks, result.nbytes)
    finally:
        bc_free(peaks)
    # endregion: find-peaks-copy
    return result


class _Allocation:
    """The state of one find_peaks_into() call: the array the allocator made, or what it raised."""

    __slots__ = ("array", "error")

    def __init__(self) -> None:
        self.array: np.ndarray | None = None
        self.error: BaseException | None = None


# region: find-peaks-into
def find_peaks_into(x: Any, threshold: SupportsFloat, /) -> np.ndarray:
    x = float64_array(x, 1, "x")
    state = _Allocation()

    # region: ch9-allocator
    # The allocator runs inside the foreign call, with the GIL that ctypes
    # takes back for every callback. NumPy owns the array it makes and C
    # writes the indices straight into it: nothing to copy, nothing to free.
    # ctypes would print an exception raised here and hand C an unspecified
    # pointer, so it is stored, and None (NULL) makes the core stop with
    # BC_ECALLBACK.
    def allocate(count: int, size: int, ctx: int | None) -> int | None:
        try:
            state.array = np.empty(count, dtype=np.int64)  # never a NULL address, even when empty
            return address(state.array)
        except BaseException as exc:  # MemoryError, KeyboardInterrupt: they must reach the caller
            state.error = exc
            return None

    # One libffi closure per call, over this call's own state. C holds only
    # its address, and only until bc_find_peaks_into returns, so a reference
    # for the length of the call keeps it alive: the local name `allocator`.
    # (integrate, which calls back n + 1 times, shares one trampoline and
    # passes its state through ctx instead.)
    allocator = bc_allocator(allocate)
    # endregion: ch9-allocator
    found = c_size_t()
    try:
        status = bc_find_peaks_into(address(x), x.size, threshold, allocator, None, byref(found))
    except ArgumentError:
        raise real_error(threshold) from None
    if status:
        error, state.error = state.error, None  # no cycle through the traceback's frames
        raise status_error(status, "find_peaks_into", error)
    assert state.array is not None  # BC_OK: the core called the allocator, once
    return state.array
    # endregion: find-peaks-into


def matvec(A: Any, x: Any, /) -> np.ndarray:
    A = float64_array(A, 2, "A")
    x = float64_array(x, 1, "x")
    rows, cols = A.shape
    if cols != x.size:
        raise ValueError(f"matvec: A has {cols} columns but x has {x.size} elements")
    y = np.empty(rows)
    # A is C-contiguous, so its rows start `cols` elements apart.
    status = bc_matvec(address(A), rows, cols, cols, address(x), address(y))
    if status:
        raise status_error(status, "matvec")
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
    result = POINTER(c_char)()
    length = c_size_t()
    status = bc_repeat(data, len(data), times, byref(result), byref(length))
    if status:
        raise status_error(status, "repeat")
    # The result may hold NULs, so it is read by its length, never as a C
    # string; and not with ctypes.string_at(result, length), which declares
    # the length a C int and so cannot read 2 GiB or more.
    try:
        text = bytearray(length.value)
        if text:
            memmove(addressof(c_char.from_buffer(text)), result, len(text))
        return text.decode()
    finally:
        bc_free(result)


def describe(x: Any, /) -> bc_stats:
    # The bc_stats Structure itself is the result: C fills it in place, and
    # its fields are the attributes the interface names (ctypes converts
    # each to a Python int or float when it is read).
    x = float64_array(x, 1, "x")
    stats = bc_stats()
    status = bc_describe(address(x), x.size, byref(stats))
    if status:
        raise status_error(status, "describe")
    return stats


def events_total(events: Any, kind: SupportsIndex, /) -> float:
    events = event_array(events)
    return bc_events_total(address(events), events.size, int32(kind, "kind"))
