"""Variants users ask about, beside the shared-interface call measured in bench_overhead.py.

The raw call of every pattern, for ctypes and cffi (``patterns.RAW_CALLS``): the
declared foreign function, or API mode's ``lib.bc_*``, with its arguments ready, so
interface minus raw is the cost of the wrapper's checks and conversions (the report's
wrapper-tax table). Besides, for the first patterns: ctypes' same symbol through a
second handle without ``argtypes`` (arguments pre-wrapped in ctypes objects, as such
code must do) and ``numpy.ctypeslib.ndpointer`` for dsum; cffi's raw call through the
ABI-mode ``lib`` of ``bindings.cffi.abi`` (``ffi.dlopen``); nanobind's dsum reading its
array through the buffer protocol (``_nanobind._dsum_buffer``) instead of ``nb::ndarray``.

Each variant is a statement over ready-made locals, timed like every pattern
(``helpers.measure``): ``f`` is the foreign function, the other names its arguments.
"""

from __future__ import annotations

import ctypes

import pytest
from helpers import floats, label, measure, measure_pattern
from patterns import RAW_CALLS

import bindings

CTYPES_VARIANTS = {
    "noop": ("raw-no-argtypes",),
    "add": ("raw-no-argtypes",),
    "sum6": ("raw-no-argtypes",),
    "dsum": ("raw-no-argtypes", "raw-ndpointer"),
}
CFFI_VARIANTS = {
    "noop": ("abi-raw",),
    "add": ("abi-raw",),
    "sum6": ("abi-raw",),
    "dsum": ("abi-raw",),
    "scale": ("abi-raw",),
}
SIX = (1.0, 2.0, 3.0, 4.0, 5.0, 6.0)
#: Each pattern's call over the locals the variants below prepare.
STATEMENTS = {
    "noop": "f()",
    "add": "f(a, b, out)",
    "sum6": "f(a, b, c, d, e, g)",
    "dsum": "f(x, n)",
    "scale": "f(x, n, k, out)",
}
Variant = tuple[dict, str]


def _six(values) -> dict:
    return dict(zip("abcdeg", values, strict=True))


def _ctypes_call(pattern: str, variant: str) -> Variant:
    library = pytest.importorskip("bindings.ctypes._library")
    x8 = floats(8)
    address = x8.ctypes.data
    result = ctypes.c_int64()
    if variant == "raw-ndpointer":
        return {"f": library.bc_dsum_ndpointer, "x": x8, "n": 8}, STATEMENTS["dsum"]
    # A second handle on the same library: its functions have no argtypes, and only the
    # result types that are not int are declared (a double result needs restype).
    bare = ctypes.CDLL(library.lib._name)
    bare.bc_sum6.restype = ctypes.c_double
    bare.bc_dsum.restype = ctypes.c_double
    undeclared = {
        "noop": {"f": bare.bc_noop},
        "add": {
            "f": bare.bc_add,
            "a": ctypes.c_int64(2),
            "b": ctypes.c_int64(3),
            "out": ctypes.byref(result),
        },
        "sum6": {"f": bare.bc_sum6, **_six(ctypes.c_double(v) for v in SIX)},
        "dsum": {"f": bare.bc_dsum, "x": ctypes.c_void_p(address), "n": ctypes.c_size_t(8)},
    }
    return undeclared[pattern], STATEMENTS[pattern]


def _cffi_abi_call(pattern: str) -> Variant:
    abi = pytest.importorskip("bindings.cffi.abi")
    ffi, lib = abi.ffi, abi.lib
    x8, out8 = floats(8), floats(8)
    doubles_in = ffi.from_buffer("double[]", x8)
    doubles_out = ffi.from_buffer("double[]", out8, require_writable=True)
    raw = {
        "noop": {"f": lib.bc_noop},
        "add": {"f": lib.bc_add, "a": 2, "b": 3, "out": ffi.new("int64_t *")},
        "sum6": {"f": lib.bc_sum6, **_six(SIX)},
        "dsum": {"f": lib.bc_dsum, "x": doubles_in, "n": 8},
        "scale": {"f": lib.bc_scale, "x": doubles_in, "n": 8, "k": 2.0, "out": doubles_out},
    }
    return raw[pattern], STATEMENTS[pattern]


def _cases(variants: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    return [(pattern, variant) for pattern, names in variants.items() for variant in names]


def _require(backend: str) -> None:
    if backend not in bindings.available():
        pytest.skip(f"backend {backend} is not built here")


# "technology", not "backend": conftest.py parametrizes every benchmark that takes a backend.
@pytest.mark.parametrize(
    ("technology", "pattern"), [(name, pattern) for name, calls in RAW_CALLS.items() for pattern in calls]
)
def bench_raw_call(benchmark, technology, pattern, settings):
    _require(technology)
    label(benchmark, kind="variant", pattern=pattern, backend=technology, variant="raw")
    measure_pattern(benchmark, RAW_CALLS[technology][pattern], bindings.load(technology), settings)


@pytest.mark.parametrize(("pattern", "variant"), _cases(CTYPES_VARIANTS))
def bench_ctypes_variant(benchmark, pattern, variant, settings):
    _require("ctypes")
    label(benchmark, kind="variant", pattern=pattern, backend="ctypes", variant=variant)
    measure(benchmark, *_ctypes_call(pattern, variant), settings)


@pytest.mark.parametrize(("pattern", "variant"), _cases(CFFI_VARIANTS))
def bench_cffi_variant(benchmark, pattern, variant, settings):
    _require("cffi")
    label(benchmark, kind="variant", pattern=pattern, backend="cffi", variant=variant)
    measure(benchmark, *_cffi_abi_call(pattern), settings)


def bench_nanobind_buffer(benchmark, settings):
    """nanobind's dsum through the buffer protocol: what nb::ndarray's DLPack import costs."""
    _require("nanobind")
    module = pytest.importorskip("bindings.nanobind._nanobind")
    label(benchmark, kind="variant", pattern="dsum", backend="nanobind", variant="buffer")
    measure(benchmark, {"f": module._dsum_buffer, "x": floats(8)}, "f(x)", settings)
