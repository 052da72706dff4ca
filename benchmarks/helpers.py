"""What the benchmark files share: run settings, labelling, and the one way every call is timed.

Every benchmark labels itself with ``label(benchmark, kind=..., pattern=..., backend=...)``:
the labels land in ``extra_info`` of pytest-benchmark's JSON, and the report finds each
figure by them, never by test names.

Every per-call figure is timed by ``measure``: the statement runs K times per iteration
of a generated loop (``loops.py``), pytest-benchmark times each round of that loop, and
the same loop with an empty body is timed right before each round, so the report can
subtract it (net of the harness). The raw rounds of both stay in the JSON.
"""

from __future__ import annotations

import statistics
import tracemalloc
from dataclasses import dataclass
from typing import Any

import loops
from patterns import Pattern, alternating, floats, namespace

__all__ = ["MODES", "Settings", "alternating", "floats", "label", "measure", "measure_pattern"]


@dataclass(frozen=True)
class Settings:
    """What a mode measures, and how long (pytest-benchmark's rounds are set here too)."""

    mode: str
    sweep_sizes: tuple[int, ...]
    conversion_sizes: tuple[int, ...]
    ownership_sizes: tuple[int, ...]
    thread_series: int  # observations per update_many call in the thread benchmark
    thread_run_length: int  # max_run_length of those detectors
    thread_rounds: int
    alloc_samples: int  # calls measured with tracemalloc per pattern
    workers: int  # independent processes that each measure every call pattern
    size_workers: int  # ... that each run the size, ownership and thread benchmarks
    version_workers: int  # ... that each run the headline patterns on a further interpreter
    round_seconds: float  # one round of a calls loop lasts at least this long
    rounds: int  # rounds per benchmark (fewer when a round is long: see measure)
    max_seconds: float  # rounds stop growing past this much time per benchmark
    warmup_rounds: int


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
        workers=30,
        size_workers=3,
        version_workers=15,
        round_seconds=0.001,
        rounds=10,
        max_seconds=0.25,
        warmup_rounds=2,
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
        workers=4,
        size_workers=1,
        version_workers=3,
        round_seconds=0.001,
        rounds=10,
        max_seconds=0.05,
        warmup_rounds=2,
    ),
    # For the test suite: every benchmark runs, on small inputs, for a handful of rounds;
    # two workers, so that the interval code runs on real data.
    "smoke": Settings(
        mode="smoke",
        sweep_sizes=(1, 1_000),
        conversion_sizes=(1_000,),
        ownership_sizes=(10,),
        thread_series=100,
        thread_run_length=10,
        thread_rounds=5,
        alloc_samples=2,
        workers=2,
        size_workers=1,
        version_workers=2,
        round_seconds=0.00005,
        rounds=5,
        max_seconds=0.0,
        warmup_rounds=1,
    ),
}


# region: figure-label
def label(benchmark: Any, *, kind: str, pattern: str, backend: str, **extra: Any) -> None:
    """Names a benchmark for the report: its group and the extra_info keys the report reads."""
    benchmark.group = f"{kind}:{pattern}"
    benchmark.extra_info.update(kind=kind, pattern=pattern, backend=backend, **extra)


# endregion: figure-label


def peak_bytes_per_call(once: loops.Loops, samples: int) -> int:
    """Median over ``samples`` calls of the peak extra memory tracemalloc sees during one call.

    tracemalloc traces Python's allocators and NumPy's data buffers (NumPy reports them
    to it), so the figure includes the result object; memory the C core takes with
    malloc (find_peaks' buffer before it is handed over) is not traced.
    """
    once.calls(1, *once.args)  # warm: caches, interned objects, lazily created types
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    peaks = []
    try:
        for _ in range(max(1, samples)):
            current, _ = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            once.calls(1, *once.args)
            peaks.append(tracemalloc.get_traced_memory()[1] - current)
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return int(statistics.median(peaks))


# region: net-timing
def measure(
    benchmark: Any,
    locals_: dict[str, Any],
    statement: str,
    settings: Settings,
    *,
    per: int = 1,
    allocations: bool = False,
) -> None:
    """Times ``statement`` over ``locals_`` net of its loop; the report divides by calls x ``per``.

    Each round runs the generated calls loop for ``n`` iterations (K calls each), timed by
    pytest-benchmark; before it, the empty loop runs the same ``n`` iterations, timed here.
    """
    timed = loops.build(locals_, statement)
    if allocations:
        once = loops.build(locals_, statement, k=1)
        benchmark.extra_info["alloc_peak_bytes"] = peak_bytes_per_call(once, settings.alloc_samples)
    n, round_seconds = loops.calibrate(timed, settings.round_seconds)
    rounds = settings.rounds
    if settings.max_seconds and round_seconds * rounds > settings.max_seconds:
        rounds = max(5, int(settings.max_seconds / round_seconds))  # long calls: the sweeps' large n
    empty: list[float] = []

    def time_empty_loop() -> None:
        empty.append(loops.seconds(timed.empty, n, timed.args))

    benchmark.extra_info.update(per=per, iterations=n, calls_per_iteration=timed.k)
    benchmark.pedantic(
        timed.calls,
        args=(n, *timed.args),
        setup=time_empty_loop,
        rounds=rounds,
        warmup_rounds=settings.warmup_rounds,
    )
    # setup runs before warm-up rounds too: keep the ones paired with timed rounds.
    benchmark.extra_info["empty_round_seconds"] = empty[-rounds:]
    benchmark.extra_info["call_path"] = loops.call_path(timed, warm=False)


# endregion: net-timing


def measure_pattern(
    benchmark: Any, pattern: Pattern, core: Any, settings: Settings, *, allocations: bool = False
) -> None:
    """``measure`` for one of ``patterns.py``'s patterns (closing a detector it made)."""
    locals_ = namespace(pattern, core)
    try:
        measure(benchmark, locals_, pattern.statement, settings, per=pattern.per, allocations=allocations)
    finally:
        for value in locals_.values():
            if core is not None and isinstance(value, core.Detector):
                value.close()
