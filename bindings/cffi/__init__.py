"""The cffi backend: bcore through cffi's API mode, out of line.

``_build.py`` holds the cdef, and CMake compiles the C that cffi generates
from it into ``_cffi_bcore``; the modules here wrap its ``lib`` where the
interface asks for more than cffi's own conversions. ``bindings.cffi.abi``
is a standalone example of ABI mode (``ffi.dlopen``) on the same core, not
part of the backend.
"""

from ._callbacks import find_peaks_into, integrate
from ._detector import Detector
from ._functions import (
    add,
    describe,
    dsum,
    events_total,
    fail_allocation_after,
    find_peaks,
    fnv1a,
    live_allocations,
    matvec,
    noop,
    repeat,
    scale,
    sum6,
)

__all__ = [
    "Detector",
    "add",
    "describe",
    "dsum",
    "events_total",
    "fail_allocation_after",
    "find_peaks",
    "find_peaks_into",
    "fnv1a",
    "integrate",
    "live_allocations",
    "matvec",
    "noop",
    "repeat",
    "scale",
    "sum6",
]
