/*
 * The hand-written CPython C-API backend: what its source files share.
 *
 * The parts of every backend (bindings/README.md, "One layout, one vocabulary"):
 *
 *   capi.h       these declarations, over bcore.h: the C API being bound
 *   errors.c     a bc_status becomes an exception: capi_raise_for_status
 *   convert.c    arguments in (scalars, and arrays through the buffer protocol), arrays out
 *   functions.c  the plain functions of bindings/_interface.py
 *   callbacks.c  integrate, and find_peaks_into with its allocator
 *   detector.c   the Detector type: a handle, a lock and a buffer export
 *   module.c     the module: state, multi-phase initialisation, import-time checks
 *
 * C has a single namespace, so every name shared between these files starts with capi_
 * (CAPI_ for macros), as CPython's own multi-file modules prefix theirs (pysqlite_ in
 * Modules/_sqlite). Static names, seen by one file only, go without.
 *
 * The whole module is isolated (https://docs.python.org/3/howto/isolating-extensions.html):
 * every Python object it keeps lives in the module state, never in a C global.
 */
#ifndef BINDINGS_CAPI_H
#define BINDINGS_CAPI_H

/* Python.h comes first: it may set feature macros that change the system headers.
 * https://docs.python.org/3/extending/extending.html#a-simple-example */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "bcore.h"

/* The package the module is built for, which names its types: bindings.capi, or
 * bindings.capi_abi3 for the stable-ABI build (CMakeLists.txt defines it then). */
#ifndef CAPI_PACKAGE
#define CAPI_PACKAGE "bindings.capi"
#endif

/* Everything the module keeps, one copy per module object (one per interpreter):
 * https://docs.python.org/3/c-api/module.html#c.PyModuleDef.m_size
 * Every field is a strong reference, created in exec and dropped in m_clear. */
typedef struct {
    PyObject *numpy_empty;      /* numpy.empty: allocates result arrays */
    PyObject *numpy_require;    /* numpy.require: converts array arguments */
    PyObject *numpy_frombuffer; /* numpy.frombuffer: wraps memory we export */
    PyTypeObject *ndarray_type; /* numpy.ndarray: out= and events must be one */
    PyObject *float64;          /* numpy.dtype("float64") */
    PyObject *int64;            /* numpy.dtype("int64") */
    PyObject *event_dtype;      /* bindings.EVENT_DTYPE, the mirror of bc_event */
    PyObject *in_array_flags;   /* "CA": C-contiguous and aligned, see convert.c */
    PyTypeObject *detector_type;
    PyTypeObject *core_buffer_type;
    PyTypeObject *stats_type;
} capi_state;

/* ---- compatibility --------------------------------------------------------- */

/* The same sources make two modules (CMakeLists.txt): the full build, for the one
 * CPython it is compiled by (3.10 and up), and the stable-ABI build (Py_LIMITED_API
 * 3.11, defined by CMake), one binary for every CPython from 3.11 on. module.c says
 * what the second gives up. Each shim below names the version from which it is dead
 * code, to be deleted when that version is the oldest supported (pyproject.toml, and
 * bindings.ABI3_BACKENDS for the stable-ABI build). */

/* region: limited-api-version */
/* The oldest CPython whose C API this build may call: the one it is compiled by, or,
 * for the stable-ABI build, the version its Py_LIMITED_API names. The headers of a
 * newer CPython declare some newer functions even then (PyErr_GetRaisedException is
 * not guarded in the 3.12 and 3.13 headers), so the test must be ours. */
#if defined(Py_LIMITED_API) && Py_LIMITED_API < PY_VERSION_HEX
#define CAPI_API_VERSION Py_LIMITED_API
#else
#define CAPI_API_VERSION PY_VERSION_HEX
#endif
/* endregion: limited-api-version */

/* region: raised-exception-shim */
/* PyErr_GetRaisedException and PyErr_SetRaisedException (3.12, and the stable ABI from
 * 3.12) handle the raised exception as one object; before, they are spelled with the
 * older triple API, as pythoncapi-compat does. https://docs.python.org/3/c-api/exceptions.html
 * New names behind a #define, since newer headers may declare the real ones.
 * Remove when 3.12 is the oldest supported by both builds. */
#if CAPI_API_VERSION < 0x030C0000
static inline PyObject *capi_get_raised_exception(void) {
    PyObject *type, *value, *traceback;
    PyErr_Fetch(&type, &value, &traceback);
    PyErr_NormalizeException(&type, &value, &traceback);
    if (value != NULL && traceback != NULL) {
        PyException_SetTraceback(value, traceback);
    }
    Py_XDECREF(type);
    Py_XDECREF(traceback);
    return value;
}

static inline void capi_set_raised_exception(PyObject *exc) {
    PyErr_Restore(Py_NewRef((PyObject *)Py_TYPE(exc)), exc, PyException_GetTraceback(exc));
}
#define PyErr_GetRaisedException capi_get_raised_exception
#define PyErr_SetRaisedException capi_set_raised_exception
#endif
/* endregion: raised-exception-shim */

/* region: limited-return-none */
/* Py_RETURN_NONE must count the reference to None on CPython 3.11, where None is not
 * immortal. The headers of 3.12, and of 3.13 before 3.13.5, forget to for a limited API
 * older than 3.12 (https://github.com/python/cpython/issues/134989): a stable-ABI module
 * they compiled then frees None on 3.11 ("deallocating None" at exit). Spelled out for
 * the stable-ABI build, as the fixed headers do; the full build keeps the header's.
 * Remove when 3.12 is the oldest CPython of the stable-ABI build. */
#if defined(Py_LIMITED_API) && Py_LIMITED_API < 0x030C0000
#undef Py_RETURN_NONE
#define Py_RETURN_NONE return Py_NewRef(Py_None)
#endif
/* endregion: limited-return-none */

