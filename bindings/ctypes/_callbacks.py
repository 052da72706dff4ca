"""Callbacks: C calls back into Python (integrate, the find_peaks_into allocator); exceptions survive.

ctypes cannot propagate an exception through C: if a callback raises, ctypes
reports it to ``sys.unraisablehook`` and hands C an unspecified return value.
So each callback here catches everything, stores it, and returns what stops
the core (non-zero, NULL); the core returns BC_ECALLBACK; the wrapper
re-raises the very same exception object, traceback included.

The two callbacks get their state in two ways. integrate's trampoline is one
for the whole module, created at import, and each call's state travels
through the ``void *ctx`` that the C API provides for exactly this. A fresh
closure per call (``bc_func(lambda x, ctx, y: ...)``) would read more simply,
but allocates a libffi closure (executable memory) on every integrate() and
must be kept alive by hand until C is done with it. Here the only per-call
object is a plain ``_Call``, which is what makes integrate re-entrant (f may
call integrate) and thread-safe with no module-level mutable state. The ctx
is a borrowed ``PyObject *``: ``call`` outlives bc_integrate because the
wrapper holds it. find_peaks_into's allocator runs once per call, so there
a closure per call, over that call's own state, costs little and reads
plainly.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from ctypes import ArgumentError, _Pointer, c_double, c_size_t
from typing import Any, SupportsFloat, SupportsIndex

import numpy as np

from ._convert import address, count, float64_address, real_error
from ._errors import raise_for_status
from ._library import BC_ECALLBACK, NO_CHECK, bc_allocator, bc_find_peaks_into, bc_func, bc_integrate


class _CallbackState:
    """What a callback raised during one call, kept for the wrapper to re-raise."""

    __slots__ = ("error",)

    def __init__(self) -> None:
        self.error: BaseException | None = None

    def pop_error(self) -> BaseException | None:
        # Cleared on the way out: the exception's traceback holds the
        # callback's frame, which holds this object (a reference cycle).
        error, self.error = self.error, None
        return error


# ---- integrate ---------------------------------------------------------------


class _Call(_CallbackState):
    """The state of one integrate() call: the integrand and what it raised."""

    __slots__ = ("f",)

    def __init__(self, f: Callable[[float], SupportsFloat]) -> None:
        super().__init__()
        self.f = f


# region: trampoline
def _call_integrand(x: float, call: _Call, y: _Pointer[c_double]) -> int:
    if call.error is not None:  # raised at an earlier entry (see _keep_entry_errors): stop now
        return 1
    try:
        y[0] = call.f(x)  # the c_double conversion raises TypeError for a non-number
    except BaseException as exc:  # KeyboardInterrupt too: it must reach the caller
        call.error = exc
        return 1
    return 0


_trampoline = bc_func(_call_integrand)
# endregion: trampoline


# region: entry-errors
def _keep_entry_errors(previous: Callable[[Any], object]) -> Callable[[Any], None]:
    """A ``sys.unraisablehook`` that hands an exception raised at the trampoline's entry to its call.

    The eval loop runs pending signal handlers when a Python function starts
    (CPython 3.11+: its RESUME instruction), so Ctrl-C during integrate is
    raised at the trampoline's entry, before its ``try``. ctypes then reports
    it to ``sys.unraisablehook`` ("Exception ignored on calling ctypes callback
    function") and C carries on: ctypes has no other way out of a callback.
    This hook takes such an exception back: the traceback's frame is the
    trampoline's, whose locals hold its arguments, ``call`` among them (cffi's
    documentation recommends the same for its ``onerror``). The next entry
    then stops the core. Everything else goes to the previous hook.
    """

    def hook(unraisable: Any) -> None:
        tb = unraisable.exc_traceback
        if tb is not None and tb.tb_frame.f_code is _call_integrand.__code__:
            call = tb.tb_frame.f_locals["call"]
            if call.error is None:
                call.error = unraisable.exc_value
        else:
            previous(unraisable)

    return hook


# endregion: entry-errors


def integrate(
    f: Callable[[float], SupportsFloat], a: SupportsFloat, b: SupportsFloat, n: SupportsIndex, /
) -> float:
    if not callable(f):
        raise TypeError(f"integrate: f must be callable, not {type(f).__name__}")
    intervals = count(n, "n")
    call = _Call(f)
    result = c_double()
    # No bc_check: the trampoline is Python, entered at every point, so a
    # pending signal is raised at its entry, before a check could see it; and
    # one trapezoid sum cannot be cut into calls as update_many is. So the
    # exception ctypes drops there is taken back (_keep_entry_errors). Signal
    # handlers run only in the main thread, so only there is the hook needed;
    # swapping it only there also keeps threads from racing on sys.unraisablehook.
    main = threading.current_thread() is threading.main_thread()
    if main:
        previous = sys.unraisablehook
        sys.unraisablehook = hook = _keep_entry_errors(previous)
    try:
        status = bc_integrate(_trampoline, NO_CHECK, call, a, b, intervals, result)
    except ArgumentError:
        raise real_error(a, b) from None
    finally:
        if main and sys.unraisablehook is hook:  # f may have set a hook of its own: keep it
            sys.unraisablehook = previous
    error = call.pop_error()
    if error is not None:  # even with BC_OK: the failed call may have been the last one
        raise_for_status(BC_ECALLBACK, "integrate", error)
    if status:
        raise_for_status(status, "integrate")
    return result.value


# ---- find_peaks_into ---------------------------------------------------------


class _Allocation(_CallbackState):
    """The state of one find_peaks_into() call: the array the allocator made, or what it raised."""

    __slots__ = ("array",)

    def __init__(self) -> None:
        super().__init__()
        self.array: np.ndarray | None = None


# region: find-peaks-into
def find_peaks_into(x: Any, threshold: SupportsFloat, /) -> np.ndarray:
    x, start = float64_address(x, 1, "x")
    state = _Allocation()

    # region: allocator
    # The allocator runs inside the foreign call, with the GIL that ctypes
    # takes back for every callback. NumPy owns the array it makes and C
    # writes the indices straight into it: nothing to copy, nothing to free.
    # ctypes would report an exception raised here and hand C an unspecified
    # pointer, so it is stored, and None (NULL) makes the core stop with
    # BC_ECALLBACK.
    def allocate(count: int, size: int, ctx: int | None) -> int | None:
        try:
            state.array = np.empty(count, dtype=np.int64)  # never a NULL address, even when empty
            return address(state.array)
        except BaseException as exc:  # MemoryError, KeyboardInterrupt: they must reach the caller
            state.error = exc
            return None

    # One libffi closure per call, over this call's own state. C holds only
    # its address, and only until bc_find_peaks_into returns, so a reference
    # for the length of the call keeps it alive: the local name `allocator`.
    allocator = bc_allocator(allocate)
    # endregion: allocator
    found = c_size_t()
    try:
        status = bc_find_peaks_into(start, len(x), threshold, allocator, None, found)
    except ArgumentError:
        raise real_error(threshold) from None
    if status:
        raise_for_status(status, "find_peaks_into", state.pop_error())
    assert state.array is not None  # BC_OK: the core called the allocator, once
    return state.array


# endregion: find-peaks-into
