"""The results block of the top-level README: this run's main plot, headline table and summary.

``update_readme`` replaces what stands between the two markers, and nothing else.
"""

from __future__ import annotations

import os
from pathlib import Path

from .checks import MARK, Checks
from .compat import matrix as compat_matrix
from .load import Run
from .summary import floors_sentence, headline_table, machine_line, summary_lines

README_BEGIN = "<!-- bench-results:begin -->"
README_END = "<!-- bench-results:end -->"


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
        "Net ns per call, the loop that makes the calls subtracted (x the C-API backend in the same run, with "
        "the ratio's 95 % interval from independent worker processes; below, callgrind's instructions per call). "
        + floors_sentence(run, checks),
        "",
        headline_table(run, checks),
        "",
    ]
    lines += [f"- {line}" for line in summary_lines(run, checks)]
    lines += [
        "",
        "Compatibility, as the test suite recorded it in the same run:",
        "",
        compat_matrix(run.folder),
    ]
    if checks.disturbed:
        lines += [
            "",
            f"{MARK} This run is marked as disturbed: its intervals are too wide to rank the backends.",
        ]
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
