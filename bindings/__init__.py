"""One C library (``c_core/``), bound to Python seven ways behind one interface.

>>> import bindings
>>> core = bindings.load("ctypes")
>>> core.add(2, 3)
5

``bindings.BACKENDS`` names every backend the project defines; ``available()``
lists those that import on this install. The interface every backend module
provides is described once, in ``bindings._interface``.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, cast

import numpy as np

if TYPE_CHECKING:
    from ._interface import Backend

__all__ = ["BACKENDS", "EVENT_DTYPE", "GIL_RELEASE_MIN_SIZE", "available", "load", "required"]

#: Every backend this project defines, in the order the docs present them.
BACKENDS = ("capi", "ctypes", "cffi", "cython", "pybind11", "nanobind", "pyo3")

#: NumPy mirror of ``bc_event`` (int32 kind, 4 bytes of padding, float64 value).
EVENT_DTYPE = np.dtype([("kind", np.int32), ("value", np.float64)], align=True)

#: Array functions release the GIL from this many elements (bytes for fnv1a) up.
GIL_RELEASE_MIN_SIZE = 4096

# What each backend needs beyond `pip install .` with a C/C++ compiler.
_BUILD_HINTS = {
    "pyo3": "it needs a Rust toolchain: install cargo (https://rustup.rs), then reinstall",
}


def load(name: str) -> Backend:
    """Returns the backend module ``bindings.<name>``.

    ValueError for a name that is not in BACKENDS; ImportError, saying how to
    build it, for a backend that is not built in this install.
    """
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}; the backends are: {', '.join(BACKENDS)}")
    try:
        return cast("Backend", importlib.import_module(f"{__name__}.{name}"))
    except ImportError as exc:
        hint = _BUILD_HINTS.get(name, "it is compiled by `pip install .` (see README.md)")
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
    unknown = names - set(BACKENDS)
    if unknown:
        raise ValueError(
            f"BINDINGS_REQUIRED names unknown backends {sorted(unknown)}; the backends are: {', '.join(BACKENDS)}"
        )
    return names
