/*
 * The module bindings.capi._capi: its state, its initialisation (with the checks that
 * it agrees with the package bindings), its lifetime.
 *
 * Multi-phase initialisation (PEP 489): PyInit__capi only returns the definition; the
 * import system creates the module object, then runs capi_exec on it.
 * https://docs.python.org/3/c-api/module.html#multi-phase-initialization
 *
 * Two builds of these same sources (CMakeLists.txt), as CPython's own Modules/xxlimited.c
 * shows the stable ABI (https://docs.python.org/3/c-api/stable.html):
 *   bindings/capi/_capi.cpython-3XY-*.so  the full C API, for the CPython that built it;
 *   bindings/capi_abi3/_capi.abi3.so     the limited API of 3.11 (Py_LIMITED_API): one
 *                                        binary for CPython 3.11 and every later one.
 * The code is written once for both: the form that works in both wherever it costs the
 * full build nothing, and #if on Py_LIMITED_API only where it would. What the stable-ABI
 * build gives up:
 *   - vectorcall: PyObject_Vectorcall is in the limited API from 3.12 only, so its calls
 *     into NumPy and into integrate's callable pack their arguments into a tuple
 *     (capi_call in capi.h);
 *   - the inline macros: type checks such as PyUnicode_Check call PyType_GetFlags
 *     instead of reading tp_flags (both builds use the function forms of PyTuple_*
 *     and PyType_GenericAlloc/PyObject_GC_Del, which cost the full build nothing
 *     measurable);
 *   - PyErr_GetRaisedException (3.12): the older PyErr_Fetch spelling (capi.h);
 *   - the declarations of the slots below: Py_mod_multiple_interpreters is in the
 *     limited API from 3.12 and Py_mod_gil from 3.13, and a 3.11 binary may not
 *     name a slot that 3.11 does not know. The defaults apply: importable in
 *     subinterpreters that share the main GIL, not in those with their own GIL; and
 *     the GIL is used (moot: no abi3 module loads on a free-threaded CPython);
 *   - CPython 3.10, and free-threaded CPythons: the stable ABI has neither.
 * One trap, not a loss: the headers that compile it may be newer than 3.11 and get the
 * older ABI wrong (Py_RETURN_NONE, see capi.h); the suite runs each interpreter's own
 * build, so a binary built by 3.13 was run under 3.11 by hand to find it.
 * Everything else it needs is in the limited API of 3.11: the buffer protocol both ways
 * (Py_buffer, PyObject_GetBuffer, the Py_bf_* type slots), METH_FASTCALL (3.10),
 * heap types with module state, struct sequences, PyThread locks.
 */
#include "capi.h"

#include <stddef.h>

/* region: event-layout */
/* The core's record must match bindings.EVENT_DTYPE: int32 kind, 4 bytes of padding,
 * float64 value. events_total compares dtypes, and reads records as bc_event. */
_Static_assert(offsetof(bc_event, kind) == 0, "bc_event.kind at offset 0");
_Static_assert(offsetof(bc_event, value) == 8, "bc_event.value at offset 8");
_Static_assert(sizeof(bc_event) == 16, "bc_event is 16 bytes");
/* endregion: event-layout */

/* Sets *out to a new reference to obj.name, and returns 0, or -1. */
static int get_attr(PyObject *obj, const char *name, PyObject **out) {
    *out = PyObject_GetAttrString(obj, name);
    return *out == NULL ? -1 : 0;
}

static int get_dtype(PyObject *numpy, const char *name, PyObject **out) {
    *out = PyObject_CallMethod(numpy, "dtype", "s", name);
    return *out == NULL ? -1 : 0;
}

