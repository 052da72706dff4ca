"""Integer arguments, range-checked before they reach ctypes.

ctypes converts an int to a C integer type modulo 2**bits, silently
(``ctypes.c_int64(2**63).value == -2**63``), so every integer the interface
promises to range-check is checked here first. Real (double) arguments need
no such step: ctypes' conversion is exactly the interface's (see
``_errors.real_error``).
"""

from __future__ import annotations

import ctypes
from operator import index
from typing import SupportsIndex


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
