"""Runs the whole benchmark suite into one run folder and writes its report.

    python benchmarks/run.py [--quick | --smoke] [--out FOLDER] [--readme README.md] [-- PYTEST ARGS]
    python benchmarks/run.py [--quick | --smoke] --version-of FOLDER   # a further interpreter's part

``nox -s bench`` calls this after installing the package; it can also be run directly
in any environment where the package (and the ``bench`` extra) is installed, from a
folder outside the source tree so that ``import bindings`` finds the built package.

Stages, each announced with its elapsed time:

1. ``machine.json``: the machine, compilers and versions (``machine.py``);
2. the call benchmarks (``bench_overhead.py``, ``bench_variants.py``) in several
   independent worker processes, as pyperf runs workers: a ratio's interval comes from
   the spread between processes, not only between rounds of one;
3. the size, ownership and thread benchmarks (``bench_sweeps.py``, ``bench_ownership.py``,
   ``bench_threads.py``), in fewer workers (one in ``--quick``); 2 and 3 together ->
   ``benchmarks.json.gz``, the raw pytest-benchmark JSON of every worker (each figure
   records its worker);
4. ``instructions/``: every call pattern counted under callgrind by the overhead check's
   own machinery (``overhead/run.py``), with the raw calls of ctypes and cffi and a profile
   of where each call's instructions go, when valgrind is installed;
5. ``static.json``: build time, artefact size, import time, memory, lines (``static.py``);
6. ``report.md`` and the plots (``report/``), which check the data first.

Modes: full (the report: every size, thirty workers, build times), ``--quick`` (fewer
sizes, rounds and workers, no build times: a few minutes) and ``--smoke`` (a handful of
rounds on tiny inputs: the test suite's check that nothing is broken; its numbers mean
nothing). The folder is ``benchmarks/results/<UTC time>-<host>[-quick|-smoke]`` unless
``--out`` says otherwise. ``--readme`` rewrites README.md's results section, in full
mode only.

The call patterns (``bench_overhead.py``) and the instruction counts cover every build
that imports, the stable-ABI builds (``capi-abi3``...) included; everything else the
backends only (``builds.py``).

``--version-of RUN`` measures this interpreter's part of a run over several interpreters
(``nox -s bench -- --pythons ...``), into ``RUN/versions/<X.Y>/``: the headline call
patterns with their A/A repeat and the floors, in the mode's ``version_workers`` workers,
and every pattern's instruction count; no sizes, static figures or report (the run's
primary interpreter writes the report, over every version, once the others are in).
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import builds
import machine
import report
import runs
import static
from helpers import MODES

import bindings

HERE = Path(__file__).resolve().parent

#: pytest-benchmark's own calibration, for the benchmarks that time through its loop
#: (``bench_harness``); every other benchmark sets its rounds itself (``helpers.measure``).
HARNESS_OPTIONS = {
    "full": [
        "--benchmark-max-time=0.2",
        "--benchmark-min-rounds=15",
        "--benchmark-min-time=0.0002",
        "--benchmark-warmup=on",
        "--benchmark-warmup-iterations=5000",
    ],
    "quick": [
        "--benchmark-max-time=0.05",
        "--benchmark-min-rounds=5",
        "--benchmark-min-time=0.0001",
        "--benchmark-warmup=on",
        "--benchmark-warmup-iterations=1000",
    ],
    "smoke": [
        "--benchmark-max-time=0",
        "--benchmark-min-rounds=5",
        "--benchmark-min-time=0.00001",
        "--benchmark-warmup=off",
    ],
}
#: The benchmark files run by every worker, and those run once (sizes, ownership, threads).
CALL_FILES = ("bench_overhead.py", "bench_variants.py")
SIZE_FILES = ("bench_sweeps.py", "bench_ownership.py", "bench_threads.py")
IMPORT_RUNS = {"full": 15, "quick": 5, "smoke": 1}
NO_TESTS = 5  # pytest's exit code when -k selects nothing


class Stages:
    """Prints "[bench 2/4] ..." lines with the elapsed time, and keeps the stage durations."""

    def __init__(self, total: int) -> None:
        self.total, self.number, self.start = total, 0, time.perf_counter()
        self.durations: dict[str, float] = {}
        self._current: tuple[str, float] | None = None

    def begin(self, name: str, detail: str = "") -> None:
        self.end()
        self.number += 1
        elapsed = time.perf_counter() - self.start
        suffix = f": {detail}" if detail else ""
        print(f"\n[bench {self.number}/{self.total}] {name}{suffix} (at {elapsed:.0f} s)", flush=True)
        self._current = (name, time.perf_counter())

    def end(self) -> None:
        if self._current:
            name, began = self._current
            self.durations[name] = round(time.perf_counter() - began, 2)
            self._current = None


def run_pytest(files: tuple[str, ...], raw: Path, mode: str, worker: int, extra: list[str]) -> int:
    """One worker process: pytest-benchmark over ``files``, its JSON written to ``raw``."""
    command = [sys.executable, "-m", "pytest", *(str(HERE / name) for name in files)]
    command += [f"--bench-mode={mode}", f"--bench-worker={worker}", "--bench-no-table"]
    command += [*HARNESS_OPTIONS[mode], "--benchmark-disable-gc"]
    command += [f"--benchmark-json={raw}", "-p", "no:cacheprovider", "-ra", *extra]
    print("$ " + " ".join(command), flush=True)
    # A run started from a test that pytest-xdist runs must not look like an xdist worker.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_XDIST")}
    return subprocess.run(command, check=False, env=env).returncode


def merge(parts: list[Path], target: Path) -> None:
    """One pytest-benchmark JSON holding every worker's benchmarks, gzipped to stay small enough to commit."""
    merged: dict | None = None
    for part in parts:
        data = json.loads(part.read_text())
        if merged is None:
            merged = data
        else:
            merged["benchmarks"].extend(data["benchmarks"])
        part.unlink()
    with gzip.open(target, "wt") as handle:
        json.dump(merged or {"benchmarks": []}, handle)


