"""Calls add() through the package adder, which opens libadd.so with ctypes."""

from adder import add

result = add(2**40, 2)
assert result == 2**40 + 2, result
print(f"add(2**40, 2) = {result}")
