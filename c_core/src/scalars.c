/*
 * Scalars: the cheapest possible crossings, used to measure call overhead.
 */
#include "bcore.h"

void bc_noop(void) {}

/* Signed overflow is undefined behaviour in C, so the check must happen
 * before the addition (or inside a builtin that reports it). */
#if defined(__has_builtin)
#if __has_builtin(__builtin_add_overflow)
#define BC_HAVE_ADD_OVERFLOW 1
#endif
#endif

int bc_add(int64_t a, int64_t b, int64_t *out) {
    if (out == NULL) {
        return BC_EINVAL;
    }
    int64_t sum;
#ifdef BC_HAVE_ADD_OVERFLOW
    if (__builtin_add_overflow(a, b, &sum)) {
        return BC_EOVERFLOW;
    }
#else
    if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b)) {
        return BC_EOVERFLOW;
    }
    sum = a + b;
#endif
    *out = sum;
    return BC_OK;
}

/* C evaluates + left to right, which is the documented order. */
double bc_sum6(double a, double b, double c, double d, double e, double f) {
    return a + b + c + d + e + f;
}
