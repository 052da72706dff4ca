"""The sections that explain the call figures: method, A/A spread, floors, instructions, CALL paths.

- the method: K calls per loop iteration, the empty loop subtracted, independent workers;
- A/A: the C-API backend measured twice in every group, against itself: the spread the
  method has on this machine, in the run itself;
- floors: each backend's ``noop`` as a multiple of a builtin C function of either calling
  convention (METH_NOARGS, METH_O), measured the same way;
- instructions beside nanoseconds: callgrind's count per call, its ratio to capi, and
  whether the two ratios agree (a factor 1.5, 1.35 on the headline patterns); where they
  do not, the likely cause;
- which specialised CALL instruction the calling code ran for each backend;
- what a harness adds: ``noop`` and ``add`` timed through pytest-benchmark's own loop too.
"""

from __future__ import annotations

import numpy as np

from .checks import Checks
from .formatting import DASH, fmt_count, fmt_interval, fmt_ns, fmt_ratio
from .intervals import estimate, interval, paired_ratio
from .load import AGAIN, FLOOR_LABELS, HEADLINE_PATTERNS, PATTERN_LABELS, PATTERN_ORDER, REFERENCE, Run
from .stats import instruction_ratio, ratio, ratio_interval
from .tables import table

#: Time and instruction ratios to capi that differ by more than this factor are flagged.
AGREEMENT = 1.5
#: ... and by more than this on the headline patterns, whose calls do least besides the call.
HEADLINE_AGREEMENT = 1.35
#: Libraries that release and retake the GIL around every foreign call.
RELEASE_GIL_EVERY_CALL = ("ctypes", "cffi")


def method_paragraph(run: Run) -> str:
    workers = len(run.bootstrap.workers)
    k = next((f.loop_k for f in run.select("overhead") if f.loop_k), None)
    calls = f"{k} calls of the same statement per loop iteration" if k else "a loop of calls"
    return (
        f"Every time is **net of the harness**, in ns per call: each round runs a generated loop making {calls}, "
        "with the callee and its arguments bound to locals and called positionally (as `timeit` builds its loop, "
        "`benchmarks/loops.py`); the same loop with an empty body is timed right before each round and subtracted, "
        "and the difference is divided by the calls made. pytest-benchmark times the rounds; its raw JSON keeps "
        "both loops' times (`benchmarks.json.gz`). "
        f"The call figures come from **{workers} independent worker process{'es' if workers != 1 else ''}**; a "
        "figure is the median over workers of each worker's median, a ratio the median over workers of each "
        f"worker's ratio, and **[low{DASH}high]** is its 95 % interval from a bootstrap over workers and rounds. "
        "Two figures whose intervals overlap are **tied within noise**."
    )


def aa_table(run: Run, checks: Checks) -> str:
    """capi measured again at the end of each group, against its first measurement."""
    rows = []
    widths = []
    for pattern in PATTERN_ORDER:
        again = run.get("overhead", pattern, REFERENCE, AGAIN)
        first = run.get("overhead", pattern, REFERENCE)
        if again is None or first is None:
            continue
        bounds = ratio_interval(run, again)
        if bounds:
            widths.append(bounds[1] - bounds[0])
        rows.append(
            [
                PATTERN_LABELS.get(pattern, pattern),
                fmt_ns(first.median) + checks.mark(first.key),
                fmt_ns(again.median) + checks.mark(again.key),
                f"{fmt_ratio(ratio(run, again))} {fmt_interval(bounds)}",
            ]
        )
    if not rows:
        return "The reference backend was measured once per group in this run: no A/A comparison."
    spread = (
        f" The median width of these intervals is {np.median(widths) * 100:.1f} percentage points: "
        "a ratio between two backends whose interval is narrower than that is as precise as this method gets here."
        if widths
        else ""
    )
    return (
        f"The C-API backend opens every group of backends and is measured again at its end; the two should "
        f"agree, and their ratio's interval should contain 1.00x.{spread}\n\n"
        + table(["pattern", f"{REFERENCE} (first)", f"{REFERENCE} (again)", "again / first"], rows)
    )


def pooled_floor(run: Run, name: str) -> dict[int, np.ndarray] | None:
    """A floor's rounds per worker, its repeats in a worker pooled together."""
    repeats = run.floors(name)
    if not repeats:
        return None
    samples: dict[int, np.ndarray] = {}
    for f in repeats:
        for worker, values in f.samples.items():
            samples[worker] = np.concatenate([samples[worker], values]) if worker in samples else values
    return samples


