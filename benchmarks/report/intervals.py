"""Net per-call samples and their 95 % intervals: a bootstrap over worker processes and rounds.

A figure is measured by several independent worker processes (``run.py``), each running
rounds of the same loop. Each worker gives one value, the median of its rounds; the
figure is the **median over workers** of those values. The median, not the mean: on a
shared machine a burst of other work can slow one worker's whole measurement of a call
(a tenth of a second) by half or more, and noise only ever makes a call slower, so a
minority of disturbed workers must not move the figure.

Its interval comes from a two-level bootstrap: resample the workers, and within each the
rounds, recompute the figure, and take the 2.5th and 97.5th percentiles of many such
draws. The spread between processes (memory layout, address randomisation, which core,
what else ran) is then in the interval, not only the spread between rounds of one.

A ratio is paired by worker: each worker's two figures ran seconds apart in the same
process, so a burst that slows a whole group of backends cancels in their ratio. The
ratio is the median over workers of each worker's ratio, and its draws resample those
per-worker ratios. A geometric mean over patterns uses the same worker draws for every
pattern.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

DRAWS = 2000
LEVEL = 0.95
SEED = 20261207

#: Per worker, the net nanoseconds per call of every round.
Samples = dict[int, np.ndarray]


def net_ns(bench: dict) -> np.ndarray:
    """The net ns per call (per ``per`` unit) of each round of one pytest-benchmark entry.

    ``data`` holds the seconds of each timed round of the calls loop (pytest-benchmark's
    raw data); ``empty_round_seconds`` the empty loop's, timed right before each round.
    An entry without them (a pre-net run) gives its gross rounds, per call.
    """
    info, stats = bench.get("extra_info", {}), bench["stats"]
    gross = np.asarray(stats.get("data") or [stats["median"]], dtype=float)
    per = int(info.get("per", 1)) or 1
    calls = int(info.get("iterations", 1)) * int(info.get("calls_per_iteration", 1))
    empty = info.get("empty_round_seconds")
    if empty is None:
        return gross / (per * (calls if "calls_per_iteration" in info else 1)) * 1e9
    empty_rounds = np.asarray(empty, dtype=float)
    if len(empty_rounds) != len(gross):  # pytest-benchmark disabled: one round of each
        empty_rounds = np.full(len(gross), float(np.median(empty_rounds)))
    return (gross - empty_rounds) / (calls * per) * 1e9


def worker_values(samples: Samples) -> dict[int, float]:
    """Each worker's value: the median of its rounds."""
    return {worker: float(np.median(values)) for worker, values in samples.items()}


def estimate(samples: Samples) -> float:
    """A figure: the median over workers of each worker's median."""
    return float(np.median(list(worker_values(samples).values())))


def paired_ratio(a: Samples, b: Samples) -> float:
    """a over b, paired by worker: the median over their common workers of each worker's ratio."""
    mine, theirs = worker_values(a), worker_values(b)
    common = sorted(set(mine) & set(theirs))
    if not common:
        return estimate(a) / estimate(b)
    return float(np.median([mine[w] / theirs[w] for w in common]))


class Bootstrap:
    """Bootstrap draws of figures and ratios, sharing one resampling of the workers."""

    def __init__(self, workers: Sequence[int], draws: int = DRAWS, seed: int = SEED) -> None:
        self.workers = sorted(workers)
        self.draws = draws
        self.seed = seed
        rng = np.random.default_rng(seed)
        # Row d: which workers draw d takes (with replacement), as indices into self.workers.
        self.picks = rng.integers(0, len(self.workers), size=(draws, len(self.workers)))
        self._cache: dict[object, np.ndarray] = {}

    def medians(self, key: object, samples: Samples) -> np.ndarray:
        """draws x workers: each worker's median over its rounds, resampled (cached by ``key``)."""
        if key in self._cache:
            return self._cache[key]
        # Each figure resamples its rounds with its own stream, the same on every run.
        rng = np.random.default_rng([self.seed, zlib.crc32(repr(key).encode())])
        workers = sorted(samples)
        result = np.empty((self.draws, len(workers)))
        for column, worker in enumerate(workers):
            values = samples[worker]
            rounds = rng.integers(0, len(values), size=(self.draws, len(values)))
            result[:, column] = np.median(values[rounds], axis=1)
        self._cache[key] = result
        return result

    def _over_workers(self, key: object, per_worker: np.ndarray, workers: list[int]) -> np.ndarray:
        """Per draw, the median over a resample of the workers (the run's shared one if it fits)."""
        if workers == self.workers:
            picks = self.picks
        else:  # measured by fewer workers (the size benchmarks): a resample of its own
            rng = np.random.default_rng([self.seed, zlib.crc32(repr(("workers", key)).encode())])
            picks = rng.integers(0, len(workers), per_worker.shape)
        return np.median(np.take_along_axis(per_worker, picks, axis=1), axis=1)

    def estimates(self, key: object, samples: Samples) -> np.ndarray:
        """``draws`` bootstrap draws of one figure."""
        return self._over_workers(key, self.medians(key, samples), sorted(samples))

    def ratios(self, key_a: object, a: Samples, key_b: object, b: Samples) -> np.ndarray:
        """``draws`` bootstrap draws of a over b, paired by worker where both have the same workers."""
        if sorted(a) != sorted(b):
            return self.estimates(key_a, a) / self.estimates(key_b, b)
        per_worker = self.medians(key_a, a) / self.medians(key_b, b)
        return self._over_workers((key_a, key_b), per_worker, sorted(a))


def interval(draws: np.ndarray, level: float = LEVEL) -> tuple[float, float]:
    """The central ``level`` percentile interval of bootstrap draws."""
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(draws, [tail, 100 - tail])
    return float(low), float(high)


def geometric_mean_draws(ratio_draws: Sequence[np.ndarray]) -> np.ndarray:
    """Per draw, the geometric mean of several ratios' draws (all drawn on the same workers)."""
    # A draw at or below zero only comes from a round whose empty loop was interrupted; the
    # plausibility checks flag such figures, and here it must not turn the mean into NaN.
    stacked = np.log(np.clip(np.vstack(ratio_draws), 1e-9, None))
    return np.exp(stacked.mean(axis=0))


def overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """True when two intervals share any value: the two figures are tied within noise."""
    return a[0] <= b[1] and b[0] <= a[1]
