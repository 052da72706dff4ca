"""Conversion: Python arguments made into C arguments, with the checks ctypes does not make.

Integers: ctypes converts an int to a C integer type modulo 2**bits, silently
(``ctypes.c_int64(2**63).value == -2**63``), so every integer the interface
promises to range-check is checked first: ``operator.index`` then a chained
comparison with the bounds below, the cheapest exact check Python offers
(the hot wrappers write it inline, the others call ``int64`` and friends).
Reals: ctypes' own conversion is exactly the interface's, but a failure
reaches the caller as ``ctypes.ArgumentError``; ``real_error`` recovers the
real exception. Arrays: their parameters are declared ``c_void_p`` (see
``_library``), so each wrapper first makes sure it holds an ndarray C can
read (dtype, ndim, C-contiguous, aligned; writable for outputs), then passes
its address: ``float64_address`` does both, with a fast path for the array
that needs nothing.
"""

from __future__ import annotations

import ctypes
from ctypes import addressof, c_char, c_double
from operator import index
from typing import Any, SupportsIndex

import numpy as np
from numpy import ndarray

from .. import EVENT_DTYPE

# ---- integers ----------------------------------------------------------------


def _bounds(ctype: type[ctypes._SimpleCData], signed: bool) -> tuple[int, int]:
    bits = 8 * ctypes.sizeof(ctype)
    return (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)


INT32_MIN, INT32_MAX = _bounds(ctypes.c_int32, signed=True)
INT64_MIN, INT64_MAX = _bounds(ctypes.c_int64, signed=True)
SIZE_MAX = _bounds(ctypes.c_size_t, signed=False)[1]


def int32(value: SupportsIndex, name: str) -> int:
    """value as an int32: TypeError without __index__, OverflowError out of range."""
    value = index(value)
    if not INT32_MIN <= value <= INT32_MAX:
        raise OverflowError(f"{name}={value} does not fit int32")
    return value


# region: int64
def int64(value: SupportsIndex, name: str) -> int:
    """value as an int64: TypeError without __index__, OverflowError out of range."""
    value = index(value)
    if not INT64_MIN <= value <= INT64_MAX:
        raise OverflowError(f"{name}={value} does not fit int64")
    return value


# endregion: int64


def count(value: SupportsIndex, name: str) -> int:
    """value as a size_t count: TypeError without __index__, ValueError if
    negative, OverflowError above SIZE_MAX."""
    value = index(value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, not {value}")
    if value > SIZE_MAX:
        raise OverflowError(f"{name}={value} does not fit size_t")
    return value


# ---- reals -------------------------------------------------------------------


def real_error(*values: object) -> Exception:
    """Why the first of these values is not a real number (call after ctypes.ArgumentError).

    When a foreign call cannot convert an argument, ctypes raises
    ``ArgumentError("argument 2: TypeError: wrong type")``: it discards the
    original exception, and an OverflowError (an int beyond a double) is
    reported as a TypeError. Converting the values again with the c_double
    constructor, which uses the same conversion and keeps its exception,
    recovers the exception the interface promises.
    """
    for value in values:
        try:
            c_double(value)
        except Exception as exc:  # whatever __float__ or __index__ raised
            return exc
    return TypeError("an argument is not a real number")


# ---- arrays ------------------------------------------------------------------

_FLOAT64 = np.dtype(np.float64)
#: c_char.from_buffer, looked up once: the lookup makes a bound method on every call.
_bytes_of = c_char.from_buffer
_FLOAT64_ALIGNMENT = _FLOAT64.alignment
_EVENT_ALIGNMENT = EVENT_DTYPE.alignment


def float64_array(obj: Any, ndim: int, name: str) -> np.ndarray:
    """obj as a C-contiguous, aligned float64 array of ndim dimensions.

    obj itself when it already is one, a converted copy otherwise.
    TypeError if NumPy cannot convert it (the interface's rule for every
    conversion failure but MemoryError), ValueError for another ndim.
    """
    try:
        array = np.asarray(obj, dtype=_FLOAT64, order="C")
    except MemoryError:
        raise
    except Exception as exc:  # ValueError for "abc", OverflowError for 10**400, ...
        raise TypeError(f"{name} cannot be read as a float64 array: {exc}") from exc
    if array.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), not {array.ndim}")
    if not array.flags.aligned:  # C may assume a double * is aligned; np.asarray does not
        array = array.copy()
    return array


