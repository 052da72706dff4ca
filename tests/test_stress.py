"""Thread stress: many threads share detectors, arrays and callbacks for a bounded time.

Detector work goes in rounds. In each round every detector thread applies the same
operation with the same argument to the same shared detector, in whatever order the
threads happen to run; a barrier ends the round, and its action replays the round
serially on a private replica. Applying one operation several times gives one known
sequence of results, so the round's results, as a multiset, must equal the replay's,
and the shared detector must end in the replica's state: no call was torn, lost or
interleaved with another. Meanwhile other threads hammer the shared arrays and
callbacks and read posterior views. Nothing may crash, deadlock or leak.

``STRESS_SECONDS`` sets the time per backend (default 1.5; ``nox -s fuzz`` runs longer).
"""

from __future__ import annotations

import faulthandler
import os
import threading
import time

import numpy as np
import pytest
import reference

import bindings

SECONDS = float(os.environ.get("STRESS_SECONDS", "1.5"))
DETECTOR_THREADS = 4
OTHER_THREADS = 4
R = 40
rng = np.random.default_rng(5)
X = rng.normal(size=bindings.GIL_RELEASE_MIN_SIZE * 2)  # shared, read by everyone
X.flags.writeable = False
DATA = bytes(rng.integers(0, 256, 10_000, dtype=np.uint8))


@pytest.fixture(autouse=True)
def deadlock_watchdog():
    faulthandler.dump_traceback_later(SECONDS * 20 + 120, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def round_plan(seed: int):
    """An endless, reproducible list of rounds: (detector index, operation, argument)."""
    plan_rng = np.random.default_rng(seed)
    kinds = ("update", "update_many", "update_many_big", "posterior", "t", "reset")
    while True:
        kind = kinds[plan_rng.integers(len(kinds))]
        which = int(plan_rng.integers(2))
        if kind == "update":
            yield which, "update", float(plan_rng.normal())
        elif kind == "update_many":
            yield which, "update_many", plan_rng.normal(size=int(plan_rng.integers(1, 50)))
        elif kind == "update_many_big":  # above the threshold: the GIL is released
            yield which, "update_many", plan_rng.normal(size=bindings.GIL_RELEASE_MIN_SIZE)
        else:
            yield which, kind, None


def apply(detector, op: str, arg):
    if op == "t":
        return detector.t
    result = getattr(detector, op)() if arg is None else getattr(detector, op)(arg)
    return None if result is None else np.asarray(result).tobytes() if not isinstance(result, int) else result


def test_threads_share_detectors_arrays_and_callbacks(core, no_leaks):
    with no_leaks():
        failures: list[str] = []
        shared = [core.Detector(max_run_length=R), core.Detector(max_run_length=R)]
        replica = [core.Detector(max_run_length=R), core.Detector(max_run_length=R)]
        plan = round_plan(seed=7)
        current = {"round": next(plan), "number": 0}
        results: list[object] = []
        results_lock = threading.Lock()
        stop = threading.Event()
        deadline = time.monotonic() + SECONDS

        def end_of_round():  # runs in one thread while the others wait at the barrier
            which, op, arg = current["round"]
            serial = [apply(replica[which], op, arg) for _ in range(DETECTOR_THREADS)]
            if sorted(map(repr, results)) != sorted(map(repr, serial)):
                failures.append(f"round {current['number']} ({op}): results differ from a serial replay")
            if not np.array_equal(shared[which].posterior(), replica[which].posterior()):
                failures.append(f"round {current['number']} ({op}): state differs from a serial replay")
            results.clear()
            current["round"], current["number"] = next(plan), current["number"] + 1
            if time.monotonic() > deadline or failures:
                stop.set()

        barrier = threading.Barrier(DETECTOR_THREADS, action=end_of_round)

        def guarded(work):
            # An exception in a thread is a failure of the test, and stops the others.
            def run(*args):
                try:
                    work(*args)
                except threading.BrokenBarrierError:
                    pass
                except BaseException as error:
                    failures.append(f"{type(error).__name__}: {error}")
                    stop.set()
                    barrier.abort()

            return run

        def detector_worker():
            while not stop.is_set():
                which, op, arg = current["round"]
                result = apply(shared[which], op, arg)
                with results_lock:
                    results.append(result)
                barrier.wait()

        expected_sum = reference.dsum(X)
        expected_peaks = reference.find_peaks(X, 0.5)
        expected_hash = reference.fnv1a(DATA)
        callback_calls = [0]
        callback_lock = threading.Lock()

        def callback(t):  # shared by every integrating thread; calls back into the binding
            with callback_lock:
                callback_calls[0] += 1
            return core.dsum(np.array([t, t]))

        def other_worker(k: int):
            own = np.full(1000, float(k))
            views = []
            while not stop.is_set():
                checks = {
                    "dsum": core.dsum(X) == expected_sum,
                    "scale": np.array_equal(core.scale(X, 2.0), X * 2.0),
                    "scale-in-place": np.array_equal(core.scale(own, 1.0, out=own), np.full(1000, float(k))),
                    "find_peaks": np.array_equal(core.find_peaks(X, 0.5), expected_peaks),
                    "find_peaks_into": np.array_equal(core.find_peaks_into(X, 0.5), expected_peaks),
                    "fnv1a": core.fnv1a(DATA) == expected_hash,
                    "integrate": core.integrate(callback, 0.0, 1.0, 10) == pytest.approx(1.0),
                    "repeat": core.repeat("ab", 100) == "ab" * 100,
                }
                view = shared[k % 2].posterior_view()
                checks["view"] = bool(np.all((view >= 0) & (view <= 1.0 + 1e-12)))
                views = [*views[-3:], view]  # a few live views while detectors update
                for name, ok in checks.items():
                    if not ok:
                        failures.append(f"{name} gave a wrong result under threads")
                        stop.set()

        threads = [threading.Thread(target=guarded(detector_worker)) for _ in range(DETECTOR_THREADS)]
        threads += [threading.Thread(target=guarded(other_worker), args=(k,)) for k in range(OTHER_THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=SECONDS * 20 + 60)
        assert not any(thread.is_alive() for thread in threads), "a thread never finished"
        assert not failures, failures[:5]
        assert current["number"] >= 5, f"only {current['number']} rounds ran"
        assert callback_calls[0] > 0
        for which in range(2):
            np.testing.assert_array_equal(shared[which].posterior(), replica[which].posterior())
            assert shared[which].t == replica[which].t
        for detector in shared + replica:
            detector.close()
