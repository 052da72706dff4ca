# setuptools reads the metadata from pyproject.toml. cffi's setuptools integration runs
# the builder script and compiles what it generates into the extension module _add.
from setuptools import setup

setup(
    cffi_modules=["build_add.py:ffibuilder"],
    # cffi compiles _add against the limited API (the file is _add.abi3.so); this tags the
    # wheel to match, so that one wheel serves CPython 3.10 and every later version.
    options={"bdist_wheel": {"py_limited_api": "cp310"}},
)
