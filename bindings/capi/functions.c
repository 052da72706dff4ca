/*
 * The plain functions of bindings/_interface.py, one C function each (the two that
 * pass C a function pointer are in callbacks.c).
 *
 * Calling conventions (https://docs.python.org/3/c-api/structures.html#c.PyMethodDef):
 * METH_NOARGS and METH_O for none or one argument, METH_FASTCALL (a C array of
 * arguments, no tuple) for more, plus METH_KEYWORDS where a keyword is accepted.
 * `module` is the module object, whose state holds the cached NumPy references.
 */
#include "capi.h"

#include <stdint.h>

/* ---- bare crossing and scalars -------------------------------------------- */

/* Docstrings begin with a signature line that inspect.signature() reads:
 * "name($module, ...)\n--\n\n". */
PyDoc_STRVAR(noop_doc, "noop($module, /)\n--\n\nDoes nothing: the cost of a call.");

static PyObject *noop(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(ignored)) {
    bc_noop();
    Py_RETURN_NONE;
}

/* region: add */
PyDoc_STRVAR(add_doc,
             "add($module, a, b, /)\n--\n\na + b as int64 (OverflowError if it does not fit).");

static PyObject *add(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    int64_t a, b, sum;
    if (capi_check_nargs("add", nargs, 2) < 0 || capi_as_int64(args[0], &a) < 0 ||
        capi_as_int64(args[1], &b) < 0) {
        return NULL;
    }
    int status = bc_add(a, b, &sum);
    if (status != BC_OK) {
        return capi_raise_for_status(status, "add");
    }
    return PyLong_FromLongLong(sum);
}
/* endregion: add */

PyDoc_STRVAR(sum6_doc, "sum6($module, a, b, c, d, e, f, /)\n--\n\n"
                       "a + b + c + d + e + f, left to right, in double precision.");

static PyObject *sum6(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    double v[6];
    if (capi_check_nargs("sum6", nargs, 6) < 0) {
        return NULL;
    }
    for (int i = 0; i < 6; ++i) {
        if (capi_as_double(args[i], &v[i]) < 0) {
            return NULL;
        }
    }
    return PyFloat_FromDouble(bc_sum6(v[0], v[1], v[2], v[3], v[4], v[5]));
}

/* ---- arrays ---------------------------------------------------------------- */

PyDoc_STRVAR(dsum_doc, "dsum($module, x, /)\n--\n\nSum of a 1-D array; 0.0 if empty.");

/* region: dsum */
static PyObject *dsum(PyObject *module, PyObject *x) {
    capi_state *st = PyModule_GetState(module);
    Py_buffer xv;
    if (capi_get_array(st, x, st->float64, 1, "dsum() argument x", &xv) < 0) {
        return NULL;
    }
    size_t n = capi_doubles_in(&xv);
    PyThreadState *saved = capi_release_gil_if_large(n);
    double sum = bc_dsum(xv.buf, n);
    capi_restore_gil(saved);
    PyBuffer_Release(&xv);
    return PyFloat_FromDouble(sum);
}
/* endregion: dsum */

PyDoc_STRVAR(scale_doc, "scale($module, x, k, /, out=None)\n--\n\n"
                        "x * k into out (a new array when None), and returns out.");

/* region: scale-parse */
/* The one keyword argument of the module. With METH_KEYWORDS, keyword values follow
 * the positional ones in args and kwnames is a tuple of their names (or NULL):
 * https://docs.python.org/3/c-api/call.html#vectorcall */
static int scale_parse(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, PyObject **out) {
    if (nargs < 2 || nargs > 3) {
        PyErr_Format(PyExc_TypeError, "scale() takes 2 or 3 positional arguments (%zd given)",
                     nargs);
        return -1;
    }
    *out = nargs == 3 ? args[2] : Py_None; /* borrowed, like everything in args */
    /* The functions, not the PyTuple_GET_SIZE and PyTuple_GET_ITEM macros, which the
     * limited API lacks: their checks cost a few instructions, next to nothing beside
     * the call. */
    Py_ssize_t nkw = kwnames == NULL ? 0 : PyTuple_Size(kwnames);
    for (Py_ssize_t i = 0; i < nkw; ++i) {
        PyObject *name = PyTuple_GetItem(kwnames, i); /* borrowed; always a str */
        if (PyUnicode_CompareWithASCIIString(name, "out") != 0) {
            PyErr_Format(PyExc_TypeError, "scale() got an unexpected keyword argument '%U'", name);
            return -1;
        }
        if (nargs == 3) {
            PyErr_SetString(PyExc_TypeError, "scale() got multiple values for argument 'out'");
            return -1;
        }
        *out = args[nargs + i];
    }
    return 0;
}
/* endregion: scale-parse */

