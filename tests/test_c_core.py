"""The C core on its own: strict warnings, sanitizers, and the detector's maths.

Nothing here imports the bindings: the sources are compiled directly with
each C compiler found on PATH, so a broken core is reported as such and not as
seven broken backends.
"""

from __future__ import annotations

import ctypes
import math
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "c_core"
SOURCES = sorted((CORE / "src").glob("*.c"))
SMOKE = CORE / "tests" / "smoke.c"
WARNINGS = ["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Wshadow", "-Wconversion", "-Werror"]
SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-g", "-O1"]
SANITIZER_MARKERS = ("runtime error", "AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer")
COMPILERS = ("cc", "gcc", "clang")


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kwargs)


def compiler(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"C compiler {name!r} not found on PATH")
    return path


def distinct_compiler(name: str) -> str:
    """Like compiler(), but skips names that are another listed compiler in disguise."""
    path = compiler(name)
    for other in COMPILERS[COMPILERS.index(name) + 1 :]:
        other_path = shutil.which(other)
        if other_path and os.path.realpath(other_path) == os.path.realpath(path):
            pytest.skip(f"{name!r} is the same compiler as {other!r}, tested there")
    return path


def any_compiler() -> str:
    for name in COMPILERS:
        path = shutil.which(name)
        if path is not None:
            return path
    pytest.skip(f"no C compiler found on PATH (tried {', '.join(COMPILERS)})")


def build(cc: str, out: Path, *extra: str) -> None:
    cmd = [cc, *WARNINGS, *extra, "-I", str(CORE / "include"), str(SMOKE), *map(str, SOURCES)]
    result = run([*cmd, "-o", str(out), "-lm"])
    assert result.returncode == 0, f"{' '.join(cmd)}\n{result.stdout}{result.stderr}"


def test_sources_exist() -> None:
    listed = (CORE / "CMakeLists.txt").read_text()
    assert SOURCES, "no C sources found"
    for source in SOURCES:
        assert f"src/{source.name}" in listed, f"{source.name} is not in c_core/CMakeLists.txt"


@pytest.mark.parametrize("name", COMPILERS)
def test_compiles_without_warnings(name: str, tmp_path: Path) -> None:
    cc = compiler(name)
    for opt in ("-O0", "-O2"):  # the optimiser enables extra flow-based warnings
        cmd = [cc, *WARNINGS, opt, "-I", str(CORE / "include"), "-c", *map(str, SOURCES)]
        result = run(cmd, cwd=tmp_path)
        assert result.returncode == 0, f"{' '.join(cmd)}\n{result.stdout}{result.stderr}"
        assert result.stderr == "", f"{' '.join(cmd)}\n{result.stderr}"