def output_array(out: Any, shape: tuple[int, ...], name: str) -> np.ndarray:
    """Checks (never converts) a caller's output array: C writes to it in place."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{name} must be a numpy.ndarray, not {type(out).__name__}")
    if out.dtype != _FLOAT64:
        raise TypeError(f"{name} must have dtype float64, not {out.dtype}")
    if out.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, not {out.shape}")
    if not (out.flags.c_contiguous and out.flags.aligned):
        raise ValueError(f"{name} must be C-contiguous and aligned")
    if not out.flags.writeable:
        raise ValueError(f"{name} must be writable")
    return out


def event_address(events: Any) -> tuple[np.ndarray, int]:
    """events as ``event_array`` makes it, and its address; the fast path of ``float64_address``."""
    if type(events) is ndarray and events.dtype is EVENT_DTYPE and events.ndim == 1:
        try:
            start = addressof(_bytes_of(events))
        except (TypeError, ValueError):  # read-only, not C-contiguous, empty
            pass
        else:
            if not start % _EVENT_ALIGNMENT:
                return events, start
    events = event_array(events)
    return events, address(events)


def event_array(events: Any) -> np.ndarray:
    """A 1-D array of bindings.EVENT_DTYPE records, copied only if C cannot read it in place."""
    if not isinstance(events, np.ndarray) or events.dtype != EVENT_DTYPE:
        kind = events.dtype if isinstance(events, np.ndarray) else type(events).__name__
        raise TypeError(f"events must be a numpy array of dtype bindings.EVENT_DTYPE, not {kind}")
    if events.ndim != 1:
        raise ValueError(f"events must have 1 dimension, not {events.ndim}")
    if not (events.flags.c_contiguous and events.flags.aligned):
        events = events.copy()
    return events


def byte_array(data: Any) -> np.ndarray:
    """The bytes of any C-contiguous buffer, as a uint8 array over the same memory.

    TypeError for str and objects without the buffer protocol, ValueError for
    a non-contiguous buffer. Read-only buffers (bytes) are fine: C only reads.
    """
    view = memoryview(data)
    if not view.c_contiguous:
        raise ValueError("the buffer must be C-contiguous")
    return np.frombuffer(view, dtype=np.uint8)


# region: address
def address(array: np.ndarray) -> int:
    """The address of a C-contiguous array's first byte, for a c_void_p parameter."""
    # ctypes can read the address of a writable buffer itself: from_buffer
    # shares the memory, copies nothing, and costs a fraction of NumPy
    # building `array.ctypes` on every call. It refuses read-only and empty buffers
    # (and non-contiguous ones, which never get here): they take NumPy's route.
    try:
        return addressof(_bytes_of(array))
    except (TypeError, ValueError):
        return array.ctypes.data


# endregion: address


# region: float64-address
def float64_address(obj: Any, ndim: int, name: str) -> tuple[np.ndarray, int]:
    """obj as ``float64_array`` makes it, and the address C reads it at.

    The common argument, a writable C-contiguous float64 ndarray, is checked
    with no NumPy call: the dtype by identity (NumPy's float64 descriptor is a
    singleton), contiguity and writability by ``c_char.from_buffer`` itself,
    which refuses anything else, and alignment on the address it yields.
    Anything that fails a test takes the general route.
    """
    if type(obj) is ndarray and obj.dtype is _FLOAT64 and obj.ndim == ndim:
        try:
            start = addressof(_bytes_of(obj))
        except (TypeError, ValueError):  # read-only, not C-contiguous, empty
            pass
        else:
            if not start % _FLOAT64_ALIGNMENT:
                return obj, start
    array = float64_array(obj, ndim, name)
    return array, address(array)


# endregion: float64-address
