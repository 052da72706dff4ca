"""The change-point detector: the same numbers as the reference, and the object's life cycle.

The reference (``reference.Detector``) follows ``bcore.h`` line by line; the
backends must agree with it step by step: run lengths exactly, posteriors to
1e-9 relative (the two compute the same formulas in different orders).
``max_run_length`` is kept small so that folding into R happens early.
"""

from __future__ import annotations

import gc

import numpy as np
import pytest
import reference
from support import Index, Real, array_forms

PARAMS = {
    "defaults-R20": dict(max_run_length=20),
    "skeptical": dict(hazard=0.001, mu0=1.0, kappa0=0.1, alpha0=2.0, beta0=0.5, max_run_length=20),
    "jumpy": dict(hazard=0.2, mu0=-3.0, kappa0=5.0, alpha0=0.5, beta0=10.0, max_run_length=20),
    "R3": dict(hazard=0.05, mu0=0.5, kappa0=2.0, alpha0=3.0, beta0=0.1, max_run_length=3),
}


def segments(seed: int = 0) -> np.ndarray:
    """150 observations in three regimes of 50: two change points."""
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.normal(0, 1, 50), rng.normal(4, 0.5, 50), rng.normal(-2, 3, 50)])


def assert_run_length(run_length: int, expected_run_length: int, expected_posterior: np.ndarray):
    """The same MAP as the reference, unless the reference's best two are within rounding."""
    if run_length != expected_run_length:
        assert expected_posterior[run_length] >= expected_posterior.max() * (1 - 1e-9), (
            f"run length {run_length}, reference says {expected_run_length}"
        )


def assert_posterior(posterior: np.ndarray, expected: np.ndarray):
    # Relative agreement; values below 1e-300 (denormals) need only be tiny.
    np.testing.assert_allclose(posterior, expected, rtol=1e-9, atol=1e-300)


def assert_run_matches_reference(detector, params: dict, xs: np.ndarray):
    """update_many(xs) on ``detector`` against the reference, step by step."""
    ref = reference.Detector(**params)
    run_lengths = detector.update_many(xs)
    assert isinstance(run_lengths, np.ndarray)
    assert run_lengths.dtype == np.int64
    assert run_lengths.shape == xs.shape
    for x, run_length in zip(xs, run_lengths.tolist(), strict=True):
        assert_run_length(run_length, ref.update(x), ref.posterior())
    assert_posterior(detector.posterior(), ref.posterior())
    assert detector.t == ref.t


@pytest.mark.parametrize("params", tuple(PARAMS))
def test_update_matches_reference_step_by_step(core, params):
    d = core.Detector(**PARAMS[params])
    ref = reference.Detector(**PARAMS[params])
    for x in segments():
        run_length = d.update(x)
        assert_run_length(run_length, ref.update(x), ref.posterior())
        assert_posterior(d.posterior(), ref.posterior())
        assert d.t == ref.t


@pytest.mark.parametrize("params", tuple(PARAMS))
def test_update_many_matches_reference(core, params):
    assert_run_matches_reference(core.Detector(**PARAMS[params]), PARAMS[params], segments(1))


def test_default_parameters(core):
    d = core.Detector()
    assert d.posterior().shape == (501,)
    assert_run_matches_reference(d, {}, segments(2))


def test_parameters_by_position_are_in_documented_order(core):
    params = dict(hazard=0.1, mu0=1.0, kappa0=2.0, alpha0=3.0, beta0=4.0, max_run_length=7)
    by_position = core.Detector(0.1, 1.0, 2.0, 3.0, 4.0, 7)
    assert_run_matches_reference(by_position, params, segments(3))


def test_parameters_accept_ints_and_number_like_objects(core):
    d = core.Detector(
        hazard=Real(0.1), mu0=0, kappa0=Index(2), alpha0=np.float32(1.5), max_run_length=Index(9)
    )
    params = dict(hazard=0.1, mu0=0.0, kappa0=2.0, alpha0=1.5, max_run_length=9)
    assert_run_matches_reference(d, params, segments(4)[:40])


