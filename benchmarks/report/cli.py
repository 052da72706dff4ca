"""Turns a run folder into report.md and four plots, after checking its own data.

    python benchmarks/report benchmarks/results/<run> [--readme README.md] [--strict]

Reads ``benchmarks.json.gz`` (or ``benchmarks.json``: pytest-benchmark's raw JSON),
``static.json``, ``machine.json`` and ``run.json`` from the folder and writes there:

- ``report.md``: per pattern the median and interquartile range in ns per call and the
  ratio to the C-API backend's median in the same run, every other figure, and a short
  generated summary;
- ``overhead.png``, ``sweep.png``, ``threads.png``, ``static.png`` (matplotlib, Agg).

``--strict`` makes plausibility findings an error (exit 1). ``--readme`` rewrites the
results section of README.md (between its markers) with this run's main plot, headline
table, summary and machine.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .checks import MARK, check
from .document import write_report
from .load import load
from .plots import make_plots
from .readme import update_readme


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
