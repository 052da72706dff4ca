"""The ctypes backend: the core's shared library, loaded at run time; nothing is compiled.

ctypes (standard library) opens ``bindings/_core/libbcore`` with ``ctypes.CDLL``
and calls it through libffi, using the C prototypes declared in ``_library``.

The GIL: ctypes releases it around every foreign call and takes it back for
every callback, whatever the size of the input. That is how ctypes works, and
it is why ``Detector`` needs a lock of its own (see ``_detector``).

Modules: ``_library`` (loading and prototypes; ``_library.lib`` is the raw
CDLL), ``_structs`` (the struct mirrors), ``_errors`` (status codes and
rejected arguments to exceptions), ``_scalars`` (integer range checks),
``_arrays`` (array checks and addresses), ``_functions``, ``_integrate`` (the
callback) and ``_detector`` (the opaque handle).
"""

from __future__ import annotations

from ._detector import Detector
from ._functions import (
    add,
    describe,
    dsum,
    events_total,
    fail_allocation_after,
    find_peaks,
    find_peaks_into,
    fnv1a,
    live_allocations,
    matvec,
    noop,
    repeat,
    scale,
    sum6,
)
from ._integrate import integrate

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
