"""Types of the extension module cffi generates from the hand-written cdef of _build.py.

``lib`` holds the core's functions and constants. Pointer parameters take a
cdata (from ``ffi.new``, ``ffi.from_buffer``, ...), and ``const char *`` and
``const void *`` also take ``bytes``. Integer parameters take an ``int`` or
an object with ``__int__``, but not a float (out of range: OverflowError);
double parameters take an ``int``, a ``float`` or an object with
``__float__`` or ``__index__``, but not a string.
"""

from typing import Any, Final, SupportsFloat, SupportsInt

import _cffi_backend

_CData = Any  # a <cdata> object; cffi publishes no finer static types
_Ptr = _CData | bytes

class _Lib:
    BC_OK: Final[int]
    BC_EINVAL: Final[int]
    BC_EOVERFLOW: Final[int]
    BC_ENOMEM: Final[int]
    BC_ECALLBACK: Final[int]

    # The C functions cffi generated for `extern "Python"`: a bc_func pointer,
    # a bc_allocator pointer and a bc_check pointer.
    cffi_integrand: _CData
    cffi_allocate_int64: _CData
    cffi_check_signals: _CData

    def bc_strerror(self, status: SupportsInt, /) -> _CData: ...
    def bc_noop(self) -> None: ...
    def bc_add(self, a: SupportsInt, b: SupportsInt, out: _CData, /) -> int: ...
    def bc_sum6(
        self,
        a: SupportsFloat,
        b: SupportsFloat,
        c: SupportsFloat,
        d: SupportsFloat,
        e: SupportsFloat,
        f: SupportsFloat,
        /,
    ) -> float: ...
    def bc_dsum(self, x: _CData, n: SupportsInt, /) -> float: ...
    def bc_scale(self, x: _CData, n: SupportsInt, k: SupportsFloat, out: _CData, /) -> int: ...
    def bc_find_peaks(
        self, x: _CData, n: SupportsInt, threshold: SupportsFloat, out: _CData, count: _CData, /
    ) -> int: ...
    def bc_find_peaks_into(
        self,
        x: _CData,
        n: SupportsInt,
        threshold: SupportsFloat,
        alloc: _CData,
        ctx: _CData,
        count: _CData,
        /,
    ) -> int: ...
    def bc_matvec(
        self,
        a: _CData,
        rows: SupportsInt,
        cols: SupportsInt,
        row_stride: SupportsInt,
        x: _CData,
        y: _CData,
        /,
    ) -> int: ...
    def bc_fnv1a(self, data: _Ptr, len: SupportsInt, /) -> int: ...
    def bc_repeat(
        self, s: _Ptr, len: SupportsInt, n: SupportsInt, out: _CData, out_len: _CData, /
    ) -> int: ...
    def bc_describe(self, x: _CData, n: SupportsInt, out: _CData, /) -> int: ...
    def bc_events_total(self, ev: _CData, n: SupportsInt, kind: SupportsInt, /) -> float: ...
    def bc_integrate(
        self,
        f: _CData,
        check: _CData,
        ctx: _CData,
        a: SupportsFloat,
        b: SupportsFloat,
        n: SupportsInt,
        result: _CData,
        /,
    ) -> int: ...
    def bc_detector_create(self, model: _CData, hazard: _CData, out: _CData, /) -> int: ...
    def bc_detector_update(self, d: _CData, x: SupportsFloat, run_length: _CData, /) -> int: ...
    def bc_detector_update_many(
        self, d: _CData, xs: _CData, n: SupportsInt, run_lengths: _CData, check: _CData, ctx: _CData, /
    ) -> int: ...
    def bc_detector_posterior(self, d: _CData, len: _CData, /) -> _CData: ...
    def bc_detector_steps(self, d: _CData, /) -> int: ...
    def bc_detector_reset(self, d: _CData, /) -> None: ...
    def bc_detector_destroy(self, d: _CData, /) -> None: ...
    def bc_free(self, p: _CData, /) -> None: ...
    def bc_live_allocations(self) -> int: ...
    def bc_fail_allocation_after(self, k: SupportsInt, /) -> None: ...

    # The helpers _build.py compiles in with set_source: a struct result is a
    # cdata whose fields read as attributes.
    def cffi_add(self, a: SupportsInt, b: SupportsInt, /) -> int: ...
    def cffi_describe(self, x: _CData, n: SupportsInt, /) -> _CData: ...
    def cffi_find_peaks(self, x: _CData, n: SupportsInt, threshold: SupportsFloat, /) -> _CData: ...
    def cffi_find_peaks_into(
        self, x: _CData, n: SupportsInt, threshold: SupportsFloat, alloc: _CData, ctx: _CData, /
    ) -> int: ...
    def cffi_repeat(self, s: _Ptr, len: SupportsInt, n: SupportsInt, /) -> _CData: ...
    def cffi_detector_create(
        self,
        mu0: SupportsFloat,
        kappa0: SupportsFloat,
        alpha0: SupportsFloat,
        beta0: SupportsFloat,
        rate: SupportsFloat,
        max_run_length: SupportsInt,
        /,
    ) -> _CData: ...
    def cffi_detector_update(self, d: _CData, x: SupportsFloat, /) -> int: ...

ffi: _cffi_backend.FFI
lib: _Lib
