"""Runs the chapters: every Python block executes, every included or generated block is checked.

Sybil collects each ``NN-*.md`` chapter and ``NNa-*.md`` appendix as a test file. A chapter's Python blocks run
in order in one namespace, from a fresh temporary directory, against the installed
``bindings`` package. A fenced block under an ``<!-- include: ... -->`` comment is not
run (it is the project's own code, run by the rest of the suite): it is compared with
the region it shows. ``<!-- generated: ... -->`` blocks are compared with what their
generator writes from the committed benchmark report.
"""

from __future__ import annotations

import gc
import os
import shutil
import sys
import tempfile
from pathlib import Path

from sybil import Region, Sybil
from sybil.parsers.markdown import PythonCodeBlockParser

sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))

import generated
import includes


def check_include(example) -> str | None:
    return example.parsed.problem()


def check_generated(example) -> str | None:
    name, args, body = example.parsed
    try:
        want = generated.expected(name, args)
    except (KeyError, FileNotFoundError) as error:
        return str(error)
    if body != want:
        return f"generated block {name!r} is stale: run `python tutorials/tools/sync.py --write`"
    return None


def include_parser(document):
    for inc in includes.includes(Path(document.path), document.text):
        start, end = inc.span
        yield Region(start, end, inc, check_include)


def generated_parser(document):
    for match in generated.GENERATED.finditer(document.text):
        start, end = match.span("body")
        yield Region(start, end, (match["name"], match["args"], match["body"]), check_generated)


class SnippetParser(PythonCodeBlockParser):
    """The chapter's own Python blocks: every ```python block that is not an include."""

    def __call__(self, document):
        included = {match.start("fence") for match in includes.INCLUDE.finditer(document.text)}
        for region in super().__call__(document):
            if region.start not in included:
                yield region


def enter_scratch_directory(namespace: dict) -> None:
    namespace["__previous_cwd__"] = os.getcwd()
    namespace["__scratch__"] = tempfile.mkdtemp(prefix="tutorial-")
    os.chdir(namespace["__scratch__"])


def leave_scratch_directory(namespace: dict) -> None:
    os.chdir(namespace.pop("__previous_cwd__"))
    shutil.rmtree(namespace.pop("__scratch__"), ignore_errors=True)
    # Pytest keeps every document until the session ends: drop what the chapter
    # made, so its objects (detectors, views) die now, not at interpreter exit.
    namespace.clear()
    gc.collect()


pytest_collect_file = Sybil(
    parsers=[include_parser, generated_parser, SnippetParser()],
    patterns=[includes.CHAPTER, includes.APPENDIX],
    setup=enter_scratch_directory,
    teardown=leave_scratch_directory,
).pytest()
