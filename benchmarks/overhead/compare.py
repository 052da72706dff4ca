"""Compares two results of the overhead check; fails when a figure rose too much.

    python benchmarks/overhead/compare.py BASELINE.json NEW.json [--fail-above 5] [--warn-above 1]

A figure is the instructions one call of a pattern costs on one backend. The
check fails (exit status 1) when any figure rose by more than --fail-above
percent, and prints a table of those figures: backend, pattern, old value, new
value, change. A rise above --warn-above percent is a warning. Wall-clock times
are never compared.

Instruction counts depend on the Python, the compilers and the libraries, so
when the two results come from different environments the comparison is shown
but does not gate: compare against a baseline built in the same job instead
(``nox -s overhead -- --against REV``), or refresh the committed one.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tables

FAIL, WARN, OK, FASTER, GONE, NEW = "FAIL", "warn", "ok", "faster", "gone", "new"


@dataclass(frozen=True)
class Row:
    backend: str
    pattern: str
    old: float | None
    new: float | None
    change: float | None  # percent
    status: str


def _change(old: float, new: float) -> float:
    if old > 0:
        return (new - old) / old * 100
    return 0.0 if new == old else math.copysign(math.inf, new - old)


def compare(old: dict[str, Any], new: dict[str, Any], fail_above: float, warn_above: float) -> list[Row]:
    """One row per (backend, pattern) measured in either result, in the new result's order."""
    before, after = old["instructions_per_call"], new["instructions_per_call"]
    rows = []
    for backend in dict.fromkeys([*after, *before]):
        patterns_before, patterns_after = before.get(backend, {}), after.get(backend, {})
        for pattern in dict.fromkeys([*patterns_after, *patterns_before]):
            a, b = patterns_before.get(pattern), patterns_after.get(pattern)
            if a is None or b is None:
                rows.append(Row(backend, pattern, a, b, None, NEW if a is None else GONE))
                continue
            # region: gate-thresholds
            change = _change(a, b)
            if change > fail_above:
                status = FAIL
            elif change > warn_above:
                status = WARN
            elif change < -warn_above:
                status = FASTER
            else:
                status = OK
            rows.append(Row(backend, pattern, a, b, change, status))
            # endregion: gate-thresholds
    return rows


def differences(old: dict[str, Any], new: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(environment keys that differ, patterns whose definition or loop length differs)."""
    env_old, env_new = old.get("environment", {}), new.get("environment", {})
    environment = [key for key in dict.fromkeys([*env_new, *env_old]) if env_old.get(key) != env_new.get(key)]
    set_old, set_new = old.get("settings", {}), new.get("settings", {})
    defs_old, defs_new = set_old.get("patterns", {}), set_new.get("patterns", {})
    if set_old.get("calls") != set_new.get("calls"):
        redefined = sorted(set(defs_old) & set(defs_new))
    else:
        redefined = [
            name for name in defs_new if name in defs_old and list(defs_old[name]) != list(defs_new[name])
        ]
    return environment, redefined


def before_backends(old: dict[str, Any]) -> set[str]:
    """The builds a result counted."""
    return set(old.get("instructions_per_call", {}))


def _table(rows: list[Row], with_status: bool = True) -> str:
    body = [
        [
            r.backend,
            r.pattern,
            tables.number(r.old),
            tables.number(r.new),
            "—" if r.change is None else f"{r.change:+.2f}%",
            *([r.status] if with_status else []),
        ]
        for r in rows
    ]
    headers = ["backend", "pattern", "old", "new", "change", *(["status"] if with_status else [])]
    return tables.markdown(headers, body, right=(2, 3, 4))


def report(
    old: dict[str, Any], new: dict[str, Any], fail_above: float = 5.0, warn_above: float = 1.0
) -> tuple[str, int]:
    """The comparison as markdown, and the exit status (1: a figure rose above fail_above)."""
    rows = compare(old, new, fail_above, warn_above)
    environment, redefined = differences(old, new)
    lines = [
        f"### Instructions per call: {new.get('label', 'new')} against {old.get('label', 'baseline')}",
        "",
        f"Fails above +{fail_above:g}%, warns above +{warn_above:g}%.",
        "",
        _table(rows),
        "",
    ]
    if redefined:
        lines += [
            f"Note: patterns defined differently from the baseline's: {', '.join(redefined)}. "
            "If that is intended, refresh the baseline (`nox -s overhead -- --update-baseline`).",
            "",
        ]
    failed = [r for r in rows if r.status == FAIL]
    warned = [r for r in rows if r.status == WARN]
    gone = [r for r in rows if r.status == GONE]
    gated = not environment
    if not gated:
        env_old, env_new = old.get("environment", {}), new.get("environment", {})
        changed = "; ".join(f"{key}: {env_old.get(key)!r} -> {env_new.get(key)!r}" for key in environment)
        lines += [
            f"**Not gated**: the baseline comes from a different environment ({changed}), "
            "so its counts are not comparable. Compare with a revision built in the same job "
            "(`nox -s overhead -- --against REV`) or refresh the baseline on this machine.",
            "",
        ]
    if warned:
        names = ", ".join(f"{r.backend}/{r.pattern} ({r.change:+.2f}%)" for r in warned)
        lines += [f"Warning: {len(warned)} figure(s) rose more than {warn_above:g}%: {names}.", ""]
    if gone:
        names = ", ".join(f"{r.backend}/{r.pattern}" for r in gone)
        lines += [f"Warning: measured in the baseline but not now: {names}.", ""]
    new_rows = [r for r in rows if r.status == NEW]
    if new_rows:
        # A build or pattern the baseline lacks (a stable-ABI build, say) has nothing to rise from.
        whole = [b for b in dict.fromkeys(r.backend for r in new_rows) if b not in before_backends(old)]
        names = [*whole, *(f"{r.backend}/{r.pattern}" for r in new_rows if r.backend not in whole)]
        lines += [f"Not in the baseline, so measured and not gated: {', '.join(names)}.", ""]
    if failed:
        lines += [
            f"**{'REGRESSION' if gated else 'Would fail'}: {len(failed)} figure(s) rose more than {fail_above:g}%**",
            "",
            _table(failed, with_status=False),
            "",
        ]
    elif not warned:
        lines += [f"No figure rose more than {warn_above:g}%.", ""]
    return "\n".join(lines), 1 if failed and gated else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("baseline", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--fail-above", type=float, default=5.0, metavar="PERCENT")
    parser.add_argument("--warn-above", type=float, default=1.0, metavar="PERCENT")
    args = parser.parse_args(argv)
    text, status = report(
        json.loads(args.baseline.read_text()),
        json.loads(args.new.read_text()),
        args.fail_above,
        args.warn_above,
    )
    print(text)
    return status


if __name__ == "__main__":
    sys.exit(main())
