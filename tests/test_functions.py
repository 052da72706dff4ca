"""Every function returns what the reference returns, for every input form it accepts.

Exact equality where the header fixes the arithmetic (add, sum6, dsum, scale,
find_peaks, fnv1a, repeat); a rounding-error bound where it leaves the order
of operations open (matvec, describe, events_total, integrate).
"""

from __future__ import annotations

import array
import math

import numpy as np
import pytest
import reference
from reference import INT64_MAX, INT64_MIN
from support import PAIRWISE_HALVES, PAIRWISE_LANES, Index, Real, array_forms, events, readonly

import bindings

FORMS = tuple(array_forms([0.0]))
BIG = bindings.GIL_RELEASE_MIN_SIZE * 3  # large enough for the GIL-releasing code path


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# ---- add, sum6 ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [(2, 3), (-7, 7), (0, 0), (INT64_MAX, 0), (INT64_MIN, 0), (INT64_MAX, INT64_MIN), (2**62, 2**62 - 1)],
)
def test_add(core, a, b):
    assert core.add(a, b) == reference.add(a, b)


def test_add_accepts_any_index_object(core):
    assert core.add(Index(2), np.int64(3)) == 5
    assert core.add(np.uint8(200), np.int32(-1)) == 199


def test_sum6(core):
    args = rng().normal(size=6).tolist()
    assert core.sum6(*args) == reference.sum6(*args)


def test_sum6_adds_left_to_right(core):
    # 1e16 + 1 rounds back to 1e16: the 1.0 survives only if it comes last.
    assert core.sum6(1e16, 1.0, -1e16, 0, 0, 0) == 0.0
    assert core.sum6(1e16, -1e16, 1.0, 0, 0, 0) == 1.0


def test_sum6_accepts_ints_and_float_like_objects(core):
    args = (1, Real(2.5), Index(3), np.float32(0.1), np.int64(4), True)
    assert core.sum6(*args) == reference.sum6(*args)


# ---- dsum --------------------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
def test_dsum_every_input_form(core, form):
    x = array_forms(rng().normal(size=101) * 100)[form]
    assert core.dsum(x) == reference.dsum(x)


def test_dsum_adds_in_the_pairwise_order(core):
    assert core.dsum([1e16, 1.0, -1e16]) == 0.0  # under 8 values: left to right
    assert core.dsum([1e16, -1e16, 1.0]) == 1.0
    assert core.dsum(PAIRWISE_LANES) == 1.0
    assert core.dsum(PAIRWISE_HALVES) == 0.0


@pytest.mark.parametrize("empty", [[], (), np.empty(0), np.empty(0, np.float32), np.zeros(4)[::5][:0]])
def test_dsum_of_nothing_is_zero(core, empty):
    assert core.dsum(empty) == 0.0


def test_dsum_large(core):
    x = rng().normal(size=BIG)
    assert core.dsum(x) == reference.dsum(x)


# ---- scale -------------------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
def test_scale_every_input_form(core, form):
    x = array_forms(rng().normal(size=33))[form]
    result = core.scale(x, -2.5)
    assert isinstance(result, np.ndarray)
    assert result.dtype == np.float64
    np.testing.assert_array_equal(result, reference.scale(x, -2.5), strict=True)
    if isinstance(x, np.ndarray):
        assert not np.shares_memory(result, x)


@pytest.mark.parametrize("k", [3, Real(0.5), Index(-2), np.float32(1.5)])
def test_scale_accepts_any_real_factor(core, k):
    x = np.arange(5.0)
    np.testing.assert_array_equal(core.scale(x, k), reference.scale(x, k))


def test_scale_into_out_returns_out(core):
    x = rng().normal(size=10)
    out = np.full(10, np.nan)
    result = core.scale(x, 3.0, out=out)
    assert result is out
    np.testing.assert_array_equal(out, reference.scale(x, 3.0))


def test_scale_out_none_means_a_new_array(core):
    x = np.arange(3.0)
    result = core.scale(x, 2.0, out=None)
    np.testing.assert_array_equal(result, [0.0, 2.0, 4.0])
    assert not np.shares_memory(result, x)


def test_scale_out_may_be_passed_by_position(core):
    out = np.empty(3)
    assert core.scale([1.0, 2.0, 3.0], 2.0, out) is out
    np.testing.assert_array_equal(out, [2.0, 4.0, 6.0])


def test_scale_out_may_be_another_view_of_the_same_memory(core):
    # "out=x works in place": what counts is the memory, not the array object.
    x = np.arange(6.0)
    view = x[:]
    assert core.scale(x, 2.0, out=view) is view
    np.testing.assert_array_equal(x, np.arange(6.0) * 2)


