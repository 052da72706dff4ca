"""Plain Python/NumPy versions of every backend function: what the answers must be.

Written from ``bindings/_interface.py`` and ``c_core/include/bcore.h``, not from
the C code. They favour being obviously right over being fast: a loop where the
header describes a loop, the header's order of operations where it fixes one
(``sum6`` adds left to right, ``dsum`` in the pairwise order of ``bcore.h``, so
they match C bit for bit).

They compute results only; the error behaviour of the backends is checked by
the table in ``test_errors.py``. ``test_reference.py`` checks these functions
against known answers, so that a wrong reference cannot hide a wrong backend.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

import numpy as np

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
EPS = np.finfo(np.float64).eps


def as_float_array(x, ndim: int) -> np.ndarray:
    """What every backend does with an array argument: convert, then check ndim."""
    array = np.asarray(x, dtype=np.float64)
    if array.ndim != ndim:
        raise ValueError(f"expected a {ndim}-D array, got {array.ndim}-D")
    return array


def add(a, b) -> int:
    a, b = operator.index(a), operator.index(b)
    result = a + b
    if not all(INT64_MIN <= v <= INT64_MAX for v in (a, b, result)):
        raise OverflowError("does not fit int64")
    return result


def sum6(a, b, c, d, e, f) -> float:
    # Python floats are C doubles, and + is evaluated left to right, as in C.
    return float(a) + float(b) + float(c) + float(d) + float(e) + float(f)


def dsum(x) -> float:
    values = as_float_array(x, 1).tolist()
    return pairwise_sum(values, 0, len(values))


#: The largest run ``pairwise_sum`` adds in eight running sums rather than splitting it.
PAIRWISE_BLOCK = 128


def pairwise_sum(values: list[float], start: int, n: int) -> float:
    """values[start:start + n] added in bc_dsum's order (bcore.h), one rule per branch."""
    if n < 8:
        total = 0.0
        for value in values[start : start + n]:
            total += value
        return total
    if n <= PAIRWISE_BLOCK:
        running = values[start : start + 8]
        i = 8
        while i + 8 <= n:
            for j in range(8):
                running[j] += values[start + i + j]
            i += 8
        r0, r1, r2, r3, r4, r5, r6, r7 = running
        total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        for value in values[start + i : start + n]:
            total += value
        return total
    half = n // 2
    half -= half % 8
    return pairwise_sum(values, start, half) + pairwise_sum(values, start + half, n - half)


def scale(x, k) -> np.ndarray:
    # One multiplication per element: NumPy rounds it exactly as C does.
    return np.asarray(x, dtype=np.float64) * float(k)


def find_peaks(x, threshold) -> np.ndarray:
    v = as_float_array(x, 1).tolist()
    t = float(threshold)
    peaks = [i for i in range(1, len(v) - 1) if v[i] > t and v[i - 1] < v[i] >= v[i + 1]]
    return np.array(peaks, dtype=np.int64)


def matvec(A, x) -> np.ndarray:
    A = as_float_array(A, 2)
    x = as_float_array(x, 1)
    if A.shape[1] != x.shape[0]:
        raise ValueError("A.shape[1] != len(x)")
    y = np.zeros(A.shape[0])
    for i, row in enumerate(A.tolist()):
        total = 0.0
        for a, b in zip(row, x.tolist(), strict=True):
            total += a * b
        y[i] = total
    return y


FNV_OFFSET_BASIS = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3


def fnv1a(data) -> int:
    h = FNV_OFFSET_BASIS
    for byte in memoryview(data).tobytes():
        h = ((h ^ byte) * FNV_PRIME) % 2**64
    return h


def repeat(s: str, n) -> str:
    if not isinstance(s, str):
        raise TypeError("s must be a str")
    n = operator.index(n)
    if n < 0:
        raise ValueError("n < 0")
    return (s.encode("utf-8") * n).decode("utf-8")


@dataclass(frozen=True)
class Stats:
    n: int
    mean: float
    std: float
    min: float
    max: float


def describe(x) -> Stats:
    a = as_float_array(x, 1)
    n = a.size
    if n == 0:
        raise ValueError("empty")
    if np.isnan(a).any():
        return Stats(n, math.nan, math.nan, math.nan, math.nan)
    values = a.tolist()
    mean = math.fsum(values) / n
    variance = math.fsum((v - mean) ** 2 for v in values) / n  # population: divides by n
    return Stats(n, mean, math.sqrt(variance), min(values), max(values))


def events_total(events: np.ndarray, kind) -> float:
    kind = operator.index(kind)
    total = 0.0
    for k, value in zip(events["kind"].tolist(), events["value"].tolist(), strict=True):
        if k == kind:
            total += value
    return total


def integration_points(a: float, b: float, n: int) -> list[float]:
    """The n + 1 points the trapezoid rule evaluates, from a to b."""
    h = (b - a) / n
    return [a + i * h for i in range(n)] + [b]


