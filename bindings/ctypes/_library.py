"""Declarations: the core's shared library, loaded once, and ``bcore.h`` restated for ctypes.

``lib`` is the raw ``ctypes.CDLL``. Every struct of the header has its
``Structure`` mirror here, and every function its prototype
(``argtypes``/``restype``), re-exported as a ``bc_*`` name; the rest of the
backend calls only those. Benchmarks may use them directly to measure a raw
foreign call, and ``ctypes.CDLL(lib._name)`` opens a second, undeclared handle
(ctypes then guesses: every argument must be an int, bytes or a ctypes
instance, and every result is a C int).

Declaring ``argtypes`` is what makes ctypes safe: without them a Python float
passed where C expects a double is an error, and a pointer returned where C
declares one is truncated to an int. No compiler checks any of it against the
header: ``tests/test_ctypes_layout.py`` compares the mirrors with the core's
own sizes and offsets, and checks that every function is declared.
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


# region: load
def _load() -> ctypes.CDLL:
    """Opens the shared library that the build installed in ``bindings/_core``."""
    try:
        with shared_library() as path:
            try:
                # region: cdll
                # A CDLL releases the GIL around every foreign call, whatever its
                # size, and takes it back for every callback; only a PyDLL keeps it
                # (Python docs, ctypes, "Loading shared libraries"). So this backend
                # has no release_gil_if_large and no use for GIL_RELEASE_MIN_SIZE.
                library = ctypes.CDLL(os.fspath(path))
                # endregion: cdll
            except OSError as exc:
                raise ImportError(
                    f"the C core at {path} does not load ({exc}); "
                    "rebuild it with `pip install .` from the repository root",
                    name=__name__,
                    path=os.fspath(path),
                ) from exc
    except FileNotFoundError as exc:
        raise ImportError(str(exc), name=__name__) from exc
    return library


lib = _load()
# endregion: load

# enum bc_status
BC_OK, BC_EINVAL, BC_EOVERFLOW, BC_ENOMEM, BC_ECALLBACK = range(5)


# The public structs. ctypes lays a Structure out with the platform C
# compiler's rules (natural alignment, padding included), so a field list in
# the header's order is the whole mirror.
class _Record(ctypes.Structure):
    """A Structure that prints its fields, like a dataclass."""

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name, _ in self._fields_)
        return f"{type(self).__name__}({fields})"


# region: stats
class bc_stats(_Record):
    """What ``describe`` returns: ``n``, ``mean``, ``std`` (population), ``min``, ``max``."""

    _fields_ = (
        ("n", c_size_t),
        ("mean", c_double),
        ("std", c_double),
        ("min", c_double),
        ("max", c_double),
    )


# endregion: stats


class bc_event(_Record):
    """One record: int32 kind, 4 bytes of padding (ctypes inserts them), float64 value."""

    _fields_ = (
        ("kind", c_int32),
        ("value", c_double),
    )


class bc_normal_gamma(_Record):
    """The detector's prior over the mean and precision of the observations."""

    _fields_ = (
        ("mu0", c_double),
        ("kappa0", c_double),
        ("alpha0", c_double),
        ("beta0", c_double),
    )


class bc_hazard(_Record):
    """The detector's constant hazard rate and longest tracked run length."""

    _fields_ = (
        ("rate", c_double),
        ("max_run_length", c_int64),
    )


#: Every mirror, by its C name (the layout test walks this).
STRUCTS = {cls.__name__: cls for cls in (bc_stats, bc_event, bc_normal_gamma, bc_hazard)}


# region: handle
class bc_detector(ctypes.Structure):
    """Opaque: its fields are private to the core, so it is only handled by pointer."""


bc_detector_p = POINTER(bc_detector)
# endregion: handle

# region: bc-check
#: typedef int (*bc_check)(void *ctx). This backend always passes NULL, which
#: ctypes spells ``bc_check()`` (None is refused for a function-pointer
#: parameter): why, in _detector.update_many and _callbacks.integrate.
bc_check = ctypes.CFUNCTYPE(c_int, c_void_p)
NO_CHECK = bc_check()
#: The core asks its check every BC_CHECK_INTERVAL units of work, about a
#: millisecond (bcore.h; a #define, so restated here by hand).
BC_CHECK_INTERVAL = 1 << 15
# endregion: bc-check

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


bc_strerror = _declare("bc_strerror", c_char_p, c_int)
bc_noop = _declare("bc_noop", None)
bc_add = _declare("bc_add", c_int, c_int64, c_int64, POINTER(c_int64))
bc_sum6 = _declare("bc_sum6", c_double, *[c_double] * 6)
# endregion: declare

# region: pointers
# Array parameters are declared c_void_p and receive an address (see
# _convert.address). numpy.ctypeslib.ndpointer would check the array on every
# call, but its from_param builds an `array.ctypes` object each time, which
# costs more than the whole foreign call; the backend checks the array once,
# in Python, and passes a plain int. `bc_dsum_ndpointer` below keeps the
# textbook declaration so the benchmarks can show the difference.
double_p = c_void_p  # const double * / double *
int64_p = c_void_p  # int64_t *
event_p = c_void_p  # const bc_event *
# endregion: pointers

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
    "bc_integrate",
    c_int,
    bc_func,
    bc_check,
    ctypes.py_object,
    c_double,
    c_double,
    c_size_t,
    POINTER(c_double),
)
bc_detector_create = _declare(
    "bc_detector_create", c_int, POINTER(bc_normal_gamma), POINTER(bc_hazard), POINTER(bc_detector_p)
)
bc_detector_update = _declare("bc_detector_update", c_int, bc_detector_p, c_double, POINTER(c_int64))
bc_detector_update_many = _declare(
    "bc_detector_update_many", c_int, bc_detector_p, double_p, c_size_t, int64_p, bc_check, c_void_p
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
