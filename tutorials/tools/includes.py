"""Code shown in the tutorials is included from the project's own files, never pasted.

A chapter writes, on the line before a fenced code block::

    <!-- include: bindings/ctypes/_scalars.py#add -->

and the block below it must hold exactly region ``add`` of that file (the whole
file when there is no ``#region``). In a source file a region is the lines
between two marker comments, in the file's own comment syntax::

    # region: add            // region: add            /* region: add */
    ...                      ...                       ...
    # endregion: add         // endregion: add         /* endregion: add */

Regions may nest or overlap; marker lines never appear in what is shown, and
the region is dedented. ``python tutorials/tools/sync.py --write`` rewrites
every included block from its file; without ``--write`` it only checks, and
the test suite runs the same check on every block (``tutorials/conftest.py``).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TUTORIALS = ROOT / "tutorials"

#: ``<!-- include: path#region -->`` then a fenced block (``` or longer fences).
INCLUDE = re.compile(
    r"^<!-- include: (?P<path>[^#\s]+)(?:#(?P<region>[\w.-]+))? -->\n"
    r"(?P<fence>`{3,})(?P<info>[^\n`]*)\n"
    r"(?P<body>.*?)"
    r"^(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
#: A marker line: optional indentation, a comment leader, (end)region: NAME.
MARKER = re.compile(r"^\s*(?:#|//|/\*|<!--|--)\s*(?P<end>end)?region: (?P<name>[\w.-]+)\s*(?:\*/|-->)?\s*$")


class IncludeError(Exception):
    """A marker is missing, unbalanced or duplicated, or a file does not exist."""


def regions(path: Path) -> dict[str, str]:
    """Every region of a file, by name, dedented, with all marker lines dropped.

    Blank lines before an ``endregion`` are dropped too: a region that ends after a
    function puts its marker at the function's level, past the blank lines a formatter
    keeps between top-level definitions.
    """
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    open_at: dict[str, int] = {}
    spans: dict[str, tuple[int, int]] = {}
    for number, line in enumerate(lines):
        marker = MARKER.match(line)
        if not marker:
            continue
        name = marker["name"]
        where = f"{path.relative_to(ROOT)}:{number + 1}"
        if marker["end"]:
            if name not in open_at:
                raise IncludeError(f"{where}: 'endregion: {name}' without a 'region: {name}' before it")
            spans[name] = (open_at.pop(name), number)
        elif name in open_at or name in spans:
            raise IncludeError(f"{where}: region {name!r} is defined twice")
        else:
            open_at[name] = number + 1
    if open_at:
        raise IncludeError(f"{path.relative_to(ROOT)}: region(s) never closed: {', '.join(sorted(open_at))}")
    return {
        name: textwrap.dedent("".join(line for line in lines[start:stop] if not MARKER.match(line))).rstrip(
            "\n"
        )
        + "\n"
        for name, (start, stop) in spans.items()
    }


def expected_body(path: str, region: str | None) -> str:
    """What an include of ``path#region`` must show."""
    source = ROOT / path
    if not source.is_file():
        raise IncludeError(f"{path}: no such file")
    if region is None:
        return source.read_text(encoding="utf-8")
    found = regions(source)
    if region not in found:
        raise IncludeError(f"{path}: no region {region!r} (found: {', '.join(sorted(found)) or 'none'})")
    return found[region]


@dataclass
class Include:
    chapter: Path
    line: int
    path: str
    region: str | None
    body: str
    span: tuple[int, int]  # of the body in the chapter's text

    @property
    def target(self) -> str:
        return f"{self.path}#{self.region}" if self.region else self.path

    def problem(self) -> str | None:
        """None if the block shows its region exactly, else what is wrong."""
        try:
            want = expected_body(self.path, self.region)
        except IncludeError as error:
            return str(error)
        if self.body != want:
            return f"the block differs from {self.target}: run `python tutorials/tools/sync.py --write`"
        return None


def includes(chapter: Path, text: str | None = None) -> list[Include]:
    text = chapter.read_text(encoding="utf-8") if text is None else text
    return [
        Include(
            chapter,
            text.count("\n", 0, match.start()) + 1,
            match["path"],
            match["region"],
            match["body"],
            match.span("body"),
        )
        for match in INCLUDE.finditer(text)
    ]


#: A chapter is ``NN-name.md``; its appendix, the deep dives its main path leaves out, is
#: ``NNa-name-in-depth.md`` and sorts right after it.
CHAPTER = "[0-9][0-9]-*.md"
APPENDIX = "[0-9][0-9]a-*.md"


def chapters() -> list[Path]:
    return sorted(TUTORIALS.glob(CHAPTER))


def appendices() -> list[Path]:
    return sorted(TUTORIALS.glob(APPENDIX))


def documents() -> list[Path]:
    """Every chapter and appendix, in reading order: what the suite runs and checks."""
    return sorted([*chapters(), *appendices()])


def used_regions() -> set[tuple[str, str]]:
    return {(inc.path, inc.region) for document in documents() for inc in includes(document) if inc.region}


def defined_regions() -> set[tuple[str, str]]:
    """Every region marked in a tracked source folder (unused ones are an error)."""
    found = set()
    for folder in ("c_core", "bindings", "benchmarks", "tutorials", "tests"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in {
                ".c",
                ".h",
                ".cpp",
                ".hpp",
                ".py",
                ".pyx",
                ".pxd",
                ".rs",
                ".toml",
                ".txt",
                ".cfg",
                ".sh",
                ".pyi",
                ".yml",
            }:
                if "build" in path.relative_to(ROOT).parts or "target" in path.relative_to(ROOT).parts:
                    continue
                rel = str(path.relative_to(ROOT))
                found.update((rel, name) for name in regions(path))
    return found


def replace_blocks(chapter: Path, text: str, blocks: list[tuple[tuple[int, int], str]]) -> bool:
    """Writes ``text`` to the chapter with each ``((start, stop), body)`` span replaced by its body.

    The spans come from one scan of ``text``, in order. True if the chapter changed.
    """
    pieces, last = [], 0
    for (start, stop), body in blocks:
        pieces += [text[last:start], body]
        last = stop
    new = "".join(pieces) + text[last:]
    if new != text:
        chapter.write_text(new, encoding="utf-8")
    return new != text


def rewrite(chapter: Path) -> bool:
    """Rewrites every included block of a chapter from its file; True if it changed."""
    text = chapter.read_text(encoding="utf-8")
    blocks = []
    for inc in includes(chapter, text):
        try:
            blocks.append((inc.span, expected_body(inc.path, inc.region)))
        except IncludeError:
            continue  # left as it is; the check reports it
    return replace_blocks(chapter, text, blocks)
