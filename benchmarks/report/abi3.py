"""The stable-ABI section: what building against the limited API costs per call, and what it saves.

Each backend whose technology can build against CPython's stable ABI is built a second time
from the same sources (``capi-abi3``...; ``bindings.ABI3_BACKENDS``). The benchmarks time
every call pattern on it right after its full-API build in every worker (``builds.py``), so
their ratio is paired by worker like every ratio to capi; callgrind counts both. Across
versions, the instruction ratio of every interpreter the run measured.

What it saves is wheels: a full-API extension needs one wheel per CPython version, an abi3
one a single wheel from its oldest version on. The count is computed from the oldest
version of each build the run recorded (``run.json``'s ``abi3_oldest``, from
``bindings.ABI3_BACKENDS``), never written by hand.
"""

from __future__ import annotations

from .checks import Checks
from .formatting import DASH, fmt_count, fmt_interval, fmt_ns, fmt_ratio
from .load import ABI3_SUFFIX, BACKENDS, HEADLINE_PATTERNS, PATTERN_LABELS, PATTERN_ORDER, Run
from .stats import geometric_mean, paired
from .tables import table

#: The CPython versions the wheel count covers, and those of them with a free-threaded
#: build (3.13 is the first, PEP 703). abi3 cannot target a free-threaded CPython; 3.15's
#: ``abi3t`` (PEP 803) is the first stable ABI that can, too late for 3.13t and 3.14t.
WHEEL_VERSIONS = tuple((3, minor) for minor in range(10, 15))
FREE_THREADED_FROM = (3, 13)
#: A technology that compiles no extension module loads the same wheel on every CPython.
NO_EXTENSION = ("ctypes",)


def _version(text: str) -> tuple[int, int]:
    major, minor = text.split(".")[:2]
    return int(major), int(minor)


def _tag(version: tuple[int, int], abi: str = "") -> str:
    name = f"cp{version[0]}{version[1]}"
    return f"{name}-{abi or name}"


def wheels(oldest: tuple[int, int] | None) -> list[str]:
    """The wheel tags that cover WHEEL_VERSIONS and their free-threaded builds.

    ``oldest`` None: a full-API build, one wheel per version. Else one abi3 wheel from
    ``oldest`` on, full-API wheels for the versions before it, and a wheel per
    free-threaded version either way.
    """
    tags = []
    for version in WHEEL_VERSIONS:
        if oldest is None or version < oldest:
            tags.append(_tag(version))
    if oldest is not None:
        tags.append(_tag(max(oldest, WHEEL_VERSIONS[0]), "abi3"))
    tags += [_tag(v, f"cp{v[0]}{v[1]}t") for v in WHEEL_VERSIONS if v >= FREE_THREADED_FROM]
    return tags


def wheels_table(oldest: dict[str, str]) -> str:
    first, last = WHEEL_VERSIONS[0], WHEEL_VERSIONS[-1]
    free = [f"{v[0]}.{v[1]}t" for v in WHEEL_VERSIONS if v >= FREE_THREADED_FROM]
    rows = []
    for backend in BACKENDS:
        if backend in NO_EXTENSION:
            rows.append([backend, "1 (`py3-none-<platform>`: no extension module)", "— (no ABI to choose)"])
            continue
        cells = [backend, f"{len(wheels(None))} (one per version)"]
        if backend in oldest:
            tags = wheels(_version(oldest[backend]))
            cells.append(
                f"{len(tags)}: " + ", ".join(f"`{t}`" for t in tags) + f" (abi3 from {oldest[backend]})"
            )
        else:
            cells.append("— (no limited-API build)")
        rows.append(cells)
    return (
        f"Wheels needed per platform to cover CPython {first[0]}.{first[1]}{DASH}{last[0]}.{last[1]} and the "
        f"free-threaded {' and '.join(free)}, computed from each stable-ABI build's oldest CPython as this run "
        f"recorded it. An abi3 wheel cannot serve a free-threaded CPython, so those need a wheel per version "
        "either way; CPython 3.15 adds `abi3t` (PEP 803), a stable ABI free-threaded builds can load, which "
        "no 3.13t or 3.14t wheel can use.\n\n"
        + table(["technology", "full API", "stable ABI (abi3)"], rows, "lll")
    )


