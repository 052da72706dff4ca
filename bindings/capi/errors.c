/*
 * The one place where a bc_status becomes a Python exception.
 *
 * A C-API function reports failure by returning NULL (or -1) with an exception set:
 * https://docs.python.org/3/c-api/intro.html#exceptions
 */
#include "capi.h"

/* region: raise-for-status */
/* Sets the exception for a failed core call and returns NULL, so callers can write
 * `return capi_raise_for_status(status, "dsum")`. `what` says what was being done. */
PyObject *capi_raise_for_status(int status, const char *what) {
    PyObject *type;
    switch (status) {
    case BC_EINVAL:
        type = PyExc_ValueError;
        break;
    case BC_EOVERFLOW:
        type = PyExc_OverflowError;
        break;
    case BC_ENOMEM:
        type = PyExc_MemoryError;
        break;
    case BC_ECALLBACK:
        /* The callback stopped the core because it raised: that exception is still
         * set, and propagates unchanged. */
        if (PyErr_Occurred()) {
            return NULL;
        }
        type = PyExc_SystemError;
        break;
    default:
        type = PyExc_SystemError;
        break;
    }
    PyErr_Format(type, "%s: %s", what, bc_strerror(status));
    return NULL;
}
/* endregion: raise-for-status */
