# cython: language_level=3

# What Cython needs to know of the C function. The string is its C name;
# in this file it is called c_add, so that `add` is free for the Python function.
cdef extern from "add.h":
    long c_add "add"(long a, long b)


def add(long a, long b):
    """a + b, computed by the C function add()."""
    return c_add(a, b)
