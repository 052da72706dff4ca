"""Runs the call patterns of one backend inside the interpreter being measured.

The patterns and the loops are the benchmarks' own (``patterns.py``, ``loops.py``,
copied beside this file in the harness folder): the same K calls per iteration of the
same generated loop, the same empty loop subtracted.

    python measure.py --backend capi --mode prepare
    python measure.py --backend capi --mode instructions --calls 2000 --toggle toggle.so
    python measure.py --backend capi --mode time
    python measure.py --backend ctypes --mode instructions --raw ...   # ctypes' raw calls

``prepare``: run natively first. Imports everything and runs each loop a few
times, so that the bytecode cache (``PYTHONPYCACHEPREFIX``) holds every module
the measured processes will import: they then all start from the same state.

``instructions``: run under callgrind with ``--instr-atstart=no`` (``callgrind.py``
starts it so). Each pattern's two loops run once uncounted as a warm-up (bytecode
specialisation, caches, free lists), then each is counted on its own: counting is
switched on right before the loop and off right after it, through the client
requests of ``toggle.c``, and every count is dumped under the label
``overhead:<pattern>:empty`` or ``overhead:<pattern>:calls``. A pattern's loops run
``--calls / (K * per)`` iterations (at least 2), so every pattern makes about the same
number of calls (integrate: callbacks).

``time``: run natively; best-of-5 wall-clock time of the same loops, for
information only.

Prints one JSON object on stdout. Exits with NOT_BUILT when the backend is not
built in this install.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import sys
from importlib import metadata
from typing import Any

import loops
import patterns

NOT_BUILT = 3
LABEL_PREFIX = "overhead:"


def iterations(calls: int, pattern: patterns.Pattern, k: int) -> int:
    """Loop iterations that make about ``calls`` calls (units of ``per``) of a pattern."""
    return max(2, calls // (k * pattern.per))


def count(measured: dict[str, Any], calls: int, toggle_path: str) -> None:
    """Counts every loop under callgrind, one labelled dump each."""
    toggle = ctypes.PyDLL(toggle_path)  # PyDLL: the calls keep the GIL, no thread switch
    start, stop = toggle.overhead_start, toggle.overhead_stop
    start.restype = stop.restype = None
    stop.argtypes = (ctypes.c_char_p,)
    # The first call through each ctypes function does one-time work: do it uncounted.
    start()
    stop(f"{LABEL_PREFIX}warm-up".encode())
    for name, (pattern, timed) in measured.items():
        n = iterations(calls, pattern, timed.k)
        timed.empty(n, *timed.args)
        timed.calls(n, *timed.args)
        for which, function in (("empty", timed.empty), ("calls", timed.calls)):
            label = f"{LABEL_PREFIX}{name}:{which}".encode()
            start()
            function(n, *timed.args)
            stop(label)


def wall_clock(measured: dict[str, Any], target: float = 0.01) -> dict[str, float]:
    """Nanoseconds per call (per ``per`` unit): best of 5 rounds of each loop, net of the empty one."""
    result = {}
    for name, (pattern, timed) in measured.items():
        n, _ = loops.calibrate(timed, target)
        result[name] = round(max(loops.net_ns(timed, n), 0.0) / pattern.per, 1)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", required=True)
    parser.add_argument("--mode", choices=("prepare", "instructions", "time"), required=True)
    parser.add_argument("--calls", type=int, default=2000, help="calls each counted loop makes (about)")
    parser.add_argument("--patterns", help="JSON file of patterns instead of patterns.PATTERNS")
    parser.add_argument("--toggle", help="the compiled toggle.c (instructions mode)")
    parser.add_argument(
        "--raw", action="store_true", help="the technology's raw calls (patterns.RAW_CALLS) instead"
    )
    args = parser.parse_args()

    import bindings
    from bindings._interface import FUNCTION_NAMES

    try:
        core = bindings.load(args.backend)
    except ImportError as exc:
        print(json.dumps({"backend": args.backend, "not_built": str(exc)}))
        return NOT_BUILT
    missing = [name for name in (*FUNCTION_NAMES, "Detector") if not hasattr(core, name)]
    if missing:  # e.g. an empty namespace package left where a backend should be
        print(json.dumps({"backend": args.backend, "not_built": f"missing {', '.join(missing)}"}))
        return NOT_BUILT

    measured = {}
    chosen = patterns.RAW_CALLS.get(args.backend, {}) if args.raw else patterns.load(args.patterns)
    for name, pattern in chosen.items():
        measured[name] = (
            pattern,
            loops.build(patterns.namespace(pattern, core), pattern.statement, name=name),
        )
    gc.collect()
    gc.disable()  # a collection inside a counted loop would be counted
    # A fingerprint of everything the process did before measuring: should two runs of
    # the same code ever count differently, it shows whether they started differently.
    state = {"modules": len(sys.modules), "blocks": sys.getallocatedblocks()}
    report: dict[str, Any] = {"backend": args.backend, "state": state}
    if args.mode == "instructions":
        count(measured, args.calls, args.toggle)
        report["labels"] = [f"{LABEL_PREFIX}{name}:{w}" for name in measured for w in ("empty", "calls")]
        report["calls"] = {
            name: iterations(args.calls, pattern, timed.k) * timed.k * pattern.per
            for name, (pattern, timed) in measured.items()
        }
        report["call_path"] = {name: loops.call_path(timed) for name, (_, timed) in measured.items()}
    elif args.mode == "time":
        report["wall_ns_per_call"] = wall_clock(measured)
    else:
        for _, timed in measured.values():
            timed.empty(2, *timed.args)
            timed.calls(2, *timed.args)
    gc.enable()
    try:
        source = json.loads(metadata.distribution("bindings").read_text("direct_url.json") or "{}")
    except (metadata.PackageNotFoundError, json.JSONDecodeError):
        source = {}
    report["package"] = source.get("url", bindings.__file__)
    report["python"] = sys.version
    report["numpy"] = patterns.numpy.__version__
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
