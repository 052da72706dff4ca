"""The data model of a run: what each figure is, and ``load(folder)`` that reads a run folder.

A run folder holds ``benchmarks.json.gz`` (or ``benchmarks.json``: pytest-benchmark's raw
JSON, every worker's benchmarks in one list), ``instructions/overhead.json`` (callgrind's
counts, when valgrind was there), ``static.json``, ``machine.json`` and ``run.json``.
Only benchmarks labelled by ``helpers.label`` (``extra_info`` with a ``kind``) become
figures; the report finds them by these labels, never by test names. The benchmarks of
one label measured by several workers become one figure: its net time per call and a
95 % interval (``intervals.py``). The pattern names and labels come from
``benchmarks/patterns.py``, where the patterns are defined once.

A run over several interpreters keeps each further interpreter's part in
``versions/<X.Y>/``, a run folder of the same layout (``runs.py``): ``load`` reads each
into ``Run.versions``. Figures of the stable-ABI builds carry the build's name
(``capi-abi3``) as their backend; ``Run.backends`` lists the backends only, so every
section but the stable-ABI one shows exactly what it showed before those builds existed.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import patterns
import runs
from patterns import HEADLINE, NUMPY_EQUIVALENTS, PATTERNS

from .intervals import Bootstrap, Samples, estimate, interval, net_ns

#: The backend every ratio is to (defined with the patterns).
REFERENCE = patterns.REFERENCE
BACKENDS = ("capi", "ctypes", "cffi", "cython", "pybind11", "nanobind", "pyo3")
#: A stable-ABI build is named after its backend with this suffix (``bindings.ABI3_SUFFIX``).
ABI3_SUFFIX = "-abi3"
PATTERN_ORDER = tuple(PATTERNS)
PATTERN_LABELS = {name: pattern.label for name, pattern in PATTERNS.items()}
NUMPY_LABELS = {name: pattern.label for name, pattern in NUMPY_EQUIVALENTS.items()}
HEADLINE_PATTERNS = HEADLINE
#: The variant label of the reference backend's second measurement in each group (A/A).
AGAIN = "again"
#: The ownership strategies (bench_ownership.py), in report order, with their column labels.
OWNERSHIP_STRATEGIES = (
    ("find_peaks", "find_peaks"),
    ("find_peaks_into", "find_peaks_into"),
    ("scale_out", "scale(out=)"),
    ("scale_new", "scale()"),
)
FLOOR_LABELS = {
    "builtin": "`gc.isenabled()`, a builtin C function with no argument (METH_NOARGS)",
    "builtin_arg": "`abs(-1)`, a builtin C function with one argument (METH_O)",
    "python": "an empty Python function",
}


@dataclass(frozen=True)
class Figure:
    """One measurement: net ns per call (per callback for integrate), over every worker.

    ``median`` is the estimate (the median over workers of each worker's median net time),
    ``low``/``high`` its 95 % interval; ``q1``/``q3``/``iqr`` describe the pooled rounds;
    ``gross`` is the median time per call with the loop included, as pytest-benchmark
    timed it (kept for comparison with older runs). ``call_path`` is the specialised
    instruction the calling code ran (``loops.call_path``).
    """

    kind: str
    pattern: str
    backend: str
    variant: str | None
    n: int | None
    threads: int | None
    per: int
    median: float
    iqr: float
    q1: float
    q3: float
    rounds: int
    iterations: int
    alloc: int | None
    name: str
    call: str | None = None
    low: float | None = None
    high: float | None = None
    gross: float | None = None
    workers: int = 1
    call_path: str | None = None
    loop_k: int | None = None  # calls per iteration of the timed loop
    samples: Samples = field(default_factory=dict, compare=False, repr=False)

    @property
    def key(self) -> tuple:
        return (self.kind, self.pattern, self.backend, self.variant, self.n, self.threads)

    @property
    def median_per_call(self) -> float:
        return self.median * self.per


@dataclass
class Run:
    folder: Path
    figures: list[Figure]
    static: dict
    machine: dict
    meta: dict
    instructions: dict = field(default_factory=dict)
    bootstrap: Bootstrap = field(default_factory=lambda: Bootstrap([0]))
    index: dict[tuple, Figure] = field(default_factory=dict)
    #: Each further interpreter's part of the run, by version ("3.13"), oldest first.
    versions: dict[str, Run] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = {f.key: f for f in self.figures}

    def draws(self, f: Figure) -> np.ndarray:
        """Bootstrap draws of f's estimate, paired by worker with every other figure's."""
        return self.bootstrap.estimates(f.key, f.samples)

    def instructions_per_call(self, backend: str, pattern: str) -> float | None:
        """callgrind's count for one call (per callback for integrate), or None."""
        return self.instructions.get("instructions_per_call", {}).get(backend, {}).get(pattern)

    @property
    def mode(self) -> str:
        return self.meta.get("mode", "unknown")

    def get(self, kind: str, pattern: str, backend: str, variant=None, n=None, threads=None) -> Figure | None:
        return self.index.get((kind, pattern, backend, variant, n, threads))

    def select(self, kind: str, **where: Any) -> list[Figure]:
        return [
            f for f in self.figures if f.kind == kind and all(getattr(f, k) == v for k, v in where.items())
        ]

    @property
    def backends(self) -> list[str]:
        seen = {f.backend for f in self.figures if f.kind == "overhead"}
        return [b for b in BACKENDS if b in seen]

    @property
    def abi3_builds(self) -> list[str]:
        """The stable-ABI builds measured (timed or counted), each after its backend's order."""
        seen = {f.backend for f in self.figures if f.kind == "overhead"}
        seen |= set(self.instructions.get("instructions_per_call", {}))
        return [b + ABI3_SUFFIX for b in BACKENDS if b + ABI3_SUFFIX in seen]

    @property
    def python(self) -> str:
        """The interpreter's version as "3.12" ("3.13t" free-threaded): run.json's, else machine.json's."""
        if self.meta.get("python"):
            return self.meta["python"]
        python = self.machine.get("python", {})
        version = ".".join(str(python.get("version", "?")).split(".")[:2])
        return version + ("t" if python.get("gil_disabled") else "")

    @property
    def all_versions(self) -> dict[str, Run]:
        """This run and every further interpreter's part, by version, oldest first."""
        found = {self.python: self, **{v: r for v, r in self.versions.items() if v != self.python}}
        return {v: found[v] for v in sorted(found, key=runs.version_order)}

    def floors(self, name: str) -> list[Figure]:
        """Every measurement of a floor: one per backend group, spread over the run."""
        return sorted(self.select("baseline", pattern=name), key=lambda f: f.median)

    def floor(self, name: str) -> Figure | None:
        """The floor to show: the measurement with the median median (the lower one if even)."""
        found = self.floors(name)
        return found[(len(found) - 1) // 2] if found else None

    def lowest_floor(self, name: str) -> Figure | None:
        """The floor to check against: the fastest of its measurements, so load never raises it."""
        found = self.floors(name)
        return found[0] if found else None


def _read_json(folder: Path, name: str, default: Any) -> Any:
    path = folder / name
    if path.is_file():
        return json.loads(path.read_text())
    return default


def _figure(key: tuple, entries: list[dict], bootstrap: Bootstrap) -> Figure:
    """One figure from the benchmarks of one label, one per worker that measured it."""
    kind, pattern, backend, variant, n, threads = key
    samples: Samples = {}
    for bench in entries:
        worker = int(bench["extra_info"].get("worker", 0))
        values = net_ns(bench)
        samples[worker] = np.concatenate([samples[worker], values]) if worker in samples else values
    pooled = np.concatenate(list(samples.values()))
    q1, q3 = (float(q) for q in np.percentile(pooled, [25, 75]))
    first, info = entries[0], entries[0]["extra_info"]
    per = int(info.get("per", 1)) or 1
    calls = int(info.get("iterations", 1)) * int(info.get("calls_per_iteration", 1))
    gross = [float(np.median(b["stats"].get("data") or [b["stats"]["median"]])) for b in entries]
    low, high = interval(bootstrap.estimates(key, samples))
    paths = Counter(b["extra_info"].get("call_path") for b in entries if b["extra_info"].get("call_path"))
    return Figure(
        kind=kind,
        pattern=pattern,
        backend=backend,
        variant=variant,
        n=n,
        threads=threads,
        per=per,
        median=estimate(samples),
        iqr=q3 - q1,
        q1=q1,
        q3=q3,
        rounds=len(pooled),
        iterations=int(first["stats"].get("iterations", 1)),
        alloc=info.get("alloc_peak_bytes"),
        name=first["name"],
        call=info.get("call"),
        low=low,
        high=high,
        gross=float(np.median(gross)) / (calls * per) * 1e9,
        workers=len(samples),
        call_path=paths.most_common(1)[0][0] if paths else None,
        loop_k=info.get("calls_per_iteration"),
        samples=samples,
    )


def load(folder: Path) -> Run:
    run = _load_one(folder)
    parts = folder / runs.VERSIONS
    if parts.is_dir():
        found = [part for part in parts.iterdir() if re.fullmatch(r"\d+\.\d+t?", part.name)]
        for part in sorted(found, key=lambda p: runs.version_order(p.name)):
            if (part / "benchmarks.json.gz").is_file() or (part / "benchmarks.json").is_file():
                run.versions[part.name] = _load_one(part)
    return run


def _load_one(folder: Path) -> Run:
    raw_path = folder / "benchmarks.json.gz"
    if raw_path.is_file():
        with gzip.open(raw_path, "rt") as handle:
            raw = json.load(handle)
    else:
        raw = json.loads((folder / "benchmarks.json").read_text())
    groups: dict[tuple, list[dict]] = {}
    for bench in raw["benchmarks"]:
        info = bench.get("extra_info", {})
        if "kind" not in info:
            continue  # not one of ours
        key = (
            info["kind"],
            info["pattern"],
            info["backend"],
            info.get("variant"),
            info.get("n"),
            info.get("threads"),
        )
        groups.setdefault(key, []).append(bench)
    workers = sorted({int(b["extra_info"].get("worker", 0)) for entries in groups.values() for b in entries})
    bootstrap = Bootstrap(workers or [0])
    figures = [_figure(key, entries, bootstrap) for key, entries in groups.items()]
    return Run(
        folder=folder,
        figures=figures,
        static=_read_json(folder, "static.json", {}),
        machine=_read_json(folder, "machine.json", {}),
        meta=_read_json(folder, "run.json", {}),
        instructions=_read_json(folder, "instructions/overhead.json", {}),
        bootstrap=bootstrap,
    )
