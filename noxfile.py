"""Sessions: `nox -s tests` builds the package and runs the shared suite; `nox -s lint` checks style.

Others: `bench` (benchmarks and report), `overhead` (instruction counts; with
`bench_on-<X.Y>` and `overhead_on-<X.Y>`, one interpreter's part of them), `from_scratch`
(the tutorials' minimal projects, built and shipped), `wheels` (this package's wheels, built
and checked as a release would), `sanitize` (ASan + UBSan), `memcheck` (valgrind) and
`fuzz` (long differential fuzzing and thread stress). Each session builds the package
into its own virtual environment, so the only things a machine needs are Python, a
C/C++ compiler and, for PyO3, cargo (and valgrind for memcheck).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
nox.needs_version = ">=2024.3.2"
nox.options.default_venv_backend = "venv"
nox.options.sessions = ["tests"]

#: Same order as bindings.BACKENDS (the noxfile cannot import the package it builds).
BACKENDS = ("capi", "ctypes", "cffi", "cython", "pybind11", "nanobind", "pyo3")


def _pyenv_versions() -> list[Path]:
    """The bin folders of every CPython pyenv has installed, selected or not, newest patch first.

    pyenv's shims run only the selected versions; the interpreters themselves sit in
    ``$(pyenv root)/versions/<version>/bin``. Read there, nothing of pyenv's is changed.
    """
    root = os.environ.get("PYENV_ROOT")
    if not root and shutil.which("pyenv"):
        root = subprocess.run(["pyenv", "root"], capture_output=True, text=True).stdout.strip()
    versions = Path(root or Path.home() / ".pyenv") / "versions"
    if not versions.is_dir():
        return []

    def patch_order(path: Path) -> tuple[int, ...]:
        numbers = path.name.rstrip("t").split(".")
        return tuple(int(n) if n.isdigit() else -1 for n in numbers)

    return [path / "bin" for path in sorted(versions.iterdir(), key=patch_order, reverse=True)]


def _installed_pythons() -> list[str] | None:
    """Every CPython 3.10+ on this machine that starts: on PATH, or installed by pyenv.

    Free-threaded builds (``python3.13t``) count like any other. A name on PATH is not
    enough: pyenv's shims for versions that are not selected fail when run. So the bin
    folder of each interpreter found through pyenv goes first on this process's PATH,
    where nox looks for ``python3.X`` (``nox -p 3.13`` then picks that one).
    """
    found: dict[str, str | None] = {}  # version -> the pyenv folder it is in (None: on PATH)
    for folder in [None, *_pyenv_versions()]:  # None: PATH as it is
        for minor in range(10, 20):
            for version in (f"3.{minor}", f"3.{minor}t"):
                exe = shutil.which(f"python{version}", path=folder and str(folder))
                if version in found or exe is None:
                    continue
                if subprocess.run([exe, "-c", "pass"], capture_output=True).returncode == 0:
                    found[version] = folder and str(folder)
    folders = dict.fromkeys(folder for folder in found.values() if folder)
    os.environ["PATH"] = os.pathsep.join([*folders, os.environ.get("PATH", "")])
    return sorted(found, key=lambda v: (int(v.split(".")[1].rstrip("t")), v)) or None  # None: nox's own


PYTHONS = _installed_pythons()


def _free_threaded(session: nox.Session) -> bool:
    """Whether the session's interpreter is a free-threaded CPython (3.13t, 3.14t...)."""
    probe = "import sysconfig; print(bool(sysconfig.get_config_var('Py_GIL_DISABLED')))"
    return session.run("python", "-c", probe, silent=True, log=False).strip() == "True"


_NO_CARGO = "pyo3 skipped: no cargo on PATH. Install Rust (https://rustup.rs) to build it."


#: The library versions the committed measurements were made with (see the file).
MEASURED_VERSIONS = ROOT / "benchmarks" / "constraints.txt"


