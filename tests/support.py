"""Small helpers the test modules share: argument stand-ins and input shapes."""

from __future__ import annotations

import array
import struct

import numpy as np

import bindings
from bindings import _interface


class Index:
    """Not an int, but has ``__index__``: integer parameters must accept it."""

    def __init__(self, value: int):
        self.value = value

    def __index__(self) -> int:
        return self.value


class Real:
    """Not a float, but has ``__float__``: real parameters must accept it."""

    def __init__(self, value: float):
        self.value = value

    def __float__(self) -> float:
        return self.value


class ArrayLike:
    """Not an array, but converts to one through ``__array__``, as NumPy allows."""

    def __init__(self, values: np.ndarray):
        self.values = values

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return self.values if dtype is None else self.values.astype(dtype)


def readonly(values: np.ndarray) -> np.ndarray:
    """A read-only copy."""
    copy = np.array(values, dtype=values.dtype)
    copy.flags.writeable = False
    return copy


def unaligned(values: np.ndarray) -> np.ndarray:
    """A C-contiguous copy at an odd address (NumPy: aligned=False)."""
    raw = np.zeros(values.nbytes + 1, dtype=np.uint8)
    copy = raw[1:].view(values.dtype)
    copy[...] = values
    return copy


def array_forms(values) -> dict[str, object]:
    """The given 1-D values as every kind of array-like a backend must accept.

    "float64" (C-contiguous, native byte order) must be read in place; the
    others are converted to a C-contiguous float64 copy first ("readonly" and
    "unaligned" may be read in place or copied). The forms need not hold the
    same numbers (int64 truncates): tests compare each with the reference.
    """
    base = np.asarray(values, dtype=np.float64)
    spread = np.zeros(2 * base.size)
    spread[::2] = base
    return {
        "float64": base.copy(),
        "float32": base.astype(np.float32),
        "int64": base.astype(np.int64),
        "big-endian": base.astype(">f8"),  # float64 too, but not in the machine's byte order
        "list": base.tolist(),
        "tuple": tuple(base.tolist()),
        "__array__": ArrayLike(base.copy()),
        "buffer": array.array("d", base.tolist()),  # the buffer protocol, no NumPy
        "strided": spread[::2],
        "reversed": base[::-1].copy()[::-1],
        "readonly": readonly(base),
        "unaligned": unaligned(base),
    }


def events(kinds, values) -> np.ndarray:
    """A record array of ``bindings.EVENT_DTYPE`` from kinds and values."""
    records = np.zeros(len(kinds), dtype=bindings.EVENT_DTYPE)
    records["kind"] = kinds
    records["value"] = values
    return records


def canonical(result):
    """A hashable, bit-exact form of any result (or of the exception type raised)."""
    if isinstance(result, type) and issubclass(result, BaseException):
        return ("raises", result.__name__)
    if isinstance(result, np.ndarray):
        return ("array", result.dtype.str, result.shape, result.tobytes())
    if isinstance(result, float):
        return ("float", struct.pack("<d", result))
    if isinstance(result, (int, str)):
        return (type(result).__name__, result)
    if all(hasattr(result, field) for field in _interface.STATS_FIELDS):  # before tuple: may be one
        return ("stats", *(canonical(getattr(result, f)) for f in _interface.STATS_FIELDS))
    if isinstance(result, tuple):
        return ("tuple", *(canonical(item) for item in result))
    raise AssertionError(f"unexpected result type {type(result)}")


def _with(n: int, values: dict[int, float]) -> list[float]:
    x = [0.0] * n
    for index, value in values.items():
        x[index] = value
    return x


#: Inputs whose sum tells bc_dsum's order of additions (bcore.h) from others, since
#: 1e16 + 1.0 rounds back to 1e16. 16 values: 1e16 and -1e16 fall in the same one of
#: the eight running sums and cancel before the 1.0 of another joins (1.0; left to
#: right gives 0.0). 256 values: the two halves are summed apart, and the 1.0 is lost
#: in the first (0.0; eight running sums over all 256 would give 1.0).
PAIRWISE_LANES = _with(16, {0: 1e16, 1: 1.0, 8: -1e16})
PAIRWISE_HALVES = _with(256, {0: 1e16, 1: 1.0, 128: -1e16})
