"""Loads libadd.so, built beside this file, and calls add() through ctypes."""

import ctypes
from pathlib import Path

lib = ctypes.CDLL(str(Path(__file__).with_name("libadd.so")))
# The prototype: without it ctypes would pass and return C ints.
lib.add.argtypes = (ctypes.c_int64, ctypes.c_int64)
lib.add.restype = ctypes.c_int64

result = lib.add(2**40, 2)
assert result == 2**40 + 2, result
print(f"add(2**40, 2) = {result}")
