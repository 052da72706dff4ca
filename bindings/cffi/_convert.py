"""Checks and conversions of array arguments, done once, before any C call.

Plain NumPy: the API-mode backend and the ABI-mode variant (abi.py) share
them and differ only in the ``ffi`` that turns the checked array into a
pointer with ``ffi.from_buffer``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

FLOAT64 = np.dtype(np.float64)


def as_float64(x: Any, ndim: int, what: str) -> npt.NDArray[np.float64]:
    """x as an aligned, C-contiguous float64 ndarray with ndim dimensions.

    TypeError if x cannot be converted, ValueError for a wrong ndim.
    """
    try:
        # The fast path is NumPy's own: asarray returns x itself, no copy,
        # when it already is a C-contiguous float64 ndarray; anything else
        # becomes a C-contiguous float64 copy. (A Python-level check first
        # costs more than this call.) Not ascontiguousarray: it makes a
        # scalar a 1-element array, so dsum(5.0) would pass the ndim check.
        arr = np.asarray(x, dtype=FLOAT64, order="C")
    except MemoryError:
        raise
    except Exception as exc:  # whatever __array__, __len__ or __getitem__ raised
        raise TypeError(f"{what}: cannot convert {type(x).__name__} to a float64 array ({exc})") from exc
    if arr.ndim != ndim:
        raise ValueError(f"{what}: expected a {ndim}-D array, got {arr.ndim}-D")
    if not arr.flags.aligned:  # a view of misaligned memory, kept as it is by asarray
        arr = arr.copy()
    return arr


def as_real(x: Any) -> float:
    """x as a float, converted as a C double parameter converts it (float() minus strings).

    For a call that must convert before it takes a lock: cffi converts during
    the call, and ``x.__float__`` may use the very object the lock guards.
    """
    if isinstance(x, (str, bytes, bytearray, memoryview)):
        raise TypeError(f"must be real number, not {type(x).__name__}")
    return float(x)


def check_out(out: Any, shape: tuple[int, ...], what: str) -> None:
    """Checks an ``out=`` array; never converts it, since the caller reads it afterwards."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{what}: out must be a numpy.ndarray, not {type(out).__name__}")
    if out.dtype != FLOAT64:
        raise TypeError(f"{what}: out must have dtype float64, not {out.dtype}")
    if out.shape != shape:
        raise ValueError(f"{what}: out has shape {out.shape}, expected {shape}")
    if not out.flags.carray:  # C-contiguous, aligned and writable
        raise ValueError(f"{what}: out must be C-contiguous, aligned and writable")
