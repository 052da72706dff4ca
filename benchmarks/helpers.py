"""What the benchmark files share: run settings, the inputs of each pattern, labelling, allocations.

Every benchmark labels itself with ``label(benchmark, kind=..., pattern=..., backend=...)``:
the labels land in ``extra_info`` of pytest-benchmark's JSON, and ``report.py`` finds
each figure by them, never by test names.
"""

from __future__ import annotations

import gc
import operator
import statistics
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

import bindings

#: The C-API backend: every ratio in the report is to it.
REFERENCE = "capi"


@dataclass(frozen=True)
class Settings:
    """What a mode measures; pytest-benchmark's own rounds and times are set by run.py."""

    mode: str
    sweep_sizes: tuple[int, ...]
    conversion_sizes: tuple[int, ...]
    ownership_sizes: tuple[int, ...]
    thread_series: int  # observations per update_many call in the thread benchmark
    thread_run_length: int  # max_run_length of those detectors
    thread_rounds: int
    alloc_samples: int  # calls measured with tracemalloc per pattern


MODES = {
    "full": Settings(
        mode="full",
        sweep_sizes=(1, 10, 100, 1_000, 10_000, 100_000, 1_000_000),
        conversion_sizes=(1_000, 100_000),
        ownership_sizes=(10, 1_000, 100_000),
        thread_series=2_000,
        thread_run_length=100,
        thread_rounds=30,
        alloc_samples=15,
    ),
    "quick": Settings(
        mode="quick",
        sweep_sizes=(1, 100, 10_000, 1_000_000),
        conversion_sizes=(1_000, 100_000),
        ownership_sizes=(10, 10_000),
        thread_series=2_000,
        thread_run_length=100,
        thread_rounds=8,
        alloc_samples=5,
    ),
    # For the test suite: every benchmark runs, on small inputs, for a handful of rounds.
    "smoke": Settings(
        mode="smoke",
        sweep_sizes=(1, 1_000),
        conversion_sizes=(1_000,),
        ownership_sizes=(10,),
        thread_series=100,
        thread_run_length=10,
        thread_rounds=5,
        alloc_samples=2,
    ),
}

#: The observations of the Detector patterns run through a detector this small, so the
#: figure is the binding's cost rather than the core's O(max_run_length) step.
SMALL_RUN_LENGTH = 8
#: integrate's intervals in the overhead pattern: n + 1 callbacks per call.
INTEGRATE_INTERVALS = 100


def floats(n: int) -> np.ndarray:
    """n C-contiguous float64 values in [0, 1) (the same values on every run)."""
    return np.random.default_rng(n).random(n)


def alternating(n_peaks: int) -> np.ndarray:
    """0, 1, 0, 1, ..., 0: 2 * n_peaks + 1 values holding exactly n_peaks peaks above 0.5."""
    x = np.zeros(2 * n_peaks + 1)
    x[1::2] = 1.0
    return x


def _empty() -> None:
    pass


def _trivial_callback(x: float) -> float:
    return x


@dataclass
class Call:
    """One call to time: ``fn(*args)``; ``per`` divides the time (integrate: per callback).

    Arguments are positional only: pytest-benchmark calls ``fn(*args, **kwargs)``, and
    a non-empty ``**kwargs`` would add a dict copy per call to the figure (``out`` of
    scale is positional-or-keyword in the interface, so it is passed by position).
    """

    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()
    per: int = 1
    close: Callable[[], None] | None = None


#: The overhead patterns, in report order, with what each call does.
PATTERNS = {
    "noop": "noop()",
    "add": "add(2, 3)",
    "sum6": "sum6(1.0, ..., 6.0)",
    "dsum": "dsum(x), 8 values",
    "scale": "scale(x, 2.0), 8 values, new result",
    "matvec": "matvec(A, x), 4 x 4",
    "find_peaks": "find_peaks(x, 0.5), 17 values, 8 peaks",
    "fnv1a": "fnv1a(16 bytes)",
    "repeat": 'repeat("ab", 8)',
    "describe": "describe(x), 8 values",
    "events_total": "events_total(events, 1), 8 records",
    "update": f"Detector.update(0.5), max_run_length={SMALL_RUN_LENGTH}",
    "update_many": f"Detector.update_many(x), 8 values, max_run_length={SMALL_RUN_LENGTH}",
    "integrate": f"integrate(lambda x: x, 0, 1, {INTEGRATE_INTERVALS}), per callback",
    "create_close": f"Detector(max_run_length={SMALL_RUN_LENGTH}) then close()",
}

#: NumPy's own way of doing a pattern, where there is one.
NUMPY_EQUIVALENTS = {"dsum": "np.sum(x)", "scale": "x * k", "matvec": "A @ x"}


def _events(n: int) -> np.ndarray:
    events = np.zeros(n, dtype=bindings.EVENT_DTYPE)
    events["kind"] = np.arange(n) % 2
    events["value"] = np.arange(n, dtype=np.float64)
    return events