/* region: scale */
static PyObject *scale(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                       PyObject *kwnames) {
    capi_state *st = PyModule_GetState(module);
    PyObject *out;
    double k;
    Py_buffer xv, outv;
    if (scale_parse(args, nargs, kwnames, &out) < 0 || capi_as_double(args[1], &k) < 0 ||
        capi_get_array(st, args[0], st->float64, 1, "scale() argument x", &xv) < 0) {
        return NULL;
    }
    PyObject *result; /* new reference: the array returned */
    if (out == Py_None) {
        result = capi_new_array(st, 1, xv.shape, st->float64, &outv);
    } else if (capi_get_out_array(st, out, &xv, "scale() argument out", &outv) == 0) {
        result = Py_NewRef(out);
    } else {
        result = NULL;
    }
    if (result == NULL) {
        PyBuffer_Release(&xv);
        return NULL;
    }
    size_t n = capi_doubles_in(&xv);
    PyThreadState *saved = capi_release_gil_if_large(n);
    int status = bc_scale(xv.buf, n, k, outv.buf);
    capi_restore_gil(saved);
    PyBuffer_Release(&outv);
    PyBuffer_Release(&xv);
    if (status != BC_OK) {
        Py_DECREF(result);
        /* The only invalid argument left: out overlapping x without being x. */
        return capi_raise_for_status(status, "scale() with out overlapping x");
    }
    return result;
}
/* endregion: scale */

PyDoc_STRVAR(find_peaks_doc,
             "find_peaks($module, x, threshold, /)\n--\n\n"
             "int64 indices i, 0 < i < n-1, x[i] > threshold, x[i-1] < x[i] >= x[i+1].");

/* region: find-peaks */
static PyObject *find_peaks(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    capi_state *st = PyModule_GetState(module);
    double threshold;
    Py_buffer xv;
    if (capi_check_nargs("find_peaks", nargs, 2) < 0 || capi_as_double(args[1], &threshold) < 0 ||
        capi_get_array(st, args[0], st->float64, 1, "find_peaks() argument x", &xv) < 0) {
        return NULL;
    }
    int64_t *peaks; /* allocated by the core, written only on success */
    size_t count;
    size_t n = capi_doubles_in(&xv);
    PyThreadState *saved = capi_release_gil_if_large(n);
    int status = bc_find_peaks(xv.buf, n, threshold, &peaks, &count);
    capi_restore_gil(saved);
    PyBuffer_Release(&xv);
    if (status != BC_OK) {
        return capi_raise_for_status(status, "find_peaks");
    }
    /* Zero-copy: the array takes ownership of peaks (see CoreBuffer in convert.c). */
    return capi_array_from_core(st, peaks, count * sizeof *peaks, st->int64);
}
/* endregion: find-peaks */

PyDoc_STRVAR(matvec_doc, "matvec($module, A, x, /)\n--\n\nA @ x for a 2-D A and a 1-D x.");

static PyObject *matvec(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    capi_state *st = PyModule_GetState(module);
    PyObject *y = NULL;
    Py_buffer av, xv, yv;
    Py_ssize_t rows, cols;
    if (capi_check_nargs("matvec", nargs, 2) < 0 ||
        capi_get_array(st, args[0], st->float64, 2, "matvec() argument A", &av) < 0) {
        return NULL;
    }
    if (capi_get_array(st, args[1], st->float64, 1, "matvec() argument x", &xv) < 0) {
        goto release_a;
    }
    rows = av.shape[0];
    cols = av.shape[1];
    if (cols != xv.shape[0]) {
        PyErr_Format(PyExc_ValueError, "matvec(): A.shape[1] (%zd) != len(x) (%zd)", cols,
                     xv.shape[0]);
        goto release_x;
    }
    y = capi_new_array(st, 1, &rows, st->float64, &yv);
    if (y == NULL) {
        goto release_x;
    }
    /* A is C-contiguous here, so its rows start cols elements apart. */
    PyThreadState *saved = capi_release_gil_if_large(capi_doubles_in(&av));
    int status = bc_matvec(av.buf, (size_t)rows, (size_t)cols, (size_t)cols, xv.buf, yv.buf);
    capi_restore_gil(saved);
    PyBuffer_Release(&yv);
    if (status != BC_OK) {
        Py_CLEAR(y);
        capi_raise_for_status(status, "matvec");
    }
release_x:
    PyBuffer_Release(&xv);
release_a:
    PyBuffer_Release(&av);
    return y;
}

/* ---- bytes and strings ------------------------------------------------------ */

