from Cython.Build import cythonize
from setuptools import Extension, setup

# One extension module, adder, compiled from the Cython file and the C file. Its data lives
# in the module object rather than in C globals (Cython's module state, still marked
# experimental), which subinterpreters need.
adder = Extension("adder", ["adder.pyx", "add.c"], define_macros=[("CYTHON_USE_MODULE_STATE", "1")])
setup(ext_modules=cythonize([adder]))
