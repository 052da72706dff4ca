"""Relative links between the documents, checked: the file exists and so does the heading.

Splitting a chapter into a main path and an appendix moves headings between files; a
link to a moved heading would still render, and lead nowhere. GitHub names a heading's
anchor by lower-casing its text, dropping punctuation but hyphens and underscores, and
turning each space into a hyphen; a repeated heading gets ``-1``, ``-2``...
"""

from __future__ import annotations

import re
from pathlib import Path

LINK = re.compile(r"\]\((?P<target>[^)\s:]*?)(?:#(?P<anchor>[^)\s]+))?\)")
HEADING = re.compile(r"^#{1,6} (.+?)\s*#*$", re.MULTILINE)
FENCE = re.compile(r"^```.*?^```$", re.MULTILINE | re.DOTALL)


def _markdown(path: Path) -> str:
    return FENCE.sub("", path.read_text(encoding="utf-8"))


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    for heading in HEADING.findall(_markdown(path)):
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading: its text
        slug = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
        candidate, n = slug, 0
        while candidate in found:
            n += 1
            candidate = f"{slug}-{n}"
        found.add(candidate)
    return found


def broken(path: Path) -> list[str]:
    """The relative links of ``path`` whose file or heading does not exist."""
    problems, headings = [], {}  # headings: target -> its anchors, read once per target
    for match in LINK.finditer(_markdown(path)):
        target = (path.parent / match["target"]).resolve() if match["target"] else path
        if not target.exists():
            problems.append(f"{match.group(0)}: no file {match['target']}")
        elif match["anchor"] and target.suffix == ".md":
            if target not in headings:
                headings[target] = anchors(target)
            if match["anchor"] not in headings[target]:
                problems.append(f"{match.group(0)}: no heading #{match['anchor']} in {target.name}")
    return problems
