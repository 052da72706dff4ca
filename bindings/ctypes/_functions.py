"""Functions: the interface's plain functions, each a thin wrapper over one declared foreign function."""

from __future__ import annotations

import weakref
from ctypes import POINTER, ArgumentError, addressof, byref, c_char, c_int64, c_size_t, memmove
from typing import Any, SupportsFloat, SupportsIndex

import numpy as np

from ._convert import (
    address,
    byte_array,
    count,
    event_array,
    float64_array,
    int32,
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
    result = c_int64()
    status = bc_add(int64(a, "a"), int64(b, "b"), byref(result))
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
    x = float64_array(x, 1, "x")
    return bc_dsum(address(x), x.size)


# endregion: dsum


# region: scale
def scale(x: Any, k: SupportsFloat, /, out: np.ndarray | None = None) -> np.ndarray:
    x = float64_array(x, 1, "x")
    out = np.empty_like(x) if out is None else output_array(out, x.shape, "out")
    try:
        status = bc_scale(address(x), x.size, k, address(out))
    except ArgumentError:
        raise real_error(k) from None
    if status:
        raise_for_status(status, "scale")
    return out


# endregion: scale


# region: find-peaks
def find_peaks(x: Any, threshold: SupportsFloat, /) -> np.ndarray:
    x = float64_array(x, 1, "x")
    peaks = POINTER(c_int64)()
    found = c_size_t()
    try:
        status = bc_find_peaks(address(x), x.size, threshold, byref(peaks), byref(found))
    except ArgumentError:
        raise real_error(threshold) from None
    if status:
        raise_for_status(status, "find_peaks")
    # Zero copy, as in the other backends: the result is NumPy's view of the
    # core's buffer. A ctypes array made by from_address reads that memory and
    # owns none of it; weakref.finalize makes it the owner, calling bc_free
    # once, when it dies, and never at exit, so that a result held to the very
    # end stays valid (Python docs, weakref, "Comparing finalizers with
    # __del__() methods"). The array numpy.ctypeslib.as_array makes keeps the
    # ctypes array alive through its base, and every view of it keeps that.
    start = addressof(peaks.contents)
    try:
        buffer = (c_int64 * found.value).from_address(start)
        weakref.finalize(buffer, bc_free, start).atexit = False
    except BaseException:  # until the finalizer exists, nothing else frees it
        bc_free(start)
        raise
    return np.ctypeslib.as_array(buffer)


# endregion: find-peaks


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
    result = POINTER(c_char)()
    length = c_size_t()
    status = bc_repeat(data, len(data), times, byref(result), byref(length))
    if status:
        raise_for_status(status, "repeat")
    # A str owns its characters, so this result is copied, then freed. The
    # bytes may hold NULs, so they are read by their length, never as a C
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
        raise_for_status(status, "describe")
    return stats


def events_total(events: Any, kind: SupportsIndex, /) -> float:
    events = event_array(events)
    return bc_events_total(address(events), events.size, int32(kind, "kind"))
