"""Declarations of the cffi backend (API mode, out of line): writes ``_cffi_bcore.c``.

    python _build.py path/to/_cffi_bcore.c

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
int bc_integrate(bc_func f, void *ctx, double a, double b, size_t n, double *result);

int bc_detector_create(const bc_normal_gamma *model, const bc_hazard *hazard, bc_detector **out);
int bc_detector_update(bc_detector *d, double x, int64_t *run_length);
int bc_detector_update_many(bc_detector *d, const double *xs, size_t n, int64_t *run_lengths);
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
# C calls back into Python through static C functions that cffi generates
# for these declarations; ``@ffi.def_extern()`` attaches each Python body at
# import time (see _callbacks.py). cffi_integrand has bc_func's signature,
# cffi_allocate_int64 bc_allocator's.
EXTERN_PYTHON = """
extern "Python" int cffi_integrand(double x, void *ctx, double *y);
extern "Python" void *cffi_allocate_int64(size_t count, size_t size, void *ctx);
"""
# endregion: extern-python


# region: ffibuilder
def make_ffibuilder() -> cffi.FFI:
    ffibuilder = cffi.FFI()
    ffibuilder.cdef(TYPES + FUNCTIONS + EXTERN_PYTHON)
    # The C that the generated file starts with: the header (its directory
    # comes from the CMake target bcore_static), then the cdef's prototypes
    # again. cffi's wrappers call each function with C's implicit
    # conversions, so a prototype that says float where bcore.h says double
    # would compile without a word ("functions taking or returning integer
    # or float-point arguments can be misdeclared", cffi's cdef.rst). A
    # redeclaration must have a type compatible with the header's (C11
    # 6.7p4): gcc and clang reject any other as "conflicting types".
    ffibuilder.set_source(MODULE_NAME, '#include "bcore.h"\n' + FUNCTIONS)
    return ffibuilder


# endregion: ffibuilder


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(f"usage: {Path(__file__).name} OUTPUT_C", file=sys.stderr)
        return 2
    # emit_c_code leaves an up-to-date file untouched, so an unchanged result
    # does not make the build recompile the extension.
    make_ffibuilder().emit_c_code(argv[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
