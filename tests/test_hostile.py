"""Hostile input, each batch in its own process: a crash is a failure, never lost.

The catalogue (``hostile.py``) runs in batches, one child process per batch and
backend. A case passes when it ends in its documented exception or a correct
result. If the child dies (a segfault, an abort, a deadlock past the timeout), the
case it had started fails with the signal or the timeout, and the rest of its
batch fails as not run.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import hostile
import pytest

HERE = Path(__file__).resolve().parent
CASES = hostile.catalogue()
BATCH = 50
TIMEOUT = 120  # seconds per batch; a deadlocked binding ends here


@functools.cache
def run_batch(backend: str, first: int) -> tuple[dict[int, dict], str]:
    """Results by case number, and a description of how the child ended."""
    last = min(first + BATCH, len(CASES))
    # region: crash-in-a-child
    command = [sys.executable, str(HERE / "hostile.py"), backend, str(first), str(last)]
    env = {**os.environ, "PYTHONFAULTHANDLER": "1"}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, env=env)
        stdout, ended = done.stdout, f"exit status {done.returncode}"
        if done.returncode < 0:
            ended = f"killed by signal {-done.returncode}"
        if done.returncode != 0:
            ended += f"; stderr:\n{done.stderr[-3000:]}"
    except subprocess.TimeoutExpired as timeout:
        stdout = timeout.stdout.decode() if isinstance(timeout.stdout, bytes) else timeout.stdout or ""
        ended = f"no answer within {TIMEOUT} s (a deadlock?)"
    # endregion: crash-in-a-child
    results: dict[int, dict] = {}
    for line in stdout.splitlines():
        record = json.loads(line)
        if "start" in record:
            results[record["start"]] = {"passed": False, "what": f"started, then the process ended: {ended}"}
        elif "case" in record:
            results[record["case"]] = record
        else:
            results["end"] = record
    return results, ended


def case_id(number: int) -> str:
    return f"{number:03d}:{CASES[number][0][:60]}"


@pytest.mark.parametrize("number", range(len(CASES)), ids=case_id)
def test_hostile_case(core, request, number):
    backend = request.node.callspec.params["core"]  # a build name: "cffi-abi3" runs bindings.cffi_abi3
    results, ended = run_batch(backend, number - number % BATCH)
    record = results.get(
        number, {"passed": False, "what": f"never started: the process ended first ({ended})"}
    )
    call, expected = CASES[number]
    wanted = expected.__name__ if isinstance(expected, type) else "a correct result"
    assert record["passed"], f"{call}: {record['what']} (expected {wanted})"


@pytest.mark.parametrize("first", range(0, len(CASES), BATCH))
def test_hostile_batch_leaves_no_core_allocation(core, request, first):
    backend = request.node.callspec.params["core"]
    results, ended = run_batch(backend, first)
    assert "end" in results, f"the batch did not finish: {ended}"
    # Detectors still referenced by the namespace are freed at exit; everything
    # the cases dropped is released at once (CPython frees on the last reference).
    assert results["end"]["live_allocations"] == 0, results["end"]


def test_every_backend_ends_each_case_the_same_way(all_cores):
    # Beyond "the documented exception": the exact type is the same everywhere.
    outcomes: dict[int, dict[str, str]] = {}
    for backend in all_cores:
        for first in range(0, len(CASES), BATCH):
            for number, record in run_batch(backend, first)[0].items():
                if number != "end":
                    outcomes.setdefault(number, {})[backend] = record.get("ending", record["what"])
    differing = {case_id(n): got for n, got in outcomes.items() if len(set(got.values())) > 1}
    assert not differing, differing
