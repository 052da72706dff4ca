"""Ctrl-C stops a long call: ``update_many`` on a long series and ``integrate``
with many intervals raise ``KeyboardInterrupt`` soon after SIGINT, in every build.

The core asks its caller's check about every millisecond of work (``bc_check``
in ``bcore.h``); each binding runs the interpreter's pending signal handlers
there. Each case runs in a child process, which the test interrupts with a
real SIGINT once the long call has started. The child then checks what the
interrupted call left: the detector holds exactly the steps it took (its
posterior is that of a fresh detector fed the same prefix, bit for bit), it is
still usable, and no core memory leaked. A handler that uses the detector it
interrupts gets RuntimeError, never a deadlock (the last test).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(
    not hasattr(signal, "SIGINT") or sys.platform == "win32",
    reason="sends SIGINT to a child process (POSIX only)",
)

#: From SIGINT to KeyboardInterrupt: the check runs every millisecond or so, so this
#: leaves room for a loaded machine and a sanitizer; uninterrupted, each call runs for
#: tens of seconds (update_many: 400,000 steps of 2,001 hypotheses; integrate: 10**9 calls).
LATENCY_LIMIT = 3.0
#: The whole child, interrupted or not, within this: a call that ignores SIGINT is killed.
CHILD_TIMEOUT = 120.0

#: What each child does first (a long series, the core's allocation count, a detector) and
#: the two checks it ends with: ``check_prefix`` (the detector holds exactly the steps it
#: took, bit for bit, and still takes ``update_many`` and ``update``) and ``finish`` (no core
#: allocation leaked; the report goes to stdout).
CHILD_COMMON = textwrap.dedent(
    """
    import gc, json, math, signal, sys, time
    import numpy as np
    import bindings

    core = bindings.load(sys.argv[1])
    xs = np.random.default_rng(7).normal(size=400_000)
    gc.collect()
    before = core.live_allocations()
    d = core.Detector(max_run_length=2000)
    report = {}


    def check_prefix():
        taken = report["taken"] = d.t
        fresh = core.Detector(max_run_length=2000)
        fresh.update_many(xs[:taken])
        report["same_posterior"] = bool(np.array_equal(d.posterior(), fresh.posterior()))
        fresh.close()
        d.update_many(xs[:10])
        report["usable"] = isinstance(d.update(0.5), int) and d.t == taken + 11


    def finish():
        gc.collect()
        report["leaked"] = core.live_allocations() - before
        print(json.dumps(report), flush=True)
    """
)
CHILD = CHILD_COMMON + textwrap.dedent(
    """
    case = sys.argv[2]
    print("started", flush=True)
    try:
        if case == "update_many":
            d.update_many(xs)
        else:
            core.integrate(math.sin, 0.0, 1.0, 10**9)
    except KeyboardInterrupt:
        report["interrupted_at"] = time.time()
    if case == "update_many":
        check_prefix()
    d.close()
    del d
    finish()
    """
)


@pytest.mark.parametrize("case", ["update_many", "integrate"])
def test_sigint_interrupts_a_long_call(core, request, case, tmp_path, compat):
    name = request.node.callspec.params["core"]
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, name, case],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert child.stdout is not None
        started = child.stdout.readline()
        assert started == "started\n", f"child did not start: {started!r} {child.stderr.read()}"
        time.sleep(0.3)  # well inside the call: it runs for tens of seconds
        sent = time.time()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=CHILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        child.kill()
        out, err = child.communicate()
        pytest.fail(f"{name}: {case} ignored SIGINT for {CHILD_TIMEOUT:.0f} s\n{err}")
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 0, f"{name}: child failed ({child.returncode})\n{out}\n{err}"
    report = json.loads(out)
    assert "interrupted_at" in report, f"{name}: {case} ran to the end: SIGINT did not interrupt it"
    latency = report["interrupted_at"] - sent
    assert latency < LATENCY_LIMIT, f"{name}: KeyboardInterrupt came {latency:.2f} s after SIGINT"
    assert report["leaked"] == 0, f"{name}: {report['leaked']} core allocation(s) leaked"
    if case == "update_many":
        assert 0 < report["taken"] < 400_000
        assert report["same_posterior"], f"{name}: the interrupted detector is not the prefix's"
        assert report["usable"], f"{name}: the detector does not update after the interrupt"
    compat(f"interrupt.{case}", "yes")


def test_the_check_off_the_main_thread_lets_the_call_finish(core):
    """Only the main thread handles signals: in another thread, the check (called
    four times here) must neither stop the call nor fail."""
    xs = np.random.default_rng(3).normal(size=2_000)
    d = core.Detector(max_run_length=2000)
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("rl", d.update_many(xs)))
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive() and result["rl"].shape == (2_000,) and d.t == 2_000
    d.close()


REENTRANT_CHILD = CHILD_COMMON + textwrap.dedent(
    """
    seen = []

    def report_progress(signum, frame):
        seen.append(d.t)  # the same detector, from inside its own update_many

    signal.signal(signal.SIGALRM, report_progress)
    started = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        d.update_many(xs)
    except RuntimeError as exc:
        report["error"] = str(exc)
        report["after"] = time.monotonic() - started
    signal.setitimer(signal.ITIMER_REAL, 0)
    report["handler_saw"] = seen
    check_prefix()
    d.close()
    del d
    finish()
    """
)


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs signal.setitimer")
def test_a_signal_handler_that_uses_the_detector_gets_runtime_error(core, request, tmp_path):
    """A SIGALRM handler that reads ``d.t`` while ``d.update_many`` runs on the
    same thread: that thread holds the detector's lock, so waiting for it
    would never end. Every build refuses the call with RuntimeError instead,
    which stops update_many like any exception from a handler; the detector
    keeps the steps it took and stays usable. A deadlock fails by timeout."""
    name = request.node.callspec.params["core"]
    try:
        done = subprocess.run(
            [sys.executable, "-c", REENTRANT_CHILD, name],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=CHILD_TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{name}: deadlock, the handler waited for its own thread\n{exc.stderr}")
    assert done.returncode == 0, f"{name}: child failed ({done.returncode})\n{done.stdout}\n{done.stderr}"
    report = json.loads(done.stdout)
    assert "error" in report, f"{name}: update_many ran to the end: {report}"
    assert "reentrant call" in report["error"], report["error"]
    assert report["after"] < 0.3 + LATENCY_LIMIT, f"{name}: RuntimeError after {report['after']:.2f} s"
    assert report["handler_saw"] == []
    assert 0 < report["taken"] < 400_000
    assert report["same_posterior"], f"{name}: the interrupted detector is not the prefix's"
    assert report["usable"], f"{name}: the detector does not update after the RuntimeError"
    assert report["leaked"] == 0, f"{name}: {report['leaked']} core allocation(s) leaked"
