/*
 * Detector: a heap type that owns a bc_detector handle.
 *
 * Four things make it more than a pointer in a box:
 *  - a lock held around every core call, because the core is not thread-safe per
 *    detector while Python threads may share one (update_many even runs without the GIL,
 *    taking it back now and then to let Ctrl-C through);
 *  - the buffer protocol, exporting the core's posterior buffer read-only, so that
 *    posterior_view() is numpy.frombuffer(detector, float64) with no copy;
 *  - an export count, so that close() refuses (BufferError) while any view is alive,
 *    exactly as mmap.close() does;
 *  - garbage-collector support, which every heap type needs (see Detector_traverse).
 *
 * Heap types: https://docs.python.org/3/c-api/typeobj.html#heap-types
 */
#include "capi.h"

#include <stddef.h>
#include <string.h>

/* region: detector-object */
typedef struct {
    PyObject ob_base;              /* what PyObject_HEAD expands to */
    bc_detector *handle;           /* owned; NULL once closed */
    PyThread_type_lock lock;       /* held around every core call on handle */
    const double *posterior;       /* borrowed from handle; fixed address until destroy */
    Py_ssize_t posterior_len;      /* R + 1: the shape of the exported buffer */
    Py_ssize_t posterior_stride;   /* sizeof(double): its strides */
    Py_ssize_t exports;            /* live buffer exports; changed only with the GIL held */
    unsigned long checking_thread; /* holds lock and runs signal handlers, else 0; GIL held */
    PyObject *weakreflist;         /* weakref support, see __weaklistoffset__ below */
} DetectorObject;
/* endregion: detector-object */

/* A status beside the bc_status codes, for update_many, which finds the detector closed
 * without the GIL and raises once it has the GIL back. */
#define DETECTOR_CLOSED (-1)

/* Every member but close, closed and __exit__ raises this ValueError once closed. */
static PyObject *raise_closed(const char *what) {
    PyErr_Format(PyExc_ValueError, "%s: the detector is closed", what);
    return NULL;
}

/*
 * The lock. PyThread_type_lock is CPython's portable lock (Include/pythread.h), the
 * one its own _hashlib and _bz2 modules hold around their C calls.
 *
 * A thread that finds the lock taken must wait with the GIL released: the holder may be
 * in update_many, which runs without the GIL and needs it back to finish. Hence a
 * non-blocking attempt first (the common, uncontended case costs no GIL round trip),
 * then a blocking one between PyEval_SaveThread and PyEval_RestoreThread, which is what
 * Py_BEGIN_ALLOW_THREADS and Py_END_ALLOW_THREADS expand to.
 *
 * Rule: never call Python code while holding the lock (a __float__ that calls back
 * into the same detector would wait for itself). Arguments are converted first. The
 * one exception is update_many's check (check_signals below), which must run the
 * signal handlers: a handler that uses the same detector gets RuntimeError from
 * is_reentrant_call instead of waiting for its own thread.
 */
/* region: detector-lock */
/* True, with RuntimeError set, if this thread holds the lock already: it is inside
 * update_many's check, running a signal handler (or a finalizer) that uses the same
 * detector. CPython's buffered files answer the same case the same way
 * (_enter_buffered_busy in Modules/_io/bufferedio.c:
 * https://github.com/python/cpython/blob/v3.13.0/Modules/_io/bufferedio.c). */
static int is_reentrant_call(DetectorObject *self, const char *what) {
    if (self->checking_thread != PyThread_get_thread_ident()) {
        return 0;
    }
    PyErr_Format(PyExc_RuntimeError,
                 "%s: reentrant call, from inside update_many() of the same detector on the "
                 "same thread (in a signal handler?)",
                 what);
    return 1;
}

/* Returns 0 with the lock held, or -1 with RuntimeError set for a reentrant call. */
static int detector_lock(DetectorObject *self, const char *what) {
    if (!PyThread_acquire_lock(self->lock, NOWAIT_LOCK)) {
        if (is_reentrant_call(self, what)) {
            return -1;
        }
        PyThreadState *saved = PyEval_SaveThread();
        PyThread_acquire_lock(self->lock, WAIT_LOCK);
        PyEval_RestoreThread(saved);
    }
    return 0;
}
/* endregion: detector-lock */

static void detector_unlock(DetectorObject *self) {
    PyThread_release_lock(self->lock);
}

/* region: open-handle */
/* The open handle, with the lock held: the caller calls the core, then detector_unlock.
 * Only close() clears handle, under the lock, so it stays open until then. If the
 * detector is closed: NULL, with the lock released first and ValueError set after
 * (creating an exception may run Python code, which must never run under the lock). */
