/*
 * Bayesian online change-point detection (Adams & MacKay 2007) behind an
 * opaque handle. The model is documented in bcore.h; this file is about
 * doing it fast and without overflow.
 *
 * For run length r, kappa_r = kappa0 + r and alpha_r = alpha0 + r/2 do not
 * depend on the data. Writing z = kappa_r (x - mu_r)^2 / (2 (kappa_r + 1)),
 * the Student-t log density of the header becomes
 *     log pred_r(x) = c_r - log(beta_r) / 2 - (alpha_r + 1/2) log1p(z / beta_r),
 *     c_r = lgamma(alpha_r + 1/2) - lgamma(alpha_r)
 *           - log(2 pi (kappa_r + 1) / kappa_r) / 2,
 * and the update of the statistics is beta' = beta_r + z, with the same z.
 * So per run length the detector stores mu_r and beta_r (the data) and c_r
 * (Gamma-function work, too slow to repeat every step). kappa_r and alpha_r
 * are one addition away and are not stored: at R = 10^7 each array is 80 MB.
 */
#include "bcore.h"

#include "alloc.h"

#include <math.h>
#include <stdbool.h>

struct bc_detector {
    bc_normal_gamma prior;
    double hazard;    /* H */
    size_t max_run;   /* R */
    uint64_t steps;   /* since create or reset */
    double *post;     /* P[0..R]: never moves, bindings expose it in place */
    double *mu;       /* mu_r, r = 0..R */
    double *beta;     /* beta_r */
    double *log_norm; /* c_r */
    double *scratch;  /* the log-weights, then the weights, of one step */
};

/* Arrays of R + 1 doubles in the single data block. */
enum { DETECTOR_ARRAYS = 5 };

static const double LOG_2PI = 1.83787706640934548356;

/* lgamma(a + 1/2) - lgamma(a) for a > 0, without calling lgamma: the two
 * values are huge and nearly equal for large a (lgamma(1e20) is about 4.5e21,
 * so their difference would be off by about 1e6), and lgamma writes the
 * global signgam, a data race between threads that create detectors. The
 * asymptotic series is used once a >= 100 (its first omitted term,
 * 17 / (14336 a^7), is then below 1e-16), after raising a with
 * Gamma(a + 1) = a Gamma(a), which gives D(a) = D(a + 1) - log((a + 1/2) / a). */
static double lgamma_half_step(double a) {
    double shift = 0.0;
    for (; a < 100.0; a += 1.0) {
        /* 0.5 / a overflows for a subnormal a, so below 1 a difference of
         * logs is used; it is at least log 1.5, so little cancels. */
        shift += a < 1.0 ? log(a + 0.5) - log(a) : log1p(0.5 / a);
    }
    double u = 1.0 / (a * a);
    return 0.5 * log(a) - (1.0 - u / 24.0 + u * u / 80.0) / (8.0 * a) - shift;
}

static bool valid_model(const bc_normal_gamma *m) {
    /* v > 0.0 is false for NaN, so the comparisons reject NaN by themselves;
     * isfinite is what rejects the infinities. */
    return isfinite(m->mu0) && isfinite(m->kappa0) && isfinite(m->alpha0) && isfinite(m->beta0) &&
           m->kappa0 > 0.0 && m->alpha0 > 0.0 && m->beta0 > 0.0;
}

static bool valid_hazard(const bc_hazard *h) {
    return isfinite(h->rate) && h->rate > 0.0 && h->rate < 1.0 && h->max_run_length >= 1 &&
           h->max_run_length <= BC_MAX_RUN_LENGTH;
}

int bc_detector_create(const bc_normal_gamma *model, const bc_hazard *hazard, bc_detector **out) {
    if (model == NULL || hazard == NULL || out == NULL || !valid_model(model) ||
        !valid_hazard(hazard)) {
        return BC_EINVAL;
    }
    size_t len = (size_t)hazard->max_run_length + 1;
    bc_detector *d = bc_malloc(sizeof *d);
    if (d == NULL) {
        return BC_ENOMEM;
    }
    /* One block for every per-run-length array. R <= BC_MAX_RUN_LENGTH keeps
     * its size (5 * 8 * (R + 1) bytes, at most 400 MB) within a 32-bit size_t. */
    double *block = bc_malloc(DETECTOR_ARRAYS * len * sizeof *block);
    if (block == NULL) {
        bc_free(d);
        return BC_ENOMEM;
    }
    d->prior = *model;
    d->hazard = hazard->rate;
    d->max_run = len - 1;
    d->post = block;
    d->mu = block + len;
    d->beta = block + 2 * len;
    d->log_norm = block + 3 * len;
    d->scratch = block + 4 * len;
    for (size_t r = 0; r < len; ++r) {
        double kappa = model->kappa0 + (double)r;
        double alpha = model->alpha0 + 0.5 * (double)r;
        /* log((kappa + 1) / kappa) without forming the quotient, which
         * overflows when kappa0 is subnormal. */
        double log_ratio = log1p(kappa) - log(kappa);
        d->log_norm[r] = lgamma_half_step(alpha) - 0.5 * (LOG_2PI + log_ratio);
    }
    bc_detector_reset(d);
    *out = d;
    return BC_OK;
}

/* Rewrites the arrays in place: bindings hold views of the posterior. Only
 * the statistics of run lengths 0..min(t, R) are ever read, but all are set
 * so that a fresh detector is in one well-defined state. */