/* region: type-get-name-shim */
/* PyType_GetName (3.11, and the stable ABI from 3.11): a type's __name__, for messages,
 * since tp_name is out of reach where PyTypeObject is opaque (the limited API). On 3.10,
 * the attribute itself. https://docs.python.org/3/c-api/type.html#c.PyType_GetName
 * Remove when 3.11 is the oldest supported. */
#if CAPI_API_VERSION < 0x030B0000
static inline PyObject *PyType_GetName(PyTypeObject *type) {
    return PyObject_GetAttrString((PyObject *)type, "__name__");
}
#endif
/* endregion: type-get-name-shim */

/* PyMemberDef's type codes and flags are in Python.h as Py_T_* and Py_READONLY since
 * 3.12 headers (the limited API included: they are the same numbers as before), in
 * structmember.h under older names before.
 * https://docs.python.org/3/c-api/structures.html#member-types
 * Remove when 3.12 is the oldest supported. */
#if PY_VERSION_HEX < 0x030C0000
#include <structmember.h>
#define Py_T_PYSSIZET T_PYSSIZET
#define Py_READONLY READONLY
#endif

/* region: limited-api-call */
/* callable(*args), the arguments given as a C array. The full build passes the array as
 * it is, by vectorcall (PEP 590): no tuple is built.
 * https://docs.python.org/3/c-api/call.html#c.PyObject_Vectorcall
 * PyObject_Vectorcall joined the limited API only in 3.12, so the stable-ABI build
 * packs the arguments into a tuple for PyObject_Call. The cost, counted by callgrind on
 * 3.11: about 240 instructions per call of integrate's callable (integrate(math.sin,
 * ...) over 100 intervals: 38,700 -> 62,500) and 280 per numpy.empty (scale of 8
 * values: 2,610 -> 2,890); add(), which calls no Python, costs 132 in both builds.
 * Remove the second branch when 3.12 is the oldest CPython of the stable-ABI build. */
static inline PyObject *capi_call(PyObject *callable, PyObject *const *args, Py_ssize_t nargs) {
#if !defined(Py_LIMITED_API) || Py_LIMITED_API >= 0x030C0000
    return PyObject_Vectorcall(callable, args, (size_t)nargs, NULL);
#else
    PyObject *tuple = PyTuple_New(nargs);
    if (tuple == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < nargs; ++i) {
        PyTuple_SetItem(tuple, i, Py_NewRef(args[i])); /* steals; cannot fail here */
    }
    PyObject *result = PyObject_Call(callable, tuple, NULL);
    Py_DECREF(tuple);
    return result;
#endif
}
/* endregion: limited-api-call */

/* ---- errors.c -------------------------------------------------------------- */

PyObject *capi_raise_for_status(int status, const char *what);

/* ---- convert.c ------------------------------------------------------------- */

int capi_check_nargs(const char *name, Py_ssize_t nargs, Py_ssize_t expected);
PyObject *capi_raise_wrong_type(const char *what, const char *expected, PyObject *obj);
int capi_as_double(PyObject *obj, double *out);
int capi_as_int64(PyObject *obj, int64_t *out);
int capi_as_size(PyObject *obj, size_t min, const char *what, size_t *out);

int capi_get_array(capi_state *st, PyObject *obj, PyObject *dtype, int ndim, const char *what,
                   Py_buffer *view);
int capi_get_out_array(capi_state *st, PyObject *out, const Py_buffer *like, const char *what,
                       Py_buffer *view);
int capi_has_dtype(PyObject *array, PyObject *dtype);
PyObject *capi_new_array(capi_state *st, int ndim, const Py_ssize_t *shape, PyObject *dtype,
                         Py_buffer *view);
PyObject *capi_array_from_core(capi_state *st, void *data, size_t size, PyObject *dtype);
extern PyType_Spec capi_core_buffer_spec;

/* Elements in a buffer of doubles. */
static inline size_t capi_doubles_in(const Py_buffer *view) {
    return (size_t)view->len / sizeof(double);
}

/* ---- the GIL ----------------------------------------------------------------- */

/* The array functions run C without the GIL from this many elements (bytes for fnv1a)
 * up: releasing and retaking it costs more than a short call saves. Must equal
 * bindings.GIL_RELEASE_MIN_SIZE; module initialisation checks that it does. */
#define CAPI_GIL_RELEASE_MIN_SIZE 4096

/* region: release-gil-if-large */
/* Drops the GIL for a call into C over n elements when n is large enough, as NumPy
 * does. https://docs.python.org/3/c-api/init.html#releasing-the-gil-from-extension-code
 * Between the two calls, no Python object may be touched. */
static inline PyThreadState *capi_release_gil_if_large(size_t n) {
    return n >= CAPI_GIL_RELEASE_MIN_SIZE ? PyEval_SaveThread() : NULL;
}

static inline void capi_restore_gil(PyThreadState *saved) {
    if (saved != NULL) {
        PyEval_RestoreThread(saved);
    }
}
/* endregion: release-gil-if-large */

/* ---- functions.c, callbacks.c, detector.c: what module.c installs ------------ */

/* region: fastcall */
/* Casts a METH_FASTCALL function to the PyCFunction type of PyMethodDef.ml_meth; the
 * detour through void (*)(void) tells the compiler the cast is deliberate. */
#define CAPI_FASTCALL(f) ((PyCFunction)(void (*)(void))(f))
/* endregion: fastcall */

extern PyMethodDef capi_functions[];
extern PyStructSequence_Desc capi_stats_desc;
extern PyMethodDef capi_callback_functions[];
extern PyType_Spec capi_detector_spec;

#endif /* BINDINGS_CAPI_H */
