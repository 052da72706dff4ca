/*
 * Allocation accounting and fault injection.
 *
 * The count lets tests written in Python prove that no path leaks core
 * memory; the countdown lets them make any chosen allocation fail, so the
 * out-of-memory paths (rare in practice, easy to get wrong) are exercised.
 */
#include "alloc.h"

#include "bcore.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

/* Zero-initialised like every static object, which C11 guarantees is a
 * valid atomic state. The count publishes no other memory, so relaxed
 * ordering is enough for it. */
static _Atomic int64_t live_count;
static _Atomic int64_t fail_countdown;

/* region: accounting */
/* One allocation attempt: true if it is the one chosen to fail. The
 * compare-exchange loop makes "decrement if positive" a single atomic step,
 * so the countdown never goes below zero. */
static bool injected_failure(void) {
    int64_t left = atomic_load(&fail_countdown);
    while (left > 0) {
        if (atomic_compare_exchange_weak(&fail_countdown, &left, left - 1)) {
            return left == 1;
        }
    }
    return false;
}

void *bc_malloc(size_t size) {
    if (injected_failure()) {
        return NULL;
    }
    void *p = malloc(size > 0 ? size : 1);
    if (p != NULL) {
        atomic_fetch_add_explicit(&live_count, 1, memory_order_relaxed);
    }
    return p;
}
/* endregion: accounting */

void *bc_realloc(void *p, size_t size) {
    if (p == NULL) {
        return bc_malloc(size);
    }
    if (injected_failure()) {
        return NULL;
    }
    /* The block is counted once whether or not it moves; if realloc fails,
     * p is untouched and still counted, and the caller still owns it. */
    return realloc(p, size > 0 ? size : 1);
}

void bc_free(void *p) {
    if (p == NULL) {
        return;
    }
    atomic_fetch_sub_explicit(&live_count, 1, memory_order_relaxed);
    free(p);
}

int64_t bc_live_allocations(void) {
    return atomic_load_explicit(&live_count, memory_order_relaxed);
}

void bc_fail_allocation_after(int64_t k) {
    atomic_store(&fail_countdown, k > 0 ? k : 0);
}