def _pair_cell(run: Run, checks: Checks, build: str, pattern: str) -> str:
    """abi3 over full for one pattern: time ratio [interval], tied or not, and the instruction ratio."""
    full_name = build.removesuffix(ABI3_SUFFIX)
    abi3, full = run.get("overhead", pattern, build), run.get("overhead", pattern, full_name)
    text = "—"
    if abi3 is not None and full is not None and full.median > 0:
        point, bounds = paired(run, abi3, full)
        verdict = "tied" if bounds[0] <= 1 <= bounds[1] else ("slower" if point > 1 else "faster")
        text = f"{fmt_ratio(point)} {fmt_interval(bounds)} {verdict}{checks.mark(abi3.key)}"
    counts = run.instructions_per_call(build, pattern), run.instructions_per_call(full_name, pattern)
    if counts[0] and counts[1]:
        text += f"<br>{fmt_ratio(counts[0] / counts[1])} instr"
    return text


def _absolute_table(run: Run, checks: Checks, builds: list[str]) -> str:
    rows = []
    for build in builds:
        full_name = build.removesuffix(ABI3_SUFFIX)
        for pattern in PATTERN_ORDER:
            abi3, full = run.get("overhead", pattern, build), run.get("overhead", pattern, full_name)
            counts = run.instructions_per_call(full_name, pattern), run.instructions_per_call(build, pattern)
            if abi3 is None and counts[1] is None:
                continue
            rows.append(
                [
                    build,
                    PATTERN_LABELS.get(pattern, pattern),
                    "—" if full is None else fmt_ns(full.median) + checks.mark(full.key),
                    "—" if abi3 is None else fmt_ns(abi3.median) + checks.mark(abi3.key),
                    fmt_count(counts[0]),
                    fmt_count(counts[1]),
                ]
            )
    header = ["build", "pattern", "full ns", "abi3 ns", "full instr", "abi3 instr"]
    return table(header, rows, "llrrrr")


def instruction_mean(run: Run, build: str) -> str:
    """abi3 over full in instructions, over every pattern callgrind counted for both builds: the
    geometric mean, then the range in brackets; a dash when none was counted."""
    full_name = build.removesuffix(ABI3_SUFFIX)
    ratios = [
        run.instructions_per_call(build, p) / run.instructions_per_call(full_name, p)
        for p in PATTERN_ORDER
        if run.instructions_per_call(build, p) and run.instructions_per_call(full_name, p)
    ]
    if not ratios:
        return "—"
    return f"{fmt_ratio(geometric_mean(ratios))} ({fmt_ratio(min(ratios))}{DASH}{fmt_ratio(max(ratios))})"


def build_table(run: Run, checks: Checks, build: str) -> str:
    """One stable-ABI build against its full build, pattern by pattern: the net ns of each, then
    abi3 over full as the section's cells give it (time ratio [95 %], tied or not; instructions)."""
    full_name = build.removesuffix(ABI3_SUFFIX)
    rows = []
    for pattern in PATTERN_ORDER:
        abi3, full = run.get("overhead", pattern, build), run.get("overhead", pattern, full_name)
        if abi3 is None and not run.instructions_per_call(build, pattern):
            continue
        rows.append(
            [
                PATTERN_LABELS.get(pattern, pattern),
                "—" if full is None else fmt_ns(full.median) + checks.mark(full.key),
                "—" if abi3 is None else fmt_ns(abi3.median) + checks.mark(abi3.key),
                _pair_cell(run, checks, build, pattern),
            ]
        )
    return table(["pattern", f"{full_name} ns", f"{build} ns", "abi3 over full"], rows, "lrrr")