/* NumPy is imported once, here, and only the objects used are kept. */
static int import_numpy(capi_state *st) {
    PyObject *numpy = PyImport_ImportModule("numpy");
    if (numpy == NULL) {
        return -1;
    }
    PyObject *ndarray = NULL;
    int rc = -1;
    if (get_attr(numpy, "empty", &st->numpy_empty) < 0 ||
        get_attr(numpy, "require", &st->numpy_require) < 0 ||
        get_attr(numpy, "frombuffer", &st->numpy_frombuffer) < 0 ||
        get_attr(numpy, "ndarray", &ndarray) < 0 || get_dtype(numpy, "float64", &st->float64) < 0 ||
        get_dtype(numpy, "int64", &st->int64) < 0) {
        goto done;
    }
    if (!PyType_Check(ndarray)) {
        PyErr_SetString(PyExc_ImportError, "numpy.ndarray is not a type");
        goto done;
    }
    st->ndarray_type = (PyTypeObject *)Py_NewRef(ndarray);
    st->in_array_flags = PyUnicode_InternFromString("CA");
    rc = st->in_array_flags == NULL ? -1 : 0;
done:
    Py_XDECREF(ndarray);
    Py_DECREF(numpy);
    return rc;
}

/* The parent package defines what this module must agree with. It is imported already:
 * importing bindings.capi imports bindings first. */
static int import_bindings(capi_state *st) {
    PyObject *bindings = PyImport_ImportModule("bindings");
    if (bindings == NULL) {
        return -1;
    }
    PyObject *min_size = NULL;
    int rc = -1;
    if (get_attr(bindings, "EVENT_DTYPE", &st->event_dtype) < 0 ||
        get_attr(bindings, "GIL_RELEASE_MIN_SIZE", &min_size) < 0) {
        goto done;
    }
    long value = PyLong_AsLong(min_size);
    if (value == -1 && PyErr_Occurred()) {
        goto done;
    }
    if (value != CAPI_GIL_RELEASE_MIN_SIZE) {
        PyErr_Format(PyExc_ImportError,
                     "bindings.GIL_RELEASE_MIN_SIZE is %ld but _capi was built with %d", value,
                     CAPI_GIL_RELEASE_MIN_SIZE);
        goto done;
    }
    rc = 0;
done:
    Py_XDECREF(min_size);
    Py_DECREF(bindings);
    return rc;
}

/* Heap types, created per module object and stored in its state. PyType_FromModuleAndSpec
 * records the module in the type, which is how a method finds the state again.
 * https://docs.python.org/3/c-api/type.html#c.PyType_FromModuleAndSpec */
static int create_types(PyObject *module, capi_state *st) {
    st->detector_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &capi_detector_spec, NULL);
    if (st->detector_type == NULL) {
        return -1;
    }
    st->core_buffer_type =
        (PyTypeObject *)PyType_FromModuleAndSpec(module, &capi_core_buffer_spec, NULL);
    if (st->core_buffer_type == NULL) {
        return -1;
    }
    /* A heap type too, but one that needs no module state.
     * https://docs.python.org/3/c-api/tuple.html#c.PyStructSequence_NewType */
    st->stats_type = PyStructSequence_NewType(&capi_stats_desc);
    if (st->stats_type == NULL) {
        return -1;
    }
    /* PyModule_AddType adds a reference of its own; the state keeps its one. CoreBuffer
     * is internal and stays out of the namespace. */
    if (PyModule_AddType(module, st->detector_type) < 0 ||
        PyModule_AddType(module, st->stats_type) < 0) {
        return -1;
    }
    return 0;
}

/* region: exec */
/* On failure, the module object is discarded, and m_free releases whatever the state
 * holds by then. m_methods installs functions.c's table; callbacks.c's is added here. */
static int capi_exec(PyObject *module) {
    capi_state *st = PyModule_GetState(module);
    if (import_numpy(st) < 0 || import_bindings(st) < 0 || create_types(module, st) < 0 ||
        PyModule_AddFunctions(module, capi_callback_functions) < 0) {
        return -1;
    }
    return 0;
}
/* endregion: exec */

/* The state's references are visible to the garbage collector, which can then break
 * cycles through them (each heap type refers back to the module).
 * https://docs.python.org/3/c-api/module.html#c.PyModuleDef.m_traverse */
static int capi_traverse(PyObject *module, visitproc visit, void *arg) {
    capi_state *st = PyModule_GetState(module);
    Py_VISIT(st->numpy_empty);
    Py_VISIT(st->numpy_require);
    Py_VISIT(st->numpy_frombuffer);
    Py_VISIT(st->ndarray_type);
    Py_VISIT(st->float64);
    Py_VISIT(st->int64);
    Py_VISIT(st->event_dtype);
    Py_VISIT(st->in_array_flags);
    Py_VISIT(st->detector_type);
    Py_VISIT(st->core_buffer_type);
    Py_VISIT(st->stats_type);
    return 0;
}

