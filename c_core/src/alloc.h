/*
 * Internal allocator of the core (not installed, not exported).
 *
 * Every block the core allocates goes through these functions, so that the
 * live-allocation count (bc_live_allocations) and the fault-injection hook
 * (bc_fail_allocation_after) see all of them. Blocks are released with the
 * public bc_free().
 */
#ifndef BCORE_ALLOC_H
#define BCORE_ALLOC_H

#include <stddef.h>

/* Like malloc, except that size 0 still yields a unique block, so NULL
 * always means "out of memory" (real or injected). */
void *bc_malloc(size_t size);

/* Like realloc, with the same size-0 rule. On failure it returns NULL and
 * the old block stays valid, counted, and owned by the caller. */
void *bc_realloc(void *p, size_t size);

#endif /* BCORE_ALLOC_H */
