"""The PyO3 backend: the interface of ``bindings._interface``, compiled from Rust.

``_pyo3`` is the Rust crate beside this file, built by maturin (``pip install ./bindings/pyo3``,
which needs cargo), separately from the CMake build that compiles the other backends. Every
name is re-exported from it unchanged, so a call costs no extra Python frame.
"""

from ._pyo3 import (
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
