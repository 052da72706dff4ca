"""Detector: a Python class that owns one opaque ``bc_detector *``."""

from __future__ import annotations

import threading
import weakref
from ctypes import c_double, c_int64, c_size_t, memmove
from typing import Any, SupportsFloat, SupportsIndex

import numpy as np

from .._reentry import refuse_reentry
from ._convert import address, float64_address, int64
from ._errors import raise_for_status
from ._library import (
    BC_CHECK_INTERVAL,
    BC_EINVAL,
    BC_OK,
    NO_CHECK,
    bc_detector_create,
    bc_detector_destroy,
    bc_detector_p,
    bc_detector_posterior,
    bc_detector_reset,
    bc_detector_steps,
    bc_detector_update,
    bc_detector_update_many,
    bc_hazard,
    bc_normal_gamma,
)

_INT64 = np.dtype(np.int64)
#: Bytes per element of xs (float64) and of the run lengths (int64) alike.
_ITEM_SIZE = 8


class Detector:
    """Bayesian online change-point detector (``bindings._interface.Detector``)."""

    # Until __init__ has a handle (and after close()), there is nothing to free.
    _handle: bc_detector_p | None = None

    def __init__(
        self,
        hazard: SupportsFloat = 0.01,
        mu0: SupportsFloat = 0.0,
        kappa0: SupportsFloat = 1.0,
        alpha0: SupportsFloat = 1.0,
        beta0: SupportsFloat = 1.0,
        max_run_length: SupportsIndex = 500,
    ) -> None:
        # Setting a c_double field converts like a c_double argument: TypeError
        # for non-numbers. The int64 field would wrap silently, hence int64().
        model = bc_normal_gamma(mu0=mu0, kappa0=kappa0, alpha0=alpha0, beta0=beta0)
        rate = bc_hazard(rate=hazard, max_run_length=int64(max_run_length, "max_run_length"))
        handle = bc_detector_p()
        # Pointer parameters take the structs themselves, by reference.
        status = bc_detector_create(model, rate, handle)
        if status:
            raise_for_status(status, "Detector")
        self._handle = handle
        # region: detector-lock
        # ctypes releases the GIL for every foreign call, so without this lock
        # two threads could be inside the core on this detector at once. A
        # thread that finds it taken waits in Lock.acquire, which releases the
        # GIL, so it cannot stall an update_many in flight.
        self._lock = threading.Lock()
        # The thread inside update_many, with the lock held, else 0: signal
        # handlers run on it between two slices (see bindings/_reentry.py).
        self._updating_thread = 0
        # endregion: detector-lock
        # The posterior never moves (bcore.h), so its address is read once.
        length = c_size_t()
        self._posterior: int = bc_detector_posterior(handle, length)
        self._length: int = length.value
        # The base objects of live posterior views; they vanish from the set
        # when the last array over them dies. Made by the first view: most
        # detectors never have one, and a WeakSet costs more to make than the
        # rest of the detector's Python state together.
        self._views: weakref.WeakSet[_PosteriorBuffer] | None = None

    # Frees the handle of a detector garbage-collected unclosed. __del__ runs
    # only once nothing can reach the detector, posterior views included (their
    # base holds it), so it never pulls the buffer from under a view, and it
    # costs nothing until then, where a weakref.finalize is an object and a
    # registry entry made by every __init__, one of its costliest steps.
    # bc_detector_destroy is bound as a default: module globals may be gone
    # when __del__ runs at exit.
    def __del__(self, bc_detector_destroy: Any = bc_detector_destroy) -> None:
        handle = self._handle
        if handle is not None:
            bc_detector_destroy(handle)

    def _open_handle(self) -> bc_detector_p:
        """The C handle, ValueError once closed. Call it with the lock held."""
        if self._handle is None:
            raise ValueError("the detector is closed")
        return self._handle

    def update(self, x: SupportsFloat, /) -> int:
        # Converted before the lock, by the constructor that keeps the real
        # exception: x.__float__ may update or close this detector.
        value = c_double(x)
        run_length = c_int64()
        if self._updating_thread:
            refuse_reentry(self._updating_thread, "Detector.update")
        with self._lock:
            status = bc_detector_update(self._open_handle(), value, run_length)
        if status:
            raise_for_status(status, "Detector.update")
        return run_length.value

    # region: update-many
    def update_many(self, xs: Any, /) -> np.ndarray:
        xs, start = float64_address(xs, 1, "xs")
        size = len(xs)
        run_lengths = np.empty(size, _INT64)
        out = address(run_lengths)
        # Ctrl-C: no bc_check. A ctypes callback cannot carry an exception out
        # (ctypes prints it and drops it), and CPython 3.11+ raises a pending
        # KeyboardInterrupt at a Python callback's entry, before any `try` in
        # it runs. So the core gets slices of about a millisecond of work (a
        # step costs up to max_run_length + 1 of the check interval's units),
        # and the interpreter runs signal handlers between two of them, in
        # this frame, where the exception is an ordinary one. The lock stays
        # held across the slices, so no other thread sees a half-done
        # update_many; an interrupted one keeps the steps done so far.
        per_call = max(1, BC_CHECK_INTERVAL // self._length)
        if self._updating_thread:
            refuse_reentry(self._updating_thread, "Detector.update_many")
        with self._lock:
            # Set and cleared under the lock, so it names only this call's thread.
            self._updating_thread = threading.get_ident()
            try:
                handle = self._open_handle()
                # The core checks every x before its first step, but only within
                # one call: across slices, the check is made here.
                status = BC_OK if size <= per_call or np.isfinite(xs).all() else BC_EINVAL
                done = 0
                while not status and done < size:
                    count = min(per_call, size - done)
                    offset = done * _ITEM_SIZE
                    status = bc_detector_update_many(
                        handle, start + offset, count, out + offset, NO_CHECK, None
                    )
                    done += count
            finally:
                self._updating_thread = 0
        if status:
            raise_for_status(status, "Detector.update_many")
        return run_lengths

    # endregion: update-many

    def posterior(self) -> np.ndarray:
        copy = np.empty(self._length)
        if self._updating_thread:
            refuse_reentry(self._updating_thread, "Detector.posterior")
        with self._lock:  # so the copy never catches a step half done
            self._open_handle()
            memmove(address(copy), self._posterior, copy.nbytes)
        return copy

    # region: posterior-view
    def posterior_view(self) -> np.ndarray:
        if self._updating_thread:
            refuse_reentry(self._updating_thread, "Detector.posterior_view")
        with self._lock:
            self._open_handle()
            buffer = _PosteriorBuffer(self)
            if self._views is None:
                self._views = weakref.WeakSet()
            self._views.add(buffer)
        return np.asarray(buffer)

    # endregion: posterior-view

    @property
    def t(self) -> int:
        if self._updating_thread:
            refuse_reentry(self._updating_thread, "Detector.t")
        with self._lock:
            return bc_detector_steps(self._open_handle())

    def reset(self) -> None:
        if self._updating_thread:
            refuse_reentry(self._updating_thread, "Detector.reset")
        with self._lock:
            bc_detector_reset(self._open_handle())

    # region: close
    def close(self) -> None:
        if self._updating_thread:
            refuse_reentry(self._updating_thread, "Detector.close")
        with self._lock:  # waits for a call in flight on another thread
            if self._handle is None:
                return
            if self._views:
                raise BufferError(
                    f"cannot close a Detector while {len(self._views)} posterior view(s) of it exist"
                )
            handle, self._handle = self._handle, None
            bc_detector_destroy(handle)

    # endregion: close

    @property
    def closed(self) -> bool:
        return self._handle is None

    def __enter__(self) -> Detector:
        if self._updating_thread:
            refuse_reentry(self._updating_thread, "Detector.__enter__")
        with self._lock:
            self._open_handle()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"max_run_length={self._length - 1}"
        return f"<bindings.ctypes.Detector {state}>"


class _PosteriorBuffer:
    """The base object of posterior views.

    It publishes the detector's posterior through NumPy's array interface,
    flagged read-only at the source (so no view can set WRITEABLE back), and
    holds the detector, which keeps the C buffer alive for as long as any
    array over it exists: views of views keep it too, as their ``base``
    chain ends here. (An ndarray over a ``c_double * n`` array from
    ``from_address`` would be writable on request, and would create and
    cache one ctypes array type per length.)
    """

    __slots__ = ("__array_interface__", "__weakref__", "detector")

    def __init__(self, detector: Detector) -> None:
        self.detector = detector
        self.__array_interface__ = {
            "version": 3,
            "shape": (detector._length,),
            "typestr": np.dtype(np.float64).str,
            "data": (detector._posterior, True),  # (address, read-only)
        }
