"""Fixtures of the benchmark suite: the backend parametrization and the run's settings.

A benchmark that takes ``core`` runs once per backend that imports on this install
(``bindings.available()``); ``backend`` is its name. One marked ``every_build`` (the call
patterns) also runs on each stable-ABI build that imports (``capi-abi3``..., see
``builds.py``). If the environment variable ``BINDINGS_REQUIRED`` (comma-separated, set by
nox) names a build that does not import, the run stops at once: a report that silently
lacks a backend would mislead.

``--bench-mode`` (full, quick, smoke) picks the sizes and rounds in ``helpers.MODES``;
the fixtures ``sweep_n``, ``conversion_n`` and ``ownership_n`` take the mode's sizes.
``--bench-worker K`` numbers the worker process (``run.py`` starts several): every figure
records it, and odd workers measure the backends of a group in the reverse order.
``--bench-headline`` keeps only the headline call patterns (``patterns.HEADLINE``), their
A/A repeat and the floors: what ``run.py --version-of`` measures on a further interpreter.
"""

from __future__ import annotations

from types import ModuleType

import builds
import pytest
from helpers import MODES, Settings
from patterns import HEADLINE, REFERENCE

import bindings


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("bindings benchmarks")
    group.addoption(
        "--bench-mode",
        choices=sorted(MODES),
        default="full",
        help="sizes and rounds: full (the report), quick (CI), smoke (tests: a handful of rounds)",
    )
    group.addoption(
        "--bench-worker",
        type=int,
        default=0,
        help="number of this worker process (recorded in every figure; odd: backends in reverse)",
    )
    group.addoption(
        "--bench-headline",
        action="store_true",
        help="only the headline call patterns, their A/A repeat and the floors (a further interpreter's part)",
    )
    group.addoption(
        "--bench-no-table",
        action="store_true",
        help="do not print pytest-benchmark's table (the report is made from the JSON)",
    )


def _available(every_build: bool = False) -> tuple[str, ...]:
    """The backends that import here; with ``every_build``, their stable-ABI builds too."""
    return builds.loadable() if every_build else builds.loadable(bindings.BACKENDS)


#: Only the call patterns run on the stable-ABI builds too (see builds.py).
EVERY_BUILD = "every_build"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{EVERY_BUILD}: runs on the stable-ABI builds too")
    try:
        required = bindings.required()
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    missing = sorted(required - set(_available(every_build=True)))
    if missing:
        errors = []
        for name in missing:
            try:
                bindings.load(name)
            except (ImportError, ValueError) as exc:
                errors.append(f"{name}: {exc}")
        raise pytest.UsageError("BINDINGS_REQUIRED backends do not import:\n  " + "\n  ".join(errors))


def pytest_report_header(config: pytest.Config) -> list[str]:
    missing = [name for name in bindings.BUILDS if name not in _available(every_build=True)]
    return [
        f"bench mode: {config.getoption('--bench-mode')}",
        f"backends benchmarked: {', '.join(_available(every_build=True)) or 'none'}",
        f"backends not built here: {', '.join(missing) or 'none'}",
    ]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        names = _available(every_build=metafunc.definition.get_closest_marker(EVERY_BUILD) is not None)
        if not names:
            raise pytest.UsageError("no backend imports: build the package first (pip install .)")
        metafunc.parametrize("backend", names, ids=names)
    # Sizes depend on the mode, so they are parametrized here rather than in the files.
    mode = MODES[metafunc.config.getoption("--bench-mode")]
    for fixture, sizes in (
        ("sweep_n", mode.sweep_sizes),
        ("conversion_n", mode.conversion_sizes),
        ("ownership_n", mode.ownership_sizes),
    ):
        if fixture in metafunc.fixturenames:
            metafunc.parametrize(fixture, sizes, ids=[f"n={n}" for n in sizes])


