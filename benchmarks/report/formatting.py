"""How the report writes a number: ns per call, ratios and byte counts, as text.

Below the plausibility checks, whose messages quote figures the way the tables show them.
"""

from __future__ import annotations

import math


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


#: Between the bounds of an interval: an en dash, as in "[1.01\u20131.09x]" (a hyphen would
#: read as a minus sign before a negative bound).
DASH = "\u2013"


def fmt_interval(bounds: tuple[float, float] | None, unit: str = "x") -> str:
    """A 95 % interval as "[1.01\u20131.09x]" (ratios) or "[52.1\u201353.4]" (ns, unit="")."""
    if bounds is None:
        return ""
    low, high = bounds
    if unit == "x":
        return f"[{fmt_ratio(low)[:-1]}{DASH}{fmt_ratio(high)}]"
    return f"[{fmt_ns(low)}{DASH}{fmt_ns(high)}]"


def fmt_count(value: float | None) -> str:
    """Instructions per call: whole numbers, thousands separated."""
    return "—" if value is None else f"{value:,.0f}"
