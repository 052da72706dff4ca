/*
 * Arrays in, arrays out, and an array whose length only the core knows.
 *
 * Pointer arguments may be NULL only when the matching length is 0 (an
 * empty NumPy array may hand over any pointer, NULL included).
 */
#include "bcore.h"

#include "alloc.h"
#include "sums.h"

#include <stdbool.h>
#include <stdint.h>

double bc_dsum(const double *x, size_t n) {
    return bc_pairwise_sum(x, n);
}

int bc_scale(const double *x, size_t n, double k, double *out) {
    if (n == 0) {
        return BC_OK;
    }
    if (x == NULL || out == NULL) {
        return BC_EINVAL;
    }
    /* Relational operators on pointers into different objects are undefined,
     * so the ranges are compared as integers. x + n and out + n are
     * one-past-the-end pointers, valid by definition. */
    if (x != out) {
        uintptr_t x_lo = (uintptr_t)x, x_hi = (uintptr_t)(x + n);
        uintptr_t out_lo = (uintptr_t)out, out_hi = (uintptr_t)(out + n);
        if (x_lo < out_hi && out_lo < x_hi) {
            return BC_EINVAL;
        }
    }
    for (size_t i = 0; i < n; ++i) {
        out[i] = x[i] * k;
    }
    return BC_OK;
}

/* The one definition of a peak, shared by both find_peaks functions. Every
 * comparison with NaN is false: a NaN is never a peak, nor is its neighbour. */
static bool is_peak(const double *x, size_t i, double threshold) {
    return x[i] > threshold && x[i - 1] < x[i] && x[i] >= x[i + 1];
}

int bc_find_peaks_into(const double *x, size_t n, double threshold, bc_allocator alloc, void *ctx,
                       size_t *count) {
    if (alloc == NULL || count == NULL || (x == NULL && n > 0)) {
        return BC_EINVAL;
    }
    /* Two passes: counting first lets the caller allocate the exact size
     * once, which costs less than growing a buffer it cannot realloc. */
    size_t found = 0;
    for (size_t i = 1; i + 1 < n; ++i) {
        found += is_peak(x, i, threshold);
    }
    int64_t *peaks = alloc(found, sizeof *peaks, ctx);
    if (peaks == NULL) {
        return BC_ECALLBACK;
    }
    size_t written = 0;
    for (size_t i = 1; i + 1 < n && written < found; ++i) {
        if (is_peak(x, i, threshold)) {
            peaks[written++] = (int64_t)i;
        }
    }
    *count = written;
    return BC_OK;
}

int bc_find_peaks(const double *x, size_t n, double threshold, int64_t **out, size_t *count) {
    if (out == NULL || count == NULL || (x == NULL && n > 0)) {
        return BC_EINVAL;
    }
    /* The number of peaks is known only at the end: start small and double,
     * so the copying done by realloc stays linear in the result size. */
    size_t capacity = 16;
    size_t found = 0;
    int64_t *peaks = bc_malloc(capacity * sizeof *peaks);
    if (peaks == NULL) {
        return BC_ENOMEM;
    }
    for (size_t i = 1; i + 1 < n; ++i) {
        if (!is_peak(x, i, threshold)) {
            continue;
        }
        if (found == capacity) {
            /* Unreachable in practice (fewer than n / 2 peaks, and x itself
             * holds n doubles); it keeps the size below visibly exact. */
            if (capacity > SIZE_MAX / 2 / sizeof *peaks) {
                bc_free(peaks);
                return BC_ENOMEM;
            }
            int64_t *bigger = bc_realloc(peaks, 2 * capacity * sizeof *peaks);
            if (bigger == NULL) {
                bc_free(peaks); /* a failed realloc leaves the old block to us */
                return BC_ENOMEM;
            }
            peaks = bigger;
            capacity *= 2;
        }
        peaks[found++] = (int64_t)i;
    }
    *out = peaks;
    *count = found;
    return BC_OK;
}

int bc_matvec(const double *a, size_t rows, size_t cols, size_t row_stride, const double *x,
              double *y) {
    if (row_stride < cols) {
        return BC_EINVAL;
    }
    if (rows > 0 && (y == NULL || (cols > 0 && (a == NULL || x == NULL)))) {
        return BC_EINVAL;
    }
    for (size_t i = 0; i < rows; ++i) {
        double acc = 0.0;
        /* Offsetting a is only done when there is a row to read: a may be
         * NULL when cols == 0, and NULL + offset is undefined. */
        if (cols > 0) {
            const double *row = a + i * row_stride;
            for (size_t j = 0; j < cols; ++j) {
                acc += row[j] * x[j];
            }
        }
        y[i] = acc;
    }
    return BC_OK;
}
