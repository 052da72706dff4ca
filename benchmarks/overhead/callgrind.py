"""Runs measure.py under callgrind and reads back the instructions it counted.

A count is the same on every run only if the measured process does exactly the
same things before and during the loop: CPython's caches are keyed by object
addresses, so even an import compiled from source in one run and read from a
``.pyc`` in the next moves some figures by a percent or two. Hence:

- counting is on only around the measured loops (``--instr-atstart=no`` plus the
  client requests of ``toggle.c``), so start-up and imports never count;
- ``PYTHONHASHSEED=0`` fixes str and bytes hashes, hence dict and set layouts;
- ``setarch -R`` turns address-space randomisation off;
- bytecode is read only from a cache of our own (``PYTHONPYCACHEPREFIX`` in the
  work folder), which a native ``prepare`` run fills first; measured processes
  never write to it, so they all start from the same files;
- the measured script runs from a folder holding only itself and patterns.py;
- every path the measured process sees (the work folder, the patterns file, the
  helper library) is the same from run to run, and so is its environment: a
  fixed, minimal one (not even the caller's PATH), with BLAS libraries held to
  one thread.
"""

from __future__ import annotations

import functools
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import attribution
from measure import LABEL_PREFIX, NOT_BUILT

HERE = Path(__file__).resolve().parent

