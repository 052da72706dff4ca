"""C status codes to Python exceptions: the one place this backend does it."""

from __future__ import annotations

from typing import NoReturn

from ._cffi_bcore import ffi, lib

# region: raise-for-status
_EXCEPTION_TYPES: dict[int, type[Exception]] = {
    lib.BC_EINVAL: ValueError,
    lib.BC_EOVERFLOW: OverflowError,
    lib.BC_ENOMEM: MemoryError,
}


def raise_for_status(status: int, what: str, callback_error: BaseException | None = None) -> NoReturn:
    """Raises the exception for a failed core call, e.g. ``ValueError("scale: invalid argument")``.

    BC_ECALLBACK re-raises ``callback_error``, the exception the callback
    stored, unchanged. Callers test ``if status:`` first, so a successful
    call costs one comparison.
    """
    if status == lib.BC_ECALLBACK and callback_error is not None:
        try:
            raise callback_error
        finally:
            # This frame is in the exception's traceback: without the del,
            # frame -> callback_error -> exception -> traceback -> frame is a
            # cycle that keeps every frame until the collector runs (the
            # stdlib breaks it the same way in concurrent.futures' result()).
            del callback_error
    message = ffi.string(lib.bc_strerror(status)).decode()
    raise _EXCEPTION_TYPES.get(status, RuntimeError)(f"{what}: {message}")


# endregion: raise-for-status
