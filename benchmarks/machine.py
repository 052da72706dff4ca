"""machine.json: what the figures of a run were measured on.

    python benchmarks/machine.py --out machine.json

CPU (model, logical and usable cores, frequency governor), memory, OS, Python, the
compilers and flags the package was built with (from the CMake cache of the install's
build folder, when there is one), the versions of every binding library and tool, which
backends were built, and the load average when the run started and ended.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Python distributions whose versions matter to the figures.
DISTRIBUTIONS = (
    "numpy",
    "cffi",
    "Cython",
    "pybind11",
    "nanobind",
    "maturin",
    "scikit-build-core",
    "cmake",
    "ninja",
    "pytest",
    "pytest-benchmark",
    "matplotlib",
    "bindings",
    "bindings-pyo3",
)
#: Rust crates whose versions matter (read from the PyO3 crate's Cargo.lock).
CRATES = ("pyo3", "numpy", "cc")


def _first_line(command: list[str]) -> str | None:
    if shutil.which(command[0]) is None:
        return None
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (result.stdout or result.stderr).strip()
    return text.splitlines()[0] if text else None


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None


def cpu() -> dict:
    info: dict = {
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "logical_cores": os.cpu_count(),
    }
    if hasattr(os, "sched_getaffinity"):
        info["usable_cores"] = len(os.sched_getaffinity(0))
    cpuinfo = _read("/proc/cpuinfo")
    if cpuinfo:
        models = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
        if models:
            info["model"] = models[0].strip()
        cores = set(
            re.findall(r"^physical id\s*:\s*(\d+)\s*$.*?^core id\s*:\s*(\d+)\s*$", cpuinfo, re.M | re.S)
        )
        if cores:
            info["physical_cores"] = len(cores)
        mhz = re.findall(r"^cpu MHz\s*:\s*([\d.]+)", cpuinfo, re.M)
        if mhz:
            info["mhz_at_start"] = [float(m) for m in mhz]
        flags = re.findall(r"^flags\s*:\s*(.+)$", cpuinfo, re.M)
        if flags:
            info["hypervisor"] = "hypervisor" in flags[0].split()
    elif sys.platform == "darwin":
        info["model"] = _first_line(["sysctl", "-n", "machdep.cpu.brand_string"])
    governor = _read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")
    if governor:
        info["governor"] = governor
    return info


def memory() -> dict:
    meminfo = _read("/proc/meminfo")
    if meminfo:
        total = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.M)
        if total:
            return {"total_kib": int(total.group(1))}
    return {}


def operating_system() -> dict:
    info = {"platform": platform.platform(), "system": platform.system(), "release": platform.release()}
    os_release = _read("/etc/os-release")
    if os_release:
        pretty = re.search(r'^PRETTY_NAME="?([^"\n]+)"?', os_release, re.M)
        if pretty:
            info["distribution"] = pretty.group(1)
    return info


def python() -> dict:
    return {
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "compiler": platform.python_compiler(),
        "build": list(platform.python_build()),
        "gil_disabled": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "cc": sysconfig.get_config_var("CC"),
        "cflags": sysconfig.get_config_var("CFLAGS"),
    }


def _install_build_cache() -> Path | None:
    """The CMake cache of the package's last build (pyproject.toml: build-dir = build/{wheel_tag})."""
    caches = sorted((ROOT / "build").glob("*/CMakeCache.txt"), key=lambda p: p.stat().st_mtime)
    return caches[-1] if caches else None


