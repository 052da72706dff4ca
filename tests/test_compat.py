"""What each build is built for: its ABI, and its declared free-threading stance.

These facts go into the compatibility matrix (``compat`` fixture, conftest.py),
beside the Ctrl-C and subinterpreter tests' outcomes.
"""

from __future__ import annotations

import importlib.machinery
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import bindings

ROOT = Path(__file__).resolve().parents[1]


def compiled_modules(core) -> list[Path]:
    """The extension modules in the build's package folder (ctypes has none)."""
    folder = Path(core.__file__).parent
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    return sorted(path for path in folder.iterdir() if path.name.endswith(suffixes))


def test_each_build_is_compiled_for_the_abi_its_name_says(core, request, compat):
    name = request.node.callspec.params["core"]
    modules = compiled_modules(core)
    if name == "ctypes":
        assert modules == [], "ctypes compiles no module: it loads the core's shared library"
        compat("abi", "none (loads a C library)")
        return
    assert len(modules) == 1, f"{name}: expected one compiled module, found {modules}"
    module = modules[0].name
    abi3_suffix = next(s for s in importlib.machinery.EXTENSION_SUFFIXES if ".abi3" in s)
    if name.endswith(bindings.ABI3_SUFFIX):
        oldest = bindings.ABI3_BACKENDS[name.removesuffix(bindings.ABI3_SUFFIX)]
        assert module.endswith(abi3_suffix), f"{name}: {module} is not a stable-ABI module"
        compat("abi", f"abi3 (CPython {oldest[0]}.{oldest[1]}+)")
    else:
        assert module.endswith(sysconfig.get_config_var("EXT_SUFFIX")), f"{name}: {module}"
        compat("abi", "this version only")


#: Where each backend declares that it needs the GIL, as the regular expression of that
#: declaration. nanobind declares it by what it leaves out: its module is built without
#: FREE_THREADED. None supports free-threading yet; each says why beside its declaration.
GIL_DECLARATIONS = {
    "capi": ("bindings/capi/module.c", r"\{Py_mod_gil, Py_MOD_GIL_USED\}"),
    "ctypes": ("bindings/ctypes/__init__.py", r"\nGIL_REQUIRED = True\n"),
    "cffi": ("bindings/cffi/__init__.py", r"\nGIL_REQUIRED = True\n"),
    "cython": ("bindings/cython/_cython.pyx", r"# cython:.*\bfreethreading_compatible=False\b"),
    "pybind11": (
        "bindings/pybind11/module.cpp",
        r"PYBIND11_MODULE\(_pybind11, m, pybind11::mod_gil_used\(\)",
    ),
    "nanobind": (
        "bindings/nanobind/CMakeLists.txt",
        r"\nnanobind_add_module\(_nanobind (?:(?!FREE_THREADED)[^)])*\)",
    ),
    "pyo3": ("bindings/pyo3/src/lib.rs", r"#\[pyo3::pymodule\(gil_used = true\)\]"),
}


def test_the_free_threading_stance_is_declared_in_code(core, request, compat):
    backend = request.node.callspec.params["core"].removesuffix(bindings.ABI3_SUFFIX)
    path, declaration = GIL_DECLARATIONS[backend]
    assert re.search(declaration, (ROOT / path).read_text(encoding="utf-8")), f"{path}: no {declaration}"
    compat("free_threading", "needs the GIL (declared; not verified)")


@pytest.mark.skipif(not sysconfig.get_config_var("Py_GIL_DISABLED"), reason="needs a free-threaded CPython")
def test_a_backend_that_needs_the_gil_says_so_on_a_free_threaded_cpython(core, request, compat):
    """A compiled module that declares the GIL turns it on at import (CPython warns); ctypes
    and cffi, whose extension modules (``_ctypes``, ``_cffi_backend``) declare the opposite,
    warn themselves."""
    name = request.node.callspec.params["core"]
    probe = (
        "import sys, warnings, bindings\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        f"    bindings.load({name!r})\n"
        "print(sys._is_gil_enabled(), any(issubclass(w.category, RuntimeWarning) for w in caught))\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "PYTHON_GIL"}  # the default
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
    gil, warned = done.stdout.split()
    if name in ("ctypes", "cffi"):
        assert warned == "True", f"{name}: no warning that it needs the GIL"
        compat("free_threading", "needs the GIL: warns at import (verified)")
    else:
        assert gil == "True", f"{name}: importing it left the GIL off"
        compat("free_threading", "needs the GIL: turns it on at import (verified)")
