"""Static figures per backend: build time, artefact size, import time, memory after import, lines.

    python benchmarks/static.py --out static.json [--no-build-time] [--import-runs 15]

- Build time: a fresh CMake build folder is configured once and the C core is built
  first (reported on its own line, since every backend shares it); then each backend's
  target is built alone and timed: ``_capi``, ``_cffi_bcore``, ``_cython``,
  ``_pybind11``, ``_nanobind``, and for ctypes ``bcore_shared`` (the shared library it
  loads). PyO3 is a clean ``cargo build --release`` of a copy of its crate in a temporary
  target folder (dependencies fetched beforehand, untimed), which compiles the crates it
  depends on and its own copy of the core.
- Artefact size: the compiled files the installed backend consists of (its extension
  modules; for ctypes the core's shared library).
- Import time: a fresh interpreter per run imports ``bindings`` (NumPy and the package,
  shared by all) and then times ``import bindings.<name>`` alone; the median of the runs.
  Resident memory (VmRSS) is read in the same process after the import.
- Lines of code: ``count_lines.py``.
"""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import count_lines

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = count_lines.BACKENDS
CMAKE_TARGETS = {
    "capi": "_capi",
    "ctypes": "bcore_shared",
    "cffi": "_cffi_bcore",
    "cython": "_cython",
    "pybind11": "_pybind11",
    "nanobind": "_nanobind",
}
#: Imported like a backend, to show what cffi's ABI mode costs at import (it parses its cdef).
EXTRA_IMPORTS = ("cffi.abi",)

# Runs in a fresh interpreter: prints the import time of one module and the resident memory.
_IMPORT_PROBE = r"""
import importlib, json, sys, time

def rss_kib():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    try:
        import resource
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak // 1024 if sys.platform == "darwin" else peak
    except ImportError:
        return None

name = sys.argv[1]
t0 = time.perf_counter()
import bindings
t1 = time.perf_counter()
rss_before = rss_kib()
if name:
    t2 = time.perf_counter()
    importlib.import_module("bindings." + name)
    t3 = time.perf_counter()
else:
    t2 = t3 = 0.0
print(json.dumps({"package_s": t1 - t0, "import_s": t3 - t2, "rss_before_kib": rss_before,
                  "rss_after_kib": rss_kib()}))
"""


def log(message: str) -> None:
    print(f"[static] {message}", flush=True)


def _run_probe(name: str) -> dict:
    # -I would drop PYTHONPATH, which a development install may rely on; -E is not used either.
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_PROBE, name], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


def import_figures(name: str, runs: int) -> dict:
    """Median import time (s) and RSS after import (KiB) over ``runs`` fresh interpreters."""
    samples = []
    try:
        _run_probe(name)  # once untimed: the OS file cache, .pyc files written if missing
        for _ in range(runs):
            samples.append(_run_probe(name))
    except RuntimeError as exc:
        return {"error": str(exc)}
    times = [s["import_s"] if name else s["package_s"] for s in samples]
    after = [s["rss_after_kib"] for s in samples if s["rss_after_kib"] is not None]
    before = [s["rss_before_kib"] for s in samples if s["rss_before_kib"] is not None]
    quartiles = statistics.quantiles(times, n=4) if len(times) >= 2 else [times[0]] * 3
    figures = {
        "runs": len(times),
        "import_s_median": statistics.median(times),
        "import_s_iqr": quartiles[2] - quartiles[0],
        "import_s_samples": times,
    }
    if after:
        figures["rss_after_kib_median"] = statistics.median(after)
    if after and before:
        figures["rss_delta_kib_median"] = statistics.median(a - b for a, b in zip(after, before, strict=True))
    return figures


