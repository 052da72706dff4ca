"""Every bad input named in ``bindings/_interface.py`` raises the named exception.

The table is the interface's error rules, one line per case, written as the
call itself. Each call is valid except for the one thing its comment (or the
expression itself) points at, so it fails for that reason or not at all.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from support import Index, events, readonly

import bindings
from bindings import _interface

PACKED = np.dtype([("kind", np.int32), ("value", np.float64)])  # no padding: 12 bytes
RENAMED = np.dtype([("k", np.int32), ("v", np.float64)], align=True)  # same layout, other names
BIG_ENDIAN = bindings.EVENT_DTYPE.newbyteorder(">")

BAD_INPUTS = [
    # -- array arguments: conversion failure -> TypeError, wrong ndim -> ValueError
    ("dsum('abc')", TypeError),
    ("dsum([1.0, 'x'])", TypeError),
    ("dsum([[1.0, 2.0], [3.0]])", TypeError),  # ragged
    ("dsum(object())", TypeError),
    ("dsum(np.array(['a', 'b']))", TypeError),
    ("dsum([1j])", TypeError),
    ("dsum([2**1024])", TypeError),  # NumPy cannot make it a float64: a failed conversion
    ("dsum(np.ones((2, 2)))", ValueError),
    ("dsum(np.float64(1.0))", ValueError),  # 0-D
    ("scale('abc', 2.0)", TypeError),
    ("scale(np.ones((2, 2)), 2.0)", ValueError),  # scale takes a 1-D x
    ("scale(np.float64(1.0), 2.0)", ValueError),
    ("find_peaks('abc', 0.0)", TypeError),
    ("find_peaks(np.ones((3, 3)), 0.0)", ValueError),
    ("find_peaks_into('abc', 0.0)", TypeError),
    ("find_peaks_into(np.ones((3, 3)), 0.0)", ValueError),
    ("find_peaks_into(np.float64(1.0), 0.0)", ValueError),
    ("matvec('abc', x)", TypeError),
    ("matvec(np.ones((2, 4)), 'abc')", TypeError),
    ("matvec(np.ones(4), x)", ValueError),  # A 1-D
    ("matvec(np.ones((2, 2, 4)), x)", ValueError),  # A 3-D
    ("matvec(np.ones((2, 4)), np.ones((4, 1)))", ValueError),  # x 2-D
    ("matvec(np.ones((2, 3)), x)", ValueError),  # A.shape[1] != len(x)
    ("matvec(np.ones((2, 5)), x)", ValueError),
    ("describe('abc')", TypeError),
    ("describe(np.ones((2, 2)))", ValueError),
    ("describe([])", ValueError),
    ("describe(np.empty(0, np.float32))", ValueError),
    # -- integer parameters: int or __index__, floats rejected; int64 range
    ("add(1.0, 2)", TypeError),
    ("add(1, 2.0)", TypeError),
    ("add('1', 2)", TypeError),
    ("add(None, 2)", TypeError),
    ("add(np.float64(1.0), 2)", TypeError),
    ("add(2**63, 0)", OverflowError),  # an argument beyond int64
    ("add(0, -(2**63) - 1)", OverflowError),
    ("add(Index(2**64), 0)", OverflowError),
    ("add(2**62, 2**62)", OverflowError),  # the result beyond int64
    ("add(-(2**63), -1)", OverflowError),
    # -- real parameters: int, float, __float__ or __index__; strings rejected
    ("sum6('1', 2, 3, 4, 5, 6)", TypeError),
    ("sum6(1, 2, 3, 4, 5, None)", TypeError),
    ("sum6(1, 2, 3, 4, 5, 1j)", TypeError),
    ("scale(x, '2')", TypeError),
    ("scale(x, None)", TypeError),
    ("find_peaks(x, '0')", TypeError),
    ("find_peaks_into(x, None)", TypeError),
    ("sum6(2**1024, 0, 0, 0, 0, 0)", OverflowError),  # an int, so no TypeError: too big for a double
    ("scale(x, -(2**1024))", OverflowError),
    ("Detector().update(2**1024)", OverflowError),
    # -- scale's out: checked, never converted
    ("scale(x, 2.0, out=[0.0] * 4)", TypeError),
    ("scale(x, 2.0, out=np.empty(4, np.float32))", TypeError),
    ("scale(x, 2.0, out=np.empty(4, np.int64))", TypeError),
    ("scale(x, 2.0, out=np.empty(5))", ValueError),  # wrong shape
    ("scale(x, 2.0, out=np.empty((4, 1)))", ValueError),
    ("scale(x, 2.0, out=np.empty(8)[::2])", ValueError),  # not C-contiguous
    ("scale(x, 2.0, out=readonly(np.empty(4)))", ValueError),
    ("scale(buf[:4], 2.0, out=buf[2:6])", ValueError),  # overlaps x, not the same memory
    ("scale(buf[2:6], 2.0, out=buf[:4])", ValueError),
    ("scale(buf[:4], 2.0, out=buf[1:5])", ValueError),
    # -- fnv1a: buffers only, C-contiguous only
    ("fnv1a('abc')", TypeError),
    ("fnv1a(123)", TypeError),
    ("fnv1a(None)", TypeError),
    ("fnv1a([1, 2, 3])", TypeError),
    ("fnv1a(memoryview(b'abcdef')[::2])", ValueError),
    ("fnv1a(np.arange(10)[::2])", ValueError),
    ("fnv1a(np.ones((3, 4), order='F'))", ValueError),
    # -- repeat
    ("repeat(b'x', 2)", TypeError),
    ("repeat(None, 2)", TypeError),
    ("repeat('x', 2.0)", TypeError),
    ("repeat('x', '2')", TypeError),
    ("repeat('x', -1)", ValueError),
    ("repeat('x', -(2**70))", ValueError),  # n < 0, however far below
    ("repeat('\\ud800', 2)", UnicodeEncodeError),  # a lone surrogate has no UTF-8
    ("repeat('ab', 2**63)", OverflowError),  # 2 * 2**63 bytes: beyond size_t
    ("repeat('x', 2**64)", OverflowError),
    ("repeat('x', 2**62)", MemoryError),  # 4 EiB: no machine has it
    # -- events_total: exactly EVENT_DTYPE, 1-D, kind within int32
    ("events_total([(1, 2.0)], 1)", TypeError),
    ("events_total(np.ones(3), 1)", TypeError),
    ("events_total(np.zeros(3, PACKED), 1)", TypeError),
    ("events_total(np.zeros(3, RENAMED), 1)", TypeError),
    ("events_total(np.zeros(3, BIG_ENDIAN), 1)", TypeError),
    ("events_total(memoryview(events([1], [2.0])), 1)", TypeError),
    ("events_total(np.zeros((2, 2), EVENT_DTYPE), 1)", ValueError),
    ("events_total(np.zeros((), EVENT_DTYPE), 1)", ValueError),
    ("events_total(events([1], [2.0]), 2**31)", OverflowError),
    ("events_total(events([1], [2.0]), -(2**31) - 1)", OverflowError),
    ("events_total(events([1], [2.0]), 1.0)", TypeError),
    ("events_total(events([1], [2.0]), '1')", TypeError),
    # -- integrate
    ("integrate(abs, 0, 1, 0)", ValueError),
    ("integrate(abs, 0, 1, -1)", ValueError),
    ("integrate(abs, 0, 1, -(2**70))", ValueError),  # n < 1, however far below
    ("integrate(abs, 0, 1, 4.0)", TypeError),
    ("integrate(abs, nan, 1, 4)", ValueError),
    ("integrate(abs, 0, inf, 4)", ValueError),
    ("integrate(abs, -inf, 0, 4)", ValueError),
    ("integrate(abs, '0', 1, 4)", TypeError),
    ("integrate(3, 0, 1, 4)", TypeError),  # not callable
    ("integrate(None, 0, 1, 4)", TypeError),
    ("integrate(lambda x: 'one', 0, 1, 4)", TypeError),  # returns a non-number
    ("integrate(lambda x: None, 0, 1, 4)", TypeError),
    ("integrate(lambda x: [x], 0, 1, 4)", TypeError),
    ("integrate(lambda x: 1j, 0, 1, 4)", TypeError),
    ("integrate(lambda x: 2**1024, 0, 1, 4)", OverflowError),  # a number, too big for a double
    # -- Detector parameters
    ("Detector(hazard=0.0)", ValueError),
    ("Detector(hazard=1.0)", ValueError),
    ("Detector(hazard=-0.5)", ValueError),
    ("Detector(hazard=1.5)", ValueError),
    ("Detector(hazard=nan)", ValueError),
    ("Detector(mu0=nan)", ValueError),
    ("Detector(mu0=inf)", ValueError),
    ("Detector(mu0=-inf)", ValueError),
    ("Detector(kappa0=0.0)", ValueError),
    ("Detector(kappa0=-1.0)", ValueError),
    ("Detector(kappa0=inf)", ValueError),
    ("Detector(alpha0=0.0)", ValueError),
    ("Detector(alpha0=-1.0)", ValueError),
    ("Detector(alpha0=nan)", ValueError),
    ("Detector(beta0=0.0)", ValueError),
    ("Detector(beta0=-2.0)", ValueError),
    ("Detector(beta0=inf)", ValueError),
    ("Detector(max_run_length=0)", ValueError),
    ("Detector(max_run_length=-1)", ValueError),
    ("Detector(max_run_length=10_000_001)", ValueError),
    ("Detector(0.1, 0.0, 1.0, 1.0, 1.0, 0)", ValueError),  # by position
    ("Detector(0.0, 0.0, 1.0, 1.0, 1.0, 5)", ValueError),
    ("Detector(max_run_length=2**63)", OverflowError),
    ("Detector(max_run_length=-(2**63) - 1)", OverflowError),
    ("Detector(max_run_length=5.0)", TypeError),
    ("Detector(max_run_length='5')", TypeError),
    ("Detector(hazard='0.1')", TypeError),
    ("Detector(mu0=None)", TypeError),
    ("Detector(nonsense=1.0)", TypeError),
    # -- Detector methods
    ("Detector().update(nan)", ValueError),
    ("Detector().update(inf)", ValueError),
    ("Detector().update('1')", TypeError),
    ("Detector().update(None)", TypeError),
    ("Detector().update_many('abc')", TypeError),
    ("Detector().update_many(np.ones((2, 2)))", ValueError),
    ("Detector().update_many([1.0, nan])", ValueError),
    ("Detector().update_many([-inf, 1.0])", ValueError),
]


def call_namespace(core) -> dict[str, object]:
    """The names the expressions in BAD_INPUTS use, with core's functions."""
    namespace = {name: getattr(core, name) for name in _interface.FUNCTION_NAMES}
    namespace.update(
        Detector=core.Detector,
        np=np,
        nan=math.nan,
        inf=math.inf,
        Index=Index,
        events=events,
        readonly=readonly,
        EVENT_DTYPE=bindings.EVENT_DTYPE,
        PACKED=PACKED,
        RENAMED=RENAMED,
        BIG_ENDIAN=BIG_ENDIAN,
        x=np.arange(4.0),
        buf=np.arange(8.0),
    )
    return namespace


