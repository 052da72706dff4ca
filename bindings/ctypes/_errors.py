"""Status codes and rejected arguments, turned into the interface's exceptions."""

from __future__ import annotations

from ctypes import c_double

from ._library import BC_ECALLBACK, BC_EINVAL, BC_ENOMEM, BC_EOVERFLOW, bc_strerror

# region: ch10-errors
# region: status-error
_EXCEPTIONS: dict[int, type[Exception]] = {
    BC_EINVAL: ValueError,
    BC_EOVERFLOW: OverflowError,
    BC_ENOMEM: MemoryError,
}


def status_error(status: int, doing: str, callback_error: BaseException | None = None) -> BaseException:
    """The exception for a bc_status other than BC_OK; the caller raises it.

    BC_ECALLBACK means the callback failed: its own exception, which the
    callback stored, is the answer.
    """
    if status == BC_ECALLBACK and callback_error is not None:
        return callback_error
    message = f"{doing}: {bc_strerror(status).decode()}"
    return _EXCEPTIONS.get(status, RuntimeError)(message)
    # endregion: status-error
    # endregion: ch10-errors


def real_error(*values: object) -> Exception:
    """Why the first of these values is not a real number (call after ctypes.ArgumentError).

    When a foreign call cannot convert an argument, ctypes raises
    ``ArgumentError("argument 2: TypeError: wrong type")``: it discards the
    original exception, and an OverflowError (an int beyond a double) is
    reported as a TypeError. Converting the values again with the c_double
    constructor, which uses the same conversion and keeps its exception,
    recovers the exception the interface promises.
    """
    for value in values:
        try:
            c_double(value)
        except Exception as exc:  # whatever __float__ or __index__ raised
            return exc
    return TypeError("an argument is not a real number")
