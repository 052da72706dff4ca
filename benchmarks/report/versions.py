"""The cross-version section: the headline patterns on every interpreter a run measured.

A run over several interpreters (``nox -s bench -- --pythons ...``) measures one of them in
full and each other one in part: the headline call patterns, timed in independent worker
processes, and every pattern counted under callgrind (``run.py --version-of``). Per backend
and version this section gives the net time and the instructions per call of each headline
pattern, then how each backend's ratio to the C-API backend moves from version to version.

Instruction counts are exact and do not depend on the machine's load, so they compare
versions exactly; the times of two versions were measured minutes apart, in other
processes, and compare only within noise. Where the two disagree about how a ratio moved,
the section says so, and the count is the figure to trust for the direction.
"""

from __future__ import annotations

from .checks import Checks, check
from .formatting import fmt_count, fmt_interval, fmt_ns, fmt_ratio
from .load import BACKENDS, HEADLINE_PATTERNS, PATTERN_LABELS, PATTERN_ORDER, REFERENCE, Run
from .stats import geometric_mean, instruction_ratio, ratio, ratio_interval, tied
from .tables import table

#: An instruction ratio that moves by more than this between the oldest and the newest
#: version has moved (counts repeat exactly; 2 % is above what a changed memory layout does).
MOVED = 0.02


def _ns_cell(run: Run, checks: Checks, backend: str, pattern: str) -> str:
    f = run.get("overhead", pattern, backend)
    count = run.instructions_per_call(backend, pattern)
    if f is None and count is None:
        return "—"
    text = "—" if f is None else fmt_ns(f.median) + " " + fmt_interval((f.low, f.high), unit="")
    text += checks.mark(f.key) if f is not None else ""
    return text + (f"<br>{fmt_count(count)} instr" if count is not None else "")


def _ratio_cell(run: Run, checks: Checks, backend: str, pattern: str) -> str:
    f = run.get("overhead", pattern, backend)
    by_time, bounds = ratio(run, f), ratio_interval(run, f)
    by_count = instruction_ratio(run, backend, pattern)
    text = "—" if by_time is None else f"{fmt_ratio(by_time)} {fmt_interval(bounds)}".strip()
    text += checks.mark(f.key) if f is not None else ""
    return text + (f"<br>{fmt_ratio(by_count)} instr" if by_count else "")


def _movement(first: Run, last: Run, backend: str, pattern: str) -> tuple[str, str | None]:
    """(the movement cell, a sentence when time and instructions disagree about it, else None)."""
    count_a, count_b = (instruction_ratio(r, backend, pattern) for r in (first, last))
    f_a, f_b = (r.get("overhead", pattern, backend) for r in (first, last))
    time_a, time_b = ratio(first, f_a), ratio(last, f_b)
    bounds_a, bounds_b = ratio_interval(first, f_a), ratio_interval(last, f_b)
    count_change = count_b / count_a - 1 if count_a and count_b else None
    if time_a is None or time_b is None or bounds_a is None or bounds_b is None:
        time_says = None
    else:
        time_says = "tied" if tied(bounds_a, bounds_b) else ("up" if time_b > time_a else "down")
    cells = []
    if count_change is not None:
        cells.append(f"instr {count_change * 100:+.1f} %")
    if time_says is not None:
        cells.append(
            "time tied"
            if time_says == "tied"
            else f"time {time_says} ({fmt_ratio(time_a)} → {fmt_ratio(time_b)})"
        )
    if count_change is None or time_says is None:
        return " · ".join(cells) or "—", None
    count_says = "tied" if abs(count_change) <= MOVED else ("up" if count_change > 0 else "down")
    # Time that cannot resolve a move the count makes is not a disagreement; time that moves
    # where the count does not, or the other way, is.
    if time_says in ("tied", count_says):
        return " · ".join(cells), None
    where = f"{backend} `{PATTERN_LABELS.get(pattern, pattern)}`, CPython {first.python} → {last.python}"
    sentence = (
        f"{where}: the instruction ratio to {REFERENCE} moved {count_change * 100:+.1f} % "
        f"({fmt_ratio(count_a)} → {fmt_ratio(count_b)}), the time ratio "
        + f"went {time_says} ({fmt_ratio(time_a)} → {fmt_ratio(time_b)}, intervals apart). The count is exact: read the direction from it; the time says what the instructions cost on this machine."
    )
    return " · ".join(cells) + " ⚑", sentence


