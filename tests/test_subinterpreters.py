"""Subinterpreters: where each build imports and where it refuses, cleanly.

Every build, in three scenarios, each in a fresh child process (a crash there is a
failure with the child's output, never a lost test run), through the probe
``tools/subinterpreters.py`` (it hides how each CPython creates subinterpreters):

``legacy``
    a subinterpreter sharing the main interpreter's GIL, in a process that has not
    imported the package: the import and a call work (NumPy warns that it does not
    properly support subinterpreters, and works). Two exceptions, each explained at
    its expectation below: the cffi build on CPython 3.13+ (a clean ImportError) and
    the pybind11 build before 3.12 (a deadlock at import; the child is killed);
``isolated``
    a subinterpreter with its own GIL (CPython 3.12+): ``import bindings`` raises
    ImportError, because NumPy's ``_multiarray_umath`` does not declare support for a
    per-interpreter GIL, so CPython refuses to load it there;
``main-then-legacy``
    the main interpreter has imported the build, then a legacy subinterpreter
    imports it: ImportError, because NumPy 2.4+ allows one ``_multiarray_umath`` per
    process ("cannot load module more than once per process"). An older NumPy (2.2.6,
    the last for CPython 3.10) loads again, and then each backend decides: the cffi
    and Cython builds refuse, each for its own reason below, pybind11's hangs as in
    ``legacy``, and the others work.

So NumPy decides, before any backend's own declaration is looked at (bindings/README.md,
"Subinterpreters"). An outcome other than the expected one fails, saying what to
update: if NumPy starts to support subinterpreters, the backends' own declarations
start to matter, and this table and the README must say what they do.
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest

import bindings

ROOT = Path(__file__).resolve().parents[1]
PROBE = ROOT / "tools" / "subinterpreters.py"
sys.path.insert(0, str(PROBE.parent))
import subinterpreters  # noqa: E402  (the probe, from tools/)

SCENARIOS = ("legacy", "isolated", "main-then-legacy")
TIMEOUT = 120  # seconds per child; NumPy's import in a subinterpreter takes well under one


class Refusal(NamedTuple):
    """An ImportError at import whose traceback contains ``marker``, for the reason ``why``
    (``short``: the compatibility matrix's words for it)."""

    marker: str
    why: str
    short: str


NUMPY_ONE_GIL = Refusal(
    "_multiarray_umath does not support loading in subinterpreters",
    "NumPy's _multiarray_umath does not declare support for a per-interpreter GIL",
    "ImportError: NumPy",
)
NUMPY_ONCE_PER_PROCESS = Refusal(
    "cannot load module more than once per process",
    "NumPy allows one _multiarray_umath per process, and the main interpreter has it",
    "ImportError: NumPy, once per process",
)
#: The first NumPy whose _multiarray_umath refuses a second load in one process: 2.4.0's
#: has the message, 2.3.0's has not (and 2.2.6, the last for CPython 3.10, loads again).
NUMPY_ONCE_PER_PROCESS_SINCE = "2.4.0"
# cffi's init function registers "<module>.lib" in the sys.modules of the interpreter it
# runs in (https://github.com/python-cffi/cffi/blob/main/src/c/cffi1_module.c), and
# `from ._cffi_bcore.lib import ...` needs that entry. In a subinterpreter it never runs:
# CPython 3.13 runs a single-phase init function (cffi's modules have one) with the main
# interpreter active, whichever interpreter imports the module
# (https://github.com/python/cpython/blob/v3.13.0/Python/import.c, import_run_extension),
# and before 3.13 a second import of such a module copies the first one's dictionary
# instead of running the function again.
CFFI_LIB_IN_MAIN = Refusal(
    "No module named 'bindings.cffi",
    "cffi's init function registers <module>.lib in sys.modules, and it ran in the main interpreter",
    "ImportError: cffi's lib module",
)
# Without its module state (CYTHON_USE_MODULE_STATE), a Cython module records the first
# interpreter that imports it and refuses every other one.
CYTHON_ONE_INTERPRETER = Refusal(
    "Interpreter change detected",
    "a Cython module without module state loads in one interpreter only",
    "ImportError: Cython, one interpreter",
)


class Deadlock(NamedTuple):
    """The import never returns, for the reason ``why``: the child is killed after DEADLOCK_WAIT."""

    why: str


# Before 3.12, PyGILState_Ensure() in a subinterpreter takes the thread state the thread
# has in the main interpreter and waits for a GIL that the subinterpreter holds: CPython
# documents mixing the two as unsupported, and 3.12 made the gilstate follow the active
# thread state (tstate_activate in https://github.com/python/cpython/blob/v3.12.1/Python/pystate.c).
# pybind11 3.x, without its subinterpreter support below 3.12, calls it while creating its
# internals at import (gil_scoped_acquire_simple in include/pybind11/detail/internals.h).
PYBIND11_GILSTATE = Deadlock(
    "pybind11 calls PyGILState_Ensure() at import, which waits forever in a subinterpreter before 3.12"
)
DEADLOCK_WAIT = 30  # seconds; a legacy import that works takes a few


class Unobserved(NamedTuple):
    """A combination nobody has run yet: skipped, saying so, rather than guessed."""

    what: str


def expectation(build: str, scenario: str) -> Refusal | Deadlock | Unobserved | None:
    """None: the import and the call work; else the refusal or deadlock expected."""
    backend = build.removesuffix(bindings.ABI3_SUFFIX)
    if scenario == "isolated":
        return NUMPY_ONE_GIL
    if scenario == "main-then-legacy" and np.lib.NumpyVersion(np.__version__) >= NUMPY_ONCE_PER_PROCESS_SINCE:
        return NUMPY_ONCE_PER_PROCESS
    # NumPy lets the subinterpreter import the package; the backend decides.
    if backend == "pybind11" and sys.version_info < (3, 12):
        return PYBIND11_GILSTATE
    if scenario == "legacy":
        return CFFI_LIB_IN_MAIN if backend == "cffi" and sys.version_info >= (3, 13) else None
    # main-then-legacy with an older NumPy (seen with 2.2.6 on CPython 3.10)
    if sys.version_info >= (3, 12):
        return Unobserved(
            f"NumPy {np.__version__} (older than {NUMPY_ONCE_PER_PROCESS_SINCE}) on CPython 3.12+"
        )
    return {"cffi": CFFI_LIB_IN_MAIN, "cython": CYTHON_ONE_INTERPRETER}.get(backend)


def module_name(build: str) -> str:
    """The module ``bindings.load(build)`` imports (see bindings.load)."""
    backend = build.removesuffix(bindings.ABI3_SUFFIX)
    return f"bindings.{backend}" if backend == build else f"bindings.{backend}_abi3"


NO_ANSWER = "no answer within"


class Child(NamedTuple):
    result: dict | None  # what the probe printed
    failure: str  # "" if the process ended with status 0; else how it ended, and its output


def _launch(build: str, scenario: str) -> subprocess.Popen[str]:
    module = module_name(build)
    command = [sys.executable, str(PROBE), module, f"{module}.add(2, 3)", f"--scenario={scenario}"]
    env = {**os.environ, "PYTHONFAULTHANDLER": "1"}
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _wait(child: subprocess.Popen[str], started: float, limit: float) -> Child:
    """The child's outcome; killed if it has not ended ``limit`` seconds after ``started``."""
    try:
        stdout, stderr = child.communicate(timeout=max(0.0, started + limit - time.monotonic()))
    except subprocess.TimeoutExpired:
        child.kill()
        stdout, stderr = child.communicate()
        return Child(None, f"{NO_ANSWER} {limit} s\nstdout:\n{stdout}\nstderr:\n{stderr}")
    status = child.returncode
    if status == 0:
        return Child(subinterpreters.parse(stdout), "")
    ended = f"killed by {signal.Signals(-status).name}" if status < 0 else f"exit status {status}"
    return Child(
        subinterpreters.parse(stdout), f"{ended}\nstdout:\n{stdout[-3000:]}\nstderr:\n{stderr[-6000:]}"
    )


def _imports(build: str) -> bool:
    """Whether the build is in this install (the ``core`` fixture skips or fails the others)."""
    try:
        bindings.load(build)
    except ImportError:
        return False
    return True


@functools.cache
def run_children() -> dict[tuple[str, str], Child]:
    """Every (build, scenario) this install and CPython have, one child process each.

    All start at once: each spends most of its time importing NumPy, and waiting for
    them one build at a time would add up on a loaded machine.
    """
    started = time.monotonic()
    children = {
        (build, scenario): _launch(build, scenario)
        for build in bindings.BUILDS
        if _imports(build)
        for scenario in SCENARIOS
        if subinterpreters.unavailable(scenario) is None
        and not isinstance(expectation(build, scenario), Unobserved)
    }
    limits = {key: DEADLOCK_WAIT if isinstance(expectation(*key), Deadlock) else TIMEOUT for key in children}
    return {key: _wait(child, started, limits[key]) for key, child in children.items()}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_subinterpreter(core, scenario, request, compat):
    reason = subinterpreters.unavailable(scenario)
    if reason:
        pytest.skip(reason)
    build = request.node.callspec.params["core"]
    where = f"{module_name(build)} in a {scenario} subinterpreter"
    update = "update test_subinterpreters.py and the Subinterpreters section of bindings/README.md"
    expected = expectation(build, scenario)
    if isinstance(expected, Unobserved):
        pytest.skip(f"no expectation for {where} with {expected.what}: run it and add one")
    child = run_children()[build, scenario]
    if isinstance(expected, Deadlock):
        assert child.failure.startswith(NO_ANSWER), (
            f"{where} was expected to hang ({expected.why}), but it ended: if that changed, {update}\n"
            f"{child.failure or subinterpreters.describe(child.result)}"
        )
        compat(f"subinterpreter.{scenario}", "hangs (PyGILState before 3.12)")
        return
    assert not child.failure, f"the child process failed: {child.failure}"
    assert child.result is not None, "the child printed no result"
    got = subinterpreters.describe(child.result)
    if expected is None:
        assert child.result["outcome"] == "works", (
            f"{where} should work, but: {got}\n{child.result['traceback']}"
        )
        compat(f"subinterpreter.{scenario}", "works")
        return
    assert child.result["outcome"] == "raised", (
        f"{where} now works, where {expected.why}: if that changed, {update}"
    )
    traceback = child.result["traceback"]
    assert subinterpreters.expected(child.result, "refuses"), (
        f"{where} should refuse with an ImportError at import ({expected.why}), but: {got}\n{traceback}"
    )
    assert expected.marker in traceback, (
        f"{where} refuses, but not because {expected.why} (no {expected.marker!r} in the traceback): "
        f"if the reason changed, {update}\n{traceback}"
    )
    compat(f"subinterpreter.{scenario}", expected.short)
