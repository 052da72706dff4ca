"""The reference implementations against answers known independently of them.

Every other module trusts ``reference.py``; these tests are why it may. They
need no backend.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import reference
from support import PAIRWISE_HALVES, PAIRWISE_LANES


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # Published FNV-1a 64-bit test vectors (Fowler, Noll, Vo).
        (b"", 0xCBF29CE484222325),
        (b"a", 0xAF63DC4C8601EC8C),
        (b"foobar", 0x85944171F73967E8),
    ],
)
def test_fnv1a_known_vectors(data, expected):
    assert reference.fnv1a(data) == expected


def test_add_overflows_like_int64():
    assert reference.add(2**63 - 1, 0) == 2**63 - 1
    with pytest.raises(OverflowError):
        reference.add(2**62, 2**62)


def test_dsum_adds_in_the_pairwise_order():
    # (1e16 + 1) rounds back to 1e16, so where the 1.0 meets 1e16 decides the result.
    assert reference.dsum([1e16, 1.0, -1e16]) == 0.0  # under 8 values: left to right
    assert reference.dsum([1e16, -1e16, 1.0]) == 1.0
    assert reference.dsum(PAIRWISE_LANES) == 1.0  # 1e16 and -1e16 share a running sum
    assert reference.dsum(PAIRWISE_HALVES) == 0.0  # ... but not across the split into halves
    x = np.random.default_rng(0).normal(size=1000)
    assert abs(reference.dsum(x) - math.fsum(x)) <= reference.sum_error_bound(x)


def test_find_peaks_on_a_hand_worked_example():
    x = [0, 2, 1, 3, 3, 0, 5, 5, 5, 1, 4]
    # 2 at index 1 is a peak; 3,3 is a plateau whose left end counts (3 >= 3);
    # 5,5,5 likewise (index 6); index 10 is the last element, never a peak.
    assert reference.find_peaks(x, 0.0).tolist() == [1, 3, 6]
    assert reference.find_peaks(x, 2.0).tolist() == [3, 6]  # strictly above the threshold


def test_describe_uses_population_std():
    stats = reference.describe([1.0, 2.0, 3.0, 4.0])
    assert (stats.n, stats.mean, stats.min, stats.max) == (4, 2.5, 1.0, 4.0)
    assert stats.std == pytest.approx(math.sqrt(1.25))  # divides by n, not n - 1


def test_integrate_is_exact_for_straight_lines():
    calls = []

    def line(x):
        calls.append(x)
        return 3 * x + 1

    assert reference.integrate(line, 0.0, 2.0, 4) == pytest.approx(8.0)
    assert calls == [0.0, 0.5, 1.0, 1.5, 2.0]


def test_student_t_density_matches_closed_form():
    # With alpha = 1 (2 degrees of freedom) the Student-t density is
    # 1 / (2 sqrt(2) s) * (1 + z^2 / 2)^(-3/2), z = (x - mu) / s.
    d = reference.Detector(kappa0=2.0, alpha0=1.0, beta0=3.0, mu0=0.5, max_run_length=3)
    s = math.sqrt(3.0 * (2.0 + 1) / (1.0 * 2.0))
    for x in (-4.0, 0.5, 2.0, 10.0):
        z = (x - 0.5) / s
        expected = 1 / (2 * math.sqrt(2) * s) * (1 + z * z / 2) ** -1.5
        assert math.exp(d.log_predictive(x)[0]) == pytest.approx(expected, rel=1e-12)


def test_student_t_density_integrates_to_one():
    d = reference.Detector(max_run_length=50)
    d.update_many(np.random.default_rng(1).normal(size=60))
    xs = np.linspace(-60, 60, 24001)
    densities = np.exp(np.stack([d.log_predictive(x)[[0, 10, 50]] for x in xs]))
    # Heavy tails: about 6e-4 of the r = 0 mass (2 degrees of freedom) lies beyond +-60.
    assert np.trapezoid(densities, xs, axis=0) == pytest.approx([1, 1, 1], abs=2e-3)


def test_detector_statistics_are_those_of_the_last_r_observations():
    # Batch Normal-Gamma posterior of observations y (Murphy 2007, eq. 86-89).
    def batch(y, mu0, kappa0, beta0):
        n, mean = len(y), float(np.mean(y))
        mu = (kappa0 * mu0 + n * mean) / (kappa0 + n)
        beta = (
            beta0 + 0.5 * float(np.sum((y - mean) ** 2)) + kappa0 * n * (mean - mu0) ** 2 / (2 * (kappa0 + n))
        )
        return mu, beta

    R = 5
    d = reference.Detector(mu0=1.0, kappa0=0.5, beta0=2.0, max_run_length=R)
    xs = np.random.default_rng(2).normal(3.0, 2.0, size=12)
    d.update_many(xs)
    for r in range(1, R + 1):  # r = R is the folded hypothesis: still the last R
        mu, beta = batch(xs[-r:], 1.0, 0.5, 2.0)
        assert d.mu[r] == pytest.approx(mu, rel=1e-12)
        assert d.beta[r] == pytest.approx(beta, rel=1e-12)
    assert (d.mu[0], d.beta[0]) == (1.0, 2.0)


def test_detector_with_one_slot_keeps_hazard_split():
    # R = 1: every hypothesis grows into (or stays in) slot 1, and all of them
    # also feed slot 0, so P = [H, 1 - H] whatever the data.
    d = reference.Detector(hazard=0.3, max_run_length=1)
    for x in (0.0, 5.0, -100.0, 1e6):
        d.update(x)
        assert d.posterior() == pytest.approx([0.3, 0.7], rel=1e-12)


def test_detector_first_step_and_normalisation():
    d = reference.Detector(hazard=0.2, max_run_length=10)
    assert d.posterior().tolist() == [1.0] + [0.0] * 10
    assert d.update(0.3) == 1
    assert d.posterior()[:2] == pytest.approx([0.2, 0.8])
    d.update_many(np.random.default_rng(3).normal(size=200))
    assert d.posterior().sum() == pytest.approx(1.0, rel=1e-12)


def test_detector_sees_a_mean_shift():
    rng = np.random.default_rng(4)
    d = reference.Detector()
    before = d.update_many(rng.normal(0, 1, 100))
    after = d.update_many(rng.normal(8, 1, 10))
    assert before[-1] >= 80
    assert min(after[:5]) <= 5
