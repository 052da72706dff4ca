/*
 * Python arguments to C arguments, and C results to Python: scalars, and arrays in
 * and out through the buffer protocol, so NumPy is needed at run time only, never at
 * build time: no NumPy C-API, no numpy/arrayobject.h.
 *
 * Scalars: METH_FASTCALL functions receive their arguments as a C array and check them
 *      themselves; these helpers keep the checks, and their messages, uniform.
 * In:  PyObject_GetBuffer reads a C-contiguous float64 array in place; anything else
 *      is converted by numpy.require and the copy is read the same way.
 * Out: numpy.empty allocates, and C fills the array through its buffer.
 * Core-allocated results: a tiny object owns the pointer and exports it, and
 *      numpy.frombuffer wraps it without a copy.
 *
 * The protocol: https://docs.python.org/3/c-api/buffer.html
 * Every Py_buffer obtained here is released with PyBuffer_Release by its user.
 */
#include "capi.h"

#include <stdint.h>

/* ---- scalars ------------------------------------------------------------------ */

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

/* The TypeError for an argument of the wrong type, "<what> must be <expected>, not
 * <its type's name>"; returns NULL. The name comes from PyType_GetName: tp_name is out
 * of reach where PyTypeObject is opaque (the stable-ABI build). */
PyObject *capi_raise_wrong_type(const char *what, const char *expected, PyObject *obj) {
    PyObject *type_name = PyType_GetName(Py_TYPE(obj));
    if (type_name != NULL) {
        PyErr_Format(PyExc_TypeError, "%s must be %s, not %U", what, expected, type_name);
        Py_DECREF(type_name);
    }
    return NULL;
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

/* ---- arrays in ---------------------------------------------------------------- */

/* Both element types the core reads, double and bc_event, need 8-byte alignment. */
#define CAPI_ALIGNMENT 8
_Static_assert(_Alignof(double) <= CAPI_ALIGNMENT, "double alignment");
_Static_assert(_Alignof(bc_event) <= CAPI_ALIGNMENT, "bc_event alignment");

static int is_aligned(const void *p) {
    return (uintptr_t)p % CAPI_ALIGNMENT == 0;
}

/* True if the buffer holds native 8-byte doubles. struct-module syntax spells them "d",
 * "@d", "=d", or "<d" on a little-endian machine ('>' on a big-endian one):
 * https://docs.python.org/3/library/struct.html#format-characters. Other spellings
 * merely take the converting path, which is always correct. */
static int is_native_float64(const Py_buffer *view) {
#if PY_LITTLE_ENDIAN
    const char native = '<';
#else
    const char native = '>';
#endif
    const char *format = view->format;
    if (format == NULL || view->itemsize != (Py_ssize_t)sizeof(double)) {
        return 0;
    }
    if (*format == '@' || *format == '=' || *format == native) {
        ++format;
    }
    return format[0] == 'd' && format[1] == '\0';
}

/* 1 if array.dtype == dtype, 0 if not, -1 with an exception set. */
int capi_has_dtype(PyObject *array, PyObject *dtype) {
    PyObject *actual = PyObject_GetAttrString(array, "dtype"); /* new reference */
    if (actual == NULL) {
        return -1;
    }
    int equal = PyObject_RichCompareBool(actual, dtype, Py_EQ);
    Py_DECREF(actual);
    return equal;
}

static int check_ndim(Py_buffer *view, int ndim, const char *what) {
    if (view->ndim == ndim) {
        return 0;
    }
    PyErr_Format(PyExc_ValueError, "%s must be %d-dimensional, not %d-dimensional", what, ndim,
                 view->ndim);
    PyBuffer_Release(view);
    return -1;
}

/* True if the exception raised says "this object cannot be used that way", rather than
 * MemoryError or a BaseException that is no error (KeyboardInterrupt), which must
 * propagate as they are. */
static int is_usage_error(void) {
    return PyErr_ExceptionMatches(PyExc_Exception) && !PyErr_ExceptionMatches(PyExc_MemoryError);
}

/* The interface maps a failed conversion to TypeError. The original exception becomes
 * its __cause__, as `raise TypeError(...) from exc` would do. */
static int conversion_error(PyObject *obj, PyObject *dtype, const char *what) {
    if (!is_usage_error()) {
        return -1;
    }
    PyObject *cause = PyErr_GetRaisedException();
    PyObject *type_name = PyType_GetName(Py_TYPE(obj));
    if (type_name == NULL) {
        Py_DECREF(cause);
        return -1;
    }
    PyErr_Format(PyExc_TypeError, "%s: cannot convert %U to an array of %S (%S)", what, type_name,
                 dtype, cause);
    Py_DECREF(type_name);
    PyObject *exc = PyErr_GetRaisedException();
    PyException_SetCause(exc, cause); /* steals cause */
    PyErr_SetRaisedException(exc);    /* steals exc */
    return -1;
}

/*
 * Fills `view` with obj as a C-contiguous, aligned array of `dtype` with `ndim`
 * dimensions, and returns 0; or returns -1 with an exception set and nothing to release.
 *
 * Only float64 arrays are recognised in place by their buffer format. Any other dtype
 * must already have been checked by the caller (events_total checks EVENT_DTYPE), so the
 * fast path only checks the layout for it.
 */
/* region: get-array */
int capi_get_array(capi_state *st, PyObject *obj, PyObject *dtype, int ndim, const char *what,
                   Py_buffer *view) {
    int is_float64 = dtype == st->float64;

    /* Fast path: the exporter refuses (and we convert) unless it can hand over
     * C-contiguous memory. PyObject_CheckBuffer spares lists a raised-and-cleared
     * exception. */
    if (PyObject_CheckBuffer(obj)) {
        int flags = PyBUF_C_CONTIGUOUS | (is_float64 ? PyBUF_FORMAT : 0);
        if (PyObject_GetBuffer(obj, view, flags) == 0) {
            if ((!is_float64 || is_native_float64(view)) && is_aligned(view->buf)) {
                return check_ndim(view, ndim, what);
            }
            PyBuffer_Release(view);
        } else if (is_usage_error()) {
            PyErr_Clear(); /* e.g. "ndarray is not C-contiguous": the copy below will be */
        } else {
            return -1;
        }
    }

    /* Converting path: numpy.require(obj, dtype, "CA") is the Python spelling of
     * NumPy's NPY_ARRAY_IN_ARRAY: C-contiguous and aligned, copied only if needed. It
     * keeps a 0-d input 0-d (numpy.ascontiguousarray would make it 1-d), so a scalar
     * still fails the ndim check. Arguments are borrowed by the call. */
    PyObject *args[] = {obj, dtype, st->in_array_flags};
    PyObject *array = capi_call(st->numpy_require, args, 3);
    if (array == NULL) {
        return conversion_error(obj, dtype, what);
    }
    /* The buffer holds its own reference to the array (view->obj), so ours can go now:
     * PyBuffer_Release will then free the copy together with the buffer. */
    int rc = PyObject_GetBuffer(array, view, PyBUF_C_CONTIGUOUS);
    Py_DECREF(array);
    if (rc < 0) {
        return -1;
    }
    return check_ndim(view, ndim, what);
}
/* endregion: get-array */

/* ---- out= arrays: checked, never converted ------------------------------------ */

static int same_shape(const Py_buffer *a, const Py_buffer *b) {
    if (a->ndim != b->ndim) {
        return 0;
    }
    for (int i = 0; i < a->ndim; ++i) {
        if (a->shape[i] != b->shape[i]) {
            return 0;
        }
    }
    return 1;
}

/*
 * Checks an out= argument, which is never converted: a numpy.ndarray (TypeError), of
 * dtype float64 (TypeError), with the shape of `like`, C-contiguous, aligned and writable
 * (ValueError). Fills `view` (writable) and returns 0, or returns -1.
 */
int capi_get_out_array(capi_state *st, PyObject *out, const Py_buffer *like, const char *what,
                       Py_buffer *view) {
    /* https://docs.python.org/3/c-api/object.html#c.PyObject_TypeCheck (subclasses pass) */
    if (!PyObject_TypeCheck(out, st->ndarray_type)) {
        capi_raise_wrong_type(what, "a numpy.ndarray", out);
        return -1;
    }
    int is_float64 = capi_has_dtype(out, st->float64);
    if (is_float64 <= 0) {
        if (is_float64 == 0) {
            PyErr_Format(PyExc_TypeError, "%s must have dtype float64", what);
        }
        return -1;
    }
    /* Any layout is accepted here (PyBUF_RECORDS_RO asks for strides and format, and
     * promises nothing about writing), so each requirement gets its own message. */
    if (PyObject_GetBuffer(out, view, PyBUF_RECORDS_RO) < 0) {
        return -1;
    }
    const char *problem = NULL;
    if (!same_shape(view, like)) {
        problem = "must have the same shape as x";
    } else if (!PyBuffer_IsContiguous(view, 'C') || !is_aligned(view->buf)) {
        problem = "must be C-contiguous and aligned";
    } else if (view->readonly) {
        problem = "must be writable";
    }
    if (problem != NULL) {
        PyBuffer_Release(view);
        PyErr_Format(PyExc_ValueError, "%s %s", what, problem);
        return -1;
    }
    return 0;
}

/* ---- arrays out ------------------------------------------------------------------ */

/* region: new-array */
/*
 * A new uninitialised array, numpy.empty(shape, dtype), with its buffer in `view` for C
 * to fill (release it before returning the array). Returns a new reference, or NULL.
 */
PyObject *capi_new_array(capi_state *st, int ndim, const Py_ssize_t *shape, PyObject *dtype,
                         Py_buffer *view) {
    PyObject *shape_tuple = PyTuple_New(ndim);
    if (shape_tuple == NULL) {
        return NULL;
    }
    for (int i = 0; i < ndim; ++i) {
        PyObject *length = PyLong_FromSsize_t(shape[i]);
        if (length == NULL) {
            Py_DECREF(shape_tuple);
            return NULL;
        }
        /* The function, not the PyTuple_SET_ITEM macro, which the limited API lacks:
         * its checks cost nothing beside numpy.empty's call. */
        PyTuple_SetItem(shape_tuple, i, length); /* steals length; cannot fail here */
    }
    PyObject *args[] = {shape_tuple, dtype};
    PyObject *array = capi_call(st->numpy_empty, args, 2);
    Py_DECREF(shape_tuple);
    if (array == NULL) {
        return NULL;
    }
    if (PyObject_GetBuffer(array, view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) < 0) {
        Py_DECREF(array);
        return NULL;
    }
    return array;
}
/* endregion: new-array */

/* ---- a core allocation handed to NumPy without a copy ----------------------- */

/*
 * CoreBuffer owns one buffer the core allocated and releases it with bc_free when it
 * dies. It exports the memory through the buffer protocol, and
 * numpy.frombuffer(owner, dtype) makes it an array whose .base is the owner: the
 * memory lives exactly as long as the array and every view of it.
 *
 * It needs no bf_releasebuffer, since the memory never moves and nothing is counted;
 * NumPy then keeps the owner itself as .base. (Detector, which must count its views,
 * has one, and NumPy keeps a memoryview of it instead.)
 */
/* region: core-buffer */
typedef struct {
    PyObject ob_base; /* what PyObject_HEAD expands to */
    void *data;       /* owned: from the core, released with bc_free */
    Py_ssize_t size;  /* in bytes */
} CoreBufferObject;

static int CoreBuffer_getbuffer(PyObject *op, Py_buffer *view, int flags) {
    CoreBufferObject *self = (CoreBufferObject *)op;
    /* The simplest complete exporter: writable unsigned bytes, every request flag
     * honoured or refused, and view->obj set to a new reference to op.
     * https://docs.python.org/3/c-api/buffer.html#c.PyBuffer_FillInfo */
    return PyBuffer_FillInfo(view, op, self->data, self->size, 0, flags);
}

/* Every instance of a heap type holds a strong reference to its type, the type one to
 * the module (PyType_FromModuleAndSpec), and the module state one to the type. The
 * collector frees such a cycle only if it sees every reference into it, so the instances
 * take part in garbage collection and visit their type (expected since 3.9), even when
 * they hold nothing else, as in Modules/xxlimited.c.
 * https://docs.python.org/3/howto/isolating-extensions.html#garbage-collection-protocol */
static int CoreBuffer_traverse(PyObject *op, visitproc visit, void *arg) {
    Py_VISIT(Py_TYPE(op));
    return 0;
}

static void CoreBuffer_dealloc(PyObject *op) {
    /* Untracked before anything is torn down, so the collector never visits a
     * half-destroyed object; the reference to the heap type is dropped last.
     * https://docs.python.org/3/c-api/typeobj.html#c.PyTypeObject.tp_dealloc */
    PyObject_GC_UnTrack(op);
    PyTypeObject *type = Py_TYPE(op);
    bc_free(((CoreBufferObject *)op)->data);
    /* What tp_free is for a collected type that cannot be subclassed, called by name:
     * the limited API cannot read type->tp_free. */
    PyObject_GC_Del(op);
    Py_DECREF(type);
}
/* endregion: core-buffer */

/* No tp_clear: a CoreBuffer holds no Python object that could close a cycle. */
static PyType_Slot core_buffer_slots[] = {
    {Py_tp_doc, "Owns a buffer the C core allocated; frees it with bc_free."},
    {Py_tp_traverse, CoreBuffer_traverse},
    {Py_tp_dealloc, CoreBuffer_dealloc},
    {Py_bf_getbuffer, CoreBuffer_getbuffer},
    {0, NULL},
};

PyType_Spec capi_core_buffer_spec = {
    .name = CAPI_PACKAGE "._capi.CoreBuffer",
    .basicsize = sizeof(CoreBufferObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE |
             Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = core_buffer_slots,
};

/* numpy.frombuffer over `size` bytes at `data`, which the core allocated. Takes
 * ownership of data on every path: it is freed here on failure, or when the array dies. */
/* region: array-from-core */
PyObject *capi_array_from_core(capi_state *st, void *data, size_t size, PyObject *dtype) {
    /* PyType_GenericAlloc, which is what tp_alloc is for a type that cannot be
     * subclassed (and the limited API cannot read type->tp_alloc): zero-filled and
     * already tracked by the collector, which is safe since the only reference it
     * visits, the type, is set. */
    PyTypeObject *type = st->core_buffer_type;
    CoreBufferObject *owner = (CoreBufferObject *)PyType_GenericAlloc(type, 0);
    if (owner == NULL) {
        bc_free(data);
        return NULL;
    }
    owner->data = data;
    owner->size = (Py_ssize_t)size;
    PyObject *args[] = {(PyObject *)owner, dtype};
    PyObject *array = capi_call(st->numpy_frombuffer, args, 2);
    /* The array holds its own reference to the owner; if there is no array, this was
     * the last reference and bc_free runs now. */
    Py_DECREF(owner);
    return array;
}
/* endregion: array-from-core */
