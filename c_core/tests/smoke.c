/*
 * Smoke test of the C core, without Python: every function, its error
 * paths, every allocation failure point, and a long detector run.
 *
 * Build: cc -std=c11 -I c_core/include c_core/tests/smoke.c c_core/src/\*.c -lm
 * Exit status 0 on success; each failed check prints its line.
 * CHECK, unlike assert, still runs under NDEBUG.
 */
#include "bcore.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
            ++failures;                                                                            \
        }                                                                                          \
    } while (0)

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static bool close_to(double a, double b, double tol) {
    return fabs(a - b) <= tol;
}

/* ---- scalars and errors ---------------------------------------------- */

static void test_errors_and_scalars(void) {
    const int codes[] = {BC_OK, BC_EINVAL, BC_EOVERFLOW, BC_ENOMEM, BC_ECALLBACK, -1, 99};
    for (size_t i = 0; i < COUNT(codes); ++i) {
        CHECK(bc_strerror(codes[i]) != NULL && bc_strerror(codes[i])[0] != '\0');
    }
    CHECK(strcmp(bc_strerror(BC_EINVAL), bc_strerror(BC_ENOMEM)) != 0);

    bc_noop();
    bc_free(NULL);
    CHECK(bc_live_allocations() == 0);

    int64_t r = 0;
    CHECK(bc_add(2, 3, &r) == BC_OK && r == 5);
    CHECK(bc_add(INT64_MAX, INT64_MIN, &r) == BC_OK && r == -1);
    CHECK(bc_add(INT64_MAX, 0, &r) == BC_OK && r == INT64_MAX);
    r = 42;
    CHECK(bc_add(INT64_MAX, 1, &r) == BC_EOVERFLOW && r == 42);
    CHECK(bc_add(INT64_MIN, -1, &r) == BC_EOVERFLOW && r == 42);
    CHECK(bc_add(1, 1, NULL) == BC_EINVAL);

    /* Left to right: (1e16 + 1) + 1 rounds back to 1e16 each time. */
    CHECK(bc_sum6(1e16, 1.0, 1.0, -1e16, 0.0, 0.0) == 0.0);
    CHECK(bc_sum6(1.0, 2.0, 3.0, 4.0, 5.0, 6.0) == 21.0);
}

/* ---- arrays ------------------------------------------------------------ */

static void test_dsum_scale_matvec(void) {
    const double x[] = {1.0, 2.0, 3.5};
    CHECK(bc_dsum(x, 3) == 6.5);
    CHECK(bc_dsum(NULL, 0) == 0.0);
    /* The pairwise order (bcore.h), told apart by where 1.0 meets 1e16, into
     * which it vanishes: in the same running sum as 1e16 and -1e16 (16
     * values) it survives; split into halves (256 values) it does not. */
    double lanes[16] = {1e16, 1.0}, halves[256] = {1e16, 1.0};
    lanes[8] = -1e16;
    halves[128] = -1e16;
    CHECK(bc_dsum(lanes, 16) == 1.0 && bc_dsum(halves, 256) == 0.0);
    const double short_run[] = {1e16, 1.0, -1e16};
    CHECK(bc_dsum(short_run, 3) == 0.0); /* under 8 values: left to right */

    double out[3];
    CHECK(bc_scale(x, 3, 2.0, out) == BC_OK && out[0] == 2.0 && out[2] == 7.0);
    double buf[6] = {1, 2, 3, 4, 5, 6};
    CHECK(bc_scale(buf, 3, -1.0, buf) == BC_OK && buf[0] == -1.0 && buf[2] == -3.0);
    CHECK(bc_scale(buf, 3, 1.0, buf + 1) == BC_EINVAL);
    CHECK(bc_scale(buf + 1, 3, 1.0, buf) == BC_EINVAL);
    CHECK(bc_scale(buf, 3, 10.0, buf + 3) == BC_OK && buf[3] == -10.0); /* adjacent is fine */
    CHECK(bc_scale(NULL, 0, 1.0, NULL) == BC_OK);
    CHECK(bc_scale(NULL, 1, 1.0, out) == BC_EINVAL);

    /* 2 x 3 matrix in rows of 4 (the last column is padding). */
    const double a[] = {1, 2, 3, 99, 4, 5, 6, 99};
    const double v[] = {1, 0, -1};
    double y[2] = {-7, -7};
    CHECK(bc_matvec(a, 2, 3, 4, v, y) == BC_OK && y[0] == -2.0 && y[1] == -2.0);
    CHECK(bc_matvec(a, 2, 3, 2, v, y) == BC_EINVAL);
    CHECK(bc_matvec(a, 2, 3, 4, v, NULL) == BC_EINVAL);
    CHECK(bc_matvec(NULL, 0, 3, 3, v, NULL) == BC_OK);
    y[0] = y[1] = -7;
    CHECK(bc_matvec(NULL, 2, 0, 0, NULL, y) == BC_OK && y[0] == 0.0 && y[1] == 0.0);
}

