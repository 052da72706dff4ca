"""The call-overhead check (benchmarks/overhead) catches what it exists to catch.

The same patterns on the capi backend are counted three times under callgrind,
each time by the check's own command line:

- before: ``noop()``, ``add(2, 3)`` and ``fnv1a`` of 16 bytes, called directly, and an
  empty Python function beside one that makes one extra nested call (the loop builder's
  known difference: the second must count one call more);
- after: ``noop`` behind one extra Python-level wrapper, ``fnv1a`` of 24 bytes
  (the same C function running its byte loop 8 more times: a few dozen more C
  instructions in the call path), ``add`` unchanged;
- again: ``before``, counted a second time.

Comparing before with after must fail and name exactly the two changed figures;
comparing before with again must find identical counts and pass.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import bindings

OVERHEAD = Path(__file__).resolve().parent.parent / "benchmarks" / "overhead"
DIRECT = {
    "noop": ["f = core.noop", "f()"],
    "add": ["f = core.add", "f(2, 3)"],
    # The loop builder's known difference, counted exactly: one extra nested Python call.
    "python_call": ["def f():\n    pass", "f()"],
    "nested_call": ["def g():\n    pass\ndef f():\n    g()", "f()"],
}
BEFORE = {**DIRECT, "fnv1a": ["f = core.fnv1a; data = bytes(16)", "f(data)"]}
AFTER = {
    "noop": ["g = core.noop\ndef f():\n    return g()", "f()"],
    "add": DIRECT["add"],
    "fnv1a": ["f = core.fnv1a; data = bytes(24)", "f(data)"],
    "python_call": DIRECT["python_call"],
    "nested_call": DIRECT["nested_call"],
}


def _skip_reason() -> str | None:
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return (
            "valgrind is not installed; the overhead check needs it (Debian/Ubuntu: apt-get install valgrind)"
        )
    if not (Path(valgrind).resolve().parent.parent / "include" / "valgrind" / "callgrind.h").exists():
        return "valgrind's headers are missing (callgrind.h; Fedora: install valgrind-devel)"
    if not (OVERHEAD / "run.py").exists():
        return f"the overhead check is not in this tree ({OVERHEAD})"
    try:
        bindings.load("capi")
    except ImportError as exc:
        return str(exc)
    return None


pytestmark = pytest.mark.skipif(_skip_reason() is not None, reason=str(_skip_reason()))


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Counts before, after and again, run side by side; name -> result file."""
    folder = tmp_path_factory.mktemp("overhead")
    runs = {}
    for index, (name, patterns) in enumerate((("before", BEFORE), ("after", AFTER), ("again", BEFORE))):
        (folder / f"{name}.patterns.json").write_text(json.dumps(patterns))
        command = [
            sys.executable,
            str(OVERHEAD / "run.py"),
            "--backends=capi",
            f"--patterns={folder / f'{name}.patterns.json'}",
            f"--out={folder / name}",
            f"--work={folder / f'work{index}'}",  # side by side, so apart; paths of one length
            f"--label={name}",
            "--no-compare",
            "--no-wall-clock",
        ]
        runs[name] = subprocess.Popen(
            command, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    for name, process in runs.items():
        output, _ = process.communicate(timeout=600)
        assert process.returncode == 0, f"run.py ({name}) failed:\n{output}"
    return {name: folder / name / "overhead.json" for name in runs}


def _compare(old: Path, new: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(OVERHEAD / "compare.py"), str(old), str(new)]  # default thresholds
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def _table_rows(text: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.split("|")[1:-1]]
        for line in text.splitlines()
        if line.startswith("| capi")
    ]


def _counts(path: Path) -> dict[str, float]:
    return json.loads(path.read_text())["instructions_per_call"]["capi"]


def test_unchanged_code_counts_identically(results: dict[str, Path]) -> None:
    before, again = (json.loads(results[name].read_text()) for name in ("before", "again"))
    assert again["raw_instructions"] == before["raw_instructions"]
    assert again["instructions_per_call"] == before["instructions_per_call"]
    comparison = _compare(results["before"], results["again"])
    assert comparison.returncode == 0, comparison.stdout
    assert {row[-1] for row in _table_rows(comparison.stdout)} == {"ok"}