def run_benchmarks(folder: Path, mode: str, extra: list[str], stages: Stages, headline: bool = False) -> int:
    """Every benchmark, or with ``headline`` the headline call patterns and the floors only."""
    workers = MODES[mode].version_workers if headline else MODES[mode].workers
    files, extra = (("bench_overhead.py",), ["--bench-headline", *extra]) if headline else (CALL_FILES, extra)
    parts = []
    for worker in range(workers):
        stages.begin(f"call benchmarks, worker {worker + 1} of {workers}")
        parts.append(folder / f"benchmarks.worker{worker}.json")
        code = run_pytest(files, parts[-1], mode, worker, extra)
        if code not in (0, NO_TESTS):  # -k may select nothing from one group of files
            return code
    size_workers = 0 if headline else MODES[mode].size_workers
    for worker in range(size_workers):
        stages.begin(f"size, ownership and thread benchmarks, worker {worker + 1} of {size_workers}")
        parts.append(folder / f"benchmarks.sizes{worker}.json")
        code = run_pytest(SIZE_FILES, parts[-1], mode, worker, extra)
        if code not in (0, NO_TESTS):
            return code
    merge([part for part in parts if part.is_file()], folder / "benchmarks.json.gz")
    return 0


def count_instructions(folder: Path, backends: list[str], profile: bool = True) -> str:
    """Counts every call pattern under callgrind into ``folder/instructions``; "" or why not.

    ``profile``: also the raw calls and where each call's instructions go (the wrapper-tax
    table's; the primary interpreter's report only).
    """
    if shutil.which("valgrind") is None:
        return "valgrind is not installed (Debian/Ubuntu: apt-get install valgrind)"
    work = folder / "instructions" / "work"  # the run's own: two runs at once must not share one
    command = [sys.executable, str(HERE / "overhead" / "run.py"), "--no-compare", "--no-wall-clock"]
    command += ["--raw", "--profile"] if profile else []
    command += [f"--backends={','.join(backends)}", f"--out={folder / 'instructions'}", "--label=this run"]
    command += [f"--work={work}"]
    print("$ " + " ".join(command), flush=True)
    code = subprocess.run(command, check=False).returncode
    shutil.rmtree(work, ignore_errors=True)  # bytecode cache, helper library, logs: not results
    return "" if code == 0 else f"the overhead check's measurement failed (exit code {code})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument("--quick", action="store_true", help="fewer sizes and rounds, no build times (CI)")
    modes.add_argument("--smoke", action="store_true", help="a handful of rounds: checks the suite runs")
    parser.add_argument("--out", type=Path, help="the run folder (default: benchmarks/results/<time>-<host>)")
    parser.add_argument("--readme", type=Path, help="README.md whose results section a full run rewrites")
    parser.add_argument(
        "--version-of",
        type=Path,
        metavar="RUN",
        help="measure this interpreter's part of a run over several (headline patterns, instruction "
        "counts) into RUN/versions/<X.Y>/",
    )
    parser.add_argument("--no-build-time", action="store_true", help="skip the build-time measurement")
    parser.add_argument(
        "--no-instructions", action="store_true", help="skip the instruction counts (callgrind)"
    )
    parser.add_argument("pytest_args", nargs="*", help="passed to pytest after --, e.g. -k noop")
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "smoke" if args.smoke else "full"
    if args.version_of and (args.out or args.readme):
        parser.error("--version-of names the run folder: no --out or --readme with it")
    version = runs.interpreter_version()
    if args.version_of:
        folder = runs.version_folder(args.version_of.resolve(), version)
    else:
        folder = (args.out or runs.default_folder(mode)).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    settings = MODES[mode]
    workers = settings.version_workers if args.version_of else settings.workers + settings.size_workers
    stages = Stages(4 + workers - (2 if args.version_of else 0))
    meta = {
        "mode": mode,
        # What was measured: everything ("full"), or a further interpreter's part ("headline").
        "scope": "headline" if args.version_of else "full",
        "python": version,
        "started_utc": started,
        "argv": sys.argv[1:],
        "settings": dataclasses.asdict(settings),
        # The oldest CPython each stable-ABI build runs on, as this tree declares it: the
        # report's count of wheels comes from here, so it matches the builds measured.
        "abi3_oldest": {name: ".".join(map(str, oldest)) for name, oldest in bindings.ABI3_BACKENDS.items()},
    }

    built = builds.loadable()  # the backends and the stable-ABI builds
    print(f"[bench] {mode} run into {folder}; builds that import: {', '.join(built) or 'none'}", flush=True)
    required = bindings.required()
    if required - set(built):
        print(f"[bench] BINDINGS_REQUIRED names builds that do not import: {sorted(required - set(built))}")
        return 1

    stages.begin("machine", "machine.json")
    description = machine.describe()
    (folder / "machine.json").write_text(json.dumps(description, indent=2) + "\n")

    headline = args.version_of is not None
    code = run_benchmarks(folder, mode, args.pytest_args, stages, headline=headline)
    if code != 0:
        print(f"[bench] the benchmark suite failed (pytest exit code {code})", flush=True)
        return code

    stages.begin("instruction counts", "callgrind, the overhead check's machinery")
    absent = (
        "skipped (--no-instructions)"
        if args.no_instructions
        else count_instructions(folder, list(built), profile=not headline)
    )
    meta["instructions"] = absent or "counted"
    if absent:
        print(f"[bench] no instruction counts: {absent}", flush=True)

    if headline:  # the primary interpreter's run writes the rest, and the report over every version
        stages.end()
        description["load_average_end"] = machine.load_average()
        (folder / "machine.json").write_text(json.dumps(description, indent=2) + "\n")
        meta["finished_utc"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        meta["stage_seconds"] = stages.durations
        (folder / "run.json").write_text(json.dumps(meta, indent=2) + "\n")
        total = time.perf_counter() - stages.start
        print(f"\n[bench] CPython {version}'s part done in {total:.0f} s: {folder}", flush=True)
        return 0

    build_time = mode == "full" and not args.no_build_time
    stages.begin(
        "static figures",
        "build time, artefact size, import time, memory, lines"
        if build_time
        else f"artefact size, import time, memory, lines (build time: not measured in --{mode})",
    )
    backends = [name for name in built if name in bindings.BACKENDS]  # static figures: per technology
    figures = static.measure(backends, build_time=build_time, import_runs=IMPORT_RUNS[mode])
    (folder / "static.json").write_text(json.dumps(figures, indent=2) + "\n")

    stages.begin("report", "report.md and plots")
    description["load_average_end"] = machine.load_average()
    (folder / "machine.json").write_text(json.dumps(description, indent=2) + "\n")
    meta["finished_utc"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    meta["stage_seconds"] = stages.durations  # the report reads run.json: written before it runs
    (folder / "run.json").write_text(json.dumps(meta, indent=2) + "\n")
    report_args = [str(folder)]
    if args.readme and mode == "full":
        report_args += ["--readme", str(args.readme)]
    elif args.readme:
        print(f"[bench] {args.readme} not updated: only a full run goes into the README")
    code = report.main(report_args)
    stages.end()
    (folder / "run.json").write_text(json.dumps(meta, indent=2) + "\n")  # now with the report's time
    total = time.perf_counter() - stages.start
    print(f"\n[bench] done in {total:.0f} s: {folder / 'report.md'}", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
