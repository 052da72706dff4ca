/* region: conventions */
/*
 * bcore: the one small C library that every binding in this repository wraps.
 *
 * Each function is one pattern a binding author meets at the C/Python
 * boundary (scalars, arrays in and out, C-allocated results, strings,
 * structs, record arrays, callbacks, an opaque handle, error codes).
 *
 * Conventions
 *  - Every fallible function returns a bc_status; results go through
 *    out-parameters, which are written only on success. A NULL pointer where
 *    data or a result is required is BC_EINVAL (NULL data with n == 0 is ok).
 *  - Memory that the core hands to the caller is released with bc_free().
 *  - Sizes are element counts (size_t), never byte counts, unless named *_len.
 *  - The library is thread-safe except that one bc_detector must not be used
 *    by two threads at once: callers serialise access to a shared detector.
 *  - No function keeps a pointer it was given after it returns.
 */
/* endregion: conventions */
#ifndef BCORE_H
#define BCORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(BCORE_SHARED)
#ifdef BCORE_BUILDING
#define BC_API __declspec(dllexport)
#else
#define BC_API __declspec(dllimport)
#endif
#elif defined(__GNUC__)
#define BC_API __attribute__((visibility("default")))
#else
#define BC_API
#endif

/* ---- errors ------------------------------------------------------------ */

/* region: status */
typedef enum bc_status {
    BC_OK = 0,
    BC_EINVAL = 1,    /* an argument is invalid (bindings: ValueError)       */
    BC_EOVERFLOW = 2, /* a result does not fit its type (OverflowError)      */
    BC_ENOMEM = 3,    /* an allocation failed (MemoryError)                  */
    BC_ECALLBACK = 4  /* a callback returned non-zero (re-raise its error)   */
} bc_status;

/* A static, human-readable description of a status code (never NULL). */
BC_API const char *bc_strerror(int status);
/* endregion: status */

/* ---- bare crossing and scalars ---------------------------------------- */

/* region: scalars */
/* Does nothing: measures the cost of a call. */
BC_API void bc_noop(void);

/* *out = a + b; BC_EOVERFLOW (and *out untouched) if it does not fit int64. */
BC_API int bc_add(int64_t a, int64_t b, int64_t *out);

/* a + b + c + d + e + f, summed left to right. */
BC_API double bc_sum6(double a, double b, double c, double d, double e, double f);
/* endregion: scalars */

/* ---- arrays ------------------------------------------------------------ */

/* region: dsum */
/* Sum of x[0..n), 0.0 when n == 0, added in the pairwise order NumPy's
 * np.sum uses (fast: independent additions; error growing with log n):
 *  - n < 8: left to right, from 0.0;
 *  - 8 <= n <= 128: eight running sums r[j] = x[j] + x[j + 8] + ... over the
 *    whole multiples of 8, combined as ((r0 + r1) + (r2 + r3)) + ((r4 + r5) +
 *    (r6 + r7)), then the last n % 8 values added left to right;
 *  - n > 128: m = n / 2 rounded down to a multiple of 8, and the sum of
 *    x[0..m) plus the sum of x[m..n), each by these rules. */
BC_API double bc_dsum(const double *x, size_t n);
/* endregion: dsum */

/* region: scale */
/* out[i] = x[i] * k. out may equal x (in place); BC_EINVAL if the two ranges
 * overlap without being identical, since the result would depend on order. */
BC_API int bc_scale(const double *x, size_t n, double k, double *out);
/* endregion: scale */

/* region: find-peaks */
/* Indices i with 0 < i < n-1, x[i] > threshold, x[i-1] < x[i] >= x[i+1], in
 * increasing order. On success *out is a new buffer (non-NULL even when
 * *count == 0) that the caller owns and releases with bc_free(). */
BC_API int bc_find_peaks(const double *x, size_t n, double threshold, int64_t **out, size_t *count);
/* endregion: find-peaks */

/* region: find-peaks-into */
/* Memory for count elements of size bytes each, from whoever calls a function
 * that takes an allocator (a binding hands over its own language's allocator,
 * so the result needs no copy and no bc_free). Returns NULL on failure; it
 * must return non-NULL for count == 0 too. The core never frees it. */
typedef void *(*bc_allocator)(size_t count, size_t size, void *ctx);

