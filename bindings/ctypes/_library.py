"""The core's shared library, loaded once, with a prototype for every function.

``lib`` is the raw ``ctypes.CDLL``. Its functions are declared below
(``argtypes``/``restype``) and re-exported as ``bc_*`` names; the rest of the
backend calls only those. Benchmarks may use them directly to measure a raw
foreign call, and ``ctypes.CDLL(lib._name)`` opens a second, undeclared handle
(ctypes then guesses: every argument must be an int, bytes or a ctypes
instance, and every result is a C int).

Declaring ``argtypes`` is what makes ctypes safe: without them a Python float
passed where C expects a double is an error, and a pointer returned where C
declares one is truncated to an int.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable
from ctypes import POINTER, c_char, c_char_p, c_double, c_int, c_int32, c_int64, c_size_t, c_uint64, c_void_p
from typing import Any

from numpy import float64
from numpy.ctypeslib import ndpointer

from .._core import shared_library
from ._structs import bc_hazard, bc_normal_gamma, bc_stats


# region: load
def _load() -> ctypes.CDLL:
    """Opens the shared library that the build installed in ``bindings/_core``."""
    try:
        with shared_library() as path:
            try:
                # region: ch11-release
                return ctypes.CDLL(os.fspath(path))
                # endregion: ch11-release
            except OSError as exc:
                raise ImportError(
                    f"the C core at {path} does not load ({exc}); "
                    "rebuild it with `pip install .` from the repository root",
                    name=__name__,
                    path=os.fspath(path),
                ) from exc
    except FileNotFoundError as exc:
        raise ImportError(str(exc), name=__name__) from exc


lib = _load()
# endregion: load

# enum bc_status
BC_OK, BC_EINVAL, BC_EOVERFLOW, BC_ENOMEM, BC_ECALLBACK = range(5)


# region: handle
class bc_detector(ctypes.Structure):
    """Opaque: its fields are private to the core, so it is only handled by pointer."""


bc_detector_p = POINTER(bc_detector)
# endregion: handle

# region: bc-func
#: typedef int (*bc_func)(double x, void *ctx, double *y). The context is
#: declared py_object: the backend passes a Python object through it, and
#: ctypes hands that object (not an address) to the callback.
bc_func = ctypes.CFUNCTYPE(c_int, c_double, ctypes.py_object, POINTER(c_double))
# endregion: bc-func

# region: bc-allocator
#: typedef void *(*bc_allocator)(size_t count, size_t size, void *ctx). A
#: c_void_p result: the callback returns an address as an int, or None for NULL.
bc_allocator = ctypes.CFUNCTYPE(c_void_p, c_size_t, c_size_t, c_void_p)
# endregion: bc-allocator


# region: declare
def _declare(name: str, restype: type | None, *argtypes: type) -> Callable[..., Any]:
    """Gives lib.<name> its C prototype and returns it."""
    function = getattr(lib, name)
    function.restype = restype
    function.argtypes = argtypes
    return function
    # endregion: declare


# region: pointers
# Array parameters are declared c_void_p and receive an address (see
# _arrays.address). numpy.ctypeslib.ndpointer would check the array on every
# call, but its from_param builds an `array.ctypes` object each time, which
# costs more than the whole foreign call; the backend checks the array once,
# in Python, and passes a plain int. `bc_dsum_ndpointer` below keeps the
# textbook declaration so the benchmarks can show the difference.
double_p = c_void_p  # const double * / double *
int64_p = c_void_p  # int64_t *
event_p = c_void_p  # const bc_event *
# endregion: pointers

bc_strerror = _declare("bc_strerror", c_char_p, c_int)
bc_noop = _declare("bc_noop", None)
bc_add = _declare("bc_add", c_int, c_int64, c_int64, POINTER(c_int64))
bc_sum6 = _declare("bc_sum6", c_double, *[c_double] * 6)
bc_dsum = _declare("bc_dsum", c_double, double_p, c_size_t)
bc_scale = _declare("bc_scale", c_int, double_p, c_size_t, c_double, double_p)
bc_find_peaks = _declare(
    "bc_find_peaks", c_int, double_p, c_size_t, c_double, POINTER(POINTER(c_int64)), POINTER(c_size_t)
)
bc_find_peaks_into = _declare(
    "bc_find_peaks_into", c_int, double_p, c_size_t, c_double, bc_allocator, c_void_p, POINTER(c_size_t)
)
bc_matvec = _declare("bc_matvec", c_int, double_p, c_size_t, c_size_t, c_size_t, double_p, double_p)
bc_fnv1a = _declare("bc_fnv1a", c_uint64, c_void_p, c_size_t)
# region: repeat
# s is input only, with an explicit length, so c_char_p (which passes a bytes
# object's own buffer) is right; the result is not a C string (it may hold
# NULs), so it comes back as a char pointer plus a length.
bc_repeat = _declare(
    "bc_repeat", c_int, c_char_p, c_size_t, c_size_t, POINTER(POINTER(c_char)), POINTER(c_size_t)
)
# endregion: repeat
bc_describe = _declare("bc_describe", c_int, double_p, c_size_t, POINTER(bc_stats))
bc_events_total = _declare("bc_events_total", c_double, event_p, c_size_t, c_int32)
bc_struct_size = _declare("bc_struct_size", c_size_t, c_char_p)
bc_field_offset = _declare("bc_field_offset", c_size_t, c_char_p, c_char_p)
bc_integrate = _declare(
    "bc_integrate", c_int, bc_func, ctypes.py_object, c_double, c_double, c_size_t, POINTER(c_double)
)
bc_detector_create = _declare(
    "bc_detector_create", c_int, POINTER(bc_normal_gamma), POINTER(bc_hazard), POINTER(bc_detector_p)
)
bc_detector_update = _declare("bc_detector_update", c_int, bc_detector_p, c_double, POINTER(c_int64))
bc_detector_update_many = _declare(
    "bc_detector_update_many", c_int, bc_detector_p, double_p, c_size_t, int64_p
)
bc_detector_posterior = _declare("bc_detector_posterior", double_p, bc_detector_p, POINTER(c_size_t))
bc_detector_steps = _declare("bc_detector_steps", c_uint64, bc_detector_p)
bc_detector_reset = _declare("bc_detector_reset", None, bc_detector_p)
bc_detector_destroy = _declare("bc_detector_destroy", None, bc_detector_p)
bc_free = _declare("bc_free", None, c_void_p)
bc_live_allocations = _declare("bc_live_allocations", c_int64)
bc_fail_allocation_after = _declare("bc_fail_allocation_after", None, c_int64)

#: bc_dsum declared the textbook way, for benchmarks only: ndpointer checks
#: dtype, ndim and flags itself, on every call. A second function object over
#: the same symbol, so `bc_dsum` keeps its own prototype.
bc_dsum_ndpointer = ctypes.CFUNCTYPE(c_double, ndpointer(float64, ndim=1, flags="C_CONTIGUOUS"), c_size_t)(
    ("bc_dsum", lib)
)
