"""What counts as our code in a sanitizer or valgrind stack: shared by sanitizers.py and memcheck.py.

A frame is ours when its object is the core's library or a backend's compiled module (or
any file under an installed ``bindings/`` package). Each tool also names the core's own
functions (``bc_*``) in its own frame format, so it adds that part to this pattern.
"""

OUR_OBJECTS = r"/bindings/|libbcore|_capi\.|_cffi_bcore|_cython\.|_pybind11\.|_nanobind\.|_pyo3\."
