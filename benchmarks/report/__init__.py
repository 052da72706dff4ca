"""The benchmark report: checks a run folder's data, then writes report.md and four plots.

    python benchmarks/report benchmarks/results/<run> [--readme README.md] [--strict]

Nothing is smoothed or hard-coded: every number is a median (or a ratio of medians) of
this run, and every ratio is to the C-API backend's median for the same measurement in
the same run. Before writing, the data is checked (see ``check``); an implausible figure
is marked with a warning sign wherever it appears, listed under "Plausibility checks",
and left out of the generated summary. ``--strict`` makes such findings an error
(exit 1); ``--readme`` rewrites the results section of README.md from this run.

One job per module, each importing only the ones listed before it:

- ``load``: the data model (``Figure``, ``Run``), the names and labels the data uses,
  and ``load(folder)``;
- ``stats``: ratios, geometric means, crossovers, thread speed-ups (no formatting);
- ``formatting``: how a number is written (ns, ratios, bytes);
- ``checks``: ``Checks`` and ``check(run)``, the plausibility checks;
- ``tables``: Markdown tables and the cell a figure is written in;
- ``summary``: the machine line, the floors, the headline table and the generated summary;
- ``sections``: the report's detailed sections; ``document``: ``write_report``;
- ``plots``: the four plots (matplotlib, Agg);
- ``readme``: the README's results block;
- ``intervals`` (beside ``load``): net samples and bootstrap intervals over workers;
- ``calls``: the sections that explain the call figures (A/A, floors, instructions, CALL
  paths, what a harness adds);
- ``tax``: the wrapper tax, each call against the cheapest call of the same C function,
  and where the difference goes (callgrind's profile);
- ``versions``: the cross-version section (a run over several interpreters, ``Run.versions``);
- ``abi3``: the stable-ABI section, abi3 over full per pattern and the wheels each choice needs;
- ``compat``: the compatibility matrix, from what the test suite recorded on each interpreter;
- ``shipping``: the shipping table, from what ``tools/shipping.py`` recorded of each wheel;
- ``cli``: ``main(argv)``, also run by ``python benchmarks/report`` (``__main__``).

Everything other code uses (``benchmarks/run.py``, ``tutorials/tools/generated.py``) is
imported here. The package imports ``machine`` (``benchmarks/machine.py``) as a top-level
module, so ``benchmarks/`` must be on ``sys.path`` while it is imported.
"""

from __future__ import annotations

from .abi3 import build_table as abi3_build_table
from .abi3 import instruction_mean as abi3_instruction_mean
from .abi3 import wheels_sentence as abi3_wheels_sentence
from .calls import aa_table, crosscheck_table, floors_table, harness_table
from .checks import FLOOR_TOLERANCE, MARK, Checks, check, describe_figure
from .cli import main
from .compat import matrix as compat_matrix
from .document import write_report
from .formatting import fmt_bytes, fmt_interval, fmt_ns, fmt_ratio
from .load import (
    BACKENDS,
    FLOOR_LABELS,
    NUMPY_LABELS,
    OWNERSHIP_STRATEGIES,
    PATTERN_LABELS,
    PATTERN_ORDER,
    REFERENCE,
    Figure,
    Run,
    load,
)
from .plots import make_plots
from .readme import README_BEGIN, README_END, readme_section, update_readme
from .shipping import section as shipping_section
from .stats import WITHIN, crossover, geometric_mean, gil_release_costs, ratio, thread_speedups
from .summary import (
    backend_verdict,
    floors_sentence,
    headline_table,
    machine_line,
    overhead_means,
    summary_lines,
)
from .tables import cell, table
from .tax import section as wrapper_tax

__all__ = [
    "BACKENDS",
    "FLOOR_LABELS",
    "FLOOR_TOLERANCE",
    "MARK",
    "NUMPY_LABELS",
    "OWNERSHIP_STRATEGIES",
    "PATTERN_LABELS",
    "PATTERN_ORDER",
    "README_BEGIN",
    "README_END",
    "REFERENCE",
    "WITHIN",
    "Checks",
    "Figure",
    "Run",
    "aa_table",
    "abi3_build_table",
    "abi3_instruction_mean",
    "abi3_wheels_sentence",
    "backend_verdict",
    "cell",
    "check",
    "compat_matrix",
    "crosscheck_table",
    "crossover",
    "describe_figure",
    "floors_sentence",
    "floors_table",
    "fmt_bytes",
    "fmt_interval",
    "fmt_ns",
    "fmt_ratio",
    "geometric_mean",
    "gil_release_costs",
    "harness_table",
    "headline_table",
    "load",
    "machine_line",
    "main",
    "make_plots",
    "overhead_means",
    "ratio",
    "readme_section",
    "shipping_section",
    "summary_lines",
    "table",
    "thread_speedups",
    "update_readme",
    "wrapper_tax",
    "write_report",
]