@pytest.fixture
def core(backend: str) -> ModuleType:
    """The backend module under test, e.g. ``bindings.load("capi")`` (imported once, then cached)."""
    return bindings.load(backend)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Runs the backends of one measurement back to back, and spreads the floors over the run.

    Every ratio compares two backends, so they are measured within seconds of each other:
    load that comes and goes on the machine then shifts both, not one. The reference
    backend opens each group and is measured again at its end (``bench_overhead_again``);
    between them, odd workers take the other backends in the reverse order, so that no
    backend always sits next to the reference. The floors (``bench_floor``, one group
    per repeat) go at even intervals among the rest, so the plausibility check has a
    floor measured under every stretch of the run's conditions.
    """
    if config.getoption("--bench-headline"):
        _keep_headline(config, items)
    others = [name for name in builds.ordered(bindings.BUILDS) if name != REFERENCE]
    if config.getoption("--bench-worker") % 2:
        others.reverse()
    order = {name: i for i, name in enumerate([REFERENCE, *others])}
    again = {"bench_overhead_again": ("bench_overhead", len(order))}

    def name_and_rank(item: pytest.Item) -> tuple[str, int | None]:
        name = getattr(item, "originalname", item.name)
        if name in again:
            return again[name]
        backend = item.callspec.params.get("backend") if hasattr(item, "callspec") else None
        return name, order.get(backend, -1)

    def measurement(item: pytest.Item) -> tuple:
        params = dict(getattr(item, "callspec", None).params) if hasattr(item, "callspec") else {}
        params.pop("backend", None)
        return (item.path, name_and_rank(item)[0], tuple(sorted(map(str, params.items()))))

    first_seen: dict[tuple, int] = {}
    for index, item in enumerate(items):
        first_seen.setdefault(measurement(item), index)

    def key(item: pytest.Item) -> tuple:
        return (first_seen[measurement(item)], name_and_rank(item)[1])

    floors = [item for item in items if getattr(item, "originalname", "") == "bench_floor"]
    others = sorted((item for item in items if item not in floors), key=key)
    groups: dict[object, list[pytest.Item]] = {}
    for item in floors:
        groups.setdefault(item.callspec.params.get("repeat"), []).append(item)
    spread = list(others)
    for k, group in reversed(list(enumerate(groups.values()))):
        spread[round(k * len(others) / len(groups)) : round(k * len(others) / len(groups))] = group
    items[:] = spread


#: What a further interpreter's part measures (``--bench-headline``): the floors whole, the
#: call patterns and their A/A repeat for the headline patterns only.
_HEADLINE_TESTS = {"bench_floor": None, "bench_overhead": HEADLINE, "bench_overhead_again": HEADLINE}


def _keep_headline(config: pytest.Config, items: list[pytest.Item]) -> None:
    def kept(item: pytest.Item) -> bool:
        name = getattr(item, "originalname", item.name)
        if name not in _HEADLINE_TESTS:
            return False
        wanted = _HEADLINE_TESTS[name]
        return wanted is None or item.callspec.params.get("pattern") in wanted

    dropped = [item for item in items if not kept(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if kept(item)]


@pytest.fixture(autouse=True)
def _worker_number(request: pytest.FixtureRequest) -> None:
    """Stamps the worker's number on every figure: the report pairs figures by worker."""
    if "benchmark" in request.fixturenames:
        request.getfixturevalue("benchmark").extra_info["worker"] = request.config.getoption("--bench-worker")


@pytest.fixture(scope="session")
def settings(pytestconfig: pytest.Config) -> Settings:
    return MODES[pytestconfig.getoption("--bench-mode")]


@pytest.hookimpl(tryfirst=True)
def pytest_benchmark_group_stats(config: pytest.Config, benchmarks: list, group_by: str) -> list | None:
    # An empty grouping makes pytest-benchmark skip its terminal table; the JSON,
    # written before this hook runs, is complete either way.
    if config.getoption("--bench-no-table"):
        return []
    return None
