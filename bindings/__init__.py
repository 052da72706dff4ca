"""One C library (``c_core/``), bound to Python seven ways behind one interface.

>>> import bindings
>>> core = bindings.load("ctypes")
>>> core.add(2, 3)
5

``bindings.BACKENDS`` names every backend the project defines; ``available()``
lists those that import on this install. The interface every backend module
provides is described once, in ``bindings._interface``.

Each backend whose technology can build against CPython's stable ABI (the
limited API; one ``abi3`` wheel for every later CPython) is also built that
way, from the same sources: ``load("capi-abi3")`` is the stable-ABI build of
``capi``. ``ABI3_BACKENDS`` names them, ``BUILDS`` names every build, and
``builds_for()`` says which of them this interpreter can load.
"""

from __future__ import annotations

import importlib
import os
import sys
import sysconfig
from typing import TYPE_CHECKING, cast

import numpy as np

if TYPE_CHECKING:
    from ._interface import Backend

__all__ = [
    "ABI3_BACKENDS",
    "ABI3_SUFFIX",
    "BACKENDS",
    "BUILDS",
    "EVENT_DTYPE",
    "GIL_RELEASE_MIN_SIZE",
    "available",
    "builds_for",
    "load",
    "required",
]

#: Every backend this project defines, in the order the docs present them.
BACKENDS = ("capi", "ctypes", "cffi", "cython", "pybind11", "nanobind", "pyo3")

#: The backends that are also built against the stable ABI, with the oldest CPython each
#: such build runs on: the limited API gained what the backend needs in that version (the
#: buffer protocol in 3.11; nanobind's stable-ABI mode needs 3.12; cffi's generated C needs
#: no more than the 3.2 limited API, so its entry is this project's oldest). ctypes compiles no
#: module, so it has no ABI to choose; pybind11 cannot build against the limited API
#: (https://github.com/pybind/pybind11/issues/1755).
ABI3_BACKENDS = {"capi": (3, 11), "cffi": (3, 10), "cython": (3, 11), "nanobind": (3, 12), "pyo3": (3, 11)}

#: ``load(name + ABI3_SUFFIX)`` loads the stable-ABI build of ``name``. It is installed
#: as the package ``bindings.<name>_abi3``: the same Python files beside the abi3 module.
ABI3_SUFFIX = "-abi3"

#: Every build a ``load`` name can name: the backends, then their stable-ABI builds.
BUILDS = BACKENDS + tuple(name + ABI3_SUFFIX for name in ABI3_BACKENDS)


def builds_for(version: tuple[int, int] | None = None, free_threaded: bool | None = None) -> tuple[str, ...]:
    """The builds an interpreter can load (default: this one), in BUILDS order.

    Every backend, plus each stable-ABI build whose oldest CPython is not newer. A
    free-threaded CPython loads no abi3 module: the stable ABI assumes the GIL's object
    layout (CPython 3.15's ``abi3t``, PEP 803, is the stable ABI for free-threading).
    """
    version = version or sys.version_info[:2]
    if free_threaded is None:
        free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    abi3 = () if free_threaded else tuple(n + ABI3_SUFFIX for n, oldest in ABI3_BACKENDS.items() if version >= oldest)
    return BACKENDS + abi3

#: NumPy mirror of ``bc_event`` (int32 kind, 4 bytes of padding, float64 value).
EVENT_DTYPE = np.dtype([("kind", np.int32), ("value", np.float64)], align=True)

#: Array functions release the GIL from this many elements (bytes for fnv1a) up.
GIL_RELEASE_MIN_SIZE = 4096

# What each backend needs beyond `pip install .` with a C/C++ compiler.
_BUILD_HINTS = {
    "pyo3": "it needs a Rust toolchain: install cargo (https://rustup.rs), then reinstall",
}


def load(name: str) -> Backend:
    """Returns the backend module ``bindings.<name>`` (``bindings.<backend>_abi3`` for a
    stable-ABI build named ``<backend>-abi3``).

    ValueError for a name that is not in BUILDS; ImportError, saying how to
    build it, for a build that is not in this install.
    """
    if name not in BUILDS:
        raise ValueError(f"unknown backend {name!r}; the backends are: {', '.join(BUILDS)}")
    backend = name.removesuffix(ABI3_SUFFIX)
    module = backend if backend == name else f"{backend}_abi3"
    try:
        return cast("Backend", importlib.import_module(f"{__name__}.{module}"))
    except ImportError as exc:
        if name not in builds_for():
            version = ".".join(map(str, ABI3_BACKENDS[backend]))
            hint = f"this interpreter cannot load it (the build needs a CPython {version}+ with the GIL)"
        else:
            hint = _BUILD_HINTS.get(backend, "it is compiled by `pip install .` (see README.md)")
        raise ImportError(
            f"backend {name!r} is not built in this install ({exc}); {hint}", name=name
        ) from exc


def available() -> tuple[str, ...]:
    """The backends whose module imports on this install, in BACKENDS order."""
    found = []
    for name in BACKENDS:
        try:
            load(name)
        except ImportError:
            continue
        found.append(name)
    return tuple(found)


def required() -> frozenset[str]:
    """The backends that must import here: the comma-separated ``BINDINGS_REQUIRED``.

    Test and benchmark runs read it (nox sets it to what it built), so that a backend
    that should have been built and does not import fails the run instead of being
    skipped. ValueError for a name that is not in BACKENDS.
    """
    names = frozenset(n.strip() for n in os.environ.get("BINDINGS_REQUIRED", "").split(",") if n.strip())
    unknown = names - set(BUILDS)
    if unknown:
        raise ValueError(
            f"BINDINGS_REQUIRED names unknown backends {sorted(unknown)}; the backends are: {', '.join(BUILDS)}"
        )
    return names
