"""What every test module shares: the ``core`` fixture, hypothesis profiles, leak checks.

``core`` runs a test once per build in ``bindings.BUILDS``: every backend, then
the stable-ABI builds (``capi-abi3``...). A build this interpreter cannot load
(``bindings.builds_for()``) is skipped, saying why. A backend that
does not import is skipped, with the ImportError text as the reason, unless
the environment variable ``BINDINGS_REQUIRED`` (comma-separated names; the nox
session sets it to what it built) names it: then its tests fail, because a
backend that should have been built and was not is a broken build, not a
missing optional extra.

``BINDINGS_COMPAT_OUT`` (a folder) makes the run write ``<folder>/<python>.json``: per
build, the tests that passed and failed, and the compatibility facts tests recorded
through the ``compat`` fixture (the report's compatibility matrix is made from them).

``HYPOTHESIS_PROFILE`` picks a hypothesis profile: "default" (fast, random),
"ci" (reproducible: derandomized), "thorough" (many examples, for local
digging) or "fuzz" (``FUZZ_EXAMPLES`` per test; used by ``nox -s fuzz``).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import os
import platform
import sys
import sysconfig
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, settings

import bindings

settings.register_profile("default", max_examples=30, deadline=None)
settings.register_profile(
    "ci", max_examples=50, deadline=None, derandomize=True, database=None, print_blob=True
)
settings.register_profile("thorough", max_examples=1000, deadline=None)
# `nox -s fuzz`: many examples per round, a fresh random seed each round (printed
# by tests/reliability/fuzz.py), no example database, so failures come from the seed.
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "2000")),
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def required_backends() -> frozenset[str]:
    return bindings.required()


def pytest_configure(config: pytest.Config) -> None:
    try:
        bindings.required()
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None


@functools.cache
def try_load(name: str) -> tuple[ModuleType | None, str]:
    """(module, "") if the backend imports, else (None, the ImportError text)."""
    try:
        return bindings.load(name), ""
    except ImportError as exc:
        return None, str(exc)


def fail_if_required(name: str, error: str) -> None:
    if name in required_backends():
        pytest.fail(f"backend {name!r} is in BINDINGS_REQUIRED but does not import: {error}", pytrace=False)


def load_or_skip(name: str) -> ModuleType:
    module, error = try_load(name)
    if module is None:
        fail_if_required(name, error)
        pytest.skip(error)
    return module


def pytest_report_header(config: pytest.Config) -> list[str]:
    available = [name for name in bindings.BUILDS if try_load(name)[0] is not None]
    lines = [
        f"bindings: {os.path.dirname(bindings.__file__)}",
        f"backends available: {', '.join(available) or 'none'}",
    ]
    for name in bindings.BUILDS:
        module, error = try_load(name)
        if module is None:
            lines.append(f"  {name} unavailable: {error}")
    if required_backends():
        lines.append(f"backends required (BINDINGS_REQUIRED): {', '.join(sorted(required_backends()))}")
    return lines


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Mark the tests of a missing optional backend as skipped up front: the
    # same outcome as skipping in the fixture, but `-ra` then folds the
    # reasons into one line per file instead of one per test.
    for item in items:
        callspec = getattr(item, "callspec", None)
        name = callspec.params.get("core") if callspec else None
        if name is None or name in required_backends():
            continue
        module, error = try_load(name)
        if module is None:
            item.add_marker(pytest.mark.skip(reason=error))


@pytest.fixture(scope="session", params=bindings.BUILDS, ids=bindings.BUILDS)
def core(request: pytest.FixtureRequest) -> ModuleType:
    """One backend module, e.g. ``bindings.load("capi")``; every test runs once per build.

    Session-scoped, so hypothesis tests may use it: the module is the same
    object for every example anyway.
    """
    return load_or_skip(request.param)


@pytest.fixture(scope="session")
def all_cores() -> dict[str, ModuleType]:
    """Every backend that imports, by name, for tests that compare backends."""
    cores = {}
    for name in bindings.BACKENDS:
        module, error = try_load(name)
        if module is None:
            fail_if_required(name, error)
        else:
            cores[name] = module
    if not cores:
        pytest.skip("no backend imports")
    return cores


# region: no-leaks
@pytest.fixture
def no_leaks(core: ModuleType):
    """A context manager: the core's live allocations must end where they began.

    ``with no_leaks(): ...`` collects garbage before and after, so objects
    waiting in a reference cycle neither hide a leak nor fake one.
    """

    @contextlib.contextmanager
    def check():
        gc.collect()
        before = core.live_allocations()
        yield before
        gc.collect()
        after = core.live_allocations()
        assert after == before, f"{after - before} core allocation(s) not released"

    return check


# endregion: no-leaks


# ---- the compatibility record (BINDINGS_COMPAT_OUT) ------------------------------------

#: build -> {"passed": n, "failed": n, <fact>: value}, filled as the tests run.
_COMPAT: defaultdict[str, dict[str, object]] = defaultdict(lambda: {"passed": 0, "failed": 0})


@pytest.fixture
def compat(request: pytest.FixtureRequest):
    """``compat(fact, value)``: records a fact about the test's build (``core``'s parameter),
    kept if the test passes; a failing test records ``"failed"`` for the fact instead."""

    def record(fact: str, value: object) -> None:
        request.node.user_properties.append(("compat", (fact, value)))

    return record


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    callspec = getattr(item, "callspec", None)
    build = callspec.params.get("core") if callspec else None
    if build is None or report.skipped or (report.when != "call" and report.passed):
        return report
    entry = _COMPAT[build]
    entry["passed" if report.passed else "failed"] += 1  # type: ignore[operator]
    for fact, value in (value for key, value in item.user_properties if key == "compat"):
        entry[fact] = value if report.passed else "failed"
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    folder = os.environ.get("BINDINGS_COMPAT_OUT")
    if not folder:
        return
    if hasattr(session.config, "workerinput"):  # pytest-xdist: each worker sees only its share
        raise pytest.UsageError("BINDINGS_COMPAT_OUT needs one process: run without pytest-xdist's -n")
    if not _COMPAT:
        return
    version = platform.python_version()
    free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    record = {
        "python": version + ("t" if free_threaded else ""),
        "implementation": sys.implementation.name,
        "platform": sysconfig.get_platform(),
        "free_threaded": free_threaded,
        "builds": dict(_COMPAT),
    }
    path = Path(folder) / f"{record['python']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
