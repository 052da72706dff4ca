"""Differential, property-based: on random inputs every backend gives the same answer.

Each test draws inputs with hypothesis and runs them through every backend
that imports (the ``all_cores`` fixture) and through the reference. The
backends all call the same C functions on the same numbers, so they must
agree with each other bit for bit, errors included; with the reference they
must agree as in ``test_functions.py`` (exactly, or within rounding bounds).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import reference
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from reference import INT64_MAX, INT64_MIN
from support import canonical, events


def run_everywhere(all_cores, call):
    """call(core) on every backend; asserts they agree exactly; returns the answer."""
    answers = {}
    for name, core in all_cores.items():
        try:
            answers[name] = call(core)
        except Exception as exc:
            answers[name] = type(exc)
    forms = {name: canonical(answer) for name, answer in answers.items()}
    first = next(iter(answers))
    differ = {name: answers[name] for name, form in forms.items() if form != forms[first]}
    assert not differ, f"backends disagree: {first} gives {answers[first]!r}, but {differ!r}"
    return answers[first]


# ---- strategies ----------------------------------------------------------------

ELEMENTS = {
    # Magnitudes stay where sums, squares and products cannot overflow.
    np.float64: st.floats(-1e100, 1e100, allow_nan=False, allow_infinity=False),
    np.float32: st.floats(-(2.0**100), 2.0**100, allow_nan=False, allow_infinity=False, width=32),
    np.int64: st.integers(-(10**12), 10**12),
}


@st.composite
def vectors(draw, min_size=0, max_size=40):
    """A 1-D array-like: float64/float32/int64, contiguous, strided, reversed or a list."""
    dtype = draw(st.sampled_from(tuple(ELEMENTS)))
    values = draw(hnp.arrays(dtype, st.integers(min_size, max_size), elements=ELEMENTS[dtype]))
    layout = draw(st.sampled_from(["contiguous", "strided", "reversed", "list"]))
    if layout == "strided":
        step = draw(st.integers(2, 3))
        spread = np.zeros(values.size * step, dtype=dtype)
        spread[::step] = values
        return spread[::step]
    if layout == "reversed":
        return values[::-1]
    if layout == "list":
        return values.tolist()
    return values


@st.composite
def matrices_and_vectors(draw):
    rows, cols = draw(st.integers(0, 8)), draw(st.integers(0, 8))
    dtype = draw(st.sampled_from(tuple(ELEMENTS)))
    A = draw(hnp.arrays(dtype, (rows, cols * 2), elements=ELEMENTS[dtype]))
    A = draw(st.sampled_from([A[:, :cols], A[:, ::2], np.ascontiguousarray(A[:, :cols]), A[::-1, :cols]]))
    x = draw(hnp.arrays(np.float64, cols, elements=ELEMENTS[np.float64]))
    return A, x


small_reals = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


# ---- one property per function ---------------------------------------------------


@given(
    a=st.one_of(st.integers(INT64_MIN - 2, INT64_MAX + 2), st.integers()),
    b=st.one_of(st.integers(INT64_MIN - 2, INT64_MAX + 2), st.integers()),
)
def test_add(all_cores, a, b):
    got = run_everywhere(all_cores, lambda core: core.add(a, b))
    try:
        expected = reference.add(a, b)
    except OverflowError:
        expected = OverflowError
    assert got == expected


@given(args=st.lists(st.one_of(st.floats(), st.integers()), min_size=6, max_size=6))
def test_sum6(all_cores, args):
    got = run_everywhere(all_cores, lambda core: core.sum6(*args))
    try:
        expected = reference.sum6(*args)
    except OverflowError:  # an int beyond the doubles
        expected = OverflowError
    assert got == expected or (math.isnan(got) and math.isnan(expected))


@given(x=vectors())
def test_dsum(all_cores, x):
    assert run_everywhere(all_cores, lambda core: core.dsum(x)) == reference.dsum(x)


@given(x=vectors(), k=st.floats(-1e100, 1e100, allow_nan=False))
def test_scale(all_cores, x, k):
    got = run_everywhere(all_cores, lambda core: core.scale(x, k))
    np.testing.assert_array_equal(got, reference.scale(x, k), strict=True)


@given(x=vectors(), threshold=st.floats(-1e12, 1e12))
def test_find_peaks(all_cores, x, threshold):
    got = run_everywhere(all_cores, lambda core: core.find_peaks(x, threshold))
    np.testing.assert_array_equal(got, reference.find_peaks(x, threshold), strict=True)
    got = run_everywhere(all_cores, lambda core: core.find_peaks_into(x, threshold))
    np.testing.assert_array_equal(got, reference.find_peaks(x, threshold), strict=True)


@given(Ax=matrices_and_vectors())
def test_matvec(all_cores, Ax):
    A, x = Ax
    got = run_everywhere(all_cores, lambda core: core.matvec(A, x))
    expected = reference.matvec(A, x)
    assert got.shape == expected.shape
    for row, g, e in zip(np.asarray(A, dtype=np.float64), got, expected, strict=True):
        assert abs(g - e) <= reference.sum_error_bound(row * x)


@given(x=vectors(min_size=1))
def test_describe(all_cores, x):
    got = run_everywhere(all_cores, lambda core: core.describe(x))
    expected = reference.describe(x)
    values = np.asarray(x, dtype=np.float64)
    assert (got.n, got.min, got.max) == (expected.n, expected.min, expected.max)
    assert abs(got.mean - expected.mean) <= reference.sum_error_bound(values) / values.size
    assert got.std == pytest.approx(expected.std, rel=1e-9, abs=1e-12 * float(np.max(np.abs(values))))


@given(data=st.binary(max_size=200), kind=st.sampled_from([bytes, bytearray, memoryview]))
def test_fnv1a(all_cores, data, kind):
    buffer = kind(data)
    assert run_everywhere(all_cores, lambda core: core.fnv1a(buffer)) == reference.fnv1a(data)


@given(s=st.text(st.characters(exclude_categories=["Cs"]), max_size=20), n=st.integers(0, 6))
def test_repeat(all_cores, s, n):
    assert run_everywhere(all_cores, lambda core: core.repeat(s, n)) == s * n


@given(
    records=st.lists(st.tuples(st.integers(-3, 3), small_reals), max_size=40),
    kind=st.one_of(st.integers(-3, 3), st.integers(-(2**31), 2**31 - 1)),
    stride=st.integers(1, 2),
)
def test_events_total(all_cores, records, kind, stride):
    ev = events([k for k, _ in records], [v for _, v in records])[::stride]
    got = run_everywhere(all_cores, lambda core: core.events_total(ev, kind))
    matching = ev["value"][ev["kind"] == kind]
    assert abs(got - reference.events_total(ev, kind)) <= reference.sum_error_bound(matching)


@given(
    coefficients=st.lists(st.floats(-10, 10), min_size=1, max_size=4),
    a=st.floats(-10, 10),
    b=st.floats(-10, 10),
    n=st.integers(1, 50),
)
def test_integrate(all_cores, coefficients, a, b, n):
    def polynomial(x):
        return sum(c * x**i for i, c in enumerate(coefficients))

    got = run_everywhere(all_cores, lambda core: core.integrate(polynomial, a, b, n))
    scale = abs(b - a) * sum(abs(c) * 10.0**i for i, c in enumerate(coefficients))
    # The last step, h * sum, may land among the subnormals (below 2.2e-308), which are
    # spaced math.ulp(0.0) apart whatever their size: there two correct roundings of
    # nearly equal products differ by a step, far more than rel= allows (nox -s fuzz found it).
    tolerance = 1e-12 * scale + 2 * math.ulp(0.0)
    assert got == pytest.approx(reference.integrate(polynomial, a, b, n), rel=1e-12, abs=tolerance)


@given(
    params=st.fixed_dictionaries(
        {
            "hazard": st.floats(1e-4, 0.5),
            "mu0": st.floats(-5, 5),
            "kappa0": st.floats(0.01, 10),
            "alpha0": st.floats(0.1, 10),
            "beta0": st.floats(0.01, 10),
            "max_run_length": st.integers(1, 30),
        }
    ),
    xs=hnp.arrays(np.float64, st.integers(0, 60), elements=st.floats(-1e3, 1e3)),
)
def test_detector(all_cores, params, xs):
    def run(core):
        with core.Detector(**params) as d:
            return d.update_many(xs), d.posterior()

    run_lengths, posterior = run_everywhere(all_cores, run)
    ref = reference.Detector(**params)
    for x, run_length in zip(xs.tolist(), run_lengths.tolist(), strict=True):
        expected = ref.update(x)
        if run_length != expected:  # only a near-tie may differ
            assert ref.posterior()[run_length] >= ref.posterior().max() * (1 - 1e-9)
    np.testing.assert_allclose(posterior, ref.posterior(), rtol=1e-9, atol=1e-300)


# ---- integer parameters over their whole range ------------------------------------


@given(n=st.integers(max_value=-1))
def test_repeat_rejects_every_negative_count(all_cores, n):
    assert run_everywhere(all_cores, lambda core: core.repeat("ab", n)) is ValueError


@given(n=st.integers(max_value=0))
def test_integrate_rejects_every_count_below_one(all_cores, n):
    assert run_everywhere(all_cores, lambda core: core.integrate(abs, 0.0, 1.0, n)) is ValueError


@given(kind=st.one_of(st.integers(-3, 3), st.integers()))
def test_events_total_kind_must_fit_int32(all_cores, kind):
    ev = events([1, 2, 1], [0.5, 4.0, 0.25])
    got = run_everywhere(all_cores, lambda core: core.events_total(ev, kind))
    assert got == (reference.events_total(ev, kind) if -(2**31) <= kind < 2**31 else OverflowError)


@given(R=st.integers().filter(lambda r: not 1 <= r <= 10_000_000))
def test_detector_rejects_every_out_of_range_max_run_length(all_cores, R):
    got = run_everywhere(all_cores, lambda core: core.Detector(max_run_length=R))
    assert got is (ValueError if INT64_MIN <= R <= INT64_MAX else OverflowError)