void bc_detector_reset(bc_detector *d) {
    for (size_t r = 0; r <= d->max_run; ++r) {
        d->post[r] = 0.0;
        d->mu[r] = d->prior.mu0;
        d->beta[r] = d->prior.beta0;
    }
    d->post[0] = 1.0;
    d->steps = 0;
}

void bc_detector_destroy(bc_detector *d) {
    if (d == NULL) {
        return;
    }
    bc_free(d->post); /* the start of the data block */
    bc_free(d);
}

const double *bc_detector_posterior(const bc_detector *d, size_t *len) {
    if (len != NULL) {
        *len = d->max_run + 1;
    }
    return d->post;
}

uint64_t bc_detector_steps(const bc_detector *d) {
    return d->steps;
}

/* One step with a finite x; returns the most probable run length. */
static int64_t detector_step(bc_detector *d, double x) {
    const size_t R = d->max_run;
    /* After t steps only run lengths 0..min(t, R) can have mass. */
    const size_t top = d->steps < (uint64_t)R ? (size_t)d->steps : R;
    double *P = d->post, *w = d->scratch;

    /* 1. Log-weights log P[r] + log pred_r(x), kept in log space because the
     *    predictive densities of a long run can be far below DBL_MIN. */
    double best = -INFINITY;
    for (size_t r = 0; r <= top; ++r) {
        double lw = -INFINITY;
        if (P[r] > 0.0) {
            double kappa = d->prior.kappa0 + (double)r;
            double alpha = d->prior.alpha0 + 0.5 * (double)r;
            double dev = x - d->mu[r];
            double z = 0.5 * kappa / (kappa + 1.0) * dev * dev;
            lw = log(P[r]) + d->log_norm[r] - 0.5 * log(d->beta[r]) -
                 (alpha + 0.5) * log1p(z / d->beta[r]);
            /* An x some 1e154 or more away from mu_r overflows z (and then
             * beta): such a hypothesis gets weight zero, never NaN. */
            if (isnan(lw)) {
                lw = -INFINITY;
            }
        }
        w[r] = lw;
        best = lw > best ? lw : best;
    }

    /* 2. Weights relative to the largest, so the largest is exactly 1 and
     *    their sum S is in [1, top + 1]. If no hypothesis gives x a density
     *    that double precision can represent, x is treated as carrying no
     *    information (pred_r equal for all r) rather than dividing 0 by 0. */
    double sum = 0.0;
    for (size_t r = 0; r <= top; ++r) {
        w[r] = best > -INFINITY ? exp(w[r] - best) : P[r];
        sum += w[r];
    }

    /* 3. The new posterior, in place (w holds everything still needed). The
     *    change mass H * S normalises to H; growth moves r to r + 1, and
     *    the mass that would grow past R stays at R. */
    const size_t new_top = top < R ? top + 1 : R;
    const double growth = (1.0 - d->hazard) / sum;
    P[0] = d->hazard;
    for (size_t r = 1; r <= new_top; ++r) {
        P[r] = growth * w[r - 1];
    }
    if (top == R) {
        P[R] += growth * w[R];
    }

    /* 4. The statistics shift with their hypotheses: stats'[r] =
     *    update(stats[r - 1], x), from the top down so nothing is overwritten
     *    before it is read; the old stats[R] fall off the end. mu' is a
     *    weighted mean of mu and x, which cannot overflow. */
    for (size_t r = new_top; r > 0; --r) {
        double kappa = d->prior.kappa0 + (double)(r - 1);
        double gain = 1.0 / (kappa + 1.0);
        double dev = x - d->mu[r - 1];
        d->mu[r] = d->mu[r - 1] * (kappa * gain) + x * gain;
        d->beta[r] = d->beta[r - 1] + 0.5 * kappa * gain * dev * dev;
    }
    d->mu[0] = d->prior.mu0;
    d->beta[0] = d->prior.beta0;
    d->steps += 1;

    /* 5. The most probable run length, the smallest on ties. */
    size_t arg = 0;
    for (size_t r = 1; r <= new_top; ++r) {
        if (P[r] > P[arg]) {
            arg = r;
        }
    }
    return (int64_t)arg;
}

int bc_detector_update(bc_detector *d, double x, int64_t *run_length) {
    if (d == NULL || run_length == NULL || !isfinite(x)) {
        return BC_EINVAL;
    }
    *run_length = detector_step(d, x);
    return BC_OK;
}

int bc_detector_update_many(bc_detector *d, const double *xs, size_t n, int64_t *run_lengths,
                            bc_check check, void *ctx) {
    if (d == NULL || (n > 0 && (xs == NULL || run_lengths == NULL))) {
        return BC_EINVAL;
    }
    /* All or nothing: validate every x before the first step. */
    for (size_t i = 0; i < n; ++i) {
        if (!isfinite(xs[i])) {
            return BC_EINVAL;
        }
    }
    /* A step costs one unit per live hypothesis: min(steps, R) + 1 of them. */
    size_t work = 0;
    for (size_t i = 0; i < n; ++i) {
        run_lengths[i] = detector_step(d, xs[i]);
        work += (d->steps < d->max_run ? (size_t)d->steps : d->max_run) + 1;
        if (check != NULL && work >= BC_CHECK_INTERVAL) {
            work -= BC_CHECK_INTERVAL;
            if (check(ctx) != 0) {
                return BC_ECALLBACK;
            }
        }
    }
    return BC_OK;
}
