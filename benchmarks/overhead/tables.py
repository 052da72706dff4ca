"""Markdown tables: readable in a terminal, rendered in a GitHub job summary."""

from __future__ import annotations

from collections.abc import Sequence


def number(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def markdown(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """A table with columns padded to a common width; columns in ``right`` are right-aligned."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        padded = (
            str(cell).rjust(width) if index in right else str(cell).ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join("-" * (w + 1) + ":" if i in right else "-" * (w + 2) for i, w in enumerate(widths))
        + "|"
    )
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def per_pattern(values: dict[str, dict[str, float]], digits: int = 2) -> str:
    """Patterns down, backends across: ``values[backend][pattern]``."""
    backends = list(values)
    names = list(dict.fromkeys(name for figures in values.values() for name in figures))
    rows = [[name, *(number(values[b].get(name), digits) for b in backends)] for name in names]
    return markdown(["pattern", *backends], rows, right=range(1, len(backends) + 1))
