"""The plausibility checks: what in a run cannot be right, flagged rather than published quietly.

``check(run)`` returns ``Checks``: the findings (each flagging one figure, by its key, or
a static figure, by a ``("static", backend, what)`` key), and the run conditions every
figure should be read with. Every table, plot and summary asks ``Checks.ok`` or
``Checks.mark`` before it uses a figure.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from .formatting import fmt_ns
from .load import BACKENDS, FLOOR_LABELS, HEADLINE_PATTERNS, REFERENCE, Figure, Run
from .stats import WITHIN, ratio, ratio_interval, thread_speedups

#: How far below the builtin floor a call may come out before it is called implausible.
#: The floor is the same kind of call as a binding's noop, and does a little work of its
#: own (it returns a flag), so the two differ by a few ns plus noise, never by more.
FLOOR_TOLERANCE = 0.10
#: The sign an implausible figure carries wherever it appears (tables, plots, README).
MARK = "⚠"
#: A run whose ratio intervals on the headline patterns reach further than this from the
#: ratio (either way) is marked as disturbed: something else competed for the machine.
DISTURBED = 0.10


@dataclass
class Checks:
    findings: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    flagged: set = field(default_factory=set)
    disturbed: bool = False

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

    - a call faster than the cheaper builtin floor by more than FLOOR_TOLERANCE (the floors
      are C builtins that do next to nothing, called the way every benchmark calls its
      function: nothing that crosses into a binding can be cheaper; each is measured
      several times spread over the run, and its fastest measurement counts);
    - a spread (IQR) wider than the median;
    - too few rounds (< 5) for a median to mean much;
    - a backend that was built but lacks a pattern the others have;
    - a size sweep whose time per call falls by more than half while n grows tenfold;
    - a conversion copy measured faster than the zero-copy path at n >= 1000;
    - a thread speed-up above the number of threads (or of usable cores) by > 10 %;
    - static figures that are missing, zero or negative, an import time whose spread is
      wider than its median, or a build that failed.
    Run conditions (a busy machine, a quick or smoke run, a disturbed run: ratio intervals
    wider than DISTURBED on the headline patterns) are reported beside them.
    """
    checks = Checks()
    lowest = [f for f in (run.lowest_floor("builtin"), run.lowest_floor("builtin_arg")) if f]
    builtin = min(lowest, key=lambda f: f.median) if lowest else None
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
                f"({fmt_ns(builtin.median)} ns, {builtin.call or builtin.pattern}, its fastest measurement): "
                "implausible",
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
        for backend, variant in [*((b, None) for b in run.backends), ("numpy", None), ("numpy", "out")]:
            sweep = sorted(
                run.select("sweep", pattern=pattern, backend=backend, variant=variant), key=lambda f: f.n
            )
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
    wide = []
    for f in run.select("overhead"):
        bounds = ratio_interval(run, f) if f.pattern in HEADLINE_PATTERNS and f.backend in BACKENDS else None
        point = ratio(run, f)
        if bounds and point:
            reach = max(point - bounds[0], bounds[1] - point) / point
            if reach > DISTURBED:
                wide.append(f"{f.backend} {f.pattern}{' (A/A)' if f.variant else ''} ±{reach * 100:.0f} %")
    if wide:
        checks.disturbed = True
        checks.conditions.append(
            f"{MARK} **Disturbed run**: ratio intervals wider than ±{DISTURBED * 100:.0f} % on the headline patterns "
            f"({'; '.join(wide)}): the machine was not quiet enough for these ratios to rank the backends."
        )
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