def test_initial_state(core):
    d = core.Detector(max_run_length=6)
    assert d.t == 0
    assert not d.closed
    posterior = d.posterior()
    assert posterior.dtype == np.float64
    assert posterior.tolist() == [1.0, 0, 0, 0, 0, 0, 0]


def test_a_steady_run_grows_until_it_is_folded_at_R(core):
    d = core.Detector(hazard=0.001, max_run_length=10)
    xs = np.zeros(30)  # a perfectly steady signal: no change point is ever likely
    run_lengths = [d.update(x) for x in xs]
    assert run_lengths == [min(t, 10) for t in range(1, 31)]


def test_one_slot_posterior_is_the_hazard_split(core):
    # R = 1: every hypothesis grows into slot 1 (folded) and feeds slot 0, so
    # P = [H, 1 - H] whatever the data. Checks the fold in isolation.
    for hazard, expected_run_length in ((0.3, 1), (0.8, 0)):
        d = core.Detector(hazard=hazard, max_run_length=1)
        for x in (0.0, 5.0, -100.0, 1e6, 1e6):
            assert d.update(x) == expected_run_length
            assert d.posterior() == pytest.approx([hazard, 1 - hazard], rel=1e-12)


def test_a_mean_shift_is_detected_within_a_few_steps(core):
    rng = np.random.default_rng(5)
    d = core.Detector()
    before = d.update_many(rng.normal(0, 1, 100))
    after = d.update_many(rng.normal(5, 1, 10))
    assert before[-1] >= 80, "no change yet: the run should span (almost) all 100 steps"
    assert after[:5].min() <= 5, f"after the shift: {after.tolist()}"
    assert after[-1] <= 15, "the new run should be counted from the shift"


# ---- update and update_many ---------------------------------------------------


def test_update_and_update_many_agree_exactly(core):
    xs = segments(6)
    one_by_one = core.Detector(max_run_length=20)
    all_at_once = core.Detector(max_run_length=20)
    in_chunks = core.Detector(max_run_length=20)
    singles = [one_by_one.update(x) for x in xs]
    many = all_at_once.update_many(xs)
    chunked = np.concatenate([in_chunks.update_many(chunk) for chunk in np.array_split(xs, 7)])
    np.testing.assert_array_equal(many, singles)
    np.testing.assert_array_equal(chunked, singles)
    np.testing.assert_array_equal(all_at_once.posterior(), one_by_one.posterior())
    np.testing.assert_array_equal(in_chunks.posterior(), one_by_one.posterior())
    assert one_by_one.t == all_at_once.t == in_chunks.t == xs.size


@pytest.mark.parametrize("form", tuple(array_forms([0.0])))
def test_update_many_accepts_every_input_form(core, form):
    xs = array_forms(segments(7))[form]
    expected = core.Detector(max_run_length=20)  # fed the same numbers as C-contiguous float64
    d = core.Detector(max_run_length=20)
    np.testing.assert_array_equal(d.update_many(xs), expected.update_many(np.asarray(xs, dtype=np.float64)))
    np.testing.assert_array_equal(d.posterior(), expected.posterior())


def test_update_accepts_any_real_number(core):
    values = [1, Index(2), Real(0.5), np.float32(0.25), True]
    d = core.Detector(max_run_length=20)
    twin = core.Detector(max_run_length=20)
    for value in values:
        assert d.update(value) == twin.update(float(value))
    np.testing.assert_array_equal(d.posterior(), twin.posterior())


def test_update_many_of_nothing(core):
    d = core.Detector()
    d.update(1.0)
    result = d.update_many([])
    assert result.dtype == np.int64
    assert result.shape == (0,)
    assert d.t == 1


