"""Python arguments to what the C calls take: checked arrays, reals, byte buffers, records.

Every check runs here, before any C call. cffi converts plain scalars
itself, as each call passes them; ``ffi.from_buffer`` then points C at a
checked array's own memory, without a copy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .. import EVENT_DTYPE
from ._cffi_bcore import ffi

FLOAT64 = np.dtype(np.float64)
_asarray = np.asarray


def as_float64(x: Any, ndim: int, what: str) -> npt.NDArray[np.float64]:
    """x as an aligned, C-contiguous float64 ndarray with ndim dimensions.

    TypeError if x cannot be converted, ValueError for a wrong ndim.
    """
    try:
        # The fast path is NumPy's own: asarray returns x itself, no copy,
        # when it already is a C-contiguous float64 ndarray; anything else
        # becomes a C-contiguous float64 copy. A Python-level test first
        # (type(x) is ndarray, x.dtype, x.flags...) costs more than this
        # call, which makes the same tests in C. Arguments by position: a
        # keyword costs NumPy's parser more. Not ascontiguousarray: it makes
        # a scalar a 1-element array, so dsum(5.0) would pass the ndim check.
        arr = _asarray(x, FLOAT64, "C")
    except MemoryError:
        raise
    except Exception as exc:  # whatever __array__, __len__ or __getitem__ raised
        raise TypeError(f"{what}: cannot convert {type(x).__name__} to a float64 array ({exc})") from exc
    if arr.ndim != ndim:
        raise ValueError(f"{what}: expected a {ndim}-D array, got {arr.ndim}-D")
    if not arr.flags.aligned:  # a view of misaligned memory, kept as it is by asarray
        arr = arr.copy()
    return arr


def check_out(out: Any, shape: tuple[int, ...], what: str) -> None:
    """Checks an ``out=`` array; never converts it, since the caller reads it afterwards."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{what}: out must be a numpy.ndarray, not {type(out).__name__}")
    if out.dtype != FLOAT64:
        raise TypeError(f"{what}: out must have dtype float64, not {out.dtype}")
    if out.shape != shape:
        raise ValueError(f"{what}: out has shape {out.shape}, expected {shape}")
    if not out.flags.carray:  # C-contiguous, aligned and writable
        raise ValueError(f"{what}: out must be C-contiguous, aligned and writable")


def as_real(x: Any) -> float:
    """x as a float, converted as a C double parameter converts it (float() minus strings).

    For a call that must convert before it takes a lock: cffi converts during
    the call, and ``x.__float__`` may use the very object the lock guards.
    """
    if isinstance(x, (str, bytes, bytearray, memoryview)):
        raise TypeError(f"must be real number, not {type(x).__name__}")
    return float(x)


def as_byte_buffer(data: Any, what: str) -> Any:
    """A ``char[]`` cdata over the bytes of any C-contiguous buffer, no copy; len() is its size.

    TypeError for str and objects without the buffer protocol, ValueError
    for a non-contiguous buffer. Read-only memory is fine: C only reads it.
    """
    view = memoryview(data)
    if not view.c_contiguous:
        raise ValueError(f"{what}: the buffer is not C-contiguous")
    return ffi.from_buffer(view)


# region: layout-check
# cffi compiled the real bc_event, but EVENT_DTYPE is a hand-made mirror of it:
# check the mirror once, here, rather than hand C misread records.
if (EVENT_DTYPE.itemsize, EVENT_DTYPE.fields["kind"][1], EVENT_DTYPE.fields["value"][1]) != (
    ffi.sizeof("bc_event"),
    ffi.offsetof("bc_event", "kind"),
    ffi.offsetof("bc_event", "value"),
):
    raise ImportError("bindings.EVENT_DTYPE does not match the layout of bc_event")
# endregion: layout-check


def as_events(events: Any, what: str) -> npt.NDArray[Any]:
    """events as a 1-D, C-contiguous, aligned array of EVENT_DTYPE, copied only if strided.

    TypeError for anything but an ndarray of exactly that dtype, ValueError
    for a wrong ndim.
    """
    # `is` first: an array made with EVENT_DTYPE usually holds that very
    # object, and comparing two record dtypes field by field costs more.
    if not isinstance(events, np.ndarray) or (
        events.dtype is not EVENT_DTYPE and events.dtype != EVENT_DTYPE
    ):
        raise TypeError(f"{what}: events must be a numpy array of dtype bindings.EVENT_DTYPE")
    if events.ndim != 1:
        raise ValueError(f"{what}: expected a 1-D array, got {events.ndim}-D")
    flags = events.flags
    if not (flags.c_contiguous and flags.aligned):
        events = events.copy()
    return events
