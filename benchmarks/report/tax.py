"""The wrapper tax: each interface call against the cheapest call of the same C function.

The reference of a backend is the cheapest way its technology offers to call the same C
function: for ctypes and cffi, the raw foreign call with its arguments ready
(``patterns.RAW_CALLS``, measured as the variant "raw"); for the compiled backends, which
have no such call, the C-API backend's interface call. The tax is interface over
reference, paired by worker like every ratio, with its 95 % interval.

Where the extra time goes comes from callgrind's profile of both calls (``nox -s bench``
records it): each function's instructions per call, net of the empty loop, sorted into
the groups of ``overhead/attribution.py`` (Python bytecode, allocation, error handling,
the rest of the interpreter, NumPy, the foreign-function layer, the binding's own
compiled code, the core). The interface's count minus the reference's, group by group,
says where the difference goes.
"""

from __future__ import annotations

from .checks import Checks
from .formatting import fmt_count, fmt_interval, fmt_ratio
from .load import PATTERN_LABELS, PATTERN_ORDER, REFERENCE, Figure, Run
from .stats import paired
from .tables import table

#: The tax above which a pattern misses the target of the wrapper-tax issue (#14).
TARGET = 1.5
#: Backends whose reference is their own raw call rather than the C-API backend.
RAW_REFERENCE = ("ctypes", "cffi")
#: What each group of instructions is, in the words of the report.
GROUP_WORDS = {
    "bytecode": "the interpreter's eval loop (the caller's CALL, and the wrapper's own Python code)",
    "allocation": "allocating and freeing objects and memory",
    "errors": "raising and checking exceptions",
    "interpreter": "the interpreter's C API (argument parsing, attribute lookup, calls, number conversion)",
    "numpy": "NumPy (array conversion, checks and creation)",
    "ffi": "the foreign-function layer",
    "binding": "the binding's own compiled code",
    "core": "the C core",
    "other": "elsewhere",
}


def reference_name(backend: str) -> str:
    return "its raw call" if backend in RAW_REFERENCE else REFERENCE


def figures(run: Run, backend: str, pattern: str) -> tuple[Figure | None, Figure | None]:
    """(the interface call, its reference) of one backend and pattern."""
    interface = run.get("overhead", pattern, backend)
    if backend in RAW_REFERENCE:
        return interface, run.get("variant", pattern, backend, "raw")
    return interface, run.get("overhead", pattern, REFERENCE)


def tax(run: Run, backend: str, pattern: str) -> tuple[float, tuple[float, float]] | None:
    """Interface over reference, with its 95 % interval; None when either is missing."""
    interface, reference = figures(run, backend, pattern)
    if interface is None or reference is None or reference.median <= 0:
        return None
    return paired(run, interface, reference)


def _with_reference(run: Run, key: str, raw_key: str, backend: str, pattern: str) -> tuple:
    """(the interface's, its reference's) entry of the callgrind results under ``key``.

    ctypes' and cffi's reference is their raw call, counted under ``raw_key``; the
    compiled backends' is capi's entry under ``key`` itself.
    """
    table = run.instructions.get(key, {})
    references = (
        run.instructions.get(raw_key, {}).get(backend, {})
        if backend in RAW_REFERENCE
        else table.get(REFERENCE, {})
    )
    return table.get(backend, {}).get(pattern), references.get(pattern)


def instructions(run: Run, backend: str, pattern: str) -> tuple[float | None, float | None]:
    """(interface, reference) instructions per call."""
    return _with_reference(run, "instructions_per_call", "raw_calls", backend, pattern)


def _profiles(run: Run, backend: str, pattern: str) -> tuple[dict | None, dict | None]:
    return _with_reference(run, "profile", "raw_calls_profile", backend, pattern)


def group_difference(run: Run, backend: str, pattern: str) -> dict[str, float]:
    """Instructions per call the interface spends beyond its reference, group by group."""
    mine, theirs = _profiles(run, backend, pattern)
    if not mine or not theirs:
        return {}
    groups = set(mine["groups"]) | set(theirs["groups"])
    return {g: mine["groups"].get(g, 0.0) - theirs["groups"].get(g, 0.0) for g in groups}


def _main_groups(difference: dict[str, float], shown: int = 2) -> str:
    extra = sum(v for v in difference.values() if v > 0)
    if extra <= 0:
        return ""
    ranked = sorted(((v, g) for g, v in difference.items() if v > 0), reverse=True)[:shown]
    return ", ".join(f"{g} {v / extra:.0%}" for v, g in ranked)


def backends(run: Run) -> list[str]:
    return [b for b in run.backends if b != REFERENCE]


#: (backend, pattern) -> (tax, its 95 % interval), for every call measured with its reference.
Taxes = dict[tuple[str, str], tuple[float, tuple[float, float]]]


def taxes(run: Run) -> Taxes:
    """Every backend's tax on every pattern, computed once for the whole section."""
    found = {(b, p): tax(run, b, p) for b in backends(run) for p in PATTERN_ORDER}
    return {key: value for key, value in found.items() if value is not None}


