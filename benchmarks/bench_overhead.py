"""Call overhead: every pattern of ``patterns.py`` on every backend, with the floors.

Each figure is the time of one call net of the loop that makes it (``helpers.measure``).
The floors (builtin C functions of the two calling conventions, an empty Python function)
and NumPy's own dsum, scale and matvec run in the same process, so every figure has a
reference. ``run.py`` runs this file in several independent worker processes; in each,
the C-API backend is measured a second time at the end of every pattern's group of
backends (``bench_overhead_again``): the A/A comparison that shows the method's own spread.

``bench_harness`` times ``noop`` and ``add`` (and the METH_NOARGS floor) the other way, as
pytest-benchmark alone times a function: ``benchmark(f, *args)``, its own loop calling
``f(*args, **kwargs)``. The report sets the two side by side: what a harness adds.
"""

from __future__ import annotations

import pytest
from helpers import label, measure_pattern
from patterns import FLOORS, NUMPY_EQUIVALENTS, PATTERNS, REFERENCE, namespace

import bindings

#: How many times each floor is measured in a worker (spread over it, see conftest.py).
FLOOR_REPEATS = 3


@pytest.mark.every_build  # and on each stable-ABI build: what abi3 costs per pattern
@pytest.mark.parametrize("pattern", PATTERNS)
def bench_overhead(benchmark, core, backend, pattern, settings):
    label(benchmark, kind="overhead", pattern=pattern, backend=backend, call=PATTERNS[pattern].call)
    measure_pattern(benchmark, PATTERNS[pattern], core, settings, allocations=True)


@pytest.mark.parametrize("pattern", PATTERNS)
def bench_overhead_again(benchmark, pattern, settings):
    if REFERENCE not in bindings.available():
        pytest.skip(f"the reference backend {REFERENCE} is not built here")
    label(benchmark, kind="overhead", pattern=pattern, backend=REFERENCE, variant="again")
    measure_pattern(benchmark, PATTERNS[pattern], bindings.load(REFERENCE), settings)


@pytest.mark.parametrize("floor", FLOORS)
@pytest.mark.parametrize("repeat", range(FLOOR_REPEATS))
def bench_floor(benchmark, floor, repeat, settings):
    label(
        benchmark,
        kind="baseline",
        pattern=floor,
        backend=floor,
        call=FLOORS[floor].call,
        variant=f"#{repeat + 1}",
    )
    measure_pattern(benchmark, FLOORS[floor], None, settings, allocations=True)


@pytest.mark.parametrize("pattern", NUMPY_EQUIVALENTS)
def bench_numpy(benchmark, pattern, settings):
    label(benchmark, kind="overhead", pattern=pattern, backend="numpy", call=NUMPY_EQUIVALENTS[pattern].call)
    measure_pattern(benchmark, NUMPY_EQUIVALENTS[pattern], None, settings, allocations=True)


#: The patterns timed through pytest-benchmark's own loop too, and their arguments in order.
HARNESS_CALLS = {"noop": ("f",), "add": ("f", "a", "b"), "builtin": ("f",)}


def _harness(benchmark, pattern, core) -> None:
    source = PATTERNS.get(pattern) or FLOORS[pattern]
    names = namespace(source, core)
    f, *args = (names[name] for name in HARNESS_CALLS[pattern])
    benchmark(f, *args)


@pytest.mark.parametrize("pattern", ("noop", "add"))
def bench_harness(benchmark, core, backend, pattern, settings):
    label(benchmark, kind="harness", pattern=pattern, backend=backend)
    _harness(benchmark, pattern, core)


def bench_harness_floor(benchmark, settings):
    label(benchmark, kind="harness", pattern="builtin", backend="builtin")
    _harness(benchmark, "builtin", None)
