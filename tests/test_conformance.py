"""Every backend provides the whole interface of ``bindings._interface``, and
``bindings`` itself lists and loads the backends as documented."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import bindings
from bindings import _interface


def test_backends_are_listed_in_documentation_order():
    assert bindings.BACKENDS == ("capi", "ctypes", "cffi", "cython", "pybind11", "nanobind", "pyo3")


def test_available_is_a_tuple_in_backends_order():
    found = bindings.available()
    assert isinstance(found, tuple)
    assert list(found) == [name for name in bindings.BACKENDS if name in found]


def test_available_lists_exactly_the_backends_that_load():
    loadable = []
    for name in bindings.BACKENDS:
        try:
            bindings.load(name)
        except ImportError:
            continue
        loadable.append(name)
    assert bindings.available() == tuple(loadable)


def test_load_rejects_an_unknown_name_and_lists_the_real_ones():
    with pytest.raises(ValueError, match="nope") as info:
        bindings.load("nope")
    for name in bindings.BACKENDS:
        assert name in str(info.value)


@pytest.mark.parametrize(("name", "hint"), [("capi", "pip install"), ("pyo3", "cargo")])
def test_load_says_how_to_build_a_backend_that_does_not_import(monkeypatch, name, hint):
    monkeypatch.setitem(sys.modules, f"bindings.{name}", None)  # makes its import fail
    with pytest.raises(ImportError, match=hint) as info:
        bindings.load(name)
    assert info.value.name == name
    assert name not in bindings.available()


def test_load_returns_the_backend_module(core, request):
    name = request.node.callspec.params["core"]
    backend = name.removesuffix(bindings.ABI3_SUFFIX)
    package = backend if backend == name else f"{backend}_abi3"
    assert core.__name__ == f"bindings.{package}"
    assert bindings.load(name) is core
    assert backend in bindings.available()


def test_builds_are_the_backends_then_their_stable_abi_builds():
    assert set(bindings.ABI3_BACKENDS) <= set(bindings.BACKENDS)
    assert bindings.BUILDS == bindings.BACKENDS + tuple(f"{name}-abi3" for name in bindings.ABI3_BACKENDS)


@pytest.mark.parametrize(
    ("version", "free_threaded", "abi3"),
    [
        ((3, 10), False, ["cffi"]),
        ((3, 11), False, ["capi", "cffi", "cython", "pyo3"]),
        ((3, 12), False, ["capi", "cffi", "cython", "nanobind", "pyo3"]),
        ((3, 14), True, []),  # no stable ABI for free-threading before abi3t (3.15, PEP 803)
    ],
)
def test_builds_for_an_interpreter(version, free_threaded, abi3):
    expected = bindings.BACKENDS + tuple(f"{name}-abi3" for name in abi3)
    assert bindings.builds_for(version, free_threaded) == expected


def test_load_says_when_this_interpreter_cannot_load_a_stable_abi_build(monkeypatch):
    monkeypatch.setitem(sys.modules, "bindings.nanobind_abi3", None)  # makes its import fail
    monkeypatch.setattr(bindings, "builds_for", lambda: bindings.BACKENDS)
    with pytest.raises(ImportError, match=r"CPython 3\.12\+ with the GIL") as info:
        bindings.load("nanobind-abi3")
    assert info.value.name == "nanobind-abi3"


@pytest.mark.parametrize("name", _interface.FUNCTION_NAMES)
def test_backend_defines_every_function(core, name):
    assert callable(getattr(core, name, None)), f"{core.__name__} lacks {name}()"


@pytest.mark.parametrize("member", _interface.DETECTOR_MEMBERS)
def test_detector_has_every_member(core, member):
    assert isinstance(core.Detector, type)
    assert hasattr(core.Detector, member), f"{core.__name__}.Detector lacks {member}"


def test_backend_satisfies_the_backend_protocol(core):
    assert isinstance(core, _interface.Backend)


def test_describe_result_has_every_stats_field(core):
    stats = core.describe([1.0, 2.0])
    for field in _interface.STATS_FIELDS:
        assert hasattr(stats, field), f"describe() result lacks {field}"


def test_scalar_results_have_python_types(core):
    # The interface annotates int and float: plain Python numbers (or subclasses).
    assert core.noop() is None
    assert isinstance(core.add(1, 2), int)
    assert isinstance(core.sum6(1, 2, 3, 4, 5, 6), float)
    assert isinstance(core.dsum([1.0]), float)
    assert isinstance(core.fnv1a(b"x"), int)
    assert isinstance(core.repeat("x", 2), str)
    assert isinstance(core.live_allocations(), int)
    assert isinstance(core.integrate(lambda x: x, 0, 1, 2), float)
    stats = core.describe([1.0, 2.0])
    assert isinstance(stats.n, int)
    assert all(isinstance(getattr(stats, f), float) for f in ("mean", "std", "min", "max"))
    with core.Detector(max_run_length=5) as d:
        assert isinstance(d.update(0.5), int)
        assert isinstance(d.t, int)
        assert isinstance(d.closed, bool)


# Valid calls, except that they name parameters the interface makes
# positional-only (the "/" in every signature of _interface.Backend).
KEYWORD_CALLS = {
    "add": lambda core: core.add(a=1, b=2),
    "sum6": lambda core: core.sum6(1, 2, 3, 4, 5, f=6),
    "dsum": lambda core: core.dsum(x=[1.0]),
    "scale": lambda core: core.scale([1.0], k=2.0),
    "find_peaks": lambda core: core.find_peaks(x=[1.0], threshold=0.0),
    "find_peaks_into": lambda core: core.find_peaks_into(x=[1.0], threshold=0.0),
    "fail_allocation_after": lambda core: core.fail_allocation_after(k=0),
    "matvec": lambda core: core.matvec([[1.0]], x=[1.0]),
    "fnv1a": lambda core: core.fnv1a(data=b"x"),
    "repeat": lambda core: core.repeat("x", n=2),
    "describe": lambda core: core.describe(x=[1.0]),
    "events_total": lambda core: core.events_total(np.zeros(1, bindings.EVENT_DTYPE), kind=0),
    "integrate": lambda core: core.integrate(abs, 0.0, 1.0, n=2),
    "update": lambda core: core.Detector().update(x=1.0),
    "update_many": lambda core: core.Detector().update_many(xs=[1.0]),
}


@pytest.mark.parametrize("call", tuple(KEYWORD_CALLS))
def test_positional_only_parameters_reject_keywords(core, call):
    with pytest.raises(TypeError):
        KEYWORD_CALLS[call](core)


def test_detector_takes_parameters_by_position_and_keyword_mixed(core):
    d = core.Detector(0.1, 0.0, max_run_length=3)
    assert d.posterior().shape == (4,)
