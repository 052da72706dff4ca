"""C calling back into Python: integrate's integrand, find_peaks_into's allocator, and the
check that lets Ctrl-C stop Detector.update_many.

_build.py declares each as ``extern "Python"``; cffi compiles a static C
function of each signature, and ``@ffi.def_extern()`` below attaches its
Python body. What a callback needs, and where its exception goes, travel
through the C ``void *ctx`` as a handle (``ffi.new_handle``), one per call,
never in a global: so the calls are re-entrant (f may itself call
integrate) and thread-safe. cffi takes the GIL back to run a body, while the
rest of the C call runs without it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from operator import index
from types import TracebackType
from typing import Any, SupportsFloat, SupportsIndex

import numpy as np
import numpy.typing as npt

from ._cffi_bcore import ffi, lib
from ._convert import as_float64
from ._errors import raise_for_status

_DOUBLES = ffi.typeof("double[]")
_DOUBLE_P = ffi.typeof("double *")
_INT64 = np.dtype(np.int64)
_VOID_P = ffi.typeof("void *")


class _Call:
    """The ctx of one C call that calls back: a slot for the callback's exception."""

    __slots__ = ("error",)

    def __init__(self) -> None:
        self.error: BaseException | None = None

    def pop_error(self) -> BaseException | None:
        """The stored exception, dropped from here so that no cycle runs through
        it: exception -> traceback -> the caller's frame -> this ctx -> exception."""
        error, self.error = self.error, None
        return error


class _Integrand(_Call):
    """The ctx of one integrate() call: the Python callable."""

    __slots__ = ("f",)

    def __init__(self, f: Callable[[float], SupportsFloat]) -> None:
        super().__init__()
        self.f = f


class _Allocation(_Call):
    """The ctx of one find_peaks_into() call: the array the allocator made."""

    __slots__ = ("array",)

    def __init__(self) -> None:
        super().__init__()
        self.array: npt.NDArray[np.int64] | None = None


def _escaped(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    # Why the bodies below do not leave their errors to def_extern: by
    # default cffi prints the exception to stderr and returns `error` to C,
    # so the exception is lost; and `onerror` gets only (type, value,
    # traceback), not the call's ctx, so it could keep the exception only in
    # a global or by digging in the traceback. So each body catches
    # everything itself, with ctx at hand, and this handler is a backstop
    # for what is raised before a body's `try` runs: a Python signal handler
    # (Ctrl-C while C runs) runs as soon as the callback starts. For that
    # case, cffi's documentation gives the recipe: the traceback's outermost
    # frame is the callback's, and its locals hold the C arguments.
    # Returning None makes cffi return the callback's `error` value to C.
    if tb is not None:
        ffi.from_handle(tb.tb_frame.f_locals["ctx"]).error = exc


# region: integrand
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


# endregion: integrand


# region: check-signals
# The bc_check of update_many. Its body does nothing, on purpose: the eval
# loop runs pending signal handlers as a Python function starts (CPython
# 3.11+: at its RESUME instruction; 3.10: before its first instruction), so
# a Ctrl-C that came while the core ran is raised right at this callback's
# entry. cffi hands that exception to onerror, and _escaped stores it in the
# call's ctx; cffi returns error=1 to C, the core stops with BC_ECALLBACK, and
# the caller re-raises it. cffi's C takes the GIL for the call, so the core
# may call this without it. Signal handlers run only in the main thread, so
# callers pass it only there: elsewhere it would take the GIL for nothing.
@ffi.def_extern(onerror=_escaped, error=1)
def cffi_check_signals(ctx: Any) -> int:
    return 0


def check_signals() -> tuple[Any, Any, _Call | None]:
    """The (check, ctx) pair for a core call that takes a bc_check, and the call state behind ctx.

    In the main thread: cffi_check_signals and a handle to a fresh _Call, which
    holds what it raised; keep the handle alive until the core returns.
    Elsewhere: NULL, NULL and None (no signal handler runs there).
    """
    if threading.current_thread() is not threading.main_thread():
        return ffi.NULL, ffi.NULL, None
    call = _Call()
    return lib.cffi_check_signals, ffi.new_handle(call), call


# endregion: check-signals


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
    result = ffi.new(_DOUBLE_P)
    # No check (NULL): cffi_integrand is Python, entered at every point, so a
    # Ctrl-C is raised at its entry, stored by _escaped, and stops the core
    # there, sooner than a check would (see cffi_check_signals).
    status = lib.bc_integrate(lib.cffi_integrand, ffi.NULL, handle, a, b, n, result)
    if status:  # BC_ECALLBACK: f's own exception object, unchanged
        raise_for_status(status, "integrate", integrand.pop_error())
    return result[0]


# region: allocator
# error defaults to NULL, which makes the core return BC_ECALLBACK.
@ffi.def_extern(onerror=_escaped)
def cffi_allocate_int64(count: int, size: int, ctx: Any) -> Any:
    # The core asks for int64_t elements, so `size` is always 8: the dtype says it.
    allocation = ffi.from_handle(ctx)
    try:
        array = np.empty(count, dtype=_INT64)
    except BaseException as exc:  # stored; find_peaks_into() re-raises it once C has returned
        allocation.error = exc
        return ffi.NULL  # the core then returns BC_ECALLBACK
    # The array owns the memory and `allocation` owns the array, so the
    # pointer stays valid while C writes; NumPy never hands out NULL, not
    # even for count == 0.
    allocation.array = array
    return ffi.cast(_VOID_P, array.__array_interface__["data"][0])


# endregion: allocator


# region: find-peaks-into
def find_peaks_into(x: npt.ArrayLike, threshold: SupportsFloat, /) -> npt.NDArray[np.int64]:
    """find_peaks' result, written by C straight into an array Python allocated."""
    arr = as_float64(x, 1, "find_peaks_into")
    allocation = _Allocation()
    handle = ffi.new_handle(allocation)  # a local, so it outlives the C call
    # The helper keeps bc_find_peaks_into's count in C: the array knows its length.
    status = lib.cffi_find_peaks_into(
        ffi.from_buffer(_DOUBLES, arr), len(arr), threshold, lib.cffi_allocate_int64, handle
    )
    if status:  # BC_ECALLBACK: the allocator's own exception, e.g. MemoryError
        raise_for_status(status, "find_peaks_into", allocation.pop_error())
    return allocation.array  # every element written


# endregion: find-peaks-into
