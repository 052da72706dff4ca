"""C status codes to Python exceptions: the one place this backend does it."""

from __future__ import annotations

from typing import NoReturn

from ._cffi_bcore import ffi, lib

# region: ch10-errors
# region: errors
# BC_ECALLBACK is not here: integrate() re-raises the callback's own exception.
_EXCEPTION_TYPES: dict[int, type[Exception]] = {
    lib.BC_EINVAL: ValueError,
    lib.BC_EOVERFLOW: OverflowError,
    lib.BC_ENOMEM: MemoryError,
}


def raise_for_status(status: int, what: str) -> NoReturn:
    """Raises the exception for a failed core call, e.g. ``ValueError("scale: invalid argument")``.

    Callers test ``if status:`` first, so a successful call costs one comparison.
    """
    message = ffi.string(lib.bc_strerror(status)).decode()
    raise _EXCEPTION_TYPES.get(status, RuntimeError)(f"{what}: {message}")
    # endregion: errors
    # endregion: ch10-errors
