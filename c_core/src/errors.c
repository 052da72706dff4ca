/*
 * Status codes to text. The strings are static, so bindings may keep the
 * pointer or copy it into their exception message without freeing anything.
 */
#include "bcore.h"

const char *bc_strerror(int status) {
    switch (status) {
    case BC_OK:
        return "success";
    case BC_EINVAL:
        return "invalid argument";
    case BC_EOVERFLOW:
        return "result does not fit its type";
    case BC_ENOMEM:
        return "out of memory";
    case BC_ECALLBACK:
        return "callback failed";
    default:
        return "unknown status code";
    }
}
