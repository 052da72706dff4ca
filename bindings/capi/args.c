/*
 * Scalar arguments, and the one place where a bc_status becomes a Python exception.
 *
 * METH_FASTCALL functions receive their arguments as a C array and check them
 * themselves: these helpers keep the checks, and their messages, uniform.
 */
#include "capi.h"

#include <stdint.h>

/* region: scalar-args */
/* The TypeError CPython raises for a wrong number of positional arguments. */
int capi_check_nargs(const char *name, Py_ssize_t nargs, Py_ssize_t expected) {
    if (nargs == expected) {
        return 0;
    }
    PyErr_Format(PyExc_TypeError, "%s() takes exactly %zd argument%s (%zd given)", name, expected,
                 expected == 1 ? "" : "s", nargs);
    return -1;
}

/* A real argument: float, int, or anything with __float__ or __index__; TypeError
 * otherwise (str included). https://docs.python.org/3/c-api/float.html#c.PyFloat_AsDouble
 * -1.0 is also a valid result, so only PyErr_Occurred() tells failure apart. */
int capi_as_double(PyObject *obj, double *out) {
    double value = PyFloat_AsDouble(obj);
    if (value == -1.0 && PyErr_Occurred()) {
        return -1;
    }
    *out = value;
    return 0;
}

/* An integer argument: int or anything with __index__ (TypeError for float),
 * OverflowError outside int64. https://docs.python.org/3/c-api/long.html#c.PyLong_AsLongLong */
int capi_as_int64(PyObject *obj, int64_t *out) {
    long long value = PyLong_AsLongLong(obj);
    if (value == -1 && PyErr_Occurred()) {
        return -1;
    }
    *out = (int64_t)value; /* long long is at least 64 bits, and int64_t exactly */
    return 0;
}
/* endregion: scalar-args */

/* A count: an integer (TypeError otherwise) of at least min (ValueError otherwise) that
 * fits size_t (OverflowError otherwise). `what` names it in the ValueError. */
int capi_as_size(PyObject *obj, size_t min, const char *what, size_t *out) {
    /* __index__ once, to an exact int (new reference), so that PyLong_AsSize_t, which
     * accepts only int, can follow. https://docs.python.org/3/c-api/number.html#c.PyNumber_Index */
    PyObject *index = PyNumber_Index(obj);
    if (index == NULL) {
        return -1;
    }
    /* The sign first: PyLong_AsSize_t would call a negative value an overflow. */
    int overflow;
    long long small = PyLong_AsLongLongAndOverflow(index, &overflow);
    if (overflow == 0 && small == -1 && PyErr_Occurred()) {
        Py_DECREF(index);
        return -1;
    }
    if (overflow < 0 || (overflow == 0 && (small < 0 || (unsigned long long)small < min))) {
        Py_DECREF(index);
        PyErr_Format(PyExc_ValueError, "%s must be >= %zu", what, min);
        return -1;
    }
    size_t value = PyLong_AsSize_t(index);
    Py_DECREF(index);
    if (value == (size_t)-1 && PyErr_Occurred()) {
        return -1;
    }
    *out = value;
    return 0;
}

/* region: ch10-errors */
/* Sets the exception for a failed core call and returns NULL, so callers can write
 * `return capi_status_error(status, "dsum")`. `what` says what was being done. */
PyObject *capi_status_error(int status, const char *what) {
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
/* endregion: ch10-errors */
