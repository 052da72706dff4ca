/*
 * Structs by pointer, record arrays, and the layout table that lets
 * bindings which mirror the structs check their mirror.
 */
#include "bcore.h"

#include "sums.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

int bc_describe(const double *x, size_t n, bc_stats *out) {
    if (x == NULL || n == 0 || out == NULL) {
        return BC_EINVAL;
    }
    double min = x[0], max = x[0];
    bool any_nan = false;
    for (size_t i = 0; i < n; ++i) {
        double v = x[i];
        any_nan = any_nan || isnan(v);
        min = v < min ? v : min;
        max = v > max ? v : max;
    }
    if (any_nan) {
        /* min/max comparisons ignore NaN, so it is made explicit here. */
        *out = (bc_stats){.n = n, .mean = NAN, .std = NAN, .min = NAN, .max = NAN};
        return BC_OK;
    }
    /* Two passes: summing squared deviations from the mean avoids the
     * cancellation of E[x^2] - E[x]^2 when the mean is large. Both sums are
     * pairwise (sums.h), as dsum's. */
    double mean = bc_pairwise_sum(x, n) / (double)n;
    double squares = bc_pairwise_squares(x, n, mean);
    *out =
        (bc_stats){.n = n, .mean = mean, .std = sqrt(squares / (double)n), .min = min, .max = max};
    return BC_OK;
}

double bc_events_total(const bc_event *ev, size_t n, int32_t kind) {
    double total = 0.0;
    for (size_t i = 0; i < n; ++i) {
        if (ev[i].kind == kind) {
            total += ev[i].value;
        }
    }
    return total;
}

/* The compiler's own answer (sizeof, offsetof), so the table cannot drift
 * from the structs in bcore.h. */
typedef struct struct_layout {
    const char *name;
    size_t size;
} struct_layout;

typedef struct field_layout {
    const char *struct_name;
    const char *field_name;
    size_t offset;
} field_layout;

#define STRUCT(type) {#type, sizeof(type)}
#define FIELD(type, field) {#type, #field, offsetof(type, field)}

static const struct_layout structs[] = {
    STRUCT(bc_stats),
    STRUCT(bc_event),
    STRUCT(bc_normal_gamma),
    STRUCT(bc_hazard),
};

static const field_layout fields[] = {
    FIELD(bc_stats, n),
    FIELD(bc_stats, mean),
    FIELD(bc_stats, std),
    FIELD(bc_stats, min),
    FIELD(bc_stats, max),
    FIELD(bc_event, kind),
    FIELD(bc_event, value),
    FIELD(bc_normal_gamma, mu0),
    FIELD(bc_normal_gamma, kappa0),
    FIELD(bc_normal_gamma, alpha0),
    FIELD(bc_normal_gamma, beta0),
    FIELD(bc_hazard, rate),
    FIELD(bc_hazard, max_run_length),
};

#undef STRUCT
#undef FIELD

size_t bc_struct_size(const char *struct_name) {
    if (struct_name == NULL) {
        return 0;
    }
    for (size_t i = 0; i < sizeof structs / sizeof structs[0]; ++i) {
        if (strcmp(structs[i].name, struct_name) == 0) {
            return structs[i].size;
        }
    }
    return 0;
}

size_t bc_field_offset(const char *struct_name, const char *field_name) {
    if (struct_name == NULL || field_name == NULL) {
        return (size_t)-1;
    }
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; ++i) {
        if (strcmp(fields[i].struct_name, struct_name) == 0 &&
            strcmp(fields[i].field_name, field_name) == 0) {
            return fields[i].offset;
        }
    }
    return (size_t)-1;
}