def test_smoke(tmp_path: Path) -> None:
    cc = any_compiler()
    exe = tmp_path / "smoke"
    build(cc, exe, "-O2")
    result = run([str(exe)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all checks passed" in result.stdout


@pytest.mark.parametrize("name", COMPILERS)
def test_smoke_under_sanitizers(name: str, tmp_path: Path) -> None:
    cc = distinct_compiler(name)
    env = {**os.environ, "ASAN_OPTIONS": "detect_leaks=1", "UBSAN_OPTIONS": "print_stacktrace=1"}
    probe = tmp_path / "probe.c"
    probe.write_text("#include <stdlib.h>\nint main(void) { free(malloc(1)); return 0; }\n")
    built = run([cc, *SANITIZE, str(probe), "-o", str(tmp_path / "probe")])
    if built.returncode != 0:
        pytest.skip(f"{name} cannot build with sanitizers: {built.stderr.strip()[:300]}")
    ran = run([str(tmp_path / "probe")], env=env)
    if ran.returncode != 0:
        pytest.skip(f"sanitized programs do not run here: {ran.stderr.strip()[:300]}")

    exe = tmp_path / "smoke-sanitized"
    build(cc, exe, *SANITIZE)
    result = run([str(exe)], env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert not any(marker in output for marker in SANITIZER_MARKERS), output


# ---- the detector against a direct NumPy transcription of bcore.h ---------


class NormalGamma(ctypes.Structure):
    _fields_ = [(f, ctypes.c_double) for f in ("mu0", "kappa0", "alpha0", "beta0")]


class Hazard(ctypes.Structure):
    _fields_ = [("rate", ctypes.c_double), ("max_run_length", ctypes.c_int64)]


@pytest.fixture(scope="module")
def c_library(tmp_path_factory: pytest.TempPathFactory) -> ctypes.CDLL:
    cc = any_compiler()
    lib = tmp_path_factory.mktemp("core") / "libbcore_test.so"
    cmd = [cc, "-std=c11", "-O2", "-shared", "-fPIC", "-I", str(CORE / "include")]
    result = run([*cmd, *map(str, SOURCES), "-o", str(lib), "-lm"])
    if result.returncode != 0:
        pytest.fail(result.stderr)
    dll = ctypes.CDLL(str(lib))
    dll.bc_detector_posterior.restype = ctypes.POINTER(ctypes.c_double)
    dll.bc_detector_update_many.argtypes = [
        ctypes.c_void_p,
        ctypes.POINTER(ctypes.c_double),
        ctypes.c_size_t,
        ctypes.POINTER(ctypes.c_int64),
        ctypes.c_void_p,  # check: NULL
        ctypes.c_void_p,  # its ctx
    ]
    dll.bc_live_allocations.restype = ctypes.c_int64
    return dll


def reference(xs, mu0, kappa0, alpha0, beta0, hazard, R):
    """The recursion exactly as bcore.h states it, in linear space."""
    r = np.arange(R + 1)
    kappa, alpha = kappa0 + r, alpha0 + r / 2
    nu = 2 * alpha
    log_c = np.array([math.lgamma((v + 1) / 2) - math.lgamma(v / 2) for v in nu])
    P = np.zeros(R + 1)
    P[0] = 1.0
    mu, beta = np.full(R + 1, mu0), np.full(R + 1, beta0)
    run_lengths = []
    for x in xs:
        s2 = beta * (kappa + 1) / (alpha * kappa)
        pred = np.exp(
            log_c - 0.5 * np.log(nu * np.pi * s2) - (nu + 1) / 2 * np.log1p((x - mu) ** 2 / (nu * s2))
        )
        w = P * pred
        new = np.zeros(R + 1)
        new[0] = hazard * w.sum()
        new[1:] = (1 - hazard) * w[:-1]
        new[R] += (1 - hazard) * w[R]
        P = new / new.sum()
        mu_next, beta_next = np.full(R + 1, mu0), np.full(R + 1, beta0)
        mu_next[1:] = (kappa[:-1] * mu[:-1] + x) / (kappa[:-1] + 1)
        beta_next[1:] = beta[:-1] + kappa[:-1] * (x - mu[:-1]) ** 2 / (2 * (kappa[:-1] + 1))
        mu, beta = mu_next, beta_next
        run_lengths.append(int(np.argmax(P)))
    return P, run_lengths


@pytest.mark.parametrize(
    ("model", "hazard", "R"),
    [((0.3, 2.0, 1.5, 0.7), 0.05, 7), ((0.0, 1.0, 1.0, 1.0), 0.01, 60), ((1.0, 0.1, 150.0, 3.0), 0.2, 20)],
)
def test_detector_matches_reference(c_library: ctypes.CDLL, model, hazard, R) -> None:
    rng = np.random.default_rng(R)
    xs = np.concatenate([rng.normal(0, 1, 70), rng.normal(4, 0.5, 50)])
    handle = ctypes.c_void_p()
    status = c_library.bc_detector_create(
        ctypes.byref(NormalGamma(*model)), ctypes.byref(Hazard(hazard, R)), ctypes.byref(handle)
    )
    assert status == 0
    try:
        out = np.empty(len(xs), dtype=np.int64)
        status = c_library.bc_detector_update_many(
            handle,
            xs.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
            len(xs),
            out.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)),
            None,
            None,
        )
        assert status == 0
        length = ctypes.c_size_t()
        posterior = np.ctypeslib.as_array(
            c_library.bc_detector_posterior(handle, ctypes.byref(length)), (R + 1,)
        ).copy()
        assert length.value == R + 1
    finally:
        c_library.bc_detector_destroy(handle)
    expected_posterior, expected_run_lengths = reference(xs, *model, hazard, R)
    np.testing.assert_allclose(posterior, expected_posterior, rtol=1e-9, atol=1e-13)
    assert out.tolist() == expected_run_lengths
    assert c_library.bc_live_allocations() == 0