static bc_detector *open_handle(DetectorObject *self, const char *what) {
    if (detector_lock(self, what) < 0) {
        return NULL;
    }
    if (self->handle == NULL) {
        detector_unlock(self);
        raise_closed(what);
        return NULL;
    }
    return self->handle;
}
/* endregion: open-handle */

/* The module state, for the cached NumPy references. Detector cannot be subclassed
 * (no Py_TPFLAGS_BASETYPE), so Py_TYPE(self) is the type created by
 * PyType_FromModuleAndSpec, which knows its module. (A subclassable type would use
 * METH_METHOD and its defining_class argument instead.)
 * https://docs.python.org/3/c-api/type.html#c.PyType_GetModuleState */
static capi_state *detector_state(PyObject *op) {
    return PyType_GetModuleState(Py_TYPE(op));
}

/* ---- creation and destruction ----------------------------------------------- */

PyDoc_STRVAR(detector_doc, "Detector(hazard=0.01, mu0=0.0, kappa0=1.0, alpha0=1.0, beta0=1.0, "
                           "max_run_length=500)\n--\n\n"
                           "Bayesian online change-point detector (see c_core/include/bcore.h).");

/* All the work is in tp_new, so that no Detector exists half-initialised (there is no
 * __init__ to call twice). https://docs.python.org/3/c-api/typeobj.html#c.PyTypeObject.tp_new */
static PyObject *Detector_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {
        "hazard", "mu0", "kappa0", "alpha0", "beta0", "max_run_length", NULL,
    };
    bc_hazard hazard = {.rate = 0.01};
    bc_normal_gamma model = {.mu0 = 0.0, .kappa0 = 1.0, .alpha0 = 1.0, .beta0 = 1.0};
    long long max_run_length = 500;
    /* "d" converts like PyFloat_AsDouble, "L" like PyLong_AsLongLong (TypeError for a
     * float, OverflowError outside int64). https://docs.python.org/3/c-api/arg.html */
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|dddddL:Detector", keywords, &hazard.rate,
                                     &model.mu0, &model.kappa0, &model.alpha0, &model.beta0,
                                     &max_run_length)) {
        return NULL;
    }
    hazard.max_run_length = (int64_t)max_run_length;

    /* PyType_GenericAlloc is what tp_alloc is for a type that cannot be subclassed,
     * called by name: the limited API cannot read type->tp_alloc. It zero-fills, so the
     * dealloc below handles every partly built state. */
    DetectorObject *self = (DetectorObject *)PyType_GenericAlloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->lock = PyThread_allocate_lock();
    if (self->lock == NULL) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    int status = bc_detector_create(&model, &hazard, &self->handle);
    if (status != BC_OK) {
        Py_DECREF(self);
        return capi_raise_for_status(status, "Detector()");
    }
    size_t len;
    self->posterior = bc_detector_posterior(self->handle, &len);
    self->posterior_len = (Py_ssize_t)len;
    self->posterior_stride = sizeof(double);
    return (PyObject *)self;
}

/* region: detector-lifetime */
/* A Detector refers to one Python object, its type; visiting it lets the collector free
 * the cycle of heap type, module and module state (see CoreBuffer_traverse in convert.c,
 * and Modules/xxlimited.c). Weak references are not owned, so not visited. No tp_clear:
 * the reference to the type is tp_dealloc's to drop, as the isolation HOWTO says. */
static int Detector_traverse(PyObject *op, visitproc visit, void *arg) {
    Py_VISIT(Py_TYPE(op));
    return 0;
}

static void Detector_dealloc(PyObject *op) {
    DetectorObject *self = (DetectorObject *)op;
    /* First, as for every collected type: the collector must not visit an object being
     * torn down. https://docs.python.org/3/c-api/gcsupport.html */
    PyObject_GC_UnTrack(op);
    if (self->weakreflist != NULL) {
        PyObject_ClearWeakRefs(op);
    }
    /* No lock needed: a call in progress would hold a reference, so there is none.
     * No view either: each one holds a reference too. */
    bc_detector_destroy(self->handle); /* NULL (closed) is allowed */
    if (self->lock != NULL) {
        PyThread_free_lock(self->lock);
    }
    /* An instance of a heap type owns a reference to its type: drop it last.
     * https://docs.python.org/3/c-api/typeobj.html#c.PyTypeObject.tp_dealloc */
    PyTypeObject *type = Py_TYPE(op);
    PyObject_GC_Del(op); /* tp_free of a collected type, the pair of PyType_GenericAlloc */
    Py_DECREF(type);
}
/* endregion: detector-lifetime */

