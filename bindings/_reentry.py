"""The re-entry guard of the two backends written in Python, ctypes and cffi.

Each compiled backend writes the same guard in its own language (the C-API's
``is_reentrant_call``, the ``acquire`` of Cython, pybind11 and nanobind, PyO3's
``refuse_reentry``); these two share this one, since nothing in it belongs to either
technology.
"""

from __future__ import annotations

import threading


# region: refuse-reentry
def refuse_reentry(updating_thread: int, what: str) -> None:
    """RuntimeError if this thread is ``updating_thread``, inside a detector's update_many.

    Only a signal handler (or a finalizer) run while update_many holds the detector's
    lock can call from there: between two of its slices (ctypes) or inside its check
    (cffi). The lock is its own thread's, so waiting would never end. CPython's buffered
    files refuse the same case the same way (_enter_buffered_busy in
    https://github.com/python/cpython/blob/v3.13.0/Modules/_io/bufferedio.c). Callers
    test the detector's ``_updating_thread`` first: usually 0, so the common path asks
    for no thread id.
    """
    if updating_thread == threading.get_ident():
        raise RuntimeError(
            f"{what}: reentrant call, from inside update_many() of the same detector"
            " on the same thread (in a signal handler?)"
        )


# endregion: refuse-reentry
