"""Checks, or with ``--write`` rewrites, every included and generated block of the chapters.

``python tutorials/tools/sync.py`` exits non-zero and lists each block that is stale,
each include whose file or region is missing, and each region marked in the sources
that no chapter shows. The test suite runs the same checks block by block.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generated
import includes


def rewrite_generated(chapter: Path) -> bool:
    """Recomputes every generated block of a chapter; True if it changed."""
    text = chapter.read_text(encoding="utf-8")
    blocks = []
    for match in generated.GENERATED.finditer(text):
        try:
            blocks.append((match.span("body"), generated.expected(match["name"], match["args"])))
        except (KeyError, FileNotFoundError):
            continue  # left as it is; the check reports it
    return includes.replace_blocks(chapter, text, blocks)


def problems(chapter: Path) -> list[str]:
    found = []
    for inc in includes.includes(chapter):
        problem = inc.problem()
        if problem:
            found.append(f"line {inc.line}: {problem}")
    text = chapter.read_text(encoding="utf-8")
    for match in generated.GENERATED.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        try:
            want = generated.expected(match["name"], match["args"])
        except (KeyError, FileNotFoundError) as error:
            found.append(f"line {line}: {error}")
            continue
        if match["body"] != want:
            found.append(f"line {line}: generated block {match['name']!r} is stale")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite stale blocks")
    parser.add_argument(
        "--only",
        metavar="CHAPTER",
        action="append",
        help="these chapters only (file names, e.g. 02-c-api.md)",
    )
    options = parser.parse_args()
    failures = 0
    # The chapters and appendices, and the sources list generated from them (nothing in it runs).
    for chapter in [*includes.documents(), includes.TUTORIALS / "SOURCES.md"]:
        if options.only and chapter.name not in options.only:
            continue
        if options.write and (includes.rewrite(chapter) | rewrite_generated(chapter)):
            print(f"rewrote {chapter.relative_to(includes.ROOT)}")
        for problem in problems(chapter):
            failures += 1
            print(f"{chapter.relative_to(includes.ROOT)}: {problem}", file=sys.stderr)
    for path, region in sorted(includes.defined_regions() - includes.used_regions()):
        if options.only:
            break  # a region may be shown by a chapter left out
        failures += 1
        print(f"{path}: region {region!r} is marked but no chapter includes it", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
