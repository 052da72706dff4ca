"""The ctypes backend: the core's shared library, loaded at run time; nothing is compiled.

ctypes (standard library) opens ``bindings/_core/libbcore`` with ``ctypes.CDLL``
and calls it through libffi, using the C prototypes declared in ``_library``.

The parts, as in every backend (``bindings/README.md``): ``_library``
(declarations: loading, the struct mirrors, every prototype; ``_library.lib``
is the raw CDLL), ``_errors`` (status codes to exceptions), ``_convert``
(argument checks and conversion), ``_functions``, ``_callbacks`` (integrate and
find_peaks_into's allocator), ``_detector`` (the opaque handle), and this
module, which exports the interface.

The GIL: ctypes releases it around every foreign call and takes it back for
every callback, whatever the size of the input (see ``_library._load``). That
is why ``Detector`` needs a lock of its own (see ``_detector``).
"""

from __future__ import annotations

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
