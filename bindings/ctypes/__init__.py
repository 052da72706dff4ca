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

Free-threading: this backend needs the GIL (``GIL_REQUIRED``). It has no
extension module of its own to declare that with, and ``_ctypes`` declares
the opposite (``Py_mod_gil`` is ``Py_MOD_GIL_NOT_USED`` in CPython's
Modules/_ctypes/_ctypes.c), so importing it leaves a free-threaded interpreter
without the GIL: the import then warns, as CPython does for a module that
has not declared. What assumes the GIL: the set of a detector's live
posterior views, a ``weakref.WeakSet`` (pure-Python bookkeeping written for
the GIL) that the collector trims from whichever thread drops a view while
``close()`` counts it under the detector's lock; and ctypes itself, whose
thread-safety without the GIL CPython was still auditing
(https://github.com/python/cpython/issues/127945). To declare support: the
views kept in a plain set under the lock, each removed by a
``weakref.finalize`` that takes it; then the suite run on a free-threaded
CPython with threads sharing detectors and views.
"""

from __future__ import annotations

import sys
import warnings

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

# region: free-threading
#: This backend relies on the GIL (see the module docstring).
GIL_REQUIRED = True
if not getattr(sys, "_is_gil_enabled", lambda: True)():
    warnings.warn(
        f"{__name__} relies on the GIL, which is disabled: run with PYTHON_GIL=1",
        RuntimeWarning,
        stacklevel=2,
    )
# endregion: free-threading

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