/* The same indices as bc_find_peaks, written to memory the caller provides:
 * the core counts the peaks, calls alloc(count, sizeof(int64_t), ctx) once,
 * then writes them. The core allocates nothing itself. BC_ECALLBACK if alloc
 * returns NULL (nothing is written; the caller reports the allocator's own
 * error); on success *count holds the number of indices written. */
BC_API int bc_find_peaks_into(const double *x, size_t n, double threshold, bc_allocator alloc,
                              void *ctx, size_t *count);
/* endregion: find-peaks-into */

/* region: matvec */
/* y = A x for a row-major A of rows x cols whose rows start row_stride
 * elements apart (row_stride >= cols). BC_EINVAL if row_stride < cols. */
BC_API int bc_matvec(const double *a, size_t rows, size_t cols, size_t row_stride, const double *x,
                     double *y);
/* endregion: matvec */

/* ---- bytes and strings ------------------------------------------------- */

/* region: strings */
/* FNV-1a 64-bit hash of len bytes (offset basis 0xcbf29ce484222325,
 * prime 0x100000001b3). */
BC_API uint64_t bc_fnv1a(const void *data, size_t len);

/* *out = s repeated n times: a new buffer of *out_len = len * n bytes plus a
 * terminating NUL that is not counted (the bytes may contain NULs: use the
 * length). Released with bc_free(). BC_EOVERFLOW if len * n overflows. */
BC_API int bc_repeat(const char *s, size_t len, size_t n, char **out, size_t *out_len);
/* endregion: strings */

/* ---- structs ----------------------------------------------------------- */

/* region: structs */
typedef struct bc_stats {
    size_t n;
    double mean;
    double std; /* population standard deviation (divides by n) */
    double min;
    double max;
} bc_stats;

/* Fills *out with the statistics of x[0..n). BC_EINVAL if n == 0. If any
 * element is NaN, mean, std, min and max are all NaN. */
BC_API int bc_describe(const double *x, size_t n, bc_stats *out);
/* endregion: structs */

/* region: records */
/* One record of a record array: 4 bytes of kind, 4 of padding, 8 of value. */
typedef struct bc_event {
    int32_t kind;
    double value;
} bc_event;

/* Sum of ev[i].value over the records with ev[i].kind == kind. */
BC_API double bc_events_total(const bc_event *ev, size_t n, int32_t kind);
/* endregion: records */

/* region: layout */
/* Layout of the public structs, so bindings that mirror them can check their
 * mirror: name is "bc_stats", "bc_event", "bc_normal_gamma" or "bc_hazard".
 * bc_struct_size returns 0 and bc_field_offset (size_t)-1 for unknown names. */
BC_API size_t bc_struct_size(const char *struct_name);
BC_API size_t bc_field_offset(const char *struct_name, const char *field_name);
/* endregion: layout */

/* ---- callback ---------------------------------------------------------- */

/* region: check */
/* A long call asks its caller, through a check, whether to go on: every
 * BC_CHECK_INTERVAL units of work (a unit is one posterior cell of a detector
 * step, or one call of an integrand), with no lock of the core's held. A check
 * returns 0 to go on and non-zero to stop; the call then stops between two
 * steps, keeps the steps done so far, and returns BC_ECALLBACK. Bindings use it
 * to let Ctrl-C interrupt a long call: the check takes the interpreter's lock
 * for a moment, runs the pending signal handlers and stops if one raised. A
 * NULL check is never called. 2^15 units: about a millisecond of a detector's
 * work (some 40 ns a cell), a few of an integrand's. */
typedef int (*bc_check)(void *ctx);

#define BC_CHECK_INTERVAL ((size_t)1 << 15)
/* endregion: check */

/* region: callback */
/* A callback computes *y = f(x); it returns 0 on success, non-zero to stop. */
typedef int (*bc_func)(double x, void *ctx, double *y);

/* Trapezoid rule of f over [a, b] with n intervals (n + 1 calls of f, from a
 * to b in order). BC_EINVAL if n == 0 or a, b not finite; BC_EOVERFLOW if the
 * step (b - a) / n is not finite. If f returns non-zero, integration stops at
 * once and BC_ECALLBACK is returned; so it does when check (given the same
 * ctx, may be NULL) asks to stop. */
BC_API int bc_integrate(bc_func f, bc_check check, void *ctx, double a, double b, size_t n,
                        double *result);
/* endregion: callback */

