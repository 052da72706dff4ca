"""Ownership: every allocation the core makes is released exactly once, on every path.

``core.live_allocations()`` counts the core's allocations not yet released.
The ``no_leaks`` fixture (conftest.py) asserts it ends where it began. A
leak shows as a count that stays up; a double release as a count that goes
down (or a crash).
"""

from __future__ import annotations

import gc
import os

import numpy as np
import pytest
import reference

X = np.random.default_rng(0).normal(size=300)
#: Calls per pattern; `nox -s memcheck` lowers it, since valgrind runs each call ~50x slower.
REPEATS = int(os.environ.get("OWNERSHIP_REPEATS", "10000"))
EXPECTED_PEAKS = reference.find_peaks(X, 0.0)
BUFFER = np.zeros(20)


def test_live_allocations_counts_what_the_core_holds(core):
    # Without this, every leak test below could pass by counting nothing.
    gc.collect()
    before = core.live_allocations()
    d = core.Detector(max_run_length=10)
    assert core.live_allocations() > before
    d.close()
    assert core.live_allocations() == before


PATTERNS = {
    "find_peaks": lambda core: core.find_peaks(X, 0.0),
    "find_peaks-none-found": lambda core: core.find_peaks([1.0, 2.0], 0.0),
    "find_peaks_into": lambda core: core.find_peaks_into(X, 0.0),
    "find_peaks_into-none-found": lambda core: core.find_peaks_into([1.0, 2.0], 0.0),
    "repeat": lambda core: core.repeat("ab\x00c", 3),
    "repeat-empty": lambda core: core.repeat("", 3),
    "detector-close": lambda core: core.Detector(max_run_length=10).close(),
    "detector-with": lambda core: core.Detector(max_run_length=10).__enter__().__exit__(None, None, None),
    "detector-dropped": lambda core: core.Detector(max_run_length=10),
    "detector-used": lambda core: core.Detector(max_run_length=10).update_many(X[:5]),
    "posterior-view-dropped": lambda core: core.Detector(max_run_length=10).posterior_view(),
    "integrate": lambda core: core.integrate(abs, 0.0, 1.0, 3),
    "describe": lambda core: core.describe(X),
    "scale": lambda core: core.scale(X, 2.0),
}


@pytest.mark.parametrize("pattern", tuple(PATTERNS))
def test_repeated_calls_release_everything(core, no_leaks, pattern):
    call = PATTERNS[pattern]
    with no_leaks():
        for _ in range(REPEATS):
            call(core)


def failing_callback(x):
    raise KeyError("from the callback")


FAILURES = {
    "integrate-callback-raises": (lambda core: core.integrate(failing_callback, 0.0, 1.0, 5), KeyError),
    "integrate-returns-str": (lambda core: core.integrate(lambda x: "no", 0.0, 1.0, 5), TypeError),
    "find_peaks-bad-array": (lambda core: core.find_peaks("abc", 0.0), TypeError),
    "find_peaks-2-D": (lambda core: core.find_peaks(np.ones((3, 3)), 0.0), ValueError),
    "find_peaks_into-bad-array": (lambda core: core.find_peaks_into("abc", 0.0), TypeError),
    "repeat-negative": (lambda core: core.repeat("x", -1), ValueError),
    "repeat-overflow": (lambda core: core.repeat("ab", 2**63), OverflowError),
    "repeat-out-of-memory": (lambda core: core.repeat("x", 2**62), MemoryError),
    "repeat-surrogate": (lambda core: core.repeat("\ud800", 2), UnicodeEncodeError),
    "detector-invalid": (lambda core: core.Detector(hazard=2.0), ValueError),
    "detector-nan": (lambda core: core.Detector(max_run_length=10).update_many([1.0, np.nan]), ValueError),
    "scale-overlap": (lambda core: core.scale(BUFFER[:10], 2.0, out=BUFFER[5:15]), ValueError),
    "describe-empty": (lambda core: core.describe([]), ValueError),
}


@pytest.mark.parametrize("failure", tuple(FAILURES))
def test_failed_calls_release_everything(core, no_leaks, failure):
    call, error = FAILURES[failure]
    with no_leaks():
        for _ in range(1_000):
            with pytest.raises(error):
                call(core)


def test_detectors_dropped_without_close_are_released(core, no_leaks):
    with no_leaks() as before:
        detectors = [core.Detector(max_run_length=10) for _ in range(100)]
        for d in detectors:
            d.update(1.0)
        assert core.live_allocations() > before
        del detectors, d


def test_detector_in_a_reference_cycle_is_released_by_the_collector(core, no_leaks):
    with no_leaks() as before:
        cycle = [core.Detector(max_run_length=10)]
        cycle.append(cycle)
        del cycle
        assert core.live_allocations() > before  # unreachable, but not yet collected
    # no_leaks ran gc.collect(): the cycle, and the detector, are gone


def test_find_peaks_results_outlive_the_call(core, no_leaks):
    with no_leaks() as before:
        results = [core.find_peaks(X, 0.0) for _ in range(100)]
        held = core.live_allocations() - before
        # Either each result was copied and its buffer released at once, or each
        # array owns its buffer until it dies. Both are "released exactly once".
        assert held in (0, 100)
        for _ in range(200):  # churn the allocator
            core.find_peaks(X[::-1], -1.0)
            core.repeat("xyz", 50)
        for result in results:
            np.testing.assert_array_equal(result, EXPECTED_PEAKS, strict=True)
        del results[::2]
        assert core.live_allocations() - before == held // 2
        del results, result


def test_posterior_view_keeps_the_detector_until_the_view_dies(core, no_leaks):
    with no_leaks():
        d = core.Detector(max_run_length=8)
        d.update_many(X[:50])
        with_detector = core.live_allocations()
        view = d.posterior_view()
        expected = d.posterior()
        del d
        gc.collect()
        assert core.live_allocations() == with_detector, "the view must keep the detector alive"
        for _ in range(100):  # churn the allocator: freed memory would be reused
            core.Detector(max_run_length=8).update_many(X[:20])
        np.testing.assert_array_equal(view, expected)
        part = view[3:]
        del view
        gc.collect()
        assert core.live_allocations() == with_detector, "a slice of the view counts too"
        np.testing.assert_array_equal(part, expected[3:])
        del part
    # no_leaks: the detector went with the last array made from its view


def test_close_frees_at_once_even_while_the_object_lives(core, no_leaks):
    with no_leaks() as before:
        d = core.Detector(max_run_length=10)
        view = d.posterior_view()
        with pytest.raises(BufferError):
            d.close()
        assert core.live_allocations() > before  # a refused close frees nothing
        del view
        d.close()
        assert core.live_allocations() == before
        d.close()  # idempotent: nothing is freed twice
        assert core.live_allocations() == before
        del d
