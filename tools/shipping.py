"""Ships a project as a release would, then checks what was shipped; one JSON record per wheel.

For one project folder (a tutorial's from-scratch project, or this repository's package):

1. **Build** its sdist and its wheel from the folder, with ``python -m build`` (each in
   an isolated build environment, as pip would), in a fresh copy, so nothing from an
   earlier build is reused. The wheel's build time is recorded: it includes setting up
   the isolated environment, whose packages pip takes from its download cache.
2. **Rebuild the wheel from the sdist alone**, unpacked in an empty folder. A file that
   the build needs and the sdist lacks fails this step; a file that the wheel gets from
   the folder but not from the sdist shows as a difference between the two wheels.
3. **Inspect the wheel**: its tag and size, ``auditwheel show`` (the manylinux policy it
   meets, and the libraries it links that the policy does not allow), then ``auditwheel
   repair`` (the wheel PyPI would get: retagged, with such libraries copied in). auditwheel
   judges each compiled file by what it links; a library that Python code opens by path
   (ctypes) links nothing to the rest, so each ELF file's own needs are read here too:
   the newest glibc symbol version it requires, the libraries it names, its RPATH.
4. **Install it where there is no compiler**: a fresh virtual environment whose PATH holds
   its own bin folder and nothing else, pip allowed wheels only (``--only-binary :all:``),
   then the project's check run from an empty folder, so only the installed copy can be
   imported.

``python tools/shipping.py PROJECT --check check.py --record out.json`` runs it on one
folder; without a folder, on this repository's package and its PyO3 wheels (``nox -s
wheels``). ``tutorials/tools/from_scratch.py`` uses the functions.
Linux only: auditwheel reads ELF files.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import venv
import zipfile
from collections.abc import Sequence
from pathlib import Path

from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerNeedSection
from packaging.utils import parse_wheel_filename

#: Left behind by a local build in a source folder: never part of a project, nor of what
#: is shipped (tutorials/tools/from_scratch.py copies its projects with it too).
IGNORE = shutil.ignore_patterns(
    "build", "dist", "target", ".venv", ".nox", "*.egg-info", "__pycache__", "*.so", "*.o", "_add.c"
)
#: Programs that would let pip build from source; none may be on the no-compiler PATH.
COMPILERS = ("cc", "gcc", "c++", "g++", "clang", "cargo", "rustc")
SHOW_POLICY = re.compile(r'following\s+platform\s+tag:\s+"(?P<tag>[^"]+)"')
#: A symbol version a library requires: GLIBC_2.14, GLIBCXX_3.4.30, CXXABI_1.3.13, GCC_3.0.
SYMBOL_VERSION = re.compile(r"^(?P<library>[A-Z]+)_(?P<version>\d+(?:\.\d+)*)$")


def run(command: Sequence[str | Path], **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Runs a command, echoing it; CalledProcessError (with its output printed) if it fails."""
    words = [str(word) for word in command]
    print("[shipping] $", " ".join(words), flush=True)
    result = subprocess.run(words, text=True, capture_output=True, **kwargs)  # type: ignore[call-overload]
    if result.returncode:
        print(result.stdout, result.stderr, sep="\n", file=sys.stderr, flush=True)
        result.check_returncode()
    return result


