"""cffi's ABI-mode example (``bindings.cffi.abi``) calls C correctly.

Each raw call through its ``ffi.dlopen`` library gives what the same raw call
through the API-mode backend's compiled module (``bindings.cffi._cffi_bcore``)
gives: the same results, the same status codes (the core reports its errors
as status codes, and the out-parameters stay untouched), and the same
exceptions where cffi's own argument conversion refuses a value.

The example is not a backend (the benchmarks time its raw calls beside API
mode's), so the shared suite does not run it; this module compares the two
modes call by call.
"""

from __future__ import annotations

import cffi
import numpy as np
import pytest
from support import Index, Real

ABI_FUNCTIONS = ("bc_add", "bc_dsum", "bc_noop", "bc_scale", "bc_sum6")
#: Written into every out-parameter first: a failed call must leave it as it is.
SENTINEL = -7


def add(mode, a, b):
    out = mode.ffi.new("int64_t *", SENTINEL)
    return mode.lib.bc_add(a, b, out), out[0]


def dsum(mode, values, n=None):
    x = np.array(values, dtype=np.float64)
    return mode.lib.bc_dsum(mode.ffi.from_buffer("double[]", x), x.size if n is None else n)


def scale(mode, values, k):
    x = np.array(values, dtype=np.float64)
    out = np.full(x.size, float(SENTINEL))
    dest = mode.ffi.from_buffer("double[]", out, require_writable=True)
    return mode.lib.bc_scale(mode.ffi.from_buffer("double[]", x), x.size, k, dest), out


def scale_within(mode, shift):
    """bc_scale of buf[0:4] into buf[shift:shift + 4]: in place for 0, overlapping otherwise."""
    buf = np.arange(8.0)
    start = mode.ffi.from_buffer("double[]", buf, require_writable=True)
    return mode.lib.bc_scale(start, 4, 2.0, start + shift), buf


# Each call is evaluated with `mode` bound to either module (its ffi and its lib).
VALID_CALLS = [
    "mode.lib.bc_noop()",
    "add(mode, 2, 3)",
    "add(mode, -(2**63), 2**63 - 1)",
    "add(mode, np.int64(-4), np.int32(9))",
    "add(mode, True, 7)",
    "add(mode, 2**63 - 1, 1)",  # BC_EOVERFLOW: the sum does not fit
    "add(mode, -(2**63), -1)",
    "mode.lib.bc_sum6(0.1, 0.2, 0.3, 0.4, 0.5, 0.6)",
    "mode.lib.bc_sum6(1, Real(2.5), Index(3), np.float32(0.25), True, -1e308)",
    "mode.lib.bc_sum6(1e308, 1e308, -1e308, 0, 0, 0)",
    "dsum(mode, [])",
    "dsum(mode, np.linspace(-1.0, 1.0, 1001))",
    "dsum(mode, [1e16, 1.0, -1e16])",
    "dsum(mode, [0.5, -1.25, 3.0, 1e-3])",
    "dsum(mode, [1.0, 2.0, 4.0], 2)",  # n counts elements
    "mode.lib.bc_dsum([1.0, 2.0, 4.0], 3)",  # cffi makes a temporary double[] from a list
    "scale(mode, [], 2.0)",
    "scale(mode, np.arange(5.0), -2.5)",
    "scale(mode, [1, 2, 3], Index(2))",
    "scale_within(mode, 0)",  # in place
    "scale_within(mode, 1)",  # BC_EINVAL: overlapping without being the same memory
]

