"""Runs the test suite against a build made with AddressSanitizer and UBSan, and judges the reports.

    python tests/reliability/sanitizers.py [pytest arguments...]

The package must have been built with ``-Ccmake.define.BINDINGS_SANITIZE=address,undefined``
(``nox -s sanitize`` does it). CPython is not instrumented, so the sanitizer runtime
of the compiler that built the package is preloaded into it; ``PYTHONMALLOC=malloc``
puts every Python object on the instrumented heap too. The run fails on

- any AddressSanitizer error (out-of-bounds access, use after free, double free...)
  or undefined behaviour: the build makes both abort at once, so the test that
  triggers one fails and the report is in the log;
- any leak whose allocation stack passes through our code: the core (``bc_*``) or a
  backend's module or library (LeakSanitizer runs at the exit of every process).

Leaks entirely inside CPython and NumPy (what the interpreter never frees at exit)
are counted and printed, not failed.
"""

from __future__ import annotations

import collections
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from our_code import OUR_OBJECTS

HERE = Path(__file__).resolve().parent
#: A frame of ours: ASan prints a function as "in NAME".
OURS = re.compile(rf" in bc_\w+|{OUR_OBJECTS}")
REPORT = re.compile(
    r"^(Direct|Indirect) leak of .*?(?=^(?:Direct|Indirect) leak|^SUMMARY|\Z)", re.MULTILINE | re.DOTALL
)


def _library(compiler: str, name: str) -> str | None:
    found = subprocess.run([compiler, f"-print-file-name={name}"], capture_output=True, text=True)
    path = found.stdout.strip()
    return os.path.realpath(path) if os.path.isabs(path) and os.path.exists(path) else None


def preload() -> str:
    """The sanitizer runtimes of the compiler the build used (gcc: libasan, libubsan), then libstdc++.

    The C++ runtime is preloaded too: ASan intercepts ``__cxa_throw`` only if it finds
    the real one when it starts, and the python executable does not link libstdc++;
    without it the first C++ exception (pybind11, nanobind) aborts the process.
    """
    compiler = os.environ.get("CC", "cc")
    runtime = _library(compiler, "libasan.so") or _library(compiler, "libclang_rt.asan-x86_64.so")
    if runtime is None:
        raise SystemExit(f"no AddressSanitizer runtime found for {compiler}")
    # UBSan's runtime too: the cc crate's objects in the PyO3 module call into it, and
    # rustc does not link it in as gcc does for the other modules.
    ubsan = _library(compiler, "libubsan.so")
    cxx = _library(os.environ.get("CXX", "c++"), "libstdc++.so")
    return " ".join(path for path in (runtime, ubsan, cxx) if path)


def judge(logs: list[Path]) -> int:
    ours, not_ours, errors = [], collections.Counter(), []
    for log in logs:
        text = log.read_text(errors="replace")
        for report in REPORT.finditer(text):
            if OURS.search(report.group(0)):
                ours.append(report.group(0))
            else:
                not_ours[report.group(1)] += 1
        body = REPORT.sub("", text)
        if re.search(
            r"ERROR: AddressSanitizer|AddressSanitizer: CHECK failed|Sanitizer: DEADLYSIGNAL|runtime error:",
            body,
        ):
            errors.append(f"{log.name}:\n{body[:4000]}")
    print(f"[sanitize] {len(logs)} sanitizer log(s) read")
    for kind, count in sorted(not_ours.items()):
        print(
            f"[sanitize] {count} {kind.lower()} leak reports inside CPython/NumPy only (not ours; not failed)"
        )
    for report in ours:
        print(f"[sanitize] a leak through our code:\n{report}")
    for error in errors:
        print(f"[sanitize] an error report:\n{error}")
    if ours or errors:
        return 1
    print("[sanitize] no AddressSanitizer or UBSan report, no leak from the core or the bindings")
    return 0


def main() -> int:
    runtime = preload()
    with tempfile.TemporaryDirectory(prefix="sanitize-") as tmp:
        # region: sanitizer-environment
        env = {
            **os.environ,
            "LD_PRELOAD": runtime,
            "PYTHONMALLOC": "malloc",
            # Huge requests (repeat("x", 2**62)) must fail as in production, not abort.
            "ASAN_OPTIONS": f"detect_leaks=1:allocator_may_return_null=1:log_path={tmp}/asan",
            "LSAN_OPTIONS": "exitcode=0",  # leaks are judged below, not by the exit status
            "UBSAN_OPTIONS": f"print_stacktrace=1:halt_on_error=1:log_path={tmp}/ubsan",
            # Compilers are not preloaded into: test_c_core builds its own sanitized smoke test.
        }
        # endregion: sanitizer-environment
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *sys.argv[1:]]
        print(f"[sanitize] LD_PRELOAD={runtime}", " ".join(command), flush=True)
        tests = subprocess.run(command, env=env)
        verdict = judge(sorted(Path(tmp).glob("*san.*")))
    if tests.returncode != 0:
        print(f"[sanitize] the tests failed under the sanitizers (exit {tests.returncode})")
        return 1
    return verdict


if __name__ == "__main__":
    sys.exit(main())
