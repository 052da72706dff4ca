"""The report's cross-version and stable-ABI sections, on run folders made here.

A run over several interpreters keeps each further one's part in ``versions/<X.Y>/``
(``benchmarks/runs.py``); the stable-ABI builds' figures carry the build's name
(``capi-abi3``). These tests build such folders with known figures and check what the
sections make of them: each version's net time and instruction count, how a ratio to capi
moves, a flag where time and instructions disagree about it, abi3 over full with its
interval, and the count of wheels, computed from the oldest CPython the run recorded.
They also check that both sections say so in one line, and the report still writes,
when a run has one interpreter and no stable-ABI build.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import numpy as np

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
try:
    from report import abi3, compat, versions
    from report.checks import check
    from report.load import Run
    from report.load import load as load_run
finally:
    sys.path.remove(str(BENCHMARKS))

WORKERS = 4
ROUNDS = 20
CALLS = 1000  # per round: iterations x K
EMPTY_SECONDS = 5e-6
#: What the repository declares (bindings.ABI3_BACKENDS), as run.py records it.
ABI3_OLDEST = {"capi": "3.11", "cffi": "3.10", "cython": "3.11", "nanobind": "3.12", "pyo3": "3.11"}


def _bench(backend: str, pattern: str, ns: float, worker: int, rng: np.random.Generator) -> dict:
    net = ns * (1 + 0.005 * rng.standard_normal(ROUNDS)) * 1e-9 * CALLS
    empty = np.full(ROUNDS, EMPTY_SECONDS)
    data = list(net + empty)
    info = {
        "kind": "overhead",
        "pattern": pattern,
        "backend": backend,
        "iterations": CALLS // 10,
        "calls_per_iteration": 10,
        "per": 1,
        "empty_round_seconds": list(empty),
        "worker": worker,
    }
    stats = {"data": data, "median": float(np.median(data)), "rounds": ROUNDS, "iterations": 1}
    return {"name": f"{backend}-{pattern}", "extra_info": info, "stats": stats}


def _write_run(folder: Path, python: str, ns: dict, counts: dict, oldest: dict | None = ABI3_OLDEST) -> Path:
    """A run folder: ``ns[backend][pattern]`` timed in every worker, ``counts`` as callgrind's."""
    rng = np.random.default_rng(abs(hash(python)) % 2**32)
    benchmarks = [
        _bench(backend, pattern, value, worker, rng)
        for worker in range(WORKERS)
        for backend, patterns in ns.items()
        for pattern, value in patterns.items()
    ]
    (folder / "instructions").mkdir(parents=True)
    with gzip.open(folder / "benchmarks.json.gz", "wt") as handle:
        json.dump({"benchmarks": benchmarks}, handle)
    (folder / "instructions" / "overhead.json").write_text(json.dumps({"instructions_per_call": counts}))
    meta = {"mode": "full", "python": python, **({"abi3_oldest": oldest} if oldest else {})}
    (folder / "run.json").write_text(json.dumps(meta))
    return folder


def _figures(capi: float, ctypes: float, abi3_factor: float | None) -> dict:
    ns = {"capi": {"noop": capi, "add": capi * 1.5}, "ctypes": {"noop": ctypes, "add": ctypes * 1.2}}
    if abi3_factor:
        ns["capi-abi3"] = {p: v * abi3_factor for p, v in ns["capi"].items()}
    return ns


def _counts(capi: float, ctypes: float, abi3_factor: float | None) -> dict:
    counts = {"capi": {"noop": capi, "add": capi * 1.5}, "ctypes": {"noop": ctypes, "add": ctypes * 1.2}}
    if abi3_factor:
        counts["capi-abi3"] = {p: v * abi3_factor for p, v in counts["capi"].items()}
    return counts


def _multi_version_run(tmp_path: Path) -> Run:
    # 3.11: ctypes 4x capi by time and by instructions. 3.13: ctypes 2x by time but still
    # 4x by instructions (a disagreement the section must flag), and capi-abi3 10 % dearer.
    folder = _write_run(tmp_path / "run", "3.11", _figures(20.0, 80.0, 1.0), _counts(250, 1000, 1.0))
    _write_run(folder / "versions" / "3.13", "3.13", _figures(20.0, 40.0, 1.1), _counts(200, 800, 1.2))
    return load_run(folder)