def _install_package(
    session: nox.Session, *extras: str, sanitize: str = "", pinned: bool = False, symbols: bool = False
) -> list[str]:
    """Builds and installs the package (and the PyO3 crate when cargo exists).

    ``sanitize="address,undefined"`` instruments the core and every backend (in their
    own build folders, so the normal build is not redone). ``pinned`` installs the
    versions of ``benchmarks/constraints.txt``, build dependencies included. ``symbols``
    keeps the compiled modules' symbol tables (the same code, unstripped), so that
    callgrind's profiles name our functions rather than their addresses. Returns the
    backends that must therefore be importable.
    """
    target = f".[{','.join(extras)}]" if extras else "."
    # Warnings are errors in the core and every compiled backend here, so CI keeps them warning-free.
    settings = ["--config-settings=cmake.define.BINDINGS_WERROR=ON"]
    pyo3_env = {}
    if symbols:
        settings += [
            "--config-settings=install.strip=false",
            "--config-settings=cmake.define.BINDINGS_KEEP_SYMBOLS=ON",
        ]
        pyo3_env["CARGO_PROFILE_RELEASE_STRIP"] = "none"
    if sanitize:
        settings += [
            f"--config-settings=cmake.define.BINDINGS_SANITIZE={sanitize}",
            "--config-settings=build-dir=build/sanitize/{wheel_tag}",
        ]
        flags = f"-fsanitize={sanitize} -fno-sanitize-recover=all -fno-omit-frame-pointer -g"
        # The cc crate compiles the core with CFLAGS; the Rust side stays uninstrumented.
        pyo3_env = {
            "CFLAGS": flags,
            "RUSTFLAGS": f"-C link-arg=-fsanitize={sanitize}",
            "CARGO_TARGET_DIR": str(ROOT / "build" / "pyo3-sanitize"),
        }
    # PIP_CONSTRAINT rather than -c: pip passes the variable on to the isolated build environments.
    pins = {"PIP_CONSTRAINT": str(MEASURED_VERSIONS)} if pinned else {}
    session.install(*settings, target, env=pins)
    # What this interpreter can load: the backends and the stable-ABI builds its version
    # allows (the package's own rule, bindings.builds_for), asked of the session's
    # interpreter directly, since session.run runs nothing under --no-install or --install-only.
    python = shutil.which("python", path=session.bin)
    ask = [str(python), "-c", "import bindings; print(*bindings.builds_for())"]
    builds = subprocess.run(ask, cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    if shutil.which("cargo"):
        session.install("./bindings/pyo3", env={**pyo3_env, **pins})
        if "pyo3-abi3" in builds:  # the stable-ABI build of the same crate
            session.install("./bindings/pyo3/abi3", env={**pyo3_env, **pins})
    else:
        session.warn(_NO_CARGO)
        builds = [name for name in builds if not name.startswith("pyo3")]
    return builds


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Builds every backend and runs the shared suite against each."""
    required = _install_package(session, "test")
    env = {
        "BINDINGS_REQUIRED": ",".join(required),
        "HYPOTHESIS_PROFILE": os.environ.get("HYPOTHESIS_PROFILE", "ci"),
    }
    if _free_threaded(session):
        # Every backend declares that it needs the GIL (bindings/README.md, "Free-threading"),
        # so a free-threaded CPython turns the GIL on when one is imported, with a warning
        # that the suite would treat as an error. PYTHON_GIL=1 is that same state from the start.
        env["PYTHON_GIL"] = "1"
    # Run from outside the source tree, so `import bindings` finds the
    # installed package with its compiled modules, never the bare sources.
    session.chdir(session.create_tmp())
    # One worker per core (pytest-xdist), each test file in one worker, so that a file's
    # session fixtures (the fault-injection sweep) run once; `-- -n 0` runs in one process.
    parallel = ["-n", "auto", "--dist", "loadfile"]
    session.run("pytest", *parallel, str(ROOT / "tests"), str(ROOT / "tutorials"), *session.posargs, env=env)


#: The newest CPython here that has the GIL: the from-scratch projects' subinterpreter check
#: needs 3.12+ (a GIL per interpreter), and the chapters build for the default, GIL build.
NEWEST_WITH_GIL = next((version for version in reversed(PYTHONS or []) if not version.endswith("t")), None)


@nox.session(python=NEWEST_WITH_GIL)
def chapter(session: nox.Session) -> None:
    """Runs the code of the chapters named by number (`-- 02 11`), and their appendices, as the suite runs it.

    Builds the package and every backend, then runs each chapter under Sybil: its Python
    blocks in order, its included and generated blocks compared with their sources.
    """
    if not session.posargs:
        session.error("name the chapters to run by number: nox -s chapter -- 02 11")
    chapters = []
    for number in session.posargs:
        found = sorted((ROOT / "tutorials").glob(f"{int(number):02d}-*.md"))
        found += sorted((ROOT / "tutorials").glob(f"{int(number):02d}a-*.md"))  # its appendix
        if not found:
            session.error(f"no chapter numbered {number} in tutorials/")
        chapters += [str(path) for path in found]
    required = _install_package(session, "test")
    session.chdir(session.create_tmp())  # outside the source tree: `import bindings` is the installed one
    session.run("pytest", "-p", "no:cacheprovider", *chapters, env={"BINDINGS_REQUIRED": ",".join(required)})


#: What shipping a wheel and planning a release need: the `release` extra, read from
#: pyproject.toml and installed alone (installing `.[release]` would build the package).
RELEASE_TOOLS = nox.project.load_toml(ROOT / "pyproject.toml")["project"]["optional-dependencies"]["release"]


@nox.session(python=NEWEST_WITH_GIL)
def from_scratch(session: nox.Session) -> None:
    """Builds and runs each tutorial's "from scratch" project, exactly as its chapter says, then ships it.

    Each in an empty folder with a fresh virtual environment (`-- ctypes cffi` picks some),
    then checks what its module does in subinterpreters against what its code declares,
    then builds its sdist and wheel, checks them and installs the wheel where no compiler
    can be found (tools/shipping.py; `-- --record FILE` keeps what it found).
    """
    required = ["--require-all"] if shutil.which("cargo") else []
    if not required:
        session.warn(_NO_CARGO)
    session.install(*RELEASE_TOOLS)
    session.run("python", str(ROOT / "tutorials" / "tools" / "from_scratch.py"), *required, *session.posargs)


@nox.session(python=NEWEST_WITH_GIL)
def wheels(session: nox.Session) -> None:
    """Ships this package as a release would, and checks what a user would install.

    The sdist, the wheel built from it alone, and the PyO3 wheels (maturin), each checked
    with auditwheel, then all installed in a fresh environment where no compiler can be
    found, where every build this interpreter allows must import (tools/shipping.py;
    `-- --record FILE` keeps what it found). Then the release workflow's build plan:
    what cibuildwheel would build from pyproject.toml's [tool.cibuildwheel]
    (tools/release_plan.py).
    """
    if shutil.which("cargo") is None:
        session.error(_NO_CARGO.replace("skipped", "wheels cannot be built"))
    session.install(*RELEASE_TOOLS)
    session.run("python", str(ROOT / "tools" / "shipping.py"), *session.posargs)
    session.run("python", str(ROOT / "tools" / "release_plan.py"))


#: Tests that cannot run under a sanitizer or valgrind, or gain nothing there:
#: test_c_core compiles and sanitizes the core itself; the overhead check runs
#: valgrind; the benchmark smoke test only times.
_UNINSTRUMENTABLE = (
    "test_c_core.py",
    "test_overhead_check.py",
    "test_benchmarks_smoke.py",
    "test_stubs.py",  # mypy's stubtest: slow under a sanitizer, and it reads no memory of ours
)


# region: sanitize-session
@nox.session
def sanitize(session: nox.Session) -> None:
    """Builds the core and every backend with AddressSanitizer + UBSan and runs the suite under them.

    Fails on any sanitizer report and on any leak through our code
    (tests/reliability/sanitizers.py says how leaks are told apart). Arguments go to pytest.
    """
    required = _install_package(session, "test", sanitize="address,undefined")
    env = {"BINDINGS_REQUIRED": ",".join(required), "HYPOTHESIS_PROFILE": "ci"}
    ignore = [f"--ignore={ROOT / 'tests' / name}" for name in _UNINSTRUMENTABLE]
    session.chdir(session.create_tmp())
    args = session.posargs or [str(ROOT / "tests"), *ignore]
    session.run("python", str(ROOT / "tests" / "reliability" / "sanitizers.py"), *args, env=env)


# endregion: sanitize-session


# region: memcheck-session
@nox.session
def memcheck(session: nox.Session) -> None:
    """Runs a representative part of the suite under valgrind memcheck (PYTHONMALLOC=malloc).

    Default: test_functions, test_errors, test_ownership and test_fault_injection on every
    backend (about 8 minutes on 2 cores); arguments go to pytest instead.
    """
    if shutil.which("valgrind") is None:
        session.error("valgrind not found: install it (Debian: apt-get install valgrind)")
    required = _install_package(session, "test")
    env = {"BINDINGS_REQUIRED": ",".join(required), "HYPOTHESIS_PROFILE": "ci", "OWNERSHIP_REPEATS": "500"}
    session.chdir(session.create_tmp())
    session.run("python", str(ROOT / "tests" / "reliability" / "memcheck.py"), *session.posargs, env=env)


# endregion: memcheck-session


@nox.session
def fuzz(session: nox.Session) -> None:
    """Differential fuzzing for a fixed time (seed printed), then a long thread stress.

    `-- --minutes 30 --seed 1234 --examples 5000` (defaults: 10 minutes, a random seed);
    STRESS_SECONDS sets the stress time per backend (default 60).
    """
    required = _install_package(session, "test")
    env = {"BINDINGS_REQUIRED": ",".join(required)}
    session.chdir(session.create_tmp())
    session.run("python", str(ROOT / "tests" / "reliability" / "fuzz.py"), *session.posargs, env=env)
    stress = {**env, "STRESS_SECONDS": os.environ.get("STRESS_SECONDS", "60")}
    session.run("pytest", str(ROOT / "tests" / "test_stress.py"), "-p", "no:cacheprovider", env=stress)


#: The tests whose outcomes make the compatibility matrix (benchmarks/report/compat.py).
COMPAT_TESTS = ("test_conformance.py", "test_compat.py", "test_interrupt.py", "test_subinterpreters.py")


def _bench_runs():
    """benchmarks/runs.py, imported by its path: where a run's files go (standard library only)."""
    spec = importlib.util.spec_from_file_location("bench_runs", ROOT / "benchmarks" / "runs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _chosen_pythons(session: nox.Session, chosen: str | None, default: list[str]) -> list[str]:
    """The interpreters ``--pythons 3.11,3.13`` names (each must be one nox found), else ``default``."""
    versions = [v.strip() for v in chosen.split(",") if v.strip()] if chosen else default
    unknown = [v for v in versions if v not in (PYTHONS or [])]
    if unknown and chosen:
        session.error(
            f"no CPython {', '.join(unknown)} on this machine; nox found: {', '.join(PYTHONS or [])}"
        )
    return versions


def _session_for(name: str, version: str) -> str:
    """The parametrized session of ``name`` for one interpreter ("bench_on-3.12")."""
    return f"{name}-{version}" if PYTHONS else name  # nox found none: one session, on its own interpreter


@nox.session(python=False)
def bench(session: nox.Session) -> None:
    """Builds every backend on each interpreter, benchmarks it and writes benchmarks/results/<run>/.

    `-- --pythons 3.10,3.13` picks the interpreters (default: every one nox finds). The
    primary one (`--primary 3.12`; default: the interpreter running nox if picked, else the
    newest) runs every benchmark and writes report.md and the plots; each other one runs
    first and measures its part into the run's versions/<X.Y>/: the headline call patterns
    and every instruction count (benchmarks/README.md says why). Each runs in a session of
    its own, `bench_on-<X.Y>`, with its own build. `-- --quick` measures fewer sizes and
    rounds and skips build times and shipping (for CI); `--out FOLDER` names the run folder; other
    arguments go to benchmarks/run.py (`python benchmarks/run.py --help`). A full run also
    rewrites the results section of README.md from its report.
    """
    runs = _bench_runs()
    parser = argparse.ArgumentParser(prog="nox -s bench --", allow_abbrev=False, add_help=False)
    parser.add_argument("--pythons", metavar="X.Y,X.Y")
    parser.add_argument("--primary", metavar="X.Y")
    parser.add_argument("--out", type=Path)
    options, args = parser.parse_known_args(session.posargs)
    own = runs.interpreter_version()
    versions = _chosen_pythons(session, options.pythons, default=PYTHONS or [own])
    primary = options.primary or (own if own in versions else max(versions, key=runs.version_order))
    if primary not in versions:
        session.error(f"--primary {primary} is not among the interpreters measured ({', '.join(versions)})")
    ours = args[: args.index("--")] if "--" in args else args  # run.py's own options, not pytest's
    mode = "smoke" if "--smoke" in ours else "quick" if "--quick" in ours else "full"
    folder = (options.out or runs.default_folder(mode)).resolve()
    others = [version for version in versions if version != primary]
    session.log(
        f"[bench] run folder {folder}: CPython {primary} in full"
        + (f", then {', '.join(others)} in part first" if others else "")
    )
    if mode == "full":  # the report's shipping table: what shipping each wheel found
        session.notify("from_scratch", ["--record", str(folder / "shipping" / "from_scratch.json")])
        session.notify("wheels", ["--record", str(folder / "shipping" / "package.json")])
    for version in others:
        session.notify(_session_for("bench_on", version), ["--version-of", str(folder), *args])
    session.notify(
        _session_for("bench_on", primary), ["--out", str(folder), "--readme", str(ROOT / "README.md"), *args]
    )


@nox.session(python=PYTHONS)
def bench_on(session: nox.Session) -> None:
    """One interpreter's part of `nox -s bench`, which runs it; alone, a run on that interpreter only.

    Arguments go to benchmarks/run.py. Unless it measures a further interpreter's part
    (`--version-of`), it refreshes the tutorials' tables and figures afterwards: they come
    from the latest full run.
    """
    session.log(f"[bench] building the package and every backend for {session.python or 'this interpreter'}")
    required = _install_package(session, "bench", "test", pinned=True, symbols=True)
    env = {"BINDINGS_REQUIRED": ",".join(required)}
    # From outside the source tree, so `import bindings` finds the installed package.
    session.chdir(session.create_tmp())
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--out", "--version-of", dest="folder", type=Path)
    folder = parser.parse_known_args(session.posargs)[0].folder
    if folder:  # the run's compatibility record: what the suite's compatibility tests observe here
        record = {**env, "BINDINGS_COMPAT_OUT": str(folder.resolve() / "compat"), "HYPOTHESIS_PROFILE": "ci"}
        tests = [str(ROOT / "tests" / name) for name in COMPAT_TESTS]
        session.run("pytest", *tests, "-q", "-p", "no:cacheprovider", env=record)
    session.run("python", str(ROOT / "benchmarks" / "run.py"), *session.posargs, env=env)
    if "--version-of" not in session.posargs:
        session.run("python", str(ROOT / "tutorials" / "tools" / "sync.py"), "--write")


def _need_valgrind(session: nox.Session) -> None:
    """Skips the session, saying why, when valgrind is missing; fails it in CI."""
    if shutil.which("valgrind") is None:
        message = "valgrind not found: the overhead gate needs it (Debian: apt-get install valgrind)"
        if os.environ.get("CI"):
            session.error(message)
        session.skip(message)


@nox.session
def overhead(session: nox.Session) -> None:
    """Counts the instructions one call costs on every build (callgrind) and fails when they rise.

    `nox -s overhead` compares with the committed baseline of its interpreter's version,
    benchmarks/overhead/baselines/<X.Y>.json; a version without one is measured and not
    gated, which the output says. `-- --pythons 3.11,3.13` measures each of these
    interpreters (each other than nox's own in a session of its own, `overhead_on-<X.Y>`,
    results in build/overhead/<X.Y>/). `-- --against REV` builds git revision REV in a
    worktree and compares with it (the robust way in CI); `-- --update-baseline` rewrites
    the committed baseline of each version measured. Other arguments go to
    benchmarks/overhead/run.py (`python benchmarks/overhead/run.py --help`).

    The README's test command runs it, so CI gates every commit on the committed baseline.
    Without valgrind it is skipped with the reason, except in CI, where it must run.
    """
    _need_valgrind(session)
    runs = _bench_runs()
    parser = argparse.ArgumentParser(prog="nox -s overhead --", allow_abbrev=False, add_help=False)
    parser.add_argument("--pythons", metavar="X.Y,X.Y")
    options, args = parser.parse_known_args(session.posargs)
    own = runs.interpreter_version()
    versions = _chosen_pythons(session, options.pythons, default=[own])
    several = len(versions) > 1 and not any(arg.startswith("--out") for arg in args)

    def arguments(version: str) -> list[str]:
        out = [f"--out={ROOT / 'build' / 'overhead' / version}"] if several else []
        return [*args, *out]

    for version in versions:
        if version != own:
            session.notify(_session_for("overhead_on", version), arguments(version))
    if own in versions:  # nox's own interpreter in this session, as CI has always run it
        _measure_overhead(session, arguments(own))


@nox.session(python=PYTHONS)
def overhead_on(session: nox.Session) -> None:
    """`nox -s overhead` on one interpreter (`nox -s overhead -- --pythons ...` runs it); same arguments."""
    _need_valgrind(session)
    _measure_overhead(session, list(session.posargs))


def _measure_overhead(session: nox.Session, args: list[str]) -> None:
    """Builds this tree (and with ``--against REV`` that revision) and runs the overhead check."""
    parser = argparse.ArgumentParser(prog="nox -s overhead --", allow_abbrev=False, add_help=False)
    parser.add_argument("--against", metavar="REV")
    options, args = parser.parse_known_args(args)
    runner = ("python", str(ROOT / "benchmarks" / "overhead" / "run.py"))
    tmp = Path(session.create_tmp()).resolve()
    if options.against:
        if "--update-baseline" in args:
            session.error("--update-baseline rewrites the committed baseline: run it without --against")
        git = ("git", "-C", str(ROOT))
        revision = session.run(
            *git, "rev-parse", "--verify", f"{options.against}^{{commit}}", external=True, silent=True
        )
        label = f"{options.against} ({revision.strip()[:12]})"
        against = f"against-{session.python}" if session.python else "against"  # one per interpreter
        source, results = tmp / "against", ROOT / "build" / "overhead" / against
        shutil.rmtree(source, ignore_errors=True)  # left by an interrupted run
        session.run(*git, "worktree", "prune", external=True)
        session.run(*git, "worktree", "add", "--detach", str(source), revision.strip(), external=True)
        try:
            session.log(f"[overhead] building and measuring {label}")
            session.chdir(source)
            _install_package(session, pinned=True)
            session.chdir(tmp)
            session.run(
                *runner,
                *args,
                "--no-compare",
                f"--out={results}",
                f"--label={label}",
                f"--pins={MEASURED_VERSIONS}",
            )
        finally:
            session.chdir(ROOT)
            session.run(*git, "worktree", "remove", "--force", str(source), external=True)
        args += [f"--baseline={results / 'overhead.json'}"]
    session.log("[overhead] building and measuring this tree")
    required = _install_package(session, pinned=True)
    if not any(arg.startswith("--backends") for arg in args):
        # Every build this interpreter should load, the stable-ABI ones included: one that
        # should build and does not is an error; one the baseline lacks is measured, not gated.
        args.append(f"--backends={','.join(required)}")
    session.chdir(tmp)  # outside the source tree, so `import bindings` finds the installed package
    session.run(*runner, *args, f"--pins={MEASURED_VERSIONS}")


@nox.session
def lint(session: nox.Session) -> None:
    """Every language we write: ruff (Python), clang-format (C, C++), cython-lint (Cython),
    cargo fmt and clippy (Rust), and the stubs against the interface they are generated from."""
    session.install("ruff", "clang-format", "cython-lint", "numpy")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    patterns = ("c_core/**/*.[ch]", "bindings/**/*.[ch]", "bindings/**/*.[ch]pp")
    sources = sorted(str(path) for pattern in patterns for path in ROOT.glob(pattern))
    session.run("clang-format", "--dry-run", "--Werror", *sources)
    cython = sorted(
        str(path) for pattern in ("*.pyx", "*.pxd") for path in (ROOT / "bindings").rglob(pattern)
    )
    session.run("cython-lint", *cython)
    session.run("python", str(ROOT / "tools" / "stubs.py"), "--check")
    if shutil.which("cargo") is None:
        session.warn(_NO_CARGO.replace("skipped", "not linted"))
        return
    crate = ROOT / "bindings" / "pyo3"
    target = {"CARGO_TARGET_DIR": str(ROOT / "build" / "pyo3-lint")}
    session.run("cargo", "fmt", "--check", "--manifest-path", str(crate / "Cargo.toml"), external=True)
    clippy = ("cargo", "clippy", "--manifest-path", str(crate / "Cargo.toml"), "--all-targets", "--locked")
    session.run(*clippy, "--", "-D", "warnings", external=True, env=target)
