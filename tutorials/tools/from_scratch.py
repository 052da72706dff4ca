"""Builds and runs every chapter's "from scratch" project, exactly as the chapter says.

A technology chapter shows the files of ``tutorials/from_scratch/NAME/`` (through
``<!-- include: ... -->`` blocks) and then the commands, in a shell block under::

    <!-- from-scratch: NAME -->

For each such block this script copies the folder into an empty temporary directory,
makes a fresh virtual environment and runs the block there with ``bash -euo pipefail``
and the environment activated (so ``python`` and ``pip`` are the environment's). The
commands are the test: they build the project and run a script that checks the result.

    python tutorials/tools/from_scratch.py            # every project
    python tutorials/tools/from_scratch.py ctypes cffi

Then it checks what the project's module does in subinterpreters against what its code
declares (``SUBINTERPRETERS`` below): ``tools/subinterpreters.py`` imports and calls it in a
subinterpreter with its own GIL, once in a fresh process and once after the main
interpreter has imported it. That needs CPython 3.12+ (PEP 684); on an older one the
check is skipped, saying so.

Last, it ships the project as a release would (``tools/shipping.py``): it builds the
sdist and the wheel, rebuilds the wheel from the sdist alone, checks the wheel with
auditwheel, and installs it in a fresh environment where no compiler can be found, to run
check.py there. ``--record FILE`` writes what it found (JSON: the report's shipping table).
auditwheel reads ELF files, so this part runs on Linux only.

``nox -s from_scratch`` runs it. A project whose tool is missing (cargo for PyO3) is
skipped with the reason printed, unless ``--require-all`` is given.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import includes  # noqa: E402  (beside this file: the chapters and appendices)
import shipping  # noqa: E402  (tools/ is no package: its folder goes on sys.path first)

PROJECTS = ROOT / "tutorials" / "from_scratch"
BLOCK = re.compile(
    r"^<!-- from-scratch: (?P<name>[\w-]+) -->\n```(?:sh|bash|console)\n(?P<commands>.*?)^```$",
    re.MULTILINE | re.DOTALL,
)
#: Tools a project needs beyond Python and a C compiler.
NEEDS = {"pyo3": "cargo"}
#: What each project's module does in a subinterpreter with its own GIL, as its code declares:
#: "works" (imports, and the call returns) or "refuses" (ImportError at the import, nothing
#: else). name -> (module, a call, {the first CPython it holds for: what it does}); the
#: probe runs from the project's folder, which comes first on sys.path, as for check.py.
SUBINTERPRETERS: dict[str, tuple[str, str, dict[tuple[int, int], str]]] = {
    # adder.c: Py_mod_multiple_interpreters = Py_MOD_PER_INTERPRETER_GIL_SUPPORTED.
    "capi": ("adder", "adder.add(2, 3)", {(3, 12): "works"}),
    # Nothing of ours to declare: CPython's _ctypes declares per-interpreter GIL support from 3.13
    # (https://github.com/python/cpython/blob/v3.13.0/Modules/_ctypes/_ctypes.c, module_slots).
    "ctypes": ("adder", "adder.add(2, 3)", {(3, 12): "refuses", (3, 13): "works"}),
    # cffi's generated _add, like _cffi_backend, uses single-phase init: it can declare nothing
    # (https://github.com/python-cffi/cffi/blob/main/src/cffi/_cffi_include.h, _cffi_init).
    "cffi": ("_add", "_add.lib.add(2, 3)", {(3, 12): "refuses"}),
    # adder.pyx: subinterpreters_compatible=own_gil, with CYTHON_USE_MODULE_STATE in setup.py.
    "cython": ("adder", "adder.add(2, 3)", {(3, 12): "works"}),
    # adder.cpp: pybind11::multiple_interpreters::per_interpreter_gil().
    "pybind11": ("adder", "adder.add(2, 3)", {(3, 12): "works"}),
    # nanobind declares Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED for every module
    # (https://github.com/wjakob/nanobind/blob/master/src/nb_internals.cpp, module_new).
    "nanobind": ("adder", "adder.add(2, 3)", {(3, 12): "refuses"}),
    # PyO3 adds no Py_mod_multiple_interpreters slot, and CPython's default for a multi-phase
    # module then is "shared GIL only" (https://github.com/PyO3/pyo3/issues/576).
    "pyo3": ("scratch", "scratch.add(2, 3)", {(3, 12): "refuses"}),
}
SUBINTERPRETER_PROBE = ROOT / "tools" / "subinterpreters.py"
#: A subinterpreter with its own GIL first appeared in CPython 3.12 (PEP 684).
PER_INTERPRETER_GIL = (3, 12)


def blocks() -> dict[str, tuple[Path, str]]:
    """name -> (chapter, commands), for every from-scratch block of every chapter."""
    found: dict[str, tuple[Path, str]] = {}
    for chapter in includes.documents():
        for match in BLOCK.finditer(chapter.read_text(encoding="utf-8")):
            if match["name"] in found:
                raise SystemExit(f"from-scratch project {match['name']!r} has two command blocks")
            found[match["name"]] = (chapter, match["commands"])
    return found


def run_project(name: str, commands: str, workdir: Path) -> float:
    project = workdir / name
    shutil.copytree(PROJECTS / name, project, ignore=shipping.IGNORE)
    environment = workdir / f"{name}-venv"
    venv.create(environment, with_pip=True)
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONHOME", None)
    env["VIRTUAL_ENV"] = str(environment)
    env["PATH"] = f"{environment / 'bin'}{os.pathsep}{env['PATH']}"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    start = time.perf_counter()
    subprocess.run(["bash", "-euxo", "pipefail", "-c", commands], cwd=project, env=env, check=True)
    check_subinterpreters(name, project, environment, env)
    return time.perf_counter() - start


def subinterpreter_expectation(name: str, version: tuple[int, int]) -> str:
    """What SUBINTERPRETERS says the project's module does on CPython ``version``."""
    _, _, by_version = SUBINTERPRETERS[name]
    return by_version[max(first for first in by_version if first <= version)]


