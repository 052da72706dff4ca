"""Writes the type stubs of the compiled backend modules from ``bindings/_interface.py``.

    python tools/stubs.py            # rewrites every stub
    python tools/stubs.py --check    # exit 1, naming each stub that differs

A stub is the interface's signatures, read from its Protocols with ``inspect``
(annotations as written, the interface's own aliases spelled out) with the
first sentence of each docstring, plus what ``TRAITS`` says that backend's
runtime does differently. tests/test_stubs.py checks ``TRAITS`` against each
built module and the stubs against the runtime with ``mypy.stubtest``.

Written here rather than by a stub generator: ``mypy.stubgen`` sees an
extension module only through ``__text_signature__`` and docstrings, so every
annotation would come out ``Any``; ``nanobind.stubgen`` and ``pybind11-stubgen``
each read one technology's own signatures, not the interface they implement.

``bindings/cffi/_cffi_bcore.pyi`` is not written here: it types cffi's ``ffi``
and ``lib`` (the cdef's C functions), not the interface; the test checks it
against the runtime ``lib``.
"""

from __future__ import annotations
import __future__

import argparse
import ast
import importlib.util
import inspect
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
INTERFACE = ROOT / "bindings" / "_interface.py"
WIDTH = 110  # ruff's line-length


@dataclass(frozen=True)
class Traits:
    """What a compiled module does differently from the others, as its runtime shows it."""

    module: str  # the compiled module, bindings/<backend>/<module>
    constructor: str  # "__init__", or "__new__" when the type has no __init__ of its own
    final: frozenset[str] = frozenset()  # classes without Py_TPFLAGS_BASETYPE: subclassing raises TypeError
    disjoint_base: frozenset[str] = frozenset()  # classes with a C layout of their own (PEP 800)
    struct_sequence: bool = False  # Stats is a struct sequence (a named tuple written in C), else a class
    buffer: bool = False  # Detector exports the buffer protocol (``__buffer__`` in Python >= 3.12)
    dunder_all: bool = False  # the module defines __all__


BOTH = frozenset({"Detector", "Stats"})
TRAITS = {
    "capi": Traits("_capi", "__new__", final=BOTH, struct_sequence=True, buffer=True),
    "cython": Traits("_cython", "__init__", final=BOTH, buffer=True),
    "pybind11": Traits("_pybind11", "__init__", final=frozenset({"Stats"})),
    "nanobind": Traits("_nanobind", "__init__", disjoint_base=BOTH),
    "pyo3": Traits("_pyo3", "__new__", final=BOTH, dunder_all=True),
}

# Names the generator writes itself, beside those the interface imports: name -> (module, imported name).
EXTRA_IMPORTS = {
    "final": ("typing", "final"),
    "Final": ("typing", "Final"),
    "Self": ("typing_extensions", "Self"),
    "disjoint_base": ("typing_extensions", "disjoint_base"),
    "structseq": ("_typeshed", "structseq"),
    "sys": ("sys", None),
}


def isort_order(name: str) -> tuple[bool, bool, str]:
    """Ruff's order of imported names and of ``__all__``: constants, then classes, then the rest."""
    return (not name.isupper(), not name[0].isupper(), name)


def stub_path(backend: str) -> Path:
    return ROOT / "bindings" / backend / f"{TRAITS[backend].module}.pyi"