static int capi_clear(PyObject *module) {
    capi_state *st = PyModule_GetState(module);
    Py_CLEAR(st->numpy_empty);
    Py_CLEAR(st->numpy_require);
    Py_CLEAR(st->numpy_frombuffer);
    Py_CLEAR(st->ndarray_type);
    Py_CLEAR(st->float64);
    Py_CLEAR(st->int64);
    Py_CLEAR(st->event_dtype);
    Py_CLEAR(st->in_array_flags);
    Py_CLEAR(st->detector_type);
    Py_CLEAR(st->core_buffer_type);
    Py_CLEAR(st->stats_type);
    return 0;
}

static void capi_free(void *module) {
    capi_clear((PyObject *)module);
}

/* region: module-def */
static PyModuleDef_Slot capi_slots[] = {
    {Py_mod_exec, capi_exec},
/* The slots after exec are declarations, each guarded by its own name: a CPython that
 * predates one (or the limited API of one, see the top of this file) neither knows
 * nor needs it, and the default applies. */
/* region: interpreters-slot */
#ifdef Py_mod_multiple_interpreters
    /* Subinterpreters (3.12), including those with a GIL of their own (PEP 684).
     * https://docs.python.org/3/c-api/module.html#c.Py_mod_multiple_interpreters
     * The module keeps every Python object in its state and its types are heap types,
     * so each interpreter gets its own of each. Its C statics are constant tables that
     * CPython only reads (method, member and getset tables, type specs, the keyword
     * list of Detector()), plus this PyModuleDef, initialised once by PyModuleDef_Init
     * as every multi-phase module's is. The GIL is taken back by re-attaching the
     * caller's own thread state, never by PyGILState_Ensure, which would attach the
     * main interpreter's (callbacks.c, detector.c). What is process-wide is the core's
     * allocation accounting (c_core/src/alloc.c): two C11 atomics, safe to update from
     * interpreters running in parallel, but one count for the whole process, so
     * live_allocations() sees every interpreter's allocations and
     * fail_allocation_after() arms a failure for whichever allocates next. Both are test
     * hooks: a leak test must not share the process with another interpreter using the
     * core; nothing else depends on them. (Signals, and so Ctrl-C, reach only the main
     * interpreter.) Whether the package imports in such an interpreter is for NumPy,
     * which exec imports, to decide. */
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
/* endregion: interpreters-slot */
/* region: gil-slot */
#ifdef Py_mod_gil
    /* Free-threading (3.13): not supported, so said explicitly. Without a GIL, some
     * state the GIL guards today would race: a Detector's export count (changed in
     * bf_getbuffer and bf_releasebuffer, which take no lock), its handle read without
     * the lock (closed, posterior_view, the buffer export, update_many's first check),
     * and checking_thread. To declare Py_MOD_GIL_NOT_USED, those would move under the
     * detector's lock (or become atomics), and the suite would have to run on a
     * free-threaded CPython, which we do not have. Module state is written only by exec,
     * so it is already safe. https://docs.python.org/3/howto/free-threading-extensions.html */
    {Py_mod_gil, Py_MOD_GIL_USED},
#endif
    /* endregion: gil-slot */
    {0, NULL},
};

PyDoc_STRVAR(capi_doc, "The C core bound by hand with the CPython C-API (see bindings/capi/).");

static struct PyModuleDef capi_module = {
    .m_base = PyModuleDef_HEAD_INIT,
    .m_name = CAPI_PACKAGE "._capi",
    .m_doc = capi_doc,
    .m_size = sizeof(capi_state),
    .m_methods = capi_functions,
    .m_slots = capi_slots,
    .m_traverse = capi_traverse,
    .m_clear = capi_clear,
    .m_free = capi_free,
};

/* The one exported symbol. It returns the definition, not a module: PyModuleDef_Init
 * marks it as such for the import system. */
PyMODINIT_FUNC PyInit__capi(void) {
    return PyModuleDef_Init(&capi_module);
}
/* endregion: module-def */
