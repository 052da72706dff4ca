"""The compatibility matrix: every build and every CPython the run had, from the suite's own record.

``nox -s bench`` runs the compatibility tests on each interpreter with ``BINDINGS_COMPAT_OUT``
set to ``<run>/compat`` (tests/conftest.py writes ``<python>.json`` there). Nothing here is
written by hand: a cell says what a test observed, or that nothing was observed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from tabulate import tabulate

from .formatting import DASH
from .load import ABI3_SUFFIX

#: Facts the tests record, in the order the matrix shows them, with their column titles.
FACTS = {
    "abi": "ABI",
    "subinterpreter.legacy": "legacy subinterpreter",
    "subinterpreter.isolated": "isolated subinterpreter (own GIL)",
    "subinterpreter.main-then-legacy": "subinterpreter after the main interpreter",
    "free_threading": "free-threading",
    "interrupt.update_many": "Ctrl-C: update_many",
    "interrupt.integrate": "Ctrl-C: integrate",
}


def records(folder: Path) -> list[dict]:
    """The per-interpreter records of a run, oldest CPython first ([] if it has none)."""
    found = [json.loads(path.read_text()) for path in sorted((folder / "compat").glob("*.json"))]

    def version(record: dict) -> tuple:
        numbers = record["python"].rstrip("t").split(".")
        return (*(int(n) for n in numbers), record["python"].endswith("t"))

    return sorted(found, key=version)


def _minor(record: dict) -> str:
    major, minor = record["python"].rstrip("t").split(".")[:2]
    return f"{major}.{minor}" + ("t" if record["free_threaded"] else "")


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.rstrip("t").split(".")[:2])


def _suite_cell(
    entry: dict | None, build: str = "", record: dict | None = None, oldest: dict | None = None
) -> str:
    if entry is None:
        # An abi3 build older CPythons cannot load is not a failure to build: say which.
        backend = build.removesuffix(ABI3_SUFFIX)
        first = (oldest or {}).get(backend)
        if build.endswith(ABI3_SUFFIX) and record is not None:
            if record.get("free_threaded"):
                return "not for free-threaded CPython"
            if first and _version_tuple(record["python"]) < _version_tuple(first):
                return f"not for this version (abi3 from {first})"
        return "not built"
    passed, failed = entry.get("passed", 0), entry.get("failed", 0)
    return f"**{failed} failed**, {passed} passed" if failed else f"{passed} passed"


def _fact_cell(record_list: list[dict], build: str, fact: str) -> str:
    """One value if every interpreter that observed it agrees, else each version's own."""
    seen = {}
    for record in record_list:
        value = record["builds"].get(build, {}).get(fact)
        if value is not None:
            seen[_minor(record)] = str(value)
    if not seen:
        return DASH
    values = set(seen.values())
    if len(values) == 1:
        versions = list(seen)
        where = versions[0] if len(versions) == 1 else f"{versions[0]}{DASH}{versions[-1]}"
        return f"{values.pop()} ({where})"
    return "<br>".join(f"{version}: {value}" for version, value in seen.items())


def builds(record_list: list[dict]) -> list[str]:
    """Every build any interpreter recorded, in the order the first record that has it lists it."""
    order: dict[str, None] = {}
    for record in record_list:
        order.update(dict.fromkeys(record["builds"]))
    return list(order)


def matrix(folder: Path, facts: Sequence[str] = tuple(FACTS), tests: bool = True) -> str:
    """The matrix as a Markdown table, or one line saying the run has no record.

    ``facts`` (keys of FACTS) picks the columns of observations; ``tests=False`` leaves out
    the per-version test counts (a chapter that discusses one kind of fact shows only it).
    """
    found = records(folder)
    if not found:
        return "This run has no compatibility record (`compat/`): the matrix needs `nox -s bench`."
    versions = [_minor(record) for record in found] if tests else []
    run_meta = folder / "run.json"
    oldest = json.loads(run_meta.read_text()).get("abi3_oldest", {}) if run_meta.is_file() else {}
    headers = ["build", *(f"CPython {v}: tests" for v in versions), *(FACTS[fact] for fact in facts)]
    rows = []
    for build in builds(found):
        suite = (
            [_suite_cell(record["builds"].get(build), build, record, oldest) for record in found]
            if tests
            else []
        )
        rows.append([build, *suite, *(_fact_cell(found, build, fact) for fact in facts)])
    return tabulate(rows, headers=headers, tablefmt="github")


def section(folder: Path) -> str:
    """The report's section: what the matrix holds, then the matrix."""
    found = records(folder)
    if not found:
        return matrix(folder)
    machines = sorted({record["platform"] for record in found})
    lines = [
        f"Recorded by the test suite on {', '.join(machines)}, one run per interpreter (the compatibility "
        "tests: `tests/test_compat.py`, `tests/test_interrupt.py`, `tests/test_subinterpreters.py`, and the "
        "conformance tests, whose counts are the tests columns). A value is what a test observed; a value "
        "with its versions in brackets held on each of them. Free-threading is what each backend declares "
        "in code: no free-threaded CPython ran here, so no cell of it is verified unless it says so.",
        "",
        matrix(folder),
    ]
    return "\n".join(lines)