def test_every_version_is_loaded_oldest_first(tmp_path: Path) -> None:
    run = _multi_version_run(tmp_path)
    assert run.python == "3.11"
    assert list(run.versions) == ["3.13"]
    assert list(run.all_versions) == ["3.11", "3.13"]
    assert run.abi3_builds == ["capi-abi3"] and run.backends == ["capi", "ctypes"]


def test_the_cross_version_section_gives_each_version_and_flags_a_disagreement(tmp_path: Path) -> None:
    run = _multi_version_run(tmp_path)
    text = versions.section(run, check(run))
    header = next(line for line in text.splitlines() if line.startswith("| backend"))
    assert "CPython 3.11" in header and "CPython 3.13" in header
    assert "1,000 instr" in text and "800 instr" in text  # ctypes noop counts of both versions
    assert "4.00x instr" in text  # ctypes' instruction ratio, the same on both versions
    # The time ratio halves while the instruction ratio does not move: flagged, the count trusted.
    flagged = text.split("Where time and instructions disagree:", 1)[1]
    assert flagged.strip().startswith("- ⚑ ctypes `noop()`, CPython 3.11 → 3.13")
    assert "The count is exact" in flagged
    assert "Instruction counts make this comparison exact" in text


def test_the_stable_abi_section_gives_abi3_over_full_and_the_wheels(tmp_path: Path) -> None:
    run = _multi_version_run(tmp_path)
    text = abi3.section(run, check(run))
    lines = {line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| ")}
    assert "tied" in lines["noop()"]  # 3.11: the same time, its interval holds 1.00x
    assert "1.00x instr" in lines["noop()"]
    across = [line for line in text.splitlines() if line.startswith("| capi-abi3") and "`noop()`" in line]
    assert across and "slower" in across[0] and "1.20x instr" in across[0]  # 3.13: 10 % dearer, 20 % more
    rows = [line for line in text.split("### Wheels", 1)[1].splitlines() if line.startswith("| ")]
    wheels = {line.split("|")[1].strip(): line for line in rows}
    assert "| 4: `cp310-cp310`, `cp311-abi3`, `cp313-cp313t`, `cp314-cp314t`" in wheels["capi"]
    assert "| 3: `cp310-abi3`, `cp313-cp313t`, `cp314-cp314t`" in wheels["cffi"]
    assert "| 5: " in wheels["nanobind"]
    assert "| 7 (one per version)" in wheels["pybind11"] and "no limited-API build" in wheels["pybind11"]
    assert "abi3t" in text and "PEP 803" in text


def test_the_wheel_count_follows_the_oldest_version() -> None:
    assert len(abi3.wheels(None)) == 7  # 3.10 to 3.14, and 3.13t, 3.14t
    assert abi3.wheels((3, 12)) == [
        "cp310-cp310",
        "cp311-cp311",
        "cp312-abi3",
        "cp313-cp313t",
        "cp314-cp314t",
    ]


def test_one_version_and_no_stable_abi_build_say_so_in_one_line(tmp_path: Path) -> None:
    folder = _write_run(tmp_path / "run", "3.12", _figures(20.0, 80.0, None), _counts(250, 1000, None), None)
    run = load_run(folder)
    checks = check(run)
    assert versions.section(run, checks).count("\n") == 0
    assert "one interpreter (CPython 3.12)" in versions.section(run, checks)
    text = abi3.section(run, checks)
    assert "No stable-ABI build was measured on CPython 3.12" in text
    assert "no wheel count" in text


def test_the_matrix_says_why_an_abi3_build_is_absent(tmp_path: Path) -> None:
    (tmp_path / "run.json").write_text(json.dumps({"abi3_oldest": {"capi": "3.11"}}))
    (tmp_path / "compat").mkdir()
    for python, builds in (("3.10.13", ["capi"]), ("3.11.7", ["capi", "capi-abi3"]), ("3.13.0", ["capi"])):
        record = {
            "python": python,
            "free_threaded": False,
            "platform": "linux",
            "builds": {build: {"passed": 1} for build in builds},
        }
        (tmp_path / "compat" / f"{python}.json").write_text(json.dumps(record))
    row = next(line for line in compat.matrix(tmp_path).splitlines() if line.startswith("| capi-abi3"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    # Older than the build's oldest CPython: not for it; as old or newer and absent: not built.
    assert cells[1:4] == ["not for this version (abi3 from 3.11)", "1 passed", "not built"]
