"""cffi's ABI mode, for the benchmarks "API mode vs ABI mode": not a backend.

The same core, loaded with ``ffi.dlopen`` from its shared library and called
through libffi, with a cdef written here for just the five functions wrapped
(noop, add, sum6, dsum, scale). Nothing is compiled, but every call goes
through libffi, the cdef is parsed at import (which needs the ``cffi``
package, not only ``_cffi_backend``), and no C compiler checks the
declarations against bcore.h. The wrappers behave exactly like the API-mode
backend's and differ only in the ``ffi``/``lib`` they use.
"""

from __future__ import annotations

from operator import index
from typing import SupportsFloat, SupportsIndex

import cffi
import numpy as np
import numpy.typing as npt

from .._core import shared_library
from ._convert import as_float64, check_out
from ._errors import raise_for_status

__all__ = ["add", "dsum", "ffi", "lib", "noop", "scale", "sum6"]

# region: abi-load
ffi = cffi.FFI()
ffi.cdef(
    """
    void bc_noop(void);
    int bc_add(int64_t a, int64_t b, int64_t *out);
    double bc_sum6(double a, double b, double c, double d, double e, double f);
    double bc_dsum(const double *x, size_t n);
    int bc_scale(const double *x, size_t n, double k, double *out);
    """
)
# The path may be a temporary copy (a zipped install); once loaded, the
# library stays mapped after the copy is removed.
with shared_library() as _path:
    lib = ffi.dlopen(str(_path))
# endregion: abi-load

_DOUBLES = ffi.typeof("double[]")
_INT64_P = ffi.typeof("int64_t *")

noop = lib.bc_noop
sum6 = lib.bc_sum6


def add(a: SupportsIndex, b: SupportsIndex, /) -> int:
    """a + b as int64; OverflowError if an argument or the result does not fit."""
    out = ffi.new(_INT64_P)
    status = lib.bc_add(index(a), index(b), out)  # index(): see _scalars.add
    if status:
        raise_for_status(status, "add")
    return out[0]


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
    if status:
        raise_for_status(status, "scale")
    return out
