"""The Cython backend: ``bindings.load("cython")``.

The compiled module ``_cython`` (built from ``_cython.pyx``) implements the
interface in ``bindings._interface``; this package re-exports exactly its names,
so a call goes straight to the compiled function.
"""

from ._cython import (
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
