"""A smoke run of the benchmark suite, so that a broken benchmark fails CI.

``benchmarks/run.py --smoke`` runs every benchmark for a handful of rounds on tiny
inputs in two worker processes, counts every pattern's instructions under callgrind
(when valgrind is installed), measures the static figures without build times, and runs
the report generator, into a temporary folder. These tests check that everything ran
and that every built backend, pattern, baseline, variant, sweep and thread figure is in
the output, measured by the net-of-loop method (the loop builder), with its interval,
its CALL path and (with valgrind) its instruction count. No timing is judged: on a
shared CI machine the numbers mean nothing.

It also runs ``run.py --smoke --version-of``, a further interpreter's part of a run over
several (here the same interpreter: the test checks what is measured and where it goes),
and writes the report of a run holding that part, so the cross-version and stable-ABI
sections run on real data.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import bindings

pytest.importorskip("pytest_benchmark", reason="the benchmarks need pytest-benchmark (the test extra has it)")
pytest.importorskip("matplotlib", reason="the benchmark report needs matplotlib (the test extra has it)")

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "benchmarks" / "run.py"
sys.path.insert(0, str(ROOT / "benchmarks"))
try:
    # The one definition the benchmarks, the check and the report share.
    import builds
    from patterns import HEADLINE, PATTERNS, RAW_CALLS
finally:
    sys.path.remove(str(ROOT / "benchmarks"))
VALGRIND = shutil.which("valgrind") is not None
PLOTS = ("overhead.png", "sweep.png", "threads.png", "static.png")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bench") / "run"
    result = subprocess.run(
        [sys.executable, str(RUNNER), "--smoke", "--out", str(folder)],
        cwd=folder.parent,  # outside the source tree: the installed package is imported
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, (
        f"benchmarks/run.py --smoke failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    )
    return folder


def _version() -> str:
    free_threaded = sysconfig.get_config_var("Py_GIL_DISABLED")
    return f"{sys.version_info.major}.{sys.version_info.minor}{'t' if free_threaded else ''}"


@pytest.fixture(scope="module")
def version_part(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A further interpreter's part, measured into a run folder of its own; its folder."""
    folder = tmp_path_factory.mktemp("bench") / "parts"
    command = [sys.executable, str(RUNNER), "--smoke", "--version-of", str(folder), "--no-instructions"]
    result = subprocess.run(
        command, cwd=folder.parent, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, (
        f"run.py --version-of failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    )
    return folder / "versions" / _version()


@pytest.fixture(scope="module")
def figures(run_folder: Path) -> list[dict]:
    with gzip.open(run_folder / "benchmarks.json.gz", "rt") as handle:
        raw = json.load(handle)
    return [bench["extra_info"] for bench in raw["benchmarks"]]


def _present(figures: list[dict], **where: object) -> bool:
    return any(all(info.get(k) == v for k, v in where.items()) for info in figures)


def test_the_run_folder_holds_every_file(run_folder: Path) -> None:
    for name in ("benchmarks.json.gz", "machine.json", "static.json", "run.json", "report.md"):
        assert (run_folder / name).is_file(), name
    for name in PLOTS:
        path = run_folder / name
        assert path.is_file(), name
        assert path.read_bytes()[:8] == PNG_SIGNATURE, f"{name} is not a PNG"


def test_every_built_backend_runs_every_pattern(figures: list[dict]) -> None:
    built = bindings.available()
    assert built
    for backend in built:
        missing = {p for p in PATTERNS if not _present(figures, kind="overhead", pattern=p, backend=backend)}
        assert not missing, f"{backend}: no overhead figure for {sorted(missing)}"
        for pattern in PATTERNS:  # in both workers: the intervals pair figures by worker
            for worker in (0, 1):
                assert _present(figures, kind="overhead", pattern=pattern, backend=backend, worker=worker)
        for kind, pattern in (
            ("sweep", "dsum"),
            ("sweep", "scale"),
            ("conversion", "dsum"),
            ("ownership", "find_peaks"),
            ("ownership", "find_peaks_into"),
            ("ownership", "scale_out"),
            ("gil", "scale_threshold"),
        ):
            assert _present(figures, kind=kind, pattern=pattern, backend=backend), (backend, kind, pattern)
        for threads in (1, 2):
            assert _present(figures, kind="threads", backend=backend, threads=threads), (backend, threads)


def test_baselines_and_variants_are_measured(figures: list[dict]) -> None:
    for floor in ("builtin", "builtin_arg", "python"):
        assert _present(figures, kind="baseline", pattern=floor), floor
    for pattern in ("dsum", "scale", "matvec"):
        assert _present(figures, kind="overhead", pattern=pattern, backend="numpy"), pattern
    assert _present(figures, kind="sweep", backend="numpy")
    built = bindings.available()
    if "ctypes" in built:
        for variant in ("raw", "raw-no-argtypes", "raw-ndpointer"):
            assert _present(figures, kind="variant", backend="ctypes", variant=variant), variant
        assert _present(figures, kind="gil", pattern="ctypes_noop", variant="holds")
    if "cffi" in built:
        for variant in ("raw", "abi-raw"):
            assert _present(figures, kind="variant", backend="cffi", variant=variant), variant
    for technology, calls in RAW_CALLS.items():  # the wrapper tax's reference, for every pattern
        if technology in built:
            for pattern in calls:
                assert _present(figures, kind="variant", backend=technology, pattern=pattern, variant="raw")
    assert _present(figures, kind="sweep", pattern="scale", backend="numpy", variant="out")
    if "nanobind" in built:
        assert _present(figures, kind="variant", backend="nanobind", pattern="dsum", variant="buffer")


def test_every_call_figure_is_measured_net_of_its_loop(run_folder: Path) -> None:
    with gzip.open(run_folder / "benchmarks.json.gz", "rt") as handle:
        raw = json.load(handle)
    # Every figure but the thread speed-ups and the harness comparison, which time otherwise on purpose.
    timed = [b for b in raw["benchmarks"] if b["extra_info"].get("kind") not in ("threads", "harness")]
    assert any(b["extra_info"].get("kind") == "harness" for b in raw["benchmarks"])
    assert timed
    for bench in timed:
        info, rounds = bench["extra_info"], bench["stats"]["rounds"]
        assert info["calls_per_iteration"] >= 10, bench["name"]  # K calls per loop iteration
        assert info["iterations"] >= 1, bench["name"]
        # Each timed round has the empty loop's time beside it, and the gross rounds stay raw.
        assert len(info["empty_round_seconds"]) == rounds == len(bench["stats"]["data"]), bench["name"]
        if sys.version_info >= (3, 11):
            assert info["call_path"] and info["call_path"] != "n/a", bench["name"]
    reference = [b for b in timed if b["extra_info"].get("variant") == "again"]
    assert {b["extra_info"]["pattern"] for b in reference} == set(PATTERNS)  # the A/A repeat


@pytest.mark.skipif(not VALGRIND, reason="valgrind is not installed: the run counts no instructions")
def test_every_pattern_has_its_instruction_count(run_folder: Path) -> None:
    counts = json.loads((run_folder / "instructions" / "overhead.json").read_text())
    for backend in bindings.available():
        per_call = counts["instructions_per_call"][backend]
        assert set(per_call) == set(PATTERNS), backend
        assert all(value > 0 for value in per_call.values()), (backend, per_call)
    report = (run_folder / "report.md").read_text()
    assert "## Instructions beside nanoseconds" in report
    assert "### Do time and instructions agree?" in report
    assert " instr" in report.split("## Call overhead", 1)[1]  # counts beside the headline figures


@pytest.mark.skipif(not VALGRIND, reason="valgrind is not installed: the run counts no instructions")
def test_the_wrapper_tax_has_its_references_and_profiles(run_folder: Path) -> None:
    counts = json.loads((run_folder / "instructions" / "overhead.json").read_text())
    built = bindings.available()
    for technology in RAW_CALLS:
        if technology in built:
            assert set(counts["raw_calls"][technology]) == set(RAW_CALLS[technology]), technology
            assert set(counts["raw_calls_profile"][technology]) == set(RAW_CALLS[technology]), technology
    # A profile accounts for every instruction counted: its groups add up to the call's count.
    # (Which group the calling loop's own instructions land in depends on how the interpreter
    # is built: _PyEval_EvalFrameDefault on 3.11, a function it jumps into on 3.13.)
    profiles = [(counts["profile"], counts["instructions_per_call"])]
    profiles.append((counts.get("raw_calls_profile", {}), counts.get("raw_calls", {})))
    for profile, per_call in profiles:
        for backend, patterns in profile.items():
            for pattern, found in patterns.items():
                total, counted = sum(found["groups"].values()), per_call[backend][pattern]
                assert abs(total - counted) <= 0.005 * counted + 1, (backend, pattern, total, counted)
                assert found["functions"], (backend, pattern)
    for backend in built:  # and a compiled backend's calls run code of its own module
        assert counts["profile"][backend]["add"]["groups"].get("binding", 0) > 0 or backend in RAW_CALLS, (
            backend
        )
    tax = (run_folder / "report.md").read_text().split("## The wrapper tax", 1)[1].split("\n## ", 1)[0]
    for backend in set(built) - {"capi"}:
        assert backend in tax, backend
    assert "Where the difference goes" in tax


def test_static_figures_cover_every_built_backend(run_folder: Path) -> None:
    static = json.loads((run_folder / "static.json").read_text())
    for backend in bindings.available():
        figures = static["backends"][backend]
        assert figures["artefact_bytes"] > 0, backend
        assert figures["import"]["import_s_median"] > 0, backend
        assert figures["lines"]["code"] > 0, backend
    assert static["build_time_measured"] is False  # smoke runs skip the builds


def test_the_report_covers_every_section_and_backend(run_folder: Path) -> None:
    report = (run_folder / "report.md").read_text()
    for heading in (
        "Plausibility checks",
        "Summary",
        "Call overhead",
        "The method's own spread: the C-API backend against itself (A/A)",
        "An empty call against the floors",
        "Instructions beside nanoseconds",
        "Which CALL instruction the caller runs",
        "Variants",
        "Size sweeps",
        "Ownership",
    ):
        assert f"## {heading}" in report, heading
    assert "net of the harness" in report
    # Every ratio in the headline table carries its interval: "(3.16x [1.87, 3.47x])", en dash.
    headline = report.split("## Call overhead", 1)[1].split("<details>", 1)[0]
    for backend in bindings.available():
        if backend != "capi":
            assert re.search(r"x \[[-0-9.]+\u2013[-0-9.]+x\]\)", headline), backend
    for heading in ("Threads and the GIL", "Static figures"):
        assert f"## {heading}" in report, heading
    for backend in bindings.available():
        # A row of a table: its first cell, padded to the column's width.
        assert re.search(rf"^\| {re.escape(backend)} +\|", report, re.MULTILINE), backend
    machine = json.loads((run_folder / "machine.json").read_text())
    assert machine["python"]["version"] and machine["cpu"]["logical_cores"]


def test_a_further_interpreters_part_measures_the_headline_patterns_on_every_build(
    version_part: Path,
) -> None:
    assert {path.name for path in version_part.iterdir()} >= {
        "benchmarks.json.gz",
        "machine.json",
        "run.json",
    }
    meta = json.loads((version_part / "run.json").read_text())
    assert meta["scope"] == "headline" and meta["python"] == _version()
    with gzip.open(version_part / "benchmarks.json.gz", "rt") as handle:
        measured = [bench["extra_info"] for bench in json.load(handle)["benchmarks"]]
    calls = [info for info in measured if info["kind"] == "overhead"]
    assert {info["pattern"] for info in calls} == set(HEADLINE)
    for build in builds.loadable():  # the stable-ABI builds too
        for pattern in HEADLINE:
            for worker in range(meta["settings"]["version_workers"]):
                assert _present(calls, pattern=pattern, backend=build, worker=worker), (
                    build,
                    pattern,
                    worker,
                )
    assert {info["kind"] for info in measured} == {"overhead", "baseline"}  # nothing but calls and floors
    assert _present(calls, backend="capi", variant="again")


def test_the_report_compares_versions_and_builds(
    run_folder: Path, version_part: Path, tmp_path: Path
) -> None:
    # The primary run, with the part filed as another version's: the report's multi-version path.
    combined = tmp_path / "run"
    shutil.copytree(run_folder, combined)
    shutil.copytree(version_part, combined / "versions" / "3.99")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import report
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    assert report.main([str(combined), "--no-plots"]) == 0
    text = (combined / "report.md").read_text()
    across = text.split("## Across Python versions", 1)[1].split("\n## ", 1)[0]
    assert f"CPython {_version()}" in across and "CPython 3.99" in across
    for backend in bindings.available():
        assert re.search(rf"^\| {re.escape(backend)} +\|", across, re.MULTILINE), backend
    stable = text.split("## The stable ABI", 1)[1].split("\n## ", 1)[0]
    assert "### Wheels to cover CPython 3.10" in stable
    for build in builds.loadable():
        if build.endswith(builds.ABI3_SUFFIX):
            assert build in stable, build
