"""The call-overhead check: instructions per call of every built backend, under callgrind.

    python benchmarks/overhead/run.py                      # measure, compare with baselines/<X.Y>.json
    python benchmarks/overhead/run.py --baseline OLD.json  # compare with another result
    python benchmarks/overhead/run.py --no-compare         # measure only
    python benchmarks/overhead/run.py --update-baseline    # measure, rewrite baselines/<X.Y>.json

It measures the ``bindings`` package installed for the interpreter that runs it
(``nox -s overhead`` installs it first; see README.md): first a native run per
backend fills the bytecode cache, then one callgrind run per backend counts
(``--jobs`` at a time), then a native run times (information only). Results go
to ``build/overhead/overhead.json`` and ``overhead.md``; the exit status is 1
when the comparison finds a regression, 2 when measuring failed.

Counts depend on the interpreter's version, so each version has its own committed
baseline, ``baselines/<X.Y>.json`` ("3.11"): a version without one is measured and not
gated. The builds measured are the backends and their stable-ABI builds
(``bindings.BUILDS``: ``capi-abi3``...); a build the baseline lacks is measured, not gated.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

# benchmarks/ holds the call patterns and the loop builder this check shares with the benchmarks.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import callgrind
import compare
import patterns
import runs
import tables

HERE = Path(__file__).resolve().parent
#: The committed baseline of this interpreter's version.
DEFAULT_BASELINE = HERE / "baselines" / f"{runs.interpreter_version()}.json"
DEFAULT_OUT = HERE.parents[1] / "build" / "overhead"
DEFAULT_WORK = DEFAULT_OUT / "work"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--backends",
        help="comma-separated builds (capi, capi-abi3, ...); each must be built "
        "(default: every build in this install)",
    )
    parser.add_argument(
        "--calls", type=int, default=2000, help="iterations of each counted loop (default 2000)"
    )
    parser.add_argument(
        "--patterns", help="JSON file {name: [setup, statement]} replacing the default patterns"
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="valgrind runs at once")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"results folder (default {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=DEFAULT_WORK,
        help="scratch folder: helper library, bytecode cache, valgrind logs; keep it the same "
        f"for runs you compare (default {DEFAULT_WORK})",
    )
    parser.add_argument("--label", default="this build", help="names this result in comparisons")
    parser.add_argument("--baseline", type=Path, default=DEFAULT_BASELINE, help="result to compare with")
    parser.add_argument("--no-compare", action="store_true", help="measure only")
    parser.add_argument("--update-baseline", action="store_true", help="write this result to --baseline")
    parser.add_argument("--fail-above", type=float, default=5.0, metavar="PERCENT", help="default 5")
    parser.add_argument("--warn-above", type=float, default=1.0, metavar="PERCENT", help="default 1")
    parser.add_argument("--no-wall-clock", action="store_true", help="skip the informational timings")
    parser.add_argument(
        "--raw",
        action="store_true",
        help="also count the raw calls of the backends that have them (ctypes, cffi: patterns.RAW_CALLS)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="also record where each call's instructions go, by function"
    )
    parser.add_argument(
        "--pins", type=Path, help="the constraints file the package was installed with (recorded)"
    )
    return parser.parse_args(argv)


def built_backends(requested: str | None) -> tuple[list[str], list[str]]:
    """(builds to measure, builds asked for or defined but not built)."""
    import builds

    import bindings

    names = requested.split(",") if requested else list(builds.ordered(bindings.BUILDS))
    unknown = [name for name in names if name not in bindings.BUILDS]
    if unknown:
        sys.exit(f"unknown build(s): {', '.join(unknown)}; the builds are {', '.join(bindings.BUILDS)}")
    available = builds.loadable()
    return [n for n in names if n in available], [n for n in names if n not in available]


def environment(pins: Path | None = None) -> dict[str, str | None]:
    """What the counts depend on besides the code: results from different ones are not comparable."""
    import numpy

    return {
        "python": sys.version,
        "machine": platform.machine(),
        "libc": " ".join(platform.libc_ver()),
        "numpy": numpy.__version__,
        "valgrind": callgrind.first_line("valgrind", "--version"),
        "cc": callgrind.first_line(os.environ.get("CC", "cc"), "--version"),
        "rustc": callgrind.first_line("rustc", "--version"),
        # The pinned versions of the libraries that generate or run the bindings' code
        # (nox installs with them; the build tools' versions cannot be read back from the
        # installed modules).
        "pins": _pins(pins),
    }


def _pins(path: Path | None) -> str | None:
    if path is None:
        return None
    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    return ", ".join(line for line in lines if line)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    backends, not_built = built_backends(args.backends)
    if args.backends and not_built:  # asked for by name: its absence is an error, not a skip
        raise callgrind.MeasureError(f"not built in this install: {', '.join(not_built)}")
    args.out.mkdir(parents=True, exist_ok=True)
    args.work.mkdir(parents=True, exist_ok=True)
    callgrind.build_toggle(args.work)
    callgrind.install_harness(args.work)
    patterns_file = None
    if args.patterns:  # at a fixed path: the measured process sees the path
        patterns_file = args.work / "patterns.json"
        shutil.copyfile(args.patterns, patterns_file)
    started = time.perf_counter()
    print(f"Preparing natively (bytecode cache): {', '.join(backends)}", file=sys.stderr)
    ready = [name for name in backends if callgrind.prepare(sys.executable, name, args.work, patterns_file)]
    not_built += [name for name in backends if name not in ready]
    if args.backends and not_built:
        raise callgrind.MeasureError(f"not built in this install: {', '.join(not_built)}")
    if not ready:
        raise callgrind.MeasureError("no backend is built in this install")

    # The raw calls (a backend's "ctypes.raw") count like one more backend.
    raw = [name for name in ready if args.raw and name in patterns.RAW_CALLS]
    for name in raw:
        callgrind.prepare(sys.executable, name, args.work, raw=True)
    jobs = [(name, False) for name in ready] + [(name, True) for name in raw]

    def one(job: tuple[str, bool]) -> dict[str, Any]:
        backend, is_raw = job
        result = callgrind.count(
            sys.executable, backend, args.calls, args.work, patterns_file, raw=is_raw, profile=args.profile
        )
        print(
            f"  {backend}{' (raw calls)' if is_raw else ''}: done at {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
        return result

    print(
        f"Counting instructions under callgrind, {args.jobs} at a time: {', '.join(ready)}"
        + (f"; raw calls of {', '.join(raw)}" if raw else ""),
        file=sys.stderr,
    )
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        results = dict(zip(jobs, pool.map(one, jobs), strict=True))
    counted = {name: results[(name, False)] for name in ready}
    raw_counted = {name: results[(name, True)] for name in raw}
    walls = {}
    if not args.no_wall_clock:
        print("Timing natively (information only)", file=sys.stderr)
        walls = {
            name: callgrind.wall_clock(sys.executable, name, args.work, patterns_file) for name in counted
        }
    first = next(iter(counted.values()))
    return {
        "format": 1,
        "label": args.label,
        "package": first["package"],
        "environment": environment(args.pins),
        "settings": {
            "calls": args.calls,
            "patterns": {k: [p.setup, p.statement, p.per] for k, p in patterns.load(args.patterns).items()},
        },
        "not_built": not_built,
        "instructions_per_call": {name: r["instructions_per_call"] for name, r in counted.items()},
        "wall_ns_per_call": walls,
        "raw_instructions": {name: r["raw"] for name, r in counted.items()},
        "call_path": {name: r["call_path"] for name, r in counted.items()},
        "state_before_counting": {name: r["state"] for name, r in counted.items()},
        # Only with --raw and --profile (the benchmark run's counts): the wrapper-tax table's.
        **(
            {"raw_calls": {name: r["instructions_per_call"] for name, r in raw_counted.items()}}
            if raw
            else {}
        ),
        **(
            {
                "profile": {name: r["profile"] for name, r in counted.items()},
                "raw_calls_profile": {name: r["profile"] for name, r in raw_counted.items()},
            }
            if args.profile
            else {}
        ),
        "seconds": round(time.perf_counter() - started, 1),
    }


def summary(result: dict[str, Any]) -> str:
    lines = [
        f"### Instructions per call: {result['label']} (callgrind)",
        "",
        tables.per_pattern(result["instructions_per_call"]),
        "",
    ]
    if result["wall_ns_per_call"]:
        lines += [
            "### Wall-clock nanoseconds per call (information only, never a gate)",
            "",
            tables.per_pattern(result["wall_ns_per_call"], digits=1),
            "",
        ]
    if result["not_built"]:
        lines += [f"Not built in this install: {', '.join(result['not_built'])}.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if (
        not (args.no_compare or args.update_baseline or args.baseline.exists())
        and args.baseline != DEFAULT_BASELINE
    ):
        print(f"error: no baseline at {args.baseline}", file=sys.stderr)
        return 2
    try:
        result = measure(args)
    except callgrind.MeasureError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = summary(result)
    (args.out / "overhead.json").write_text(json.dumps(result, indent=2) + "\n")
    status = 0
    if not args.no_compare and args.baseline.exists():
        baseline = json.loads(args.baseline.read_text())
        comparison, status = compare.report(baseline, result, args.fail_above, args.warn_above)
        text += "\n" + comparison
    elif not args.no_compare and not args.update_baseline:
        version = runs.interpreter_version()
        text += (
            f"\n**Not gated**: no baseline for CPython {version} at {args.baseline}, so these counts were "
            f"measured and compared with nothing. Commit one from a fresh clone with "
            f"`nox -s overhead -- --pythons {version} --update-baseline`.\n"
            if args.baseline == DEFAULT_BASELINE
            else f"\nNo baseline at {args.baseline}: nothing to compare with.\n"
        )
    if args.update_baseline:
        result["label"] = f"the committed baseline ({time.strftime('%Y-%m-%d', time.gmtime())})"
        args.baseline.write_text(json.dumps(result, indent=2) + "\n")
        text += f"\nBaseline written: {args.baseline}\n"
        status = 0  # refreshing on purpose: a rise is what is being accepted
    (args.out / "overhead.md").write_text(text)
    print(text)
    print(f"Results: {args.out / 'overhead.json'} (measured in {result['seconds']} s)")
    if os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(os.environ["GITHUB_STEP_SUMMARY"], "a") as job_summary:
            job_summary.write(text + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
