"""The opaque handle: a Python class that owns a ``bc_detector *``."""

from __future__ import annotations

import threading
from operator import index
from typing import Any, SupportsFloat, SupportsIndex

import numpy as np
import numpy.typing as npt

from .._reentry import refuse_reentry
from ._callbacks import check_signals
from ._cffi_bcore import ffi, lib
from ._cffi_bcore.lib import bc_detector_update_many, cffi_detector_update  # bound once, as in _functions.py
from ._convert import FLOAT64, as_float64, as_real
from ._errors import raise_for_status

_DOUBLES = ffi.typeof("double[]")
_INT64 = np.dtype(np.int64)
_INT64S = ffi.typeof("int64_t[]")
_SIZE_P = ffi.typeof("size_t *")


class Detector:
    """Bayesian online change-point detector (Adams & MacKay), see bcore.h."""

    __slots__ = ("__weakref__", "_handle", "_lock", "_updating_thread", "_views")

    def __init__(
        self,
        hazard: SupportsFloat = 0.01,
        mu0: SupportsFloat = 0.0,
        kappa0: SupportsFloat = 1.0,
        alpha0: SupportsFloat = 1.0,
        beta0: SupportsFloat = 1.0,
        max_run_length: SupportsIndex = 500,
    ) -> None:
        # region: create
        # The helper builds the two parameter structs in C, from plain
        # arguments that cffi converts (TypeError for a wrong type,
        # OverflowError for an int64 out of range), and returns the status
        # and the handle by value; the core checks the values.
        created = lib.cffi_detector_create(mu0, kappa0, alpha0, beta0, hazard, index(max_run_length))
        if created.status:
            raise_for_status(created.status, "Detector")
        # ffi.gc: a detector dropped without close() is destroyed when its
        # handle is garbage-collected; close() destroys it at once with
        # ffi.release(), which runs the destructor now and never again.
        self._handle: Any = ffi.gc(created.detector, lib.bc_detector_destroy)
        # endregion: create
        # region: lock
        # The core must not see two threads on one detector, and cffi drops
        # the GIL during every call in API mode, so without this lock two
        # threads could be inside the core on the same detector. Waiting for
        # it releases the GIL, so update_many can take the GIL back meanwhile.
        self._lock = threading.Lock()
        # The thread inside update_many, with the lock held, else 0: signal
        # handlers run on it meanwhile (see bindings/_reentry.py).
        self._updating_thread = 0
        # endregion: lock
        # One anchor per live posterior view (see posterior_view). A set, so
        # that adding and discarding are single atomic operations.
        self._views: set[_ViewAnchor] = set()

    def _open_handle(self) -> Any:
        """The C handle; ValueError once closed. Hold the lock while C uses it."""
        if self._handle is None:
            raise ValueError("the detector is closed")
        return self._handle

    def update(self, x: SupportsFloat, /) -> int:
        """One observation; returns the most probable run length."""
        # Converted before the lock: x.__float__ may update or close this detector.
        value = x if type(x) is float else as_real(x)
        if self._updating_thread:
            refuse_reentry(self._updating_thread, "Detector.update")
        with self._lock:
            # The run length (>= 0), or minus the status: no out-parameter.
            run_length = cffi_detector_update(self._open_handle(), value)
        if run_length < 0:  # BC_EINVAL: x is not finite
            raise_for_status(-run_length, "Detector.update")
        return run_length

    def update_many(self, xs: npt.ArrayLike, /) -> npt.NDArray[np.int64]:
        """Many observations (1-D); the run length after each, as int64."""
        arr = as_float64(xs, 1, "Detector.update_many")
        run_lengths = np.empty(len(arr), _INT64)
        source = ffi.from_buffer(_DOUBLES, arr)
        dest = ffi.from_buffer(_INT64S, run_lengths)  # our own new array: writable
        # region: update-many-check
        # Ctrl-C stops the core between two steps (BC_ECALLBACK, the steps
        # done so far kept): `check` runs the signal handlers, and `call`
        # holds what they raised. `ctx` keeps the handle alive through the call.
        check, ctx, call = check_signals()
        if self._updating_thread:
            refuse_reentry(self._updating_thread, "Detector.update_many")
        with self._lock:
            # Set and cleared under the lock, so it names only this call's thread.
            self._updating_thread = threading.get_ident()
            try:
                status = bc_detector_update_many(self._open_handle(), source, len(arr), dest, check, ctx)
            finally:
                self._updating_thread = 0
        if status:  # BC_EINVAL: a value is not finite, the detector unchanged; or BC_ECALLBACK
            raise_for_status(status, "Detector.update_many", call.pop_error() if call else None)
        # endregion: update-many-check
        return run_lengths

    def posterior(self) -> npt.NDArray[np.float64]:
        """A copy of the run-length posterior (length max_run_length + 1)."""
        length = ffi.new(_SIZE_P)
        if self._updating_thread:
            refuse_reentry(self._updating_thread, "Detector.posterior")
        with self._lock:  # so that no step is half-way through while it is copied
            data = lib.bc_detector_posterior(self._open_handle(), length)
            return np.frombuffer(ffi.buffer(data, length[0] * FLOAT64.itemsize), dtype=FLOAT64).copy()

    def posterior_view(self) -> npt.NDArray[np.float64]:
        """A read-only array over the detector's own posterior buffer, no copy.

        It follows every update and reset, and keeps the detector alive.
        """
        # region: posterior-view
        length = ffi.new(_SIZE_P)
        if self._updating_thread:
            refuse_reentry(self._updating_thread, "Detector.posterior_view")
        with self._lock:
            data = lib.bc_detector_posterior(self._open_handle(), length)
            # What keeps the detector alive, from any array derived from the
            # view: ndarray -> memoryview -> ffi.buffer -> `owner` -> its
            # ffi.gc destructor `anchor` -> detector. When the last array goes,
            # so does `owner`, and cffi calls anchor(), which signs the view
            # off; it frees nothing, the buffer belongs to the detector.
            anchor = _ViewAnchor(self)
            owner = ffi.gc(data, anchor)
            # A read-only memoryview rather than just writeable=False: NumPy
            # then refuses to make the array, or one made from it, writable.
            buffer = memoryview(ffi.buffer(owner, length[0] * FLOAT64.itemsize)).toreadonly()
            view = np.frombuffer(buffer, dtype=FLOAT64)
            # Last, so that a failure above leaves no anchor behind.
            self._views.add(anchor)
        # endregion: posterior-view
        return view

    @property
    def t(self) -> int:
        """Steps seen since creation or the last reset()."""
        if self._updating_thread:
            refuse_reentry(self._updating_thread, "Detector.t")
        with self._lock:
            return lib.bc_detector_steps(self._open_handle())

    def reset(self) -> None:
        """Back to the prior; the posterior buffer stays where it is."""
        if self._updating_thread:
            refuse_reentry(self._updating_thread, "Detector.reset")
        with self._lock:
            lib.bc_detector_reset(self._open_handle())

    def close(self) -> None:
        """Destroys the C detector; idempotent. BufferError while posterior views live."""
        if self._updating_thread:
            refuse_reentry(self._updating_thread, "Detector.close")
        with self._lock:  # waits for a call in flight, e.g. update_many
            if self._handle is None:
                return
            if self._views:
                raise BufferError(
                    f"cannot close the detector: {len(self._views)} posterior view(s) still use its buffer"
                )
            ffi.release(self._handle)  # bc_detector_destroy, now
            self._handle = None

    @property
    def closed(self) -> bool:
        return self._handle is None

    def __enter__(self) -> Detector:
        self._open_handle()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _ViewAnchor:
    """The ffi.gc destructor of one posterior view's memory: it holds the
    detector, and when cffi calls it (the view's last array is gone) it
    removes itself from the detector's live views."""

    __slots__ = ("detector",)

    def __init__(self, detector: Detector) -> None:
        self.detector = detector

    def __call__(self, _data: object) -> None:
        self.detector._views.discard(self)