def check_subinterpreters(name: str, project: Path, environment: Path, env: dict[str, str]) -> None:
    """Runs the subinterpreter probe in the project's environment; CalledProcessError if it differs."""
    if sys.version_info < PER_INTERPRETER_GIL:
        print(
            f"[from-scratch] {name}: subinterpreter check skipped: CPython "
            f"{sys.version_info[0]}.{sys.version_info[1]} has no subinterpreter with its own GIL "
            "(PEP 684, CPython 3.12+)",
            flush=True,
        )
        return
    module, call, _ = SUBINTERPRETERS[name]
    expect = subinterpreter_expectation(name, sys.version_info[:2])
    python = environment / "bin" / "python"
    probe_env = {**env, "PYTHONPATH": str(project)}
    for scenario in ("isolated", "main-then-isolated"):
        command = [str(python), str(SUBINTERPRETER_PROBE), module, call, f"--scenario={scenario}"]
        subprocess.run([*command, f"--expect={expect}"], cwd=project, env=probe_env, check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="projects to run (default: all)")
    parser.add_argument("--require-all", action="store_true", help="fail instead of skipping a project")
    parser.add_argument("--record", type=Path, help="write what shipping each project found here (JSON)")
    options = parser.parse_args()
    found = blocks()
    folders = {path.name for path in PROJECTS.iterdir() if path.is_dir()}
    errors = [
        f"tutorials/from_scratch/{name}/ has no <!-- from-scratch: {name} --> block"
        for name in folders - set(found)
    ]
    errors += [
        f"{found[name][0].name}: no folder tutorials/from_scratch/{name}/" for name in set(found) - folders
    ]
    errors += [
        f"SUBINTERPRETERS says nothing of tutorials/from_scratch/{name}/"
        for name in folders - set(SUBINTERPRETERS)
    ]
    for name in options.names:
        if name not in found:
            errors.append(f"unknown project {name!r} (known: {', '.join(sorted(found))})")
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    failed, timings, shipped = [], {}, []
    ships = sys.platform.startswith("linux")
    if not ships:
        print("[from-scratch] shipping skipped: auditwheel inspects Linux wheels only", flush=True)
    with tempfile.TemporaryDirectory(prefix="from-scratch-") as tmp:
        for name in options.names or sorted(found):
            chapter, commands = found[name]
            tool = NEEDS.get(name)
            if tool and shutil.which(tool) is None:
                message = f"[from-scratch] {name}: skipped, no {tool} on PATH"
                if options.require_all:
                    failed.append(name)
                print(message, flush=True)
                continue
            print(f"[from-scratch] {name}: the commands of {chapter.name}", flush=True)
            try:
                timings[name] = run_project(name, commands, Path(tmp))
                if ships:
                    print(f"[from-scratch] {name}: shipping its wheel", flush=True)
                    shipped.append(
                        shipping.ship_and_check(
                            name,
                            PROJECTS / name,
                            PROJECTS / name / "check.py",
                            Path(tmp) / f"{name}-shipping",
                        )
                    )
            except (subprocess.CalledProcessError, SystemExit) as error:
                print(f"[from-scratch] {name}: FAILED ({error})", flush=True)
                failed.append(name)
    if options.record:
        options.record.parent.mkdir(parents=True, exist_ok=True)
        options.record.write_text(json.dumps({"projects": shipped}, indent=2) + "\n", encoding="utf-8")
    for name, seconds in timings.items():
        print(f"[from-scratch] {name}: ok in {seconds:.0f} s")
    if failed:
        print(f"[from-scratch] failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
