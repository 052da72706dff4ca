"""The bare crossing and scalars.

``noop``, ``sum6`` and ``live_allocations`` need no wrapper: cffi's own
conversions already behave as the interface says (a double parameter takes
what ``float()`` takes except strings, i.e. ``__float__`` or ``__index__``),
so they are the compiled functions themselves and cost no Python frame.
"""

from __future__ import annotations

from operator import index
from typing import SupportsIndex

from ._cffi_bcore import ffi, lib
from ._errors import raise_for_status

# region: passthrough
noop = lib.bc_noop
sum6 = lib.bc_sum6
live_allocations = lib.bc_live_allocations
# endregion: passthrough

_INT64_P = ffi.typeof("int64_t *")


# region: add
def add(a: SupportsIndex, b: SupportsIndex, /) -> int:
    """a + b as int64; OverflowError if an argument or the result does not fit."""
    out = ffi.new(_INT64_P)
    # cffi converts integer parameters with __int__: it refuses floats but
    # takes Decimal or Fraction, and refuses objects that only have __index__.
    # operator.index() gives the interface's rule; cffi then checks the range.
    status = lib.bc_add(index(a), index(b), out)
    if status:
        raise_for_status(status, "add")
    return out[0]
    # endregion: add


# region: fail-allocation-after
def fail_allocation_after(k: SupportsIndex, /) -> None:
    """Test hook: the k-th core allocation from now fails (MemoryError); k <= 0 disarms."""
    lib.bc_fail_allocation_after(index(k))  # index(): the integer rule of add
    # endregion: fail-allocation-after
