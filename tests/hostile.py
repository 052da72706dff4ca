"""The hostile-input catalogue, and the child process that runs a batch of it.

Each case is an expression called on one backend and what it must end in: an
exception type (the documented one) or a check of a correct result. The
catalogue is the error table of ``test_errors.py`` plus inputs that attack the
binding rather than the core: conversions that raise or lie, arrays of every
awkward shape, callbacks that misbehave or call back in, conversions that call
or close the same detector, huge and negative sizes.

``python hostile.py BACKEND FIRST LAST`` runs cases FIRST..LAST-1 and prints one
JSON line per case; a line ``start`` before each call means that a crash (a
signal, an abort) is pinned on the case that was running. ``test_hostile.py``
runs the batches and reads the lines.
"""

from __future__ import annotations

import gc
import json
import math
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import reference
from support import Index, Real, events, readonly, unaligned
from test_errors import BAD_INPUTS, call_namespace

import bindings


class Boom(Exception):
    """Raised by hostile objects: it must come out of the call unchanged."""


class RaisingIndex:
    def __index__(self):
        raise Boom("__index__")


class RaisingFloat:
    def __float__(self):
        raise Boom("__float__")


class LyingIndex:
    def __index__(self):
        return 1.5  # not an int: Python itself raises TypeError


class LyingFloat:
    def __float__(self):
        return "1.5"


class RaisingArray:
    def __array__(self, dtype=None, copy=None):
        raise Boom("__array__")


class RaisingSequence:
    def __len__(self):
        return 3

    def __getitem__(self, i):
        raise Boom("__getitem__")


class Huge:
    def __index__(self):
        return 2**200


def released_memoryview():
    view = memoryview(b"abc")
    view.release()
    return view


def closing_float(detector):
    class Closer:
        def __float__(self):
            detector.close()
            return 1.0

    return Closer()


def updating_float(detector):
    class Updater:
        def __float__(self):
            detector.update(1.0)
            return 2.0

    return Updater()


def closing_array(detector):
    class Closer:
        def __array__(self, dtype=None, copy=None):
            detector.close()
            return np.ones(3)

    return Closer()


def updating_array(detector):
    class Updater:
        def __array__(self, dtype=None, copy=None):
            detector.update(1.0)
            return np.ones(3)

    return Updater()


def update_then_count(core, make):
    d = core.Detector(max_run_length=5)
    d.update(make(d))
    return d.t


def many_then_count(core, make):
    d = core.Detector(max_run_length=5)
    d.update_many(make(d))
    return d.t


def detector_updated_in_callback(core):
    d = core.Detector(max_run_length=5)
    core.integrate(lambda x: float(d.update(x)), 0.0, 1.0, 3)
    return d.t


def detector_closed_in_callback(core):
    d = core.Detector(max_run_length=5)
    view = d.posterior_view()

    def f(x):
        d.close()  # BufferError: the view is alive; the callback's error propagates
        return x

    try:
        core.integrate(f, 0.0, 1.0, 3)
    finally:
        del view


def nested_integrate(core):
    return core.integrate(lambda x: core.integrate(lambda y: y, 0.0, 1.0, 2) * x, 0.0, 1.0, 2)


def recursion_in_callback(core):
    def f(x):
        return f(x)

    return core.integrate(f, 0.0, 1.0, 2)


def view_after_close_attempt(core):
    d = core.Detector(max_run_length=3)
    view = d.posterior_view()
    try:
        d.close()
    except BufferError:
        pass
    d.update(1.0)
    return float(view.sum())


def exact(expected: Any) -> Callable[[Any], bool]:
    def check(result: Any) -> bool:
        if isinstance(expected, np.ndarray):
            return isinstance(result, np.ndarray) and np.array_equal(result, expected, equal_nan=True)
        if isinstance(expected, float) and math.isnan(expected):
            return isinstance(result, float) and math.isnan(result)
        return result == expected and type(result) is type(expected)

    return check