/* ---- methods ----------------------------------------------------------------- */

PyDoc_STRVAR(update_doc, "update($self, x, /)\n--\n\n"
                         "One observation; returns the most probable run length.");

static PyObject *Detector_update(PyObject *op, PyObject *arg) {
    DetectorObject *self = (DetectorObject *)op;
    double x;
    int64_t run_length;
    if (capi_as_double(arg, &x) < 0) {
        return NULL;
    }
    bc_detector *handle = open_handle(self, "Detector.update()");
    if (handle == NULL) {
        return NULL;
    }
    int status = bc_detector_update(handle, x, &run_length);
    detector_unlock(self);
    if (status != BC_OK) {
        return capi_raise_for_status(status, "Detector.update(): x must be finite");
    }
    return PyLong_FromLongLong(run_length);
}

PyDoc_STRVAR(update_many_doc, "update_many($self, xs, /)\n--\n\n"
                              "Many observations (1-D); the run length after each, as int64.");

/* region: update-many-check */
/* The bc_check of update_many, for Ctrl-C, called about every millisecond of work. The
 * core runs without the GIL here, so the check takes it back, runs the pending signal
 * handlers (PyErr_CheckSignals) and releases it again; if a handler raised
 * (KeyboardInterrupt), it returns -1 with the exception set, and the core stops
 * between two steps. https://docs.python.org/3/c-api/exceptions.html#c.PyErr_CheckSignals
 *
 * The GIL is taken back by re-attaching the very thread state update_many detached
 * (PyEval_RestoreThread), not with PyGILState_Ensure: no lookup of this thread's
 * state, and the right interpreter in a subinterpreter, where PyGILState would attach
 * the main interpreter's (https://docs.python.org/3/c-api/init.html#bugs-and-caveats).
 * The cost is a GIL round trip per check: nothing to speak of while no other thread
 * wants the GIL, up to a switch interval of waiting when one runs Python code. Off the
 * main thread PyErr_CheckSignals returns 0 at once: only the main thread handles
 * signals.
 *
 * The detector's lock stays held: handlers run under it, with checking_thread saying
 * so (see is_reentrant_call). */
typedef struct {
    DetectorObject *self;
    PyThreadState *saved; /* this thread's state, detached by update_many */
} signal_check;

static int check_signals(void *ctx) {
    signal_check *check = ctx;
    PyEval_RestoreThread(check->saved);
    check->self->checking_thread = PyThread_get_thread_ident();
    int raised = PyErr_CheckSignals();
    check->self->checking_thread = 0;
    PyEval_SaveThread(); /* detaches check->saved again */
    return raised;
}
/* endregion: update-many-check */

static PyObject *Detector_update_many(PyObject *op, PyObject *xs) {
    DetectorObject *self = (DetectorObject *)op;
    capi_state *st = detector_state(op);
    Py_buffer xv, rv;
    /* Closed fails first, before the array is converted; the core call below checks
     * again, as another thread may close the detector meanwhile. */
    if (self->handle == NULL) {
        return raise_closed("Detector.update_many()");
    }
    /* The lock is taken below without a non-blocking attempt first: a reentrant call
     * must be refused here, with the GIL. */
    if (is_reentrant_call(self, "Detector.update_many()")) {
        return NULL;
    }
    if (capi_get_array(st, xs, st->float64, 1, "Detector.update_many() argument xs", &xv) < 0) {
        return NULL;
    }
    PyObject *run_lengths = capi_new_array(st, 1, xv.shape, st->int64, &rv);
    if (run_lengths == NULL) {
        PyBuffer_Release(&xv);
        return NULL;
    }
    /* region: update-many-without-gil */
    /* Always without the GIL. The lock is taken after releasing it, so this thread
     * never holds the lock while waiting for the GIL, except in check_signals: safe,
     * since no thread waits for the lock while holding the GIL (detector_lock lets go
     * of it first). Both buffers stay exported, and the caller's reference keeps self
     * alive, until the GIL is back. A closed detector is only noted here: raising its
     * ValueError needs the GIL. */
    signal_check check = {.self = self, .saved = PyEval_SaveThread()};
    PyThread_acquire_lock(self->lock, WAIT_LOCK);
    int status = self->handle == NULL
                     ? DETECTOR_CLOSED
                     : bc_detector_update_many(self->handle, xv.buf, capi_doubles_in(&xv), rv.buf,
                                               check_signals, &check);
    PyThread_release_lock(self->lock);
    PyEval_RestoreThread(check.saved);
    /* endregion: update-many-without-gil */
    PyBuffer_Release(&rv);
    PyBuffer_Release(&xv);
    if (status != BC_OK) {
        /* Stopped by the check (BC_ECALLBACK), the detector keeps the steps it took
         * (its t says how many); the run lengths written so far go with the array, and
         * the signal handler's exception propagates. */
        Py_DECREF(run_lengths);
        return status == DETECTOR_CLOSED
                   ? raise_closed("Detector.update_many()")
                   : capi_raise_for_status(status,
                                           "Detector.update_many(): every x must be finite");
    }
    return run_lengths;
}