#: Passed through from our environment (where the package and valgrind are); all else is dropped.
_PASSED = ("PYTHONPATH", "LD_LIBRARY_PATH", "VALGRIND_LIB")
_FIXED = {
    "PATH": os.defpath,  # not the caller's: every environment string is copied into the process
    "PYTHONHASHSEED": "0",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


class MeasureError(RuntimeError):
    """valgrind or the measured interpreter failed."""


def environment(work: Path, write_bytecode: bool = False) -> dict[str, str]:
    """The environment of every measured process."""
    env = {key: os.environ[key] for key in _PASSED if key in os.environ}
    env.update(_FIXED)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    if not write_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def first_line(*command: str) -> str:
    """First line of a tool's output (its version), or "" when it does not run."""
    try:
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return ""
    return out.strip().splitlines()[0] if out.strip() else ""


def _executable(name: str) -> str:
    """The tool's full path: the measured processes get a PATH of their own."""
    path = shutil.which(name)
    if path is None:
        raise MeasureError(f"{name} is not installed (Debian/Ubuntu: apt-get install {name})")
    return path


@functools.cache
def no_aslr_prefix() -> tuple[str, ...]:
    """``setarch <arch> -R``, or () (with a warning) where that is not permitted."""
    setarch = shutil.which("setarch")
    prefix = (setarch or "setarch", platform.machine(), "-R")
    if setarch and subprocess.run([*prefix, "true"], capture_output=True).returncode == 0:
        return prefix
    print(
        "warning: `setarch -R` is not available or not permitted here; measuring with "
        "address-space randomisation on (valgrind lays memory out itself, so counts usually still repeat)",
        file=sys.stderr,
    )
    return ()


def build_toggle(work: Path) -> Path:
    """Compiles toggle.c into the work folder with the C compiler ($CC, else cc)."""
    valgrind = _executable("valgrind")
    include = Path(valgrind).resolve().parent.parent / "include"  # <prefix>/include/valgrind/callgrind.h
    library = work / "toggle.so"
    building = work / "toggle.so.tmp"
    compiler = os.environ.get("CC", "cc").split()
    command = [
        *compiler,
        "-O2",
        "-shared",
        "-fPIC",
        f"-I{include}",
        "-o",
        str(building),
        str(HERE / "toggle.c"),
    ]
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        raise MeasureError(
            f"could not compile toggle.c ({' '.join(command)}):\n{proc.stderr}\n"
            "It needs valgrind's headers: Debian and Ubuntu ship them in the valgrind package, "
            "Fedora in valgrind-devel."
        )
    building.replace(library)
    return library


def install_harness(work: Path) -> None:
    """Copies measure.py, patterns.py and loops.py, alone, into the work folder's harness/.

    The measured process lists the folder of its script (``sys.path[0]``), so
    anything else there (a ``__pycache__``, one more file) would change what it
    does before measuring, and with that the counts.
    """
    folder = work / "harness"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for source in (HERE / "measure.py", HERE.parent / "patterns.py", HERE.parent / "loops.py"):
        shutil.copyfile(source, folder / source.name)


def _measure(
    python: str, backend: str, mode: str, work: Path, patterns_file: Path | None, raw: bool = False
) -> list[str]:
    command = [python, str(work / "harness" / "measure.py"), f"--backend={backend}", f"--mode={mode}"]
    return command + ([f"--patterns={patterns_file}"] if patterns_file else []) + (["--raw"] if raw else [])


def prepare(
    python: str, backend: str, work: Path, patterns_file: Path | None = None, raw: bool = False
) -> bool:
    """Fills the bytecode cache natively; False when the backend is not built."""
    command = [*no_aslr_prefix(), *_measure(python, backend, "prepare", work, patterns_file, raw)]
    proc = subprocess.run(
        command,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=environment(work, True),
        cwd=work,
    )
    if proc.returncode not in (0, NOT_BUILT):
        raise MeasureError(f"{backend}: {' '.join(command)} failed:\n{proc.stderr}")
    return proc.returncode == 0


def read_dumps(path: Path) -> dict[str, int]:
    """label -> instructions, from a callgrind output file of combined dumps."""
    counts: dict[str, int] = {}
    label = None
    trigger = "desc: Trigger: Client Request: "
    for line in path.read_text().splitlines():
        if line.startswith(trigger):
            label = line[len(trigger) :]
        elif line.startswith("totals:") and label and label.startswith(LABEL_PREFIX):
            counts[label[len(LABEL_PREFIX) :]] = int(line.split()[1])
            label = None
    return counts


def count(
    python: str,
    backend: str,
    calls: int,
    work: Path,
    patterns_file: Path | None = None,
    raw: bool = False,
    profile: bool = False,
) -> dict[str, Any]:
    """Instructions per call of every pattern of one backend (run ``prepare`` first).

    Returns {"instructions_per_call": {pattern: float}, "raw": {pattern: [calls loop, empty loop,
    calls made]}, "call_path": {pattern: str}, "package": ..., "python": ..., "numpy": ...}, and
    with ``profile`` also "profile": {pattern: attribution.per_call(...)}. ``raw`` counts the
    technology's raw calls (``patterns.RAW_CALLS``) instead of the interface's.
    """
    which = f"{backend}.raw" if raw else backend
    out, log = work / f"callgrind.{which}.out", work / f"valgrind.{which}.log"
    # region: callgrind-command
    valgrind = [
        _executable("valgrind"),
        "--tool=callgrind",
        "--instr-atstart=no",
        "--combine-dumps=yes",
        "--dump-line=no",
        f"--callgrind-out-file={out}",
        f"--log-file={log}",
    ]
    measure = _measure(python, backend, "instructions", work, patterns_file, raw)
    command = [*no_aslr_prefix(), *valgrind, *measure, f"--calls={calls}", f"--toggle={work / 'toggle.so'}"]
    # endregion: callgrind-command
    proc = subprocess.run(
        command, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=environment(work), cwd=work
    )
    if proc.returncode != 0:
        raise MeasureError(f"{backend}: {' '.join(command)} failed:\n{proc.stderr}\n(valgrind's log: {log})")
    report = json.loads(proc.stdout)
    counts = read_dumps(out)
    result: dict[str, Any] = {"instructions_per_call": {}, "raw": {}}
    calls_made = report.pop("calls")
    for label in report.pop("labels"):
        name, which = label[len(LABEL_PREFIX) :].rsplit(":", 1)
        if which != "calls":
            continue
        loop, empty = counts[f"{name}:calls"], counts[f"{name}:empty"]
        result["instructions_per_call"][name] = round((loop - empty) / calls_made[name], 2)
        result["raw"][name] = [loop, empty, calls_made[name]]
    if profile:
        dumps = attribution.read(out, LABEL_PREFIX)
        result["profile"] = {
            name: attribution.per_call(dumps[f"{name}:calls"], dumps[f"{name}:empty"], made)
            for name, (_, _, made) in result["raw"].items()
        }
    out.unlink()  # every function's cost of every dump: large, and read already
    return {**result, **report}


def wall_clock(python: str, backend: str, work: Path, patterns_file: Path | None = None) -> dict[str, float]:
    """Nanoseconds per call of every pattern, timed natively (information only)."""
    command = [*no_aslr_prefix(), *_measure(python, backend, "time", work, patterns_file)]
    proc = subprocess.run(
        command, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=environment(work), cwd=work
    )
    if proc.returncode != 0:
        raise MeasureError(f"{backend}: {' '.join(command)} failed:\n{proc.stderr}")
    return json.loads(proc.stdout)["wall_ns_per_call"]