def float_of_a_one_element_array() -> Any:
    """What ``float(np.array([1.0]))`` does with the NumPy installed: the interface converts
    as ``float()`` does. NumPy 2.2 (the last for CPython 3.10) still converts it, with a
    DeprecationWarning; later NumPy raises TypeError."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return exact(float(np.array([1.0])))  # type: ignore[arg-type]
        except TypeError:
            return TypeError


X = np.arange(6.0)
NANS = np.array([1.0, np.nan, 3.0, np.inf, -np.inf, 2.0])
STRIDED = np.arange(12.0)[::2]

#: (expression, expected exception type or check of the result)
EXTRA_CASES: list[tuple[str, type[BaseException] | Callable[[Any], bool]]] = [
    # -- conversions that raise or lie
    ("add(RaisingIndex(), 1)", Boom),
    ("add(1, RaisingIndex())", Boom),
    ("add(LyingIndex(), 1)", TypeError),
    ("add(Huge(), 1)", OverflowError),
    ("add(True, 2)", exact(3)),
    ("add(Index(-5), Index(7))", exact(2)),
    ("sum6(RaisingFloat(), 1, 1, 1, 1, 1)", Boom),
    ("sum6(1, 1, 1, 1, 1, RaisingFloat())", Boom),
    ("sum6(LyingFloat(), 1, 1, 1, 1, 1)", TypeError),
    ("sum6(Real(0.5), Index(1), True, np.float32(0.25), np.int8(1), 0)", exact(3.75)),
    ("sum6(inf, -inf, 0, 0, 0, 0)", exact(math.nan)),
    ("scale(X, RaisingFloat())", Boom),
    ("find_peaks(X, RaisingFloat())", Boom),
    ("find_peaks_into(X, RaisingFloat())", Boom),
    ("repeat('x', RaisingIndex())", Boom),
    ("repeat('x', LyingIndex())", TypeError),
    ("repeat('x', Huge())", OverflowError),
    ("events_total(events([1], [2.0]), RaisingIndex())", Boom),
    ("integrate(abs, RaisingFloat(), 1, 2)", Boom),
    ("integrate(abs, 0, 1, RaisingIndex())", Boom),
    ("Detector(max_run_length=RaisingIndex())", Boom),
    ("Detector(hazard=RaisingFloat())", Boom),
    ("Detector(max_run_length=Huge())", OverflowError),
    ("Detector().update(RaisingFloat())", Boom),
    ("fail_allocation_after(RaisingIndex())", Boom),
    ("fail_allocation_after(None)", TypeError),
    # -- arrays: failed conversions, every awkward shape, odd values
    ("dsum(RaisingArray())", TypeError),
    ("dsum(RaisingSequence())", TypeError),
    ("dsum(None)", ValueError),  # NumPy makes None a 0-D NaN: wrong ndim
    ("dsum({1: 2})", TypeError),
    ("dsum(np.array([b'1']))", exact(1.0)),  # NumPy parses bytes as numbers
    ("dsum(np.array([1, 2], dtype=object))", exact(3.0)),
    ("dsum(np.array([1, 'a'], dtype=object))", TypeError),
    ("dsum(np.ones((0, 3)))", ValueError),
    ("dsum(np.ones((1, 1, 1)))", ValueError),
    ("dsum(STRIDED)", exact(30.0)),
    ("dsum(readonly(X))", exact(15.0)),
    ("dsum(np.arange(6, dtype=np.int64))", exact(15.0)),
    ("dsum(np.array([True, True]))", exact(2.0)),
    ("dsum(np.ones(6, dtype='>f8'))", exact(6.0)),  # big-endian: converted
    ("dsum(NANS)", exact(math.nan)),
    ("dsum(np.array([]))", exact(0.0)),
    ("dsum(memoryview(np.ones(3)))", exact(3.0)),
    ("dsum(bytearray(b'ab'))", exact(195.0)),  # a buffer of uint8: 97 + 98
    ("scale(NANS, 2.0)", exact(NANS * 2.0)),
    ("scale(STRIDED, 0.5)", exact(STRIDED * 0.5)),
    ("scale(X, 2.0, out=X[::-1])", ValueError),  # the same memory, reversed: overlaps
    ("scale(X, 2.0, out=np.empty(6)[::-1])", ValueError),  # negative stride: not C-contiguous
    ("scale(X, 2.0, out=np.empty(6, dtype='>f8'))", TypeError),
    ("scale(X, 2.0, out=None)", exact(X * 2.0)),
    ("scale(X, 2.0, out=unaligned(np.zeros(6)))", ValueError),  # C must not write doubles there
    ("scale(unaligned(X), 2.0)", exact(X * 2.0)),
    ("matvec(unaligned(np.ones(6)).reshape(2, 3), unaligned(np.ones(3)))", exact(np.full(2, 3.0))),
    ("describe(unaligned(X)).mean", exact(2.5)),
    ("Detector(max_run_length=3).update_many(unaligned(X))", lambda r: r.shape == (6,)),
    ("events_total(unaligned(events([1, 2], [1.0, 2.0])), 2)", exact(2.0)),
    ("scale(X, 2.0, out=X.copy().view(np.int64))", TypeError),
    ("find_peaks(RaisingArray(), 0)", TypeError),
    ("find_peaks(NANS, nan)", exact(np.array([], dtype=np.int64))),
    ("find_peaks(STRIDED[::-1], 0)", exact(np.array([], dtype=np.int64))),
    ("find_peaks_into(RaisingArray(), 0)", TypeError),
    ("find_peaks_into(np.tile([0.0, 1.0], 5000), 0.5)", exact(np.arange(1, 9999, 2, dtype=np.int64))),
    ("find_peaks_into(np.ones((2, 2)), 0)", ValueError),
    ("matvec(np.ones((0, 3)), np.ones(3))", exact(np.zeros(0))),
    ("matvec(np.ones((3, 0)), np.ones(0))", exact(np.zeros(3))),
    ("matvec(np.ones((4, 6))[:, ::2], np.ones(3))", exact(np.full(4, 3.0))),
    ("matvec(np.ones((3, 3)).T, np.ones(3))", exact(np.full(3, 3.0))),
    ("matvec(RaisingArray(), np.ones(3))", TypeError),
    ("matvec(np.ones((2, 3)), RaisingArray())", TypeError),
    ("describe(NANS)", lambda s: s.n == 6 and math.isnan(s.mean) and math.isnan(s.max)),
    ("describe(RaisingArray())", TypeError),
    ("describe(np.array([inf, 1.0]))", lambda s: s.max == math.inf and s.min == 1.0),
    ("events_total(events([1, 2], [1.0, 2.0])[::-1], 1)", exact(1.0)),
    ("events_total(readonly(events([1], [5.0])), 1)", exact(5.0)),
    ("events_total(np.zeros(0, EVENT_DTYPE), 0)", exact(0.0)),
    ("events_total(events([1], [nan]), 1)", exact(math.nan)),
    ("events_total(None, 1)", TypeError),
    # -- bytes and strings
    ("fnv1a(released_memoryview())", ValueError),
    ("fnv1a(b'')", exact(0xCBF29CE484222325)),
    ("fnv1a(readonly(np.zeros(3)))", exact(reference.fnv1a(bytes(24)))),
    ("fnv1a(bytearray(b'ab'))", exact(reference.fnv1a(b"ab"))),
    ("fnv1a(np.zeros((0, 4)))", exact(0xCBF29CE484222325)),
    ("fnv1a(np.zeros((3, 4))[:, :2])", ValueError),
    ("repeat('', 2**62)", exact("")),  # 0 bytes, however many times
    ("repeat('\\x00', 3)", exact("\x00" * 3)),
    ("repeat('é\\U0001f600', 2)", exact("é\U0001f600" * 2)),
    ("repeat('x', True)", exact("x")),
    ("repeat(RaisingIndex(), 2)", TypeError),
    # -- callbacks that misbehave or call back in
    ("integrate(lambda x: Boom_raise(), 0, 1, 4)", Boom),
    ("integrate(lambda: 1.0, 0, 1, 4)", TypeError),  # wrong arity: its TypeError propagates
    ("integrate(lambda x: RaisingFloat(), 0, 1, 4)", Boom),
    ("integrate(lambda x: LyingFloat(), 0, 1, 4)", TypeError),
    ("integrate(lambda x: np.float32(1), 0, 1, 4)", exact(1.0)),
    ("integrate(lambda x: True, 0, 1, 4)", exact(1.0)),
    ("integrate(lambda x: Index(1), 0, 1, 4)", exact(1.0)),
    ("integrate(lambda x: nan, 0, 1, 4)", exact(math.nan)),
    ("integrate(lambda x: np.array([1.0]), 0, 1, 4)", float_of_a_one_element_array()),
    ("integrate(lambda x: sys_exit(), 0, 1, 4)", SystemExit),
    ("integrate(lambda x: keyboard_interrupt(), 0, 1, 4)", KeyboardInterrupt),
    ("integrate(1e308, 0, 1, 4)", TypeError),
    ("integrate(abs, -1e308, 1e308, 4)", OverflowError),  # the step is not finite
    ("nested_integrate(core)", exact(0.25)),
    ("recursion_in_callback(core)", RecursionError),
    ("detector_updated_in_callback(core)", exact(4)),
    ("detector_closed_in_callback(core)", BufferError),
    # -- conversions that call or close the same detector
    ("update_then_count(core, updating_float)", exact(2)),
    ("update_then_count(core, closing_float)", ValueError),
    ("many_then_count(core, updating_array)", exact(4)),
    ("many_then_count(core, closing_array)", ValueError),
    ("view_after_close_attempt(core)", exact(1.0)),
    # -- closed detectors, huge and negative sizes
    ("closed().update(1.0)", ValueError),
    ("closed().update_many([1.0])", ValueError),
    ("closed().posterior()", ValueError),
    ("closed().posterior_view()", ValueError),
    ("closed().reset()", ValueError),
    ("closed().t", ValueError),
    ("closed().close()", exact(None)),
    ("closed().closed", exact(True)),
    ("closed().__enter__()", ValueError),
    ("Detector(max_run_length=-(2**62))", ValueError),
    ("Detector(max_run_length=2**40)", ValueError),
    ("Detector(max_run_length=1).update_many(np.zeros(0))", exact(np.zeros(0, dtype=np.int64))),
    ("Detector(max_run_length=1).update_many(np.full(3, 1e308))", lambda r: r.shape == (3,)),
    ("Detector().update(1e308)", lambda r: isinstance(r, int)),
    ("Detector().update(-1e-320)", lambda r: isinstance(r, int)),
    ("Detector(hazard=5e-324).update(0.0)", lambda r: isinstance(r, int)),
    ("repeat('ab', 2**63 - 1)", MemoryError),  # 2**64 - 2 bytes: fits size_t, not memory
    ("repeat('x', -(2**63))", ValueError),
    ("events_total(events([1], [2.0]), 2**70)", OverflowError),
    ("integrate(abs, 0, 1, 2**64)", OverflowError),
]


def Boom_raise():
    raise Boom("from a callback")


def sys_exit():
    raise SystemExit(3)


def keyboard_interrupt():
    raise KeyboardInterrupt


def catalogue() -> list[tuple[str, Any]]:
    return [*BAD_INPUTS, *EXTRA_CASES]


def namespace(core) -> dict[str, Any]:
    names = call_namespace(core)
    names.update({name: value for name, value in globals().items() if not name.startswith("_")})

    def closed():
        d = core.Detector(max_run_length=3)
        d.close()
        return d

    names.update(core=core, closed=closed, X=X, NANS=NANS, STRIDED=STRIDED, nan=math.nan, inf=math.inf)
    names.update(Index=Index, Real=Real, events=events, readonly=readonly, unaligned=unaligned)
    return names


def outcome(core, call: str, expected: Any) -> tuple[bool, str]:
    """(passed, what happened) for one case."""
    try:
        result = eval(call, namespace(core))
    except BaseException as error:
        got = type(error).__name__
        if isinstance(expected, type):
            return type(error) is expected or (expected is ValueError and isinstance(error, ValueError)), got
        return False, f"{got}: {error}"
    if isinstance(expected, type):
        return False, f"returned {result!r:.80}, expected {expected.__name__}"
    return bool(expected(result)), f"returned {result!r:.80}"


def main() -> None:
    name, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    core = bindings.load(name)
    cases = catalogue()
    for number in range(first, last):
        call, expected = cases[number]
        print(json.dumps({"start": number}), flush=True)
        passed, what = outcome(core, call, expected)
        ending = "returned" if what.startswith("returned") else what.split(":")[0]
        print(json.dumps({"case": number, "passed": passed, "what": what, "ending": ending}), flush=True)
    namespace(core).clear()
    gc.collect()  # hostile objects that refer to a detector sit in reference cycles
    print(json.dumps({"live_allocations": core.live_allocations()}), flush=True)


if __name__ == "__main__":
    main()
