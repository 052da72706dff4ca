"""Where a benchmark run's files go: one folder per run, a subfolder per further interpreter.

A run measures one interpreter in full (the primary: every benchmark, at the top of the
run folder) and, with ``nox -s bench -- --pythons ...``, each further interpreter in part
(the headline call patterns and every instruction count) in ``versions/<X.Y>/`` inside it,
a run folder of the same layout. The report reads them all (``report/load.py``).

The noxfile imports this file by its path (it cannot import the package it builds), so it
imports nothing but the standard library.
"""

from __future__ import annotations

import os
import re
import socket
import sys
import sysconfig
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
#: The subfolder of a run folder holding one folder per further interpreter, named by its version.
VERSIONS = "versions"


def default_folder(mode: str) -> Path:
    """``benchmarks/results/<UTC time>-<host>[-quick|-smoke]``."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    host = re.sub(r"[^A-Za-z0-9-]+", "-", socket.gethostname().split(".")[0]).strip("-")[:24] or "host"
    tag = os.environ.get("BENCH_MACHINE_TAG", host)
    return RESULTS / f"{stamp}-{tag}{'' if mode == 'full' else '-' + mode}"


def interpreter_version() -> str:
    """This interpreter as nox names it: "3.12", or "3.13t" for a free-threaded build."""
    free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    return f"{sys.version_info.major}.{sys.version_info.minor}{'t' if free_threaded else ''}"


def version_folder(run: Path, version: str) -> Path:
    return run / VERSIONS / version


def version_order(version: str) -> tuple[int, int, bool]:
    """Sorts "3.9" < "3.10" < "3.13" < "3.13t" < "3.14"."""
    major, minor = version.rstrip("t").split(".")[:2]
    return int(major), int(minor), version.endswith("t")
