"""cffi's ABI-mode variant (``bindings.cffi.abi``) behaves exactly like the
API-mode backend for the five functions it wraps: same results, same errors.

It is not a backend (the benchmarks compare the two modes), so the shared
suite does not run it; this module compares it with the backend call by call.
"""

from __future__ import annotations

import cffi
import numpy as np
import pytest
from support import Index, Real, array_forms, readonly

ABI_NAMES = ("noop", "add", "sum6", "dsum", "scale")

# Each call is evaluated with `core` bound to either module.
VALID_CALLS = [
    "core.noop()",
    "core.add(2, 3)",
    "core.add(-(2**63), 2**63 - 1)",
    "core.add(Index(7), True)",
    "core.add(np.int64(-4), np.int32(9))",
    "core.sum6(0.1, 0.2, 0.3, 0.4, 0.5, 0.6)",
    "core.sum6(1, Real(2.5), Index(3), np.float32(0.25), True, -1e308)",
    "core.sum6(1e308, 1e308, -1e308, 0, 0, 0)",
    "core.dsum([])",
    "core.dsum(np.linspace(-1.0, 1.0, 1001))",
    "core.dsum([1e16, 1.0, -1e16])",
    "core.scale([], 2.0)",
    "core.scale(np.arange(5.0), -2.5)",
    "core.scale([1, 2, 3], Index(2))",
]

BAD_CALLS = [
    ("core.add(2**63 - 1, 1)", OverflowError),  # the result overflows
    ("core.add(-(2**63), -1)", OverflowError),
    ("core.add(2**63, 0)", OverflowError),  # an argument does not fit
    ("core.add(1.0, 2)", TypeError),
    ("core.add('1', 2)", TypeError),
    ("core.add(Real(1.0), 2)", TypeError),
    ("core.add(1)", TypeError),
    ("core.sum6('1', 0, 0, 0, 0, 0)", TypeError),
    ("core.sum6(None, 0, 0, 0, 0, 0)", TypeError),
    ("core.sum6(2**1100, 0, 0, 0, 0, 0)", OverflowError),
    ("core.sum6(1, 2, 3, 4, 5)", TypeError),
    ("core.dsum('abc')", TypeError),
    ("core.dsum([[1.0], [2.0, 3.0]])", TypeError),
    ("core.dsum(object())", TypeError),
    ("core.dsum(np.ones((2, 2)))", ValueError),
    ("core.dsum(1.0)", ValueError),
    ("core.scale('abc', 2.0)", TypeError),
    ("core.scale(np.arange(4.0), '2')", TypeError),
    ("core.scale(np.arange(4.0), 2.0, out=[0.0] * 4)", TypeError),
    ("core.scale(np.arange(4.0), 2.0, out=np.empty(4, np.float32))", TypeError),
    ("core.scale(np.arange(4.0), 2.0, out=np.empty(5))", ValueError),
    ("core.scale(np.arange(4.0), 2.0, out=np.empty(8)[::2])", ValueError),
    ("core.scale(np.arange(4.0), 2.0, out=readonly(np.empty(4)))", ValueError),
    ("core.scale(BUF[:4], 2.0, out=BUF[1:5])", ValueError),  # overlaps x without being x
]


@pytest.fixture(scope="module")
def api(all_cores):
    if "cffi" not in all_cores:
        pytest.skip("the cffi backend is not built")
    return all_cores["cffi"]


@pytest.fixture(scope="module")
def abi(api):
    from bindings.cffi import abi

    return abi


def evaluate(call, core):
    names = {"core": core, "np": np, "Index": Index, "Real": Real, "readonly": readonly, "BUF": np.zeros(8)}
    return eval(call, names)


def test_abi_module_is_dlopen_mode_with_its_own_ffi(api, abi):
    assert isinstance(abi.ffi, cffi.FFI)  # the pure-Python FFI of ABI mode, not the compiled one
    assert abi.ffi is not api.__dict__.get("ffi")
    for name in ABI_NAMES:
        assert callable(getattr(abi, name))


@pytest.mark.parametrize("call", VALID_CALLS)
def test_same_results(api, abi, call):
    expected = evaluate(call, api)
    got = evaluate(call, abi)
    if isinstance(expected, np.ndarray):
        np.testing.assert_array_equal(got, expected, strict=True)
    else:
        assert type(got) is type(expected)
        assert got == expected


@pytest.mark.parametrize(("call", "error"), BAD_CALLS)
def test_same_errors(api, abi, call, error):
    with pytest.raises(error) as expected:
        evaluate(call, api)
    with pytest.raises(error) as got:
        evaluate(call, abi)
    # The messages match too, except cffi's own for a wrong argument count,
    # which names the function in API mode and its C type in ABI mode.
    if "argument" not in str(expected.value):
        assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("form", list(array_forms([0.5, -1.25, 3.0, 1e-3])))
def test_every_array_form(api, abi, form):
    values = array_forms([0.5, -1.25, 3.0, 1e-3])[form]
    assert abi.dsum(values) == api.dsum(values)
    np.testing.assert_array_equal(abi.scale(values, 3.0), api.scale(values, 3.0), strict=True)


def test_scale_into_out_and_in_place(abi):
    x = np.arange(6.0)
    out = np.empty(6)
    assert abi.scale(x, 2.0, out=out) is out
    np.testing.assert_array_equal(out, x * 2.0)
    assert abi.scale(x, 0.5, out=x) is x
    np.testing.assert_array_equal(x, np.arange(6.0) * 0.5)


def test_dsum_reads_in_place_and_scale_writes_in_place(abi):
    # The C-contiguous float64 fast path passes the array's own memory.
    x = np.arange(4.0)
    abi.scale(x, 3.0, out=x)
    assert abi.dsum(x) == 18.0


def test_no_core_memory_is_kept(api, abi):
    before = api.live_allocations()
    for _ in range(1000):
        abi.add(1, 2)
        abi.dsum([1.0, 2.0])
        abi.scale([1.0], 2.0)
        with pytest.raises(OverflowError):
            abi.add(2**63 - 1, 1)
    assert api.live_allocations() == before