def test_extra_python_frame_and_extra_c_instructions_fail_the_check(results: dict[str, Path]) -> None:
    comparison = _compare(results["before"], results["after"])
    assert comparison.returncode == 1, comparison.stdout
    _, regressions = comparison.stdout.split("REGRESSION", 1)
    regressed = {row[1]: row for row in _table_rows(regressions)}
    assert set(regressed) == {"noop", "fnv1a"}, comparison.stdout
    before, after = _counts(results["before"]), _counts(results["after"])
    for name in ("noop", "fnv1a"):  # old value, new value and change, as the table shows them
        old, new, change = regressed[name][2:5]
        assert (old, new) == (f"{before[name]:,.2f}", f"{after[name]:,.2f}")
        assert change == f"{(after[name] - before[name]) / before[name] * 100:+.2f}%"
    # Eight more bytes through FNV-1a's loop: a few dozen instructions, seen exactly.
    assert 16 <= after["fnv1a"] - before["fnv1a"] <= 120, (before, after)
    # An untouched function: a different module can shift a one-time cost of a
    # few dozen instructions between the measured loops (memory layout), so
    # its per-call count may move by a hair, never by a regression's amount.
    assert abs(after["add"] - before["add"]) <= 0.1, (before, after)
    statuses = {row[1]: row[-1] for row in _table_rows(comparison.stdout.split("REGRESSION", 1)[0])}
    assert statuses == {
        "noop": "FAIL",
        "add": "ok",
        "fnv1a": "FAIL",
        "python_call": "ok",
        "nested_call": "ok",
    }


def test_one_extra_nested_call_counts_one_call_more(results: dict[str, Path]) -> None:
    """The loop builder subtracts the loop exactly: f() that calls g() costs two calls of g()."""
    counts = _counts(results["before"])
    one, two = counts["python_call"], counts["nested_call"]
    # The nested call also loads g from the globals: a few instructions more than the outer call.
    assert 0.9 <= (two - one) / one <= 1.25, counts


# ---- builds and versions: what is gated --------------------------------------------------


def _result(counts: dict[str, dict[str, float]]) -> dict:
    return {"label": "x", "environment": {"python": "3.11"}, "instructions_per_call": counts}


def test_a_build_the_baseline_lacks_is_measured_and_not_gated(tmp_path: Path) -> None:
    """A stable-ABI build new since the baseline: shown, never failing the gate, and said so."""
    old = _result({"capi": {"noop": 100.0}})
    new = _result({"capi": {"noop": 100.0}, "capi-abi3": {"noop": 500.0}})
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    comparison = _compare(tmp_path / "old.json", tmp_path / "new.json")
    assert comparison.returncode == 0, comparison.stdout
    assert "Not in the baseline, so measured and not gated: capi-abi3." in comparison.stdout
    # ... and gated like any other once the baseline has it.
    (tmp_path / "old.json").write_text(
        json.dumps(_result({**old["instructions_per_call"], "capi-abi3": {"noop": 100.0}}))
    )
    assert _compare(tmp_path / "old.json", tmp_path / "new.json").returncode == 1


def test_each_interpreter_version_has_its_own_baseline() -> None:
    baselines = sorted((OVERHEAD / "baselines").glob("*.json"))
    assert baselines, "no committed baseline"
    for path in baselines:  # each measured on the version it is named after
        python = json.loads(path.read_text())["environment"]["python"]
        assert python.startswith(f"{path.stem.rstrip('t')}."), (path.name, python)


def test_a_stable_abi_build_is_a_known_name(tmp_path: Path) -> None:
    """--backends takes the builds' names: one that is not built fails as not built, not as unknown."""
    absent = [name for name in bindings.BUILDS if name.endswith("-abi3") and name not in _loadable()]
    command = [sys.executable, str(OVERHEAD / "run.py"), "--no-compare", "--no-wall-clock"]
    command += [f"--out={tmp_path / 'out'}", f"--work={tmp_path / 'work'}"]
    unknown = subprocess.run([*command, "--backends=capi-abi4"], capture_output=True, text=True, check=False)
    assert unknown.returncode != 0 and "unknown build(s): capi-abi4" in unknown.stderr
    if absent:
        missing = subprocess.run(
            [*command, f"--backends={absent[0]}"], capture_output=True, text=True, check=False
        )
        assert missing.returncode == 2 and f"not built in this install: {absent[0]}" in missing.stderr


def _loadable() -> list[str]:
    found = []
    for name in bindings.BUILDS:
        try:
            bindings.load(name)
        except ImportError:
            continue
        found.append(name)
    return found