def tax_table(run: Run, checks: Checks, found: Taxes) -> str:
    """Patterns by backends: the tax with its interval, the extra instructions and their main groups."""
    shown = backends(run)
    rows = []
    for pattern in PATTERN_ORDER:
        row = [PATTERN_LABELS.get(pattern, pattern)]
        for backend in shown:
            if (backend, pattern) not in found:
                row.append("—")
                continue
            value, bounds = found[backend, pattern]
            text = f"{fmt_ratio(value)} {fmt_interval(bounds)}"
            if bounds[0] > TARGET:
                text = f"**{text}**"
            interface, reference = figures(run, backend, pattern)
            text += checks.mark(interface.key) + (checks.mark(reference.key) if reference else "")
            mine, theirs = instructions(run, backend, pattern)
            if mine is not None and theirs is not None:
                text += f"<br>{mine - theirs:+,.0f} instr"
                groups = _main_groups(group_difference(run, backend, pattern))
                if groups:
                    text += f" ({groups})"
            row.append(text)
        rows.append(row)
    header = ["pattern"] + [f"{b} / {reference_name(b)}" for b in shown]
    return table(header, rows)


def where_lines(run: Run) -> list[str]:
    """One line per backend: where its extra instructions go, over every pattern."""
    lines = []
    for backend in backends(run):
        total: dict[str, float] = {}
        for pattern in PATTERN_ORDER:
            for g, v in group_difference(run, backend, pattern).items():
                total[g] = total.get(g, 0.0) + v
        extra = sum(v for v in total.values() if v > 0)
        if extra <= 0:
            continue
        ranked = sorted(((v, g) for g, v in total.items() if v > 0), reverse=True)
        parts = [f"{GROUP_WORDS[g]} {v / extra:.0%}" for v, g in ranked if v / extra >= 0.05]
        saved = [f"{GROUP_WORDS[g]} {-v:,.0f}" for g, v in total.items() if v < -0.05 * extra]
        line = (
            f"**{backend}** spends {extra:,.0f} instructions more than {reference_name(backend)} over the "
            f"{len(PATTERN_ORDER)} patterns together (one call each): {'; '.join(parts)}"
        )
        if saved:
            line += f"; it saves {'; '.join(saved)}"
        lines.append(line + ".")
    return lines


def above_target(found: Taxes) -> list[tuple[str, str, float, tuple[float, float]]]:
    """(backend, pattern, tax, interval) of every call whose whole interval is above TARGET."""
    return [(b, p, value, bounds) for (b, p), (value, bounds) in found.items() if bounds[0] > TARGET]


def profile_details(run: Run, found: Taxes, per_backend: int = 2) -> str:
    """For each backend's costliest patterns: the functions where interface and reference differ most."""
    out = []
    for backend in backends(run):
        ranked = sorted(((value, p) for (b, p), (value, _) in found.items() if b == backend), reverse=True)
        for _, pattern in ranked[:per_backend]:
            mine, theirs = _profiles(run, backend, pattern)
            if not mine or not theirs:
                continue
            # By function name: the core's functions, linked into every module, cancel out.
            costs: dict[tuple[str, str], float] = {}
            for function, _, group, cost in mine["functions"]:
                costs[(function, group)] = costs.get((function, group), 0.0) + cost
            for function, _, group, cost in theirs["functions"]:
                costs[(function, group)] = costs.get((function, group), 0.0) - cost
            top = sorted(
                (item for item in costs.items() if abs(item[1]) >= 0.5), key=lambda item: -abs(item[1])
            )
            listed = ", ".join(f"`{_short(name)}` {cost:+,.0f} [{group}]" for (name, group), cost in top[:6])
            out.append(
                f"- {backend}, {PATTERN_LABELS.get(pattern, pattern)} "
                f"({fmt_count(instructions(run, backend, pattern)[0])} instr against "
                f"{fmt_count(instructions(run, backend, pattern)[1])}): {listed}"
            )
    return "\n".join(out)


def _short(function: str, limit: int = 70) -> str:
    """A function's name without its C++ parameter list and clone suffix, cut to ``limit`` characters."""
    function = function.split(" [clone")[0].replace("(anonymous namespace)", "{anonymous}")
    if function.endswith(")"):  # the parameter list: cut at its matching "("
        depth = 0
        for i in range(len(function) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(function[i], 0)
            if depth == 0:
                function = function[:i] + "()"
                break
    return function if len(function) <= limit else function[: limit - 1] + "…"


def section(run: Run, checks: Checks) -> str:
    found = taxes(run)
    if not found:
        return "_Not measured._"
    parts = [
        "Each backend's interface call over the cheapest call of the same C function its technology "
        f"offers: ctypes and cffi against their own raw foreign call with the arguments ready "
        "(`patterns.RAW_CALLS`; where the interface returns a new array, the raw call writes into one "
        f"made in advance), the compiled backends against the C-API backend's interface call. "
        f"Ratio with its 95 % interval; **bold** where the whole interval is above {TARGET}x. Below it, the "
        "instructions per call the interface spends beyond its reference (callgrind) and the groups of "
        "code that spend most of them.",
        "",
        tax_table(run, checks, found),
        "",
    ]
    lines = where_lines(run)
    if lines:
        parts += ["Where the difference goes, from callgrind's profile of both calls:", ""]
        parts += [f"- {line}" for line in lines] + [""]
    misses = above_target(found)
    if misses:
        parts += [
            f"Above {TARGET}x, whole interval: "
            + ", ".join(f"{b} {PATTERN_LABELS.get(p, p)} {fmt_ratio(v)}" for b, p, v, _ in misses)
            + ".",
            "",
        ]
    else:
        parts += [f"Every interface call is within {TARGET}x of its reference (or tied with it).", ""]
    details = profile_details(run, found)
    if details:
        parts += [
            "<details><summary>The functions behind each backend's two highest taxes</summary>",
            "",
            "Instructions per call in each function, interface minus reference, net of the empty loop, "
            "by function name (so the core's functions, linked into every module, cancel out); a function "
            "of a stripped module would show as its address.",
            "",
            details,
            "",
            "</details>",
        ]
    return "\n".join(parts)
