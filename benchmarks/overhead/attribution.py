"""Where a call's instructions go: callgrind's per-function costs, grouped by what the code does.

callgrind writes, for every labelled dump (``measure.py`` makes one per loop), the
instructions each function executed itself ("self" cost). A function's self cost in a
pattern's calls loop, minus the same in its empty loop, divided by the calls made, is
what one call spends in that function. This module reads those costs from callgrind's
output file (its format: https://valgrind.org/docs/manual/cl-format.html) and sorts the
functions into a few groups a reader can act on, by the file their code lives in and,
inside the interpreter, by name:

- ``bytecode``: the interpreter running Python code (the wrapper's own Python functions);
- ``allocation``: creating and freeing objects and memory (pymalloc, malloc, deallocators);
- ``errors``: raising, checking and clearing exceptions;
- ``interpreter``: the rest of CPython's C API (argument parsing, attribute lookup, calls,
  int and float conversion);
- ``numpy``: NumPy's C code (array conversion, creation, checks);
- ``ffi``: the foreign-function layer (``_ctypes``, ``_cffi_backend``, libffi);
- ``binding``: the backend's own compiled module (generated or hand-written glue);
- ``core``: the C library itself (every function it defines), the work every backend
  shares.

A module built without its symbol table (pybind11 and nanobind strip their modules in a
release build) shows its functions as addresses: all in ``binding``, the core's included.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

GROUPS = ("bytecode", "allocation", "errors", "interpreter", "numpy", "ffi", "binding", "core", "other")
#: Functions kept by name in a profile (the ones that spend the most per call).
TOP = 12

_ALLOCATION = re.compile(
    r"(alloc|Alloc|free|Free|_dealloc|dealloc$|_New$|_NewVar|_Del$|GC_Track|GC_UnTrack|"
    r"^_?Py_Dealloc|^tupledealloc|^_PyObject_GC_Link|^pymalloc|^_int_malloc|^_int_free|^malloc|^cfree)"
)
_ERRORS = re.compile(r"^_?PyErr_|Exception|^_PyTraceBack|^PyTraceBack")
_BYTECODE = re.compile(
    r"^_PyEval_EvalFrameDefault|^_PyEval_Vector|^_PyFunction_Vectorcall|^_PyFrame_|^_Py_Specialize"
)


#: Start-up and tear-down code every shared library has: not the core's own.
_LINKER_FUNCTIONS = frozenset(
    {"_init", "_fini", "frame_dummy", "register_tm_clones", "deregister_tm_clones", "__do_global_dtors_aux"}
)


@functools.cache
def core_functions() -> frozenset[str]:
    """Every function the C core defines, static ones included, read from its shared library.

    Each compiled backend links the core statically, so the core's functions sit inside the
    backend's module; their names (from ``nm``, when the library has its symbols) tell them
    apart from the binding's code. Without ``nm`` or symbols, the ``bc_`` prefix alone does.
    """
    tool = shutil.which("nm")
    try:
        from bindings._core import shared_library

        with shared_library() as library:
            listing = subprocess.run(
                [tool or "nm", "--defined-only", str(library)], capture_output=True, text=True, check=True
            ).stdout
    except (ImportError, OSError, subprocess.CalledProcessError):
        return frozenset()
    names = {
        line.split()[2] for line in listing.splitlines() if len(line.split()) == 3 and line.split()[1] in "tT"
    }
    return frozenset(names - _LINKER_FUNCTIONS)


def group(obj: str, function: str) -> str:
    """The group of one function, from its object file's path and its name."""
    name = Path(obj).name
    # The package's own files: the backends' compiled modules and the core's library. Every
    # compiled module links the core, so inside one the core's names tell its functions apart.
    ours = "/bindings/" in obj
    if function.startswith("bc_") or name.startswith("libbcore") or (ours and function in core_functions()):
        return "core"
    if (
        "_multiarray_umath" in name
        or "numpy" in obj
        or name.startswith("libopenblas")
        or "scipy_openblas" in name
    ):
        return "numpy"
    if name.startswith(("_ctypes", "_cffi_backend", "libffi")):
        return "ffi"
    if ours:
        return "binding"
    if name.startswith(("libpython", "python", "libc.", "libc-", "ld-linux", "libm.")):
        if _BYTECODE.search(function):
            return "bytecode"
        if _ERRORS.search(function):
            return "errors"
        if _ALLOCATION.search(function):
            return "allocation"
        return "interpreter"
    return "other"


def read(path: Path, prefix: str) -> dict[str, dict[tuple[str, str], int]]:
    """label -> {(object file, function): self instructions}, for dumps labelled ``prefix...``."""
    names: dict[str, dict[str, str]] = {"ob": {}, "fn": {}}
    dumps: dict[str, dict[tuple[str, str], int]] = {}
    current: dict[tuple[str, str], int] | None = None
    obj = function = ""
    skip_next = False
    trigger = "desc: Trigger: Client Request: "

    def name(kind: str, value: str) -> str:
        # "(12) name" defines id 12, "(12)" refers to it; without an id, the name itself.
        value = value.strip()
        if value.startswith("("):
            ident, _, rest = value.partition(")")
            ident = ident[1:]
            if rest.strip():
                names[kind][ident] = rest.strip()
            return names[kind].get(ident, rest.strip())
        return value

    with path.open() as handle:
        for line in handle:
            if skip_next:  # the inclusive cost of a call: not the caller's own
                skip_next = False
                continue
            first = line[:1]
            if first.isdigit() or first in "+-*":
                if current is not None:
                    fields = line.split()
                    if len(fields) > 1:
                        key = (obj, function)
                        current[key] = current.get(key, 0) + int(fields[1])
                continue
            if line.startswith("ob="):
                obj = name("ob", line[3:])
            elif line.startswith("fn="):
                function = name("fn", line[3:])
            elif line.startswith("cob="):
                name("ob", line[4:])
            elif line.startswith("cfn="):
                name("fn", line[4:])
            elif line.startswith("calls="):
                skip_next = True
            elif line.startswith(trigger):
                label = line[len(trigger) :].strip()
                current = dumps.setdefault(label[len(prefix) :], {}) if label.startswith(prefix) else None
            elif line.startswith("part:"):
                current = None
    return dumps


def per_call(
    calls: dict[tuple[str, str], int], empty: dict[tuple[str, str], int], made: int
) -> dict[str, object]:
    """One pattern's profile: instructions per call by group, and the costliest functions."""
    net: dict[tuple[str, str], float] = defaultdict(float)
    for key, cost in calls.items():
        net[key] += cost / made
    for key, cost in empty.items():
        net[key] -= cost / made
    groups = dict.fromkeys(GROUPS, 0.0)
    for (obj, function), cost in net.items():
        groups[group(obj, function)] += cost
    top = sorted(net.items(), key=lambda item: -item[1])[:TOP]
    return {
        "groups": {g: round(v, 1) for g, v in groups.items() if abs(v) >= 0.05},
        "functions": [
            [function, Path(obj).name, group(obj, function), round(cost, 1)]
            for (obj, function), cost in top
            if cost >= 0.5
        ],
    }
