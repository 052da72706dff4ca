"""Threads and the GIL.

- ``update_many`` on 1 and on 2 threads, each thread with its own detector and series:
  update_many runs C without the GIL, so two threads should do twice the work in about
  the time one takes. Speed-up = 2 * t(1 thread) / t(2 threads).
- The cost of releasing the GIL on a short call, two ways: scale(x, 2.0, out=out) just
  below and at ``bindings.GIL_RELEASE_MIN_SIZE`` elements (where the backends start to
  release it; ctypes and cffi always do), and a raw ctypes noop through ``CDLL`` (which
  releases the GIL around every call) and ``PyDLL`` (which keeps it).
"""

from __future__ import annotations

import ctypes
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from helpers import floats, label, measure

import bindings

THREADS = (1, 2)


@pytest.mark.parametrize("threads", THREADS)
def bench_update_many_threads(benchmark, core, backend, threads, settings):
    label(
        benchmark,
        kind="threads",
        pattern="update_many",
        backend=backend,
        threads=threads,
        n=settings.thread_series,
        max_run_length=settings.thread_run_length,
    )
    # A different series per thread (floats(n) is seeded by its length).
    series = [floats(settings.thread_series + i)[: settings.thread_series] for i in range(threads)]
    detectors = [core.Detector(max_run_length=settings.thread_run_length) for _ in range(threads)]
    # The workers exist before timing starts: a round costs two task hand-offs, not thread starts.
    with ThreadPoolExecutor(max_workers=threads) as pool:

        def work() -> None:
            futures = [pool.submit(d.update_many, xs) for d, xs in zip(detectors, series, strict=True)]
            for future in futures:
                future.result()

        def reset() -> None:
            for detector in detectors:
                detector.reset()

        try:
            benchmark.pedantic(work, setup=reset, rounds=settings.thread_rounds, warmup_rounds=1)
        finally:
            for detector in detectors:
                detector.close()


@pytest.mark.parametrize("side", ("below", "at"))
def bench_gil_threshold(benchmark, core, backend, side, settings):
    n = bindings.GIL_RELEASE_MIN_SIZE - (1 if side == "below" else 0)
    label(benchmark, kind="gil", pattern="scale_threshold", backend=backend, n=n, variant=side)
    x = floats(n)
    measure(benchmark, {"f": core.scale, "x": x, "k": 2.0, "out": np.empty_like(x)}, "f(x, k, out)", settings)


@pytest.mark.parametrize("loader", ("CDLL", "PyDLL"))
def bench_gil_ctypes_noop(benchmark, loader, settings):
    library = pytest.importorskip("bindings.ctypes._library")
    function = getattr(ctypes, loader)(library.lib._name).bc_noop
    function.argtypes = ()
    function.restype = None
    variant = "releases" if loader == "CDLL" else "holds"
    label(benchmark, kind="gil", pattern="ctypes_noop", backend="ctypes", variant=variant, loader=loader)
    measure(benchmark, {"f": function}, "f()", settings)
