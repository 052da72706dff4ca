"""The cffi backend: bcore through cffi's API mode, out of line.

``_build.py`` derives the cdef from bcore.h and CMake compiles the C that cffi
generates into ``_cffi_bcore``; the modules here wrap its ``lib`` where the
interface asks for more than cffi's own conversions. ``bindings.cffi.abi`` is
the same core through ABI mode (``ffi.dlopen``), for the benchmarks only.
"""

from ._arrays import dsum, find_peaks, find_peaks_into, matvec, scale
from ._bytes import fnv1a, repeat
from ._detector import Detector
from ._integrate import integrate
from ._records import describe, events_total
from ._scalars import add, fail_allocation_after, live_allocations, noop, sum6

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
