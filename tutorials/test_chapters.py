"""The shape every chapter must keep: all exist in order, each ends with what to
remember, none holds placeholder text, every marked region is shown somewhere and
every from-scratch project has its commands."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))

import from_scratch
import includes
import links
import sync

TUTORIALS = Path(__file__).resolve().parent
CHAPTERS = (
    "00-start-here.md",
    "01-the-c-core.md",
    "02-c-api.md",
    "03-ctypes.md",
    "04-cffi.md",
    "05-cython.md",
    "06-pybind11.md",
    "07-nanobind.md",
    "08-pyo3.md",
    "09-memory-ownership.md",
    "10-errors-and-callbacks.md",
    "11-threads-and-the-gil.md",
    "12-measuring-overhead.md",
    "13-choosing-a-binding.md",
    "14-shipping.md",
    "15-debugging.md",
    "16-free-threading-subinterpreters-and-ctrl-c.md",
    "17-the-limited-api-in-practice.md",
    "18-other-approaches.md",
)
TECHNOLOGY_CHAPTERS = CHAPTERS[2:9]
#: The patterns of the C core, in the order every technology chapter walks them
#: (each is a "## " or "### " heading that starts with these words).
PATTERNS = (
    "Scalars",
    "Arrays in",
    "Arrays out",
    "A C-allocated result",
    "Strings and bytes",
    "Structs",
    "Record arrays",
    "Callbacks",
    "An opaque handle",
    "Errors",
)
PLACEHOLDERS = re.compile(r"\b(TODO|TBD|FIXME|XXX|lorem ipsum)\b|\.\.\. more|coming soon", re.IGNORECASE)


def test_the_chapters_are_exactly_these_in_order():
    assert [path.name for path in includes.chapters()] == list(CHAPTERS)


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_ends_with_three_to_five_lines_to_remember(name):
    text = (TUTORIALS / name).read_text(encoding="utf-8")
    head, _, remember = text.rpartition("\n## Remember\n")
    assert head, f"{name} has no final '## Remember' section"
    assert "\n## " not in remember, f"{name}: '## Remember' must be the last section"
    points = [line for line in remember.splitlines() if line.startswith("- ")]
    assert 3 <= len(points) <= 5, f"{name}: {len(points)} points to remember"


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_opens_with_the_command_that_runs_it(name):
    _title, command = (TUTORIALS / name).read_text(encoding="utf-8").split("\n\n")[:2]
    assert command == f"*Run this chapter's code:* `python -m nox -s chapter -- {name[:2]}`", command


#: The chapters that teach a technology or a problem end with exercises whose solutions run.
EXERCISE_CHAPTERS = CHAPTERS[2:14]


@pytest.mark.parametrize("name", EXERCISE_CHAPTERS)
def test_chapter_has_exercises_whose_solutions_the_suite_runs(name):
    text = (TUTORIALS / name).read_text(encoding="utf-8")
    _, _, rest = text.partition("\n## Exercises\n")
    assert rest, f"{name} has no '## Exercises' section"
    exercises, _, _ = rest.partition("\n## ")
    assert rest[len(exercises) :].startswith("\n## Remember"), (
        f"{name}: '## Exercises' must come right before '## Remember'"
    )
    solutions = re.findall(
        r"<summary>Solution</summary>.*?```python\n.*?```.*?</details>", exercises, re.DOTALL
    )
    assert len(solutions) >= 2, f"{name}: {len(solutions)} exercises with a python solution (Sybil runs it)"


@pytest.mark.parametrize("name", [path.name for path in includes.documents()])
def test_chapter_has_no_placeholder_text(name):
    text = (TUTORIALS / name).read_text(encoding="utf-8")
    assert not PLACEHOLDERS.search(text), PLACEHOLDERS.search(text)


def appendix_of(name: str) -> Path:
    return TUTORIALS / f"{name[:2]}a-{name[3:-3]}-in-depth.md"


#: A chapter reads in one sitting: fewer words than this, counted as `wc -w` counts them
#: (prose, code and comments). Its deep dives go to its appendix, which has no limit.
MAIN_PATH_WORDS = 4000


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_main_path_reads_in_one_sitting(name):
    words = len((TUTORIALS / name).read_text(encoding="utf-8").split())
    assert words < MAIN_PATH_WORDS, f"{name}: {words} words; move a deep dive into {appendix_of(name).name}"


@pytest.mark.parametrize("path", includes.appendices(), ids=lambda path: path.name)
def test_appendix_opens_with_the_command_that_runs_it_and_belongs_to_a_chapter(path):
    assert path in [appendix_of(name) for name in CHAPTERS], f"{path.name} is the appendix of no chapter"
    _title, command = path.read_text(encoding="utf-8").split("\n\n")[:2]
    assert command == f"*Run this appendix's code:* `python -m nox -s chapter -- {path.name[:2]}`", command


@pytest.mark.parametrize("name", [name for name in CHAPTERS if appendix_of(name).exists()])
def test_chapter_and_appendix_link_each_other(name):
    appendix = appendix_of(name)
    assert f"]({appendix.name}" in (TUTORIALS / name).read_text(encoding="utf-8"), (
        f"{name} never links {appendix.name}"
    )
    assert f"]({name}" in appendix.read_text(encoding="utf-8"), f"{appendix.name} never links back to {name}"


@pytest.mark.parametrize(
    "path",
    [*includes.documents(), TUTORIALS / "README.md", TUTORIALS.parent / "README.md"],
    ids=lambda path: str(path.relative_to(TUTORIALS.parent)),
)
def test_every_relative_link_reaches_its_file_and_heading(path):
    assert links.broken(path) == []


@pytest.mark.parametrize("name", TECHNOLOGY_CHAPTERS)
def test_technology_chapter_walks_every_pattern_in_order(name):
    headings = re.findall(r"^#{2,3} (.+)$", (TUTORIALS / name).read_text(encoding="utf-8"), re.MULTILINE)
    positions = []
    for pattern in PATTERNS:
        matches = [i for i, heading in enumerate(headings) if heading.startswith(pattern)]
        assert matches, f"{name} has no heading for the pattern {pattern!r}"
        positions.append(matches[0])
    assert positions == sorted(positions), f"{name} walks the patterns out of order"


@pytest.mark.parametrize("name", TECHNOLOGY_CHAPTERS)
def test_technology_chapter_has_from_scratch_and_pitfalls(name):
    text = (TUTORIALS / name).read_text(encoding="utf-8")
    assert re.search(r"^## From scratch", text, re.MULTILINE), f"{name}: no '## From scratch' section"
    assert re.search(r"^## Pitfalls", text, re.MULTILINE), f"{name}: no '## Pitfalls' section"
    assert "<!-- from-scratch: " in text, f"{name}: no from-scratch command block"


def fence_problems(text: str) -> list[str]:
    """Fences that do not pair: every block opens with its language and closes with a bare fence."""
    problems, inside = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            language = line[3:].strip()
            if inside == bool(language):
                problems.append(
                    f"line {number}: {'a fence with a language inside a block' if inside else 'a bare opening fence'}"
                )
            inside = not inside
    return problems + (["the last block is never closed"] if inside else [])


@pytest.mark.parametrize("name", [path.name for path in includes.documents()])
def test_every_code_block_is_closed(name):
    # An unclosed block turns the prose after it into code, and pairs every later fence wrongly:
    # a from-scratch block would run that prose as commands.
    assert fence_problems((TUTORIALS / name).read_text(encoding="utf-8")) == []


def test_an_unclosed_code_block_is_caught():
    assert fence_problems("```sh\npip install .\n\nProse.\n```c\nint x;\n```\n") == [
        "line 5: a fence with a language inside a block",
        "line 7: a bare opening fence",
        "the last block is never closed",
    ]


def test_every_marked_region_is_shown_by_some_chapter():
    unused = sorted(includes.defined_regions() - includes.used_regions())
    assert not unused, f"regions marked in the sources that no chapter includes: {unused}"


def test_every_from_scratch_project_has_its_commands_and_the_reverse():
    folders = {path.name for path in from_scratch.PROJECTS.iterdir() if path.is_dir()}
    assert folders == set(from_scratch.blocks())


def test_the_sources_list_holds_every_link_the_chapters_make():
    # SOURCES.md is generated from the chapters' links to other projects: one place to re-check them.
    assert sync.problems(TUTORIALS / "SOURCES.md") == []


def test_a_broken_link_is_caught(tmp_path):
    # The link check itself can fail: a missing heading and a missing file are reported.
    page = tmp_path / "99-probe.md"
    page.write_text("# A title: here\n\n[a](#a-title-here) [b](#gone) [c](no-such.md)\n")
    assert links.broken(page) == [
        "](#gone): no heading #gone in 99-probe.md",
        "](no-such.md): no file no-such.md",
    ]


def test_a_stale_include_is_caught(tmp_path):
    # The check itself can fail: a block that differs from its region is reported.
    chapter = tmp_path / "99-probe.md"
    chapter.write_text("<!-- include: c_core/include/bcore.h -->\n```c\nnot the header\n```\n")
    [inc] = includes.includes(chapter)
    assert "differs" in inc.problem()
    chapter.write_text("<!-- include: c_core/include/bcore.h#no-such-region -->\n```c\n```\n")
    [inc] = includes.includes(chapter)
    assert "no region" in inc.problem()
