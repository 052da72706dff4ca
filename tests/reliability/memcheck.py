"""Runs part of the test suite under valgrind memcheck and judges the reports.

    python tests/reliability/memcheck.py [pytest arguments...]

Python runs with ``PYTHONMALLOC=malloc`` so memcheck sees every object, and with
``memcheck.supp`` for the interpreter's own known reports. Every process the tests
start is followed (``--trace-children``) and writes an XML report. The run fails on

- any unsuppressed error (invalid read or write, use of uninitialised memory,
  invalid free, overlapping copy...), wherever it is;
- any definite leak whose allocation stack passes through our code: the core
  (``bc_*``) or a backend's module or library.

Definite leaks entirely inside CPython and NumPy (objects the interpreter never
frees at exit) are counted and printed, not failed.
"""

from __future__ import annotations

import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from our_code import OUR_OBJECTS

HERE = Path(__file__).resolve().parent
#: An allocation or error frame that belongs to us: valgrind gives a function its bare name.
OURS = re.compile(rf"^bc_|{OUR_OBJECTS}")
DEFAULT_TESTS = ("test_functions.py", "test_errors.py", "test_ownership.py", "test_fault_injection.py")


def frames(error: ET.Element) -> list[str]:
    return [
        f"{frame.findtext('fn') or '?'} ({frame.findtext('obj') or '?'})"
        for frame in error.findall("./stack/frame")
    ]


def is_ours(stack: list[str]) -> bool:
    return any(OURS.search(part) for frame in stack for part in frame.replace("(", " ").split())


def judge(reports: list[Path]) -> int:
    failures, not_ours, processes = [], collections.Counter(), 0
    suppressed = 0
    for report in reports:
        try:
            root = ET.parse(report).getroot()
        except ET.ParseError:
            continue  # a process that exec'd another program (its report is the other one)
        processes += 1
        suppressed += sum(int(pair.findtext("count") or 0) for pair in root.findall("./suppcounts/pair"))
        for error in root.findall("error"):
            kind, stack = error.findtext("kind") or "?", frames(error)
            what = error.findtext("./xwhat/text") or error.findtext("what") or kind
            if kind.startswith("Leak_") and not is_ours(stack):
                not_ours[kind] += 1
                continue
            failures.append(f"{kind}: {what}\n    " + "\n    ".join(stack[:12]))
    print(f"[memcheck] {processes} processes checked; {suppressed} reports suppressed by memcheck.supp")
    for kind, count in sorted(not_ours.items()):
        print(f"[memcheck] {count} {kind} reports inside CPython/NumPy only (not ours; not failed)")
    if failures:
        print(f"[memcheck] {len(failures)} report(s) involve our code or are unsuppressed:")
        for failure in failures:
            print(failure)
        return 1
    print(
        "[memcheck] no invalid access, no uninitialised use, no definite leak from the core or the bindings"
    )
    return 0


def main() -> int:
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("valgrind not found: install it (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    pytest_args = sys.argv[1:] or [str(HERE.parent / name) for name in DEFAULT_TESTS]
    with tempfile.TemporaryDirectory(prefix="memcheck-") as tmp:
        # region: memcheck-command
        command = [
            valgrind,
            "--tool=memcheck",
            "--leak-check=full",
            "--show-leak-kinds=definite",
            "--errors-for-leak-kinds=definite",
            "--num-callers=40",
            "--trace-children=yes",
            f"--suppressions={HERE / 'memcheck.supp'}",
            "--xml=yes",
            f"--xml-file={tmp}/memcheck.%p.xml",
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            *pytest_args,
        ]
        env = {**os.environ, "PYTHONMALLOC": "malloc"}
        # endregion: memcheck-command
        print("[memcheck]", " ".join(command), flush=True)
        tests = subprocess.run(command, env=env)
        verdict = judge(sorted(Path(tmp).glob("memcheck.*.xml")))
    if tests.returncode != 0:
        print(f"[memcheck] the tests themselves failed under valgrind (exit {tests.returncode})")
        return 1
    return verdict


if __name__ == "__main__":
    sys.exit(main())