PyDoc_STRVAR(posterior_doc, "posterior($self, /)\n--\n\n"
                            "A float64 copy of the run-length posterior.");

static PyObject *Detector_posterior(PyObject *op, PyObject *Py_UNUSED(ignored)) {
    DetectorObject *self = (DetectorObject *)op;
    capi_state *st = detector_state(op);
    Py_buffer cv;
    /* The array first: numpy.empty is Python code, not to be run under the lock. */
    PyObject *copy = capi_new_array(st, 1, &self->posterior_len, st->float64, &cv);
    if (copy == NULL) {
        return NULL;
    }
    /* Copied under the lock, so never in the middle of a step. */
    if (open_handle(self, "Detector.posterior()") == NULL) {
        PyBuffer_Release(&cv);
        Py_DECREF(copy);
        return NULL;
    }
    memcpy(cv.buf, self->posterior, (size_t)cv.len);
    detector_unlock(self);
    PyBuffer_Release(&cv);
    return copy;
}

PyDoc_STRVAR(posterior_view_doc,
             "posterior_view($self, /)\n--\n\n"
             "A read-only float64 array over the detector's own posterior buffer.");

/* region: posterior-view */
static PyObject *Detector_posterior_view(PyObject *op, PyObject *Py_UNUSED(ignored)) {
    capi_state *st = detector_state(op);
    if (((DetectorObject *)op)->handle == NULL) {
        return raise_closed("Detector.posterior_view()");
    }
    /* NumPy asks for a writable buffer, is refused, and settles for a read-only one.
     * Because this type has bf_releasebuffer, NumPy (1.23 and later, numpy/numpy#21632)
     * keeps a memoryview of the detector as the array's base: it holds one export, and
     * a reference to the detector, for as long as the array or any array derived from
     * it is alive. */
    PyObject *args[] = {op, st->float64};
    return capi_call(st->numpy_frombuffer, args, 2);
}
/* endregion: posterior-view */

PyDoc_STRVAR(reset_doc, "reset($self, /)\n--\n\nBack to the prior (the posterior buffer stays "
                        "where it is).");

