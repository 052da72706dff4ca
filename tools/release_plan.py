"""Checks that ``[tool.cibuildwheel]`` in pyproject.toml selects exactly the wheels we mean to ship.

For every runner of the release workflow (.github/workflows/wheels.yml), that is every
platform and architecture in ``PLAN`` below, it asks cibuildwheel which wheels it would
build (``python -m cibuildwheel --print-build-identifiers --platform P --archs A``, run
from the repository root so that it reads pyproject.toml) and compares the answer with
the plan: CPython ``VERSIONS`` times the platform tags of that runner. A last run per
platform, without ``--archs``, checks the ``archs`` setting on this machine. It prints
the identifiers; it exits 1, printing the difference, if any run differs from the plan or
fails, and 2 if it cannot run at all.

Needs cibuildwheel, and so CPython 3.11 or newer: cibuildwheel 4 does not run on 3.10.
``nox -s wheels`` installs it (the ``release`` extra of pyproject.toml) and runs this. No network:
cibuildwheel answers from its own tables, for macOS and Windows too. ``CIBW_*`` variables
are removed from its environment, since they would override the file being checked.

    python tools/release_plan.py
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The CPython versions every platform gets a wheel for (no PyPy, no free-threaded builds:
#: pyproject.toml says why).
VERSIONS = ("3.10", "3.11", "3.12", "3.13", "3.14")

#: (cibuildwheel platform, architecture) of each runner -> the platform tags built there.
PLAN = {
    ("linux", "x86_64"): ("manylinux_x86_64", "musllinux_x86_64"),
    ("linux", "aarch64"): ("manylinux_aarch64", "musllinux_aarch64"),
    ("macos", "x86_64"): ("macosx_x86_64",),
    ("macos", "arm64"): ("macosx_arm64",),
    ("windows", "AMD64"): ("win_amd64",),
}

#: What cibuildwheel calls this machine's architecture on each platform, for the run
#: without --archs (archs = "native" builds for the machine cibuildwheel runs on).
NATIVE = {
    "x86_64": {"linux": "x86_64", "macos": "x86_64", "windows": "AMD64"},
    "arm64": {"linux": "aarch64", "macos": "arm64", "windows": "ARM64"},
}
MACHINES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}


def planned(platform_name: str, arch: str) -> set[str]:
    tags = PLAN[(platform_name, arch)]
    return {f"cp{version.replace('.', '')}-{tag}" for version in VERSIONS for tag in tags}


def identifiers(platform_name: str, arch: str | None) -> tuple[set[str], str]:
    """The identifiers cibuildwheel selects, and its error output if it failed."""
    command = [sys.executable, "-m", "cibuildwheel", "--print-build-identifiers", "--platform", platform_name]
    if arch:
        command += ["--archs", arch]
    env = {key: value for key, value in os.environ.items() if not key.startswith("CIBW_")}
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if run.returncode != 0:
        return set(), f"`{' '.join(command[1:])}` exited with {run.returncode}:\n{run.stderr.strip()}"
    return set(run.stdout.split()), ""


def check(label: str, platform_name: str, arch: str | None, expected: set[str]) -> bool:
    """Prints what cibuildwheel selects; False, printing the difference, unless it is `expected`."""
    found, error = identifiers(platform_name, arch)
    if error:
        print(f"FAIL {label}: {error}")
        return False
    print(f"{label}: {' '.join(sorted(found, key=order))}")
    for word, names in (("missing", expected - found), ("not planned", found - expected)):
        if names:
            print(f"FAIL {label}: {word}: {' '.join(sorted(names, key=order))}")
    return found == expected


def order(identifier: str) -> tuple[str, int]:
    """By platform tag, then by Python version as a number (cp39 before cp310)."""
    python, _, tag = identifier.partition("-")
    return tag, int("".join(itertools.takewhile(str.isdigit, python[2:])) or 0)


def native_arch(platform_name: str) -> str:
    machine = MACHINES.get(platform.machine().lower(), "")
    return NATIVE.get(machine, {}).get(platform_name, platform.machine())


def main() -> int:
    if sys.version_info < (3, 11):
        print(f"release_plan.py needs CPython 3.11+ (cibuildwheel 4 does), not {platform.python_version()}")
        return 2
    if importlib.util.find_spec("cibuildwheel") is None:
        print("release_plan.py needs cibuildwheel: `nox -s wheels` installs it")
        return 2
    ok = True
    for platform_name, arch in PLAN:
        ok &= check(f"{platform_name} {arch}", platform_name, arch, planned(platform_name, arch))
    for platform_name in dict.fromkeys(name for name, _ in PLAN):
        arch = native_arch(platform_name)
        label = f"{platform_name} native ({arch})"
        if (platform_name, arch) in PLAN:
            ok &= check(label, platform_name, None, planned(platform_name, arch))
        else:
            print(f"{label}: not a runner of the plan, so the archs setting is not checked here")
    total = sum(len(planned(*runner)) for runner in PLAN)
    print(f"OK: the {total} planned wheels" if ok else "FAIL: the settings do not select the planned wheels")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
