"""Call overhead: every pattern of the shared interface on every backend, with the floors.

Each figure is the median time of one call, pytest-benchmark calibrating how many calls
make a round. The floors (a builtin C function, an empty Python function) and NumPy's
own dsum, scale and matvec run in the same session, so every figure has a reference.
Each pattern also records the memory one call allocates (tracemalloc).
"""

from __future__ import annotations

import pytest
from helpers import (
    FLOOR_REPEATS,
    FLOORS,
    NUMPY_EQUIVALENTS,
    PATTERNS,
    floor_call,
    label,
    numpy_call,
    pattern_call,
    run,
)


@pytest.mark.parametrize("pattern", PATTERNS)
def bench_overhead(benchmark, core, backend, pattern, settings):
    label(benchmark, kind="overhead", pattern=pattern, backend=backend, call=PATTERNS[pattern])
    run(benchmark, pattern_call(core, pattern), settings, allocations=True)


@pytest.mark.parametrize("floor", FLOORS)
@pytest.mark.parametrize("repeat", range(FLOOR_REPEATS))
def bench_floor(benchmark, floor, repeat, settings):
    # Measured FLOOR_REPEATS times, spread over the run by conftest.py, so that a stretch of
    # load on the machine cannot leave the figures measured under it without a fair floor.
    label(
        benchmark, kind="baseline", pattern=floor, backend=floor, call=FLOORS[floor], variant=f"#{repeat + 1}"
    )
    run(benchmark, floor_call(floor), settings, allocations=True)


@pytest.mark.parametrize("pattern", NUMPY_EQUIVALENTS)
def bench_numpy(benchmark, pattern, settings):
    label(benchmark, kind="overhead", pattern=pattern, backend="numpy", call=NUMPY_EQUIVALENTS[pattern])
    run(benchmark, numpy_call(pattern), settings, allocations=True)
