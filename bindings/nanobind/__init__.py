"""The nanobind backend: the interface of ``bindings._interface``, compiled from C++17.

``_nanobind`` is built from the C++ files beside this file (``CMakeLists.txt``; ``module.cpp``
defines the module). Every name is re-exported from it unchanged, so a call costs no extra Python
frame.
"""

from ._nanobind import (
    Detector,
    add,
    describe,
    dsum,
    events_total,
    fail_allocation_after,
    find_peaks,
    find_peaks_into,
    fnv1a,
    integrate,
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