def integrate(f, a, b, n) -> float:
    a, b, n = float(a), float(b), operator.index(n)
    ys = [float(f(x)) for x in integration_points(a, b, n)]
    h = (b - a) / n
    return h * (0.5 * ys[0] + math.fsum(ys[1:-1]) + 0.5 * ys[-1])


# ---- tolerances: how far a correct implementation may land from the above --


def sum_error_bound(terms) -> float:
    """Bound on the rounding error of summing ``terms`` in any order.

    Recursive summation of n terms errs by at most (n - 1) * eps * sum(|t|)
    (Higham, "Accuracy and Stability of Numerical Algorithms", 4.2); twice that
    covers the products of a dot product too. Used where the header does not
    fix the order of operations (matvec, events_total, describe).
    """
    terms = np.abs(np.asarray(terms, dtype=np.float64))
    return 2.0 * (terms.size + 1) * EPS * float(terms.sum()) + 1e-300


# ---- the change-point detector ---------------------------------------------


def _log_sum_exp(log_values: np.ndarray) -> float:
    top = np.max(log_values)
    return float(top + np.log(np.sum(np.exp(log_values - top))))


class Detector:
    """Adams & MacKay (2007) exactly as ``bcore.h`` describes it.

    Every hypothesis "run length r" (r = 0..R) keeps the Normal-Gamma
    statistics of the last r observations. ``kappa_r = kappa0 + r`` and
    ``alpha_r = alpha0 + r/2`` depend on r only, so they are fixed arrays;
    ``mu_r`` and ``beta_r`` move with the data. The posterior is kept as
    logarithms (``-inf`` for hypotheses not reachable yet).
    """

    def __init__(self, hazard=0.01, mu0=0.0, kappa0=1.0, alpha0=1.0, beta0=1.0, max_run_length=500):
        params = (hazard, mu0, kappa0, alpha0, beta0)
        if not all(math.isfinite(p) for p in params):
            raise ValueError("parameters must be finite")
        if not (0.0 < hazard < 1.0 and kappa0 > 0 and alpha0 > 0 and beta0 > 0):
            raise ValueError("invalid parameters")
        if not 1 <= max_run_length <= 10_000_000:
            raise ValueError("max_run_length out of range")
        self.hazard = float(hazard)
        self.mu0, self.beta0 = float(mu0), float(beta0)
        self.R = int(max_run_length)
        r = np.arange(self.R + 1, dtype=np.float64)
        self.kappa = kappa0 + r
        self.alpha = alpha0 + r / 2
        # The parts of the Student-t log-density that depend on r only.
        nu = 2 * self.alpha
        self._log_norm = np.array(
            [math.lgamma((v + 1) / 2) - math.lgamma(v / 2) - 0.5 * math.log(v * math.pi) for v in nu]
        )
        self.reset()

    def reset(self) -> None:
        self.log_p = np.full(self.R + 1, -np.inf)
        self.log_p[0] = 0.0
        self.mu = np.full(self.R + 1, self.mu0)
        self.beta = np.full(self.R + 1, self.beta0)
        self.t = 0

    def log_predictive(self, x: float) -> np.ndarray:
        """log pred_r(x) for every r: Student-t, 2 alpha_r degrees of freedom."""
        nu = 2 * self.alpha
        scale2 = self.beta * (self.kappa + 1) / (self.alpha * self.kappa)
        z2 = (x - self.mu) ** 2 / (nu * scale2)
        return self._log_norm - 0.5 * np.log(scale2) - (nu + 1) / 2 * np.log1p(z2)

    def update(self, x) -> int:
        x = float(x)
        if not math.isfinite(x):
            raise ValueError("x must be finite")
        H = self.hazard
        log_w = self.log_p + self.log_predictive(x)
        new = np.empty(self.R + 1)
        new[0] = math.log(H) + _log_sum_exp(log_w)
        new[1:] = math.log1p(-H) + log_w[:-1]
        # r + 1 > R is folded into R: hypothesis R absorbs its own growth.
        new[self.R] = np.logaddexp(new[self.R], math.log1p(-H) + log_w[self.R])
        self.log_p = new - _log_sum_exp(new)
        # The statistics shift by one: stats'[r + 1] = update(stats[r], x), and
        # stats'[0] is the prior. stats'[R] comes from stats[R - 1]: the last R
        # observations, as the header says for the folded hypothesis.
        kappa = self.kappa[:-1]
        mu, beta = self.mu[:-1], self.beta[:-1]
        self.beta = np.concatenate(([self.beta0], beta + kappa * (x - mu) ** 2 / (2 * (kappa + 1))))
        self.mu = np.concatenate(([self.mu0], (kappa * mu + x) / (kappa + 1)))
        self.t += 1
        return int(np.argmax(self.log_p))  # argmax returns the first maximum: ties -> smallest

    def update_many(self, xs) -> np.ndarray:
        values = as_float_array(xs, 1)
        if not np.isfinite(values).all():
            raise ValueError("values must be finite")
        return np.array([self.update(x) for x in values.tolist()], dtype=np.int64)

    def posterior(self) -> np.ndarray:
        return np.exp(self.log_p)
