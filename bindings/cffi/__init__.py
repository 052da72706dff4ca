"""The cffi backend: bcore through cffi's API mode, out of line.

``_build.py`` holds the cdef, and CMake compiles the C that cffi generates
from it into ``_cffi_bcore``; the modules here wrap its ``lib`` where the
interface asks for more than cffi's own conversions. ``bindings.cffi.abi``
is a standalone example of ABI mode (``ffi.dlopen``) on the same core, not
part of the backend.

Free-threading: this backend needs the GIL (``GIL_REQUIRED``), and cannot
say so through its module. cffi 2.0+ creates every generated module inside
``_cffi_backend``, and on a free-threaded CPython marks it, as it marks
``_cffi_backend``, ``Py_MOD_GIL_NOT_USED`` (``_my_Py_InitModule`` in
https://github.com/python-cffi/cffi/blob/main/src/c/cffi1_module.c):
``set_source`` offers no way to say otherwise, so
importing ``_cffi_bcore`` leaves the GIL disabled. This package's import
warns instead, as CPython does for a module that has not declared. Little of
our own state would need more than it has: the detector's lock serialises
the core, the callbacks' state is per call, and the set of a detector's
live posterior views changes by single set operations (added under the
lock, discarded by an ``ffi.gc`` destructor on whichever thread drops the
last array). But none of it has run without the GIL. To declare support:
the suite run on a free-threaded CPython (cffi supports 3.14t and later:
https://github.com/python-cffi/cffi/releases/tag/v2.0.0) with threads
sharing detectors and views, and the warning below removed.
"""

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
