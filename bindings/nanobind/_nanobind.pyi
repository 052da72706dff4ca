"""The C core bound with nanobind (see bindings/_interface.py)."""

from collections.abc import Callable
from typing import Annotated, SupportsFloat, SupportsIndex

import numpy
import numpy.typing
from numpy.typing import NDArray
from typing_extensions import Buffer

def noop() -> None:
    """Does nothing: the cost of a call."""

def add(a: SupportsIndex, b: SupportsIndex, /) -> int:
    """a + b as int64."""

def sum6(
    a: SupportsFloat,
    b: SupportsFloat,
    c: SupportsFloat,
    d: SupportsFloat,
    e: SupportsFloat,
    f: SupportsFloat,
    /,
) -> float:
    """a + b + c + d + e + f, left to right."""

def dsum(x: numpy.typing.ArrayLike, /) -> float:
    """Sum of a 1-D array; 0.0 if empty."""

def scale(
    x: numpy.typing.ArrayLike, k: SupportsFloat, /, out: numpy.typing.NDArray[numpy.float64] | None = None
) -> numpy.typing.NDArray[numpy.float64]:
    """x * k into out (a new array when None); returns out."""

def find_peaks(x: numpy.typing.ArrayLike, threshold: SupportsFloat, /) -> numpy.typing.NDArray[numpy.int64]:
    """Indices of the local maxima above threshold."""

def find_peaks_into(
    x: numpy.typing.ArrayLike, threshold: SupportsFloat, /
) -> numpy.typing.NDArray[numpy.int64]:
    """find_peaks, written by C into memory Python allocated."""

def matvec(A: numpy.typing.ArrayLike, x: numpy.typing.ArrayLike, /) -> numpy.typing.NDArray[numpy.float64]:
    """A @ x for a 2-D A and a 1-D x."""

def fnv1a(data: Buffer, /) -> int:
    """FNV-1a 64-bit hash of a C-contiguous buffer's bytes."""

def repeat(s: str, n: SupportsIndex, /) -> str:
    """s * n, computed by C on UTF-8 bytes."""

def describe(x: numpy.typing.ArrayLike, /) -> Stats:
    """n, mean, population std, min, max of a 1-D array."""

def events_total(events: numpy.typing.NDArray[numpy.void], kind: SupportsIndex, /) -> float:
    """Sum of value over the records with kind == kind."""

def integrate(
    f: Callable[[float], SupportsFloat], a: SupportsFloat, b: SupportsFloat, n: SupportsIndex, /
) -> float:
    """Trapezoid rule of f over [a, b] with n intervals."""

def live_allocations() -> int:
    """Core allocations not yet released."""

def fail_allocation_after(k: SupportsIndex, /) -> None:
    """Test hook: the k-th core allocation from now fails; k <= 0 disarms it."""

class Stats:
    """What describe() returns."""

    @property
    def n(self) -> int: ...
    @property
    def mean(self) -> float: ...
    @property
    def std(self) -> float: ...
    @property
    def min(self) -> float: ...
    @property
    def max(self) -> float: ...
    def __repr__(self) -> str: ...

class Detector:
    """Bayesian online change-point detector."""

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
        """One observation; returns the most probable run length."""

    def update_many(self, xs: numpy.typing.ArrayLike, /) -> numpy.typing.NDArray[numpy.int64]:
        """Many observations; the run length after each (runs without the GIL)."""

    def posterior(self) -> Annotated[NDArray[numpy.float64], dict(shape=(None,))]:
        """A copy of the run-length posterior."""

    def posterior_view(self) -> Annotated[NDArray[numpy.float64], dict(shape=(None,), writable=False)]:
        """A read-only view of the posterior that follows every update."""

    @property
    def t(self) -> int:
        """Steps since creation or the last reset()."""

    def reset(self) -> None:
        """Back to the prior."""

    def close(self) -> None:
        """Releases the C detector; idempotent."""

    @property
    def closed(self) -> bool: ...
    def __enter__(self) -> Detector: ...
    def __exit__(self, *exc_info: object) -> None:
        """Closes the detector."""
