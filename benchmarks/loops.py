"""The one loop builder: what a call costs, net of the loop that repeats it.

``build(locals_, statement)`` generates two functions of the same shape, as
``timeit`` generates its inner loop::

    def loop(_n, f, a, b):          def loop(_n, f, a, b):
        for _ in range(_n):             for _ in range(_n):
            f(a, b)                         pass
            f(a, b)
            ... (K times)

The callee and its arguments arrive as parameters, so the body reads only fast
locals and calls positionally, as user code does; CPython 3.11+ then specialises
each call site as it would in that code (``call_path`` tells which way). One
iteration makes K calls, so the loop's own cost (``FOR_ITER``, the range iterator)
is shared by K calls, and it is then subtracted exactly: the empty loop runs the
same number of iterations with the same arguments. Per call::

    (time(calls loop, n) - time(empty loop, n)) / (n * K)

pytest-benchmark times the calls loop (``measure``); the empty loop is timed right
before each of its rounds. The overhead check counts the same two loops under
callgrind, where the subtraction is exact.
"""

from __future__ import annotations

import dis
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: Calls per loop iteration: enough that the loop's own cost is a small share, few
#: enough that the body stays in one cache line's worth of bytecode per call site.
K = 10

# region: loop-builder
_LOOP = """\
def loop(_n, {params}):
    for _ in range(_n):
{body}
"""


@dataclass(frozen=True)
class Loops:
    """The calls loop and the empty loop of one statement, and their arguments."""

    calls: Callable[..., None]
    empty: Callable[..., None]
    args: tuple[Any, ...]
    k: int


def build(locals_: dict[str, Any], statement: str, k: int = K, name: str = "statement") -> Loops:
    """Two loops over ``locals_`` (passed as arguments): K copies of ``statement``, and ``pass``."""
    params = sorted(locals_)

    def make(body: str) -> Callable[..., None]:
        scope: dict[str, Any] = {}
        source = _LOOP.format(params=", ".join(["*_"] if not params else params), body=body)
        exec(compile(source, f"<loop of {name}>", "exec"), scope)
        return scope["loop"]

    calls = make("\n".join(f"        {statement}" for _ in range(k)))
    return Loops(calls=calls, empty=make("        pass"), args=tuple(locals_[p] for p in params), k=k)


# endregion: loop-builder


def seconds(function: Callable[..., None], n: int, args: tuple[Any, ...]) -> float:
    begin = time.perf_counter()
    function(n, *args)
    return time.perf_counter() - begin


def calibrate(loops: Loops, target: float) -> tuple[int, float]:
    """(iterations that make one round of the calls loop last at least ``target`` seconds,
    how long that round took)."""
    n = 1
    while True:
        took = seconds(loops.calls, n, loops.args)
        if took >= target or n >= 1 << 30:
            return n, took
        n *= 2


def net_ns(loops: Loops, n: int, repeat: int = 5) -> float:
    """Nanoseconds per call, best of ``repeat`` rounds of each loop (the tests' quick estimate)."""
    best_calls = min(seconds(loops.calls, n, loops.args) for _ in range(repeat))
    best_empty = min(seconds(loops.empty, n, loops.args) for _ in range(repeat))
    return (best_calls - best_empty) / (n * loops.k) * 1e9


#: Call-family instructions (3.11 specialises PRECALL, 3.12+ CALL) and what a
#: statement without a call (``x * k``) specialises instead.
_FAMILIES = ("PRECALL", "CALL", "BINARY_OP")


def call_path(loops: Loops, warm: bool = True) -> str:
    """The specialised instruction(s) the first call site of the calls loop runs, after warm-up.

    E.g. ``CALL_BUILTIN_FAST`` (a METH_FASTCALL builtin, 3.13), ``CALL_NON_PY_GENERAL``
    (a callable CPython does not specialise for, through vectorcall or tp_call),
    ``CALL_PY_EXACT_ARGS`` (a Python function). "CALL (unspecialised)": the site runs
    the generic path. Before 3.11 CPython does not specialise: "n/a".
    """
    if sys.version_info < (3, 11):
        return "n/a"
    if warm:  # past the adaptive counters' warm-up, as the timed rounds are
        for _ in range(2):
            loops.calls(16, *loops.args)
    names: list[str] = []
    seen_loop_body = False
    for instruction in dis.get_instructions(loops.calls, adaptive=True):
        if instruction.opname.startswith("FOR_ITER"):
            seen_loop_body = True
            continue
        if not seen_loop_body:
            continue
        if instruction.opname.startswith(_FAMILIES) and instruction.opname not in names:
            names.append(instruction.opname)
        if instruction.opname in ("POP_TOP", "STORE_FAST") and names:
            break  # the end of the first statement
    # 3.11 shows a site not (yet) specialised as *_ADAPTIVE; 3.12+ as the bare family name.
    specialised = [name for name in names if not name.endswith("_ADAPTIVE") and name not in _FAMILIES]
    if specialised:
        return " + ".join(specialised)
    return "CALL (unspecialised)" if names else "—"
