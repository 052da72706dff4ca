"""Markdown tables, and the cell in which every table writes one figure.

The tables are rendered by ``tabulate`` (pipe format, GitHub's Markdown).
"""

from __future__ import annotations

from tabulate import tabulate

from .checks import Checks
from .formatting import fmt_count, fmt_interval, fmt_ns, fmt_ratio
from .load import BACKENDS, Figure, Run
from .stats import ratio, ratio_interval

#: One letter per column in ``table``'s ``align``, as tabulate names it.
ALIGNMENTS = {"l": "left", "r": "right"}


def table(header: list[str], rows: list[list[str]], align: str | None = None) -> str:
    """A Markdown table; ``align`` is one letter per column, l or r (default: the first left)."""
    align = align or "l" + "r" * (len(header) - 1)
    return tabulate(
        rows,
        headers=header,
        tablefmt="pipe",
        colalign=[ALIGNMENTS[a] for a in align],
        # Every cell is already text ("1,230 (1.05x) ⚠"): parsed as a number, it would be rewritten.
        disable_numparse=True,
    )


def cell(
    run: Run, checks: Checks, f: Figure | None, with_ratio: bool = True, instructions: bool = False
) -> str:
    """Net ns, its ratio to capi with the ratio's 95 % interval, and (optionally) instructions.

    "53.1 (1.02x [0.99, 1.05])", then "<br>230 instr" when callgrind counted the call.
    """
    if f is None:
        return "—"
    text = fmt_ns(f.median)
    if with_ratio and f.backend in BACKENDS:
        bounds = ratio_interval(run, f)
        text += f" ({fmt_ratio(ratio(run, f))}{' ' + fmt_interval(bounds) if bounds else ''})"
    text += checks.mark(f.key)
    count = run.instructions_per_call(f.backend, f.pattern) if instructions and f.kind == "overhead" else None
    if count is not None:
        text += f"<br>{fmt_count(count)} instr"
    return text


def quoted(f: Figure) -> str:
    """A figure as prose quotes it: "53.1 ns [52.0, 54.2]" (net ns and its 95 % interval)."""
    bounds = (f.low, f.high) if f.low is not None and f.high is not None else None
    return f"{fmt_ns(f.median)} ns" + (f" {fmt_interval(bounds, unit='')}" if bounds else "")
