/*
 * The two functions that hand the core a C function pointer, and the Python on the
 * other side of it:
 *
 *   integrate        the core calls a Python callable through call_python (a bc_func),
 *                    and asks check_signals (a bc_check) whether Ctrl-C was pressed;
 *   find_peaks_into  the core asks allocate_peaks (a bc_allocator) for its result's
 *                    memory, and the allocator makes a NumPy array.
 *
 * Neither can raise through C. Each returns failure to the core with the Python
 * exception left set; the core stops, returns BC_ECALLBACK, and capi_raise_for_status
 * lets that exception propagate unchanged.
 */
#include "capi.h"

#include <stdint.h>

/* ---- integrate: a Python callable as a bc_func ---------------------------------- */

/* region: call-python */
/* The bc_func that calls a Python callable. It runs with the GIL held, because
 * integrate never releases it. On an exception it returns non-zero and leaves the
 * exception set: the core stops and returns BC_ECALLBACK, and capi_raise_for_status
 * lets the exception propagate unchanged. */
static int call_python(double x, void *ctx, double *y) {
    PyObject *f = ctx; /* borrowed: integrate's argument outlives the core call */
    PyObject *arg = PyFloat_FromDouble(x);
    if (arg == NULL) {
        return -1;
    }
    /* By vectorcall, as PyObject_CallOneArg would (which the limited API lacks); see
     * capi_call in capi.h. */
    PyObject *result = capi_call(f, &arg, 1);
    Py_DECREF(arg);
    if (result == NULL) {
        return -1;
    }
    int rc = capi_as_double(result, y); /* TypeError if f returned a non-number */
    Py_DECREF(result);
    return rc;
}
/* endregion: call-python */

/* region: integrate-check */
/* The bc_check of integrate, for Ctrl-C. A callable written in Python gets its
 * KeyboardInterrupt from the interpreter loop that runs it, but a builtin such as
 * math.sin runs no bytecode: then only this check, every BC_CHECK_INTERVAL calls, lets
 * the interrupt through. The GIL is held, so the check is just PyErr_CheckSignals: it
 * runs the pending signal handlers and returns -1 if one raised, with the exception
 * (KeyboardInterrupt, from the default SIGINT handler) set. The core then returns
 * BC_ECALLBACK, and capi_raise_for_status lets the exception propagate, as for an
 * exception of the callable. Off the main thread it returns 0 at once: only the main
 * thread handles signals. https://docs.python.org/3/c-api/exceptions.html#c.PyErr_CheckSignals */
static int check_signals(void *Py_UNUSED(f)) {
    return PyErr_CheckSignals();
}
/* endregion: integrate-check */

PyDoc_STRVAR(integrate_doc, "integrate($module, f, a, b, n, /)\n--\n\n"
                            "Trapezoid rule of f over [a, b] with n intervals (n + 1 calls).");

static PyObject *integrate(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    double a, b, result;
    size_t n;
    if (capi_check_nargs("integrate", nargs, 4) < 0) {
        return NULL;
    }
    if (!PyCallable_Check(args[0])) {
        return capi_raise_wrong_type("integrate() argument f", "callable", args[0]);
    }
    if (capi_as_double(args[1], &a) < 0 || capi_as_double(args[2], &b) < 0 ||
        capi_as_size(args[3], 1, "integrate() argument n", &n) < 0) {
        return NULL;
    }
    /* The GIL stays held throughout: every step calls Python code. */
    int status = bc_integrate(call_python, check_signals, args[0], a, b, n, &result);
    if (status != BC_OK) {
        return capi_raise_for_status(status, "integrate");
    }
    return PyFloat_FromDouble(result);
}

/* ---- find_peaks_into: an allocator that makes the NumPy result ------------------- */

/* region: peaks-allocator */
/* find_peaks_into: the other ownership strategy. The core counts the peaks, then asks
 * the allocator below for the result's memory; the allocator makes a NumPy array and
 * hands back its data pointer, so C writes the indices straight into memory Python
 * owns: no copy, no CoreBuffer, nothing for bc_free. */
