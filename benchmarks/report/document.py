"""``write_report``: assembles report.md from the summary, the sections and the plots made."""

from __future__ import annotations

from pathlib import Path

from .abi3 import section as abi3_section
from .calls import (
    aa_table,
    call_path_table,
    crosscheck_table,
    floors_table,
    harness_table,
    instructions_table,
    method_paragraph,
)
from .checks import MARK, Checks
from .compat import section as compat_section
from .load import Run
from .sections import (
    overhead_details,
    ownership_section,
    static_section,
    sweep_section,
    threads_section,
    variants_section,
)
from .shipping import section as shipping_section
from .summary import floors_sentence, headline_table, machine_line, summary_lines
from .tax import section as tax_section
from .versions import section as versions_section


def _shown_path(folder: Path) -> str:
    """The folder relative to the repository when it is inside it."""
    root = Path(__file__).resolve().parents[2]  # benchmarks/report/document.py
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
        method_paragraph(run),
        "**x capi** is the ratio to the C-API backend's figure for the same call in this same run (the backends "
        "of one measurement run back to back in each worker, so load that comes and goes shifts them together).",
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
        "## The method's own spread: the C-API backend against itself (A/A)",
        "",
        aa_table(run, checks),
        "",
    ]
    parts += ["## An empty call against the floors", "", floors_table(run, checks), ""]
    crosscheck, disagreements = crosscheck_table(run, checks)
    parts += ["## Instructions beside nanoseconds", ""]
    if run.instructions:
        parts += [instructions_table(run), ""]
    parts += ["### Do time and instructions agree?", "", crosscheck, ""]
    if disagreements:
        parts += ["Where they disagree:", ""] + [f"- ⚑ {line}" for line in disagreements] + [""]
    elif run.instructions:
        parts += ["Time and instruction ratios agree for every pattern and backend.", ""]
    parts += ["## Which CALL instruction the caller runs", "", call_path_table(run), ""]
    parts += ["## What a harness adds", "", harness_table(run, checks), ""]
    parts += ["## The wrapper tax: each call against the cheapest call of the same C function", ""]
    parts += [tax_section(run, checks), ""]
    parts += ["## Across Python versions", "", versions_section(run, checks), ""]
    parts += ["## Compatibility: versions, abi3, subinterpreters, free-threading, Ctrl-C", ""]
    parts += [compat_section(run.folder), ""]
    parts += [
        "## The stable ABI (abi3): its cost per call, and the wheels it saves",
        "",
        abi3_section(run, checks),
        "",
    ]
    parts += [
        "## Shipping: wheels, tags, sizes and what the user needs",
        "",
        shipping_section(run.folder),
        "",
    ]
    parts += [
        "## Variants: the raw foreign call, ctypes without argtypes, cffi ABI mode, nanobind without DLPack",
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
        "`benchmarks.json.gz` (pytest-benchmark's raw JSON of every worker: every round, gross, with the empty "
        "loop's time of each), `instructions/` (callgrind's counts), `static.json`, `machine.json`, `run.json` "
        "(the command and stage times), this report and its plots"
        + (
            f"; `versions/<X.Y>/` holds each further interpreter's part ({', '.join(run.versions)}), laid out the same"
            if run.versions
            else ""
        )
        + ". Regenerate the report with "
        f"`python benchmarks/report {_shown_path(run.folder)}`.",
        "",
    ]
    return "\n".join(parts)