def wheels_sentence(backend: str, oldest: str) -> str:
    """How many wheels cover WHEEL_VERSIONS and their free-threaded builds, full API against abi3 from ``oldest``."""
    first, last = WHEEL_VERSIONS[0], WHEEL_VERSIONS[-1]
    free = [f"{v[0]}.{v[1]}t" for v in WHEEL_VERSIONS if v >= FREE_THREADED_FROM]
    tags = wheels(_version(oldest))
    return (
        f"To cover CPython {first[0]}.{first[1]}{DASH}{last[0]}.{last[1]} and the free-threaded "
        f"{' and '.join(free)} on one platform, {backend} needs {len(wheels(None))} wheels with the full API "
        f"(one per version) and {len(tags)} when it builds against the stable ABI from {oldest}: "
        + ", ".join(f"`{t}`" for t in tags)
        + "."
    )


def _versions_table(run: Run) -> str | None:
    """Per stable-ABI build and version: the headline time ratios and every pattern's instruction ratio."""
    versions = run.all_versions
    builds = [
        b for b in (b + ABI3_SUFFIX for b in BACKENDS) if any(b in r.abi3_builds for r in versions.values())
    ]
    if len(versions) < 2 or not builds:
        return None
    rows = []
    for build in builds:
        for pattern in HEADLINE_PATTERNS:
            rows.append(
                [build, f"`{PATTERN_LABELS.get(pattern, pattern)}`"]
                + [
                    _pair_cell(r, Checks(), build, pattern) if build in r.abi3_builds else "—"
                    for r in versions.values()
                ]
            )
        means = [instruction_mean(r, build) for r in versions.values()]
        rows.append([build, "every pattern, instr (geo. mean, range)", *means])
    return (
        "Per version: abi3 over full for the headline patterns (time [95 % interval] and instructions), and the "
        "geometric mean of the instruction ratio over every pattern counted, with its range:\n\n"
        + table(["build", "pattern", *(f"CPython {v}" for v in versions)], rows, "ll" + "r" * len(versions))
    )


def section(run: Run, checks: Checks) -> str:
    builds = run.abi3_builds
    parts = []
    if builds:
        parts += [
            "Each stable-ABI build is its backend's sources compiled against the limited API. Every worker times "
            "it right after its full-API build, so each cell is **abi3 over full**, paired by worker, with its "
            "95 % interval: **tied** when the interval holds 1.00x. Below it, callgrind's instruction ratio.",
            "",
            table(
                ["pattern", *builds],
                [
                    [PATTERN_LABELS.get(p, p), *(_pair_cell(run, checks, b, p) for b in builds)]
                    for p in PATTERN_ORDER
                    if any(run.get("overhead", p, b) or run.instructions_per_call(b, p) for b in builds)
                ],
            ),
            "",
            "<details><summary>Net ns and instructions per call, full and abi3</summary>",
            "",
            _absolute_table(run, checks, builds),
            "",
            "</details>",
            "",
        ]
    else:
        parts += [
            f"No stable-ABI build was measured on CPython {run.python} in this run (none imported: see "
            "`bindings.ABI3_BACKENDS` for the oldest CPython of each).",
            "",
        ]
    across = _versions_table(run)
    if across:
        parts += [across, ""]
    oldest = run.meta.get("abi3_oldest")
    if oldest is not None:
        first, last = WHEEL_VERSIONS[0], WHEEL_VERSIONS[-1]
        heading = f"### Wheels to cover CPython {first[0]}.{first[1]}{DASH}{last[0]}.{last[1]}"
        parts += [heading, "", wheels_table(oldest), ""]
    else:
        parts += ["This run did not record the stable-ABI builds' oldest versions: no wheel count.", ""]
    return "\n".join(parts).rstrip()
