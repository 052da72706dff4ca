"""What a reader sees first: the machine, the floors, the headline table and the generated summary.

The README's results block and the tutorials' generated blocks show these too, so they
are apart from the report's detailed sections. The summary never uses a flagged figure.
"""

from __future__ import annotations

import statistics

from machine import summary as machine_summary

from .checks import Checks
from .formatting import fmt_bytes, fmt_interval, fmt_ns, fmt_ratio
from .intervals import interval
from .load import BACKENDS, FLOOR_LABELS, NUMPY_LABELS, PATTERN_LABELS, PATTERN_ORDER, REFERENCE, Run
from .stats import (
    LARGE_ARRAY_TARGETS,
    crossover,
    geometric_mean,
    geometric_mean_interval,
    large_array_ratios,
    ratio,
    ratio_interval,
    thread_speedups,
    tied,
)
from .tables import cell, quoted, table


def machine_line(run: Run) -> str:
    return machine_summary(run.machine)


def headline_table(run: Run, checks: Checks) -> str:
    """Net ns per call (x the C-API backend [95 %], instructions per call), a row per pattern."""
    backends = run.backends
    header = ["pattern", *backends, "NumPy"]
    rows = []
    for pattern in PATTERN_ORDER:
        if not any(run.get("overhead", pattern, b) for b in backends):
            continue
        numpy = run.get("overhead", pattern, "numpy")
        numpy_cell = (
            f"{fmt_ns(numpy.median)} ({NUMPY_LABELS[pattern]}){checks.mark(numpy.key)}" if numpy else ""
        )
        rows.append(
            [PATTERN_LABELS.get(pattern, pattern)]
            + [cell(run, checks, run.get("overhead", pattern, b), instructions=True) for b in backends]
            + [numpy_cell]
        )
    return table(header, rows)


def floors_sentence(run: Run, checks: Checks, lead: str = "Floors in the same run, net of the loop") -> str:
    parts = []
    for name, label in FLOOR_LABELS.items():
        f = run.floor(name)
        if f:
            spread = run.floors(name)
            extent = (
                f" (range {fmt_ns(spread[0].median)}-{fmt_ns(spread[-1].median)})" if len(spread) > 1 else ""
            )
            parts.append(f"{label}: {fmt_ns(f.median)} ns{extent}{checks.mark(f.key)}")
    count = max((len(run.floors(name)) for name in FLOOR_LABELS), default=0)
    how = f" (each the middle one of its {count} measurements spread over the run)" if count > 1 else ""
    return f"{lead}{how}: " + "; ".join(parts) + "." if parts else ""


def overhead_means(run: Run, checks: Checks) -> dict[str, tuple[float, int, tuple[float, float] | None]]:
    """backend -> (geometric mean of its ratios to capi, patterns counted, its 95 % interval).

    Over the call patterns where both the backend's and capi's figures pass the checks
    (the A/A repeat is not a pattern). capi's interval is None: its ratios are 1 by definition.
    """
    means = {}
    if REFERENCE not in run.backends:
        return means
    for backend in run.backends:
        kept = [
            f
            for f in run.select("overhead", backend=backend, variant=None)
            if checks.ok(f.key) and ratio(run, f) and checks.ok(run.get("overhead", f.pattern, REFERENCE).key)
        ]
        if kept:
            bounds = geometric_mean_interval(run, kept) if backend != REFERENCE else None
            means[backend] = (geometric_mean([ratio(run, f) for f in kept]), len(kept), bounds)
    return means


def ranking_sentence(
    means: dict[str, tuple[float, int, tuple[float, float] | None]], disturbed: bool = False
) -> str:
    """The backends ranked by geometric-mean ratio, naming a fastest only when its interval separates.

    ``means``: backend -> (geometric mean of its ratios to capi, patterns, 95 % interval;
    None for capi, whose ratios are 1 by definition).
    """
    ranked = sorted(means.items(), key=lambda item: item[1][0])
    count = max(n for _, n, _ in means.values())

    def bounds(backend: str) -> tuple[float, float]:
        mean, _, interval = means[backend]
        return interval or (mean, mean)

    order = ", ".join(f"{b} {fmt_ratio(m)}{' ' + fmt_interval(i) if i else ''}" for b, (m, _, i) in ranked)
    best = ranked[0][0]
    joint = [b for b, _ in ranked if b == best or tied(bounds(best), bounds(b))]
    worst = ranked[-1][0]
    slow = [b for b, _ in ranked if b == worst or tied(bounds(worst), bounds(b))]
    if disturbed:
        lead, tail = "**This run is disturbed: it ranks no binding**", "see the intervals"
    else:
        lead = (
            f"**The fastest binding for small calls is {best}**, its interval clear of every other's"
            if len(joint) == 1
            else f"**Fastest for small calls, tied within noise: {', '.join(joint)}**"
        )
        tail = (
            f"the slowest is {worst}"
            if len(slow) == 1
            else f"the slowest, tied within noise: {', '.join(slow)}"
        )
    return (
        f"{lead}; {tail}. Geometric mean over {count} call patterns of each backend's ratio to the C-API "
        f"backend, with its 95 % interval: {order}."
    )


