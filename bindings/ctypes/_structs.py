"""ctypes mirrors of the core's public structs (``c_core/include/bcore.h``).

ctypes lays a Structure out with the platform C compiler's rules (natural
alignment, padding included), so a field list in the header's order is the
whole mirror. ``tests/test_ctypes_layout.py`` checks every size and offset
against the core's own ``bc_struct_size`` / ``bc_field_offset``.
"""

from __future__ import annotations

import ctypes


class _Record(ctypes.Structure):
    """A Structure that prints its fields, like a dataclass."""

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name, _ in self._fields_)
        return f"{type(self).__name__}({fields})"


# region: stats
class bc_stats(_Record):
    """What ``describe`` returns: ``n``, ``mean``, ``std`` (population), ``min``, ``max``."""

    _fields_ = (
        ("n", ctypes.c_size_t),
        ("mean", ctypes.c_double),
        ("std", ctypes.c_double),
        ("min", ctypes.c_double),
        ("max", ctypes.c_double),
    )
    # endregion: stats


class bc_event(_Record):
    """One record: int32 kind, 4 bytes of padding (ctypes inserts them), float64 value."""

    _fields_ = (
        ("kind", ctypes.c_int32),
        ("value", ctypes.c_double),
    )


class bc_normal_gamma(_Record):
    """The detector's prior over the mean and precision of the observations."""

    _fields_ = (
        ("mu0", ctypes.c_double),
        ("kappa0", ctypes.c_double),
        ("alpha0", ctypes.c_double),
        ("beta0", ctypes.c_double),
    )


class bc_hazard(_Record):
    """The detector's constant hazard rate and longest tracked run length."""

    _fields_ = (
        ("rate", ctypes.c_double),
        ("max_run_length", ctypes.c_int64),
    )


#: Every mirror, by its C name (the layout test walks this).
STRUCTS = {cls.__name__: cls for cls in (bc_stats, bc_event, bc_normal_gamma, bc_hazard)}
