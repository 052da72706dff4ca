"""Structs: describe fills a bc_stats, events_total reads an array of bc_event."""

from __future__ import annotations

from operator import index
from typing import Any, NamedTuple, SupportsIndex

import numpy as np
import numpy.typing as npt

from .. import EVENT_DTYPE
from ._cffi_bcore import ffi, lib
from ._convert import as_float64
from ._errors import raise_for_status

_DOUBLES = ffi.typeof("double[]")
_EVENTS = ffi.typeof("bc_event[]")

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


class Stats(NamedTuple):
    """What describe() returns: bc_stats as an immutable Python record.

    Returning the ``bc_stats *`` cdata would also give attribute access, but
    it is a mutable view of C memory with an opaque repr; a NamedTuple is a
    plain value that compares, prints and unpacks.
    """

    n: int
    mean: float
    std: float  # population standard deviation
    min: float
    max: float


# region: describe
def describe(x: npt.ArrayLike, /) -> Stats:
    """n, mean, population std, min and max of a non-empty 1-D array."""
    arr = as_float64(x, 1, "describe")
    out = ffi.new("bc_stats *")
    status = lib.bc_describe(ffi.from_buffer(_DOUBLES, arr), arr.size, out)
    if status:  # BC_EINVAL: empty
        raise_for_status(status, "describe")
    return Stats(out.n, out.mean, out.std, out.min, out.max)
    # endregion: describe


def events_total(events: npt.NDArray[Any], kind: SupportsIndex, /) -> float:
    """Sum of ``value`` over the records whose ``kind`` equals kind."""
    if not isinstance(events, np.ndarray) or events.dtype != EVENT_DTYPE:
        raise TypeError("events_total: events must be a numpy array of dtype bindings.EVENT_DTYPE")
    if events.ndim != 1:
        raise ValueError(f"events_total: expected a 1-D array, got {events.ndim}-D")
    flags = events.flags
    if not (flags.c_contiguous and flags.aligned):
        events = events.copy()
    # index() for the interface's integer rule (see add); cffi checks the int32 range.
    return lib.bc_events_total(ffi.from_buffer(_EVENTS, events), events.size, index(kind))