def build(cmake_cache: Path | None) -> dict:
    """Compilers, their versions and the flags the compiled backends were built with."""
    info: dict = {}
    cache = cmake_cache or _install_build_cache()
    values: dict[str, str] = {}
    if cache and cache.is_file():
        info["cmake_cache"] = str(cache)
        wanted = {"CMAKE_BUILD_TYPE", "CMAKE_C_COMPILER", "CMAKE_CXX_COMPILER", "CMAKE_C_FLAGS"}
        wanted |= {"CMAKE_CXX_FLAGS", "CMAKE_C_FLAGS_RELEASE", "CMAKE_CXX_FLAGS_RELEASE", "CMAKE_GENERATOR"}
        wanted |= {"BINDINGS_BACKENDS", "BINDINGS_WERROR"}
        for line in cache.read_text(errors="replace").splitlines():
            key, _, value = line.partition("=")
            key = key.split(":")[0]
            if key in wanted:
                values[key] = value
        info["cmake"] = values
    c_compiler = values.get("CMAKE_C_COMPILER") or sysconfig.get_config_var("CC") or "cc"
    cxx_compiler = values.get("CMAKE_CXX_COMPILER") or "c++"
    info["c_compiler"] = _first_line([c_compiler.split()[0], "--version"])
    info["cxx_compiler"] = _first_line([cxx_compiler.split()[0], "--version"])
    build_type = values.get("CMAKE_BUILD_TYPE", "")
    if build_type:
        suffix = f"_{build_type.upper()}"
        info["c_flags"] = " ".join(
            filter(None, [values.get("CMAKE_C_FLAGS"), values.get("CMAKE_C_FLAGS" + suffix)])
        )
        info["cxx_flags"] = " ".join(
            filter(None, [values.get("CMAKE_CXX_FLAGS"), values.get("CMAKE_CXX_FLAGS" + suffix)])
        )
    info["rustc"] = _first_line(["rustc", "--version"])
    info["cargo"] = _first_line(["cargo", "--version"])
    info["cmake_version"] = _first_line(["cmake", "--version"])
    cargo_toml = _read(str(ROOT / "bindings" / "pyo3" / "Cargo.toml"))
    if cargo_toml:
        profile = re.search(r"^\[profile\.release\]\n((?:[^\[].*\n?)*)", cargo_toml, re.M)
        if profile:
            lines = [line.split("#")[0].strip() for line in profile.group(1).splitlines()]
            info["cargo_release_profile"] = [line for line in lines if line]
    return info


def versions() -> dict:
    found: dict = {}
    for name in DISTRIBUTIONS:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    found["python"] = platform.python_version()
    lock = _read(str(ROOT / "bindings" / "pyo3" / "Cargo.lock"))
    crates: dict = {}
    if lock:
        for block in lock.split("[[package]]"):
            name = re.search(r'^name = "([^"]+)"', block, re.M)
            version = re.search(r'^version = "([^"]+)"', block, re.M)
            if name and version and name.group(1) in CRATES:
                crates[name.group(1)] = version.group(1)
    else:
        cargo_toml = _read(str(ROOT / "bindings" / "pyo3" / "Cargo.toml")) or ""
        for crate in CRATES:
            requirement = re.search(rf'^{crate}\s*=\s*"([^"]+)"', cargo_toml, re.M)
            if requirement:
                crates[crate] = f"{requirement.group(1)} (requirement; no Cargo.lock)"
    found["crates"] = crates
    return found


def backends() -> dict:
    try:
        import bindings
    except ImportError as exc:
        return {"error": str(exc)}
    status = {}
    for name in bindings.BACKENDS:
        try:
            bindings.load(name)
            status[name] = "built"
        except ImportError as exc:
            status[name] = f"not built: {exc}"
    return status


def load_average() -> list[float] | None:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def describe(cmake_cache: Path | None = None) -> dict:
    return {
        "hostname": socket.gethostname(),
        "recorded_at_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpu": cpu(),
        "memory": memory(),
        "os": operating_system(),
        "python": python(),
        "build": build(cmake_cache),
        "versions": versions(),
        "backends": backends(),
        "load_average_start": load_average(),
    }


def summary(machine: dict) -> str:
    """One line: the machine a report was made on."""
    cpu_info = machine.get("cpu", {})
    model = cpu_info.get("model") or cpu_info.get("processor") or cpu_info.get("machine") or "unknown CPU"
    cores = cpu_info.get("usable_cores") or cpu_info.get("logical_cores")
    os_name = machine.get("os", {}).get("distribution") or machine.get("os", {}).get("platform", "")
    py = machine.get("python", {})
    compiler = (machine.get("build", {}).get("c_compiler") or "").strip()
    parts = [
        model,
        f"{cores} cores" if cores else None,
        os_name,
        f"{py.get('implementation', 'Python')} {py.get('version', '')}",
    ]
    if compiler:
        parts.append(compiler)
    return ", ".join(p for p in parts if p)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--cmake-cache", type=Path, help="CMakeCache.txt of the build (default: newest under build/)"
    )
    args = parser.parse_args(argv)
    args.out.write_text(json.dumps(describe(args.cmake_cache), indent=2) + "\n")
    print(f"[machine] wrote {args.out}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