def test_scale_out_may_share_a_buffer_without_overlapping(core):
    buffer = np.arange(8.0)
    core.scale(buffer[:4], 10.0, out=buffer[4:])
    np.testing.assert_array_equal(buffer, [0, 1, 2, 3, 0, 10, 20, 30])


def test_scale_converts_x_but_not_out(core):
    out = np.empty(4)
    core.scale([1, 2, 3, 4], 0.5, out=out)
    np.testing.assert_array_equal(out, [0.5, 1.0, 1.5, 2.0])


def test_scale_empty(core):
    result = core.scale([], 2.0)
    assert result.shape == (0,)
    assert result.dtype == np.float64


def test_scale_large(core):
    x = rng().normal(size=BIG)
    np.testing.assert_array_equal(core.scale(x, 1.25), reference.scale(x, 1.25))


# ---- find_peaks and find_peaks_into -----------------------------------------
# Two ownership strategies, one result: every test runs on both.

FINDERS = ("find_peaks", "find_peaks_into")


@pytest.mark.parametrize("finder", FINDERS)
def test_find_peaks_hand_worked_example(core, finder):
    x = [0, 2, 1, 3, 3, 0, 5, 5, 5, 1, 4]
    # Plateaus count at their left end (x[i] >= x[i+1]); the ends never count.
    result = getattr(core, finder)(x, 0.0)
    assert isinstance(result, np.ndarray)
    assert result.dtype == np.int64
    assert result.tolist() == [1, 3, 6]


@pytest.mark.parametrize("finder", FINDERS)
def test_find_peaks_threshold_is_strict(core, finder):
    assert getattr(core, finder)([0, 2, 0, 3, 0], 2.0).tolist() == [3]
    assert getattr(core, finder)([0, 2, 0, 3, 0], Index(1)).tolist() == [1, 3]


@pytest.mark.parametrize("finder", FINDERS)
def test_find_peaks_nan_compares_false(core, finder):
    # A NaN is no peak, and a NaN neighbour fails x[i-1] < x[i] (index 6).
    x = [0, np.nan, 0, 3, 1, np.nan, 5, 2]
    assert getattr(core, finder)(x, -1.0).tolist() == reference.find_peaks(x, -1.0).tolist() == [3]


@pytest.mark.parametrize("finder", FINDERS)
@pytest.mark.parametrize("x", [[], [5.0], [1.0, 5.0], [5.0, 1.0, 0.0], np.arange(10.0)])
def test_find_peaks_none_to_find(core, x, finder):
    result = getattr(core, finder)(x, -np.inf)
    assert result.dtype == np.int64
    assert result.shape == (0,)


@pytest.mark.parametrize("finder", FINDERS)
@pytest.mark.parametrize("form", FORMS)
def test_find_peaks_every_input_form(core, form, finder):
    x = array_forms(rng().normal(size=200) * 3)[form]
    np.testing.assert_array_equal(getattr(core, finder)(x, 0.5), reference.find_peaks(x, 0.5), strict=True)


@pytest.mark.parametrize("finder", FINDERS)
def test_find_peaks_large(core, finder):
    x = rng().normal(size=BIG)
    np.testing.assert_array_equal(getattr(core, finder)(x, 1.0), reference.find_peaks(x, 1.0), strict=True)


@pytest.mark.parametrize("x", [[], np.arange(10.0), [0.0, 1.0, 0.0] * 50])
def test_find_peaks_into_result_is_a_fresh_writable_array_that_owns_its_memory(core, x):
    # The allocator made it: nothing else shares or holds the memory.
    result = core.find_peaks_into(x, 0.5)
    assert result.flags.c_contiguous and result.flags.writeable
    assert result.flags.owndata or (result.base is not None and not isinstance(result.base, np.ndarray))
    again = core.find_peaks_into(x, 0.5)
    assert len(result) == 0 or not np.shares_memory(result, again)


# ---- matvec ------------------------------------------------------------------


def assert_matvec(result, A, x):
    expected = reference.matvec(A, x)
    assert isinstance(result, np.ndarray)
    assert result.dtype == np.float64
    assert result.shape == expected.shape
    A, x = np.asarray(A, dtype=np.float64), np.asarray(x, dtype=np.float64)
    for row, got, want in zip(A, result, expected, strict=True):
        assert abs(got - want) <= reference.sum_error_bound(row * x)


