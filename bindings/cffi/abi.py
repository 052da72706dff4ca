"""cffi's ABI mode on the same core: a standalone example, not a backend.

The cdef declares the five functions the benchmarks call raw (noop, add,
sum6, dsum, scale) and ``ffi.dlopen`` loads the core's shared library, which
the build installs in ``bindings/_core`` for ctypes too. Nothing is
compiled: every call goes through libffi, the cdef is parsed at every import
(which needs the ``cffi`` package, not only ``_cffi_backend``), and nothing
checks the declarations against bcore.h ("No checking is done. Mismatches
can cause random crashes", cffi's doc/source/cdef.rst on ``ffi.dlopen``).
"""

from __future__ import annotations

import os

import cffi

from .._core import shared_library

__all__ = ["ffi", "lib"]

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
    lib = ffi.dlopen(os.fspath(_path))
# endregion: abi-load
