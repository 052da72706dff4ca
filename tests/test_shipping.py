"""The shipping tools' judgements, on inputs made here: what a wheel's ELF files need, and the table.

``nox -s from_scratch`` and ``nox -s wheels`` run ``tools/shipping.py`` on real projects;
these tests pin what it reads from an ELF file (on an extension module of the running
interpreter, repackaged as a wheel) and what the report's shipping section makes of a
record: the wheel count a tag implies, the build machine's RPATH, an sdist not shipped.
"""

from __future__ import annotations

import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tools"), str(ROOT / "benchmarks")]
try:
    import shipping
    from report import shipping as section
finally:
    del sys.path[:2]

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF files: Linux only")


@pytest.mark.parametrize(
    ("tag", "count"),
    [
        ("py3-none-linux_x86_64", "1: no extension module, so every CPython, free-threaded too"),
        ("cp310-abi3-linux_x86_64", "3: 1 abi3 (cp310+) + 2 free-threaded"),
        ("cp312-abi3-linux_x86_64", "5: 1 abi3 (cp312+) + 2 per version before it + 2 free-threaded"),
        ("cp313-cp313-linux_x86_64", "7: one per version, 2 of them free-threaded"),
    ],
)
def test_the_wheel_count_follows_the_tag(tag: str, count: str) -> None:
    assert section.wheel_count(tag) == count


@linux_only
def test_an_extension_module_needs_libc_and_names_its_glibc_version(tmp_path: Path) -> None:
    import _ctypes  # a compiled module of the stdlib, linked against libc like any extension

    module = Path(_ctypes.__file__)
    wheel = tmp_path / "probe-1.0-cp3-none-linux_x86_64.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.write(module, f"probe/{module.name}")
        archive.writestr("probe/__init__.py", "")
    (found,) = shipping.elf_files(wheel)
    assert found["path"] == f"probe/{module.name}"
    assert found["symbol_versions"]["GLIBC"].startswith("2.")
    assert any(name.startswith("libc.so") for name in found["needed"]), found["needed"]


def _record(**changes: object) -> dict:
    record = {
        "name": "ctypes",
        "build_system": {"backend": "scikit_build_core.build", "requires": ["scikit-build-core>=0.10"]},
        "tags": ["py3-none-linux_x86_64"],
        "size": 2608,
        "sdist_size": 1500,
        "build_seconds": 5.04,
        "rebuilt_from_sdist": True,
        "toolchain": ["a C compiler"],
        "elf": [
            {
                "path": "adder/libadd.so",
                "symbol_versions": {"GLIBC": "2.2.5"},
                "needed": ["libc.so.6"],
                "rpath": ["$ORIGIN"],
            },
            {
                "path": "adder/_more.so",
                "symbol_versions": {"GLIBC": "2.14", "GLIBCXX": "3.4.21"},
                "needed": [],
                "rpath": ["/opt/python/lib:$ORIGIN/../lib"],
            },
        ],
        "auditwheel": {"policy": "manylinux_2_17_x86_64"},
        "installed_without_compiler": True,
        "python": sysconfig.get_python_version(),
    }
    return record | changes


def test_a_row_says_what_its_record_holds() -> None:
    (row,) = section.table([_record()]).splitlines()[2:]
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[0] == "ctypes"
    assert cells[2] == "`py3-none-linux_x86_64`"
    assert cells[3].startswith("1:")
    assert cells[5] == "`manylinux_2_17_x86_64`"
    assert cells[6] == "glibc 2.14, libstdc++ 3.4.21"  # the newest of each library over every file
    assert cells[7] == "`/opt/python/lib`"  # $ORIGIN-relative entries travel with the wheel
    assert cells[8] == "nothing / a C compiler"
    assert cells[9] == "5 s"
    assert "the wheel rebuilds from it alone" in cells[10]


def test_a_wheel_not_installed_or_without_sdist_says_so() -> None:
    record = _record(rebuilt_from_sdist=False, installed_without_compiler=False)
    (row,) = section.table([record]).splitlines()[2:]
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[8] == "not checked / a C compiler"
    assert cells[10] == "none shipped"


def test_a_run_that_shipped_nothing_says_so_in_one_line(tmp_path: Path) -> None:
    text = section.section(tmp_path)
    assert len(text.splitlines()) == 1
    assert "shipped nothing" in text


def test_a_file_needing_a_newer_glibc_than_the_policy_fails() -> None:
    files = [{"path": "pkg/libcore.so", "symbol_versions": {"GLIBC": "2.29"}}]
    shipping.beyond_policy("pkg", "manylinux_2_31_x86_64", files)  # within: nothing to say
    with pytest.raises(SystemExit, match=r"pkg/libcore.so needs glibc 2.29, newer than manylinux_2_17"):
        shipping.beyond_policy("pkg", "manylinux_2_17_x86_64", files)
