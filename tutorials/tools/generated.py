"""Blocks of a chapter that are generated from the committed benchmark report.

A chapter writes::

    <!-- generated: NAME ARGS -->
    ...whatever the generator NAME writes for ARGS...
    <!-- end generated -->

and the text between the two comments must be exactly what ``GENERATORS[NAME](ARGS)``
returns for the latest committed full run under ``benchmarks/results/``. So a
table of numbers or a figure link is never typed by hand, and after
``nox -s bench`` writes a new run, ``python tutorials/tools/sync.py --write``
(which the bench session runs) brings every chapter up to date.

The tables are computed by the ``benchmarks/report`` package itself (imported, never copied):
its loader, plausibility checks, ratios, crossovers and formatting. A figure the report
flags as implausible carries the report's warning sign here too.
"""

from __future__ import annotations

import functools
import importlib
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import includes

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results"
BENCHMARKS = ROOT / "benchmarks"

GENERATED = re.compile(
    r"^<!-- generated: (?P<name>[\w-]+)(?: (?P<args>[^\n]*?))? -->\n(?P<body>.*?)^<!-- end generated -->$",
    re.MULTILINE | re.DOTALL,
)


def latest_run() -> Path:
    """The newest committed full benchmark run (quick runs are not reported)."""
    runs = [
        path
        for path in sorted(RESULTS.iterdir())
        if (path / "run.json").is_file() and json.loads((path / "run.json").read_text())["mode"] == "full"
    ]
    if not runs:
        raise FileNotFoundError(f"no full benchmark run under {RESULTS}: run `nox -s bench`")
    return runs[-1]


def figure(args: str) -> str:
    """``figure FILE ALT TEXT``: an image link to FILE of the latest run, from tutorials/."""
    file, _, alt = args.partition(" ")
    path = latest_run() / file
    if not path.is_file():
        raise FileNotFoundError(f"{path.relative_to(ROOT)} does not exist")
    return f"![{alt}](../{path.relative_to(ROOT).as_posix()})\n"


def report_link(args: str) -> str:
    """``report-link``: a sentence naming the run every figure of the chapter comes from."""
    run = latest_run()
    started = json.loads((run / "run.json").read_text())["started_utc"]
    link = (run / "report.md").relative_to(ROOT).as_posix()
    return f"Figures from the committed benchmark run of {started}: [`{link}`](../{link}).\n"


# ---- tables from the run's data, through the benchmarks/report package ------------------


@functools.cache
def _report() -> ModuleType:
    """The ``benchmarks/report`` package, imported once.

    It and ``machine.py``, which it imports, live in ``benchmarks/``: that folder is on
    ``sys.path`` only while the package loads (it imports every module of its own at once),
    so that no other module of ``benchmarks/`` can shadow anything afterwards.
    """
    sys.path.insert(0, str(BENCHMARKS))
    try:
        module = importlib.import_module("report")
    finally:
        sys.path.remove(str(BENCHMARKS))
    if Path(module.__file__).parent != BENCHMARKS / "report":  # "report" is a common name
        raise ImportError(f"`import report` found {module.__file__}, not {BENCHMARKS / 'report'}")
    return module


@functools.cache
def _analysed(folder: Path) -> tuple[Any, Any]:
    """(the run, the report's plausibility checks of it), loaded once per folder."""
    report = _report()
    run = report.load(folder)
    return run, report.check(run)


def _latest() -> tuple[ModuleType, Any, Any]:
    return (_report(), *_analysed(latest_run()))


#: What each ownership strategy of benchmarks/bench_ownership.py is, in the order the
#: chapters discuss them; the report's OWNERSHIP_STRATEGIES must name the same ones.
OWNERSHIP_ROWS = {
    "scale_out": "caller allocates: `scale(x, k, out)`",
    "scale_new": "binding allocates: `scale(x, k)`",
    "find_peaks": "C allocates, binding frees: `find_peaks`",
    "find_peaks_into": "C asks Python to allocate: `find_peaks_into`",
}
NOT_MEASURED = "not measured"