/* An allocator over a fixed buffer, as a binding's would hand out its own
 * language's memory; it records what it was asked for. */
typedef struct fixed_arena {
    int64_t slots[8];
    size_t asked_count;
    size_t asked_size;
    int calls;
    int fail;
} fixed_arena;

static void *arena_alloc(size_t count, size_t size, void *ctx) {
    fixed_arena *arena = ctx;
    arena->asked_count = count;
    arena->asked_size = size;
    arena->calls++;
    return arena->fail || count > COUNT(arena->slots) ? NULL : arena->slots;
}

static void test_find_peaks_into(void) {
    const double x[] = {0, 1, 1, 0, 3, 2, 5, 5, 5, 0, -1, 0.5, 0};
    fixed_arena arena = {.slots = {-1, -1, -1, -1, -1, -1, -1, -1}};
    size_t count = 99;
    CHECK(bc_find_peaks_into(x, COUNT(x), 0.5, arena_alloc, &arena, &count) == BC_OK);
    CHECK(count == 3 && arena.calls == 1 && arena.asked_count == 3);
    CHECK(arena.asked_size == sizeof(int64_t));
    CHECK(arena.slots[0] == 1 && arena.slots[1] == 4 && arena.slots[2] == 6 &&
          arena.slots[3] == -1);

    /* No peaks: the allocator is still asked, for zero elements. */
    arena.calls = 0;
    CHECK(bc_find_peaks_into(NULL, 0, 0.0, arena_alloc, &arena, &count) == BC_OK);
    CHECK(count == 0 && arena.calls == 1 && arena.asked_count == 0);

    /* A failing allocator: BC_ECALLBACK, *count untouched. */
    arena.fail = 1;
    count = 12345;
    CHECK(bc_find_peaks_into(x, COUNT(x), 0.5, arena_alloc, &arena, &count) == BC_ECALLBACK);
    CHECK(count == 12345);

    CHECK(bc_find_peaks_into(x, COUNT(x), 0.5, NULL, &arena, &count) == BC_EINVAL);
    CHECK(bc_find_peaks_into(x, COUNT(x), 0.5, arena_alloc, &arena, NULL) == BC_EINVAL);
    CHECK(bc_find_peaks_into(NULL, 3, 0.5, arena_alloc, &arena, &count) == BC_EINVAL);
    CHECK(bc_live_allocations() == 0); /* the core allocated nothing */
}

