"""Variants users ask about, beside the shared-interface call measured in bench_overhead.py.

ctypes: the raw foreign function with its declared prototype (``argtypes``), the same
symbol through a second handle without ``argtypes`` (arguments pre-wrapped in ctypes
objects, as such code must do), and ``numpy.ctypeslib.ndpointer`` for dsum.
cffi: the raw call through the API-mode ``lib``, and through the ABI-mode one of
``bindings.cffi.abi`` (``ffi.dlopen``). A raw call gets its pointers ready-made, so
interface minus raw is the cost of the wrapper's checks and conversions.

Each variant is a statement over ready-made locals, timed like every pattern
(``helpers.measure``): ``f`` is the foreign function, the other names its arguments.
"""

from __future__ import annotations

import ctypes

import pytest
from helpers import floats, label, measure

import bindings

CTYPES_VARIANTS = {
    "noop": ("raw", "raw-no-argtypes"),
    "add": ("raw", "raw-no-argtypes"),
    "sum6": ("raw", "raw-no-argtypes"),
    "dsum": ("raw", "raw-no-argtypes", "raw-ndpointer"),
}
CFFI_VARIANTS = {
    "noop": ("api-raw", "abi-raw"),
    "add": ("api-raw", "abi-raw"),
    "sum6": ("api-raw", "abi-raw"),
    "dsum": ("api-raw", "abi-raw"),
    "scale": ("api-raw", "abi-raw"),
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
    if variant == "raw":
        declared = {
            "noop": {"f": library.bc_noop},
            "add": {"f": library.bc_add, "a": 2, "b": 3, "out": ctypes.byref(result)},
            "sum6": {"f": library.bc_sum6, **_six(SIX)},
            "dsum": {"f": library.bc_dsum, "x": address, "n": 8},
        }
        return declared[pattern], STATEMENTS[pattern]
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


def _cffi_call(pattern: str, variant: str) -> Variant:
    x8 = floats(8)
    if variant == "abi-raw":
        module = pytest.importorskip("bindings.cffi.abi")
    else:
        module = pytest.importorskip("bindings.cffi._cffi_bcore")
    ffi, lib = module.ffi, module.lib
    out8 = floats(8)
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


@pytest.mark.parametrize(("pattern", "variant"), _cases(CTYPES_VARIANTS))
def bench_ctypes_variant(benchmark, pattern, variant, settings):
    _require("ctypes")
    label(benchmark, kind="variant", pattern=pattern, backend="ctypes", variant=variant)
    measure(benchmark, *_ctypes_call(pattern, variant), settings)


@pytest.mark.parametrize(("pattern", "variant"), _cases(CFFI_VARIANTS))
def bench_cffi_variant(benchmark, pattern, variant, settings):
    _require("cffi")
    label(benchmark, kind="variant", pattern=pattern, backend="cffi", variant=variant)
    measure(benchmark, *_cffi_call(pattern, variant), settings)