def _ownership_size(run: Any, args: str) -> int:
    sizes = sorted({f.n for f in run.select("ownership")})
    if not sizes:
        raise FileNotFoundError(f"{run.folder.relative_to(ROOT)} has no ownership figures")
    choice = args.strip() or "middle"
    if choice == "smallest":
        return sizes[0]
    if choice == "largest":
        return sizes[-1]
    if choice == "middle":
        return sizes[(len(sizes) - 1) // 2]
    if choice.isdigit() and int(choice) in sizes:
        return int(choice)
    raise KeyError(f"ownership-table: {choice!r} is not smallest, middle, largest or one of {sizes}")


def ownership_table(args: str) -> str:
    """``ownership-table [smallest|middle|largest|N]``: time and traced memory per strategy x backend.

    One output size of the run (the middle one by default). A strategy the run did not
    measure (an older run, before find_peaks_into existed) is listed as not measured.
    """
    report, run, checks = _latest()
    known = {name for name, _ in report.OWNERSHIP_STRATEGIES}
    if known != set(OWNERSHIP_ROWS):
        raise KeyError(
            f"benchmarks/report has strategies {sorted(known)}, generated.py {sorted(OWNERSHIP_ROWS)}"
        )
    m = _ownership_size(run, args)
    backends = run.backends
    times, memory = [], []
    for strategy, label in OWNERSHIP_ROWS.items():
        figures = [run.get("ownership", strategy, b, None, m) for b in backends]
        if not any(figures):
            times.append([label] + [NOT_MEASURED] * len(backends))
            memory.append([label] + [NOT_MEASURED] * len(backends))
            continue
        times.append([label] + [report.cell(run, checks, f) for f in figures])
        memory.append([label] + [report.fmt_bytes(f.alloc) if f else "—" for f in figures])
    header = ["strategy", *backends]
    return (
        f"Output of m = {m:,} int64 or float64 elements (find_peaks' input holds 2m + 1 values).\n\n"
        "**Time per call**: median ns (x capi, same run).\n\n"
        + report.table(header, times)
        + "\n\n**Peak memory one call allocates, as tracemalloc sees it** (Python objects and NumPy "
        "buffers; memory the C core takes with malloc is invisible to it).\n\n"
        + report.table(header, memory)
        + "\n"
    )


def overhead_table(args: str) -> str:
    """``overhead-table``: the report's headline table, net ns per pattern x backend (x capi [95 %])."""
    report, run, checks = _latest()
    return (
        "Net ns per call (x the C-API backend in the same run, with the ratio's 95 % interval; below it, "
        "callgrind's instructions per call); NumPy's own way of doing the same, where it has one, in the "
        "last column.\n\n" + report.headline_table(run, checks) + "\n"
    )


def harness_table(args: str) -> str:
    """``harness-table``: noop and add timed through pytest-benchmark's loop and net, side by side."""
    report, run, checks = _latest()
    return report.harness_table(run, checks) + "\n"


def aa_table(args: str) -> str:
    """``aa-table``: the C-API backend measured twice per group, against itself."""
    report, run, checks = _latest()
    return report.aa_table(run, checks) + "\n"


def floors_table(args: str) -> str:
    """``floors-table``: every backend's noop as a multiple of the two builtin floors, with its CALL path."""
    report, run, checks = _latest()
    return report.floors_table(run, checks) + "\n"


def crosscheck(args: str) -> str:
    """``crosscheck``: time ratios beside instruction ratios, and the disagreements with their likely cause."""
    report, run, checks = _latest()
    table, flagged = report.crosscheck_table(run, checks)
    listed = "".join(f"- ⚑ {line}\n" for line in flagged)
    return table + "\n" + (f"\n{listed}" if listed else "")


def wrapper_tax(args: str) -> str:
    """``wrapper-tax``: each interface call over its technology's cheapest call, and where the difference goes."""
    report, run, checks = _latest()
    return report.wrapper_tax(run, checks) + "\n"


def compat_matrix(args: str) -> str:
    """``compat-matrix``: every build on every CPython of the run, as the test suite recorded it."""
    report, run, _ = _latest()
    return report.compat_matrix(run.folder) + "\n"


def compat_facts(args: str) -> str:
    """``compat-facts PREFIX...``: the compatibility matrix cut to the facts whose key starts with
    a PREFIX (``subinterpreter``, ``interrupt``, ``free_threading``, ``abi``), without the test
    counts: one row per build, each cell as the matrix writes it."""
    report, run, _ = _latest()
    prefixes = tuple(args.split())
    facts = [fact for fact in report.compat.FACTS if prefixes and fact.startswith(prefixes)]
    if not facts:
        raise KeyError(f"compat-facts: {args!r} names none of {', '.join(report.compat.FACTS)}")
    return report.compat_matrix(run.folder, facts, tests=False) + "\n"


def under_floor(args: str) -> str:
    """``under-floor``: every call of the run whose net time is under the METH_NOARGS floor."""
    report, run, _ = _latest()
    floor = run.floor("builtin")
    if floor is None:
        return "This run measured no METH_NOARGS floor.\n"
    under = sorted(
        (f for f in run.select("overhead", variant=None) if f.median < floor.median),
        key=lambda f: (f.pattern, f.median),
    )
    if not under:
        return (
            f"In this run no call comes out under the METH_NOARGS floor ({report.fmt_ns(floor.median)} ns).\n"
        )
    listed = ", ".join(f"{f.backend}'s `{f.pattern}` ({report.fmt_ns(f.median)} ns)" for f in under)
    return f"In this run, under the METH_NOARGS floor of {report.fmt_ns(floor.median)} ns: {listed}.\n"


#: A Markdown link to another site: [text](https://...).
EXTERNAL_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<url>https?://[^)\s]+)\)")
#: Hosts whose pages belong to one project, under the name the register files them.
PROJECT_HOSTS = {
    "docs.python.org": "CPython",
    "peps.python.org": "CPython",
    "devguide.python.org": "CPython",
    "packaging.python.org": "Python packaging",
    "pyo3.rs": "PyO3",
    "gcc.gnu.org": "GCC",
    "clang.llvm.org": "Clang",
    "valgrind.org": "Valgrind",
}


def _project(url: str) -> str:
    """The project a link documents: GitHub's owner/repository, a docs host's project, else the host."""
    host, _, path = url.split("://", 1)[1].partition("/")
    if host == "github.com":  # owner/repository: filed under the repository, as its docs are
        return path.split("/")[1] if "/" in path else path
    if host.endswith(".readthedocs.io"):
        return host.removesuffix(".readthedocs.io")
    return PROJECT_HOSTS.get(host, host)


def _sentence(paragraph: str, at: int) -> str:
    """The sentence of ``paragraph`` around position ``at``, links reduced to their text.

    In a table, the row around ``at``, its cells separated by semicolons.
    """
    row_end = paragraph.find("\n", at)
    row = paragraph[paragraph.rfind("\n", 0, at) + 1 : row_end if row_end >= 0 else len(paragraph)].strip()
    if row.startswith("|"):
        text = "; ".join(cell.strip() for cell in row.strip("|").split(" | "))
    else:
        starts = [m.end() for m in re.finditer(r"[.!?]\s", paragraph[:at])]
        ends = [at + m.start() + 1 for m in re.finditer(r"[.!?](\s|$)", paragraph[at:])]
        text = paragraph[starts[-1] if starts else 0 : ends[0] if ends else len(paragraph)]
    text = " ".join(EXTERNAL_LINK.sub(lambda m: m["text"], text).split())
    return text if len(text) <= 240 else text[:237] + "..."


def sources(args: str) -> str:
    """``sources``: every link a chapter makes to another project, by project, with the claim it backs."""
    found: dict[str, list[str]] = {}
    for chapter in includes.documents():
        text = re.sub(r"^```.*?^```$", "", chapter.read_text(encoding="utf-8"), flags=re.M | re.S)
        text = GENERATED.sub("", text)  # a generated block's links come from its generator, not the chapter
        for paragraph in text.split("\n\n"):
            for link in EXTERNAL_LINK.finditer(paragraph):
                entry = f"- <{link['url']}>, [{chapter.name}]({chapter.name}): {_sentence(paragraph, link.start())}"
                found.setdefault(_project(link["url"]), []).append(entry)
    projects: dict[str, list[str]] = {}  # "PyO3" and "pyo3" are one project
    for project in sorted(found, key=lambda name: (name.lower(), name)):
        projects.setdefault(project.lower(), [project]).extend(found[project])
    lines = []
    for name, *entries in projects.values():
        lines += [f"**{name}**", "", *sorted(dict.fromkeys(entries)), ""]
    return "\n".join(lines)


def threads_panels(args: str) -> str:
    """``threads-panels``: what the two panels of threads.png show in the latest run, from its data."""
    report, run, _ = _latest()
    speedups = report.thread_speedups(run)
    costs = report.gil_release_costs(run)
    lines = []
    if speedups:
        shown = ", ".join(f"{b} {value:.2f}" for b, (_, _, value) in speedups.items() if value is not None)
        lines.append(f"Left, the speed-up of two threads over one in this run (2 is perfect): {shown}.")
    if costs:
        tied = [
            label
            for label, (_, _, _, bounds) in costs.items()
            if bounds is None or bounds[0] <= 1 <= bounds[1]
        ]
        told = [label for label in costs if label not in tied]
        right = f"Right, releasing over keeping the GIL: the interval holds 1 for {len(tied)} of {len(costs)} calls"
        right += f" (tied: {', '.join(tied)})" if tied else ""
        if told:
            right += "; it separates for " + ", ".join(
                f"{label} ({report.fmt_ratio(costs[label][2])} {report.fmt_interval(costs[label][3])})"
                for label in told
            )
        lines.append(right + ".")
    return "\n".join(lines) + "\n" if lines else "This run measured no threads.\n"


def shipping_table(args: str) -> str:
    """``shipping-table``: each technology's wheel, and this package's, as the run shipped them."""
    report, run, _ = _latest()
    return report.shipping_section(run.folder) + "\n"


def _glibc(policy: str) -> tuple[int, int]:
    """The glibc version a ``manylinux_X_Y_arch`` policy names; (0, 0) for any other tag."""
    match = re.match(r"manylinux_(\d+)_(\d+)_", policy)
    return (int(match[1]), int(match[2])) if match else (0, 0)


def policies_sentence(found: list[dict]) -> str:
    """One sentence: the manylinux policy auditwheel found for each shipped wheel, oldest policy first."""
    if not found:
        return "This run shipped nothing (`shipping/`): the policies need a full `nox -s bench`.\n"
    names: dict[str, list[str]] = {}
    for record in found:
        names.setdefault(record["auditwheel"]["policy"], []).append(f"`{record['name']}`")
    parts = [f"`{policy}` for {', '.join(names[policy])}" for policy in sorted(names, key=_glibc)]
    return "In this run, `auditwheel show` found " + "; ".join(parts) + ".\n"


def shipping_policies(args: str) -> str:
    """``shipping-policies``: which manylinux policy each wheel the run shipped meets, as a sentence."""
    report, run, _ = _latest()
    return policies_sentence(report.shipping.records(run.folder))


#: What ``abi3-cost BACKEND PART`` prints, PART by PART.
ABI3_COST_PARTS = ("patterns", "versions", "wheels")


def abi3_cost(args: str) -> str:
    """``abi3-cost BACKEND [patterns|versions|wheels]``: the backend's stable-ABI build against its full build.

    ``patterns`` (the default): each call pattern of the run's main interpreter, as the report's
    stable-ABI section gives it (both medians, then abi3 over full [95 %] and the instruction
    ratio). ``versions``: the instruction ratio over every pattern, on each CPython the run
    measured. ``wheels``: the wheels each choice needs, from the oldest CPython the run recorded.
    """
    report, run, checks = _latest()
    backend, _, part = args.strip().partition(" ")
    part = part.strip() or ABI3_COST_PARTS[0]
    oldest = run.meta.get("abi3_oldest") or {}
    build = backend + "-abi3"
    if backend not in report.BACKENDS or part not in ABI3_COST_PARTS:
        raise KeyError(f"abi3-cost: {args!r} is not BACKEND [{'|'.join(ABI3_COST_PARTS)}]")
    if part == "wheels":
        if backend not in oldest:
            raise KeyError(f"abi3-cost: the run recorded no oldest CPython for {build}")
        return report.abi3_wheels_sentence(backend, oldest[backend]) + "\n"
    if part == "versions":
        measured = {v: r for v, r in run.all_versions.items() if build in r.abi3_builds}
        if not measured:
            raise KeyError(f"abi3-cost: the run measured {build} on no CPython")
        listed = "; ".join(
            f"CPython {v}: {report.abi3_instruction_mean(r, build)}" for v, r in measured.items()
        )
        return (
            f"{build} over {backend} in instructions, geometric mean over every pattern callgrind counted "
            f"(its range in parentheses): {listed}.\n"
        )
    if build not in run.abi3_builds:
        raise KeyError(f"abi3-cost: the run measured no {build} on CPython {run.python}")
    return (
        f"On CPython {run.python}: net ns per call of each build, then {build} over {backend}, paired by worker, "
        "with its 95 % interval (**tied** when the interval holds 1.00x) and, below it, callgrind's "
        "instruction ratio.\n\n" + report.abi3_build_table(run, checks, build) + "\n"
    )


def verdict(args: str) -> str:
    """``verdict BACKEND``: one generated sentence on the backend's calls against capi's, with intervals."""
    report, run, checks = _latest()
    backend = args.strip()
    if backend not in report.BACKENDS:
        raise KeyError(f"verdict: {backend!r} is not one of {', '.join(report.BACKENDS)}")
    return report.backend_verdict(run, checks, backend) + "\n"


def versus(args: str) -> str:
    """``versus A B``: A's calls over B's, pattern by pattern, paired by worker, with 95 % intervals."""
    report, run, checks = _latest()
    a, b = args.split()
    groups: dict[str, list[str]] = {"cheaper": [], "tied": [], "dearer": []}
    for mine in run.select("overhead", backend=a, variant=None):
        theirs = run.get("overhead", mine.pattern, b)
        if theirs is None or not (checks.ok(mine.key) and checks.ok(theirs.key)):
            continue
        value, (low, high) = report.stats.paired(run, mine, theirs)
        group = "cheaper" if high < 1 else "dearer" if low > 1 else "tied"
        label = report.PATTERN_LABELS.get(mine.pattern, mine.pattern)
        groups[group].append(f"`{label}` {report.fmt_ratio(value)} {report.fmt_interval((low, high))}")
    said = [f"{name} on {', '.join(items)}" for name, items in groups.items() if items]
    return f"Measured, {a}'s calls over {b}'s in this run (95 % intervals): " + "; ".join(said) + ".\n"


def floors(args: str) -> str:
    """``floors``: the run's floors (a builtin C call, an empty Python function), as the report says them."""
    report, run, checks = _latest()
    return report.floors_sentence(run, checks, lead="Floors of this run") + "\n"


def machine(args: str) -> str:
    """``machine``: one sentence on what the run was measured on."""
    report, run, _ = _latest()
    return f"Measured on {report.machine_line(run)}, in a {run.mode} run.\n"


def report_summary(args: str) -> str:
    """``report-summary``: the report's own generated summary, one bullet per finding."""
    report, run, checks = _latest()
    return "".join(f"- {line}\n" for line in report.summary_lines(run, checks))


def _crossover_cell(report: ModuleType, run: Any, pattern: str, backend: str) -> str:
    if backend == report.REFERENCE:
        return "reference"
    if not run.select("sweep", pattern=pattern, backend=backend):
        return NOT_MEASURED
    start, reaches = report.crossover(run, pattern, backend)
    return f"n ≥ {start:,}" if reaches else "not reached"


#: What each technology offers, as its own documentation states it (not what our binding
#: uses: see each chapter). Sources, read 2026-11:
#: - stable ABI: docs.python.org c-api/stable.html (Py_LIMITED_API); cffi's setuptools
#:   integration (py_limited_api); docs.cython.org userguide/limited_api.html (Cython 3.1+,
#:   experimental); pybind11 has no limited-API mode; nanobind docs (STABLE_ABI, Python
#:   3.12+); pyo3.rs features.html (abi3, abi3-pyXY).
#: - PyPy: doc.pypy.org extending.html (cffi recommended, ctypes slower; C-API extensions
#:   through cpyext); pybind11 README (CPython, PyPy, GraalPy); nanobind docs pypy.html
#:   (PyPy 7.3.10+, with limits); PyO3 README.
#: - free-threaded CPython: docs.python.org howto/free-threading-extensions.html
#:   (Py_mod_gil); cffi 2.0 release notes (3.14t+); docs.cython.org
#:   userguide/freethreading.html (3.1+, `freethreading_compatible`, experimental);
#:   pybind11 PR 5148 (`py::mod_gil_not_used()`); nanobind docs free_threaded.html
#:   (FREE_THREADED, 2.2+); pyo3.rs free-threading.html (0.23+, `gil_used = false`).
#: - runtime dependencies: cffi's out-of-line modules import `_cffi_backend` from the cffi
#:   package; nanobind_add_module links libnanobind statically by default (NB_STATIC).
QUALITIES: dict[str, dict[str, str]] = {
    "capi": {
        "C++": "C; C++ only by hand",
        "runtime dependency": "none",
        "stable ABI": "yes, if only the Limited API is used",
        "PyPy": "through cpyext (slower)",
        "free-threaded": "yes: `Py_mod_gil` slot, locking by hand",
        "debugging": "plain C in gdb; reference-count bugs crash far from their cause",
    },
    "ctypes": {
        "C++": 'no: `extern "C"` functions only',
        "runtime dependency": "none (standard library) + the shared library",
        "stable ABI": "nothing compiled per Python",
        "PyPy": "yes, slower than cffi",
        "free-threaded": "yes (standard library)",
        "debugging": "Python tracebacks; a wrong `argtypes` is a wrong value or a crash",
    },
    "cffi": {
        "C++": "no: C declarations only",
        "runtime dependency": "the `cffi` package (`_cffi_backend`)",
        "stable ABI": "yes (`py_limited_api`)",
        "PyPy": "yes, natively: PyPy's recommended way",
        "free-threaded": "cffi 2.0+, Python 3.14t+",
        "debugging": "API mode: the compiler checks names, argument counts and layouts, not scalar types",
    },
    "cython": {
        "C++": "yes: `cppclass`, templates, STL conversions",
        "runtime dependency": "none",
        "stable ABI": "Cython 3.1+, experimental",
        "PyPy": "through cpyext",
        "free-threaded": "Cython 3.1+, `freethreading_compatible`, experimental",
        "debugging": "`cython -a` shows Python interaction line by line; large generated C",
    },
    "pybind11": {
        "C++": "yes, C++11 and later: built for it",
        "runtime dependency": "none (header-only)",
        "stable ABI": "no",
        "PyPy": "yes (cpyext)",
        "free-threaded": "`py::mod_gil_not_used()` (2.13+)",
        "debugging": "long template errors at compile time; a wrong argument lists the signatures",
    },
    "nanobind": {
        "C++": "yes, C++17 and later",
        "runtime dependency": "none (libnanobind linked in)",
        "stable ABI": "yes, Python 3.12+ (`STABLE_ABI`)",
        "PyPy": "7.3.10+, with limits",
        "free-threaded": "`FREE_THREADED` (2.2+)",
        "debugging": "like pybind11, plus leak warnings at exit",
    },
    "pyo3": {
        "C++": 'no: Rust, C through `extern "C"`',
        "runtime dependency": "none",
        "stable ABI": "yes (`abi3`, `abi3-pyXY` features)",
        "PyPy": "yes",
        "free-threaded": "0.23+, `gil_used = false`; the default from 0.28 (`gil_used = true` opts out)",
        "debugging": "the compiler rejects lifetime errors; panics become `PanicException`",
    },
}
QUALITY_COLUMNS = ("C++", "runtime dependency", "stable ABI", "PyPy", "free-threaded", "debugging")
#: Where the columns' claims about each technology come from (shown under the table, and so
#: in tutorials/SOURCES.md): re-read these when a tool releases.
QUALITY_SOURCES: dict[str, tuple[tuple[str, str], ...]] = {
    "stable ABI": (
        ("CPython", "https://docs.python.org/3/c-api/stable.html"),
        ("cffi", "https://cffi.readthedocs.io/en/stable/cdef.html"),
        ("Cython", "https://cython.readthedocs.io/en/latest/src/userguide/limited_api.html"),
        ("pybind11 #1755", "https://github.com/pybind/pybind11/issues/1755"),
        ("nanobind", "https://nanobind.readthedocs.io/en/latest/api_cmake.html"),
        ("PyO3", "https://pyo3.rs/latest/building-and-distribution.html"),
    ),
    "PyPy": (
        ("PyPy", "https://doc.pypy.org/en/latest/extending.html"),
        ("pybind11", "https://github.com/pybind/pybind11/blob/master/README.rst"),
        ("nanobind", "https://nanobind.readthedocs.io/en/latest/pypy.html"),
        ("PyO3", "https://github.com/PyO3/pyo3/blob/main/README.md"),
    ),
    "free-threaded": (
        ("CPython", "https://docs.python.org/3/howto/free-threading-extensions.html"),
        ("cffi", "https://cffi.readthedocs.io/en/stable/whatsnew.html"),
        ("Cython", "https://cython.readthedocs.io/en/latest/src/userguide/freethreading.html"),
        ("pybind11 #5148", "https://github.com/pybind/pybind11/pull/5148"),
        ("nanobind", "https://nanobind.readthedocs.io/en/latest/free_threaded.html"),
        ("PyO3", "https://pyo3.rs/latest/free-threading.html"),
        ("PyO3 #5564, the 0.28 default", "https://github.com/PyO3/pyo3/pull/5564"),
    ),
}


def comparison_table(args: str) -> str:
    """``comparison-table``: per backend, what the run measured, then what the technology offers."""
    report, run, checks = _latest()
    means = report.overhead_means(run, checks)
    counted = max((count for _, count, _ in means.values()), default=0)
    static = run.static.get("backends", {})
    targets = run.static.get("build", {}).get("targets", {})
    measured = []
    for b in run.backends:
        figures = static.get(b, {})
        imported = figures.get("import", {})
        if not run.static.get("build_time_measured"):
            build = NOT_MEASURED
        elif "seconds" in targets.get(b, {}):
            build = f"{targets[b]['seconds']:.1f}"
        else:
            build = "failed" if "error" in targets.get(b, {}) else "—"
        measured.append(
            [
                b,
                (
                    report.fmt_ratio(means[b][0])
                    + (f" {report.fmt_interval(means[b][2])}" if means[b][2] else "")
                )
                if b in means
                else "—",
                _crossover_cell(report, run, "dsum", b),
                _crossover_cell(report, run, "scale", b),
                build + checks.mark(("static", b, "build")),
                report.fmt_bytes(figures.get("artefact_bytes")) + checks.mark(("static", b, "size")),
                (f"{imported['import_s_median'] * 1e3:.2f}" if "import_s_median" in imported else "—")
                + checks.mark(("static", b, "import")),
                str(figures.get("lines", {}).get("code", "—")) + checks.mark(("static", b, "lines")),
            ]
        )
    within = round(report.WITHIN * 100)  # the report's own definition of "within"
    header = [
        "backend",
        f"call overhead, x capi (geometric mean, {counted} patterns, 95 % interval)",
        f"`dsum` within {within} % of capi",
        f"`scale` within {within} % of capi",
        "build s",
        "artefact",
        "import ms",
        "lines of binding code",
    ]
    qualities = [[b, *(QUALITIES[b][c] for c in QUALITY_COLUMNS)] for b in report.BACKENDS if b in QUALITIES]
    return (
        "**Measured** in the run: small-call overhead, the array size from which per-call overhead stops "
        "mattering, build time of the backend's own target, installed artefact, import time (median), "
        "lines of binding code.\n\n"
        + report.table(header, measured)
        + "\n\n**What the technology offers**, from its documentation (our bindings do not use every "
        "option: see each chapter).\n\n"
        + report.table(["backend", *QUALITY_COLUMNS], qualities, "l" * (len(QUALITY_COLUMNS) + 1))
        + "\n\nSources. "
        + " ".join(
            f"{column}: " + ", ".join(f"[{name}]({url})" for name, url in links) + "."
            for column, links in QUALITY_SOURCES.items()
        )
        + "\n"
    )


#: name -> function(args) -> the block's text (ending with a newline).
GENERATORS: dict[str, Callable[[str], str]] = {
    "figure": figure,
    "report-link": report_link,
    "ownership-table": ownership_table,
    "overhead-table": overhead_table,
    "harness-table": harness_table,
    "aa-table": aa_table,
    "floors-table": floors_table,
    "crosscheck": crosscheck,
    "wrapper-tax": wrapper_tax,
    "verdict": verdict,
    "comparison-table": comparison_table,
    "floors": floors,
    "machine": machine,
    "report-summary": report_summary,
    "compat-matrix": compat_matrix,
    "compat-facts": compat_facts,
    "shipping-table": shipping_table,
    "versus": versus,
    "threads-panels": threads_panels,
    "sources": sources,
    "shipping-policies": shipping_policies,
    "under-floor": under_floor,
    "abi3-cost": abi3_cost,
}


def expected(name: str, args: str | None) -> str:
    if name not in GENERATORS:
        raise KeyError(f"no generator {name!r} (known: {', '.join(sorted(GENERATORS))})")
    return GENERATORS[name](args or "")