static void test_find_peaks(void) {
    int64_t *peaks = NULL;
    size_t count = 99;
    /* Plateaus count once, at their left edge (x[i-1] < x[i] >= x[i+1]). */
    const double x[] = {0, 1, 1, 0, 3, 2, 5, 5, 5, 0, -1, 0.5, 0};
    CHECK(bc_find_peaks(x, COUNT(x), 0.5, &peaks, &count) == BC_OK);
    CHECK(count == 3 && peaks[0] == 1 && peaks[1] == 4 && peaks[2] == 6);
    bc_free(peaks);

    for (size_t n = 0; n < 3; ++n) {
        peaks = NULL;
        CHECK(bc_find_peaks(x, n, -10.0, &peaks, &count) == BC_OK);
        CHECK(peaks != NULL && count == 0);
        bc_free(peaks);
    }
    const double with_nan[] = {0, NAN, 0, 1, 0};
    CHECK(bc_find_peaks(with_nan, 5, 0.0, &peaks, &count) == BC_OK && count == 1 && peaks[0] == 3);
    bc_free(peaks);
    CHECK(bc_find_peaks(NULL, 3, 0.0, &peaks, &count) == BC_EINVAL);
    CHECK(bc_find_peaks(x, 3, 0.0, NULL, &count) == BC_EINVAL);

    /* 100 peaks: the result buffer grows 16 -> 32 -> 64 -> 128. */
    double saw[201];
    for (size_t i = 0; i < COUNT(saw); ++i) {
        saw[i] = (double)(i % 2);
    }
    CHECK(bc_find_peaks(saw, COUNT(saw), 0.0, &peaks, &count) == BC_OK && count == 100);
    CHECK(peaks[0] == 1 && peaks[99] == 199);
    bc_free(peaks);

    /* Each allocation point fails in turn; the outputs stay untouched. */
    int failure_points = 0;
    for (int64_t k = 1; k < 100; ++k) {
        int64_t *sentinel = (int64_t *)&count;
        peaks = sentinel;
        count = 12345;
        bc_fail_allocation_after(k);
        int status = bc_find_peaks(saw, COUNT(saw), 0.0, &peaks, &count);
        bc_fail_allocation_after(0);
        if (status == BC_OK) {
            CHECK(count == 100);
            bc_free(peaks);
            break;
        }
        ++failure_points;
        CHECK(status == BC_ENOMEM && peaks == sentinel && count == 12345);
        CHECK(bc_live_allocations() == 0);
    }
    CHECK(failure_points == 4);
}

/* ---- strings ----------------------------------------------------------- */

static void test_strings(void) {
    CHECK(bc_fnv1a(NULL, 0) == UINT64_C(0xcbf29ce484222325));
    CHECK(bc_fnv1a("a", 1) == UINT64_C(0xaf63dc4c8601ec8c));
    CHECK(bc_fnv1a("foobar", 6) == UINT64_C(0x85944171f73967e8));

    char *s = NULL;
    size_t len = 0;
    CHECK(bc_repeat("ab", 2, 3, &s, &len) == BC_OK && len == 6 && memcmp(s, "ababab", 7) == 0);
    bc_free(s);
    CHECK(bc_repeat("a\0b", 3, 2, &s, &len) == BC_OK && len == 6 && memcmp(s, "a\0ba\0b", 7) == 0);
    bc_free(s);
    CHECK(bc_repeat("xyz", 3, 0, &s, &len) == BC_OK && s != NULL && len == 0 && s[0] == '\0');
    bc_free(s);
    CHECK(bc_repeat(NULL, 0, SIZE_MAX, &s, &len) == BC_OK && len == 0 && s[0] == '\0');
    bc_free(s);
    CHECK(bc_repeat("abc", 3, 1000, &s, &len) == BC_OK && len == 3000);
    CHECK(memcmp(s + 2997, "abc", 4) == 0);
    bc_free(s);

    s = (char *)"untouched";
    len = 7;
    CHECK(bc_repeat("ab", 2, SIZE_MAX / 2 + 1, &s, &len) == BC_EOVERFLOW);
    CHECK(bc_repeat("a", 1, SIZE_MAX, &s, &len) == BC_EOVERFLOW); /* no room for the NUL */
    CHECK(strcmp(s, "untouched") == 0 && len == 7);
    CHECK(bc_repeat(NULL, 1, 1, &s, &len) == BC_EINVAL);

    bc_fail_allocation_after(1);
    CHECK(bc_repeat("ab", 2, 3, &s, &len) == BC_ENOMEM);
    CHECK(strcmp(s, "untouched") == 0 && len == 7 && bc_live_allocations() == 0);
    CHECK(bc_repeat("ab", 2, 3, &s, &len) == BC_OK); /* the hook fired once only */
    bc_free(s);
}

/* ---- structs ----------------------------------------------------------- */

