"""Errors: a status code from the core, raised as the interface's exception."""

from __future__ import annotations

from typing import NoReturn

from ._library import BC_ECALLBACK, BC_EINVAL, BC_ENOMEM, BC_EOVERFLOW, bc_strerror

# region: raise-for-status
_EXCEPTIONS: dict[int, type[Exception]] = {
    BC_EINVAL: ValueError,
    BC_EOVERFLOW: OverflowError,
    BC_ENOMEM: MemoryError,
}


def raise_for_status(status: int, what: str, callback_error: BaseException | None = None) -> NoReturn:
    """Raises the exception for a bc_status other than BC_OK, e.g. ``ValueError("scale: ...")``.

    BC_ECALLBACK means a callback failed: its own exception, which the
    callback stored and the caller passes here, is the answer.
    """
    if status == BC_ECALLBACK and callback_error is not None:
        try:
            raise callback_error
        finally:
            # The traceback keeps this frame alive: without the del, its
            # local would hold the exception, and the exception the frame.
            del callback_error
    raise _EXCEPTIONS.get(status, RuntimeError)(f"{what}: {bc_strerror(status).decode()}")


# endregion: raise-for-status