PyDoc_STRVAR(fnv1a_doc, "fnv1a($module, data, /)\n--\n\nFNV-1a 64-bit hash of a buffer's bytes.");

/* region: fnv1a */
static PyObject *fnv1a(PyObject *Py_UNUSED(module), PyObject *data) {
    /* Any layout is requested, so that a strided buffer gets the ValueError of the
     * interface rather than the exporter's own BufferError. str has no buffer: the
     * call raises TypeError for it. */
    Py_buffer view;
    if (PyObject_GetBuffer(data, &view, PyBUF_FULL_RO) < 0) {
        return NULL;
    }
    if (!PyBuffer_IsContiguous(&view, 'C')) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "fnv1a() argument must be a C-contiguous buffer");
        return NULL;
    }
    size_t len = (size_t)view.len;
    PyThreadState *saved = capi_release_gil_if_large(len);
    uint64_t hash = bc_fnv1a(view.buf, len);
    capi_restore_gil(saved);
    PyBuffer_Release(&view);
    return PyLong_FromUnsignedLongLong(hash);
}
/* endregion: fnv1a */

PyDoc_STRVAR(repeat_doc, "repeat($module, s, n, /)\n--\n\ns * n, computed by C on UTF-8 bytes.");

/* region: repeat */
static PyObject *repeat(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    size_t n;
    if (capi_check_nargs("repeat", nargs, 2) < 0) {
        return NULL;
    }
    if (!PyUnicode_Check(args[0])) {
        return capi_raise_wrong_type("repeat() argument s", "str", args[0]);
    }
    if (capi_as_size(args[1], 0, "repeat() argument n", &n) < 0) {
        return NULL;
    }
    /* A borrowed pointer into a UTF-8 copy cached inside the str object, valid while s
     * lives; UnicodeEncodeError for lone surrogates.
     * https://docs.python.org/3/c-api/unicode.html#c.PyUnicode_AsUTF8AndSize */
    Py_ssize_t len;
    const char *utf8 = PyUnicode_AsUTF8AndSize(args[0], &len);
    if (utf8 == NULL) {
        return NULL;
    }
    char *repeated; /* allocated by the core: ours to bc_free on every path below */
    size_t repeated_len;
    int status = bc_repeat(utf8, (size_t)len, n, &repeated, &repeated_len);
    if (status != BC_OK) {
        return capi_raise_for_status(status, "repeat");
    }
    /* Decoded with its length, not as a C string: the bytes may contain NULs. */
    PyObject *result = NULL;
    if (repeated_len > (size_t)PY_SSIZE_T_MAX) {
        PyErr_SetString(PyExc_OverflowError, "repeat(): the result is too long for a str");
    } else {
        result = PyUnicode_DecodeUTF8(repeated, (Py_ssize_t)repeated_len, "strict");
    }
    bc_free(repeated);
    return result;
}
/* endregion: repeat */

/* ---- structs ------------------------------------------------------------------ */

/* describe() returns a struct sequence: a named tuple implemented in C, as
 * os.stat_result is. https://docs.python.org/3/c-api/tuple.html#struct-sequence-objects
 * Its type is created per module from this description (module.c). */
static PyStructSequence_Field stats_fields[] = {
    {"n", "number of elements"},
    {"mean", "arithmetic mean"},
    {"std", "population standard deviation (divides by n)"},
    {"min", "smallest element"},
    {"max", "largest element"},
    {NULL, NULL},
};

PyStructSequence_Desc capi_stats_desc = {
    .name = CAPI_PACKAGE ".Stats",
    .doc = "What describe() returns: n, mean, std, min, max.",
    .fields = stats_fields,
    .n_in_sequence = 5,
};

/* region: stats-result */
/* The struct sequence of a bc_stats: a new reference, or NULL with an exception set. */
static PyObject *stats_result(PyTypeObject *type, const bc_stats *stats) {
    PyObject *result = PyStructSequence_New(type);
    if (result == NULL) {
        return NULL;
    }
    PyObject *count = PyLong_FromSize_t(stats->n);
    if (count == NULL) {
        Py_DECREF(result); /* a partly filled struct sequence is safe to destroy */
        return NULL;
    }
    PyStructSequence_SetItem(result, 0, count); /* steals count */
    const double reals[] = {stats->mean, stats->std, stats->min, stats->max};
    for (Py_ssize_t i = 0; i < 4; ++i) {
        PyObject *value = PyFloat_FromDouble(reals[i]);
        if (value == NULL) {
            Py_DECREF(result);
            return NULL;
        }
        PyStructSequence_SetItem(result, i + 1, value); /* steals value */
    }
    return result;
}
/* endregion: stats-result */