typedef struct {
    capi_state *st;
    PyThreadState *saved; /* if the caller released the GIL, its thread state; else NULL */
    PyObject *array;      /* new reference: the result, once the allocator has made it */
    Py_buffer view;       /* its buffer, which C fills; released by find_peaks_into */
} peaks_allocation;

/* region: allocate-peaks */
/* A bc_allocator. On failure it returns NULL with the Python exception set, and the core
 * returns BC_ECALLBACK, which capi_raise_for_status turns back into that exception. */
static void *allocate_peaks(size_t count, size_t size, void *ctx) {
    peaks_allocation *alloc = ctx;
    /* The core may run without the GIL; creating an array needs it, so it is taken
     * back, with the thread state find_peaks_into detached, for exactly as long as the
     * allocation lasts. Not with PyGILState_Ensure: it would attach a thread state of
     * the main interpreter, the wrong one in a subinterpreter, which module.c declares
     * supported. https://docs.python.org/3/c-api/init.html#bugs-and-caveats */
    capi_restore_gil(alloc->saved);
    void *data = NULL;
    if (size != sizeof(int64_t) || alloc->array != NULL) {
        PyErr_SetString(PyExc_SystemError, "find_peaks_into: unexpected allocation request");
    } else if (count > (size_t)PY_SSIZE_T_MAX / size) {
        PyErr_NoMemory();
    } else {
        Py_ssize_t length = (Py_ssize_t)count;
        alloc->array = capi_new_array(alloc->st, 1, &length, alloc->st->int64, &alloc->view);
        /* NumPy gives even an empty array a data pointer, as the core requires. */
        data = alloc->array == NULL ? NULL : alloc->view.buf;
    }
    if (alloc->saved != NULL) {
        PyEval_SaveThread(); /* detaches alloc->saved again */
    }
    return data;
}
/* endregion: allocate-peaks */
/* endregion: peaks-allocator */

PyDoc_STRVAR(find_peaks_into_doc,
             "find_peaks_into($module, x, threshold, /)\n--\n\n"
             "find_peaks() by the allocator-callback strategy: C writes into a NumPy array.");

/* region: find-peaks-into */
static PyObject *find_peaks_into(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    capi_state *st = PyModule_GetState(module);
    double threshold;
    Py_buffer xv;
    if (capi_check_nargs("find_peaks_into", nargs, 2) < 0 ||
        capi_as_double(args[1], &threshold) < 0 ||
        capi_get_array(st, args[0], st->float64, 1, "find_peaks_into() argument x", &xv) < 0) {
        return NULL;
    }
    size_t count;
    size_t n = capi_doubles_in(&xv);
    PyThreadState *saved = capi_release_gil_if_large(n);
    peaks_allocation alloc = {.st = st, .saved = saved, .array = NULL};
    int status = bc_find_peaks_into(xv.buf, n, threshold, allocate_peaks, &alloc, &count);
    capi_restore_gil(saved);
    PyBuffer_Release(&xv);
    if (alloc.array != NULL) {
        PyBuffer_Release(&alloc.view); /* the array itself keeps the memory */
    }
    if (status != BC_OK) {
        Py_XDECREF(alloc.array); /* set only if the core failed after allocating */
        return capi_raise_for_status(status, "find_peaks_into");
    }
    return alloc.array; /* our new reference, now the caller's */
}
/* endregion: find-peaks-into */

/* Installed by module.c next to capi_functions: a module has one m_methods table. */
PyMethodDef capi_callback_functions[] = {
    {"find_peaks_into", CAPI_FASTCALL(find_peaks_into), METH_FASTCALL, find_peaks_into_doc},
    {"integrate", CAPI_FASTCALL(integrate), METH_FASTCALL, integrate_doc},
    {NULL, NULL, 0, NULL},
};
