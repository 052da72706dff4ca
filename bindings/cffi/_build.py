"""Builder script of the cffi backend (API mode, out of line): writes ``_cffi_bcore.c``.

    python _build.py path/to/bcore.h path/to/_cffi_bcore.c

The cdef is derived from the core's public header at build time, so bcore.h
stays the one source of truth: when it changes, CMake reruns this script and
cffi regenerates (and the C compiler checks) every declaration. Compiling
the generated C is CMake's job (see CMakeLists.txt), not setuptools'.

The derivation is a few regular expressions, not a preprocessor: they rely on
the header's conventions (declarations are plain C, ``BC_API`` marks exports,
the only macro worth keeping is an integer constant).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import cffi

MODULE_NAME = "bindings.cffi._cffi_bcore"

# region: extern-python
# C calls back into Python through static C functions that cffi generates
# for these declarations; ``@ffi.def_extern()`` attaches each Python body at
# import time. cffi_integrand has bc_func's signature (see _integrate.py),
# cffi_allocate_int64 bc_allocator's (see find_peaks_into in _arrays.py).
EXTERN_PYTHON = """
extern "Python" int cffi_integrand(double x, void *ctx, double *y);
extern "Python" void *cffi_allocate_int64(size_t count, size_t size, void *ctx);
"""
# endregion: extern-python

_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)
# `#ifdef __cplusplus ... #endif` hold only the extern "C" { } guards.
_CPLUSPLUS_BLOCK = re.compile(
    r"^[ \t]*#[ \t]*ifdef[ \t]+__cplusplus\b.*?^[ \t]*#[ \t]*endif[^\n]*\n", re.DOTALL | re.MULTILINE
)
_INTEGER_DEFINE = re.compile(r"#[ \t]*define[ \t]+\w+[ \t]+(0[xX][0-9a-fA-F]+|\d+)[uUlL]*[ \t]*")


def cdef_from_header(header: str) -> str:
    """The declarations of bcore.h in the subset of C that ``ffi.cdef`` parses."""
    text = _COMMENT.sub(" ", header.replace("\\\n", " "))
    text = _CPLUSPLUS_BLOCK.sub("", text)
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        # Preprocessor lines go, except `#define NAME <integer>`, which cffi
        # understands (and, in API mode, checks against the real value).
        if stripped.startswith("#") and not _INTEGER_DEFINE.fullmatch(stripped):
            continue
        lines.append(stripped)
    return re.sub(r"\bBC_API\b\s*", "", "\n".join(lines))


# region: ffibuilder
def make_ffibuilder(header_path: Path) -> cffi.FFI:
    ffibuilder = cffi.FFI()
    ffibuilder.cdef(cdef_from_header(header_path.read_text(encoding="utf-8")) + EXTERN_PYTHON)
    # The include directory comes from the CMake target bcore_static.
    ffibuilder.set_source(MODULE_NAME, '#include "bcore.h"')
    return ffibuilder
    # endregion: ffibuilder


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(f"usage: {Path(__file__).name} BCORE_H OUTPUT_C", file=sys.stderr)
        return 2
    header, output = argv
    # emit_c_code leaves an up-to-date file untouched, so an unchanged result
    # does not make the build recompile the extension.
    make_ffibuilder(Path(header)).emit_c_code(output)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
