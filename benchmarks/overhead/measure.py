"""Runs the call patterns of one backend inside the interpreter being measured.

    python measure.py --backend capi --mode prepare
    python measure.py --backend capi --mode instructions --calls 2000 --toggle toggle.so
    python measure.py --backend capi --mode time

``prepare``: run natively first. Imports everything and runs each loop a few
times, so that the bytecode cache (``PYTHONPYCACHEPREFIX``) holds every module
the measured processes will import: they then all start from the same state.

``instructions``: run under callgrind with ``--instr-atstart=no`` (``callgrind.py``
starts it so). Each pattern's two loops run once uncounted as a warm-up (bytecode
specialisation, caches, free lists), then each is counted on its own: counting is
switched on right before the loop and off right after it, through the client
requests of ``toggle.c``, and every count is dumped under the label
``overhead:<pattern>:empty`` or ``overhead:<pattern>:calls``.

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
import time
from importlib import metadata
from typing import Any

import patterns

NOT_BUILT = 3
LABEL_PREFIX = "overhead:"


def count(loops: dict[str, Any], calls: int, toggle_path: str) -> None:
    """Counts every loop under callgrind, one labelled dump each."""
    toggle = ctypes.PyDLL(toggle_path)  # PyDLL: the calls keep the GIL, no thread switch
    start, stop = toggle.overhead_start, toggle.overhead_stop
    start.restype = stop.restype = None
    stop.argtypes = (ctypes.c_char_p,)
    # The first call through each ctypes function does one-time work: do it uncounted.
    start()
    stop(f"{LABEL_PREFIX}warm-up".encode())
    for name, (empty, loop, args) in loops.items():
        empty(calls, *args)
        loop(calls, *args)
        for which, function in (("empty", empty), ("calls", loop)):
            label = f"{LABEL_PREFIX}{name}:{which}".encode()
            start()
            function(calls, *args)
            stop(label)


def _seconds(function: Any, n: int, args: tuple[Any, ...]) -> float:
    begin = time.perf_counter()
    function(n, *args)
    return time.perf_counter() - begin


def wall_clock(loops: dict[str, Any], repeat: int = 5, target: float = 0.01) -> dict[str, float]:
    """Nanoseconds per call: best of ``repeat`` (calling loop - empty loop) / n."""
    result = {}
    for name, (empty, loop, args) in loops.items():
        n = 100
        while _seconds(loop, n, args) < target and n < 10_000_000:
            n *= 4
        best_loop = min(_seconds(loop, n, args) for _ in range(repeat))
        best_empty = min(_seconds(empty, n, args) for _ in range(repeat))
        result[name] = round(max(best_loop - best_empty, 0.0) / n * 1e9, 1)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", required=True)
    parser.add_argument("--mode", choices=("prepare", "instructions", "time"), required=True)
    parser.add_argument("--calls", type=int, default=2000, help="iterations of each counted loop")
    parser.add_argument("--patterns", help="JSON file of patterns instead of patterns.PATTERNS")
    parser.add_argument("--toggle", help="the compiled toggle.c (instructions mode)")
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

    loops = {
        name: patterns.build(core, name, setup, statement)
        for name, (setup, statement) in patterns.load(args.patterns).items()
    }
    gc.collect()
    gc.disable()  # a collection inside a counted loop would be counted
    # A fingerprint of everything the process did before measuring: should two runs of
    # the same code ever count differently, it shows whether they started differently.
    state = {"modules": len(sys.modules), "blocks": sys.getallocatedblocks()}
    report: dict[str, Any] = {"backend": args.backend, "state": state}
    if args.mode == "instructions":
        count(loops, args.calls, args.toggle)
        report["labels"] = [f"{LABEL_PREFIX}{name}:{which}" for name in loops for which in ("empty", "calls")]
    elif args.mode == "time":
        report["wall_ns_per_call"] = wall_clock(loops)
    else:
        for empty, loop, loop_args in loops.values():
            empty(10, *loop_args)
            loop(10, *loop_args)
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
