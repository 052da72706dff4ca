"""Where the core's shared library lives inside the installed package.

ctypes and cffi's ABI mode load ``bcore`` at run time. The build installs it
next to this file; ``importlib.resources`` finds it wherever the package is
installed (site-packages, a wheel cache, a zip-safe location extracted on use).
"""

from __future__ import annotations

import contextlib
import importlib.resources
import sys
from collections.abc import Iterator
from pathlib import Path

# The platform's file name for a shared library called "bcore", as CMake names it.
if sys.platform == "win32":
    LIBRARY_NAME = "bcore.dll"
elif sys.platform == "darwin":
    LIBRARY_NAME = "libbcore.dylib"
else:
    LIBRARY_NAME = "libbcore.so"


@contextlib.contextmanager
def shared_library() -> Iterator[Path]:
    """Yields a real file path to the core's shared library.

    FileNotFoundError, naming the path tried and how to build it, if the
    library is not installed.
    """
    resource = importlib.resources.files(__name__) / LIBRARY_NAME
    with importlib.resources.as_file(resource) as path:
        if not path.is_file():
            raise FileNotFoundError(
                f"the C core's shared library is missing: tried {path}. "
                "It is built and installed by `pip install .` from the repository root."
            )
        yield path
