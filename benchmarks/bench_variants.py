"""Variants users ask about, beside the shared-interface call measured in bench_overhead.py.

ctypes: the raw foreign function with its declared prototype (``argtypes``), the same
symbol through a second handle without ``argtypes`` (arguments pre-wrapped in ctypes
objects, as such code must do), and ``numpy.ctypeslib.ndpointer`` for dsum.
cffi: the raw API-mode ``lib`` call, and ABI mode (``ffi.dlopen``) both through the
wrappers of ``bindings.cffi.abi`` and raw. A raw call gets its pointers ready-made, so
interface minus raw is the cost of the wrapper's checks and conversions.
"""

from __future__ import annotations

import ctypes

import pytest
from helpers import Call, floats, label, run

import bindings

CTYPES_VARIANTS = {
    "noop": ("raw", "raw-no-argtypes"),
    "add": ("raw", "raw-no-argtypes"),
    "sum6": ("raw", "raw-no-argtypes"),
    "dsum": ("raw", "raw-no-argtypes", "raw-ndpointer"),
}
CFFI_VARIANTS = {
    "noop": ("api-raw", "abi", "abi-raw"),
    "add": ("api-raw", "abi", "abi-raw"),
    "sum6": ("api-raw", "abi", "abi-raw"),
    "dsum": ("api-raw", "abi", "abi-raw"),
    "scale": ("api-raw", "abi", "abi-raw"),
}
SIX = (1.0, 2.0, 3.0, 4.0, 5.0, 6.0)


def _ctypes_call(pattern: str, variant: str) -> Call:
    library = pytest.importorskip("bindings.ctypes._library")
    x8 = floats(8)
    address = x8.ctypes.data
    result = ctypes.c_int64()
    if variant == "raw":
        declared = {
            "noop": Call(library.bc_noop),
            "add": Call(library.bc_add, (2, 3, ctypes.byref(result))),
            "sum6": Call(library.bc_sum6, SIX),
            "dsum": Call(library.bc_dsum, (address, 8)),
        }
        return declared[pattern]
    if variant == "raw-ndpointer":
        return Call(library.bc_dsum_ndpointer, (x8, 8))
    # A second handle on the same library: its functions have no argtypes, and only the
    # result types that are not int are declared (a double result needs restype).
    bare = ctypes.CDLL(library.lib._name)
    bare.bc_sum6.restype = ctypes.c_double
    bare.bc_dsum.restype = ctypes.c_double
    undeclared = {
        "noop": Call(bare.bc_noop),
        "add": Call(bare.bc_add, (ctypes.c_int64(2), ctypes.c_int64(3), ctypes.byref(result))),
        "sum6": Call(bare.bc_sum6, tuple(ctypes.c_double(v) for v in SIX)),
        "dsum": Call(bare.bc_dsum, (ctypes.c_void_p(address), ctypes.c_size_t(8))),
    }
    return undeclared[pattern]


def _cffi_call(pattern: str, variant: str) -> Call:
    if variant == "abi":
        abi = pytest.importorskip("bindings.cffi.abi")
        x8 = floats(8)
        wrapped = {
            "noop": Call(abi.noop),
            "add": Call(abi.add, (2, 3)),
            "sum6": Call(abi.sum6, SIX),
            "dsum": Call(abi.dsum, (x8,)),
            "scale": Call(abi.scale, (x8, 2.0)),
        }
        return wrapped[pattern]
    if variant == "abi-raw":
        module = pytest.importorskip("bindings.cffi.abi")
    else:
        module = pytest.importorskip("bindings.cffi._cffi_bcore")
    ffi, lib = module.ffi, module.lib
    x8, out8 = floats(8), floats(8)
    doubles_in = ffi.from_buffer("double[]", x8)
    doubles_out = ffi.from_buffer("double[]", out8, require_writable=True)
    raw = {
        "noop": Call(lib.bc_noop),
        "add": Call(lib.bc_add, (2, 3, ffi.new("int64_t *"))),
        "sum6": Call(lib.bc_sum6, SIX),
        "dsum": Call(lib.bc_dsum, (doubles_in, 8)),
        "scale": Call(lib.bc_scale, (doubles_in, 8, 2.0, doubles_out)),
    }
    return raw[pattern]


def _cases(variants: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    return [(pattern, variant) for pattern, names in variants.items() for variant in names]


def _require(backend: str) -> None:
    if backend not in bindings.available():
        pytest.skip(f"backend {backend} is not built here")


@pytest.mark.parametrize(("pattern", "variant"), _cases(CTYPES_VARIANTS))
def bench_ctypes_variant(benchmark, pattern, variant, settings):
    _require("ctypes")
    label(benchmark, kind="variant", pattern=pattern, backend="ctypes", variant=variant)
    run(benchmark, _ctypes_call(pattern, variant), settings)


@pytest.mark.parametrize(("pattern", "variant"), _cases(CFFI_VARIANTS))
def bench_cffi_variant(benchmark, pattern, variant, settings):
    _require("cffi")
    label(benchmark, kind="variant", pattern=pattern, backend="cffi", variant=variant)
    run(benchmark, _cffi_call(pattern, variant), settings)
