"""The shared interface: what every backend module provides, and how it fails.

Every backend (``bindings.load(name)``) exposes exactly these names with the
same behaviour. The conformance test checks each backend against ``Backend``;
the rest of the suite checks the behaviour written here.

Rules that hold everywhere
--------------------------
Array arguments (``x``, ``A``, ``xs``) accept anything
``numpy.asarray(obj, dtype=numpy.float64)`` accepts. A C-contiguous float64
array is read in place; anything else (lists, other dtypes, strided views) is
converted to a C-contiguous float64 copy first. If that conversion fails the
call raises ``TypeError``; a wrong number of dimensions raises ``ValueError``.

Array conversion follows the same rule for every failure NumPy reports,
``OverflowError`` included (``dsum([10**400])`` raises ``TypeError``), except
``MemoryError``, which propagates.

Scalars: integer parameters take ``int`` or any object with ``__index__``
(``TypeError`` otherwise, floats included); real parameters take ``int``,
``float`` or any object with ``__float__`` or ``__index__`` (``TypeError``
otherwise, strings included), converted as ``float()`` converts them, so an
``int`` too large for a double raises ``OverflowError``. The same holds for
what an ``integrate`` callback returns.

An exception raised by an argument's own ``__index__``, ``__float__`` (or by
what a callback returns) propagates unchanged. Every argument is converted
before a detector is locked, so a conversion may even call the same detector
(``d.update(obj)`` whose ``__float__`` updates or closes ``d``): the inner
call completes first, then the outer one runs (``ValueError`` if it closed).

C error codes map to one exception each: invalid argument -> ``ValueError``,
overflow -> ``OverflowError``, out of memory -> ``MemoryError``; a failed
callback re-raises the callback's own exception.

The GIL: ``Detector.update_many`` releases it while C runs, always. The other
array functions release it while C runs when the input holds at least
``bindings.GIL_RELEASE_MIN_SIZE`` elements (bytes for ``fnv1a``), as NumPy
does, because releasing costs more than a short call. ctypes and cffi release
it on every foreign call; that is how those technologies work.

Ctrl-C: ``Detector.update_many`` and ``integrate`` run the interpreter's pending
signal handlers about every millisecond of C work (the core's ``bc_check``), in
the main thread, and stop with the exception a handler raises (``KeyboardInterrupt``
for Ctrl-C). An interrupted ``update_many`` keeps the steps it took: ``t`` says
how many, and the detector is exactly as if it had been given that prefix.
A signal handler that uses the very detector whose ``update_many`` it interrupts
(a call on it from that call's own thread) raises ``RuntimeError`` instead of
waiting for the lock its own thread holds, which stops that ``update_many``.

No input may crash the interpreter or leak core memory.

Builds
------
Every name in ``bindings.BUILDS`` provides this interface: the seven backends,
and the stable-ABI build of each backend whose technology can build against
CPython's limited API (``"capi-abi3"`` is ``bindings.capi_abi3``: the same
Python files and sources as ``bindings.capi``, its compiled module built as
``abi3``). ``bindings.ABI3_BACKENDS`` gives each the oldest CPython it runs on;
``bindings.builds_for()`` says which builds an interpreter can load. The suite
runs on every build, so the interface above holds for each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, SupportsFloat, SupportsIndex, runtime_checkable

import numpy as np
import numpy.typing as npt

#: Names every backend module must define (the conformance test checks them).
FUNCTION_NAMES = (
    "noop",
    "add",
    "sum6",
    "dsum",
    "scale",
    "find_peaks",
    "find_peaks_into",
    "matvec",
    "fnv1a",
    "repeat",
    "describe",
    "events_total",
    "integrate",
    "live_allocations",
    "fail_allocation_after",
)
DETECTOR_MEMBERS = (
    "update",
    "update_many",
    "posterior",
    "posterior_view",
    "t",
    "reset",
    "close",
    "closed",
    "__enter__",
    "__exit__",
)
STATS_FIELDS = ("n", "mean", "std", "min", "max")

ArrayLike = npt.ArrayLike
Float64Array = npt.NDArray[np.float64]
Int64Array = npt.NDArray[np.int64]


class Stats(Protocol):
    """What ``describe`` returns: any object with these attributes."""

    @property
    def n(self) -> int: ...
    @property
    def mean(self) -> float: ...
    @property
    def std(self) -> float: ...  # population standard deviation
    @property
    def min(self) -> float: ...
    @property
    def max(self) -> float: ...


class Detector(Protocol):
    """Bayesian online change-point detector (see ``c_core/include/bcore.h``).

    ``Detector(hazard=0.01, mu0=0.0, kappa0=1.0, alpha0=1.0, beta0=1.0,
    max_run_length=500)``; parameters may be passed by position in that order
    or by keyword. Invalid values (hazard outside (0, 1); kappa0, alpha0 or
    beta0 <= 0; anything non-finite; max_run_length outside
    1..10_000_000) raise ``ValueError``; wrong types raise ``TypeError``;
    max_run_length that does not fit int64 raises ``OverflowError``.

    Every member below except ``close``, ``closed`` and ``__exit__`` raises
    ``ValueError`` once the detector is closed.

    Threads: the binding serialises calls on one detector, so a detector shared
    by several threads is never corrupted. A posterior view read while another
    thread updates may show a step in progress; ``posterior()`` never does.
    """

    def __init__(
        self,
        hazard: SupportsFloat = 0.01,
        mu0: SupportsFloat = 0.0,
        kappa0: SupportsFloat = 1.0,
        alpha0: SupportsFloat = 1.0,
        beta0: SupportsFloat = 1.0,
        max_run_length: SupportsIndex = 500,
    ) -> None: ...

    def update(self, x: SupportsFloat, /) -> int:
        """One observation; returns the most probable run length.

        ``ValueError`` if x is not finite (the detector is then unchanged).
        """

    def update_many(self, xs: ArrayLike, /) -> Int64Array:
        """Many observations (1-D); returns the run length after each as int64.

        Releases the GIL while C runs. ``ValueError``, with the detector
        unchanged, if any value is not finite.
        """

    def posterior(self) -> Float64Array:
        """A float64 copy of the run-length posterior (length max_run_length + 1)."""

    def posterior_view(self) -> Float64Array:
        """A read-only float64 array over the detector's own posterior buffer.

        It follows every update and reset, and keeps the detector alive: it
        stays valid after the last reference to the detector is dropped.
        ``close()`` raises ``BufferError`` while such a view, or any array
        made from it, is alive (as ``mmap.close`` does).
        """

    @property
    def t(self) -> int:
        """Steps seen since creation or the last ``reset()``."""

    def reset(self) -> None:
        """Back to the prior (the posterior buffer stays where it is)."""

    def close(self) -> None:
        """Releases the C detector; idempotent. ``BufferError`` while views live."""

    @property
    def closed(self) -> bool: ...

    def __enter__(self) -> Detector: ...

    def __exit__(self, *exc_info: object) -> None:
        """Closes the detector."""


@runtime_checkable
class Backend(Protocol):
    """One backend module, e.g. ``bindings.load("capi")``."""

    Detector: type[Detector]

    def noop(self) -> None:
        """Does nothing: the cost of a call."""

    def add(self, a: SupportsIndex, b: SupportsIndex, /) -> int:
        """a + b as int64. ``OverflowError`` if an argument or the result does
        not fit int64; ``TypeError`` for non-integers."""

    def sum6(
        self,
        a: SupportsFloat,
        b: SupportsFloat,
        c: SupportsFloat,
        d: SupportsFloat,
        e: SupportsFloat,
        f: SupportsFloat,
        /,
    ) -> float:
        """a + b + c + d + e + f, left to right, in double precision."""

    def dsum(self, x: ArrayLike, /) -> float:
        """Sum of a 1-D array (read in place when C-contiguous float64); 0.0 if empty."""

    def scale(self, x: ArrayLike, k: SupportsFloat, /, out: Float64Array | None = None) -> Float64Array:
        """x * k for a 1-D x, into ``out`` (a new array when None); returns ``out``.

        ``out`` must be a numpy.ndarray (``TypeError`` otherwise) of dtype
        float64 (``TypeError``), x's shape, C-contiguous, aligned and writable
        (``ValueError``). ``out=x`` works in place; an ``out`` that overlaps x
        without being the same memory raises ``ValueError``.
        """

    def find_peaks(self, x: ArrayLike, threshold: SupportsFloat, /) -> Int64Array:
        """int64 indices i, 0 < i < n-1, x[i] > threshold, x[i-1] < x[i] >= x[i+1].

        The core allocates the result; the binding frees it exactly once.
        """

    def find_peaks_into(self, x: ArrayLike, threshold: SupportsFloat, /) -> Int64Array:
        """The same result as ``find_peaks``, by the allocator-callback strategy.

        The binding passes ``bc_find_peaks_into`` an allocator that creates the
        result NumPy array, so C writes the indices straight into memory Python
        owns: no copy, nothing for the binding to free. Errors as ``find_peaks``;
        if the allocator fails, its own exception (``MemoryError``) propagates.
        The GIL rule is the other array functions' (the allocator takes the GIL
        back for the moment it runs).
        """

    def matvec(self, A: ArrayLike, x: ArrayLike, /) -> Float64Array:
        """A @ x for a 2-D A and 1-D x; ``ValueError`` if A.shape[1] != len(x)."""

    def fnv1a(self, data: Any, /) -> int:
        """FNV-1a 64-bit hash (0 <= h < 2**64) of a buffer's bytes.

        bytes, bytearray, memoryview or any C-contiguous buffer; ``str`` and
        objects without the buffer protocol raise ``TypeError``; a
        non-contiguous buffer raises ``ValueError``.
        """

    def repeat(self, s: str, n: SupportsIndex, /) -> str:
        """s * n, computed by C on UTF-8 bytes (embedded NULs survive).

        ``TypeError`` unless s is a str; ``ValueError`` if n < 0;
        ``UnicodeEncodeError`` (a ValueError) for lone surrogates;
        ``OverflowError`` if the result's size does not fit size_t;
        ``MemoryError`` if it cannot be allocated.
        """

    def describe(self, x: ArrayLike, /) -> Stats:
        """n, mean, population std, min, max of a 1-D array; ``ValueError`` if empty.

        If any element is NaN, mean, std, min and max are NaN.
        """

    def events_total(self, events: npt.NDArray[Any], kind: SupportsIndex, /) -> float:
        """Sum of ``value`` over records with ``kind == kind``.

        ``events`` must be a 1-D numpy array of dtype ``bindings.EVENT_DTYPE``
        (any other type or dtype: ``TypeError``; ndim != 1: ``ValueError``;
        a non-contiguous array is copied). ``kind`` outside int32:
        ``OverflowError``.
        """

    def integrate(
        self,
        f: Callable[[float], SupportsFloat],
        a: SupportsFloat,
        b: SupportsFloat,
        n: SupportsIndex,
        /,
    ) -> float:
        """Trapezoid rule of f over [a, b] with n intervals (n + 1 calls).

        ``TypeError`` if f is not callable; ``ValueError`` if n < 1 or a, b are
        not finite. An exception raised by f (or ``TypeError`` if f returns a
        non-number) propagates unchanged and stops the integration at once.
        """

    def live_allocations(self) -> int:
        """Core allocations not yet released (for leak tests)."""

    def fail_allocation_after(self, k: SupportsIndex, /) -> None:
        """Test hook: the k-th core allocation from now (k >= 1) fails as if out
        of memory, which the binding reports as ``MemoryError``; k <= 0 disarms
        it. Process-wide and not thread-safe: for single-threaded tests only.
        ``TypeError`` for a non-integer; ``OverflowError`` outside int64.
        """
