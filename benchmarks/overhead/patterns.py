"""The call patterns the overhead check measures, and the loops that measure them.

A pattern is ``(setup, statement)``. ``setup`` is Python source run once with the
backend module bound to ``core`` (and ``numpy`` imported); every name it leaves
behind becomes a local variable of the measuring loop, so ``statement`` reads only
fast locals and what one iteration costs beyond the loop itself is the call.

Each pattern is measured with two loops of the same shape, the same arguments and
the same number of iterations: one runs ``statement``, the other ``pass``. The
difference of their instruction counts, divided by the iterations, is the
instructions one call costs: the loop, the range iterator and the measuring
harness cancel out exactly.

Functions are called through a local name; ``Detector.update`` is written as a
method call, because the attribute lookup is part of what a method costs and it
differs between the technologies. The inputs match ``benchmarks/helpers.py``,
except that every detector here is small (see below).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy

# region: ch12-patterns
#: name -> (setup, statement), in report order.
PATTERNS: dict[str, tuple[str, str]] = {
    "noop": ("f = core.noop", "f()"),
    "add": ("f = core.add", "f(2, 3)"),
    "sum6": ("f = core.sum6", "f(1.0, 2.0, 3.0, 4.0, 5.0, 6.0)"),
    "dsum": ("f = core.dsum; x = numpy.arange(8.0)", "f(x)"),
    "fnv1a": ("f = core.fnv1a; data = b'0123456789abcdef'", "f(data)"),
    "describe": ("f = core.describe; x = numpy.arange(8.0)", "f(x)"),
    # Detectors this small keep the core's O(max_run_length) work out of the figures
    # (with the default 500, creating one costs the core some 700,000 instructions).
    "Detector.update": ("d = core.Detector(max_run_length=8)", "d.update(0.5)"),
    # n = 1: one call of integrate and its two callbacks (at a and at b).
    "integrate": ("f = core.integrate\ndef g(x):\n    return x", "f(g, 0.0, 1.0, 1)"),
    "Detector+close": ("D = core.Detector", "D(max_run_length=8).close()"),
}
# endregion: ch12-patterns

# region: ch12-loop
_LOOP = """\
def loop(_n, {params}):
    for _ in range(_n):
        {statement}
"""
# endregion: ch12-loop

Loop = Callable[..., None]


def load(path: str | Path | None) -> dict[str, tuple[str, str]]:
    """PATTERNS, or the patterns of a JSON file ``{"name": ["setup", "statement"], ...}``."""
    if path is None:
        return dict(PATTERNS)
    data = json.loads(Path(path).read_text())
    return {name: (setup, statement) for name, (setup, statement) in data.items()}


def build(core: ModuleType, name: str, setup: str, statement: str) -> tuple[Loop, Loop, tuple[Any, ...]]:
    """(empty loop, calling loop, their arguments after the iteration count)."""
    namespace: dict[str, Any] = {"core": core, "numpy": numpy}
    exec(compile(setup, f"<setup of {name}>", "exec"), namespace)
    params = sorted(key for key in namespace if not key.startswith("__"))

    def make(body: str) -> Loop:
        scope: dict[str, Any] = {}
        source = _LOOP.format(params=", ".join(params), statement=body)
        exec(compile(source, f"<loop of {name}>", "exec"), scope)
        return scope["loop"]

    return make("pass"), make(statement), tuple(namespace[key] for key in params)
