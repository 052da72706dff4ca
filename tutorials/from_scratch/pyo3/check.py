"""Imports the module that pip built from this folder and checks its one function."""

import scratch

assert scratch.add(2, 3) == 5
print("scratch.add(2, 3) =", scratch.add(2, 3))