@pytest.mark.parametrize(("call", "error"), BAD_INPUTS, ids=[call for call, _ in BAD_INPUTS])
def test_bad_input_raises(core, call, error):
    with pytest.raises(error):
        eval(call, call_namespace(core))


# ---- callbacks: the callback's own exception, at once -------------------------


class Stop(BaseException):
    """Not an Exception: a binding that catches only Exception lets it escape wrongly."""


@pytest.mark.parametrize("error_type", [KeyError, Stop])
def test_integrate_reraises_the_callbacks_own_exception_at_once(core, error_type):
    error = error_type("raised by f")
    calls = []

    def f(x):
        calls.append(x)
        if len(calls) == 3:
            raise error
        return x

    with pytest.raises(error_type) as info:
        core.integrate(f, 0.0, 1.0, 10)
    assert info.value is error  # the same object, not a copy or a wrapper
    assert len(calls) == 3  # integration stopped at the failing call


def test_integrate_stops_at_once_when_f_returns_a_non_number(core):
    calls = []

    def f(x):
        calls.append(x)
        return "three" if len(calls) == 3 else x

    with pytest.raises(TypeError):
        core.integrate(f, 0.0, 1.0, 10)
    assert len(calls) == 3


def test_failed_call_leaves_no_pending_exception(core):
    # After an error the interpreter state is clean: the next call works.
    with pytest.raises(KeyError):
        core.integrate(lambda x: {}["missing"], 0.0, 1.0, 4)
    assert core.integrate(lambda x: 1.0, 0.0, 1.0, 4) == 1.0
    with pytest.raises(OverflowError):
        core.add(2**63, 0)
    assert core.add(1, 1) == 2