def artefacts(name: str) -> list[dict]:
    """The compiled files of an installed backend, with their sizes."""
    if name == "ctypes":
        spec = importlib.util.find_spec("bindings._core")
        folder = Path(next(iter(spec.submodule_search_locations)))
        suffixes = (".so", ".dylib", ".dll")
        files = [p for p in folder.iterdir() if p.suffix in suffixes or ".so." in p.name]
    else:
        spec = importlib.util.find_spec(f"bindings.{name}")
        if spec is None or not spec.submodule_search_locations:
            return []
        folder = Path(next(iter(spec.submodule_search_locations)))
        suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
        # Only the backend's own folder: its compiled modules live there, and anything in a
        # subfolder (a stray build tree, say) is not something `import` loads.
        files = [p for p in folder.iterdir() if p.is_file() and p.name.endswith(suffixes)]
    return [{"path": str(p), "bytes": shipped_bytes(p)} for p in sorted(files)]


def shipped_bytes(path: Path) -> int:
    """The file's size without its symbol table, as a wheel ships it.

    ``nox -s bench`` installs the modules unstripped, so that callgrind's profiles name
    their functions; the size that matters to a user is the stripped one. Where ``strip``
    is missing (or fails), the file's own size.
    """
    tool = shutil.which("strip")
    if tool is None:
        return path.stat().st_size
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / path.name
        shutil.copyfile(path, copy)
        if subprocess.run([tool, "--strip-unneeded", str(copy)], capture_output=True).returncode != 0:
            return path.stat().st_size
        return copy.stat().st_size


def _timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise RuntimeError(f"{' '.join(command)} failed:\n{tail}")
    return elapsed


def _cmake_prefix_path() -> str:
    """Where pybind11's and nanobind's CMake packages are, as scikit-build-core would pass them."""
    paths = []
    for module, attribute in (("pybind11", "get_cmake_dir"), ("nanobind", "cmake_dir")):
        try:
            paths.append(getattr(__import__(module), attribute)())
        except (ImportError, AttributeError):
            pass
    return ";".join(paths)


