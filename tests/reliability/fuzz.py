"""Differential fuzzing: the property tests, in rounds of many examples, for a fixed time.

    python tests/reliability/fuzz.py --minutes 10 [--seed N] [--examples 2000]

Each round runs ``tests/test_properties.py`` (every backend against every other and
against the NumPy reference) with the "fuzz" hypothesis profile and the seed
``N + round``. Rounds go on until the time is up; a round that finds a failure stops
the run, and the printed seed with ``--rounds 1`` replays it. The number of examples
that ran is read from hypothesis' own statistics.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
PASSING = re.compile(r"(\d+) passing(?: examples?)?,")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="time budget (default 10)")
    parser.add_argument("--seed", type=int, default=None, help="first round's seed (default: random)")
    parser.add_argument("--examples", type=int, default=2000, help="examples per test per round")
    parser.add_argument("--rounds", type=int, default=None, help="stop after this many rounds")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    options = parser.parse_args()
    seed = options.seed if options.seed is not None else random.SystemRandom().randrange(2**32)
    print(f"[fuzz] first seed {seed}; replay a round with --seed SEED --rounds 1", flush=True)
    env = {**os.environ, "HYPOTHESIS_PROFILE": "fuzz", "FUZZ_EXAMPLES": str(options.examples)}
    deadline = time.monotonic() + options.minutes * 60
    examples, round_number = 0, 0
    while time.monotonic() < deadline and (options.rounds is None or round_number < options.rounds):
        round_seed = seed + round_number
        command = [
            sys.executable,
            "-m",
            "pytest",
            str(TESTS / "test_properties.py"),
            "-p",
            "no:cacheprovider",
            "-q",
            f"--hypothesis-seed={round_seed}",
            "--hypothesis-show-statistics",
            *options.pytest_args,
        ]
        print(f"[fuzz] round {round_number + 1}, seed {round_seed}", flush=True)
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        ran = sum(int(count) for count in PASSING.findall(done.stdout))
        examples += ran
        print(f"[fuzz] round {round_number + 1}: {ran} examples passed", flush=True)
        if done.returncode != 0:
            print(done.stdout[-20000:], done.stderr[-5000:], sep="\n")
            print(f"[fuzz] FAILED in the round with seed {round_seed} after {examples} examples in all")
            return 1
        round_number += 1
    print(f"[fuzz] {examples} examples in {round_number} rounds, no disagreement (first seed {seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
