"""Imports a module and calls it in a subinterpreter, and reports what happened.

    python tools/subinterpreters.py MODULE CALL --scenario isolated [--expect works|refuses]

runs ``import MODULE`` and then the Python expression CALL inside a new subinterpreter
of this process. Without ``--expect`` it prints one line ``subinterpreter-result:
{json}`` for a program to read (``parse``): whether both worked, or what they raised
(type, message, traceback, and whether it was an ImportError raised by the import).
With ``--expect`` it prints a sentence, and the exit status says whether the outcome
was the expected one: 0 yes, 1 no. Either way, 2 means the probe itself could not run
(a scenario this CPython lacks, or a module that fails in the main interpreter too). A
crash kills the process, so run it in a child process: ``tests/test_subinterpreters.py``
does, once per build and scenario, and ``tutorials/tools/from_scratch.py`` does for
each chapter's minimal module.

The scenarios:

``legacy``
    a fresh process, one subinterpreter that shares the main interpreter's GIL and
    allocator and imports any extension module (what ``Py_NewInterpreter()`` makes);
``isolated``
    a fresh process, one subinterpreter with its own GIL (PEP 684). CPython then
    imports only extension modules that declare they support it
    (``Py_mod_multiple_interpreters`` = ``Py_MOD_PER_INTERPRETER_GIL_SUPPORTED``) and
    raises ImportError for any other;
``main-then-legacy``, ``main-then-isolated``
    the main interpreter imports and calls the module first, then a subinterpreter
    of that kind does: the case of a module that keeps process-wide state.

CPython offers subinterpreters to Python code only through private modules, which
changed with every version; ``create`` and ``run`` below hide the differences:

- 3.10 and 3.11: ``_xxsubinterpreters.create(isolated=...)``. Every subinterpreter
  shares the one GIL and any extension module loads in it; ``isolated=True`` (the
  default) only forbids threads, fork and exec there. So only ``legacy`` exists
  (https://github.com/python/cpython/blob/v3.11.7/Modules/_xxsubinterpretersmodule.c).
- 3.12: ``_xxsubinterpreters.create(isolated=True)`` makes an interpreter with its own
  GIL that checks extension modules, ``isolated=False`` a legacy one
  (https://github.com/python/cpython/blob/v3.12.1/Modules/_xxsubinterpretersmodule.c).
  An exception escaping ``run_string`` is re-raised as ``RunFailedError``.
- 3.13 and later: ``_interpreters.create("isolated" | "legacy")`` (a named
  ``PyInterpreterConfig``), and ``_interpreters.exec`` returns a description of an
  exception that escaped rather than raising it
  (https://github.com/python/cpython/blob/v3.13.0/Modules/_interpretersmodule.c).
  3.14's public ``concurrent.interpreters`` (PEP 734) creates isolated interpreters
  only, so the private module stays the way to get a legacy one.

The code run in the subinterpreter catches everything itself, so an escaping
exception means the probe is broken, and is reported as such.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile

SCENARIOS = ("legacy", "isolated", "main-then-legacy", "main-then-isolated")
#: The first CPython whose subinterpreters may have their own GIL (PEP 684).
PER_INTERPRETER_GIL = (3, 12)
RESULT_PREFIX = "subinterpreter-result: "


def unavailable(scenario: str) -> str | None:
    """Why this CPython cannot run the scenario, or None if it can."""
    if scenario.endswith("isolated") and sys.version_info < PER_INTERPRETER_GIL:
        return (
            f"CPython {sys.version_info[0]}.{sys.version_info[1]} has no subinterpreter with its own GIL "
            "(PEP 684, CPython 3.12): every subinterpreter shares the GIL and imports any module"
        )
    return None


def create(isolated: bool) -> int:
    """A new subinterpreter: with its own GIL (``isolated``) or a legacy one; returns its id."""
    if sys.version_info >= (3, 13):
        import _interpreters

        return _interpreters.create("isolated" if isolated else "legacy")
    import _xxsubinterpreters

    if isolated and sys.version_info < PER_INTERPRETER_GIL:
        raise RuntimeError(unavailable("isolated"))
    # Before 3.12, isolated=True only forbids threads, fork and exec (see the docstring).
    return _xxsubinterpreters.create(isolated=isolated)


def run(interpreter: int, code: str) -> str | None:
    """Runs ``code`` in the subinterpreter; None, or the text of an exception that escaped."""
    if sys.version_info >= (3, 13):
        import _interpreters

        escaped = _interpreters.exec(interpreter, code)
        return None if escaped is None else escaped.errdisplay
    import _xxsubinterpreters

    try:
        _xxsubinterpreters.run_string(interpreter, code)
    except _xxsubinterpreters.RunFailedError as error:
        return str(error)
    return None


def destroy(interpreter: int) -> None:
    if sys.version_info >= (3, 13):
        import _interpreters

        _interpreters.destroy(interpreter)
    else:
        import _xxsubinterpreters

        _xxsubinterpreters.destroy(interpreter)


#: Runs in the subinterpreter: import, call, and the result written to a file for the main
#: interpreter (a file: no object can pass between interpreters on every version).
_PROBE = """
import json, traceback
result = {{"interpreter": {kind!r}, "main_imported_first": {main_first!r}}}
namespace = {{}}
phase = "import"
try:
    exec("import " + {module!r}, namespace)
    phase = "call"
    result["value"] = repr(eval({call!r}, namespace))
    result["outcome"] = "works"
