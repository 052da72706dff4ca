"""The report's four plots (matplotlib, Agg): overhead.png, sweep.png, threads.png, static.png.

matplotlib is imported only when a plot is made, so that loading the report (as the
tutorials' tools do) does not need it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .checks import MARK, Checks
from .formatting import fmt_ns
from .load import BACKENDS, NUMPY_LABELS, PATTERN_LABELS, PATTERN_ORDER, REFERENCE, Run
from .stats import crossover, gil_release_costs, thread_speedups


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
        series = [(b, None) for b in run.backends] + [("numpy", None), ("numpy", "out")]
        for b, variant in series:
            sweep = sorted(
                run.select("sweep", pattern=pattern, backend=b, variant=variant), key=lambda f: f.n
            )
            if not sweep:
                continue
            ns = [f.n for f in sweep]
            label = b if b != "numpy" else f"NumPy ({NUMPY_LABELS[pattern]})"
            if variant == "out":
                label = "NumPy (np.multiply(x, k, out), nothing allocated)"
            start, reaches = crossover(run, pattern, b) if b in BACKENDS and b != REFERENCE else (None, False)
            if reaches:
                label += f" — within 10 % of capi from n={start:,}"
            style = "-" if b != "numpy" else ("--" if variant is None else ":")
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
    costs = gil_release_costs(run)
    labels = list(costs)
    values = [costs[label][2] for label in labels]
    errors = [
        (value - bounds[0], bounds[1] - value) if bounds else (0.0, 0.0)
        for value, bounds in ((costs[label][2], costs[label][3]) for label in labels)
    ]
    right.bar(
        range(len(values)),
        values,
        color=[colours.get(label, "gray") for label in labels],
        yerr=list(zip(*errors, strict=True)) if errors else None,
        capsize=4,
    )
    right.set_xticks(range(len(values)))
    right.set_xticklabels(
        [label.replace("ctypes raw noop", "ctypes raw noop\nCDLL / PyDLL") for label in labels],
        rotation=30,
        ha="right",
        fontsize=8,
    )
    right.axhline(1.0, color="black", linewidth=0.8, label="1: no measurable cost")
    right.set_ylabel("time releasing / time keeping the GIL (95 % interval)")
    right.set_title(
        "Releasing the GIL on a short call: scale at the threshold over one below\n"
        "(an interval across 1: the cost is below what the run resolves)"
    )
    right.legend(fontsize=8, loc="upper right")
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
