"""Imports the compiled module _add and calls add() through its lib."""

from _add import lib

result = lib.add(2**40, 2)
assert result == 2**40 + 2, result
print(f"add(2**40, 2) = {result}")