BAD_CALLS = [
    ("add(mode, 2**63, 0)", OverflowError),  # an argument does not fit int64_t
    ("add(mode, 0, -(2**63) - 1)", OverflowError),
    ("add(mode, 1.0, 2)", TypeError),
    ("add(mode, '1', 2)", TypeError),
    ("add(mode, Real(1.0), 2)", TypeError),
    ("add(mode, Index(7), 1)", TypeError),  # cffi converts with __int__, not __index__
    ("mode.lib.bc_add(1, 2)", TypeError),
    ("mode.lib.bc_sum6('1', 0, 0, 0, 0, 0)", TypeError),
    ("mode.lib.bc_sum6(None, 0, 0, 0, 0, 0)", TypeError),
    ("mode.lib.bc_sum6(2**1100, 0, 0, 0, 0, 0)", OverflowError),
    ("mode.lib.bc_sum6(1, 2, 3, 4, 5)", TypeError),
    ("dsum(mode, [1.0], -1)", OverflowError),  # a negative size_t
    ("mode.lib.bc_dsum('abc', 3)", TypeError),
    ("mode.lib.bc_dsum(object(), 0)", TypeError),
    ("scale(mode, np.arange(4.0), '2')", TypeError),
]


@pytest.fixture(scope="module")
def api(all_cores):
    if "cffi" not in all_cores:
        pytest.skip("the cffi backend is not built")
    from bindings.cffi import _cffi_bcore

    return _cffi_bcore


@pytest.fixture(scope="module")
def abi(api):
    from bindings.cffi import abi

    return abi


def evaluate(call, mode):
    names = {
        "mode": mode,
        "np": np,
        "Index": Index,
        "Real": Real,
        "add": add,
        "dsum": dsum,
        "scale": scale,
        "scale_within": scale_within,
    }
    return eval(call, names)


def test_abi_module_is_dlopen_mode_with_its_own_ffi(api, abi):
    assert isinstance(abi.ffi, cffi.FFI)  # the pure-Python FFI of ABI mode, not the compiled one
    assert abi.ffi is not api.ffi
    assert sorted(dir(abi.lib)) == sorted(ABI_FUNCTIONS)  # only what its cdef declares
    for name in ABI_FUNCTIONS:  # declared as the compiled module declares them
        assert abi.ffi.typeof(getattr(abi.lib, name)).cname == api.ffi.typeof(getattr(api.lib, name)).cname


@pytest.mark.parametrize("call", VALID_CALLS)
def test_same_results(api, abi, call):
    expected = evaluate(call, api)
    got = evaluate(call, abi)
    if not isinstance(expected, tuple):
        expected, got = (expected,), (got,)
    assert len(got) == len(expected)
    for got_item, expected_item in zip(got, expected, strict=True):
        if isinstance(expected_item, np.ndarray):
            np.testing.assert_array_equal(got_item, expected_item, strict=True)
        else:
            assert type(got_item) is type(expected_item)
            assert got_item == expected_item


def test_errors_come_back_as_status_codes(api, abi):
    for mode in (api, abi):
        assert add(mode, 2, 3) == (api.lib.BC_OK, 5)
        assert add(mode, 2**63 - 1, 1) == (api.lib.BC_EOVERFLOW, SENTINEL)  # out untouched
        status, buf = scale_within(mode, 0)
        assert status == api.lib.BC_OK and buf.tolist() == [0.0, 2.0, 4.0, 6.0, 4.0, 5.0, 6.0, 7.0]
        status, buf = scale_within(mode, 1)
        assert status == api.lib.BC_EINVAL and buf.tolist() == list(np.arange(8.0))  # untouched


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


def test_reads_and_writes_the_callers_memory_in_place(abi):
    # from_buffer points C at the array's own memory: what C writes, the array holds.
    x = np.arange(4.0)
    pointer = abi.ffi.from_buffer("double[]", x, require_writable=True)
    assert abi.lib.bc_scale(pointer, x.size, 3.0, pointer) == 0
    assert x.tolist() == [0.0, 3.0, 6.0, 9.0]
    assert abi.lib.bc_dsum(pointer, x.size) == 18.0


def test_no_core_memory_is_kept(api, abi):
    before = api.lib.bc_live_allocations()
    for _ in range(1000):
        add(abi, 1, 2)
        dsum(abi, [1.0, 2.0])
        scale(abi, [1.0], 2.0)
        add(abi, 2**63 - 1, 1)
    assert api.lib.bc_live_allocations() == before
