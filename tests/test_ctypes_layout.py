"""The ctypes backend's hand-written ABI against the core's own answers.

ctypes trusts its declarations blindly: a Structure mirror with a field too
many, or a prototype with the wrong type, reads or writes the wrong bytes
without any error. So each mirror's size and field offsets are checked
against ``bc_struct_size`` / ``bc_field_offset`` (sizeof and offsetof, as the
C compiler computed them), as is ``bindings.EVENT_DTYPE``, and every function
of ``bcore.h`` must have a declared prototype.
"""

from __future__ import annotations

import ctypes
import importlib
import re
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import bindings

# The `core` fixture (conftest.py), narrowed to this backend: it skips, or
# fails under BINDINGS_REQUIRED, when the backend is not built.
pytestmark = pytest.mark.parametrize("core", ["ctypes"], indirect=True)

HEADER = Path(__file__).resolve().parents[1] / "c_core" / "include" / "bcore.h"

# The fields of each public struct, in the header's order.
FIELDS = {
    "bc_stats": ("n", "mean", "std", "min", "max"),
    "bc_event": ("kind", "value"),
    "bc_normal_gamma": ("mu0", "kappa0", "alpha0", "beta0"),
    "bc_hazard": ("rate", "max_run_length"),
}


@pytest.fixture
def library(core: ModuleType) -> ModuleType:
    return importlib.import_module("bindings.ctypes._library")


@pytest.fixture
def structs(core: ModuleType) -> ModuleType:
    return importlib.import_module("bindings.ctypes._library")


@pytest.mark.parametrize("name", FIELDS)
def test_mirror_has_the_headers_fields(structs, name):
    assert tuple(field for field, _ in structs.STRUCTS[name]._fields_) == FIELDS[name]


@pytest.mark.parametrize("name", FIELDS)
def test_mirror_size_matches_the_core(library, structs, name):
    assert ctypes.sizeof(structs.STRUCTS[name]) == library.bc_struct_size(name.encode())


@pytest.mark.parametrize(("name", "field"), [(name, field) for name in FIELDS for field in FIELDS[name]])
def test_mirror_field_offset_matches_the_core(library, structs, name, field):
    mirror = structs.STRUCTS[name]
    assert getattr(mirror, field).offset == library.bc_field_offset(name.encode(), field.encode())


def test_event_dtype_matches_the_core(library, structs):
    assert bindings.EVENT_DTYPE.itemsize == library.bc_struct_size(b"bc_event")
    assert bindings.EVENT_DTYPE.names == FIELDS["bc_event"]
    for field in FIELDS["bc_event"]:
        offset = bindings.EVENT_DTYPE.fields[field][1]
        assert offset == library.bc_field_offset(b"bc_event", field.encode()), field
    # NumPy reads the ctypes mirror's layout too: both describe one record.
    assert np.dtype(structs.bc_event) == bindings.EVENT_DTYPE


def test_layout_queries_return_size_t(library):
    # Unknown names answer 0 and (size_t)-1: a restype narrower than size_t
    # would turn the latter into -1 or a truncated number.
    size_max = 2 ** (8 * ctypes.sizeof(ctypes.c_size_t)) - 1
    assert library.bc_struct_size(b"no_such_struct") == 0
    assert library.bc_field_offset(b"bc_stats", b"no_such_field") == size_max


@pytest.mark.skipif(not HEADER.is_file(), reason="bcore.h is not beside the tests (installed package only)")
def test_every_header_function_is_declared(library):
    declared = re.findall(r"^BC_API\s[^;(]*?\b(bc_\w+)\s*\(", HEADER.read_text(), flags=re.MULTILINE)
    assert len(declared) > 20, "the header parse found too few functions"
    for name in declared:
        function = getattr(library, name, None)
        assert function is not None, f"{name} has no prototype in _library"
        assert function.argtypes is not None, f"{name} has no argtypes"


@pytest.mark.skipif(not HEADER.is_file(), reason="bcore.h is not beside the tests (installed package only)")
def test_every_prototype_takes_the_headers_parameters(library):
    # A prototype with a parameter too few still calls: C reads the missing
    # one from whatever a register holds (a stale bc_detector_update_many
    # would hand the core a random check pointer). So the counts must match.
    # The header's parameter lists hold no parentheses (function pointers are typedefs).
    prototypes = re.findall(
        r"^BC_API\s[^;(]*?\b(bc_\w+)\s*\(([^)]*)\)", HEADER.read_text(), flags=re.MULTILINE
    )
    assert len(prototypes) > 20, "the header parse found too few functions"
    for name, parameters in prototypes:
        expected = 0 if parameters.strip() == "void" else parameters.count(",") + 1
        assert len(getattr(library, name).argtypes) == expected, name