static PyObject *Detector_reset(PyObject *op, PyObject *Py_UNUSED(ignored)) {
    DetectorObject *self = (DetectorObject *)op;
    bc_detector *handle = open_handle(self, "Detector.reset()");
    if (handle == NULL) {
        return NULL;
    }
    bc_detector_reset(handle);
    detector_unlock(self);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(close_doc, "close($self, /)\n--\n\n"
                        "Releases the C detector; idempotent. BufferError while views live.");

static PyObject *Detector_close(PyObject *op, PyObject *Py_UNUSED(ignored)) {
    DetectorObject *self = (DetectorObject *)op;
    /* The lock makes close() wait for an update_many in flight. The export count is
     * read with both the lock and the GIL held: no view can appear meanwhile. */
    if (detector_lock(self, "Detector.close()") < 0) {
        return NULL;
    }
    Py_ssize_t exports = self->exports;
    if (exports == 0 && self->handle != NULL) {
        bc_detector_destroy(self->handle);
        self->handle = NULL;
        self->posterior = NULL;
    }
    detector_unlock(self);
    if (exports > 0) {
        PyErr_Format(PyExc_BufferError, "cannot close a Detector while %zd posterior view(s) exist",
                     exports);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *Detector_enter(PyObject *op, PyObject *Py_UNUSED(ignored)) {
    if (((DetectorObject *)op)->handle == NULL) {
        return raise_closed("Detector.__enter__()");
    }
    return Py_NewRef(op);
}

static PyObject *Detector_exit(PyObject *op, PyObject *const *Py_UNUSED(args),
                               Py_ssize_t Py_UNUSED(nargs)) {
    return Detector_close(op, NULL);
}

static PyMethodDef detector_methods[] = {
    {"update", Detector_update, METH_O, update_doc},
    {"update_many", Detector_update_many, METH_O, update_many_doc},
    {"posterior", Detector_posterior, METH_NOARGS, posterior_doc},
    {"posterior_view", Detector_posterior_view, METH_NOARGS, posterior_view_doc},
    {"reset", Detector_reset, METH_NOARGS, reset_doc},
    {"close", Detector_close, METH_NOARGS, close_doc},
    {"__enter__", Detector_enter, METH_NOARGS, "__enter__($self, /)\n--\n\nReturns self."},
    {"__exit__", CAPI_FASTCALL(Detector_exit), METH_FASTCALL,
     "__exit__($self, /, *exc_info)\n--\n\nCloses the detector."},
    {NULL, NULL, 0, NULL},
};

/* ---- properties -------------------------------------------------------------- */

static PyObject *Detector_get_t(PyObject *op, void *Py_UNUSED(closure)) {
    DetectorObject *self = (DetectorObject *)op;
    bc_detector *handle = open_handle(self, "Detector.t");
    if (handle == NULL) {
        return NULL;
    }
    uint64_t steps = bc_detector_steps(handle);
    detector_unlock(self);
    return PyLong_FromUnsignedLongLong(steps);
}

static PyObject *Detector_get_closed(PyObject *op, void *Py_UNUSED(closure)) {
    return PyBool_FromLong(((DetectorObject *)op)->handle == NULL);
}

static PyGetSetDef detector_getset[] = {
    {"t", Detector_get_t, NULL, "Steps seen since creation or the last reset().", NULL},
    {"closed", Detector_get_closed, NULL, "True once close() has released the detector.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

/* Where weak references live, so that weakref.ref(detector) works as for a Python class.
 * https://docs.python.org/3/c-api/structures.html#member-flags (__weaklistoffset__) */
static PyMemberDef detector_members[] = {
    {"__weaklistoffset__", Py_T_PYSSIZET, offsetof(DetectorObject, weakreflist), Py_READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

/* ---- the buffer protocol: exporting the posterior ------------------------------ */

/* Fills `view` for a consumer, honouring its request flags: a one-dimensional,
 * read-only array of doubles.
 * https://docs.python.org/3/c-api/typeobj.html#c.PyBufferProcs.bf_getbuffer */
/* region: getbuffer */
static int Detector_getbuffer(PyObject *op, Py_buffer *view, int flags) {
    DetectorObject *self = (DetectorObject *)op;
    view->obj = NULL; /* on failure, the protocol wants view->obj NULL */
    if (self->handle == NULL) {
        raise_closed("Detector buffer");
        return -1;
    }
    if (flags & PyBUF_WRITABLE) {
        PyErr_SetString(PyExc_BufferError, "the posterior of a Detector is read-only");
        return -1;
    }
    /* The cast drops const only formally: readonly = 1 forbids writing through it. */
    view->buf = (void *)self->posterior;
    view->obj = Py_NewRef(op); /* the consumer's reference, dropped by PyBuffer_Release */
    view->len = self->posterior_len * self->posterior_stride;
    view->readonly = 1;
    view->itemsize = sizeof(double);
    view->format = (flags & PyBUF_FORMAT) ? "d" : NULL; /* NULL means unsigned bytes */
    view->ndim = 1;
    view->shape = (flags & PyBUF_ND) ? &self->posterior_len : NULL;
    view->strides = (flags & PyBUF_STRIDES) == PyBUF_STRIDES ? &self->posterior_stride : NULL;
    view->suboffsets = NULL;
    view->internal = NULL;
    self->exports++;
    return 0;
}

/* Called once per successful getbuffer, when the consumer releases its view. */
static void Detector_releasebuffer(PyObject *op, Py_buffer *Py_UNUSED(view)) {
    ((DetectorObject *)op)->exports--;
}
/* endregion: getbuffer */

static PyType_Slot detector_slots[] = {
    {Py_tp_doc, (void *)detector_doc},
    {Py_tp_new, Detector_new},
    {Py_tp_traverse, Detector_traverse},
    {Py_tp_dealloc, Detector_dealloc},
    {Py_tp_methods, detector_methods},
    {Py_tp_getset, detector_getset},
    {Py_tp_members, detector_members},
    {Py_bf_getbuffer, Detector_getbuffer},
    {Py_bf_releasebuffer, Detector_releasebuffer},
    {0, NULL},
};

/* Collected like every heap type, immutable like a built-in type (no attribute can be
 * set on the class), and final: no Py_TPFLAGS_BASETYPE. */
PyType_Spec capi_detector_spec = {
    .name = CAPI_PACKAGE ".Detector",
    .basicsize = sizeof(DetectorObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = detector_slots,
};