def floors_table(run: Run, checks: Checks) -> str:
    """Each backend's noop against the two builtin floors (METH_NOARGS, METH_O)."""
    floors = {name: pooled_floor(run, name) for name in ("builtin", "builtin_arg")}
    if not all(floors.values()):
        return "The builtin floors were not both measured in this run."
    header = ["backend", "noop() ns", "x METH_NOARGS floor", "x METH_O floor", "CALL path"]
    align = "lrrrl"
    rows = []
    for backend in run.backends:
        noop = run.get("overhead", "noop", backend)
        if noop is None:
            continue
        cells = [backend, fmt_ns(noop.median) + checks.mark(noop.key)]
        for name in ("builtin", "builtin_arg"):
            multiple = run.bootstrap.ratios(noop.key, noop.samples, ("floor", name), floors[name])
            point = paired_ratio(noop.samples, floors[name])
            cells.append(f"{fmt_ratio(point)} {fmt_interval(interval(multiple))}")
        cells.append(f"`{noop.call_path}`" if noop.call_path else "—")
        rows.append(cells)
    lead = "; ".join(
        f"{FLOOR_LABELS[name]}: {fmt_ns(estimate(samples))} ns "
        f"{fmt_interval(interval(run.bootstrap.estimates(('floor', name), samples)), unit='')}"
        for name, samples in floors.items()
    )
    return f"Floors, net, every measurement of each pooled: {lead}.\n\n" + table(header, rows, align)


def threshold(pattern: str) -> float:
    return HEADLINE_AGREEMENT if pattern in HEADLINE_PATTERNS else AGREEMENT


def likely_cause(run: Run, backend: str, pattern: str, factor: float) -> str:
    """The usual reason time and instruction count disagree, from what the call is known to do."""
    f = run.get("overhead", pattern, backend)
    ref = run.get("overhead", pattern, REFERENCE)
    allocates_more = f is not None and ref is not None and (f.alloc or 0) > (ref.alloc or 0)
    if factor > 1:
        causes = []
        if backend in RELEASE_GIL_EVERY_CALL:
            causes.append(
                "it releases and retakes the GIL around every foreign call (atomic operations and a "
                "thread-state swap, few instructions but slow ones)"
            )
        if allocates_more:
            causes.append(f"it allocates more per call ({f.alloc} against {ref.alloc} bytes: cache misses)")
        causes.append("indirect calls and branches that mispredict cost time, not instructions")
        return "slower than its instruction count says: " + "; ".join(causes)
    return (
        "faster than its instruction count says: its extra instructions are cheap ones (straight-line code that "
        "stays in cache), while capi's own time for this call holds costlier ones"
    )


def crosscheck_table(run: Run, checks: Checks) -> tuple[str, list[str]]:
    """(pattern x backend table of time ratio / instruction ratio, the flagged disagreements)."""
    if not run.instructions:
        return (
            "No instruction counts in this run: valgrind was not installed (or `--no-instructions`); "
            "`nox -s overhead` counts them on its own.",
            [],
        )
    backends = [b for b in run.backends if b != REFERENCE]
    rows, flagged = [], []
    for pattern in PATTERN_ORDER:
        cells = [PATTERN_LABELS.get(pattern, pattern)]
        for backend in backends:
            by_time = ratio(run, run.get("overhead", pattern, backend))
            by_count = instruction_ratio(run, backend, pattern)
            if not (by_time and by_count):
                cells.append("—")
                continue
            factor = by_time / by_count  # 1.0: time and instructions agree
            apart = max(factor, 1 / factor)
            off = apart > threshold(pattern)
            cells.append(f"{fmt_ratio(by_time)} / {fmt_ratio(by_count)}{' ⚑' if off else ''}")
            if off:
                flagged.append(
                    f"{backend} `{PATTERN_LABELS.get(pattern, pattern)}`: {fmt_ratio(by_time)} capi's time but "
                    f"{fmt_ratio(by_count)} its instructions (a factor {apart:.2f}); "
                    + likely_cause(run, backend, pattern, factor)
                    + "."
                )
        if len(cells) > 1 and any(c != "—" for c in cells[1:]):
            rows.append(cells)
    intro = (
        f"Each cell: the time ratio to capi / the instruction ratio to capi. ⚑ marks a pair that differs by more "
        f"than a factor {AGREEMENT} ({HEADLINE_AGREEMENT} on the headline patterns: "
        f"{', '.join(PATTERN_LABELS[p] for p in HEADLINE_PATTERNS)}). Instruction counts are exact and repeatable; "
        "a disagreement means the instructions of one side cost more time each, and says where to look."
    )
    return intro + "\n\n" + table(["pattern", *backends], rows), flagged


