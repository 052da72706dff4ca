# setuptools reads the metadata from pyproject.toml; the extension module is declared here.
from setuptools import Extension, setup

setup(ext_modules=[Extension("adder", sources=["adder.c"])])
