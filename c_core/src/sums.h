/*
 * Internal summation of the core (not installed, not exported).
 *
 * One order of additions for every sum of many doubles the core makes: the
 * pairwise order of bc_dsum in bcore.h, the one NumPy's np.sum uses. Eight
 * independent running sums are not a chain of dependent additions, so the
 * compiler keeps several in flight and vectorises them without -ffast-math
 * (nothing is reordered), and the pairwise split keeps the rounding error
 * growing with log n rather than n.
 */
#ifndef BCORE_SUMS_H
#define BCORE_SUMS_H

#include <stddef.h>

#define SUMS_BLOCK 128

/* Sum of x[0..n) in the order above; 0.0 when n == 0. */
double bc_pairwise_sum(const double *x, size_t n);

/* Sum of (x[i] - shift)^2 over x[0..n), in the same order. */
double bc_pairwise_squares(const double *x, size_t n, double shift);

#endif /* BCORE_SUMS_H */
