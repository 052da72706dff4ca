from Cython.Build import cythonize
from setuptools import Extension, setup

# One extension module, adder, compiled from the Cython file and the C file.
setup(ext_modules=cythonize([Extension("adder", ["adder.pyx", "add.c"])]))