# region: release-env
def release_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a build for release: ``env`` (else this one) linking as the manylinux images do.

    Debian's and Ubuntu's gcc link with ``--as-needed``, so a module that calls nothing in
    libc (cffi's _add) names no libc at all; auditwheel then cannot tell glibc from musl for
    an ``.abi3.so`` (for a full-API module it guesses from the ``-linux-gnu`` in its name)
    and stops. The manylinux images' gcc does not link that way; ``--no-as-needed`` makes
    this build name libc as a release built there would.
    """
    env = dict(os.environ if env is None else env)
    env["LDFLAGS"] = " ".join(filter(None, ["-Wl,--no-as-needed", env.get("LDFLAGS")]))
    return env


# endregion: release-env


def build(project: Path, out: Path, *, what: str, env: dict[str, str] | None = None) -> tuple[Path, float]:
    """``python -m build --<what>`` (sdist or wheel) of ``project`` into ``out``: (the file, seconds)."""
    env = release_env(env)
    out.mkdir(parents=True, exist_ok=True)
    before = set(out.iterdir())
    start = time.perf_counter()
    run([sys.executable, "-m", "build", f"--{what}", "--outdir", out, project], env=env)
    seconds = time.perf_counter() - start
    (made,) = set(out.iterdir()) - before
    return made, seconds


def unpack_sdist(sdist: Path, into: Path) -> Path:
    """Unpacks an sdist into an empty folder; the project folder inside it."""
    into.mkdir(parents=True)
    with tarfile.open(sdist) as archive:
        archive.extractall(into, filter="data")
    (folder,) = into.iterdir()
    return folder


def members(wheel: Path) -> set[str]:
    """The files in a wheel, .dist-info excepted (its RECORD lists hashes that differ by build)."""
    with zipfile.ZipFile(wheel) as archive:
        return {name for name in archive.namelist() if ".dist-info/" not in name}


def elf_files(wheel: Path) -> list[dict[str, object]]:
    """Each ELF file in the wheel: the newest symbol version it needs of each system library
    (``{"GLIBC": "2.32", "GLIBCXX": "3.4.30"}``: what ties it to a manylinux policy), the
    libraries it names (DT_NEEDED) and its RPATH or RUNPATH."""
    found = []
    with zipfile.ZipFile(wheel) as archive:
        for name in sorted(archive.namelist()):
            data = archive.read(name)
            if not data.startswith(b"\x7fELF"):
                continue
            elf = ELFFile(io.BytesIO(data))
            newest: dict[str, tuple[int, ...]] = {}
            needed, paths = [], []
            for section in elf.iter_sections():
                if isinstance(section, GNUVerNeedSection):
                    for _, auxiliaries in section.iter_versions():
                        for aux in auxiliaries:
                            if match := SYMBOL_VERSION.match(aux.name):
                                version = tuple(int(part) for part in match["version"].split("."))
                                library = match["library"]
                                newest[library] = max(newest.get(library, version), version)
                elif isinstance(section, DynamicSection):
                    for tag in section.iter_tags():
                        if tag.entry.d_tag == "DT_NEEDED":
                            needed.append(tag.needed)
                        elif tag.entry.d_tag in ("DT_RPATH", "DT_RUNPATH"):
                            paths.append(getattr(tag, "rpath", None) or tag.runpath)
            found.append(
                {
                    "path": name,
                    "size": len(data),
                    "symbol_versions": {lib: ".".join(map(str, v)) for lib, v in sorted(newest.items())},
                    "needed": needed,
                    "rpath": paths,
                }
            )
    return found


def audit(wheel: Path, out: Path) -> dict[str, object]:
    """``auditwheel show`` then ``auditwheel repair``: the policy met, and the repaired wheel."""
    shown = run(["auditwheel", "show", wheel]).stdout
    policy = SHOW_POLICY.search(shown)
    if policy is None:
        raise SystemExit(f"auditwheel show found no manylinux policy that {wheel.name} meets:\n{shown}")
    out.mkdir(parents=True, exist_ok=True)
    repaired = run(["auditwheel", "repair", "--wheel-dir", out, wheel])
    (wheel_out,) = out.glob("*.whl")
    grafted = sorted(
        name
        for name in members(wheel_out) - members(wheel)
        if ".libs/" in name  # where auditwheel copies the libraries it bundles
    )
    return {
        "policy": policy["tag"],
        "show": " ".join(shown.split()),
        "repaired": wheel_out.name,
        "repaired_size": wheel_out.stat().st_size,
        "bundled": grafted,
        "repair_log": repaired.stderr.strip().splitlines()[-1:] if repaired.stderr.strip() else [],
    }


def beyond_policy(name: str, policy: str, compiled: list[dict[str, object]]) -> None:
    """SystemExit if a compiled file needs a newer glibc than the manylinux policy auditwheel gave.

    A second opinion on every ELF file, the ones that no extension module links included
    (a ctypes library, opened by its path): auditwheel reads them too, and this keeps it so.
    """
    match = re.match(r"manylinux_(\d+)_(\d+)_", policy)
    if match is None:
        return
    allowed = (int(match[1]), int(match[2]))
    for elf in compiled:
        needed = elf["symbol_versions"].get("GLIBC")  # type: ignore[attr-defined]
        if needed and tuple(int(part) for part in needed.split(".")) > allowed:
            raise SystemExit(f"{name}: {elf['path']} needs glibc {needed}, newer than {policy} allows")


# region: no-compiler
def no_compiler_env(environment: Path) -> dict[str, str]:
    """The environment of a machine with no compiler: PATH is the venv's bin folder alone."""
    bin_folder = environment / "bin"
    present = [name for name in COMPILERS if shutil.which(name, path=str(bin_folder))]
    if present:
        raise SystemExit(f"{bin_folder} holds a compiler ({', '.join(present)}); it cannot stand for a user")
    env = {key: value for key, value in os.environ.items() if key not in ("CC", "CXX", "PYTHONPATH")}
    env.update(PATH=str(bin_folder), VIRTUAL_ENV=str(environment), PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


def install_and_check(wheels: Sequence[Path], check: Sequence[str], work: Path) -> None:
    """Installs ``wheels`` into a fresh venv with no compiler reachable, then runs ``check`` there.

    ``check`` is the command after the interpreter (``["check.py"]``, ``["-c", "..."]``); a
    file named in it is copied into an empty folder first, and run from there.
    """
    environment = work / "user-venv"
    venv.create(environment, with_pip=True)
    env = no_compiler_env(environment)
    python = environment / "bin" / "python"
    run([python, "-m", "pip", "install", "--only-binary", ":all:", *wheels], env=env)
    empty = work / "user-folder"
    empty.mkdir()
    arguments = list(check)
    if arguments and Path(arguments[0]).is_file():
        arguments[0] = shutil.copy(arguments[0], empty)
    result = run([python, *arguments], env=env, cwd=empty)
    print(result.stdout, end="", flush=True)


# endregion: no-compiler


def toolchain(*folders: Path, without: Sequence[Path] = ()) -> list[str]:
    """What a machine needs to build from these folders beyond Python, read from their files."""
    files = [
        path
        for folder in folders
        for path in folder.rglob("*")
        if "target" not in path.parts and not any(path.is_relative_to(skip) for skip in without)
    ]
    suffixes = {path.suffix for path in files}
    names = {path.name for path in files}
    needs = []
    if suffixes & {".c", ".pyx"}:
        needs.append("a C compiler")
    if suffixes & {".cpp", ".cc"}:
        needs.append("a C++ compiler")
    if "Cargo.toml" in names:
        needs.append("Rust (cargo)")
    return needs


def build_system(project: Path) -> dict[str, object]:
    """The project's ``[build-system]`` table: its backend and what it requires."""
    try:
        import tomllib
    except ModuleNotFoundError:  # CPython 3.10; build depends on tomli there
        import tomli as tomllib
    table = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    return {"backend": table["build-backend"], "requires": table["requires"]}


def ship(
    name: str,
    project: Path,
    work: Path,
    *,
    env: dict[str, str] | None = None,
    from_folder: bool = True,
    sdist: bool = True,
    copy: bool = True,
) -> dict[str, object]:
    """Steps 1-3 of the module's docstring for one project: its record (``repaired`` finds its wheel).

    ``project`` is copied first, without build leftovers (``copy=False``: it is a fresh
    copy already). ``from_folder=False`` builds the wheel from the sdist only, as ``python
    -m build`` does by default: one build instead of two, for a project whose build is long
    (that this wheel is complete shows that the sdist is). ``sdist=False`` builds the wheel
    from the folder only, for a project that ships no sdist (the record says so).
    """
    source = work / "source"
    if copy:
        shutil.copytree(project, source, ignore=IGNORE)
    else:
        source = project
    record: dict[str, object] = {"name": name, "build_system": build_system(project)}
    from_sdist = None
    # region: from-sdist
    if sdist:
        made, record["sdist_seconds"] = build(source, work / "dist", what="sdist", env=env)
        record |= {"sdist": made.name, "sdist_size": made.stat().st_size}
        unpacked = unpack_sdist(made, work / "sdist")
        from_sdist, seconds = build(unpacked, work / "from-sdist", what="wheel", env=env)
    wheel = from_sdist
    if wheel is None or from_folder:
        wheel, seconds = build(source, work / "dist", what="wheel", env=env)
    if from_sdist is not None and wheel != from_sdist:
        only_folder = sorted(members(wheel) - members(from_sdist))
        only_sdist = sorted(members(from_sdist) - members(wheel))
        if only_folder or only_sdist:
            raise SystemExit(
                f"{name}: the wheel built from the sdist differs from the one built from the folder: "
                f"only from the folder {only_folder}, only from the sdist {only_sdist}"
            )
    # endregion: from-sdist
    audited = audit(wheel, work / "wheelhouse")
    compiled = elf_files(wheel)
    beyond_policy(name, str(audited["policy"]), compiled)
    _, _, _, tags = parse_wheel_filename(wheel.name)
    record |= {
        "wheel": wheel.name,
        "tags": sorted(str(tag) for tag in tags),
        "size": wheel.stat().st_size,
        "build_seconds": round(seconds, 1),
        "rebuilt_from_sdist": sdist,
        "toolchain": toolchain(project),
        "elf": compiled,
        "auditwheel": audited,
        "python": ".".join(map(str, sys.version_info[:3])),
    }
    return record


def repaired(record: dict[str, object], work: Path) -> Path:
    """The wheel ``auditwheel repair`` wrote for a record that ``ship`` made in ``work``."""
    return work / "wheelhouse" / str(record["auditwheel"]["repaired"])  # type: ignore[index]


def ship_and_check(name: str, project: Path, check: Path, work: Path) -> dict[str, object]:
    """``ship`` one project, then run its ``check`` script where its wheel is installed (step 4)."""
    record = ship(name, project, work)
    install_and_check([repaired(record, work)], [str(check)], work)
    return record | {"installed_without_compiler": True}


#: Run where the package's wheels are installed: every build this interpreter can load loads and adds.
EVERY_BUILD = """
import bindings
assert "site-packages" in bindings.__file__, bindings.__file__
builds = bindings.builds_for()
for name in builds:
    assert bindings.load(name).add(2, 3) == 5, name
print("every build loads:", ", ".join(builds))
"""


def tracked_copy(root: Path, into: Path) -> Path:
    """The files git would ship from ``root`` (tracked, or new and not ignored), copied into ``into``."""
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root).stdout
    for name in filter(None, listed.split("\0")):
        path = root / name
        if path.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, into / name)
    return into


