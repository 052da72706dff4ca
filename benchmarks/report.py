"""Turns a run folder into report.md and four plots, after checking its own data.

    python benchmarks/report.py benchmarks/results/<run> [--readme README.md] [--strict]

Reads ``benchmarks.json.gz`` (or ``benchmarks.json``: pytest-benchmark's raw JSON),
``static.json``, ``machine.json`` and ``run.json`` from the folder and writes there:

- ``report.md``: per pattern the median and interquartile range in ns per call and the
  ratio to the C-API backend's median in the same run, every other figure, and a short
  generated summary;
- ``overhead.png``, ``sweep.png``, ``threads.png``, ``static.png`` (matplotlib, Agg).

Nothing is smoothed or hard-coded: every number is a median (or a ratio of medians) of
this run. Before writing, the data is checked (see ``check``); an implausible figure is
marked with a warning sign wherever it appears, listed under "Plausibility checks", and
left out of the generated summary. ``--strict`` makes such findings an error (exit 1).
``--readme`` rewrites the results section of README.md (between its markers) with this
run's main plot, headline table, summary and machine.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import math
import os
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from machine import summary as machine_summary

REFERENCE = "capi"
BACKENDS = ("capi", "ctypes", "cffi", "cython", "pybind11", "nanobind", "pyo3")
PATTERN_ORDER = (
    "noop",
    "add",
    "sum6",
    "dsum",
    "scale",
    "matvec",
    "find_peaks",
    "fnv1a",
    "repeat",
    "describe",
    "events_total",
    "update",
    "update_many",
    "integrate",
    "create_close",
)
PATTERN_LABELS = {
    "noop": "noop()",
    "add": "add(2, 3)",
    "sum6": "sum6(6 floats)",
    "dsum": "dsum(8 values)",
    "scale": "scale(8 values)",
    "matvec": "matvec(4 x 4)",
    "find_peaks": "find_peaks(17 values)",
    "fnv1a": "fnv1a(16 bytes)",
    "repeat": 'repeat("ab", 8)',
    "describe": "describe(8 values)",
    "events_total": "events_total(8 records)",
    "update": "Detector.update",
    "update_many": "Detector.update_many(8)",
    "integrate": "integrate, per callback",
    "create_close": "Detector() + close()",
}
NUMPY_LABELS = {"dsum": "np.sum(x)", "scale": "x * k", "matvec": "A @ x"}
#: The ownership strategies (bench_ownership.py), in report order, with their column labels.
OWNERSHIP_STRATEGIES = (
    ("find_peaks", "find_peaks"),
    ("find_peaks_into", "find_peaks_into"),
    ("scale_out", "scale(out=)"),
    ("scale_new", "scale()"),
)
WITHIN = 0.10  # "within 10 % of the C-API backend"
#: How far below the builtin floor a call may come out before it is called implausible.
#: The floor is the same kind of call as a binding's noop, and does a little work of its
#: own (it returns a flag), so the two differ by a few ns plus noise, never by more.
FLOOR_TOLERANCE = 0.10
FLOOR_LABELS = {
    "builtin": "`gc.isenabled()`, a builtin C function with no argument",
    "builtin_arg": "`abs(-1)`, a builtin C function with one argument",
    "python": "an empty Python function",
}
MARK = "⚠"
README_BEGIN = "<!-- bench-results:begin -->"
README_END = "<!-- bench-results:end -->"


# ---- the data ------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One benchmark: times in ns per call (per callback for integrate)."""

    kind: str
    pattern: str
    backend: str
    variant: str | None
    n: int | None
    threads: int | None
    per: int
    median: float
    iqr: float
    q1: float
    q3: float
    rounds: int
    iterations: int
    alloc: int | None
    name: str
    call: str | None = None

    @property
    def key(self) -> tuple:
        return (self.kind, self.pattern, self.backend, self.variant, self.n, self.threads)

    @property
    def median_per_call(self) -> float:
        return self.median * self.per


