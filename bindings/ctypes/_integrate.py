"""integrate(): C calls back into Python, and Python's exceptions must survive the trip.

ctypes cannot propagate an exception through C: if a callback raises, it
prints the traceback and hands C an unspecified return value. So the
trampoline catches everything, stores it, and returns non-zero; the core
stops and returns BC_ECALLBACK; the wrapper re-raises the very same
exception object, traceback included.

Trade-off: one trampoline for the whole module, created at import, with the
per-call state passed through the ``void *ctx`` that the C API provides for
exactly this. A fresh closure per call (``bc_func(lambda x, ctx, y: ...)``)
would read more simply, but allocates a libffi closure (executable memory)
on every integrate() and must be kept alive by hand until C is done with it.
Here the only per-call object is a plain ``_Call``, which is what makes
integrate re-entrant (f may call integrate) and thread-safe with no
module-level mutable state. The ctx is a borrowed ``PyObject *``: ``call``
outlives bc_integrate because the wrapper holds it.
"""

from __future__ import annotations

from collections.abc import Callable
from ctypes import ArgumentError, _Pointer, byref, c_double
from typing import SupportsFloat, SupportsIndex

from ._errors import real_error, status_error
from ._library import bc_func, bc_integrate
from ._scalars import count


class _Call:
    """The state of one integrate() call: the integrand and what it raised."""

    __slots__ = ("error", "f")

    def __init__(self, f: Callable[[float], SupportsFloat]) -> None:
        self.f = f
        self.error: BaseException | None = None

    def pop_error(self) -> BaseException | None:
        # Cleared on the way out: the exception's traceback holds the
        # trampoline's frame, which holds this object (a reference cycle).
        error, self.error = self.error, None
        return error


# region: ch10-trampoline
# region: trampoline
@bc_func
def _trampoline(x: float, call: _Call, y: _Pointer[c_double]) -> int:
    try:
        y[0] = call.f(x)  # the c_double conversion raises TypeError for a non-number
    except BaseException as exc:  # KeyboardInterrupt too: it must reach the caller
        call.error = exc
        return 1
    return 0
    # endregion: trampoline
    # endregion: ch10-trampoline


def integrate(
    f: Callable[[float], SupportsFloat], a: SupportsFloat, b: SupportsFloat, n: SupportsIndex, /
) -> float:
    if not callable(f):
        raise TypeError(f"integrate: f must be callable, not {type(f).__name__}")
    intervals = count(n, "n")
    call = _Call(f)
    result = c_double()
    try:
        status = bc_integrate(_trampoline, call, a, b, intervals, byref(result))
    except ArgumentError:
        raise real_error(a, b) from None
    if status:
        raise status_error(status, "integrate", call.pop_error())
    return result.value
