/* The smallest complete C extension: one C function, one Python function over it. */
#define PY_SSIZE_T_CLEAN
#include <Python.h> /* first: it may set macros that change the system headers */

#include <stdint.h>

/* The C function being wrapped: no Python in it. 0 on success, -1 on overflow. */
static int add_int64(int64_t a, int64_t b, int64_t *sum) {
    if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b)) {
        return -1;
    }
    *sum = a + b;
    return 0;
}

/* add(a, b): METH_FASTCALL hands over the arguments as a C array of borrowed
 * references, plus their count; there is no tuple and no keyword. */
static PyObject *add(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "add() takes exactly 2 arguments (%zd given)", nargs);
        return NULL;
    }
    /* int or __index__; TypeError for a float, OverflowError outside long long. */
    long long a = PyLong_AsLongLong(args[0]);
    if (a == -1 && PyErr_Occurred()) {
        return NULL;
    }
    long long b = PyLong_AsLongLong(args[1]);
    if (b == -1 && PyErr_Occurred()) {
        return NULL;
    }
    int64_t sum;
    if (add_int64(a, b, &sum) < 0) {
        PyErr_SetString(PyExc_OverflowError, "add(): the sum does not fit int64");
        return NULL;
    }
    return PyLong_FromLongLong(sum); /* a new reference, handed to the caller */
}

static PyMethodDef adder_methods[] = {
    {"add", (PyCFunction)(void (*)(void))add, METH_FASTCALL, "add(a, b, /)\n--\n\na + b as int64."},
    {NULL, NULL, 0, NULL},
};

/* The module keeps no state, in C or Python, so every interpreter may import it, each
 * with its own GIL (CPython 3.12+; without the slot, CPython refuses it there). */
static PyModuleDef_Slot adder_slots[] = {
#ifdef Py_mod_multiple_interpreters
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
    {0, NULL},
};

static struct PyModuleDef adder_module = {
    .m_base = PyModuleDef_HEAD_INIT,
    .m_name = "adder",
    .m_size = 0, /* no per-module state */
    .m_methods = adder_methods,
    .m_slots = adder_slots,
};

/* Multi-phase initialisation: return the definition, let the import system build it. */
PyMODINIT_FUNC PyInit_adder(void) {
    return PyModuleDef_Init(&adder_module);
}
