"""Lines of binding code per backend: non-blank lines that are not only comment.

    python benchmarks/count_lines.py            # a table
    python benchmarks/count_lines.py --json     # the same as JSON

A backend's own files are those under ``bindings/<name>/`` (for ctypes and cffi, pure
Python), minus build output and caches. They fall in three classes:

- ``code``: the binding itself (.py, .pyx, .pxd, .c, .h, .cpp, .hpp, .rs; build.rs and
  cffi's _build.py included, since they are code a maintainer keeps);
- ``build``: build descriptions (CMakeLists.txt, Cargo.toml, pyproject.toml);
- ``stubs``: .pyi type stubs, which compiled backends need and pure-Python ones do not.

The report's "lines of code" is ``code``; the other two are shown beside it.
``bindings/cffi/abi.py`` is the benchmarks' ABI-mode variant, not the backend: it is
left out. Comment syntax per language: ``#`` for Python, Cython, CMake and TOML, where a
line holding only a string literal statement (a docstring) counts as comment too; ``//``
and ``/* */`` for C, C++ and Rust (string and character literals are respected).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ("capi", "ctypes", "cffi", "cython", "pybind11", "nanobind", "pyo3")

CODE_SUFFIXES = {".py": "python", ".pyx": "cython", ".pxd": "cython", ".c": "c", ".h": "c"}
CODE_SUFFIXES |= {".cpp": "c++", ".hpp": "c++", ".cc": "c++", ".cxx": "c++", ".rs": "rust"}
BUILD_FILES = {"CMakeLists.txt": "cmake", "Cargo.toml": "toml", "pyproject.toml": "toml"}
STUB_SUFFIXES = {".pyi": "python"}
SKIPPED_DIRS = {"__pycache__", "target", "build", ".pytest_cache"}
NOT_THE_BACKEND = {("cffi", "abi.py")}


def _hash_comment_lines(text: str) -> int:
    """CMake and TOML: a line is code unless it is blank or starts with #."""
    return sum(1 for line in text.splitlines() if line.strip() and not line.strip().startswith("#"))


def _python_lines(text: str) -> int:
    """Python and Cython: lines holding a token other than a comment or a docstring.

    tokenize handles Cython's extra syntax (cdef, pointers, casts) as ordinary tokens. A
    string that is a whole statement on its own (a docstring, or a string used as a
    block comment) is not code.
    """
    code_lines: set[int] = set()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return _hash_comment_lines(text)
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
    skip.add(tokenize.ENDMARKER)
    # Split into logical lines (ended by NEWLINE) to find string-only statements.
    statement: list[tokenize.TokenInfo] = []
    for token in tokens:
        if token.type in skip and token.type != tokenize.NEWLINE:
            continue
        if token.type == tokenize.NEWLINE:
            if statement and not all(t.type == tokenize.STRING for t in statement):
                for t in statement:
                    code_lines.update(range(t.start[0], t.end[0] + 1))
            statement = []
            continue
        statement.append(token)
    if statement and not all(t.type == tokenize.STRING for t in statement):
        for t in statement:
            code_lines.update(range(t.start[0], t.end[0] + 1))
    return len(code_lines)


def _c_like_lines(text: str) -> int:
    """C, C++ and Rust: lines with a character outside comments and whitespace.

    Knows // and /* */ comments and "..." and '...' literals. (A Rust lifetime such as
    'a looks like a character literal that never closes; it is closed at the line end.)
    """
    count = 0
    in_block = False
    for line in text.splitlines():
        has_code = False
        i = 0
        quote = ""
        while i < len(line):
            ch = line[i]
            nxt = line[i + 1] if i + 1 < len(line) else ""
            if in_block:
                if ch == "*" and nxt == "/":
                    in_block = False
                    i += 2
                    continue
                i += 1
                continue
            if quote:
                has_code = True
                if ch == "\\":
                    i += 2
                    continue
                if ch == quote:
                    quote = ""
                i += 1
                continue
            if ch == "/" and nxt == "/":
                break
            if ch == "/" and nxt == "*":
                in_block = True
                i += 2
                continue
            if ch in "\"'":
                quote = ch
            if not ch.isspace():
                has_code = True
            i += 1
        count += has_code
    return count


def count_file(path: Path) -> tuple[str, str, int] | None:
    """(class, language, lines) for a file of a backend, or None if it is not counted."""
    name, suffix = path.name, path.suffix
    text = path.read_text(encoding="utf-8", errors="replace")
    if name in BUILD_FILES:
        return "build", BUILD_FILES[name], _hash_comment_lines(text)
    if suffix in STUB_SUFFIXES:
        return "stubs", STUB_SUFFIXES[suffix], _python_lines(text)
    language = CODE_SUFFIXES.get(suffix)
    if language is None:
        return None
    lines = _python_lines(text) if language in ("python", "cython") else _c_like_lines(text)
    return "code", language, lines


def count_backend(name: str, root: Path = ROOT) -> dict:
    """{"code": n, "build": n, "stubs": n, "by_language": {...}, "files": {path: n}}."""
    folder = root / "bindings" / name
    result: dict = {"code": 0, "build": 0, "stubs": 0, "by_language": {}, "files": {}}
    if not folder.is_dir():
        result["missing"] = True
        return result
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or SKIPPED_DIRS.intersection(relative.parts[:-1]):
            continue
        if (name, relative.as_posix()) in NOT_THE_BACKEND:
            continue
        counted = count_file(path)
        if counted is None:
            continue
        kind, language, lines = counted
        result[kind] += lines
        if kind == "code":
            result["by_language"][language] = result["by_language"].get(language, 0) + lines
        result["files"][path.relative_to(root).as_posix()] = {"class": kind, "lines": lines}
    return result


def count_all(root: Path = ROOT) -> dict[str, dict]:
    return {name: count_backend(name, root) for name in BACKENDS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository (default: this one)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    counts = count_all(args.root)
    if args.json:
        json.dump(counts, sys.stdout, indent=2)
        print()
        return 0
    print(f"{'backend':<10} {'code':>6} {'build':>6} {'stubs':>6}  languages")
    for name, c in counts.items():
        if c.get("missing"):
            print(f"{name:<10} {'-':>6} {'-':>6} {'-':>6}  (no bindings/{name}/)")
            continue
        languages = ", ".join(f"{lang} {n}" for lang, n in sorted(c["by_language"].items()))
        print(f"{name:<10} {c['code']:>6} {c['build']:>6} {c['stubs']:>6}  {languages}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