def instructions_table(run: Run) -> str:
    """Instructions per call (per callback for integrate) of every pattern and backend."""
    counts = run.instructions.get("instructions_per_call", {})
    backends = [b for b in run.backends if b in counts]
    rows = []
    for pattern in PATTERN_ORDER:
        if not any(pattern in counts[b] for b in backends):
            continue
        row = [PATTERN_LABELS.get(pattern, pattern)]
        for backend in backends:
            value, by_count = counts[backend].get(pattern), instruction_ratio(run, backend, pattern)
            row.append(fmt_count(value) + (f" ({fmt_ratio(by_count)})" if by_count else ""))
        rows.append(row)
    environment = run.instructions.get("environment", {})
    return (
        f"callgrind, {run.instructions.get('settings', {}).get('calls', '?')} calls per pattern, the same loops "
        f"and the same empty-loop subtraction as the times (valgrind: {environment.get('valgrind', '?')}).\n\n"
        + table(["pattern", *backends], rows)
    )


def call_path_table(run: Run) -> str:
    """The specialised CALL instruction the calling loop ran, per pattern and backend."""
    rows = []
    for pattern in PATTERN_ORDER:
        figures = [run.get("overhead", pattern, b) for b in run.backends]
        if not any(f and f.call_path for f in figures):
            continue
        rows.append(
            [PATTERN_LABELS.get(pattern, pattern)]
            + [f"`{f.call_path}`" if f and f.call_path else "—" for f in figures]
        )
    if not rows:
        return "Not recorded (CPython before 3.11 does not specialise calls)."
    return (
        "After warm-up, the call site in the timed loop runs one of CPython's specialised CALL instructions "
        "(`dis.get_instructions(loop, adaptive=True)`). A builtin of a fast calling convention "
        "(`*_BUILTIN_FAST`, `*_BUILTIN_O`, `*_METHOD_DESCRIPTOR_*`) goes straight to its C function; "
        "`CALL (unspecialised)` or `CALL_NON_PY_GENERAL` is the generic path through vectorcall or `tp_call`, "
        "which every callable of a type CPython does not specialise for takes.\n\n"
        + table(["pattern", *run.backends], rows, "l" * (len(run.backends) + 1))
    )


def harness_table(run: Run, checks: Checks) -> str:
    """noop and add timed through pytest-benchmark's loop (``f(*args, **kwargs)``) against net."""
    floor_gross, floor_net = run.get("harness", "builtin", "builtin"), run.floor("builtin")
    rows = []
    for pattern in ("noop", "add"):
        ref_gross = run.get("harness", pattern, REFERENCE)
        ref_net = run.get("overhead", pattern, REFERENCE)
        for backend in run.backends:
            gross, net = run.get("harness", pattern, backend), run.get("overhead", pattern, backend)
            if gross is None or net is None or ref_gross is None or ref_net is None:
                continue
            rows.append(
                [
                    PATTERN_LABELS[pattern],
                    backend,
                    fmt_ns(gross.median) + checks.mark(gross.key),
                    fmt_ns(net.median) + checks.mark(net.key),
                    fmt_ratio(gross.median / ref_gross.median),
                    fmt_ratio(ratio(run, net)),
                ]
            )
    if not rows or floor_gross is None or floor_net is None:
        return "Not measured in this run."
    added = floor_gross.median - floor_net.median
    return (
        "The same calls timed the way pytest-benchmark times a function on its own (`benchmark(f, *args)`: its "
        "loop calls `f(*args, **kwargs)`, the unspecialised `CALL_FUNCTION_EX` path with a new empty dict per "
        f"call) and net of a generated loop. For `gc.isenabled()` the harness gives {fmt_ns(floor_gross.median)} "
        f"ns against {fmt_ns(floor_net.median)} ns net: about {fmt_ns(added)} ns of every figure is the harness, "
        "which squeezes every ratio toward 1.\n\n"
        + table(
            ["pattern", "backend", "harness ns", "net ns", "x capi, harness", "x capi, net"], rows, "llrrrr"
        )
    )
