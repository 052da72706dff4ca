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
    a PREFIX (``subinterpreter``, ``interrupt``, ``free_threading``, ``abi``), one row per build,
    each cell as the matrix writes it."""
    report, run, _ = _latest()
    compat = report.compat  # the matrix's own module: its records, order and cells
    prefixes = tuple(args.split())
    facts = [fact for fact in compat.FACTS if prefixes and fact.startswith(prefixes)]
    if not facts:
        raise KeyError(f"compat-facts: {args!r} names none of {', '.join(compat.FACTS)}")
    found = compat.records(run.folder)
    if not found:
        return compat.matrix(run.folder) + "\n"  # the sentence saying the run has no record
    rows = [
        [build, *(compat._fact_cell(found, build, fact) for fact in facts)] for build in compat.builds(found)
    ]
    headers = ["build", *(compat.FACTS[fact] for fact in facts)]
    return compat.tabulate(rows, headers=headers, tablefmt="github") + "\n"


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
        return f"In this run no call comes out under the METH_NOARGS floor ({report.fmt_ns(floor.median)} ns).\n"
    listed = ", ".join(f"{f.backend}'s `{f.pattern}` ({report.fmt_ns(f.median)} ns)" for f in under)
    return f"In this run, under the METH_NOARGS floor of {report.fmt_ns(floor.median)} ns: {listed}.\n"


def shipping_table(args: str) -> str:
    """``shipping-table``: each technology's wheel, and this package's, as the run shipped them."""
    report, run, _ = _latest()
    return report.shipping_section(run.folder) + "\n"


def verdict(args: str) -> str:
    """``verdict BACKEND``: one generated sentence on the backend's calls against capi's, with intervals."""
    report, run, checks = _latest()
    backend = args.strip()
    if backend not in report.BACKENDS:
        raise KeyError(f"verdict: {backend!r} is not one of {', '.join(report.BACKENDS)}")
    return report.backend_verdict(run, checks, backend) + "\n"


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
        "free-threaded": "0.23+, `gil_used = false`",
        "debugging": "the compiler rejects lifetime errors; panics become `PanicException`",
    },
}
QUALITY_COLUMNS = ("C++", "runtime dependency", "stable ABI", "PyPy", "free-threaded", "debugging")


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
    "under-floor": under_floor,
}


def expected(name: str, args: str | None) -> str:
    if name not in GENERATORS:
        raise KeyError(f"no generator {name!r} (known: {', '.join(sorted(GENERATORS))})")
    return GENERATORS[name](args or "")
