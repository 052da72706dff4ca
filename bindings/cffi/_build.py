"""Declarations of the cffi backend (API mode, out of line): writes ``_cffi_bcore.c``.

    python _build.py path/to/_cffi_bcore.c [MODULE_NAME]

MODULE_NAME is the module's full name, ``bindings.cffi._cffi_bcore`` unless
given: the stable-ABI build compiles the same C for ``bindings.cffi_abi3``.
cffi writes the name into the C, which registers the module (and its
``.lib``) in ``sys.modules`` under it, so each package needs its own.

The cdef below is written by hand, as cffi's documentation writes its
examples: only what the binding uses, in the C subset that ``ffi.cdef``
parses. Compiling the generated C is CMake's job (see CMakeLists.txt), not
setuptools'.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cffi

MODULE_NAME = "bindings.cffi._cffi_bcore"

# region: cdef
# Types: the compiler tells cffi each struct's real field offsets and sizes,
# and cffi raises ffi.error when it first uses a struct whose fields here
# disagree ("a struct declaration which doesn't use `...` is assumed to be
# exact, but this is checked": cffi's doc/source/cdef.rst); lib's enum
# constants take the compiler's values. `typedef ... bc_detector;` is
# cffi's syntax for an opaque type, only ever handled by pointer.
TYPES = """
typedef enum bc_status {
    BC_OK = 0,
    BC_EINVAL = 1,
    BC_EOVERFLOW = 2,
    BC_ENOMEM = 3,
    BC_ECALLBACK = 4
} bc_status;

typedef struct bc_stats {
    size_t n;
    double mean;
    double std;
    double min;
    double max;
} bc_stats;

typedef struct bc_event {
    int32_t kind;
    double value;
} bc_event;

typedef struct bc_normal_gamma {
    double mu0;
    double kappa0;
    double alpha0;
    double beta0;
} bc_normal_gamma;

typedef struct bc_hazard {
    double rate;
    int64_t max_run_length;
} bc_hazard;

typedef ... bc_detector;

typedef int (*bc_check)(void *ctx);
typedef int (*bc_func)(double x, void *ctx, double *y);
typedef void *(*bc_allocator)(size_t count, size_t size, void *ctx);
"""

# Functions: plain C prototypes, which the C compiler reads too (see
# make_ffibuilder), so they must stay valid C.
FUNCTIONS = """
const char *bc_strerror(int status);

void bc_noop(void);
int bc_add(int64_t a, int64_t b, int64_t *out);
double bc_sum6(double a, double b, double c, double d, double e, double f);
double bc_dsum(const double *x, size_t n);
int bc_scale(const double *x, size_t n, double k, double *out);
int bc_find_peaks(const double *x, size_t n, double threshold, int64_t **out, size_t *count);
int bc_find_peaks_into(const double *x, size_t n, double threshold, bc_allocator alloc,
                       void *ctx, size_t *count);
int bc_matvec(const double *a, size_t rows, size_t cols, size_t row_stride, const double *x,
              double *y);
uint64_t bc_fnv1a(const void *data, size_t len);
int bc_repeat(const char *s, size_t len, size_t n, char **out, size_t *out_len);
int bc_describe(const double *x, size_t n, bc_stats *out);
double bc_events_total(const bc_event *ev, size_t n, int32_t kind);
int bc_integrate(bc_func f, bc_check check, void *ctx, double a, double b, size_t n,
                 double *result);

int bc_detector_create(const bc_normal_gamma *model, const bc_hazard *hazard, bc_detector **out);
int bc_detector_update(bc_detector *d, double x, int64_t *run_length);
int bc_detector_update_many(bc_detector *d, const double *xs, size_t n, int64_t *run_lengths,
                            bc_check check, void *ctx);
const double *bc_detector_posterior(const bc_detector *d, size_t *len);
uint64_t bc_detector_steps(const bc_detector *d);
void bc_detector_reset(bc_detector *d);
void bc_detector_destroy(bc_detector *d);

void bc_free(void *p);
int64_t bc_live_allocations(void);
void bc_fail_allocation_after(int64_t k);
"""
# endregion: cdef

# region: extern-python
# C calls back into Python through C functions that cffi generates
# for these declarations; ``@ffi.def_extern()`` attaches each Python body at
# import time (see _callbacks.py). cffi_integrand has bc_func's signature,
# cffi_allocate_int64 bc_allocator's, cffi_check_signals bc_check's. cffi's C
# takes the GIL for each call of one, so the check may be called from a core
# call that runs without it (cffi releases the GIL around every call).
EXTERN_PYTHON = """
extern "Python" int cffi_integrand(double x, void *ctx, double *y);
extern "Python" void *cffi_allocate_int64(size_t count, size_t size, void *ctx);
extern "Python" int cffi_check_signals(void *ctx);
"""
# endregion: extern-python


# region: helpers
# Small C functions of our own, compiled into the module by set_source: its C
# "typically contains some #include, but may also contain more, like
# definitions for custom "wrapper" C functions" (cffi's doc/source/cdef.rst).
# Ours exist for speed. An out-parameter needs C memory, and from Python
# that is a cdata from ffi.new, which costs more than the C call it feeds.
# So each helper keeps the core's out-parameters in C locals and returns the
# result by value, status included: in a `status` field of a small struct,
# or in a value a success never takes (a negative run length, n == 0 in a
# bc_stats), or, where every value is a valid result (add's int64), as a
# sentinel that the caller confirms by asking the core itself. Never in a
# variable read by a second call, as errno is: cffi runs each call without
# the GIL, so another thread could make a call in between (a thread-local
# variable stops that, but not a signal handler of the same thread), and the
# second call would cost as much as the ffi.new it replaces.
HELPER_TYPES = """
typedef struct cffi_peaks {
    int status;
    size_t count;
    int64_t *indices;
} cffi_peaks;

