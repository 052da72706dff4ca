/*
 * The pairwise summation of sums.h. The recursion is written once; a block
 * of at most SUMS_BLOCK terms is summed by one of two loops, one per term,
 * each simple enough for the compiler to vectorise (eight running sums, two
 * or four to a vector register). A single loop over a term chosen by a flag
 * is not: the compiler then keeps the eight sums in memory, one at a time.
 */
#include "sums.h"

#include <stdbool.h>

static double block_sum(const double *x, size_t n) {
    if (n < 8) {
        double sum = 0.0;
        for (size_t i = 0; i < n; ++i) {
            sum += x[i];
        }
        return sum;
    }
    double r[8];
    for (size_t j = 0; j < 8; ++j) {
        r[j] = x[j];
    }
    size_t i = 8;
    for (; i + 8 <= n; i += 8) {
        for (size_t j = 0; j < 8; ++j) {
            r[j] += x[i + j];
        }
    }
    double sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) {
        sum += x[i];
    }
    return sum;
}

/* The same order, over the terms (x[i] - shift)^2. */
static double block_squares(const double *x, size_t n, double shift) {
    if (n < 8) {
        double sum = 0.0;
        for (size_t i = 0; i < n; ++i) {
            sum += (x[i] - shift) * (x[i] - shift);
        }
        return sum;
    }
    double r[8];
    for (size_t j = 0; j < 8; ++j) {
        r[j] = (x[j] - shift) * (x[j] - shift);
    }
    size_t i = 8;
    for (; i + 8 <= n; i += 8) {
        for (size_t j = 0; j < 8; ++j) {
            r[j] += (x[i + j] - shift) * (x[i + j] - shift);
        }
    }
    double sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) {
        sum += (x[i] - shift) * (x[i] - shift);
    }
    return sum;
}

static double pairwise(const double *x, size_t n, double shift, bool squared) {
    if (n <= SUMS_BLOCK) {
        return squared ? block_squares(x, n, shift) : block_sum(x, n);
    }
    size_t half = n / 2;
    half -= half % 8;
    return pairwise(x, half, shift, squared) + pairwise(x + half, n - half, shift, squared);
}

double bc_pairwise_sum(const double *x, size_t n) {
    return pairwise(x, n, 0.0, false);
}

double bc_pairwise_squares(const double *x, size_t n, double shift) {
    return pairwise(x, n, shift, true);
}
