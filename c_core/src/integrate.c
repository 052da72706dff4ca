/*
 * A callback: the core calls back into the caller's code, which may fail.
 */
#include "bcore.h"

#include <math.h>

int bc_integrate(bc_func f, bc_check check, void *ctx, double a, double b, size_t n,
                 double *result) {
    if (f == NULL || result == NULL || n == 0 || !isfinite(a) || !isfinite(b)) {
        return BC_EINVAL;
    }
    /* b - a overflows only for |a|, |b| near DBL_MAX; the interior points
     * a + i * h would then be infinite, outside [a, b]. */
    double h = (b - a) / (double)n;
    if (!isfinite(h)) {
        return BC_EOVERFLOW;
    }
    /* Points as numpy.linspace computes them (a + i * h, the last exactly b),
     * evaluated strictly in order, and no call after a failing one. */
    double y;
    if (f(a, ctx, &y) != 0) {
        return BC_ECALLBACK;
    }
    double sum = 0.5 * y;
    for (size_t i = 1; i < n; ++i) {
        if (f(a + (double)i * h, ctx, &y) != 0) {
            return BC_ECALLBACK;
        }
        sum += y;
        if (check != NULL && i % BC_CHECK_INTERVAL == 0 && check(ctx) != 0) {
            return BC_ECALLBACK;
        }
    }
    if (f(b, ctx, &y) != 0) {
        return BC_ECALLBACK;
    }
    sum += 0.5 * y;
    *result = sum * h;
    return BC_OK;
}