static void test_records(void) {
    bc_stats st;
    const double x[] = {1, 2, 3, 4};
    CHECK(bc_describe(x, 4, &st) == BC_OK && st.n == 4 && st.mean == 2.5 && st.min == 1.0 &&
          st.max == 4.0 && close_to(st.std, sqrt(1.25), 1e-15));
    /* A large offset: a one-pass E[x^2] - E[x]^2 would lose every digit. */
    const double shifted[] = {1e9, 1e9 + 1, 1e9 + 2};
    CHECK(bc_describe(shifted, 3, &st) == BC_OK && close_to(st.std, sqrt(2.0 / 3.0), 1e-12));
    CHECK(bc_describe(x, 1, &st) == BC_OK && st.std == 0.0 && st.mean == 1.0);
    const double with_nan[] = {1, NAN, 3};
    CHECK(bc_describe(with_nan, 3, &st) == BC_OK && st.n == 3 && isnan(st.mean) && isnan(st.std) &&
          isnan(st.min) && isnan(st.max));
    st.n = 77;
    CHECK(bc_describe(x, 0, &st) == BC_EINVAL && st.n == 77);
    CHECK(bc_describe(x, 4, NULL) == BC_EINVAL);

    const bc_event ev[] = {{1, 0.5}, {2, 10.0}, {1, 0.25}, {-3, 1.0}};
    CHECK(bc_events_total(ev, 4, 1) == 0.75);
    CHECK(bc_events_total(ev, 4, 7) == 0.0);
    CHECK(bc_events_total(NULL, 0, 1) == 0.0);

    CHECK(bc_struct_size("bc_stats") == sizeof(bc_stats));
    CHECK(bc_struct_size("bc_event") == sizeof(bc_event) && sizeof(bc_event) == 16);
    CHECK(bc_struct_size("bc_normal_gamma") == sizeof(bc_normal_gamma));
    CHECK(bc_struct_size("bc_hazard") == sizeof(bc_hazard));
    CHECK(bc_struct_size("bc_nothing") == 0 && bc_struct_size(NULL) == 0);
    CHECK(bc_field_offset("bc_stats", "std") == offsetof(bc_stats, std));
    CHECK(bc_field_offset("bc_event", "value") == 8);
    CHECK(bc_field_offset("bc_normal_gamma", "beta0") == offsetof(bc_normal_gamma, beta0));
    CHECK(bc_field_offset("bc_hazard", "max_run_length") == offsetof(bc_hazard, max_run_length));
    CHECK(bc_field_offset("bc_hazard", "mu0") == (size_t)-1);
    CHECK(bc_field_offset("bc_nothing", "n") == (size_t)-1);
    CHECK(bc_field_offset(NULL, NULL) == (size_t)-1);
}

/* ---- callback ---------------------------------------------------------- */

typedef struct trace {
    size_t calls;
    size_t fail_at; /* 0: never fail */
    double xs[16];
} trace;

static int square(double x, void *ctx, double *y) {
    trace *t = ctx;
    if (t != NULL) {
        if (t->calls < COUNT(t->xs)) {
            t->xs[t->calls] = x;
        }
        if (++t->calls == t->fail_at) {
            return -1;
        }
    }
    *y = x * x;
    return 0;
}

/* A check that counts its calls (ctx: size_t) and never stops. */
static int count_checks(void *ctx) {
    *(size_t *)ctx += 1;
    return 0;
}

/* A check that stops when its counter (ctx: size_t) runs down to zero. */
static int stop_checks(void *ctx) {
    size_t *left = ctx;
    *left -= 1;
    return *left == 0;
}

/* f(x) = x, ignoring ctx (so a check may have it). */
static int identity(double x, void *ctx, double *y) {
    (void)ctx;
    *y = x;
    return 0;
}

