"""The C core bound by hand with the CPython C-API: the ``_capi`` extension module.

Multi-phase initialisation, module state, heap types and the buffer protocol both ways;
NumPy is used through Python calls only, so it is not a build dependency.
"""

from ._capi import (
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