def cmake_build_times(backends: list[str], jobs: int) -> dict:
    """Seconds to build each backend's CMake target from a fresh build folder (see module doc)."""
    cmake = shutil.which("cmake")
    if cmake is None:
        return {"error": "cmake not found"}
    compiled = [b for b in backends if b in CMAKE_TARGETS and b != "ctypes"]
    compiled = [b for b in compiled if (ROOT / "bindings" / b / "CMakeLists.txt").is_file()]
    results: dict = {"jobs": jobs, "targets": {}}
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        build = Path(tmp)
        configure = [cmake, "-S", str(ROOT), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release"]
        configure += [f"-DPython_EXECUTABLE={sys.executable}", f"-DBINDINGS_BACKENDS={';'.join(compiled)}"]
        configure += [f"-DCMAKE_PREFIX_PATH={_cmake_prefix_path()}"]
        if shutil.which("ninja"):
            configure += ["-G", "Ninja"]
        log(f"configuring a fresh CMake build ({', '.join(compiled)})")
        results["configure_s"] = _timed(configure, ROOT)
        log("building the C core (shared by every backend)")
        results["core_s"] = _timed(
            [cmake, "--build", str(build), "--target", "bcore_static", "-j", str(jobs)], ROOT
        )
        for name in ["ctypes", *compiled] if "ctypes" in backends else compiled:
            target = CMAKE_TARGETS[name]
            log(f"building {name} ({target})")
            try:
                seconds = _timed([cmake, "--build", str(build), "--target", target, "-j", str(jobs)], ROOT)
                results["targets"][name] = {"target": target, "seconds": seconds}
            except RuntimeError as exc:
                results["targets"][name] = {"target": target, "error": str(exc)}
        results["cache"] = _cmake_cache(build / "CMakeCache.txt")
    return results


def _cmake_cache(path: Path) -> dict[str, str]:
    keep = ("CMAKE_C_COMPILER", "CMAKE_CXX_COMPILER", "CMAKE_BUILD_TYPE", "CMAKE_C_FLAGS", "CMAKE_CXX_FLAGS")
    keep += ("CMAKE_C_FLAGS_RELEASE", "CMAKE_CXX_FLAGS_RELEASE", "CMAKE_GENERATOR")
    found = {}
    if path.is_file():
        for line in path.read_text(errors="replace").splitlines():
            key, _, value = line.partition("=")
            key = key.split(":")[0]
            if key in keep:
                found[key] = value
    return found


def cargo_build_time(jobs: int) -> dict:
    """Seconds for a clean release build of the PyO3 crate (see module doc)."""
    cargo = shutil.which("cargo")
    crate = ROOT / "bindings" / "pyo3"
    if cargo is None:
        return {"error": "cargo not found"}
    if not (crate / "Cargo.toml").is_file():
        return {"error": "bindings/pyo3/Cargo.toml not found"}
    with tempfile.TemporaryDirectory(prefix="bench-cargo-") as tmp:
        # A copy, laid out as in the repository (build.rs reads ../../c_core), so the build
        # starts clean and writes nothing (Cargo.lock, target/) into the source tree.
        copy = Path(tmp) / "src"
        shutil.copytree(ROOT / "c_core", copy / "c_core", ignore=shutil.ignore_patterns("build"))
        shutil.copytree(
            crate, copy / "bindings" / "pyo3", ignore=shutil.ignore_patterns("target", "__pycache__")
        )
        manifest = str(copy / "bindings" / "pyo3" / "Cargo.toml")
        env = dict(os.environ, PYO3_PYTHON=sys.executable, PYO3_BUILD_EXTENSION_MODULE="1")
        env["CARGO_TARGET_DIR"] = str(Path(tmp) / "target")
        log("fetching the PyO3 crate's dependencies (not timed)")
        _timed([cargo, "fetch", "--manifest-path", manifest], ROOT, env)
        log("building pyo3 (cargo build --release, clean)")
        command = [cargo, "build", "--release", "--offline", "-j", str(jobs), "--manifest-path", manifest]
        seconds = _timed(command, ROOT, env)
    return {"target": "cargo build --release", "seconds": seconds}


def _compile_package() -> None:
    """Writes the installed package's .pyc files, as an ordinary install has them.

    Without them (PYTHONDONTWRITEBYTECODE set, a read-only install), every fresh
    interpreter would compile the pure-Python backends again and their import time
    would measure the compiler.
    """
    spec = importlib.util.find_spec("bindings")
    if spec and spec.submodule_search_locations:
        folder = next(iter(spec.submodule_search_locations))
        subprocess.run([sys.executable, "-m", "compileall", "-q", folder], capture_output=True, check=False)


def measure(backends: list[str], *, build_time: bool, import_runs: int) -> dict:
    """Every static figure for the given (built) backends."""
    jobs = os.cpu_count() or 1
    _compile_package()
    figures: dict = {"backends": {}, "build_time_measured": build_time, "import_runs": import_runs}
    lines = count_lines.count_all(ROOT)
    for name in backends:
        log(f"{name}: artefacts, import time ({import_runs} fresh interpreters), lines")
        figures["backends"][name] = {
            "artefacts": artefacts(name),
            "import": import_figures(name, import_runs),
            "lines": lines.get(name, {}),
        }
        figures["backends"][name]["artefact_bytes"] = sum(
            a["bytes"] for a in figures["backends"][name]["artefacts"]
        )
    log(f"baseline: import bindings (NumPy and the package), {import_runs} runs")
    figures["package_import"] = import_figures("", import_runs)
    figures["extra_imports"] = {}
    for name in EXTRA_IMPORTS:
        if name.split(".")[0] in backends:
            figures["extra_imports"][name] = import_figures(name, import_runs)
    if build_time:
        build = cmake_build_times(backends, jobs)
        if "pyo3" in backends:
            try:
                build.setdefault("targets", {})["pyo3"] = cargo_build_time(jobs)
            except RuntimeError as exc:
                build.setdefault("targets", {})["pyo3"] = {"error": str(exc)}
        figures["build"] = build
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="the JSON file to write")
    parser.add_argument("--no-build-time", action="store_true", help="skip the build-time measurement")
    parser.add_argument("--import-runs", type=int, default=15, help="fresh interpreters per import figure")
    parser.add_argument("--backends", help="comma-separated (default: bindings.available())")
    args = parser.parse_args(argv)
    if args.backends:
        backends = [b for b in args.backends.split(",") if b]
    else:
        import bindings

        backends = list(bindings.available())
    figures = measure(backends, build_time=not args.no_build_time, import_runs=args.import_runs)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