static void test_integrate(void) {
    double r = -1.0;
    CHECK(bc_integrate(square, NULL, NULL, 0.0, 1.0, 1000, &r) == BC_OK &&
          close_to(r, 1.0 / 3, 1e-6));
    CHECK(bc_integrate(square, NULL, NULL, 1.0, 0.0, 1000, &r) == BC_OK &&
          close_to(r, -1.0 / 3, 1e-6));

    trace t = {0};
    CHECK(bc_integrate(square, NULL, &t, 0.1, 0.7, 6, &r) == BC_OK && t.calls == 7);
    CHECK(t.xs[0] == 0.1 && t.xs[6] == 0.7); /* the ends exactly */
    for (size_t i = 1; i < 7; ++i) {
        CHECK(t.xs[i] > t.xs[i - 1]);
    }

    r = 123.0;
    t = (trace){.fail_at = 3};
    CHECK(bc_integrate(square, NULL, &t, 0.0, 1.0, 10, &r) == BC_ECALLBACK && t.calls == 3 &&
          r == 123.0);
    t = (trace){.fail_at = 1};
    CHECK(bc_integrate(square, NULL, &t, 0.0, 1.0, 10, &r) == BC_ECALLBACK && t.calls == 1);
    t = (trace){.fail_at = 11};
    CHECK(bc_integrate(square, NULL, &t, 0.0, 1.0, 10, &r) == BC_ECALLBACK && t.calls == 11);

    CHECK(bc_integrate(square, NULL, NULL, 0.0, 1.0, 0, &r) == BC_EINVAL);
    CHECK(bc_integrate(square, NULL, NULL, NAN, 1.0, 4, &r) == BC_EINVAL);
    CHECK(bc_integrate(square, NULL, NULL, 0.0, INFINITY, 4, &r) == BC_EINVAL);
    CHECK(bc_integrate(NULL, NULL, NULL, 0.0, 1.0, 4, &r) == BC_EINVAL);
    CHECK(bc_integrate(square, NULL, NULL, -DBL_MAX, DBL_MAX, 4, &r) == BC_EOVERFLOW);
    CHECK(r == 123.0);

    /* The check: asked every BC_CHECK_INTERVAL calls of f; a stop ends the call there. */
    size_t asked = 0;
    const size_t n = 3 * BC_CHECK_INTERVAL;
    CHECK(bc_integrate(identity, count_checks, &asked, 0.0, 1.0, n, &r) == BC_OK && asked == 2);
    size_t left = 2;
    CHECK(bc_integrate(identity, stop_checks, &left, 0.0, 1.0, n, &r) == BC_ECALLBACK);
    CHECK(left == 0);
}

/* ---- detector ---------------------------------------------------------- */

/* xorshift64* and Box-Muller: a reproducible normal stream without libc's
 * rand(), whose sequence differs between platforms. */
static uint64_t rng_state = UINT64_C(0x9E3779B97F4A7C15);

static double uniform01(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    uint64_t bits = (rng_state * UINT64_C(0x2545F4914F6CDD1D)) >> 11;
    return ((double)bits + 0.5) / 9007199254740992.0; /* in (0, 1) */
}

static double normal(double mean, double sd) {
    const double two_pi = 6.283185307179586;
    return mean + sd * sqrt(-2.0 * log(uniform01())) * cos(two_pi * uniform01());
}

static bool posterior_ok(const bc_detector *d) {
    size_t len = 0;
    const double *p = bc_detector_posterior(d, &len);
    double sum = 0.0;
    for (size_t i = 0; i < len; ++i) {
        if (!(p[i] >= 0.0 && p[i] <= 1.0)) {
            return false;
        }
        sum += p[i];
    }
    return close_to(sum, 1.0, 1e-9);
}

static void test_detector_arguments(void) {
    const bc_normal_gamma good = {0.0, 1.0, 1.0, 1.0};
    const bc_hazard hz = {0.01, 100};
    bc_detector *d = (bc_detector *)&failures; /* a sentinel: must stay as is */
    bc_detector *const sentinel = d;

    const bc_normal_gamma bad_models[] = {
        {NAN, 1, 1, 1}, {INFINITY, 1, 1, 1}, {0, 0, 1, 1},   {0, -1, 1, 1},       {0, 1, 0, 1},
        {0, 1, 1, 0},   {0, 1, 1, -1},       {0, NAN, 1, 1}, {0, 1, INFINITY, 1}, {0, 1, 1, NAN},
    };
    for (size_t i = 0; i < COUNT(bad_models); ++i) {
        CHECK(bc_detector_create(&bad_models[i], &hz, &d) == BC_EINVAL && d == sentinel);
    }
    const bc_hazard bad_hazards[] = {
        {0.0, 10},        {1.0, 10}, {-0.5, 10}, {NAN, 10},
        {INFINITY, 10},   {0.5, 0},  {0.5, -1},  {0.5, BC_MAX_RUN_LENGTH + 1},
        {0.5, INT64_MIN},
    };
    for (size_t i = 0; i < COUNT(bad_hazards); ++i) {
        CHECK(bc_detector_create(&good, &bad_hazards[i], &d) == BC_EINVAL && d == sentinel);
    }
    CHECK(bc_detector_create(NULL, &hz, &d) == BC_EINVAL);
    CHECK(bc_detector_create(&good, NULL, &d) == BC_EINVAL);
    CHECK(bc_detector_create(&good, &hz, NULL) == BC_EINVAL);

    /* Both allocations of create fail in turn, leaking nothing. */
    for (int64_t k = 1; k <= 2; ++k) {
        bc_fail_allocation_after(k);
        CHECK(bc_detector_create(&good, &hz, &d) == BC_ENOMEM && d == sentinel);
        bc_fail_allocation_after(0);
        CHECK(bc_live_allocations() == 0);
    }
    bc_fail_allocation_after(3);
    CHECK(bc_detector_create(&good, &hz, &d) == BC_OK); /* only two allocation points */
    bc_fail_allocation_after(0);
    CHECK(bc_live_allocations() == 2);
    bc_detector_destroy(d);
    bc_detector_destroy(NULL);
    CHECK(bc_live_allocations() == 0);

    /* The smallest and largest R are accepted. */
    const bc_hazard tiny = {0.5, 1};
    CHECK(bc_detector_create(&good, &tiny, &d) == BC_OK);
    int64_t rl = -1;
    for (int i = 0; i < 10; ++i) {
        CHECK(bc_detector_update(d, (double)i, &rl) == BC_OK && (rl == 0 || rl == 1));
    }
    CHECK(posterior_ok(d));
    bc_detector_destroy(d);
}