except BaseException as error:
    result.update(
        outcome="raised",
        phase=phase,
        error_type=type(error).__module__ + "." + type(error).__qualname__,
        error=str(error),
        import_error=isinstance(error, ImportError),
        traceback=traceback.format_exc(),
    )
with open({path!r}, "w", encoding="utf-8") as file:
    json.dump(result, file)
"""


def probe(module: str, call: str, scenario: str) -> dict:
    """The scenario's result (see the module docstring); RuntimeError if the probe broke."""
    main_first = scenario.startswith("main-then-")
    if main_first:
        namespace: dict = {}
        exec(f"import {module}", namespace)
        eval(call, namespace)
    with tempfile.TemporaryDirectory(prefix="subinterpreter-") as folder:
        path = os.path.join(folder, "result.json")
        code = _PROBE.format(
            kind=scenario.removeprefix("main-then-"),
            main_first=main_first,
            module=module,
            call=call,
            path=path,
        )
        interpreter = create(isolated=scenario.endswith("isolated"))
        try:
            escaped = run(interpreter, code)
        finally:
            destroy(interpreter)
        if escaped is not None:
            raise RuntimeError(f"an exception escaped the probe's code:\n{escaped}")
        with open(path, encoding="utf-8") as file:
            return json.load(file)


def parse(output: str) -> dict | None:
    """The result a probe printed, from its process's stdout (None if it printed none)."""
    for line in output.splitlines():
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :])
    return None


def describe(result: dict) -> str:
    if result["outcome"] == "works":
        return f"works (the call returned {result['value']})"
    return f"{result['error_type']} at {result['phase']}: {result['error']}"


def expected(result: dict, expect: str) -> bool:
    """Whether the outcome is the one expected: ``works``, or ``refuses`` (ImportError at import)."""
    if expect == "works":
        return result["outcome"] == "works"
    return result["outcome"] == "raised" and result["phase"] == "import" and result["import_error"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("module", help="the module to import, e.g. adder")
    parser.add_argument("call", help="an expression that calls it, e.g. 'adder.add(2, 3)'")
    parser.add_argument("--scenario", choices=SCENARIOS, required=True)
    parser.add_argument(
        "--expect",
        choices=("works", "refuses"),
        help="works: the import and the call succeed; refuses: the import raises ImportError",
    )
    options = parser.parse_args()
    label = f"[subinterpreters] {options.module} {options.scenario}"
    reason = unavailable(options.scenario)
    if reason:
        print(f"{label}: not run: {reason}", flush=True)
        return 2
    try:
        result = probe(options.module, options.call, options.scenario)
    except Exception as error:
        print(f"{label}: the probe could not run: {error}", flush=True)
        return 2
    if options.expect is None:  # for a program to read (see parse)
        print(RESULT_PREFIX + json.dumps(result), flush=True)
        return 0
    if expected(result, options.expect):
        print(f"{label}: {describe(result)}, as expected", flush=True)
        return 0
    print(f"{label}: expected it to {options.expect[:-1]}, but it {describe(result)}", flush=True)
    if result["outcome"] == "raised":
        print(result["traceback"], flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
