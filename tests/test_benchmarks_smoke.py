"""A smoke run of the benchmark suite, so that a broken benchmark fails CI.

``benchmarks/run.py --smoke`` runs every benchmark for a handful of rounds on tiny
inputs, the static figures without build times, and the report generator, into a
temporary folder. These tests check that everything ran and that every built backend,
pattern, baseline, variant, sweep and thread figure is in the output. No timing is
judged: on a shared CI machine the numbers mean nothing.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

import bindings

pytest.importorskip("pytest_benchmark", reason="the benchmarks need pytest-benchmark (the test extra has it)")
pytest.importorskip("matplotlib", reason="the benchmark report needs matplotlib (the test extra has it)")

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "benchmarks" / "run.py"
PATTERNS = {
    "noop",
    "add",
    "sum6",
    "dsum",
    "scale",
    "matvec",
    "find_peaks",
    "fnv1a",
    "repeat",
    "describe",
    "events_total",
    "update",
    "update_many",
    "integrate",
    "create_close",
}
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
        for variant in ("api-raw", "abi", "abi-raw"):
            assert _present(figures, kind="variant", backend="cffi", variant=variant), variant


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
        "Variants",
        "Size sweeps",
        "Ownership",
    ):
        assert f"## {heading}" in report, heading
    for heading in ("Threads and the GIL", "Static figures"):
        assert f"## {heading}" in report, heading
    for backend in bindings.available():
        assert f"| {backend} |" in report, backend
    machine = json.loads((run_folder / "machine.json").read_text())
    assert machine["python"]["version"] and machine["cpu"]["logical_cores"]