@pytest.mark.parametrize(
    ("bad_call", "error"),
    [
        (lambda d: d.update(float("nan")), ValueError),
        (lambda d: d.update(float("-inf")), ValueError),
        (lambda d: d.update_many([1.0, 2.0, float("nan")]), ValueError),  # the good values too
        (lambda d: d.update_many([float("inf"), 1.0]), ValueError),
        # Past the core's first check (BC_CHECK_INTERVAL units): still all or nothing.
        (lambda d: d.update_many(np.r_[np.zeros(100_000), np.nan]), ValueError),
        (lambda d: d.update_many(np.ones((2, 2))), ValueError),
        (lambda d: d.update("1"), TypeError),
    ],
    ids=[
        "update-nan",
        "update-inf",
        "update_many-nan-last",
        "update_many-inf",
        "update_many-nan-after-100000",
        "update_many-2-D",
        "update-str",
    ],
)
def test_failed_update_leaves_the_detector_unchanged(core, bad_call, error):
    xs = segments(8)
    d = core.Detector(max_run_length=20)
    twin = core.Detector(max_run_length=20)  # never sees the bad call
    d.update_many(xs[:60])
    twin.update_many(xs[:60])
    with pytest.raises(error):
        bad_call(d)
    assert d.t == twin.t
    np.testing.assert_array_equal(d.posterior(), twin.posterior())
    # The hidden statistics are unchanged too: the future is the same.
    np.testing.assert_array_equal(d.update_many(xs[60:]), twin.update_many(xs[60:]))
    np.testing.assert_array_equal(d.posterior(), twin.posterior())


def test_update_many_of_a_long_series_is_the_same_in_pieces(core):
    # Long enough for the core to ask its check (every 2**20 units, 21 per step
    # here) and for a backend that cuts the call into slices to cut it.
    xs = np.random.default_rng(5).normal(size=120_000)
    d = core.Detector(max_run_length=20)
    twin = core.Detector(max_run_length=20)
    whole = d.update_many(xs)
    pieces = np.concatenate([twin.update_many(xs[:777]), twin.update_many(xs[777:])])
    np.testing.assert_array_equal(whole, pieces)
    np.testing.assert_array_equal(d.posterior(), twin.posterior())
    assert d.t == twin.t == len(xs)


def test_t_counts_steps(core):
    d = core.Detector()
    d.update(0.5)
    assert d.t == 1
    d.update_many(np.ones(41))
    assert d.t == 42


def test_reset_returns_to_the_prior(core):
    xs = segments(9)
    d = core.Detector(max_run_length=20)
    first = d.update_many(xs)
    d.reset()
    assert d.t == 0
    assert d.posterior().tolist() == [1.0] + [0.0] * 20
    np.testing.assert_array_equal(d.update_many(xs), first)  # as if new


# ---- posterior() and posterior_view() ----------------------------------------


def test_posterior_is_a_copy(core):
    d = core.Detector(max_run_length=5)
    d.update(1.0)
    snapshot = d.posterior()
    kept = snapshot.copy()
    snapshot[:] = 7.0  # writing to the copy does not reach the detector
    np.testing.assert_array_equal(d.posterior(), kept)
    d.update(2.0)  # and the detector moving on does not change the copy
    assert snapshot.tolist() == [7.0] * 6


def test_posterior_view_is_read_only(core):
    d = core.Detector(max_run_length=5)
    view = d.posterior_view()
    assert view.dtype == np.float64
    assert view.shape == (6,)
    assert not view.flags.writeable
    with pytest.raises(ValueError):
        view[0] = 0.5


def test_posterior_view_follows_updates_and_reset(core):
    d = core.Detector(max_run_length=5)
    view = d.posterior_view()
    for x in (0.1, 3.0, -2.0):
        d.update(x)
        np.testing.assert_array_equal(view, d.posterior())
    d.update_many(segments(10))
    np.testing.assert_array_equal(view, d.posterior())
    d.reset()
    assert view.tolist() == [1.0, 0, 0, 0, 0, 0]
    assert np.shares_memory(view, d.posterior_view())  # always the same buffer