def matrix_forms() -> dict[str, np.ndarray | list]:
    A = rng(1).normal(size=(5, 14))
    wide = np.zeros((5, 20))
    wide[:, :7] = A[:, :7]
    return {
        "C-order": np.ascontiguousarray(A[:, :7]),
        "F-order": np.asfortranarray(A[:, :7]),
        "row-strided": wide[:, :7],  # rows start 20 elements apart
        "column-strided": A[:, ::2],
        "reversed-rows": A[::-1, :7],
        "float32": A[:, :7].astype(np.float32),
        "big-endian": A[:, :7].astype(">f8"),
        "readonly": readonly(A[:, :7]),
        "int64": (A[:, :7] * 10).astype(np.int64),
        "nested-lists": A[:, :7].tolist(),
    }


@pytest.mark.parametrize("form", tuple(matrix_forms()))
def test_matvec_every_matrix_form(core, form):
    A = matrix_forms()[form]
    x = rng(2).normal(size=7)
    assert_matvec(core.matvec(A, x), A, x)


@pytest.mark.parametrize("form", FORMS)
def test_matvec_every_vector_form(core, form):
    A = rng(1).normal(size=(4, 9))
    x = array_forms(rng(2).normal(size=9) * 5)[form]
    assert_matvec(core.matvec(A, x), A, x)


@pytest.mark.parametrize(("rows", "cols"), [(0, 3), (3, 0), (0, 0), (1, 1)])
def test_matvec_degenerate_shapes(core, rows, cols):
    A = np.ones((rows, cols))
    result = core.matvec(A, np.ones(cols))
    np.testing.assert_array_equal(result, np.full(rows, float(cols)), strict=True)


