/*
 * Bytes in, and a C-allocated byte string out.
 */
#include "bcore.h"

#include "alloc.h"

#include <stdint.h>
#include <string.h>

uint64_t bc_fnv1a(const void *data, size_t len) {
    const unsigned char *bytes = data;
    uint64_t hash = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < len; ++i) {
        hash ^= bytes[i];
        hash *= UINT64_C(0x100000001b3); /* unsigned: wraps modulo 2^64 by definition */
    }
    return hash;
}

int bc_repeat(const char *s, size_t len, size_t n, char **out, size_t *out_len) {
    if (out == NULL || out_len == NULL || (s == NULL && len > 0)) {
        return BC_EINVAL;
    }
    /* len * n + 1 (the NUL) must fit size_t; checked by division, before
     * multiplying, because unsigned overflow wraps silently. */
    if (len > 0 && n > (SIZE_MAX - 1) / len) {
        return BC_EOVERFLOW;
    }
    size_t total = len * n;
    char *buf = bc_malloc(total + 1);
    if (buf == NULL) {
        return BC_ENOMEM;
    }
    /* memcpy, not string functions: s may contain NULs. Copying what is
     * already written doubles the filled part each time, so a short s
     * repeated many times costs O(log n) calls rather than n. */
    if (total > 0) {
        memcpy(buf, s, len);
        size_t filled = len;
        while (filled < total) {
            size_t chunk = filled < total - filled ? filled : total - filled;
            memcpy(buf + filled, buf, chunk);
            filled += chunk;
        }
    }
    buf[total] = '\0';
    *out = buf;
    *out_len = total;
    return BC_OK;
}
