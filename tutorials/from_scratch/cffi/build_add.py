"""Generates and compiles the extension module _add (cffi's API mode, out of line)."""

from cffi import FFI

ffibuilder = FFI()
# What Python may call, in C syntax. The C compiler checks it against add.h,
# because the generated module includes that header.
ffibuilder.cdef("int64_t add(int64_t a, int64_t b);")
ffibuilder.set_source("_add", '#include "add.h"', sources=["add.c"], include_dirs=["."])

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)  # writes _add.c, then builds _add.*.so here
