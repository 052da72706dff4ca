"""Allocation-failure injection: every core allocation of every pattern fails in turn.

``fail_allocation_after(k)`` makes the k-th core allocation from now fail. For each
scenario below the sweep arms k = 1, 2, ... and runs the scenario once per k: while
the scenario still reaches its k-th allocation, that allocation fails and must
surface as ``MemoryError``, with every core allocation made so far released; once k
passes the scenario's last allocation, the scenario succeeds with the right result.
So every allocation point is exercised, and the number of points is itself checked:
each backend wraps the same core, so all must meet the same number.
"""

from __future__ import annotations

import gc

import numpy as np
import pytest
import reference

X = np.random.default_rng(11).normal(size=300)
SAW = np.tile([0.0, 1.0], 150)  # 149 peaks: find_peaks' buffer grows 16 -> 32 -> 64 -> 128 -> 256
LIMIT = 64  # no scenario makes this many core allocations


def detector_life(core):
    d = core.Detector(max_run_length=20)
    d.update(0.5)
    runs = d.update_many(X[:50])
    view = d.posterior_view()
    posterior = d.posterior()
    assert np.array_equal(view, posterior)
    del view
    d.reset()
    d.close()
    return runs


def two_detectors(core):
    with core.Detector(max_run_length=5) as a, core.Detector(max_run_length=7) as b:
        return a.update_many(X[:10]), b.update_many(X[:10])


def view_outlives_detector(core):
    view = core.Detector(max_run_length=4).posterior_view()
    return view.copy()


#: name -> (scenario, check of its result when no allocation fails)
SCENARIOS = {
    "find_peaks": (
        lambda core: core.find_peaks(SAW, 0.5),
        lambda r: np.array_equal(r, reference.find_peaks(SAW, 0.5)),
    ),
    "find_peaks-none": (lambda core: core.find_peaks(X[:2], 0.0), lambda r: r.shape == (0,)),
    "find_peaks_into": (lambda core: core.find_peaks_into(SAW, 0.5), lambda r: len(r) == 149),
    "repeat": (lambda core: core.repeat("ab\x00é", 5), lambda r: r == "ab\x00é" * 5),
    "repeat-empty": (lambda core: core.repeat("", 5), lambda r: r == ""),
    "detector": (lambda core: core.Detector(max_run_length=10).close(), lambda r: r is None),
    "detector-life": (detector_life, lambda r: len(r) == 50),
    "two-detectors": (two_detectors, lambda r: len(r[0]) == len(r[1]) == 10),
    "posterior-view-outlives-detector": (view_outlives_detector, lambda r: r.shape == (5,) and r[0] == 1.0),
    "describe": (lambda core: core.describe(X), lambda r: r.n == 300),
    "integrate": (lambda core: core.integrate(lambda t: t, 0.0, 1.0, 4), lambda r: r == pytest.approx(0.5)),
}


def sweep(core, scenario):
    """(allocation points that failed, the scenario's result once none fails)."""
    gc.collect()
    start = core.live_allocations()
    for k in range(1, LIMIT):
        core.fail_allocation_after(k)
        try:
            result = scenario(core)
        except MemoryError:
            pass
        else:
            return k - 1, result
        finally:
            core.fail_allocation_after(0)  # disarm, whatever happened
        gc.collect()
        leaked = core.live_allocations() - start
        assert leaked == 0, f"failing allocation {k}: {leaked} core allocation(s) not released"
    raise AssertionError(f"still failing after {LIMIT} allocation points")


@pytest.mark.parametrize("name", tuple(SCENARIOS))
def test_every_allocation_failure_is_a_clean_memory_error(core, name):
    scenario, correct = SCENARIOS[name]
    _, result = sweep(core, scenario)
    assert correct(result), f"wrong result after the sweep: {result!r}"
    gc.collect()
    # The process is healthy: the same scenario runs normally, nothing armed.
    before = core.live_allocations()
    assert correct(scenario(core))
    gc.collect()
    assert core.live_allocations() == before


@pytest.fixture(scope="module")
def points_per_backend(all_cores):
    return {
        name: {s: sweep(core, fn)[0] for s, (fn, _) in SCENARIOS.items()} for name, core in all_cores.items()
    }


def test_every_backend_meets_the_same_allocation_points(points_per_backend):
    # One core, so one count per scenario; a backend that allocates through the
    # core on its own, or skips an allocation, shows here.
    counts = {name: tuple(points.values()) for name, points in points_per_backend.items()}
    assert len(set(counts.values())) <= 1, counts


def test_the_sweep_reaches_real_allocation_points(points_per_backend):
    # The sweep cannot pass vacuously: these scenarios do allocate in the core.
    for name, points in points_per_backend.items():
        assert points["find_peaks"] == 5, (name, points)  # 16, 32, 64, 128, 256 elements
        assert points["repeat"] == 1 and points["detector"] >= 1, (name, points)
        assert points["two-detectors"] == 2 * points["detector"], (name, points)
        assert points["find_peaks_into"] == 0, (name, points)  # Python allocates, not the core


def test_hook_is_disarmed_by_zero_and_by_negative_k(core):
    for off in (0, -1):
        core.fail_allocation_after(1)
        core.fail_allocation_after(off)
        core.repeat("x", 3)  # would raise MemoryError if still armed


def test_hook_rejects_what_add_rejects(core):
    with pytest.raises(TypeError):
        core.fail_allocation_after(1.0)
    with pytest.raises(OverflowError):
        core.fail_allocation_after(2**63)
    core.fail_allocation_after(0)