/* ---- opaque handle: Bayesian online change-point detector -------------- */

/*
 * Adams & MacKay (2007) with Gaussian observations of unknown mean and
 * variance. The hypothesis "run length r" (the last r observations belong to
 * the current segment) carries Normal-Gamma statistics of exactly those r
 * observations: kappa_r = kappa0 + r, alpha_r = alpha0 + r/2, and mu_r, beta_r
 * updated from the prior by
 *     mu' = (kappa mu + x) / (kappa + 1),
 *     beta' = beta + kappa (x - mu)^2 / (2 (kappa + 1)).
 * Its predictive density is Student-t with 2 alpha_r degrees of freedom,
 * location mu_r and scale^2 = beta_r (kappa_r + 1) / (alpha_r kappa_r).
 * One step with observation x, hazard H and posterior P over 0..R:
 *     w_r       = P[r] * pred_r(x)
 *     P'[0]     = H * sum_r w_r
 *     P'[r + 1] = (1 - H) * w_r,   with r + 1 > R folded into P'[R]
 *     P         = P' / sum(P')
 * and the statistics shift by one (stats'[r + 1] = update(stats[r], x),
 * stats'[0] = prior; the statistics of the folded hypothesis R are those of
 * the last R observations). Weights are computed in log space and rescaled,
 * so long series neither underflow nor overflow. A step reports the most
 * probable run length (ties: the smallest). Initially P = [1, 0, ..., 0];
 * after any step P[0] = H, since the change mass is H times the total.
 */
typedef struct bc_normal_gamma {
    double mu0;
    double kappa0;
    double alpha0;
    double beta0;
} bc_normal_gamma;

typedef struct bc_hazard {
    double rate;            /* H, constant hazard, 0 < H < 1              */
    int64_t max_run_length; /* R, 1 <= R <= BC_MAX_RUN_LENGTH              */
} bc_hazard;

#define BC_MAX_RUN_LENGTH 10000000

/* region: handle */
typedef struct bc_detector bc_detector;

/* Creates a detector. BC_EINVAL for invalid parameters (rate outside (0, 1),
 * kappa0, alpha0 or beta0 <= 0, any non-finite value, R out of range). */
BC_API int bc_detector_create(const bc_normal_gamma *model, const bc_hazard *hazard,
                              bc_detector **out);

/* One step; *run_length = the most probable run length. BC_EINVAL if x is
 * not finite (the detector is then unchanged). */
BC_API int bc_detector_update(bc_detector *d, double x, int64_t *run_length);

/* n steps; run_lengths[i] = the most probable run length after xs[i].
 * BC_EINVAL, with the detector unchanged, if any xs[i] is not finite. If check
 * (may be NULL) asks to stop, BC_ECALLBACK after the steps done so far: the
 * detector has taken them (bc_detector_steps tells how many) and their run
 * lengths are written. */
BC_API int bc_detector_update_many(bc_detector *d, const double *xs, size_t n, int64_t *run_lengths,
                                   bc_check check, void *ctx);

/* The run-length posterior: a borrowed pointer to *len = R + 1 doubles owned
 * by the detector. It stays at the same address, updated in place by every
 * step and by reset, until bc_detector_destroy. */
BC_API const double *bc_detector_posterior(const bc_detector *d, size_t *len);

/* Number of steps since creation or the last reset. */
BC_API uint64_t bc_detector_steps(const bc_detector *d);

/* Back to the prior: P = [1, 0, ..., 0], no steps seen. */
BC_API void bc_detector_reset(bc_detector *d);

/* Releases the detector and its posterior buffer; NULL is allowed. */
BC_API void bc_detector_destroy(bc_detector *d);
/* endregion: handle */

/* ---- ownership and accounting ----------------------------------------- */

/* region: accounting */
/* Releases a buffer the core allocated (bc_find_peaks, bc_repeat); NULL ok. */
BC_API void bc_free(void *p);

/* Number of core allocations not yet released (all threads). */
BC_API int64_t bc_live_allocations(void);

/* Test hook: the k-th allocation from now (k >= 1) fails as if out of memory;
 * k <= 0 disarms it. Process-wide; meant for single-threaded tests. */
BC_API void bc_fail_allocation_after(int64_t k);
/* endregion: accounting */

#ifdef __cplusplus
}
#endif

#endif /* BCORE_H */
