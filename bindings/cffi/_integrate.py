"""integrate: C calls back into Python through cffi's ``extern "Python"``.

_build.py declares ``extern "Python" int cffi_integrand(double, void *, double *)``;
cffi compiles a static C function of that signature, and ``@ffi.def_extern()``
below attaches its Python body. Which Python callable it runs, and where its
exception goes, travel through the C ``void *ctx`` as a handle
(``ffi.new_handle``), one per call, never in a global: so integrate() is
re-entrant (f may itself call integrate) and thread-safe.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import index
from types import TracebackType
from typing import Any, SupportsFloat, SupportsIndex

from ._cffi_bcore import ffi, lib
from ._errors import raise_for_status


class _Integrand:
    """The ctx of one integrate() call: the callable, and a slot for its exception."""

    __slots__ = ("error", "f")

    def __init__(self, f: Callable[[float], SupportsFloat]) -> None:
        self.f = f
        self.error: BaseException | None = None


def _escaped(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> int:
    # Why the body below does not leave its errors to def_extern: by default
    # cffi prints the exception to stderr and returns `error` to C, so the
    # exception is lost; and `onerror` gets only (type, value, traceback),
    # not the call's ctx, so it could keep the exception only in a global or
    # by digging in the traceback. So the body catches everything itself,
    # with ctx at hand, and this handler is a backstop for what is raised
    # before the body's `try` runs: a Python signal handler (Ctrl-C while C
    # integrates) runs as soon as the callback starts. For that case, cffi's
    # documentation gives the recipe: the traceback's outermost frame is the
    # callback's, and its locals hold the C arguments.
    if tb is not None:
        ffi.from_handle(tb.tb_frame.f_locals["ctx"]).error = exc
    return 1


# region: ch10-trampoline
# region: callback
# error=1: should even _escaped fail, C still gets non-zero and stops.
@ffi.def_extern(onerror=_escaped, error=1)
def cffi_integrand(x: float, ctx: Any, y: Any) -> int:
    integrand = ffi.from_handle(ctx)
    try:
        # cffi converts the result as it converts a double argument:
        # TypeError for a str or any other non-number.
        y[0] = integrand.f(x)
    except BaseException as exc:  # stored; integrate() re-raises it once C has returned
        integrand.error = exc
        return 1  # non-zero: bc_integrate stops at once
    return 0
    # endregion: callback
    # endregion: ch10-trampoline


def integrate(
    f: Callable[[float], SupportsFloat], a: SupportsFloat, b: SupportsFloat, n: SupportsIndex, /
) -> float:
    """Trapezoid rule of f over [a, b] with n intervals (n + 1 calls of f)."""
    if not callable(f):
        raise TypeError(f"integrate: f must be callable, not {type(f).__name__}")
    n = index(n)
    if n < 1:  # n == 0 is BC_EINVAL; a negative n would be cffi's OverflowError
        raise ValueError(f"integrate: n must be >= 1, not {n}")
    integrand = _Integrand(f)
    # The handle must outlive the C call: from_handle() on the void * of a
    # dead handle is undefined behaviour. This local keeps it alive.
    handle = ffi.new_handle(integrand)
    result = ffi.new("double *")
    status = lib.bc_integrate(lib.cffi_integrand, handle, a, b, n, result)
    if status == lib.BC_ECALLBACK and integrand.error is not None:
        try:
            raise integrand.error  # the callback's own exception object, unchanged
        finally:
            # Breaks the cycle exception -> traceback -> callback's frame ->
            # integrand -> exception, so the frames go as soon as the caller
            # drops the exception (as concurrent.futures does).
            integrand.error = None
    if status:
        raise_for_status(status, "integrate")
    return result[0]
