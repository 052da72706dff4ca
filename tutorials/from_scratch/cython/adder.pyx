# cython: language_level=3
# The module has no state of its own (no cdef globals), so it declares that it may be
# imported by any interpreter, each with its own GIL. Cython emits that declaration only
# with its module state turned on (CYTHON_USE_MODULE_STATE, in setup.py).
# cython: subinterpreters_compatible=own_gil

# What Cython needs to know of the C function. The string is its C name;
# in this file it is called c_add, so that `add` is free for the Python function.
cdef extern from "add.h":
    long c_add "add"(long a, long b)


def add(long a, long b):
    """a + b, computed by the C function add()."""
    return c_add(a, b)