def pattern_call(core: ModuleType, pattern: str) -> Call:
    """The call that measures ``pattern`` on one backend module."""
    x8 = floats(8)
    if pattern == "noop":
        return Call(core.noop)
    if pattern == "add":
        return Call(core.add, (2, 3))
    if pattern == "sum6":
        return Call(core.sum6, (1.0, 2.0, 3.0, 4.0, 5.0, 6.0))
    if pattern == "dsum":
        return Call(core.dsum, (x8,))
    if pattern == "scale":
        return Call(core.scale, (x8, 2.0))
    if pattern == "matvec":
        return Call(core.matvec, (floats(16).reshape(4, 4), floats(4)))
    if pattern == "find_peaks":
        return Call(core.find_peaks, (alternating(8), 0.5))
    if pattern == "fnv1a":
        return Call(core.fnv1a, (b"0123456789abcdef",))
    if pattern == "repeat":
        return Call(core.repeat, ("ab", 8))
    if pattern == "describe":
        return Call(core.describe, (x8,))
    if pattern == "events_total":
        return Call(core.events_total, (_events(8), 1))
    if pattern in ("update", "update_many"):
        detector = core.Detector(max_run_length=SMALL_RUN_LENGTH)
        if pattern == "update":
            return Call(detector.update, (0.5,), close=detector.close)
        return Call(detector.update_many, (x8,), close=detector.close)
    if pattern == "integrate":
        return Call(
            core.integrate, (_trivial_callback, 0.0, 1.0, INTEGRATE_INTERVALS), per=INTEGRATE_INTERVALS + 1
        )
    if pattern == "create_close":
        detector_type = core.Detector

        def create_close() -> None:
            detector_type(max_run_length=SMALL_RUN_LENGTH).close()

        return Call(create_close)
    raise ValueError(f"unknown pattern {pattern!r}")


def numpy_call(pattern: str, n: int | None = None) -> Call:
    """NumPy's equivalent of dsum, scale or matvec (no Python frame of ours around it)."""
    if pattern == "dsum":
        return Call(np.sum, (floats(8 if n is None else n),))
    if pattern == "scale":
        return Call(operator.mul, (floats(8 if n is None else n), 2.0))
    if pattern == "matvec":
        return Call(operator.matmul, (floats(16).reshape(4, 4), floats(4)))
    raise ValueError(f"NumPy has no equivalent registered for {pattern!r}")


def floor_call(floor: str) -> Call:
    """The floors every figure is read against: builtin C functions and an empty Python one.

    The floor of the plausibility check is ``builtin``: a builtin that takes no argument
    and does next to nothing (``gc.isenabled()`` returns a flag), called the way every
    benchmark calls its function. ``abs(-1)`` is the same with one argument.
    """
    if floor == "builtin":
        return Call(gc.isenabled)
    if floor == "builtin_arg":
        return Call(abs, (-1,))
    if floor == "python":
        return Call(_empty)
    raise ValueError(f"unknown floor {floor!r}")


#: How many times each floor is measured (spread over the run, see conftest.py).
FLOOR_REPEATS = 6

FLOORS = {
    "builtin": "gc.isenabled(): a builtin C function, no argument",
    "builtin_arg": "abs(-1): a builtin C function, one argument",
    "python": "an empty Python function, no argument",
}


# region: ch12-label
def label(benchmark: Any, *, kind: str, pattern: str, backend: str, **extra: Any) -> None:
    """Names a benchmark for the report: its group and the extra_info keys report.py reads."""
    benchmark.group = f"{kind}:{pattern}"
    benchmark.extra_info.update(kind=kind, pattern=pattern, backend=backend, **extra)
    # endregion: ch12-label


def peak_bytes_per_call(call: Call, samples: int) -> int:
    """Median over ``samples`` calls of the peak extra memory tracemalloc sees during one call.

    tracemalloc traces Python's allocators and NumPy's data buffers (NumPy reports them
    to it), so the figure includes the result object; memory the C core takes with
    malloc (find_peaks' buffer before it is copied) is not traced.
    """
    call.fn(*call.args)  # warm: caches, interned objects, lazily created types
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    peaks = []
    try:
        for _ in range(max(1, samples)):
            current, _ = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            call.fn(*call.args)
            peaks.append(tracemalloc.get_traced_memory()[1] - current)
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return int(statistics.median(peaks))


# region: ch12-run
def run(benchmark: Any, call: Call, settings: Settings, *, allocations: bool = False) -> None:
    """Times ``call`` with pytest-benchmark's calibrated rounds (and records its allocations)."""
    try:
        if allocations:
            benchmark.extra_info["alloc_peak_bytes"] = peak_bytes_per_call(call, settings.alloc_samples)
        benchmark.extra_info["per"] = call.per
        benchmark(call.fn, *call.args)
    finally:
        if call.close is not None:
            call.close()
    # endregion: ch12-run
