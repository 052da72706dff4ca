"""Size sweeps: dsum and scale from 1 to 1 000 000 elements, and the cost of a conversion copy.

The sweep shows where the per-call overhead stops mattering: at small n every backend
pays its crossing, at large n all of them run the same C loop. NumPy's np.sum and
x * k run beside them. scale returns a new array here, as x * k does; NumPy's
np.multiply(x, k, out) into an array made in advance is the physical limit: the same
loop with nothing allocated.

The conversion benchmarks feed dsum a float32 array and a strided float64 view, which
the interface converts to a C-contiguous float64 copy, beside the contiguous float64
array that C reads in place.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import floats, label, measure

FUNCTIONS = ("dsum", "scale")
CONVERSIONS = ("float64", "float32", "strided")


def _backend_call(core, function: str, x: np.ndarray) -> tuple[dict, str]:
    if function == "dsum":
        return {"f": core.dsum, "x": x}, "f(x)"
    return {"f": core.scale, "x": x, "k": 2.0}, "f(x, k)"


def _numpy_call(function: str, x: np.ndarray) -> tuple[dict, str]:
    if function == "dsum":
        return {"f": np.sum, "x": x}, "f(x)"
    return {"x": x, "k": 2.0}, "x * k"


@pytest.mark.parametrize("function", FUNCTIONS)
def bench_sweep(benchmark, core, backend, function, sweep_n, settings):
    label(benchmark, kind="sweep", pattern=function, backend=backend, n=sweep_n)
    measure(benchmark, *_backend_call(core, function, floats(sweep_n)), settings)


@pytest.mark.parametrize("function", FUNCTIONS)
def bench_sweep_numpy(benchmark, function, sweep_n, settings):
    label(benchmark, kind="sweep", pattern=function, backend="numpy", n=sweep_n)
    measure(benchmark, *_numpy_call(function, floats(sweep_n)), settings)


def bench_sweep_numpy_out(benchmark, sweep_n, settings):
    """The physical reference of a large scale: NumPy's own loop into a ready array, nothing allocated."""
    label(benchmark, kind="sweep", pattern="scale", backend="numpy", n=sweep_n, variant="out")
    x = floats(sweep_n)
    measure(
        benchmark, {"f": np.multiply, "x": x, "k": 2.0, "out": np.empty_like(x)}, "f(x, k, out)", settings
    )


def _conversion_input(kind: str, n: int) -> np.ndarray:
    if kind == "float64":
        return floats(n)
    if kind == "float32":
        return floats(n).astype(np.float32)
    return floats(2 * n)[::2]  # every other element: a strided view, not contiguous


@pytest.mark.parametrize("conversion", CONVERSIONS)
def bench_conversion(benchmark, core, backend, conversion, conversion_n, settings):
    label(benchmark, kind="conversion", pattern="dsum", backend=backend, n=conversion_n, variant=conversion)
    measure(benchmark, {"f": core.dsum, "x": _conversion_input(conversion, conversion_n)}, "f(x)", settings)
