"""The compiled modules' type stubs are what tools/stubs.py writes, and true to each runtime.

Each committed stub must equal what the generator writes from ``bindings/_interface.py``
today, so neither can drift from the other; the generator's ``TRAITS`` must describe each
built module; and, when mypy is installed, ``mypy.stubtest`` compares every stub with its
module at run time (one run for all backends: it costs about 5 s of CPU, mostly reading
numpy's stubs). ``bindings/cffi/_cffi_bcore.pyi`` is written by hand (it types cffi's
``lib``, not the interface) and checked here against the runtime ``lib``.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import re
import subprocess
import sys
import types
from pathlib import Path
from types import ModuleType

import pytest

import bindings

ROOT = Path(__file__).resolve().parents[1]


def _load_generator() -> ModuleType:
    """tools/stubs.py of this tree (the tests run from outside it, against the installed package)."""
    spec = importlib.util.spec_from_file_location("stubs_generator", ROOT / "tools" / "stubs.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


stubs = _load_generator()
INTERFACE = stubs.load_interface()

#: Every stubbed compiled module, by backend, in ``bindings.BACKENDS`` order.
COMPILED = {"capi": "_capi", "cffi": "_cffi_bcore"} | {name: t.module for name, t in stubs.TRAITS.items()}
CFFI_STUB = ROOT / "bindings" / "cffi" / "_cffi_bcore.pyi"

#: What stubtest reports that is no error of the stubs, by backend: a pattern of its
#: ``--concise`` line after the module's name (the object, then the message), and why.
NOT_STUB_ERRORS = {
    "cython": {
        r"^(EVENT_DTYPE|GIL_RELEASE_MIN_SIZE) is not present in stub": "names the .pyx imports from bindings",
        r"^__test__ is not present in stub": "Cython's table of doctests",
        r"^Stats\.__(reduce|setstate)_cython__ is not present in stub": "Cython's pickling support",
    },
    "pybind11": {
        r"^(Detector|Stats) is inconsistent, metaclass differs": "pybind11's metaclass has no stub to name",
        r"^Stats\.__init__ is inconsistent": "a class without a constructor gets an __init__ that raises",
        r"^Stats\.__pybind11_module_local_\w+__ is not present": "pybind11's internal capsule",
    },
    "nanobind": {
        r"^(Detector|Stats) is inconsistent, metaclass differs": "nanobind's metaclass (nb_type) has no stub to name",
        r"^Stats\.__init__ is inconsistent": "a class without a constructor gets an __init__ that raises",
        # A function is an nb_func object: stubtest cannot read its signature (Python 3.13
        # gives it a generic one, ``(*args, **kwargs)``).
        r"^\w+ is (not a function|inconsistent, stub does not have \*args)": "an nb_func, not a function",
    },
}


def compiled_module(core: ModuleType) -> ModuleType:
    name = core.__name__.rpartition(".")[2]
    return importlib.import_module(f"{core.__name__}.{COMPILED[name]}")


@pytest.mark.parametrize("backend", tuple(stubs.TRAITS))
def test_committed_stub_is_what_the_generator_writes(backend):
    path = stubs.stub_path(backend)
    assert path.read_text(encoding="utf-8") == stubs.generate(backend, INTERFACE), (
        f"{path.relative_to(ROOT)} differs from what the generator writes: run `python tools/stubs.py`"
    )


def _exports_a_buffer(cls: type) -> bool:
    detector = cls()
    try:
        with memoryview(detector):
            return True
    except TypeError:
        return False
    finally:
        detector.close()


@pytest.mark.parametrize("core", tuple(stubs.TRAITS), indirect=True)
def test_traits_describe_the_runtime(core):
    module = compiled_module(core)
    traits = stubs.TRAITS[core.__name__.rpartition(".")[2]]
    classes = {"Detector": module.Detector, "Stats": module.Stats}
    base_type = 1 << 10  # Py_TPFLAGS_BASETYPE: the type may be subclassed
    found = {
        "constructor": "__init__" if "__init__" in vars(module.Detector) else "__new__",
        "final": frozenset(name for name, cls in classes.items() if not cls.__flags__ & base_type),
        "struct_sequence": issubclass(module.Stats, tuple),
        "buffer": _exports_a_buffer(module.Detector),
        "dunder_all": hasattr(module, "__all__"),
    }
    # disjoint_base (PEP 800) is left to stubtest, which mirrors CPython's rule.
    assert found == {name: getattr(traits, name) for name in found}


@pytest.mark.parametrize("core", ["cffi"], indirect=True)
def test_cffi_stub_declares_what_lib_has(core):
    """Every name of ``lib`` with the number of arguments it takes; constants and pointers as None."""
    from bindings.cffi._cffi_bcore import ffi, lib

    tree = ast.parse(CFFI_STUB.read_text(encoding="utf-8"))
    stub_lib = next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "_Lib")
    declared = {}
    for node in stub_lib.body:
        if isinstance(node, ast.FunctionDef):
            declared[node.name] = len(node.args.posonlyargs + node.args.args) - 1  # without self
        elif isinstance(node, ast.AnnAssign):
            declared[node.target.id] = None
    runtime = {}
    for name in dir(lib):
        value = getattr(lib, name)
        runtime[name] = len(ffi.typeof(value).args) if isinstance(value, types.BuiltinFunctionType) else None
    assert declared == runtime


@pytest.fixture(scope="module")
def stubtest_report(tmp_path_factory) -> list[str]:
    """One stubtest run over every stubbed module that imports: its ``--concise`` lines."""
    pytest.importorskip(
        "mypy.stubtest", reason="mypy is not installed: the stubs are not checked by stubtest"
    )
    tree = tmp_path_factory.mktemp("stubs")
    (tree / "bindings").mkdir()
    (tree / "bindings" / "__init__.pyi").touch()
    modules, available = [], bindings.available()
    for backend, name in COMPILED.items():
        if backend not in available:
            continue  # its test says why: skipped, or failed when required
        (tree / "bindings" / backend).mkdir()
        (tree / "bindings" / backend / "__init__.pyi").touch()
        stub = ROOT / "bindings" / backend / f"{name}.pyi"
        (tree / "bindings" / backend / stub.name).write_text(
            stub.read_text(encoding="utf-8"), encoding="utf-8"
        )
        modules.append(f"bindings.{backend}.{name}")
    if not modules:
        pytest.skip("no compiled backend imports")
    config = tree / "mypy.ini"
    # cffi's own types come from the types-cffi package; without it, _cffi_backend is Any.
    config.write_text("[mypy]\n[mypy-_cffi_backend]\nignore_missing_imports = True\n", encoding="utf-8")
    # Run in an empty folder with only the stubs on MYPYPATH: the stubs as committed,
    # the runtime as installed, and no source tree for mypy to type-check.
    command = [sys.executable, "-m", "mypy.stubtest", "--concise", f"--mypy-config-file={config}", *modules]
    result = subprocess.run(
        command,
        cwd=tmp_path_factory.mktemp("cwd"),
        env={**os.environ, "MYPYPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = result.stdout.splitlines()  # one per error; none on success
    if result.returncode not in (0, 1) or any(line.startswith("error:") for line in lines):
        pytest.fail(f"stubtest did not run:\n{result.stdout}{result.stderr}", pytrace=False)
    return lines


@pytest.mark.parametrize("core", tuple(COMPILED), indirect=True)
def test_stubtest_finds_the_stub_true_to_the_runtime(core, stubtest_report):
    backend = core.__name__.rpartition(".")[2]
    module = f"{core.__name__}.{COMPILED[backend]}"
    explained = NOT_STUB_ERRORS.get(backend, {})
    errors = [line for line in stubtest_report if line.startswith((f"{module}.", f"{module} "))]
    unexplained = [e for e in errors if not any(re.search(p, e[len(module) + 1 :]) for p in explained)]
    assert not unexplained, "stubtest:\n" + "\n".join(unexplained)
