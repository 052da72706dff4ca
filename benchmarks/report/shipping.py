"""The shipping section: each technology's wheel as a release would build it, and what it needs.

``nox -s bench`` runs ``nox -s from_scratch`` and ``nox -s wheels`` with ``--record`` into
``<run>/shipping/`` (``tools/shipping.py`` makes the records): every tutorial's from-scratch
project, and this repository's package with its PyO3 wheels, each built into an sdist and a
wheel, the wheel rebuilt from the sdist, checked with auditwheel and installed where no
compiler can be found. Every cell comes from those records; the wheel counts are computed
from each wheel's tag by the same rule as the stable-ABI section (``abi3.wheels``).
"""

from __future__ import annotations

import json
from pathlib import Path

from tabulate import tabulate

from .abi3 import FREE_THREADED_FROM, WHEEL_VERSIONS, wheels
from .formatting import DASH, fmt_bytes

#: The record files, in the order their projects appear in the table.
RECORDS = ("from_scratch.json", "package.json")
#: The system libraries whose symbol versions tie a wheel to a manylinux policy, as the table names them.
LIBRARIES = {"GLIBC": "glibc", "GLIBCXX": "libstdc++", "CXXABI": "C++ ABI", "GCC": "libgcc"}


def records(folder: Path) -> list[dict]:
    """Every project the run shipped ([] if it shipped none)."""
    found = []
    for name in RECORDS:
        path = folder / "shipping" / name
        if path.is_file():
            found += json.loads(path.read_text(encoding="utf-8"))["projects"]
    return found


def wheel_count(tag: str) -> str:
    """How many wheels cover CPython 3.10-3.14 and the free-threaded ones, for wheels tagged like ``tag``."""
    python, abi, _ = tag.split("-", 2)
    if abi == "none":
        return "1: no extension module, so every CPython, free-threaded too"
    free = sum(1 for version in WHEEL_VERSIONS if version >= FREE_THREADED_FROM)
    if abi == "abi3":
        oldest = (3, int(python.removeprefix("cp3")))
        tags = wheels(oldest)
        before = sum(1 for version in WHEEL_VERSIONS if version < oldest)
        parts = [f"1 abi3 (cp3{oldest[1]}+)"] + ([f"{before} per version before it"] if before else [])
        return f"{len(tags)}: " + " + ".join([*parts, f"{free} free-threaded"])
    return f"{len(wheels(None))}: one per version, {free} of them free-threaded"


def _versions(record: dict) -> str:
    """The newest symbol version of each system library any compiled file of the wheel needs."""
    newest: dict[str, tuple[int, ...]] = {}
    for elf in record["elf"]:
        for library, version in elf["symbol_versions"].items():
            numbers = tuple(int(part) for part in version.split("."))
            newest[library] = max(newest.get(library, numbers), numbers)
    shown = [f"{LIBRARIES.get(lib, lib)} {'.'.join(map(str, v))}" for lib, v in sorted(newest.items())]
    return ", ".join(shown) or "none"


def _rpaths(record: dict) -> str:
    """RPATHs pointing at the build machine (absolute, not ``$ORIGIN``-relative): they ship as they are."""
    absolute = sorted({path for elf in record["elf"] for entry in elf["rpath"] for path in entry.split(":")})
    absolute = [path for path in absolute if path and not path.startswith("$ORIGIN")]
    return ", ".join(f"`{path}`" for path in absolute) or DASH


def _built_by(record: dict) -> str:
    system = record["build_system"]
    return f"`{system['backend']}` ({', '.join(system['requires'])})"


def table(found: list[dict]) -> str:
    headers = [
        "project",
        "built by",
        "wheel tag",
        f"wheels for CPython 3.10{DASH}3.14 on one platform",
        "wheel size",
        "manylinux policy met (auditwheel, built here)",
        "newest symbol versions needed",
        "RPATH of the build machine",
        "user needs (wheel / sdist)",
        "build time",
        "sdist",
    ]
    rows = []
    for record in found:
        (tag, *more) = record["tags"]
        needs = ", ".join(record["toolchain"]) or "nothing"
        user = "nothing" if record.get("installed_without_compiler") else "not checked"
        sdist = (
            f"{fmt_bytes(record['sdist_size'])}; the wheel rebuilds from it alone"
            if record["rebuilt_from_sdist"]
            else "none shipped"
        )
        rows.append(
            [
                record["name"],
                _built_by(record),
                "`" + "`, `".join([tag, *more]) + "`",
                wheel_count(tag),
                fmt_bytes(record["size"]),
                f"`{record['auditwheel']['policy']}`",
                _versions(record),
                _rpaths(record),
                f"{user} / {needs}",
                f"{record['build_seconds']:.0f} s",
                sdist,
            ]
        )
    return tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True)


def section(folder: Path) -> str:
    """The report's section: where the records come from, then the table."""
    found = records(folder)
    if not found:
        return "This run shipped nothing (`shipping/`): the table needs a full `nox -s bench`."
    pythons = sorted({record["python"] for record in found})
    return "\n".join(
        [
            "Each tutorial's from-scratch project (named by its technology) and this repository's package "
            "(`bindings`, whose PyO3 backend is two wheels of its own), shipped as a release would by "
            f"`tools/shipping.py` on CPython {', '.join(pythons)}: sdist and wheel with `python -m build`, the "
            "wheel rebuilt from the sdist alone, `auditwheel show` and `repair`, then installed in a fresh "
            "environment whose PATH holds no compiler, where the project's check runs.",
            "",
            "- **user needs**: what installing needs, from the wheel (measured: nothing else was reachable) "
            "and from the sdist on a platform without a wheel (read from the sources).",
            "- **manylinux policy**: what the wheel built on this machine meets. It follows the newest "
            "symbol versions its compiled files need, so a release builds in an older manylinux image "
            "(cibuildwheel's and maturin-action's default) to reach an older policy.",
            "- **RPATH of the build machine**: a search path the linker wrote into a module; setuptools "
            "takes it from the interpreter's own link flags (pyenv's). It does no harm where the folder "
            "does not exist, and a manylinux image's interpreter adds none.",
            "- **build time**: one build of the wheel from a fresh copy, its isolated build environment "
            "included (pip takes its packages from its cache); one run, so read it as a size, not a ranking.",
            "",
            table(found),
        ]
    )
