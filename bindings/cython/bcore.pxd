# Cython's view of c_core/include/bcore.h: every declaration _cython.pyx uses.
# _cython.pyx cimports this file as the module `bcore` (`from bindings.cython
# cimport bcore`), so each name is used as `bcore.bc_...`: the pattern of
# Cython's "Using C libraries" tutorial (docs/src/tutorial/clibraries.rst).
# Only declarations live here, so nothing is imported at run time.
#
# The main block is `nogil`: no core function touches Python, so each may run
# with the GIL released (bc_integrate, which calls back into Python, is the
# exception and is declared at the end). Cython 3 treats functions declared in
# `cdef extern` blocks as `noexcept` (C does not raise Python exceptions);
# failures come back as bc_status codes, which _cython.pyx turns into
# exceptions in one place.
# Only the function-pointer types (bc_allocator, bc_check, bc_func) need an
# explicit `noexcept`: each is the type of a function *we* write in Cython,
# which must not try to propagate an exception through C (it stores the
# exception and reports failure by its return value instead: NULL, or non-zero).

from libc.stdint cimport int32_t, int64_t, uint64_t


# region: extern
cdef extern from "bcore.h" nogil:

    # ---- errors
    ctypedef enum bc_status:
        BC_OK
        BC_EINVAL
        BC_EOVERFLOW
        BC_ENOMEM
        BC_ECALLBACK

    const char *bc_strerror(int status)

    # ---- bare crossing and scalars
    void bc_noop()
    int bc_add(int64_t a, int64_t b, int64_t *out)
    double bc_sum6(double a, double b, double c, double d, double e, double f)
    # endregion: extern

    # ---- arrays
    double bc_dsum(const double *x, size_t n)
    int bc_scale(const double *x, size_t n, double k, double *out)
    int bc_find_peaks(const double *x, size_t n, double threshold,
                      int64_t **out, size_t *count)
    # region: allocator
    # The allocator is a function we write in Cython: `noexcept` because no
    # exception may cross C (it returns NULL instead), `nogil` because the core
    # calls it wherever it runs, GIL or not (ours takes the GIL back itself).
    ctypedef void *(*bc_allocator)(size_t count, size_t size, void *ctx) noexcept nogil
    int bc_find_peaks_into(const double *x, size_t n, double threshold,
                           bc_allocator alloc, void *ctx, size_t *count)
    # endregion: allocator
    int bc_matvec(const double *a, size_t rows, size_t cols, size_t row_stride,
                  const double *x, double *y)

    # ---- bytes and strings
    uint64_t bc_fnv1a(const void *data, size_t len)
    int bc_repeat(const char *s, size_t len, size_t n, char **out, size_t *out_len)

    # region: structs
    # ---- structs (only the fields are declared; the C compiler knows the layout)
    ctypedef struct bc_stats:
        size_t n
        double mean
        double std
        double min
        double max
    # endregion: structs

    int bc_describe(const double *x, size_t n, bc_stats *out)

    ctypedef struct bc_event:
        int32_t kind
        double value

    double bc_events_total(const bc_event *ev, size_t n, int32_t kind)

    size_t bc_struct_size(const char *struct_name)
    size_t bc_field_offset(const char *struct_name, const char *field_name)

    # region: check
    # ---- check: the core asks it, every millisecond or so of work, whether to
    # go on. `nogil`, like the allocator's type, because update_many calls it
    # with the GIL released (ours takes the GIL back itself).
    ctypedef int (*bc_check)(void *ctx) noexcept nogil
    # endregion: check

    # ---- callback: declared below, outside the nogil block

    # ---- opaque handle
    ctypedef struct bc_normal_gamma:
        double mu0
        double kappa0
        double alpha0
        double beta0

    ctypedef struct bc_hazard:
        double rate
        int64_t max_run_length

    enum:
        BC_MAX_RUN_LENGTH

    ctypedef struct bc_detector:
        pass

    int bc_detector_create(const bc_normal_gamma *model, const bc_hazard *hazard,
                           bc_detector **out)
    int bc_detector_update(bc_detector *d, double x, int64_t *run_length)
    int bc_detector_update_many(bc_detector *d, const double *xs, size_t n,
                                int64_t *run_lengths, bc_check check, void *ctx)
    const double *bc_detector_posterior(const bc_detector *d, size_t *len)
    uint64_t bc_detector_steps(const bc_detector *d)
    void bc_detector_reset(bc_detector *d)
    void bc_detector_destroy(bc_detector *d)

    # ---- ownership and accounting
    void bc_free(void *p)
    int64_t bc_live_allocations()
    void bc_fail_allocation_after(int64_t k)


# region: callback
# The callback is declared without `nogil`, and so is bc_integrate: a bc_func
# may run Python code, which needs the GIL, and bc_integrate calls it
# synchronously on the caller's thread. Cython therefore rejects any call of
# bc_integrate inside `with nogil`, which proves the GIL is held whenever the
# trampoline in _cython.pyx runs, so it needs no `with gil` of its own.
# The same holds for integrate's check, so its parameter is declared here as
# a bc_check that needs the GIL (the C type is the same: Cython only checks
# that the function we pass may be called with the GIL held).
cdef extern from "bcore.h":
    ctypedef int (*bc_func)(double x, void *ctx, double *y) noexcept

    int bc_integrate(bc_func f, int (*check)(void *ctx) noexcept, void *ctx,
                     double a, double b, size_t n, double *result)
# endregion: callback