def _geometric_mean_counts(run: Run, backend: str, patterns: list[str]) -> float | None:
    return geometric_mean([instruction_ratio(run, backend, p) or 0 for p in patterns])


def section(run: Run, checks: Checks) -> str:
    versions = run.all_versions
    if len(versions) < 2:
        return (
            f"This run measured one interpreter (CPython {run.python}): no comparison across versions. "
            "`nox -s bench -- --pythons 3.10,3.11,3.12,3.13` measures several."
        )
    names = list(versions)
    first, last = versions[names[0]], versions[names[-1]]
    part_checks = {v: checks if r is run else check(r) for v, r in versions.items()}
    backends = [
        b
        for b in BACKENDS
        if any(
            b in r.backends or b in r.instructions.get("instructions_per_call", {}) for r in versions.values()
        )
    ]
    how = "; ".join(
        f"CPython {v}: "
        + ("every benchmark" if r is run else "the headline patterns")
        + f", {len(r.bootstrap.workers)} worker{'s' if len(r.bootstrap.workers) != 1 else ''}"
        + ("" if r.instructions else ", no instruction counts")
        for v, r in versions.items()
    )
    parts = [
        f"{len(versions)} interpreters ({how}). Each cell: net ns per call [95 % interval] and callgrind's "
        "instructions per call. **Instruction counts make this comparison exact**: they repeat to the "
        "instruction and do not depend on what else the machine ran, while each version's times were measured "
        "minutes apart in processes of their own, so a time compares across versions only within its interval. "
        "Where a time ratio and an instruction ratio disagree about how a backend moved, the difference is flagged ⚑ "
        "below the tables.",
        "",
    ]
    disagreements = []
    for pattern in HEADLINE_PATTERNS:
        parts += [f"### `{PATTERN_LABELS.get(pattern, pattern)}` per version", ""]
        rows = [
            [b, *(_ns_cell(r, part_checks[v], b, pattern) for v, r in versions.items())] for b in backends
        ]
        parts += [table(["backend", *(f"CPython {v}" for v in names)], rows), ""]
        rows = []
        for b in backends:
            if b == REFERENCE:
                continue
            movement, sentence = _movement(first, last, b, pattern)
            if sentence:
                disagreements.append(sentence)
            rows.append(
                [b, *(_ratio_cell(r, part_checks[v], b, pattern) for v, r in versions.items()), movement]
            )
        parts += [
            f"Ratio to {REFERENCE} [95 % interval] and instruction ratio, and how each moved from CPython "
            f"{names[0]} to {names[-1]} (time: tied when the two intervals overlap):",
            "",
            table(["backend", *(f"CPython {v}" for v in names), f"{names[0]} → {names[-1]}"], rows),
            "",
        ]
    counted = [
        p for p in PATTERN_ORDER if all(r.instructions_per_call(REFERENCE, p) for r in versions.values())
    ]
    if counted:
        rows = []
        for b in backends:
            if b == REFERENCE:
                continue
            means = [_geometric_mean_counts(r, b, counted) for r in versions.values()]
            rows.append([b, *(fmt_ratio(m) for m in means)])
        parts += [
            "### Every pattern, by instructions",
            "",
            f"The geometric mean over the {len(counted)} patterns counted on every version of each backend's "
            f"instruction ratio to {REFERENCE} (exact; the headline tables above give the times):",
            "",
            table(["backend", *(f"CPython {v}" for v in names)], rows),
            "",
        ]
    else:
        parts += ["Not every version's instructions were counted: no comparison over every pattern.", ""]
    if disagreements:
        parts += (
            ["Where time and instructions disagree:", ""] + [f"- ⚑ {line}" for line in disagreements] + [""]
        )
    else:
        parts += ["Time and instruction ratios agree on how every backend moved across versions.", ""]
    notes = []
    for v, r in versions.items():
        if r is run:
            continue
        flagged = [f for f in part_checks[v].findings if f.startswith(("overhead /", "baseline /"))]
        if flagged:
            notes.append(
                f"CPython {v}: {len(flagged)} figure(s) failed a plausibility check and are marked ⚠: "
                + "; ".join(flagged[:5])
            )
        if part_checks[v].disturbed:
            notes.append(
                f"CPython {v}'s part was disturbed: a headline ratio's interval reaches beyond ±10 %."
            )
    parts += [f"- {n}" for n in notes]
    return "\n".join(parts).rstrip()