typedef struct cffi_text {
    int status;
    size_t len;
    char *bytes;
} cffi_text;

typedef struct cffi_created {
    int status;
    bc_detector *detector;
} cffi_created;
"""

# Declared in the cdef, and compiled again before the definitions below, for
# the check FUNCTIONS gets (see make_ffibuilder).
HELPER_FUNCTIONS = """
int64_t cffi_add(int64_t a, int64_t b);
bc_stats cffi_describe(const double *x, size_t n);
cffi_peaks cffi_find_peaks(const double *x, size_t n, double threshold);
int cffi_find_peaks_into(const double *x, size_t n, double threshold, bc_allocator alloc, void *ctx);
cffi_text cffi_repeat(const char *s, size_t len, size_t n);
cffi_created cffi_detector_create(double mu0, double kappa0, double alpha0, double beta0,
                                  double rate, int64_t max_run_length);
int64_t cffi_detector_update(bc_detector *d, double x);
"""

HELPERS_C = r"""
/* a + b, or -1 if bc_add fails. -1 is also a sum, so on -1 the caller asks
 * bc_add itself for the status: add is pure, so asking again is exact. */
int64_t cffi_add(int64_t a, int64_t b) {
    int64_t sum = -1;
    return bc_add(a, b, &sum) == BC_OK ? sum : -1;
}

/* The statistics, or n == 0 if bc_describe fails (a success has n >= 1); the
 * caller then asks bc_describe itself for the status, as for cffi_add. */
bc_stats cffi_describe(const double *x, size_t n) {
    bc_stats stats = {0, 0.0, 0.0, 0.0, 0.0};
    if (bc_describe(x, n, &stats) != BC_OK) {
        stats.n = 0;
    }
    return stats;
}

cffi_peaks cffi_find_peaks(const double *x, size_t n, double threshold) {
    cffi_peaks peaks = {0, 0, NULL};
    peaks.status = bc_find_peaks(x, n, threshold, &peaks.indices, &peaks.count);
    return peaks;
}

/* The array the allocator made knows its own length: the count is not needed. */
int cffi_find_peaks_into(const double *x, size_t n, double threshold, bc_allocator alloc,
                         void *ctx) {
    size_t count = 0;
    return bc_find_peaks_into(x, n, threshold, alloc, ctx, &count);
}

cffi_text cffi_repeat(const char *s, size_t len, size_t n) {
    cffi_text text = {0, 0, NULL};
    text.status = bc_repeat(s, len, n, &text.bytes, &text.len);
    return text;
}

cffi_created cffi_detector_create(double mu0, double kappa0, double alpha0, double beta0,
                                  double rate, int64_t max_run_length) {
    bc_normal_gamma model = {mu0, kappa0, alpha0, beta0};
    bc_hazard hazard = {rate, max_run_length};
    cffi_created created = {0, NULL};
    created.status = bc_detector_create(&model, &hazard, &created.detector);
    return created;
}

/* The run length (>= 0), or minus the status: one int carries both. */
int64_t cffi_detector_update(bc_detector *d, double x) {
    int64_t run_length = 0;
    int status = bc_detector_update(d, x, &run_length);
    return status == BC_OK ? run_length : -(int64_t)status;
}
"""
# endregion: helpers


# region: ffibuilder
def make_ffibuilder(module_name: str = MODULE_NAME) -> cffi.FFI:
    ffibuilder = cffi.FFI()
    ffibuilder.cdef(TYPES + FUNCTIONS + HELPER_TYPES + HELPER_FUNCTIONS + EXTERN_PYTHON)
    # The C that the generated file starts with: the header (its directory
    # comes from the CMake target bcore_static), then the cdef's prototypes
    # again. cffi's wrappers call each function with C's implicit
    # conversions, so a prototype that says float where bcore.h says double
    # would compile without a word ("functions taking or returning integer
    # or float-point arguments can be misdeclared", cffi's cdef.rst). A
    # redeclaration must have a type compatible with the header's (C11
    # 6.7p4): gcc and clang reject any other as "conflicting types".
    # Our helpers follow, their types and prototypes then their code: cffi
    # makes each a lib function like the core's.
    source = '#include "bcore.h"\n' + FUNCTIONS + HELPER_TYPES + HELPER_FUNCTIONS + HELPERS_C
    ffibuilder.set_source(module_name, source)
    return ffibuilder


# endregion: ffibuilder


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print(f"usage: {Path(__file__).name} OUTPUT_C [MODULE_NAME]", file=sys.stderr)
        return 2
    # emit_c_code leaves an up-to-date file untouched, so an unchanged result
    # does not make the build recompile the extension.
    make_ffibuilder(*argv[1:]).emit_c_code(argv[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
