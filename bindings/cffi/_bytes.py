"""Bytes and strings: fnv1a reads a caller's buffer, repeat returns a C-allocated one."""

from __future__ import annotations

from operator import index
from typing import Any, SupportsIndex

from ._cffi_bcore import ffi, lib
from ._errors import raise_for_status


def fnv1a(data: Any, /) -> int:
    """FNV-1a 64-bit hash of the bytes of any C-contiguous buffer (read-only is fine)."""
    if type(data) is bytes:  # cffi passes a bytes object's own storage to a pointer parameter
        return lib.bc_fnv1a(data, len(data))
    view = memoryview(data)  # TypeError for str and objects without the buffer protocol
    if not view.c_contiguous:
        raise ValueError("fnv1a: the buffer is not C-contiguous")
    # A char[] over the caller's memory, no copy; len() is its size in bytes.
    buf = ffi.from_buffer(view)
    return lib.bc_fnv1a(buf, len(buf))


def repeat(s: str, n: SupportsIndex, /) -> str:
    """s * n, computed by C on UTF-8 bytes (embedded NULs survive)."""
    if not isinstance(s, str):
        raise TypeError(f"repeat: s must be a str, not {type(s).__name__}")
    n = index(n)
    if n < 0:  # cffi would report it as an OverflowError of size_t
        raise ValueError(f"repeat: n must be >= 0, not {n}")
    data = s.encode()  # UnicodeEncodeError for lone surrogates
    out = ffi.new("char **")
    out_len = ffi.new("size_t *")
    status = lib.bc_repeat(data, len(data), n, out, out_len)
    if status:  # the core allocated nothing
        raise_for_status(status, "repeat")
    # The bytes are copied into a str, so nothing needs the buffer after
    # this: an explicit bc_free in try/finally releases it here, on every
    # path, where ffi.gc would leave it to the garbage collector's timing
    # (immediate on CPython, not on PyPy) and cost one more object.
    try:
        return ffi.unpack(out[0], out_len[0]).decode()
    finally:
        lib.bc_free(out[0])