static void test_detector_state(void) {
    const bc_normal_gamma model = {0.0, 1.0, 1.0, 1.0};
    const bc_hazard hz = {0.1, 20};
    bc_detector *d = NULL;
    CHECK(bc_detector_create(&model, &hz, &d) == BC_OK && d != NULL);

    size_t len = 0;
    const double *p = bc_detector_posterior(d, &len);
    CHECK(len == 21 && p[0] == 1.0 && p[1] == 0.0 && p[20] == 0.0);
    CHECK(bc_detector_steps(d) == 0);

    int64_t rl = -1;
    CHECK(bc_detector_update(d, 0.3, &rl) == BC_OK && bc_detector_steps(d) == 1);
    CHECK(rl == 1 && close_to(p[0], 0.1, 1e-15) && close_to(p[1], 0.9, 1e-15) && p[2] == 0.0);

    /* Invalid input changes nothing. */
    double before[21];
    memcpy(before, p, sizeof before);
    rl = -1;
    CHECK(bc_detector_update(d, NAN, &rl) == BC_EINVAL && rl == -1);
    CHECK(bc_detector_update(d, -INFINITY, &rl) == BC_EINVAL);
    CHECK(bc_detector_update(d, 1.0, NULL) == BC_EINVAL);
    CHECK(bc_detector_update(NULL, 1.0, &rl) == BC_EINVAL);
    const double xs[] = {0.1, -0.2, INFINITY, 0.4};
    int64_t rls[4] = {-1, -1, -1, -1};
    CHECK(bc_detector_update_many(d, xs, 4, rls, NULL, NULL) == BC_EINVAL && rls[0] == -1);
    CHECK(bc_detector_update_many(d, NULL, 4, rls, NULL, NULL) == BC_EINVAL);
    CHECK(memcmp(before, p, sizeof before) == 0 && bc_detector_steps(d) == 1);
    CHECK(bc_detector_update_many(d, NULL, 0, NULL, NULL, NULL) == BC_OK &&
          bc_detector_steps(d) == 1);

    /* update_many agrees with repeated update. */
    bc_detector *e = NULL;
    CHECK(bc_detector_create(&model, &hz, &e) == BC_OK);
    double series[60];
    int64_t many[60];
    for (size_t i = 0; i < COUNT(series); ++i) {
        series[i] = normal(i < 30 ? 0.0 : 3.0, 1.0);
    }
    CHECK(bc_detector_update_many(e, series, COUNT(series), many, NULL, NULL) == BC_OK);
    bc_detector_reset(d);
    CHECK(bc_detector_posterior(d, &len) == p && p[0] == 1.0 && p[1] == 0.0);
    CHECK(bc_detector_steps(d) == 0);
    for (size_t i = 0; i < COUNT(series); ++i) {
        CHECK(bc_detector_update(d, series[i], &rl) == BC_OK && rl == many[i]);
    }
    const double *q = bc_detector_posterior(e, NULL);
    CHECK(memcmp(p, q, len * sizeof *p) == 0 && bc_detector_steps(e) == 60);
    CHECK(posterior_ok(d));

    /* Extreme but finite observations leave a valid posterior, no NaN. */
    const double extremes[] = {1e300, -1e300, DBL_MAX, -DBL_MAX, DBL_MIN, 0.0, 1e-300, 5.0};
    for (size_t i = 0; i < COUNT(extremes); ++i) {
        CHECK(bc_detector_update(d, extremes[i], &rl) == BC_OK && rl >= 0 && rl <= 20);
        CHECK(posterior_ok(d));
    }
    bc_detector_destroy(e);
    bc_detector_destroy(d);
}

