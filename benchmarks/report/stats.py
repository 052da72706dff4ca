"""Figures derived from a run: ratios to the C-API backend, geometric means, crossovers, speed-ups.

The arithmetic only: nothing here formats a number or judges whether it is plausible.
"""

from __future__ import annotations

import math

import numpy as np

from .intervals import geometric_mean_draws, interval, overlap, paired_ratio
from .load import REFERENCE, Figure, Run

WITHIN = 0.10  # "within 10 % of the C-API backend"


def reference_of(run: Run, f: Figure) -> Figure | None:
    """The C-API backend's figure for the same measurement as f (its first, not the A/A repeat)."""
    variant = None if f.variant == "again" else f.variant
    return run.get(f.kind, f.pattern, REFERENCE, variant, f.n, f.threads)


# region: paired-ratio
def ratio(run: Run, f: Figure | None) -> float | None:
    """f over the C-API backend's figure for the same measurement, paired by worker."""
    if f is None:
        return None
    ref = reference_of(run, f)
    if ref is None or ref.median <= 0:
        return None
    return paired_ratio(f.samples, ref.samples) if f.samples and ref.samples else f.median / ref.median


# endregion: paired-ratio


def paired(run: Run, a: Figure, b: Figure) -> tuple[float, tuple[float, float]]:
    """a over b, paired by worker, and its 95 % interval (any two figures; ``ratio`` takes capi's)."""
    return paired_ratio(a.samples, b.samples), interval(
        run.bootstrap.ratios(a.key, a.samples, b.key, b.samples)
    )


def ratio_draws(run: Run, f: Figure | None) -> np.ndarray | None:
    """Bootstrap draws of f's ratio to the C-API backend, paired by worker."""
    ref = reference_of(run, f) if f is not None else None
    if f is None or ref is None or ref is f:
        return None
    return run.bootstrap.ratios(f.key, f.samples, ref.key, ref.samples)


def ratio_interval(run: Run, f: Figure | None) -> tuple[float, float] | None:
    """The 95 % interval of f's ratio to the C-API backend (None for capi itself)."""
    draws = ratio_draws(run, f)
    return None if draws is None else interval(draws)


def geometric_mean_interval(run: Run, figures: list[Figure]) -> tuple[float, float] | None:
    """The 95 % interval of the geometric mean of several figures' ratios to capi."""
    draws = [d for d in (ratio_draws(run, f) for f in figures) if d is not None]
    return interval(geometric_mean_draws(draws)) if draws else None


def tied(a: tuple[float, float] | None, b: tuple[float, float] | None) -> bool:
    """Two figures whose intervals overlap are tied within noise (unknown counts as tied)."""
    return a is None or b is None or overlap(a, b)


def instruction_ratio(run: Run, backend: str, pattern: str) -> float | None:
    """callgrind's instructions per call of backend over capi's, for one pattern."""
    mine, ref = run.instructions_per_call(backend, pattern), run.instructions_per_call(REFERENCE, pattern)
    return mine / ref if mine and ref and ref > 0 else None


def thread_speedups(run: Run) -> dict[str, tuple[Figure, Figure, float | None]]:
    result = {}
    for backend in run.backends:
        one = run.get("threads", "update_many", backend, None, _thread_n(run), 1)
        two = run.get("threads", "update_many", backend, None, _thread_n(run), 2)
        if one and two and two.median > 0:
            result[backend] = (one, two, two.threads * one.median / two.median)
    return result


def gil_release_costs(run: Run) -> dict[str, tuple[Figure, Figure, float, tuple[float, float] | None]]:
    """label -> (without the release, with it, their paired ratio, its 95 % interval).

    Each backend's ``scale`` at GIL_RELEASE_MIN_SIZE over one element below it, where the
    compiled backends start releasing (the one extra element is noise beside a call of a
    microsecond), and ctypes' raw empty call through ``CDLL`` (releases) over ``PyDLL``
    (keeps it). An interval that holds 1 means the release costs less than the run resolves.
    """
    costs = {}
    threshold = run.select("gil", pattern="scale_threshold")

    def variant(backend: str, name: str) -> Figure | None:
        return next((f for f in threshold if f.backend == backend and f.variant == name), None)

    pairs = [(b, variant(b, "below"), variant(b, "at")) for b in run.backends]
    pairs.append(
        (
            "ctypes raw noop",
            run.get("gil", "ctypes_noop", "ctypes", "holds"),
            run.get("gil", "ctypes_noop", "ctypes", "releases"),
        )
    )
    for label, held, released in pairs:
        if held is None or released is None or held.median <= 0:
            continue
        if held.samples and released.samples:
            costs[label] = (held, released, *paired(run, released, held))
        else:
            costs[label] = (held, released, released.median / held.median, None)
    return costs


def _thread_n(run: Run) -> int | None:
    sizes = {f.n for f in run.select("threads")}
    return next(iter(sizes)) if len(sizes) == 1 else (max(sizes) if sizes else None)


def crossover(run: Run, pattern: str, backend: str) -> tuple[int | None, bool]:
    """(the smallest n from which backend stays within 10 % of capi, whether it ever does).

    "Within" means no more than 10 % slower (a faster backend is within too). None with
    True means at every measured size.
    """
    sizes = sorted({f.n for f in run.select("sweep", pattern=pattern, backend=REFERENCE)})
    # Paired by worker, as every ratio the report shows: the table beside it prints these.
    ratios = [ratio(run, run.get("sweep", pattern, backend, None, n)) for n in sizes]
    if not ratios or any(r is None for r in ratios):
        return None, False
    start = None
    for n, r in zip(reversed(sizes), reversed(ratios), strict=True):
        if r <= 1 + WITHIN:
            start = n
        else:
            break
    return start, start is not None


def geometric_mean(values: list[float]) -> float | None:
    values = [v for v in values if v and v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


#: The large-array targets of the wrapper-tax issue (#14): at the largest size, each
#: backend against NumPy's own loop on the same input (the variant names NumPy's call).
LARGE_ARRAY_TARGETS = {"dsum": (None, 1.2), "scale": ("out", 1.15)}


def large_array_ratios(run: Run) -> dict[str, tuple[int, dict[str, tuple[float, tuple[float, float]]]]]:
    """pattern -> (largest n, {backend: (time over NumPy's, 95 % interval)}), paired by worker."""
    result = {}
    for pattern, (variant, _) in LARGE_ARRAY_TARGETS.items():
        sizes = [f.n for f in run.select("sweep", pattern=pattern, backend="numpy", variant=variant)]
        if not sizes:
            continue
        n = max(sizes)
        numpy_figure = run.get("sweep", pattern, "numpy", variant, n)
        ratios = {}
        for backend in run.backends:
            f = run.get("sweep", pattern, backend, None, n)
            if f is None or numpy_figure is None:
                continue
            ratios[backend] = paired(run, f, numpy_figure)
        result[pattern] = (n, ratios)
    return result