def ship_package(root: Path, work: Path) -> list[dict[str, object]]:
    """This repository's package as a release ships it, installed with no compiler, every build loaded.

    The root package: its sdist, and its wheel built from that sdist alone (one build of
    every backend, not two). The PyO3 backend's wheels (and its stable-ABI build's, on
    3.11+), built by maturin from the repository: no sdist, since its build script compiles
    ``c_core/``, outside the crate, which maturin's sdist would not carry.
    """
    tree = tracked_copy(root, work / "tree")
    records = [ship("bindings", tree, work / "bindings", from_folder=False, copy=False)]
    # The root build compiles everything but the crate; the crate compiles the core too (build.rs).
    records[0]["toolchain"] = toolchain(
        tree / "c_core", tree / "bindings", without=[tree / "bindings" / "pyo3"]
    )
    crates = {"bindings-pyo3": tree / "bindings" / "pyo3"}
    if sys.version_info >= (3, 11):  # bindings.ABI3_BACKENDS["pyo3"]
        crates["bindings-pyo3-abi3"] = tree / "bindings" / "pyo3" / "abi3"
    if shutil.which("cargo") is None:
        raise SystemExit("cargo not found: the PyO3 wheels cannot be built (install Rust: https://rustup.rs)")
    for name, crate in crates.items():
        # A target folder of its own: the crate's .cargo/config.toml would share one between the two.
        fresh = {**os.environ, "CARGO_TARGET_DIR": str(work / name / "target")}
        records.append(ship(name, crate, work / name, env=fresh, sdist=False, copy=False))
        records[-1]["toolchain"] = toolchain(tree / "c_core", tree / "bindings" / "pyo3")
    wheels = [repaired(record, work / str(record["name"])) for record in records]
    install_and_check(wheels, ["-c", EVERY_BUILD], work)
    for record in records:
        record["installed_without_compiler"] = True
    return records


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("project", type=Path, nargs="?", help="a project folder (default: this package)")
    parser.add_argument("--check", help="the project's script to run where its wheel is installed")
    parser.add_argument("--record", type=Path, help="write the records (JSON) here")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="shipping-") as tmp:
        if options.project is None:
            records = ship_package(Path(__file__).resolve().parents[1], Path(tmp))
        else:
            if not options.check:
                parser.error("a project needs --check SCRIPT")
            project, check = options.project.resolve(), Path(options.check).resolve()
            records = [ship_and_check(project.name, project, check, Path(tmp))]
    text = json.dumps({"projects": records}, indent=2)
    if options.record:
        options.record.parent.mkdir(parents=True, exist_ok=True)
        options.record.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