def summary_lines(run: Run, checks: Checks) -> list[str]:
    """Short generated statements; flagged figures are never used."""
    lines = []
    backends = run.backends
    means = overhead_means(run, checks)
    if means:
        lines.append(ranking_sentence(means, disturbed=checks.disturbed))
    noops = [
        (f.median, f.backend, f)
        for f in run.select("overhead", pattern="noop")
        if f.backend in BACKENDS and f.variant is None and checks.ok(f.key)
    ]
    builtin, method_o, python = run.floor("builtin"), run.floor("builtin_arg"), run.floor("python")
    floors = [f for f in (builtin, method_o, python) if f is not None]
    if noops and len(floors) == 3 and all(checks.ok(f.key) for f in floors):
        low, high = min(noops), max(noops)
        lines.append(
            f"An empty call (`noop`) costs from {quoted(low[2])} ({low[1]}) to {quoted(high[2])} ({high[1]}), "
            f"net of the loop, against {quoted(builtin)} for a builtin C function without arguments "
            f"(METH_NOARGS), {quoted(method_o)} for one with one argument (METH_O) and "
            f"{quoted(python)} for an empty Python function."
        )
    for pattern in ("dsum", "scale"):
        starts, never = [], []
        for b in backends:
            if b == REFERENCE:
                continue
            start, reaches = crossover(run, pattern, b)
            sweep = run.select("sweep", pattern=pattern, backend=b)
            if not sweep or any(not checks.ok(f.key) for f in sweep):
                continue
            if reaches:
                starts.append((start, b))
            else:
                never.append(b)
        if not starts:
            continue
        typical = sorted(n for n, _ in starts)[(len(starts) - 1) // 2]  # the (lower) median backend
        on_time = [b for n, b in starts if n <= typical]
        late = [f"{b} from n = {n:,}" for n, b in sorted(starts) if n > typical]
        if never:
            late.append(f"{', '.join(never)} at no measured size")
        what = "dsum(x)" if pattern == "dsum" else "scale(x, k) with a new result"
        lead, where = (
            (f"Arrays from {typical:,} elements", "from there")
            if typical > 1
            else ("Arrays of any size", "at every measured size")
        )
        lines.append(
            f"**{lead} ({what})**: {where} {', '.join(on_time)} stay within 10 % "
            f"of the C-API backend, so per-call overhead no longer matters"
            + (f"; {'; '.join(late)}." if late else ".")
        )
    for pattern, (n, ratios) in large_array_ratios(run).items():
        if not ratios:
            continue
        variant, target = LARGE_ARRAY_TARGETS[pattern]
        reference = "np.sum(x)" if variant is None else "np.multiply(x, k, out), nothing allocated"
        ranked = sorted(ratios.items(), key=lambda item: item[1][0])
        above = [b for b, (_, bounds) in ranked if bounds[0] > target]
        lines.append(
            f"**{pattern} at n = {n:,} against NumPy's own loop** (`{reference}`): the backends take from "
            f"{fmt_ratio(ranked[0][1][0])} ({ranked[0][0]}) to {fmt_ratio(ranked[-1][1][0])} ({ranked[-1][0]}) "
            f"NumPy's time; "
            + (
                f"above the {fmt_ratio(target)} target, whole interval: {', '.join(above)}."
                if above
                else f"every backend within {fmt_ratio(target)} or tied with it."
            )
        )
    conversions = []
    for f in run.select("conversion", variant="float32"):
        direct = run.get("conversion", f.pattern, f.backend, "float64", f.n)
        if direct and checks.ok(f.key) and checks.ok(direct.key):
            conversions.append((f.n, f.median / direct.median))
    if conversions:
        n = max(c[0] for c in conversions)
        factor = statistics.median(r for size, r in conversions if size == n)
        lines.append(
            f"A float32 input costs a conversion copy: at n = {n:,}, dsum takes {fmt_ratio(factor)} the time of "
            "the zero-copy float64 path (median over backends)."
        )
    interface = run.get("overhead", "add", "ctypes")
    raw = run.get("variant", "add", "ctypes", "raw")
    if interface and raw and checks.ok(interface.key) and checks.ok(raw.key):
        lines.append(
            f"ctypes' safety wrapper: `add` costs {quoted(interface)} through the interface against "
            f"{quoted(raw)} for the raw declared foreign call."
        )
    api = run.get("variant", "noop", "cffi", "raw")
    abi = run.get("variant", "noop", "cffi", "abi-raw")
    if api and abi and checks.ok(api.key) and checks.ok(abi.key):
        lines.append(
            f"cffi's ABI mode (dlopen, libffi) costs {fmt_ratio(abi.median / api.median)} its API mode on a raw "
            f"`noop` ({quoted(abi)} against {quoted(api)})."
        )
    speedups = [(s, b) for b, (_, two, s) in thread_speedups(run).items() if s and checks.ok(two.key)]
    if speedups:
        cores = run.machine.get("cpu", {}).get("usable_cores") or run.machine.get("cpu", {}).get(
            "logical_cores"
        )
        lines.append(
            f"`update_many` on two threads (separate detectors) does {min(speedups)[0]:.2f}x ({min(speedups)[1]}) "
            f"to {max(speedups)[0]:.2f}x ({max(speedups)[1]}) the work of one thread in the same time "
            f"(ideal: 2 on {cores} usable cores)."
        )
    released = run.get("gil", "ctypes_noop", "ctypes", "releases")
    held = run.get("gil", "ctypes_noop", "ctypes", "holds")
    if released and held and checks.ok(released.key) and checks.ok(held.key):
        cost = run.draws(released) - run.draws(held)  # measured in one process: no pairing to keep
        low, high = interval(cost)
        verdict = (
            f"costs about {fmt_ns(released.median - held.median)} ns {fmt_interval((low, high), unit='')}"
            if low > 0
            else f"costs no more than this run can resolve ({fmt_ns(released.median - held.median)} ns, "
            f"{fmt_interval((low, high), unit='')} includes zero)"
        )
        lines.append(
            f"Releasing and retaking the GIL around a short call {verdict} "
            f"(a raw ctypes noop through CDLL, which releases it, against PyDLL, which does not)."
        )
    static = run.static.get("backends", {})
    sizes = [
        (s["artefact_bytes"], b)
        for b, s in static.items()
        if s.get("artefact_bytes") and checks.ok(("static", b, "size"))
    ]
    imports = [
        (s["import"]["import_s_median"], b)
        for b, s in static.items()
        if s.get("import", {}).get("import_s_median") and checks.ok(("static", b, "import"))
    ]
    loc = [(s["lines"]["code"], b) for b, s in static.items() if s.get("lines", {}).get("code")]
    if sizes and imports and loc:
        lines.append(
            f"Smallest compiled artefact: {min(sizes)[1]} ({fmt_bytes(min(sizes)[0])}; largest {max(sizes)[1]}, "
            f"{fmt_bytes(max(sizes)[0])}). Fastest import: {min(imports)[1]} ({min(imports)[0] * 1e3:.1f} ms; "
            f"slowest {max(imports)[1]}, {max(imports)[0] * 1e3:.1f} ms). Fewest lines of binding code: "
            f"{min(loc)[1]} ({min(loc)[0]}; most: {max(loc)[1]}, {max(loc)[0]})."
        )
    return lines


def backend_verdict(run: Run, checks: Checks, backend: str) -> str:
    """One sentence on how a backend's calls compare with capi's, pattern by pattern, with intervals.

    A pattern counts as tied when its ratio's 95 % interval contains 1, as cheaper or
    dearer only when the whole interval is below or above 1.
    """
    means = overhead_means(run, checks)
    if backend not in means:
        return f"{backend} was not measured in this run."
    mean, count, bounds = means[backend]
    if backend == REFERENCE:
        ranked = sorted((m, b) for b, (m, _, _) in means.items() if b != backend)
        others = ", ".join(f"{b} {fmt_ratio(m)}" for m, b in ranked)
        return (
            f"It is the reference every ratio is taken to; geometric means of the others' ratios: {others}."
        )
    cheaper, tied_with, dearer = [], [], []
    for f in run.select("overhead", backend=backend, variant=None):
        interval_ = ratio_interval(run, f)
        if interval_ is None or not checks.ok(f.key):
            continue
        label = PATTERN_LABELS.get(f.pattern, f.pattern)
        (cheaper if interval_[1] < 1 else dearer if interval_[0] > 1 else tied_with).append(
            (ratio(run, f), label)
        )
    parts = []
    for name, group in (
        ("cheaper than capi on", cheaper),
        ("tied with it on", tied_with),
        ("dearer on", dearer),
    ):
        if group:
            parts.append(f"{name} {len(group)}")
    ranked = sorted(cheaper + tied_with + dearer)
    extremes = ""
    if ranked:
        extremes = f"; from {fmt_ratio(ranked[0][0])} (`{ranked[0][1]}`) to {fmt_ratio(ranked[-1][0])} (`{ranked[-1][1]}`)"
    return (
        f"Measured: its calls cost {fmt_ratio(mean)} capi's {fmt_interval(bounds)} (geometric mean over "
        f"{count} patterns); by the 95 % intervals it is {', '.join(parts)} of them{extremes}."
    )