def test_matvec_large(core):
    A = rng(1).normal(size=(BIG // 64, 64))
    x = rng(2).normal(size=64)
    assert_matvec(core.matvec(A, x), A, x)


# ---- fnv1a -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [(b"", 0xCBF29CE484222325), (b"a", 0xAF63DC4C8601EC8C), (b"foobar", 0x85944171F73967E8)],
)
def test_fnv1a_known_vectors(core, data, expected):
    assert core.fnv1a(data) == expected


BUFFERS = {
    "bytes": b"hello\x00world",
    "all-byte-values": bytes(range(256)),
    "bytearray": bytearray(b"hello\x00world"),
    "memoryview": memoryview(b"hello\x00world"),
    "memoryview-slice": memoryview(b"hello\x00world")[3:9],
    "readonly-numpy": np.frombuffer(b"\xff" * 16, dtype=np.uint8),
    "int32-array": np.arange(-5, 5, dtype=np.int32),
    "2-D-array": np.arange(12.0).reshape(3, 4),
    "array.array": array.array("d", [1.5, -2.0]),
    "large": bytes(range(256)) * (BIG // 256),
}


@pytest.mark.parametrize("name", tuple(BUFFERS))
def test_fnv1a_hashes_the_bytes_of_any_buffer(core, name):
    data = BUFFERS[name]
    h = core.fnv1a(data)
    assert h == reference.fnv1a(data)
    assert 0 <= h < 2**64


# ---- repeat ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("s", "n"),
    [
        ("ab", 3),
        ("", 5),
        ("ab", 0),
        ("a\x00b", 3),  # embedded NUL: C works with the length, not strlen
        ("\x00", 4),
        ("héllo wörld", 2),  # 2-byte UTF-8
        ("日本語", 3),  # 3-byte
        ("🐍!", 4),  # 4-byte
        ("x", Index(7)),
        ("xyz" * 1000, 7),
    ],
)
def test_repeat(core, s, n):
    assert core.repeat(s, n) == reference.repeat(s, n)


# ---- describe ----------------------------------------------------------------


def assert_stats(stats, x):
    expected = reference.describe(x)
    values = np.asarray(x, dtype=np.float64)
    assert stats.n == expected.n
    assert stats.min == expected.min
    assert stats.max == expected.max
    assert abs(stats.mean - expected.mean) <= reference.sum_error_bound(values) / values.size
    scale = float(np.max(np.abs(values)))
    assert stats.std == pytest.approx(expected.std, rel=1e-9, abs=1e-12 * scale)


@pytest.mark.parametrize("form", FORMS)
def test_describe_every_input_form(core, form):
    x = array_forms(rng().normal(3.0, 10.0, size=51))[form]
    assert_stats(core.describe(x), x)


def test_describe_hand_worked_example(core):
    stats = core.describe([2, 4, 4, 4, 5, 5, 7, 9])
    assert (stats.n, stats.mean, stats.std, stats.min, stats.max) == (8, 5.0, 2.0, 2.0, 9.0)


def test_describe_one_value(core):
    stats = core.describe([-3.5])
    assert (stats.n, stats.mean, stats.std, stats.min, stats.max) == (1, -3.5, 0.0, -3.5, -3.5)


def test_describe_is_accurate_far_from_zero(core):
    # mean(x^2) - mean(x)^2 would lose every digit here; the std is sqrt(8.25).
    x = 1e8 + np.arange(10.0)
    assert_stats(core.describe(x), x)


@pytest.mark.parametrize("where", [0, 2, 4])
def test_describe_nan_anywhere_poisons_every_statistic(core, where):
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    x[where] = np.nan
    stats = core.describe(x)
    assert stats.n == 5
    assert all(math.isnan(getattr(stats, f)) for f in ("mean", "std", "min", "max"))


def test_describe_large(core):
    x = rng().normal(size=BIG)
    assert_stats(core.describe(x), x)


# ---- events_total ------------------------------------------------------------


def random_events(size: int, seed: int = 0) -> np.ndarray:
    g = rng(seed)
    return events(g.integers(-2, 4, size=size), g.normal(size=size) * 10)


@pytest.mark.parametrize("kind", [-2, -1, 0, 1, 2, 3, 7])
def test_events_total(core, kind):
    ev = random_events(200)
    got = core.events_total(ev, kind)
    assert isinstance(got, float)
    matching = ev["value"][ev["kind"] == kind]
    assert abs(got - reference.events_total(ev, kind)) <= reference.sum_error_bound(matching)


def test_events_total_hand_worked_example(core):
    ev = events([1, 2, 1, -(2**31), 2**31 - 1], [0.5, 100.0, 0.25, 7.0, 9.0])
    assert core.events_total(ev, 1) == 0.75
    assert core.events_total(ev, Index(2)) == 100.0
    assert core.events_total(ev, np.int32(-(2**31))) == 7.0
    assert core.events_total(ev, 2**31 - 1) == 9.0
    assert core.events_total(ev, 3) == 0.0


def test_events_total_copies_a_strided_record_array(core):
    ev = random_events(101)
    every_other = ev[::2]
    assert not every_other.flags.c_contiguous
    got = core.events_total(every_other, 1)
    matching = every_other["value"][every_other["kind"] == 1]
    assert abs(got - reference.events_total(every_other, 1)) <= reference.sum_error_bound(matching)


def test_events_total_reads_a_read_only_record_array(core):
    ev = readonly(events([1, 2, 1], [0.5, 100.0, 0.25]))
    assert core.events_total(ev, 1) == 0.75


def test_events_total_of_no_events(core):
    assert core.events_total(np.zeros(0, dtype=bindings.EVENT_DTYPE), 0) == 0.0


def test_events_total_large(core):
    ev = random_events(BIG)
    bound = reference.sum_error_bound(ev["value"][ev["kind"] == 0])
    assert abs(core.events_total(ev, 0) - reference.events_total(ev, 0)) <= bound


# ---- integrate ---------------------------------------------------------------

FUNCTIONS = {
    "square": lambda x: x * x,
    "sin": math.sin,
    "constant-int": lambda x: 3,
    "numpy-float": lambda x: np.float64(x) ** 3,
    "float-like": lambda x: Real(2 * x),
}


@pytest.mark.parametrize("f_name", tuple(FUNCTIONS))
@pytest.mark.parametrize(("a", "b", "n"), [(0.0, 1.0, 10), (0, math.pi, 100), (-1.0, 2.0, 1), (2.0, -1.0, 7)])
def test_integrate(core, f_name, a, b, n):
    f = FUNCTIONS[f_name]
    got = core.integrate(f, a, b, n)
    points = reference.integration_points(float(a), float(b), n)
    scale = abs(b - a) * max(abs(float(f(x))) for x in points)
    assert got == pytest.approx(reference.integrate(f, a, b, n), rel=1e-12, abs=1e-13 * scale)


def test_integrate_calls_f_n_plus_one_times_from_a_to_b(core):
    calls = []

    def f(x):
        calls.append(x)
        return x

    core.integrate(f, Index(-1), Real(3.0), Index(8))
    assert all(type(x) is float for x in calls)
    assert calls == pytest.approx(reference.integration_points(-1.0, 3.0, 8), rel=1e-15, abs=1e-15)
    assert calls[0] == -1.0


def test_integrate_from_a_to_a_is_zero(core):
    assert core.integrate(math.exp, 2.0, 2.0, 5) == 0.0


def test_integrate_is_reentrant(core):
    # The callback itself integrates: state must live in the call, not globally.
    def inner(x):
        return core.integrate(lambda y: x * y, 0.0, 1.0, 4)

    assert core.integrate(inner, 0.0, 1.0, 4) == pytest.approx(0.25, rel=1e-14)
