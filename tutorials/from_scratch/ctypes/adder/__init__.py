"""add(a, b): the C function add() of libadd.so, the shared library in this folder."""

import ctypes
from pathlib import Path

# Opened by its path, beside this file. Installed from a wheel, the library is a file of
# the package like this one: nothing links against it, so no loader would search for it.
_lib = ctypes.CDLL(str(Path(__file__).with_name("libadd.so")))
# The prototype: without it ctypes would pass and return C ints.
_lib.add.argtypes = (ctypes.c_int64, ctypes.c_int64)
_lib.add.restype = ctypes.c_int64

add = _lib.add