/* 100 000 steps (the weights would have underflowed long before without the
 * log-space rescaling), with a mean shift that must be detected at once. */
static void test_detector_long_run(void) {
    enum { STEPS = 100000, SHIFT = 60000, R = 200 };
    static double xs[STEPS];
    static int64_t rls[STEPS];
    for (size_t i = 0; i < STEPS; ++i) {
        xs[i] = i < SHIFT ? normal(0.0, 1.0) : normal(6.0, 1.0);
    }
    const bc_normal_gamma model = {0.0, 1.0, 1.0, 1.0};
    const bc_hazard hz = {0.004, R};
    bc_detector *d = NULL;
    CHECK(bc_detector_create(&model, &hz, &d) == BC_OK);
    CHECK(bc_detector_update_many(d, xs, STEPS, rls, NULL, NULL) == BC_OK);
    CHECK(bc_detector_steps(d) == STEPS);
    CHECK(posterior_ok(d));
    CHECK(rls[SHIFT - 1] >= 150); /* a long, stable segment before the shift */
    int64_t lowest = INT64_MAX;
    for (size_t i = SHIFT; i < SHIFT + 5; ++i) {
        lowest = rls[i] < lowest ? rls[i] : lowest;
    }
    CHECK(lowest <= 5);
    CHECK(rls[SHIFT + 100] >= 90 && rls[SHIFT + 100] <= 101);
    CHECK(rls[STEPS - 1] == R);

    /* A check stops the series between two steps: the steps before it stay taken. */
    bc_detector_reset(d);
    size_t asked = 0;
    CHECK(bc_detector_update_many(d, xs, STEPS, rls, count_checks, &asked) == BC_OK);
    CHECK(asked >= (size_t)STEPS * R / BC_CHECK_INTERVAL &&
          asked <= (size_t)STEPS * (R + 1) / BC_CHECK_INTERVAL);
    bc_detector_reset(d);
    size_t left = 3;
    static int64_t partial[STEPS];
    CHECK(bc_detector_update_many(d, xs, STEPS, partial, stop_checks, &left) == BC_ECALLBACK &&
          left == 0);
    const uint64_t taken = bc_detector_steps(d);
    CHECK(taken > 0 && taken < STEPS && posterior_ok(d));
    CHECK(memcmp(partial, rls, taken * sizeof *rls) == 0);

    /* The benchmark size, timed (CPU time, so a busy machine inflates it less). */
    const bc_hazard bench = {0.004, 500};
    bc_detector *e = NULL;
    CHECK(bc_detector_create(&model, &bench, &e) == BC_OK);
    clock_t start = clock();
    CHECK(bc_detector_update_many(e, xs, 20000, rls, NULL, NULL) == BC_OK);
    double seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
    printf("detector: R = 500, %.2f us per step\n", seconds / 20000 * 1e6);
    CHECK(rls[19999] == 500 && posterior_ok(e));
    bc_detector_destroy(e);
    bc_detector_destroy(d);
}

int main(void) {
    test_errors_and_scalars();
    test_dsum_scale_matvec();
    test_find_peaks();
    test_find_peaks_into();
    test_strings();
    test_records();
    test_integrate();
    test_detector_arguments();
    test_detector_state();
    test_detector_long_run();
    CHECK(bc_live_allocations() == 0);
    if (failures > 0) {
        fprintf(stderr, "smoke: %d check(s) failed\n", failures);
        return 1;
    }
    printf("smoke: all checks passed\n");
    return 0;
}
