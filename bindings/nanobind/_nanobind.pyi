"""Types of the compiled module ``bindings.nanobind._nanobind`` (written by tools/stubs.py: do not edit).

Signatures and behaviour: ``bindings._interface``.
"""

from collections.abc import Callable
from typing import Any, SupportsFloat, SupportsIndex

import numpy as np
import numpy.typing as npt
from typing_extensions import disjoint_base

@disjoint_base
class Stats:
    """What ``describe`` returns: read-only attributes."""

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

@disjoint_base
class Detector:
    """Bayesian online change-point detector (see ``c_core/include/bcore.h``)."""

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
    def update_many(self, xs: npt.ArrayLike, /) -> npt.NDArray[np.int64]:
        """Many observations (1-D); returns the run length after each as int64."""
    def posterior(self) -> npt.NDArray[np.float64]:
        """A float64 copy of the run-length posterior (length max_run_length + 1)."""
    def posterior_view(self) -> npt.NDArray[np.float64]:
        """A read-only float64 array over the detector's own posterior buffer."""
    @property
    def t(self) -> int:
        """Steps seen since creation or the last ``reset()``."""
    def reset(self) -> None:
        """Back to the prior (the posterior buffer stays where it is)."""
    def close(self) -> None:
        """Releases the C detector; idempotent."""
    @property
    def closed(self) -> bool: ...
    def __enter__(self) -> Detector: ...
    def __exit__(self, *exc_info: object) -> None:
        """Closes the detector."""

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
    """a + b + c + d + e + f, left to right, in double precision."""

def dsum(x: npt.ArrayLike, /) -> float:
    """Sum of a 1-D array (read in place when C-contiguous float64); 0.0 if empty."""

def scale(
    x: npt.ArrayLike, k: SupportsFloat, /, out: npt.NDArray[np.float64] | None = None
) -> npt.NDArray[np.float64]:
    """x * k for a 1-D x, into ``out`` (a new array when None); returns ``out``."""

def find_peaks(x: npt.ArrayLike, threshold: SupportsFloat, /) -> npt.NDArray[np.int64]:
    """int64 indices i, 0 < i < n-1, x[i] > threshold, x[i-1] < x[i] >= x[i+1]."""

def find_peaks_into(x: npt.ArrayLike, threshold: SupportsFloat, /) -> npt.NDArray[np.int64]:
    """The same result as ``find_peaks``, by the allocator-callback strategy."""

def matvec(A: npt.ArrayLike, x: npt.ArrayLike, /) -> npt.NDArray[np.float64]:
    """A @ x for a 2-D A and 1-D x; ``ValueError`` if A.shape[1] != len(x)."""

def fnv1a(data: Any, /) -> int:
    """FNV-1a 64-bit hash (0 <= h < 2**64) of a buffer's bytes."""

def repeat(s: str, n: SupportsIndex, /) -> str:
    """s * n, computed by C on UTF-8 bytes (embedded NULs survive)."""

def describe(x: npt.ArrayLike, /) -> Stats:
    """n, mean, population std, min, max of a 1-D array; ``ValueError`` if empty."""

def events_total(events: npt.NDArray[Any], kind: SupportsIndex, /) -> float:
    """Sum of ``value`` over records with ``kind == kind``."""

def integrate(
    f: Callable[[float], SupportsFloat], a: SupportsFloat, b: SupportsFloat, n: SupportsIndex, /
) -> float:
    """Trapezoid rule of f over [a, b] with n intervals (n + 1 calls)."""

def live_allocations() -> int:
    """Core allocations not yet released (for leak tests)."""

def fail_allocation_after(k: SupportsIndex, /) -> None:
    """Test hook: the k-th core allocation from now (k >= 1) fails as if out of memory, which the binding
    reports as ``MemoryError``; k <= 0 disarms it."""
