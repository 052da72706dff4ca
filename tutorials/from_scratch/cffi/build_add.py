"""Generates and compiles the extension module _add (cffi's API mode, out of line)."""

from cffi import FFI

CDEF = "int64_t add(int64_t a, int64_t b);"  # what Python may call, in C syntax

ffibuilder = FFI()
ffibuilder.cdef(CDEF)
# The generated module includes add.h, then the cdef again: C rejects a
# redeclaration that disagrees with the header, even in a scalar type,
# which the include alone would let through.
ffibuilder.set_source("_add", '#include "add.h"\n' + CDEF, sources=["add.c"], include_dirs=["."])

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)  # writes _add.c, then builds _add.*.so here
