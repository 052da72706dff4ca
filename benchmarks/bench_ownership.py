"""Ownership: who allocates the result, at equal output size.

- ``find_peaks``: the callee allocates (the core mallocs the indices, the binding hands
  them to Python and frees them); its input holds 2m + 1 values and exactly m peaks.
- ``find_peaks_into``: the callee asks the caller for memory (the core calls the binding's
  allocator callback, which creates the NumPy result; C writes into it, nothing is copied
  or freed); the same input and output as ``find_peaks``.
- ``scale_out``: the caller allocates (``scale(x, k, out)`` into an array made once; ``out``
  goes by position, as every argument of a measured call does).
- ``scale_new``: the binding allocates the result array (``scale(x, k)``).

Each output holds m 8-byte elements. Each benchmark also records the peak memory one
call allocates, as tracemalloc sees it.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import alternating, floats, label, measure

# region: ownership-benchmark
STRATEGIES = ("find_peaks", "find_peaks_into", "scale_out", "scale_new")


def _call(core, strategy: str, m: int) -> tuple[dict, str]:
    if strategy in ("find_peaks", "find_peaks_into"):
        return {"f": getattr(core, strategy), "x": alternating(m), "t": 0.5}, "f(x, t)"
    x = floats(m)
    if strategy == "scale_out":
        return {"f": core.scale, "x": x, "k": 2.0, "out": np.empty_like(x)}, "f(x, k, out)"
    return {"f": core.scale, "x": x, "k": 2.0}, "f(x, k)"


@pytest.mark.parametrize("strategy", STRATEGIES)
def bench_ownership(benchmark, core, backend, strategy, ownership_n, settings):
    label(benchmark, kind="ownership", pattern=strategy, backend=backend, n=ownership_n)
    measure(benchmark, *_call(core, strategy, ownership_n), settings, allocations=True)


# endregion: ownership-benchmark
