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

#: The cheapest call of the same C function that ctypes and cffi offer, with its arguments
#: ready: the declared foreign function (ctypes) or API mode's ``lib.bc_*`` (cffi), given
#: addresses and out-parameters made once in the setup. The interface call minus this is
#: the wrapper's own cost (the report's wrapper-tax table). Where the core allocates the
#: result, the statement also frees it; where the interface returns a new array, the raw
#: call writes into one made in advance. ctypes is given each out-parameter object as
#: it is: a POINTER argument takes it by reference itself, for less than ``byref`` costs.
#: Compiled backends have no such call: their reference is the C-API backend's call.
_CTYPES = """import ctypes
from bindings.ctypes import _library as L
"""
_CFFI = """from bindings.cffi._cffi_bcore import ffi, lib
"""
_CTYPES_DETECTOR = (
    _CTYPES
    + f"""handle = L.bc_detector_p()
L.bc_detector_create(
    L.bc_normal_gamma(0.0, 1.0, 1.0, 1.0), L.bc_hazard(0.01, {SMALL_RUN_LENGTH}), handle
)
"""
)
_CFFI_DETECTOR = (
    _CFFI
    + f"""slot = ffi.new("bc_detector **")
lib.bc_detector_create(
    ffi.new("bc_normal_gamma *", [0.0, 1.0, 1.0, 1.0]), ffi.new("bc_hazard *", [0.01, {SMALL_RUN_LENGTH}]), slot
)
handle = slot[0]
"""
)
_CALLBACK = """def g(x, ctx, y):
    y[0] = x
    return 0
"""
RAW_CALLS: dict[str, dict[str, Pattern]] = {
    "ctypes": {
        p.name: p
        for p in (
            Pattern("noop", "noop", "bc_noop()", _CTYPES + "f = L.bc_noop", "f()"),
            Pattern(
                "add",
                "add",
                "bc_add(2, 3, &out)",
                _CTYPES + "f = L.bc_add; a = 2; b = 3; out = ctypes.c_int64()",
                "f(a, b, out)",
            ),
            Pattern(
                "sum6",
                "sum6",
                "bc_sum6(1.0, ..., 6.0)",
                _CTYPES + "f = L.bc_sum6; a, b, c, d, e, g = 1.0, 2.0, 3.0, 4.0, 5.0, 6.0",
                "f(a, b, c, d, e, g)",
            ),
            Pattern(
                "dsum",
                "dsum",
                "bc_dsum(x, 8)",
                _CTYPES + "f = L.bc_dsum; x = floats(8); p = x.ctypes.data; n = 8",
                "f(p, n)",
            ),
            Pattern(
                "scale",
                "scale",
                "bc_scale(x, 8, 2.0, y), y made in advance",
                _CTYPES + "f = L.bc_scale; x = floats(8); y = numpy.empty(8)\n"
                "p = x.ctypes.data; q = y.ctypes.data; n = 8; k = 2.0",
                "f(p, n, k, q)",
            ),
            Pattern(
                "matvec",
                "matvec",
                "bc_matvec(A, 4, 4, 4, x, y), y made in advance",
                _CTYPES + "f = L.bc_matvec; A = floats(16); x = floats(4); y = numpy.empty(4)\n"
                "pa = A.ctypes.data; px = x.ctypes.data; py = y.ctypes.data; m = 4",
                "f(pa, m, m, m, px, py)",
            ),
            Pattern(
                "find_peaks",
                "find_peaks",
                "bc_find_peaks(x, 17, 0.5, &out, &count), then bc_free(out)",
                _CTYPES + "f = L.bc_find_peaks; free = L.bc_free; x = alternating(8); p = x.ctypes.data\n"
                "n = 17; t = 0.5; out = ctypes.POINTER(ctypes.c_int64)(); count = ctypes.c_size_t()",
                "(f(p, n, t, out, count), free(out))",
            ),
            Pattern(
                "fnv1a",
                "fnv1a",
                "bc_fnv1a(data, 16)",
                _CTYPES + "f = L.bc_fnv1a; data = b'0123456789abcdef'; n = 16",
                "f(data, n)",
            ),
            Pattern(
                "repeat",
                "repeat",
                'bc_repeat("ab", 2, 8, &out, &len), then bc_free(out)',
                _CTYPES + "f = L.bc_repeat; free = L.bc_free; s = b'ab'; size = 2; n = 8\n"
                "out = ctypes.POINTER(ctypes.c_char)(); out_size = ctypes.c_size_t()",
                "(f(s, size, n, out, out_size), free(out))",
            ),
            Pattern(
                "describe",
                "describe",
                "bc_describe(x, 8, &stats)",
                _CTYPES + "f = L.bc_describe; x = floats(8); p = x.ctypes.data; n = 8\nout = L.bc_stats()",
                "f(p, n, out)",
            ),
            Pattern(
                "events_total",
                "events_total",
                "bc_events_total(ev, 8, 1)",
                _CTYPES + "f = L.bc_events_total; e = events(8); p = e.ctypes.data; n = 8; kind = 1",
                "f(p, n, kind)",
            ),
            Pattern(
                "update",
                "update",
                "bc_detector_update(d, 0.5, &run)",
                _CTYPES_DETECTOR + "f = L.bc_detector_update; v = 0.5; run = ctypes.c_int64()",
                "f(handle, v, run)",
            ),
            Pattern(
                "update_many",
                "update_many",
                "bc_detector_update_many(d, x, 8, runs, NULL, NULL), runs made in advance",
                _CTYPES_DETECTOR
                + "f = L.bc_detector_update_many; x = floats(8); runs = numpy.empty(8, numpy.int64)\n"
                "p = x.ctypes.data; q = runs.ctypes.data; n = 8; check = L.NO_CHECK; ctx = None",
                "f(handle, p, n, q, check, ctx)",
            ),
            Pattern(
                "integrate",
                "integrate",
                "bc_integrate(g, NULL, NULL, 0, 1, 100, &result), g a CFUNCTYPE of a Python function",
                _CTYPES
                + _CALLBACK
                + "cb = L.bc_func(g); f = L.bc_integrate; check = L.NO_CHECK; ctx = None\n"
                f"a = 0.0; b = 1.0; n = {INTEGRATE_INTERVALS}; out = ctypes.c_double()",
                "f(cb, check, ctx, a, b, n, out)",
                per=INTEGRATE_INTERVALS + 1,
            ),
            Pattern(
                "create_close",
                "create_close",
                "bc_detector_create then bc_detector_destroy",
                _CTYPES + "create = L.bc_detector_create; destroy = L.bc_detector_destroy\n"
                "model = L.bc_normal_gamma(0.0, 1.0, 1.0, 1.0)\n"
                f"hazard = L.bc_hazard(0.01, {SMALL_RUN_LENGTH}); handle = L.bc_detector_p()",
                "(create(model, hazard, handle), destroy(handle))",
            ),
        )
    },
    "cffi": {
        p.name: p
        for p in (
            Pattern("noop", "noop", "lib.bc_noop()", _CFFI + "f = lib.bc_noop", "f()"),
            Pattern(
                "add",
                "add",
                "lib.bc_add(2, 3, out)",
                _CFFI + "f = lib.bc_add; a = 2; b = 3; out = ffi.new('int64_t *')",
                "f(a, b, out)",
            ),
            Pattern(
                "sum6",
                "sum6",
                "lib.bc_sum6(1.0, ..., 6.0)",
                _CFFI + "f = lib.bc_sum6; a, b, c, d, e, g = 1.0, 2.0, 3.0, 4.0, 5.0, 6.0",
                "f(a, b, c, d, e, g)",
            ),
            Pattern(
                "dsum",
                "dsum",
                "lib.bc_dsum(x, 8)",
                _CFFI + "f = lib.bc_dsum; x = floats(8); p = ffi.from_buffer('double[]', x); n = 8",
                "f(p, n)",
            ),
            Pattern(
                "scale",
                "scale",
                "lib.bc_scale(x, 8, 2.0, y), y made in advance",
                _CFFI + "f = lib.bc_scale; x = floats(8); y = numpy.empty(8)\n"
                "p = ffi.from_buffer('double[]', x); q = ffi.from_buffer('double[]', y); n = 8; k = 2.0",
                "f(p, n, k, q)",
            ),
            Pattern(
                "matvec",
                "matvec",
                "lib.bc_matvec(A, 4, 4, 4, x, y), y made in advance",
                _CFFI + "f = lib.bc_matvec; A = floats(16); x = floats(4); y = numpy.empty(4)\n"
                "pa = ffi.from_buffer('double[]', A); px = ffi.from_buffer('double[]', x)\n"
                "py = ffi.from_buffer('double[]', y); m = 4",
                "f(pa, m, m, m, px, py)",
            ),
            Pattern(
                "find_peaks",
                "find_peaks",
                "lib.bc_find_peaks(x, 17, 0.5, out, count), then lib.bc_free(out[0])",
                _CFFI + "f = lib.bc_find_peaks; free = lib.bc_free; x = alternating(8)\n"
                "p = ffi.from_buffer('double[]', x); n = 17; t = 0.5\n"
                "out = ffi.new('int64_t **'); count = ffi.new('size_t *')",
                "(f(p, n, t, out, count), free(out[0]))",
            ),
            Pattern(
                "fnv1a",
                "fnv1a",
                "lib.bc_fnv1a(data, 16)",
                _CFFI + "f = lib.bc_fnv1a; data = ffi.from_buffer(b'0123456789abcdef'); n = 16",
                "f(data, n)",
            ),
            Pattern(
                "repeat",
                "repeat",
                'lib.bc_repeat(b"ab", 2, 8, out, size), then lib.bc_free(out[0])',
                _CFFI + "f = lib.bc_repeat; free = lib.bc_free; s = b'ab'; size = 2; n = 8\n"
                "out = ffi.new('char **'); out_size = ffi.new('size_t *')",
                "(f(s, size, n, out, out_size), free(out[0]))",
            ),
            Pattern(
                "describe",
                "describe",
                "lib.bc_describe(x, 8, stats)",
                _CFFI + "f = lib.bc_describe; x = floats(8); p = ffi.from_buffer('double[]', x); n = 8\n"
                "out = ffi.new('bc_stats *')",
                "f(p, n, out)",
            ),
            Pattern(
                "events_total",
                "events_total",
                "lib.bc_events_total(ev, 8, 1)",
                _CFFI + "f = lib.bc_events_total; e = events(8)\n"
                "p = ffi.cast('bc_event *', ffi.from_buffer(e)); n = 8; kind = 1",
                "f(p, n, kind)",
            ),
            Pattern(
                "update",
                "update",
                "lib.bc_detector_update(d, 0.5, run)",
                _CFFI_DETECTOR + "f = lib.bc_detector_update; v = 0.5; run = ffi.new('int64_t *')",
                "f(handle, v, run)",
            ),
            Pattern(
                "update_many",
                "update_many",
                "lib.bc_detector_update_many(d, x, 8, runs, NULL, NULL), runs made in advance",
                _CFFI_DETECTOR + "f = lib.bc_detector_update_many; x = floats(8)\n"
                "runs = numpy.empty(8, numpy.int64); p = ffi.from_buffer('double[]', x)\n"
                "q = ffi.from_buffer('int64_t[]', runs); n = 8; check = ctx = ffi.NULL",
                "f(handle, p, n, q, check, ctx)",
            ),
            Pattern(
                "integrate",
                "integrate",
                "lib.bc_integrate(g, NULL, NULL, 0, 1, 100, result), g an ffi.callback of a Python function",
                _CFFI
                + _CALLBACK
                + "cb = ffi.callback('bc_func', g); f = lib.bc_integrate; check = ctx = ffi.NULL\n"
                f"a = 0.0; b = 1.0; n = {INTEGRATE_INTERVALS}; out = ffi.new('double *')",
                "f(cb, check, ctx, a, b, n, out)",
                per=INTEGRATE_INTERVALS + 1,
            ),
            Pattern(
                "create_close",
                "create_close",
                "bc_detector_create then bc_detector_destroy",
                _CFFI + "create = lib.bc_detector_create; destroy = lib.bc_detector_destroy\n"
                "model = ffi.new('bc_normal_gamma *', [0.0, 1.0, 1.0, 1.0])\n"
                f"hazard = ffi.new('bc_hazard *', [0.01, {SMALL_RUN_LENGTH}]); slot = ffi.new('bc_detector **')",
                "(create(model, hazard, slot), destroy(slot[0]))",
            ),
        )
    },
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