def load_interface():
    """``bindings/_interface.py`` of this tree (not an installed copy), under a name of its own."""
    spec = importlib.util.spec_from_file_location("_stubs_interface", INTERFACE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def summary(obj) -> str:
    """The first sentence of a docstring, or "" without one."""
    paragraph = inspect.cleandoc(obj.__doc__ or "").split("\n\n")[0]
    return re.split(r"(?<=[.!?])\s+", " ".join(paragraph.split()))[0]


def constructor_signature(interface: ModuleType) -> inspect.Signature:
    """``Detector.__init__``'s signature as the interface writes it.

    On CPython 3.10, ``typing.Protocol`` replaces a protocol's ``__init__`` with its own
    (https://github.com/python/cpython/issues/88970, fixed in 3.11), so there the method
    is compiled again from the interface's source, its annotations kept as text.
    """
    init = vars(interface.Detector)["__init__"]
    if init.__qualname__ == "Detector.__init__":
        return inspect.signature(init)
    tree = ast.parse(INTERFACE.read_text(encoding="utf-8"))
    (node,) = (
        member
        for cls in tree.body
        if isinstance(cls, ast.ClassDef) and cls.name == "Detector"
        for member in cls.body
        if isinstance(member, ast.FunctionDef) and member.name == "__init__"
    )
    flags = __future__.annotations.compiler_flag
    code = compile(
        ast.Module(body=[node], type_ignores=[]), str(INTERFACE), "exec", flags=flags, dont_inherit=True
    )
    namespace = dict(vars(interface))
    exec(code, namespace)
    return inspect.signature(namespace["__init__"])


class Writer:
    """Renders the interface's annotations and signatures, and records the names they import."""

    def __init__(self) -> None:
        tree = ast.parse(INTERFACE.read_text(encoding="utf-8"))
        self.aliases, self.imports = {}, {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                self.aliases[node.targets[0].id] = ast.unparse(node.value)
            elif isinstance(node, ast.ImportFrom):
                self.imports.update({a.asname or a.name: (node.module, a.name) for a in node.names})
            elif isinstance(node, ast.Import):
                self.imports.update({a.asname or a.name: (a.name, None) for a in node.names})
        self.imports.update(EXTRA_IMPORTS)
        self.used: set[str] = set()

    def name(self, text: str) -> str:
        """Text that uses names, recording those to import."""
        self.used.update(re.findall(r"(?<![\w.])[A-Za-z_]\w*", text))
        return text

    def annotation(self, text: str) -> str:
        words = "|".join(map(re.escape, self.aliases))
        return self.name(re.sub(rf"\b({words})\b", lambda m: self.aliases[m[1]], text))

    def params(self, signature: inspect.Signature, first: str | None) -> list[str]:
        """Each parameter as written in a def, with the "/" and "*" markers."""
        out, previous = [first] if first else [], None
        for p in list(signature.parameters.values())[1:]:  # without self
            if previous == p.POSITIONAL_ONLY and p.kind != previous:
                out.append("/")
            if p.kind == p.KEYWORD_ONLY and previous not in (p.KEYWORD_ONLY, p.VAR_POSITIONAL):
                out.append("*")
            star = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "")
            text = f"{star}{p.name}: {self.annotation(p.annotation)}"
            out.append(text if p.default is p.empty else f"{text} = {p.default!r}")
            previous = p.kind
        return [*out, "/"] if previous == inspect.Parameter.POSITIONAL_ONLY else out

    def define(self, indent: str, name: str, params: list[str], returns: str, doc: str = "") -> list[str]:
        """A def as ruff formats it: on one line, or its parameters on one, or one per line."""
        head, tail = f"{indent}def {name}(", f") -> {self.annotation(returns)}:" + ("" if doc else " ...")
        inner = indent + "    "
        if len(head + ", ".join(params) + tail) <= WIDTH:
            lines = [head + ", ".join(params) + tail]
        elif len(inner + ", ".join(params)) <= WIDTH:
            lines = [head, inner + ", ".join(params), indent + tail]
        else:
            lines = [head, *(f"{inner}{p}," for p in params), indent + tail]
        return lines + self.docstring(inner, doc)

    def function(self, indent: str, name: str, function, first: str | None = "self") -> list[str]:
        signature = inspect.signature(function)
        params = self.params(signature, first)
        return self.define(indent, name, params, signature.return_annotation, summary(function))

    @staticmethod
    def docstring(indent: str, text: str) -> list[str]:
        if not text:
            return []
        lines = textwrap.wrap(text, WIDTH - len(indent) - 6, break_on_hyphens=False)
        lines[0] = f'"""{lines[0]}'
        lines[-1] += '"""'
        return [indent + line for line in lines]

    def header(self, module: str) -> list[str]:
        """The module docstring and the imports, sorted as ruff's isort sorts them."""
        sections: dict[bool, dict[str, set[str]]] = {True: {}, False: {}}  # stdlib or not
        for name in sorted(self.used & self.imports.keys()):
            source, imported = self.imports[name]
            top = source.split(".")[0]
            key = f"{source} as {name}" if imported is None and name != source else source
            names = sections[top in sys.stdlib_module_names].setdefault(key, set())
            if imported is not None:
                names.add(name)
        lines = [
            f'"""Types of the compiled module ``{module}`` (written by tools/stubs.py: do not edit).',
            "",
            "Signatures and behaviour: ``bindings._interface``.",
            '"""',
        ]
        for section in (sections[True], sections[False]):
            plain = sorted(f"import {key}" for key, names in section.items() if not names)
            froms = sorted(
                f"from {key} import {', '.join(sorted(names, key=isort_order))}"
                for key, names in section.items()
                if names
            )
            lines += ["", *plain, *froms] if plain or froms else []
        return lines


def generate(backend: str, interface=None) -> str:
    """The text of one backend's stub."""
    interface = interface or load_interface()
    traits, w = TRAITS[backend], Writer()
    body: list[str] = []

    def decorate(cls: str, line: str) -> list[str]:
        names = [name for name in ("final", "disjoint_base") if cls in getattr(traits, name)]
        return [w.name(f"@{name}") for name in names] + [line]

    # Stats: the fields of the interface's protocol.
    fields = {
        f: inspect.signature(getattr(interface.Stats, f).fget).return_annotation
        for f in interface.STATS_FIELDS
    }
    if traits.struct_sequence:
        base = w.name(f"(structseq[float], tuple[{', '.join(fields.values())}])")
        body += decorate("Stats", f"class Stats{base}:")
        body += w.docstring(
            "    ", "What ``describe`` returns: a struct sequence (a named tuple written in C)."
        )
        names = ", ".join(f'"{field}"' for field in fields)
        body += ["", f"    __match_args__: {w.name('Final')} = ({names})"]
    else:
        body += decorate("Stats", "class Stats:")
        body += [*w.docstring("    ", "What ``describe`` returns: read-only attributes."), ""]
    for field, annotation in fields.items():
        body += ["    @property", f"    def {field}(self) -> {w.annotation(annotation)}: ..."]

    # Detector: the constructor as the runtime has it, then the protocol's members in order.
    body += [
        "",
        *decorate("Detector", "class Detector:"),
        *w.docstring("    ", summary(interface.Detector)),
        "",
    ]
    init = constructor_signature(interface)
    if traits.constructor == "__new__":
        body += w.define("    ", "__new__", w.params(init, "cls"), w.name("Self"))
    else:
        body += w.define("    ", "__init__", w.params(init, "self"), "None")
    for member in interface.DETECTOR_MEMBERS:
        value = vars(interface.Detector)[member]
        if isinstance(value, property):
            body += ["    @property", *w.function("    ", member, value.fget, "self")]
        else:
            body += w.function("    ", member, value, "self")
    if traits.buffer:
        body += [
            f"    if {w.name('sys')}.version_info >= (3, 12):",
            "        def __buffer__(self, flags: int, /) -> memoryview: ...",
            "        def __release_buffer__(self, buffer: memoryview, /) -> None: ...",
        ]

    # The functions, in FUNCTION_NAMES order.
    body.append("")
    if traits.dunder_all:
        names = sorted(["Detector", "Stats", *interface.FUNCTION_NAMES], key=isort_order)
        body += ["__all__ = [", *(f'    "{name}",' for name in names), "]", ""]
    for name in interface.FUNCTION_NAMES:
        lines = w.function("", name, getattr(interface.Backend, name), None)
        body += [*lines, ""] if lines[-1].endswith('"""') else lines  # as ruff formats a def with a body
    header = w.header(f"bindings.{backend}.{traits.module}")
    return "\n".join([*header, "", *body]).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a stub differs")
    args = parser.parse_args(argv)
    interface, stale = load_interface(), []
    for backend in TRAITS:
        path, text = stub_path(backend), generate(backend, interface)
        if (path.read_text(encoding="utf-8") if path.exists() else None) != text:
            stale.append(path.relative_to(ROOT))
            if not args.check:
                path.write_text(text, encoding="utf-8")
    for path in stale:
        print(f"{path}: {'differs from what tools/stubs.py writes' if args.check else 'rewritten'}")
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