@dataclass
class Run:
    folder: Path
    figures: list[Figure]
    static: dict
    machine: dict
    meta: dict
    index: dict[tuple, Figure] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = {f.key: f for f in self.figures}

    @property
    def mode(self) -> str:
        return self.meta.get("mode", "unknown")

    def get(self, kind: str, pattern: str, backend: str, variant=None, n=None, threads=None) -> Figure | None:
        return self.index.get((kind, pattern, backend, variant, n, threads))

    def select(self, kind: str, **where: Any) -> list[Figure]:
        return [
            f for f in self.figures if f.kind == kind and all(getattr(f, k) == v for k, v in where.items())
        ]

    @property
    def backends(self) -> list[str]:
        seen = {f.backend for f in self.figures if f.kind == "overhead"}
        return [b for b in BACKENDS if b in seen]

    def floors(self, name: str) -> list[Figure]:
        """Every measurement of a floor: one per backend group, spread over the run."""
        return sorted(self.select("baseline", pattern=name), key=lambda f: f.median)

    def floor(self, name: str) -> Figure | None:
        """The floor to show: the measurement with the median median (the lower one if even)."""
        found = self.floors(name)
        return found[(len(found) - 1) // 2] if found else None

    def lowest_floor(self, name: str) -> Figure | None:
        """The floor to check against: the fastest of its measurements, so load never raises it."""
        found = self.floors(name)
        return found[0] if found else None


def _read_json(folder: Path, name: str, default: Any) -> Any:
    path = folder / name
    if path.is_file():
        return json.loads(path.read_text())
    return default


def load(folder: Path) -> Run:
    raw_path = folder / "benchmarks.json.gz"
    if raw_path.is_file():
        with gzip.open(raw_path, "rt") as handle:
            raw = json.load(handle)
    else:
        raw = json.loads((folder / "benchmarks.json").read_text())
    figures = []
    for bench in raw["benchmarks"]:
        info, stats = bench.get("extra_info", {}), bench["stats"]
        if "kind" not in info:
            continue  # not one of ours
        per = int(info.get("per", 1)) or 1
        scale = 1e9 / per
        figures.append(
            Figure(
                kind=info["kind"],
                pattern=info["pattern"],
                backend=info["backend"],
                variant=info.get("variant"),
                n=info.get("n"),
                threads=info.get("threads"),
                per=per,
                median=stats["median"] * scale,
                iqr=stats["iqr"] * scale,
                q1=stats["q1"] * scale,
                q3=stats["q3"] * scale,
                rounds=int(stats["rounds"]),
                iterations=int(stats.get("iterations", 1)),
                alloc=info.get("alloc_peak_bytes"),
                name=bench["name"],
                call=info.get("call"),
            )
        )
    return Run(
        folder=folder,
        figures=figures,
        static=_read_json(folder, "static.json", {}),
        machine=_read_json(folder, "machine.json", {}),
        meta=_read_json(folder, "run.json", {}),
    )


# ---- plausibility checks --------------------------------------------------------------


@dataclass
class Checks:
    findings: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    flagged: set = field(default_factory=set)

    def flag(self, what: str, message: str, key: Any = None) -> None:
        self.findings.append(f"{what}: {message}")
        if key is not None:
            self.flagged.add(key)

    def ok(self, key: Any) -> bool:
        return key not in self.flagged

    def mark(self, key: Any) -> str:
        return f" {MARK}" if key in self.flagged else ""


def describe_figure(f: Figure) -> str:
    parts = [f.kind, f.pattern, f.backend]
    if f.variant:
        parts.append(f.variant)
    if f.n is not None:
        parts.append(f"n={f.n}")
    if f.threads is not None:
        parts.append(f"{f.threads} thread(s)")
    return " / ".join(parts)


def check(run: Run) -> Checks:
    """Flags what cannot be right, rather than publishing it quietly.

    - a call faster than the builtin floor by more than FLOOR_TOLERANCE (the floor is a
      C builtin that takes no argument and does nothing, called the way every benchmark
      calls its function: nothing that crosses into a binding can be cheaper; it is
      measured several times spread over the run, and its fastest measurement counts);
    - a spread (IQR) wider than the median;
    - too few rounds (< 5) for a median to mean much;
    - a backend that was built but lacks a pattern the others have;
    - a size sweep whose time per call falls by more than half while n grows tenfold;
    - a conversion copy measured faster than the zero-copy path at n >= 1000;
    - a thread speed-up above the number of threads (or of usable cores) by > 10 %;
    - static figures that are missing, zero or negative, an import time whose spread is
      wider than its median, or a build that failed.
    Run conditions (a busy machine, a quick or smoke run) are reported beside them.
    """
    checks = Checks()
    builtin = run.lowest_floor("builtin")
    floors = {f.key for f in run.select("baseline")}
    if builtin is None:
        checks.flag("baseline", "the builtin floor was not measured; the floor check is skipped")
    for name in ("builtin_arg", "python"):
        if run.floor(name) is None:
            checks.flag("baseline", f"the floor {FLOOR_LABELS[name]} was not measured")
    for f in run.figures:
        if f.median <= 0 or not math.isfinite(f.median):
            checks.flag(describe_figure(f), f"median {f.median} ns is not a positive time", f.key)
            continue
        if (
            builtin is not None
            and f.key not in floors
            and f.median_per_call < (1 - FLOOR_TOLERANCE) * builtin.median
        ):
            checks.flag(
                describe_figure(f),
                f"{fmt_ns(f.median_per_call)} ns per call is faster than the builtin floor "
                f"({fmt_ns(builtin.median)} ns, gc.isenabled(), its fastest measurement): implausible",
                f.key,
            )
        if f.iqr > f.median:
            checks.flag(
                describe_figure(f),
                f"spread (IQR {fmt_ns(f.iqr)} ns) wider than the median ({fmt_ns(f.median)} ns)",
                f.key,
            )
        if f.rounds < 5:
            checks.flag(describe_figure(f), f"only {f.rounds} round(s): too few for a median", f.key)

    if REFERENCE not in run.backends:
        checks.flag("ratios", f"the {REFERENCE} backend was not measured: no ratios can be given")

    built = [name for name, state in run.machine.get("backends", {}).items() if state == "built"]
    for name in built:
        if name not in run.backends:
            checks.flag(name, "built on this machine but absent from the benchmark data")
    patterns = {f.pattern for f in run.select("overhead") if f.backend in BACKENDS}
    for name in run.backends:
        for pattern in sorted(patterns):
            if run.get("overhead", pattern, name) is None:
                checks.flag(f"overhead / {pattern} / {name}", "missing (measured for other backends)")

    for pattern in ("dsum", "scale"):
        for backend in [*run.backends, "numpy"]:
            sweep = sorted(run.select("sweep", pattern=pattern, backend=backend), key=lambda f: f.n)
            for small, large in itertools.pairwise(sweep):
                if large.n >= 10 * small.n and large.median < 0.5 * small.median:
                    checks.flag(
                        describe_figure(large),
                        f"{fmt_ns(large.median)} ns per call, under half the {fmt_ns(small.median)} ns "
                        f"measured at n={small.n}",
                        large.key,
                    )

    for f in run.select("conversion", variant="float32") + run.select("conversion", variant="strided"):
        direct = run.get("conversion", f.pattern, f.backend, "float64", f.n)
        if direct and f.n >= 1000 and direct.median > 1.1 * f.median:
            checks.flag(
                describe_figure(direct),
                f"the zero-copy path ({fmt_ns(direct.median)} ns) is slower than the {f.variant} copy "
                f"({fmt_ns(f.median)} ns)",
                direct.key,
            )

    cores = run.machine.get("cpu", {}).get("usable_cores") or run.machine.get("cpu", {}).get("logical_cores")
    for _one, many, speedup in thread_speedups(run).values():
        if speedup is None:
            continue
        limit = many.threads * (1 + WITHIN)
        if speedup > limit:
            checks.flag(
                describe_figure(many), f"speed-up {speedup:.2f} with {many.threads} threads", many.key
            )
        elif cores and speedup > cores * (1 + WITHIN):
            checks.flag(describe_figure(many), f"speed-up {speedup:.2f} on {cores} usable cores", many.key)

    static = run.static.get("backends", {})
    for name in run.backends:
        figures = static.get(name)
        if figures is None:
            checks.flag(f"static / {name}", "no static figures", ("static", name))
            continue
        imported = figures.get("import", {})
        if "error" in imported:
            checks.flag(f"static / {name}", f"import failed: {imported['error']}", ("static", name, "import"))
        elif not imported.get("import_s_median", 0) > 0:
            checks.flag(f"static / {name}", "import time is not positive", ("static", name, "import"))
        elif imported.get("import_s_iqr", 0) > imported["import_s_median"]:
            checks.flag(
                f"static / {name}",
                f"import time spread (IQR {imported['import_s_iqr'] * 1e3:.2f} ms) wider than its median "
                f"({imported['import_s_median'] * 1e3:.2f} ms)",
                ("static", name, "import"),
            )
        if not figures.get("artefact_bytes", 0) > 0:
            checks.flag(f"static / {name}", "no compiled artefact found", ("static", name, "size"))
        if not figures.get("lines", {}).get("code", 0) > 0:
            checks.flag(f"static / {name}", "no lines of code counted", ("static", name, "lines"))
    if run.static.get("build_time_measured"):
        targets = run.static.get("build", {}).get("targets", {})
        if "error" in run.static.get("build", {}):
            checks.flag("build time", run.static["build"]["error"])
        for name in run.backends:
            target = targets.get(name)
            if target is None:
                checks.flag(f"build time / {name}", "not measured", ("static", name, "build"))
            elif "error" in target:
                lines = target["error"].splitlines()
                first = next((line.strip() for line in lines if "error" in line.lower()), lines[0])
                checks.flag(f"build time / {name}", f"build failed: {first}", ("static", name, "build"))
            elif not target.get("seconds", 0) > 0:
                checks.flag(f"build time / {name}", "not a positive time", ("static", name, "build"))

    # Run conditions: not findings about a figure, but what every figure should be read with.
    if run.mode != "full":
        checks.conditions.append(
            f"This is a {run.mode} run (fewer rounds and sizes): use it to see that the suite works, "
            "not to choose a binding."
        )
    load_start = run.machine.get("load_average_start")
    load_end = run.machine.get("load_average_end")
    # The run keeps about one process runnable itself (the build just before the start, the
    # benchmarks at the end), so only load beyond that counts as other work; half a core of it
    # is enough to disturb the thread figures on a small machine.
    for when, value in (("start", load_start), ("end", load_end)):
        if value and cores and value[0] - 1.0 > 0.5:
            checks.conditions.append(
                f"The machine was busy at the {when} of the run (1-minute load average {value[0]} on "
                f"{cores} cores, about 1 of it this run's own): other work competed for the CPU, so "
                "figures are noisier than usual."
            )
    return checks


# ---- derived figures ------------------------------------------------------------------


# region: ch12-ratio
def ratio(run: Run, f: Figure | None) -> float | None:
    """f's median over the C-API backend's median for the same measurement."""
    if f is None:
        return None
    ref = run.get(f.kind, f.pattern, REFERENCE, f.variant, f.n, f.threads)
    if ref is None or ref.median <= 0:
        return None
    return f.median / ref.median
    # endregion: ch12-ratio


def thread_speedups(run: Run) -> dict[str, tuple[Figure, Figure, float | None]]:
    result = {}
    for backend in run.backends:
        one = run.get("threads", "update_many", backend, None, _thread_n(run), 1)
        two = run.get("threads", "update_many", backend, None, _thread_n(run), 2)
        if one and two and two.median > 0:
            result[backend] = (one, two, two.threads * one.median / two.median)
    return result


def _thread_n(run: Run) -> int | None:
    sizes = {f.n for f in run.select("threads")}
    return next(iter(sizes)) if len(sizes) == 1 else (max(sizes) if sizes else None)


def crossover(run: Run, pattern: str, backend: str) -> tuple[int | None, bool]:
    """(the smallest n from which backend stays within 10 % of capi, whether it ever does).

    "Within" means no more than 10 % slower (a faster backend is within too). None with
    True means at every measured size.
    """
    sizes = sorted({f.n for f in run.select("sweep", pattern=pattern, backend=REFERENCE)})
    ratios = []
    for n in sizes:
        f = run.get("sweep", pattern, backend, None, n)
        ref = run.get("sweep", pattern, REFERENCE, None, n)
        ratios.append(f.median / ref.median if f and ref and ref.median > 0 else None)
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


# ---- formatting ------------------------------------------------------------------------


def fmt_ns(value: float | None) -> str:
    """3 significant digits, thousands separated: 1.23, 12.3, 123, 1,230, 1,230,000."""
    if value is None or not math.isfinite(value):
        return "—"
    if abs(value) < 10:
        return f"{value:.2f}"
    if abs(value) < 100:
        return f"{value:.1f}"
    digits = max(0, math.floor(math.log10(abs(value))) - 2)
    return f"{round(value, -digits):,.0f}"


def fmt_ratio(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}x" if value < 10 else f"{value:.1f}x"


def fmt_bytes(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 1024:
        return f"{value:.0f} B"
    if value < 1024**2:
        return f"{value / 1024:.1f} KiB"
    return f"{value / 1024**2:.2f} MiB"


def table(header: list[str], rows: list[list[str]], align: str | None = None) -> str:
    align = align or "l" + "r" * (len(header) - 1)
    rule = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(run: Run, checks: Checks, f: Figure | None, with_ratio: bool = True) -> str:
    if f is None:
        return "—"
    text = fmt_ns(f.median)
    if with_ratio and f.backend in BACKENDS:
        text += f" ({fmt_ratio(ratio(run, f))})"
    return text + checks.mark(f.key)


# ---- report sections -----------------------------------------------------------------


def machine_line(run: Run) -> str:
    return machine_summary(run.machine)


def headline_table(run: Run, checks: Checks) -> str:
    """Median ns per call (x the C-API backend), one row per pattern, one column per backend."""
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
            + [_cell(run, checks, run.get("overhead", pattern, b)) for b in backends]
            + [numpy_cell]
        )
    return table(header, rows)


def floors_sentence(run: Run, checks: Checks, lead: str = "Floors in the same run") -> str:
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
    how = f" (each the median of {count} measurements spread over the run)" if count > 1 else ""
    return f"{lead}{how}: " + "; ".join(parts) + "." if parts else ""


def summary_lines(run: Run, checks: Checks) -> list[str]:
    """Short generated statements; flagged figures are never used."""
    lines = []
    backends = run.backends
    usable = {b: [f for f in run.select("overhead", backend=b) if checks.ok(f.key)] for b in backends}
    if REFERENCE in backends:
        means = {}
        for b in backends:
            rs = [ratio(run, f) for f in usable[b]]
            refs_ok = [
                r
                for r, f in zip(rs, usable[b], strict=True)
                if r and checks.ok(run.get("overhead", f.pattern, REFERENCE).key)
            ]
            if refs_ok:
                means[b] = (geometric_mean(refs_ok), len(refs_ok))
        if means:
            ranked = sorted(means.items(), key=lambda item: item[1][0])
            best, (best_mean, best_n) = ranked[0]
            worst, (worst_mean, _) = ranked[-1]
            order = ", ".join(f"{b} {fmt_ratio(m)}" for b, (m, _) in ranked)
            if best == REFERENCE:
                how = (
                    f"the reference of every ratio; the next is {ranked[1][0]} at {fmt_ratio(ranked[1][1][0])}"
                    if len(ranked) > 1
                    else "the only backend"
                )
            else:
                how = f"its median is {fmt_ratio(best_mean)} the C-API backend's"
            lines.append(
                f"**The fastest binding for small calls is {best}** ({how}; geometric mean over {best_n} call "
                f"patterns); the slowest is {worst} at {fmt_ratio(worst_mean)}. In order: {order}."
            )
    noops = [
        (f.median, f.backend)
        for f in run.select("overhead", pattern="noop")
        if f.backend in BACKENDS and checks.ok(f.key)
    ]
    builtin, python = run.floor("builtin"), run.floor("python")
    if noops and builtin and python and checks.ok(builtin.key) and checks.ok(python.key):
        low, high = min(noops), max(noops)
        lines.append(
            f"An empty call (`noop`) costs from {fmt_ns(low[0])} ns ({low[1]}) to {fmt_ns(high[0])} ns ({high[1]}), "
            f"against {fmt_ns(builtin.median)} ns for a builtin C function that does nothing and "
            f"{fmt_ns(python.median)} ns for an empty Python function."
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
        lines.append(
            f"**Arrays above {typical:,} elements ({what})**: from there {', '.join(on_time)} stay within 10 % "
            f"of the C-API backend, so per-call overhead no longer matters"
            + (f"; {'; '.join(late)}." if late else ".")
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
            f"ctypes' safety wrapper: `add` costs {fmt_ns(interface.median)} ns through the interface against "
            f"{fmt_ns(raw.median)} ns for the raw declared foreign call."
        )
    api = run.get("variant", "noop", "cffi", "api-raw")
    abi = run.get("variant", "noop", "cffi", "abi-raw")
    if api and abi and checks.ok(api.key) and checks.ok(abi.key):
        lines.append(
            f"cffi's ABI mode (dlopen, libffi) costs {fmt_ratio(abi.median / api.median)} its API mode on a raw "
            f"`noop` ({fmt_ns(abi.median)} against {fmt_ns(api.median)} ns)."
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
        lines.append(
            f"Releasing and retaking the GIL around a short call costs about {fmt_ns(released.median - held.median)} ns "
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


def overhead_details(run: Run, checks: Checks) -> str:
    rows = []
    for pattern in PATTERN_ORDER:
        for backend in [*run.backends, "numpy"]:
            f = run.get("overhead", pattern, backend)
            if f is None:
                continue
            rows.append(
                [
                    PATTERN_LABELS.get(pattern, pattern),
                    backend if backend != "numpy" else f"NumPy: `{NUMPY_LABELS[pattern]}`",
                    fmt_ns(f.median) + checks.mark(f.key),
                    fmt_ns(f.iqr),
                    fmt_ratio(ratio(run, f)) if backend in BACKENDS else "",
                    fmt_bytes(f.alloc),
                    str(f.rounds),
                ]
            )
    for name, label in FLOOR_LABELS.items():
        f = run.floor(name)
        if f:
            rows.append(
                [
                    "floor",
                    label,
                    fmt_ns(f.median) + checks.mark(f.key),
                    fmt_ns(f.iqr),
                    "",
                    fmt_bytes(f.alloc),
                    str(f.rounds),
                ]
            )
    calls = {}
    for f in run.select("overhead"):
        if f.call and f.backend in BACKENDS:
            calls.setdefault(f.pattern, f.call)
    described = [[PATTERN_LABELS.get(p, p), f"`{calls[p]}`"] for p in PATTERN_ORDER if p in calls]
    return (
        table(["pattern", "what one call does"], described, "ll")
        + "\n\n"
        + table(
            ["pattern", "backend", "median ns", "IQR ns", "x capi", "allocated/call", "rounds"],
            rows,
            "llrrrrr",
        )
    )


def variants_section(run: Run, checks: Checks) -> str:
    out = []
    ctypes_rows = []
    for pattern in ("noop", "add", "sum6", "dsum"):
        interface = run.get("overhead", pattern, "ctypes")
        cells = [interface] + [
            run.get("variant", pattern, "ctypes", v) for v in ("raw", "raw-no-argtypes", "raw-ndpointer")
        ]
        if all(c is None for c in cells[1:]):
            continue
        wrapper = interface.median - cells[1].median if interface and cells[1] else None
        ctypes_rows.append(
            [PATTERN_LABELS[pattern]]
            + [_cell(run, checks, c, with_ratio=False) for c in cells]
            + [fmt_ns(wrapper)]
        )
    if ctypes_rows:
        out.append(
            "**ctypes** (ns per call): the interface, the raw declared foreign function (`argtypes` set), "
            "the same symbol without `argtypes` (arguments pre-wrapped as ctypes objects), and "
            "`numpy.ctypeslib.ndpointer` (dsum). Wrapper cost = interface - raw.\n"
        )
        out.append(
            table(
                ["pattern", "interface", "raw", "raw, no argtypes", "raw, ndpointer", "wrapper cost"],
                ctypes_rows,
            )
        )
    cffi_rows = []
    for pattern in ("noop", "add", "sum6", "dsum", "scale"):
        interface = run.get("overhead", pattern, "cffi")
        cells = [interface] + [run.get("variant", pattern, "cffi", v) for v in ("api-raw", "abi", "abi-raw")]
        if all(c is None for c in cells[1:]):
            continue
        abi_over_api = cells[3].median / cells[1].median if cells[1] and cells[3] else None
        cffi_rows.append(
            [PATTERN_LABELS[pattern]]
            + [_cell(run, checks, c, with_ratio=False) for c in cells]
            + [fmt_ratio(abi_over_api)]
        )
    if cffi_rows:
        out.append(
            "\n**cffi** (ns per call): API mode (the backend) through the interface and raw (`lib.bc_*` with "
            "ready-made pointers), ABI mode (`ffi.dlopen`, `bindings.cffi.abi`) through the same wrappers and "
            "raw. A raw `scale` writes into a ready-made buffer; the wrapped one returns a new array.\n"
        )
        out.append(
            table(
                ["pattern", "API, interface", "API, raw", "ABI, interface", "ABI, raw", "ABI raw / API raw"],
                cffi_rows,
            )
        )
    return "\n".join(out) if out else "_No variants measured (ctypes and cffi not built)._"


def sweep_section(run: Run, checks: Checks) -> str:
    out = []
    columns = [*run.backends, "numpy"]
    for pattern, what in (("dsum", "dsum(x)"), ("scale", "scale(x, 2.0), a new result array")):
        sizes = sorted({f.n for f in run.select("sweep", pattern=pattern)})
        if not sizes:
            continue
        per_call, per_element = [], []
        for n in sizes:
            figures = [run.get("sweep", pattern, b, None, n) for b in columns]
            per_call.append([f"{n:,}"] + [_cell(run, checks, f) if f else "—" for f in figures])
            per_element.append(
                [f"{n:,}"] + [fmt_ns(f.median / n) + checks.mark(f.key) if f else "—" for f in figures]
            )
        cross = []
        for b in run.backends:
            if b == REFERENCE:
                cross.append("reference")
                continue
            start, reaches = crossover(run, pattern, b)
            cross.append(f"n ≥ {start:,}" if reaches else "not reached")
        per_call.append(["within 10 % of capi", *cross, ""])
        numpy_label = NUMPY_LABELS[pattern]
        out.append(f"**{what}**: ns per call (x capi); NumPy column: `{numpy_label}`.\n")
        out.append(table(["n", *columns[:-1], "NumPy"], per_call))
        if pattern == "scale":
            out.append(
                "\nAt the largest sizes scale's time is mostly allocating and first touching the result "
                "(8 MB at n = 1,000,000), which depends on the memory allocator's state as much as on the "
                "binding; `scale(out=)` under Ownership times the loop alone."
            )
        out.append(f"\n**{what}**: ns per element.\n")
        out.append(table(["n", *columns[:-1], "NumPy"], per_element))
        out.append("")
    conversions = run.select("conversion")
    if conversions:
        sizes = sorted({f.n for f in conversions})
        header = ["backend"]
        for n in sizes:
            header += [f"float64, n={n:,}", "float32", "strided", "copy cost (float32)"]
        rows = []
        for b in run.backends:
            row = [b]
            for n in sizes:
                direct, f32, strided = (
                    run.get("conversion", "dsum", b, v, n) for v in ("float64", "float32", "strided")
                )
                row += [_cell(run, checks, x, with_ratio=False) for x in (direct, f32, strided)]
                row.append(fmt_ns(f32.median - direct.median) if f32 and direct else "—")
            rows.append(row)
        out.append(
            "**Conversion copies** (dsum, ns per call): a contiguous float64 array is read in place; a float32 "
            "array or a strided view (every other element) is first copied to contiguous float64.\n"
        )
        out.append(table(header, rows))
    return "\n".join(out) if out else "_No sweeps measured._"


def ownership_section(run: Run, checks: Checks) -> str:
    figures = run.select("ownership")
    if not figures:
        return "_Not measured._"
    sizes = sorted({f.n for f in figures})
    # Older runs lack find_peaks_into: show the strategies this run measured.
    strategies = [(s, label) for s, label in OWNERSHIP_STRATEGIES if any(f.pattern == s for f in figures)]
    rows = []
    for b in run.backends:
        for n in sizes:
            cells = [run.get("ownership", s, b, None, n) for s, _ in strategies]
            rows.append(
                [b, f"{n:,}"]
                + [_cell(run, checks, c) for c in cells]
                + [fmt_bytes(c.alloc) if c else "—" for c in cells]
            )
    measured = {s for s, _ in strategies}
    intro = (
        "Output of m 8-byte elements. `find_peaks`: the core allocates the result (input 2m + 1 values, m "
        "peaks); "
        + (
            "`find_peaks_into`: the same call, but the core asks the binding's allocator callback for the "
            "result, a NumPy array that C writes into; "
            if "find_peaks_into" in measured
            else ""
        )
        + "`scale(out=)`: the caller's array, made once; `scale()`: the binding allocates a new array. "
        "ns per call (x capi), then the peak memory one call allocates as tracemalloc sees it (Python objects "
        "and NumPy buffers; the core's own malloc is not traced).\n"
    )
    labels = [label for _, label in strategies]
    header = ["backend", "m", *labels, f"bytes: {labels[0]}", *labels[1:]]
    return intro + "\n" + table(header, rows, "ll" + "r" * (2 * len(strategies)))


def threads_section(run: Run, checks: Checks) -> str:
    out = []
    speedups = thread_speedups(run)
    if speedups:
        rows = []
        for b, (one, two, s) in speedups.items():
            rows.append(
                [
                    b,
                    f"{one.median / 1e6:.2f}" + checks.mark(one.key),
                    f"{two.median / 1e6:.2f}" + checks.mark(two.key),
                    f"{s:.2f}x" + checks.mark(two.key),
                ]
            )
        sample = next(iter(speedups.values()))[0]
        out.append(
            f"`Detector.update_many` on {sample.n:,} observations per thread, each thread with its own "
            "detector. Speed-up = 2 x t(1 thread) / t(2 threads): 2 is perfect, 1 means no parallelism.\n"
        )
        out.append(table(["backend", "1 thread, ms", "2 threads, ms", "speed-up"], rows))
    gil = run.select("gil", pattern="scale_threshold")
    if gil:
        rows = []
        for b in run.backends:
            below = next((f for f in gil if f.backend == b and f.variant == "below"), None)
            at = next((f for f in gil if f.backend == b and f.variant == "at"), None)
            if below and at:
                rows.append(
                    [
                        b,
                        _cell(run, checks, below, False),
                        _cell(run, checks, at, False),
                        fmt_ns(at.median - below.median),
                    ]
                )
        n_at = next((f.n for f in gil if f.variant == "at"), None)
        out.append(
            f"\n**The GIL on a short call**: `scale(x, 2.0, out=out)` one element below and at "
            f"`GIL_RELEASE_MIN_SIZE` ({n_at:,}), where the compiled backends start releasing the GIL (ctypes and "
            "cffi release it on every call). The difference is the cost of releasing and retaking it, plus one "
            "element; within the IQR it is noise.\n"
        )
        out.append(table(["backend", "n - 1, ns", "n, ns", "difference, ns"], rows))
    released = run.get("gil", "ctypes_noop", "ctypes", "releases")
    held = run.get("gil", "ctypes_noop", "ctypes", "holds")
    if released and held:
        out.append(
            f"\nA raw ctypes `bc_noop` through `ctypes.CDLL` (releases the GIL): {_cell(run, checks, released, False)} ns; "
            f"through `ctypes.PyDLL` (keeps it): {_cell(run, checks, held, False)} ns; difference "
            f"{fmt_ns(released.median - held.median)} ns."
        )
    return "\n".join(out) if out else "_Not measured._"


def static_section(run: Run, checks: Checks) -> str:
    static = run.static.get("backends", {})
    if not static:
        return "_Not measured._"
    build = run.static.get("build", {})
    targets = build.get("targets", {})
    measured = run.static.get("build_time_measured", False)
    rows = []
    for b in run.backends:
        s = static.get(b, {})
        if not measured:
            build_cell = f"not measured in --{run.mode}"
        elif "seconds" in targets.get(b, {}):
            build_cell = f"{targets[b]['seconds']:.1f}"
        else:
            build_cell = "failed" if "error" in targets.get(b, {}) else "—"
        imp = s.get("import", {})
        lines = s.get("lines", {})
        rows.append(
            [
                b,
                build_cell + checks.mark(("static", b, "build")),
                fmt_bytes(s.get("artefact_bytes")) + checks.mark(("static", b, "size")),
                (
                    f"{imp['import_s_median'] * 1e3:.2f} ({imp['import_s_iqr'] * 1e3:.2f})"
                    if "import_s_median" in imp
                    else "—"
                )
                + checks.mark(("static", b, "import")),
                fmt_bytes(imp["rss_after_kib_median"] * 1024) if "rss_after_kib_median" in imp else "—",
                fmt_bytes(imp["rss_delta_kib_median"] * 1024) if "rss_delta_kib_median" in imp else "—",
                f"{lines.get('code', '—')}" + checks.mark(("static", b, "lines")),
                f"{lines.get('build', '—')}",
                f"{lines.get('stubs', '—')}",
            ]
        )
    header = [
        "backend",
        "build s",
        "artefact",
        "import ms (IQR)",
        "RSS after import",
        "RSS added",
        "lines: code",
        "build",
        "stubs",
    ]
    out = [table(header, rows)]
    notes = []
    package = run.static.get("package_import", {})
    if "import_s_median" in package:
        notes.append(
            f"`import bindings` itself (NumPy and the package, shared by every backend and not counted above): "
            f"{package['import_s_median'] * 1e3:.1f} ms, RSS {fmt_bytes(package.get('rss_after_kib_median', 0) * 1024)}."
        )
    for name, figures in run.static.get("extra_imports", {}).items():
        if "import_s_median" in figures:
            notes.append(
                f"`import bindings.{name}` (cffi's ABI mode, which parses its cdef at import): "
                f"{figures['import_s_median'] * 1e3:.2f} ms."
            )
    if measured and "core_s" in build:
        notes.append(
            f"Build times: one fresh CMake build folder (configure {build.get('configure_s', 0):.1f} s), the C core "
            f"first ({build['core_s']:.1f} s, shared by all and not counted above), then each backend's target "
            f"alone with {build.get('jobs', '?')} parallel jobs; ctypes links the core's shared library. "
            "pyo3 is a clean `cargo build --release`, which also compiles its dependency crates and its own copy "
            "of the core."
        )
    notes.append(
        f"Import time: median over {run.static.get('import_runs', '?')} fresh interpreter(s), each importing "
        "`bindings` first and then timing `import bindings.<name>` alone. Lines: `benchmarks/count_lines.py` "
        "(non-blank, non-comment; docstrings count as comments)."
    )
    out.append("\n" + "\n".join(f"- {n}" for n in notes))
    return "\n".join(out)


def _shown_path(folder: Path) -> str:
    """The folder relative to the repository when it is inside it."""
    root = Path(__file__).resolve().parent.parent
    try:
        return folder.resolve().relative_to(root).as_posix()
    except ValueError:
        return folder.as_posix()


def write_report(run: Run, checks: Checks, plots: list[str]) -> str:
    machine = run.machine
    started = run.meta.get("started_utc", machine.get("recorded_at_utc", "?"))
    mode_text = {
        "full": "full",
        "quick": "quick (fewer rounds and sizes)",
        "smoke": "smoke (a handful of rounds; not for reading)",
    }
    versions = machine.get("versions", {})
    version_text = ", ".join(
        f"{k} {v}"
        for k, v in versions.items()
        if v and k not in ("crates", "python", "bindings", "bindings-pyo3")
    )
    crates = ", ".join(f"{k} {v}" for k, v in versions.get("crates", {}).items())
    build = machine.get("build", {})
    parts = [
        f"# Benchmark report: {run.folder.name}",
        "",
        f"Mode: **{mode_text.get(run.mode, run.mode)}**. Started {started} on {machine_line(run)}.",
        f"Compiled with {build.get('c_compiler') or 'an unknown C compiler'} / {build.get('cxx_compiler') or 'an unknown C++ compiler'} "
        f"({'flags `' + build['c_flags'] + '`' if build.get('c_flags') else 'flags unknown: no CMake cache found'}), "
        f"{build.get('rustc') or 'no Rust'}. Library versions: {version_text}"
        f"{'; crates: ' + crates if crates else ''}. Everything else is in `machine.json`.",
        "",
        "Every time is the **median** over pytest-benchmark's rounds (calibrated iterations per round, warm-up, "
        "garbage collector off while timing), in **ns per call**, with the interquartile range (IQR) where shown; "
        "**x capi** is the ratio to the C-API backend's median for the same call, measured in this same run "
        "(the backends of one measurement run back to back, so load that comes and goes shifts them together). "
        "Times include pytest-benchmark's loop around the call, as do the floors.",
        "",
        "## Plausibility checks",
        "",
    ]
    parts += [f"- {c}" for c in checks.conditions]
    if checks.findings:
        parts.append(
            f"- {len(checks.findings)} finding(s); the figures concerned are marked {MARK} and left out of the summary:"
        )
        parts += [f"  - {MARK} {f}" for f in checks.findings]
    else:
        parts.append(
            "- Every figure passed the checks (none faster than the builtin floor, no spread wider than its "
            "median, no missing pattern, no implausible sweep, conversion or thread figure)."
        )
    parts += ["", "## Summary", ""]
    parts += [f"- {line}" for line in summary_lines(run, checks)] or ["- (not enough data)"]
    parts += ["", "## Call overhead", "", floors_sentence(run, checks), ""]
    if "overhead.png" in plots:
        parts += ["![Call overhead per pattern](overhead.png)", ""]
    parts += [
        headline_table(run, checks),
        "",
        "<details><summary>Every pattern: median, IQR, allocations, rounds</summary>",
        "",
    ]
    parts += [overhead_details(run, checks), "", "</details>", ""]
    parts += [
        "## Variants: the raw foreign call, ctypes without argtypes, cffi ABI mode",
        "",
        variants_section(run, checks),
        "",
    ]
    parts += ["## Size sweeps", ""]
    if "sweep.png" in plots:
        parts += ["![Size sweep](sweep.png)", ""]
    parts += [sweep_section(run, checks), ""]
    parts += ["## Ownership: who allocates the result", "", ownership_section(run, checks), ""]
    parts += ["## Threads and the GIL", ""]
    if "threads.png" in plots:
        parts += ["![Thread speed-up](threads.png)", ""]
    parts += [threads_section(run, checks), ""]
    parts += ["## Static figures", ""]
    if "static.png" in plots:
        parts += ["![Static figures](static.png)", ""]
    parts += [static_section(run, checks), ""]
    parts += [
        "## Files",
        "",
        "`benchmarks.json.gz` (pytest-benchmark's raw JSON, every round), `static.json`, `machine.json`, `run.json` "
        "(the command and stage times), this report and its plots. Regenerate the report with "
        f"`python benchmarks/report.py {_shown_path(run.folder)}`.",
        "",
    ]
    return "\n".join(parts)


# ---- plots -------------------------------------------------------------------------------


def _colours() -> dict[str, Any]:
    import matplotlib

    cmap = matplotlib.colormaps["tab10"]
    colours = {b: cmap(i) for i, b in enumerate(BACKENDS)}
    colours["numpy"] = "black"
    return colours


def plot_overhead(run: Run, checks: Checks, path: Path) -> None:
    import matplotlib.pyplot as plt

    colours = _colours()
    patterns = [p for p in PATTERN_ORDER if any(run.get("overhead", p, b) for b in run.backends)]
    backends = run.backends
    fig, ax = plt.subplots(figsize=(max(10, 1.1 * len(patterns) + 2), 6.2))
    width = 0.8 / max(1, len(backends))
    for i, b in enumerate(backends):
        xs, ys, errs = [], [], [[], []]
        for j, p in enumerate(patterns):
            f = run.get("overhead", p, b)
            if f is None:
                continue
            xs.append(j - 0.4 + width * (i + 0.5))
            ys.append(f.median)
            errs[0].append(max(0.0, f.median - f.q1))
            errs[1].append(max(0.0, f.q3 - f.median))
        ax.bar(
            xs, ys, width, color=colours[b], label=b, yerr=errs, error_kw={"elinewidth": 0.6, "capsize": 0}
        )
        for x, p in zip(xs, [p for p in patterns if run.get("overhead", p, b)], strict=True):
            if not checks.ok(run.get("overhead", p, b).key):
                ax.annotate(
                    MARK,
                    (x, run.get("overhead", p, b).median),
                    ha="center",
                    va="bottom",
                    fontsize=8,
                    color="red",
                )
    numpy_x = [j for j, p in enumerate(patterns) if run.get("overhead", p, "numpy")]
    if numpy_x:
        ax.scatter(
            numpy_x,
            [run.get("overhead", patterns[j], "numpy").median for j in numpy_x],
            marker="D",
            color="black",
            zorder=5,
            label="NumPy equivalent",
        )
    for name, style, text in (
        ("builtin", "--", "builtin C call, gc.isenabled()"),
        ("builtin_arg", "-.", "builtin C call, abs(-1)"),
        ("python", ":", "empty Python function"),
    ):
        f = run.floor(name)
        if f:
            ax.axhline(
                f.median,
                color="dimgray",
                linestyle=style,
                linewidth=1.2,
                label=f"floor: {text}, {fmt_ns(f.median)} ns",
            )
    ax.set_yscale("log")
    ax.set_xticks(range(len(patterns)))
    ax.set_xticklabels([PATTERN_LABELS.get(p, p) for p in patterns], rotation=35, ha="right", fontsize=9)
    ax.set_ylabel("ns per call (median, log scale; integrate: per callback)")
    ax.set_title(f"Call overhead per pattern, one bar per backend (whiskers: IQR) — {run.mode} run")
    ax.grid(axis="y", which="both", alpha=0.3)
    ax.legend(ncol=4, fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_sweep(run: Run, checks: Checks, path: Path) -> None:
    import matplotlib.pyplot as plt

    colours = _colours()
    functions = [p for p in ("dsum", "scale") if run.select("sweep", pattern=p)]
    fig, axes = plt.subplots(
        2, max(1, len(functions)), figsize=(7 * max(1, len(functions)), 9), squeeze=False
    )
    for col, pattern in enumerate(functions):
        for b in [*run.backends, "numpy"]:
            sweep = sorted(run.select("sweep", pattern=pattern, backend=b), key=lambda f: f.n)
            if not sweep:
                continue
            ns = [f.n for f in sweep]
            label = b if b != "numpy" else f"NumPy ({NUMPY_LABELS[pattern]})"
            start, reaches = crossover(run, pattern, b) if b in BACKENDS and b != REFERENCE else (None, False)
            if reaches:
                label += f" — within 10 % of capi from n={start:,}"
            style = "--" if b == "numpy" else "-"
            for row, values in ((0, [f.median for f in sweep]), (1, [f.median / f.n for f in sweep])):
                ax = axes[row][col]
                ax.plot(
                    ns,
                    values,
                    style,
                    marker="o",
                    markersize=3,
                    color=colours[b],
                    label=label if row == 0 else None,
                )
                if reaches:
                    idx = ns.index(start)
                    ax.plot(
                        [start],
                        [values[idx]],
                        marker="o",
                        markersize=11,
                        markerfacecolor="none",
                        markeredgecolor=colours[b],
                        markeredgewidth=1.5,
                    )
                for f, v in zip(sweep, values, strict=True):
                    if not checks.ok(f.key):
                        ax.annotate(MARK, (f.n, v), color="red", fontsize=8)
        for row, ylabel in ((0, "ns per call (median)"), (1, "ns per element")):
            ax = axes[row][col]
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("n (elements)")
            ax.set_ylabel(ylabel)
            ax.grid(which="both", alpha=0.3)
        what = "dsum(x)" if pattern == "dsum" else "scale(x, 2.0), new array"
        axes[0][col].set_title(f"{what}: time per call (circle: within 10 % of capi from here)")
        axes[1][col].set_title(f"{what}: time per element")
        axes[0][col].legend(fontsize=7)
    fig.suptitle(f"Size sweep — {run.mode} run")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_threads(run: Run, checks: Checks, path: Path) -> None:
    import matplotlib.pyplot as plt

    colours = _colours()
    speedups = thread_speedups(run)
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    names = list(speedups)
    values = [speedups[b][2] for b in names]
    left.bar(names, values, color=[colours[b] for b in names])
    for i, b in enumerate(names):
        text = f"{values[i]:.2f}" + ("" if checks.ok(speedups[b][1].key) else f" {MARK}")
        left.annotate(text, (i, values[i]), ha="center", va="bottom", fontsize=9)
    left.axhline(2.0, color="green", linestyle="--", linewidth=1, label="ideal (2 threads)")
    left.axhline(1.0, color="dimgray", linestyle=":", linewidth=1, label="no parallelism")
    left.set_ylabel("speed-up: 2 x t(1 thread) / t(2 threads)")
    left.set_title("update_many on 2 threads, separate detectors")
    left.set_ylim(0, max([2.3, *values]) * 1.1)
    left.legend(fontsize=8, loc="lower right")
    gil = run.select("gil", pattern="scale_threshold")
    diffs, labels, cols = [], [], []
    for b in run.backends:
        below = next((f for f in gil if f.backend == b and f.variant == "below"), None)
        at = next((f for f in gil if f.backend == b and f.variant == "at"), None)
        if below and at:
            diffs.append(at.median - below.median)
            labels.append(b)
            cols.append(colours[b])
    released = run.get("gil", "ctypes_noop", "ctypes", "releases")
    held = run.get("gil", "ctypes_noop", "ctypes", "holds")
    if released and held:
        diffs.append(released.median - held.median)
        labels.append("ctypes raw noop\nCDLL - PyDLL")
        cols.append("gray")
    right.bar(range(len(diffs)), diffs, color=cols)
    right.set_xticks(range(len(diffs)))
    right.set_xticklabels(labels, rotation=30, ha="right", fontsize=8)
    right.axhline(0, color="black", linewidth=0.8)
    right.set_ylabel("ns per call")
    right.set_title(
        "Cost of releasing the GIL on a short call\n(scale at the release threshold minus one below it)"
    )
    fig.suptitle(f"Threads and the GIL — {run.mode} run")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_static(run: Run, checks: Checks, path: Path) -> None:
    import matplotlib.pyplot as plt

    colours = _colours()
    static = run.static.get("backends", {})
    names = [b for b in run.backends if b in static]
    targets = run.static.get("build", {}).get("targets", {})
    fig, axes = plt.subplots(1, 4, figsize=(18, 4.8))
    panels = [
        ("build time, s", [targets.get(b, {}).get("seconds") for b in names], None, "build"),
        ("compiled artefact, KiB", [static[b].get("artefact_bytes", 0) / 1024 for b in names], None, "size"),
        (
            "import time, ms (median; whiskers: IQR)",
            [static[b].get("import", {}).get("import_s_median", 0) * 1e3 for b in names],
            [static[b].get("import", {}).get("import_s_iqr", 0) * 1e3 / 2 for b in names],
            "import",
        ),
        ("lines of binding code", [static[b].get("lines", {}).get("code", 0) for b in names], None, "lines"),
    ]
    for ax, (title, values, errors, what) in zip(axes, panels, strict=True):
        ax.set_title(title)
        if all(v is None for v in values):
            reason = (
                f"not measured in --{run.mode}"
                if not run.static.get("build_time_measured")
                else "not measured"
            )
            ax.text(
                0.5,
                0.5,
                reason,
                ha="center",
                va="center",
                transform=ax.transAxes,
                fontsize=11,
                color="dimgray",
            )
            ax.set_xticks([])
            ax.set_yticks([])
            continue
        heights = [v or 0 for v in values]
        ax.bar(names, heights, color=[colours[b] for b in names], yerr=errors)
        for i, v in enumerate(values):
            text = "failed" if v is None and "error" in targets.get(names[i], {}) else "—"
            if v is not None:
                text = f"{v:,.0f}" if v >= 100 else f"{v:.1f}"
            if not checks.ok(("static", names[i], what)):
                text += f" {MARK}"
            ax.annotate(
                text,
                (i, heights[i]),
                ha="center",
                va="bottom",
                fontsize=8,
            )
        ax.tick_params(axis="x", rotation=45)
    if run.static.get("build_time_measured") and "pyo3" in names:
        axes[0].set_xlabel("pyo3: clean cargo build incl. dependency crates", fontsize=8)
    fig.suptitle(f"Build time, artefact size, import time and lines of code — {run.mode} run")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def make_plots(run: Run, checks: Checks) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    made = []
    for name, function in (
        ("overhead.png", plot_overhead),
        ("sweep.png", plot_sweep),
        ("threads.png", plot_threads),
        ("static.png", plot_static),
    ):
        function(run, checks, run.folder / name)
        made.append(name)
    return made


# ---- README --------------------------------------------------------------------------------


def readme_section(run: Run, checks: Checks, readme: Path) -> str:
    folder = Path(os.path.relpath(run.folder, readme.parent)).as_posix()
    started = run.meta.get("started_utc", run.machine.get("recorded_at_utc", "?"))
    lines = [
        README_BEGIN,
        f"Latest committed report: [`{folder}/report.md`]({folder}/report.md), a {run.mode} run made {started} on "
        f"{machine_line(run)}.",
        "",
        f"![Call overhead per pattern, one bar per backend]({folder}/overhead.png)",
        "",
        "Median ns per call (x the C-API backend's median in the same run). " + floors_sentence(run, checks),
        "",
        headline_table(run, checks),
        "",
    ]
    lines += [f"- {line}" for line in summary_lines(run, checks)]
    if checks.findings:
        lines += [
            "",
            f"{len(checks.findings)} figure(s) failed the report's plausibility checks and are marked {MARK}; see the report.",
        ]
    lines.append(README_END)
    return "\n".join(lines)


def update_readme(run: Run, checks: Checks, readme: Path) -> None:
    text = readme.read_text()
    begin, end = text.find(README_BEGIN), text.find(README_END)
    if begin < 0 or end < begin:
        raise SystemExit(f"{readme}: no {README_BEGIN} ... {README_END} markers to replace")
    text = text[:begin] + readme_section(run, checks, readme) + text[end + len(README_END) :]
    readme.write_text(text)


# ---- main ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="a run folder (benchmarks/results/<run>)")
    parser.add_argument("--readme", type=Path, help="rewrite this README's results section from this run")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 if any figure fails a plausibility check"
    )
    parser.add_argument("--no-plots", action="store_true", help="write report.md only")
    args = parser.parse_args(argv)
    run = load(args.folder)
    if not run.figures:
        print(f"[report] {args.folder}: no benchmark figures", file=sys.stderr)
        return 1
    checks = check(run)
    plots = [] if args.no_plots else make_plots(run, checks)
    (args.folder / "report.md").write_text(write_report(run, checks, plots))
    print(f"[report] wrote {args.folder / 'report.md'} and {len(plots)} plot(s)")
    for condition in checks.conditions:
        print(f"[report] note: {condition}")
    if checks.findings:
        print(f"[report] {len(checks.findings)} plausibility finding(s), marked {MARK} in the report:")
        for finding in checks.findings[:20]:
            print(f"[report]   {finding}")
        if len(checks.findings) > 20:
            print(f"[report]   ... and {len(checks.findings) - 20} more")
    if args.readme:
        update_readme(run, checks, args.readme)
        print(f"[report] updated the results section of {args.readme}")
    return 1 if args.strict and checks.findings else 0


if __name__ == "__main__":
    sys.exit(main())
