"""Threads: concurrent calls are correct, a shared detector is never corrupted,
and ``update_many`` lets other Python threads run while C works."""

from __future__ import annotations

import faulthandler
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from support import canonical, events

import bindings

WORKERS = 4
BIG = bindings.GIL_RELEASE_MIN_SIZE * 4  # above the threshold: the GIL-releasing path
rng = np.random.default_rng(0)
SMALL_X = rng.normal(size=100)
BIG_X = rng.normal(size=BIG)
BIG_EVENTS = events(rng.integers(0, 3, BIG), rng.normal(size=BIG))
BIG_A = rng.normal(size=(BIG // 32, 32))


@pytest.fixture(autouse=True)
def deadlock_watchdog():
    """A deadlock fails loudly instead of hanging the run.

    A binding that waits for a detector's lock while holding the GIL deadlocks
    against an update_many that needs the GIL back; then no Python code runs
    again, not even a timeout. faulthandler's watchdog is a C thread: it dumps
    every thread's traceback and exits the process.
    """
    faulthandler.dump_traceback_later(120, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def every_function(core) -> dict[str, object]:
    """One call of each function, small and large inputs, as zero-argument thunks."""

    def detector_run(seed):
        def run():
            with core.Detector(max_run_length=50) as d:
                return d.update_many(np.random.default_rng(seed).normal(size=2000)), d.posterior()

        return run

    thunks = {
        "add": lambda: core.add(2**40, 12345),
        "sum6": lambda: core.sum6(0.1, 0.2, 0.3, 0.4, 0.5, 0.6),
        "repeat": lambda: core.repeat("ab\x00é", 1000),
        "fnv1a": lambda: core.fnv1a(BIG_X),
        "events_total": lambda: core.events_total(BIG_EVENTS, 1),
        "matvec": lambda: core.matvec(BIG_A, np.arange(32.0)),
        "detector-1": detector_run(1),
        "detector-2": detector_run(2),
    }
    for size, x in (("small", SMALL_X), ("big", BIG_X)):
        thunks[f"dsum-{size}"] = lambda x=x: core.dsum(x)
        thunks[f"scale-{size}"] = lambda x=x: core.scale(x, 1.5)
        thunks[f"find_peaks-{size}"] = lambda x=x: core.find_peaks(x, 0.5)
        thunks[f"find_peaks_into-{size}"] = lambda x=x: core.find_peaks_into(x, 0.5)
        thunks[f"describe-{size}"] = lambda x=x: core.describe(x)
    for k in (1, 2, 3):  # different callbacks at once: no state shared between calls
        thunks[f"integrate-{k}"] = lambda k=k: core.integrate(lambda x: k * x * x, 0.0, 3.0, 300)
    return thunks


def test_every_function_from_several_threads_at_once(core):
    thunks = every_function(core)
    expected = {name: canonical(thunk()) for name, thunk in thunks.items()}  # one thread
    with ThreadPoolExecutor(WORKERS) as pool:
        futures = [(name, pool.submit(thunk)) for _ in range(10) for name, thunk in thunks.items()]
        for name, future in futures:
            assert canonical(future.result()) == expected[name], f"{name} differs under threads"


def test_scale_in_place_on_separate_arrays_from_several_threads(core):
    arrays = [np.full(BIG, float(i)) for i in range(8)]
    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(lambda x: core.scale(x, 2.0, out=x), arrays))
    for i, (x, result) in enumerate(zip(arrays, results, strict=True)):
        assert result is x
        assert (x == 2.0 * i).all()


def test_a_shared_detector_is_never_corrupted(core):
    # Every thread feeds the SAME chunk. update_many calls on one detector are
    # serialised, so whatever the order, the detector ends where N serial
    # calls end, and the i-th call to run (whichever thread made it) returns
    # what the i-th serial call returned: together, each serial result once.
    chunk = np.random.default_rng(1).normal(size=1000)
    threads, calls_each, R = 4, 5, 100
    serial = core.Detector(max_run_length=R)
    states = [serial.posterior()]
    serial_results = []
    for _ in range(threads * calls_each):
        serial_results.append(serial.update_many(chunk))
        states.append(serial.posterior())

    shared = core.Detector(max_run_length=R)
    done = threading.Event()
    seen = set()

    def feed():
        return [shared.update_many(chunk) for _ in range(calls_each)]

    def watch():  # posterior() never shows a call in progress
        while not done.is_set() and len(seen) < 1000:
            t = shared.t
            seen.add(shared.posterior().tobytes())
            assert t % chunk.size == 0

    with ThreadPoolExecutor(threads + 1) as pool:
        watcher = pool.submit(watch)
        feeders = [pool.submit(feed) for _ in range(threads)]
        results = [r for f in feeders for r in f.result()]
        done.set()
        watcher.result()

    assert shared.t == threads * calls_each * chunk.size
    np.testing.assert_array_equal(shared.posterior(), serial.posterior())
    assert sorted(r.tobytes() for r in results) == sorted(r.tobytes() for r in serial_results)
    assert seen <= {s.tobytes() for s in states}, "posterior() showed a state between whole calls"


def test_a_shared_detector_can_be_closed_from_another_thread(core):
    d = core.Detector(max_run_length=20)
    with ThreadPoolExecutor(2) as pool:
        pool.submit(d.update_many, np.ones(100)).result()
        pool.submit(d.close).result(timeout=30)
    assert d.closed
    with pytest.raises(ValueError):
        d.update(1.0)


def test_close_racing_an_update_many_is_safe(core):
    # Either close() comes first (update_many then raises ValueError), or it
    # waits for the call in flight (which then completes correctly).
    xs = np.random.default_rng(2).normal(size=20_000)
    expected = core.Detector(max_run_length=100).update_many(xs)
    d = core.Detector(max_run_length=100)
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(d.update_many, xs)
        time.sleep(0.001)
        d.close()
        try:
            np.testing.assert_array_equal(future.result(timeout=30), expected)
        except ValueError:
            pass
    assert d.closed


def ticks_during(call) -> tuple[int, float]:
    """How often a ticker thread ticked while ``call()`` ran, and how long it ran.

    The ticker counts in a Python loop, sleeping 1 ms per tick. Each tick needs
    the GIL but hardly any CPU, so a busy machine does not stop it. While C
    runs holding the GIL it cannot tick at all; only at the edges of the call
    (a tick or two). While C runs without the GIL, it ticks all through.
    """
    ticks = 0
    stop = threading.Event()

    def tick():
        nonlocal ticks
        while not stop.is_set():
            time.sleep(0.001)
            ticks += 1

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        time.sleep(0.01)  # let it get going
        before = ticks
        t0 = time.perf_counter()
        call()
        elapsed = time.perf_counter() - t0
        after = ticks
    finally:
        stop.set()
        ticker.join()
    assert elapsed > 0.05, f"the call took {elapsed:.3f} s: too short to tell"
    return after - before, elapsed


def test_update_many_releases_the_gil(core):
    xs = np.random.default_rng(3).normal(size=20_000)
    d = core.Detector(max_run_length=500)
    ticks, elapsed = ticks_during(lambda: d.update_many(xs))
    assert ticks >= 10, f"{ticks} ticks during a {elapsed:.3f} s update_many"


def test_a_long_array_function_releases_the_gil(core):
    data = bytes(64 * 2**20)  # far above GIL_RELEASE_MIN_SIZE; FNV-1a takes ~0.1 s
    ticks, elapsed = ticks_during(lambda: core.fnv1a(data))
    assert ticks >= 10, f"{ticks} ticks during a {elapsed:.3f} s fnv1a"


def test_find_peaks_into_releases_the_gil_and_takes_it_back_to_allocate(core):
    x = np.tile([0.0, 1.0], 8 * 2**20)  # 8 Mi peaks: a long scan, and a 64 MiB result
    ticks, elapsed = ticks_during(lambda: [core.find_peaks_into(x, 0.5) for _ in range(4)])
    assert ticks >= 10, f"{ticks} ticks during a {elapsed:.3f} s find_peaks_into"