def test_posterior_view_outlives_the_detector(core):
    d = core.Detector(max_run_length=8)
    d.update_many(segments(11))
    view = d.posterior_view()
    expected = d.posterior()
    del d
    gc.collect()
    np.testing.assert_array_equal(view, expected)
    for _ in range(20):  # same-sized allocations would reuse the buffer, were it freed
        core.Detector(max_run_length=8).update_many(np.full(30, 99.0))
    np.testing.assert_array_equal(view, expected)


DERIVED = {
    "view-itself": lambda v: v,
    "slice": lambda v: v[2:5],
    "strided": lambda v: v[::2],
    "reshaped": lambda v: v.reshape(3, 3),
    "asarray": np.asarray,
    "reinterpreted": lambda v: v.view(np.int64),
    "memoryview": memoryview,
}


@pytest.mark.parametrize("derive", tuple(DERIVED))
def test_close_refuses_while_a_view_or_anything_made_from_it_lives(core, derive):
    d = core.Detector(max_run_length=8)
    view = d.posterior_view()
    derived = DERIVED[derive](view)
    del view  # only the derived object keeps the buffer in use now
    with pytest.raises(BufferError):
        d.close()
    assert not d.closed
    d.update(1.0)  # still fully usable
    del derived
    d.close()
    assert d.closed


# ---- close, closed, context manager -------------------------------------------


def test_close_is_idempotent(core):
    d = core.Detector()
    assert d.closed is False
    d.close()
    assert d.closed is True
    d.close()
    assert d.closed is True


def test_context_manager_closes(core):
    with core.Detector() as d:
        assert isinstance(d, core.Detector)
        assert not d.closed
        d.update(1.0)
    assert d.closed


def test_context_manager_closes_on_error_and_does_not_swallow_it(core):
    d = core.Detector()
    with pytest.raises(RuntimeError, match="inside"):
        with d as entered:
            assert entered is d
            raise RuntimeError("inside")
    assert d.closed


AFTER_CLOSE = {
    "update": lambda d: d.update(1.0),
    "update_many": lambda d: d.update_many([1.0]),
    "posterior": lambda d: d.posterior(),
    "posterior_view": lambda d: d.posterior_view(),
    "t": lambda d: d.t,
    "reset": lambda d: d.reset(),
    "__enter__": lambda d: d.__enter__(),
}


@pytest.mark.parametrize("member", tuple(AFTER_CLOSE))
def test_every_member_raises_value_error_after_close(core, member):
    d = core.Detector()
    d.close()
    with pytest.raises(ValueError):
        AFTER_CLOSE[member](d)
    d.close()  # close, closed and __exit__ still work
    d.__exit__(None, None, None)
    assert d.closed


# ---- long series ----------------------------------------------------------------


def test_a_long_series_stays_finite_and_normalised(core):
    rng = np.random.default_rng(12)
    pieces = [
        rng.normal(0, 1, 30_000),
        np.zeros(10_000),  # no variance at all: the predictive narrows sharply
        rng.normal(1e8, 1e-3, 10_000),  # far from the prior, tiny spread
        rng.normal(0, 1e6, 10_000),
        np.tile([1e-9, -1e-9], 10_000),
        rng.standard_cauchy(20_000),  # heavy tails: huge jumps
    ]
    xs = np.concatenate(pieces)
    assert xs.size == 100_000
    d = core.Detector(max_run_length=50)
    run_lengths = d.update_many(xs)
    assert run_lengths.min() >= 0
    assert run_lengths.max() <= 50
    posterior = d.posterior()
    assert np.isfinite(posterior).all()
    assert (posterior >= 0).all()
    assert posterior.sum() == pytest.approx(1.0, rel=1e-9)
    assert d.t == 100_000
