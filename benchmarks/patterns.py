"""The call patterns, defined once: the benchmarks time them, the overhead check counts them.

A pattern is Python source in two parts. ``setup`` runs once in a namespace holding
``core`` (the backend module), ``numpy`` and the input makers below; every name it
leaves behind becomes a local variable of the measuring loop (``loops.py``). The
``statement`` is one call, made positionally from those locals, as user code calls.

So ``f = core.add; a = 2; b = 3`` and ``f(a, b)`` time what ``core.add(2, 3)``
costs in a loop of the caller's: the name lookups of ``core.add`` happen once, as
they do when user code binds a function it calls often.

Who reads this module: ``bench_overhead.py`` and ``bench_variants.py`` (timed with
pytest-benchmark), ``overhead/measure.py`` (counted under callgrind, by ``nox -s
overhead`` and by ``nox -s bench``), the report (labels and order) and the smoke
test. The overhead check copies this file, alone with ``loops.py`` and
``overhead/measure.py``, into its harness folder: it imports nothing of ours at
module level.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy

#: The backend every ratio is to: the hand-written C-API module, the shortest path to C.
REFERENCE = "capi"
#: The observations of the Detector patterns run through a detector this small, so the
#: figure is the binding's cost rather than the core's O(max_run_length) step (with the
#: default 500, creating one costs the core some 700,000 instructions).
SMALL_RUN_LENGTH = 8
#: integrate's intervals: n + 1 callbacks per call, and its figure is per callback.
INTEGRATE_INTERVALS = 100


@dataclass(frozen=True)
class Pattern:
    """One call to measure: ``statement`` after ``setup``; ``per`` divides its cost."""

    name: str
    label: str  # short, for tables: "add(2, 3)"
    call: str  # what one call does, for the report's details
    setup: str
    statement: str
    per: int = 1  # integrate: the figure is per callback (n + 1 per call)
    headline: bool = False  # the patterns the run's disturbance check reads


# region: call-patterns
PATTERNS: dict[str, Pattern] = {
    p.name: p
    for p in (
        Pattern("noop", "noop()", "noop()", "f = core.noop", "f()", headline=True),
        Pattern("add", "add(2, 3)", "add(2, 3)", "f = core.add; a = 2; b = 3", "f(a, b)", headline=True),
        Pattern(
            "sum6",
            "sum6(6 floats)",
            "sum6(1.0, ..., 6.0)",
            "f = core.sum6; a, b, c, d, e, g = 1.0, 2.0, 3.0, 4.0, 5.0, 6.0",
            "f(a, b, c, d, e, g)",
        ),
        Pattern("dsum", "dsum(8 values)", "dsum(x), 8 values", "f = core.dsum; x = floats(8)", "f(x)"),
        Pattern(
            "scale",
            "scale(8 values)",
            "scale(x, 2.0), 8 values, new result",
            "f = core.scale; x = floats(8); k = 2.0",
            "f(x, k)",
        ),
        Pattern(
            "matvec",
            "matvec(4 x 4)",
            "matvec(A, x), 4 x 4",
            "f = core.matvec; A = floats(16).reshape(4, 4); x = floats(4)",
            "f(A, x)",
        ),
        Pattern(
            "find_peaks",
            "find_peaks(17 values)",
            "find_peaks(x, 0.5), 17 values, 8 peaks",
            "f = core.find_peaks; x = alternating(8); t = 0.5",
            "f(x, t)",
        ),
        Pattern(
            "fnv1a",
            "fnv1a(16 bytes)",
            "fnv1a(16 bytes)",
            "f = core.fnv1a; data = b'0123456789abcdef'",
            "f(data)",
        ),
        Pattern(
            "repeat", 'repeat("ab", 8)', 'repeat("ab", 8)', "f = core.repeat; s = 'ab'; n = 8", "f(s, n)"
        ),
        Pattern(
            "describe",
            "describe(8 values)",
            "describe(x), 8 values",
            "f = core.describe; x = floats(8)",
            "f(x)",
        ),
        Pattern(
            "events_total",
            "events_total(8 records)",
            "events_total(events, 1), 8 records",
            "f = core.events_total; e = events(8); kind = 1",
            "f(e, kind)",
        ),
        # A method is called as user code calls it, attribute lookup included: how a
        # technology finds the method is part of what a method call costs.
        Pattern(
            "update",
            "Detector.update",
            f"Detector.update(0.5), max_run_length={SMALL_RUN_LENGTH}",
            f"d = core.Detector(max_run_length={SMALL_RUN_LENGTH}); v = 0.5",
            "d.update(v)",
        ),
        Pattern(
            "update_many",
            "Detector.update_many(8)",
            f"Detector.update_many(x), 8 values, max_run_length={SMALL_RUN_LENGTH}",
            f"d = core.Detector(max_run_length={SMALL_RUN_LENGTH}); x = floats(8)",
            "d.update_many(x)",
        ),
        Pattern(
            "integrate",
            "integrate, per callback",
            f"integrate(lambda x: x, 0, 1, {INTEGRATE_INTERVALS}), per callback",
            f"f = core.integrate; a = 0.0; b = 1.0; n = {INTEGRATE_INTERVALS}\ndef g(x):\n    return x",
            "f(g, a, b, n)",
            per=INTEGRATE_INTERVALS + 1,
        ),
        Pattern(
            "create_close",
            "Detector() + close()",
            f"Detector(max_run_length={SMALL_RUN_LENGTH}) then close()",
            f"D = core.Detector; m = {SMALL_RUN_LENGTH}",
            "D(max_run_length=m).close()",
        ),
    )
}
# endregion: call-patterns

#: The floors: builtin C functions of the two calling conventions a binding's plain
#: function gets (METH_NOARGS, METH_O), and an empty Python function, measured the same way.
FLOORS: dict[str, Pattern] = {
    p.name: p
    for p in (
        Pattern(
            "builtin",
            "gc.isenabled()",
            "gc.isenabled(): a builtin C function (METH_NOARGS)",
            "import gc; f = gc.isenabled",
            "f()",
        ),
        Pattern("builtin_arg", "abs(x)", "abs(-1): a builtin C function (METH_O)", "f = abs; a = -1", "f(a)"),
        Pattern(
            "python",
            "empty Python function",
            "an empty Python function, no argument",
            "def f():\n    pass",
            "f()",
        ),
    )
}

#: NumPy's own way of doing a pattern, where there is one (no Python frame of ours around it).
NUMPY_EQUIVALENTS: dict[str, Pattern] = {
    p.name: p
    for p in (
        Pattern("dsum", "np.sum(x)", "np.sum(x)", "f = numpy.sum; x = floats(8)", "f(x)"),
        Pattern("scale", "x * k", "x * k", "x = floats(8); k = 2.0", "x * k"),
        Pattern("matvec", "A @ x", "A @ x", "A = floats(16).reshape(4, 4); x = floats(4)", "A @ x"),
    )
}

ORDER = tuple(PATTERNS)
HEADLINE = tuple(name for name, p in PATTERNS.items() if p.headline)


def floats(n: int) -> numpy.ndarray:
    """n C-contiguous float64 values in [0, 1) (the same values on every run)."""
    return numpy.random.default_rng(n).random(n)


def alternating(n_peaks: int) -> numpy.ndarray:
    """0, 1, 0, 1, ..., 0: 2 * n_peaks + 1 values holding exactly n_peaks peaks above 0.5."""
    x = numpy.zeros(2 * n_peaks + 1)
    x[1::2] = 1.0
    return x


def events(n: int) -> numpy.ndarray:
    """n records of ``bindings.EVENT_DTYPE``, kinds alternating 0 and 1."""
    import bindings

    records = numpy.zeros(n, dtype=bindings.EVENT_DTYPE)
    records["kind"] = numpy.arange(n) % 2
    records["value"] = numpy.arange(n, dtype=numpy.float64)
    return records


def namespace(pattern: Pattern, core: object = None) -> dict[str, object]:
    """The locals ``pattern.setup`` leaves behind, ready to pass to a loop."""
    scope: dict[str, object] = {
        "core": core,
        "numpy": numpy,
        "floats": floats,
        "alternating": alternating,
        "events": events,
    }
    given = set(scope)
    exec(compile(pattern.setup, f"<setup of {pattern.name}>", "exec"), scope)
    return {key: value for key, value in scope.items() if key not in given and not key.startswith("__")}


def load(path: str | Path | None) -> dict[str, Pattern]:
    """PATTERNS, or those of a JSON file ``{"name": ["setup", "statement"], ...}`` (tests)."""
    if path is None:
        return dict(PATTERNS)
    data = json.loads(Path(path).read_text())
    return {name: Pattern(name, name, name, setup, statement) for name, (setup, statement) in data.items()}