PyDoc_STRVAR(describe_doc, "describe($module, x, /)\n--\n\n"
                           "n, mean, population std, min, max of a non-empty 1-D array.");

static PyObject *describe(PyObject *module, PyObject *x) {
    capi_state *st = PyModule_GetState(module);
    Py_buffer xv;
    if (capi_get_array(st, x, st->float64, 1, "describe() argument x", &xv) < 0) {
        return NULL;
    }
    bc_stats stats;
    size_t n = capi_doubles_in(&xv);
    PyThreadState *saved = capi_release_gil_if_large(n);
    int status = bc_describe(xv.buf, n, &stats);
    capi_restore_gil(saved);
    PyBuffer_Release(&xv);
    if (status != BC_OK) {
        return capi_raise_for_status(status, "describe() of an empty array");
    }
    return stats_result(st->stats_type, &stats);
}

PyDoc_STRVAR(events_total_doc, "events_total($module, events, kind, /)\n--\n\n"
                               "Sum of value over the records of a bindings.EVENT_DTYPE array "
                               "whose kind equals kind.");

static PyObject *events_total(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    capi_state *st = PyModule_GetState(module);
    const char *what = "events_total() argument events";
    if (capi_check_nargs("events_total", nargs, 2) < 0) {
        return NULL;
    }
    PyObject *events = args[0];
    if (!PyObject_TypeCheck(events, st->ndarray_type)) {
        return capi_raise_wrong_type(what, "a numpy.ndarray", events);
    }
    int has_event_dtype = capi_has_dtype(events, st->event_dtype);
    if (has_event_dtype <= 0) {
        if (has_event_dtype == 0) {
            PyErr_Format(PyExc_TypeError, "%s must have dtype bindings.EVENT_DTYPE", what);
        }
        return NULL;
    }
    int64_t kind;
    if (capi_as_int64(args[1], &kind) < 0) {
        return NULL;
    }
    if (kind < INT32_MIN || kind > INT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "events_total() argument kind does not fit int32");
        return NULL;
    }
    /* The dtype is checked, so only the layout can still call for a copy. */
    Py_buffer view;
    if (capi_get_array(st, events, st->event_dtype, 1, what, &view) < 0) {
        return NULL;
    }
    size_t n = (size_t)view.len / sizeof(bc_event);
    PyThreadState *saved = capi_release_gil_if_large(n);
    double total = bc_events_total(view.buf, n, (int32_t)kind);
    capi_restore_gil(saved);
    PyBuffer_Release(&view);
    return PyFloat_FromDouble(total);
}

/* ---- accounting ----------------------------------------------------------------- */

PyDoc_STRVAR(live_allocations_doc, "live_allocations($module, /)\n--\n\n"
                                   "Core allocations not yet released (for leak tests).");

static PyObject *live_allocations(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(ignored)) {
    return PyLong_FromLongLong(bc_live_allocations());
}

PyDoc_STRVAR(fail_allocation_after_doc,
             "fail_allocation_after($module, k, /)\n--\n\n"
             "Test hook: the k-th core allocation from now fails; k <= 0 disarms it.");

static PyObject *fail_allocation_after(PyObject *Py_UNUSED(module), PyObject *arg) {
    int64_t k;
    if (capi_as_int64(arg, &k) < 0) {
        return NULL;
    }
    bc_fail_allocation_after(k);
    Py_RETURN_NONE;
}

/* region: method-table */
PyMethodDef capi_functions[] = {
    {"noop", noop, METH_NOARGS, noop_doc},
    {"add", CAPI_FASTCALL(add), METH_FASTCALL, add_doc},
    {"sum6", CAPI_FASTCALL(sum6), METH_FASTCALL, sum6_doc},
    {"dsum", dsum, METH_O, dsum_doc},
    {"scale", CAPI_FASTCALL(scale), METH_FASTCALL | METH_KEYWORDS, scale_doc},
    {"find_peaks", CAPI_FASTCALL(find_peaks), METH_FASTCALL, find_peaks_doc},
    {"matvec", CAPI_FASTCALL(matvec), METH_FASTCALL, matvec_doc},
    {"fnv1a", fnv1a, METH_O, fnv1a_doc},
    {"repeat", CAPI_FASTCALL(repeat), METH_FASTCALL, repeat_doc},
    {"describe", describe, METH_O, describe_doc},
    {"events_total", CAPI_FASTCALL(events_total), METH_FASTCALL, events_total_doc},
    {"live_allocations", live_allocations, METH_NOARGS, live_allocations_doc},
    {"fail_allocation_after", fail_allocation_after, METH_O, fail_allocation_after_doc},
    {NULL, NULL, 0, NULL},
};
/* endregion: method-table */
