"""The report's detailed sections, one function each: every figure of the run as a table.

Call overhead in detail, the ctypes and cffi variants, the size sweeps and conversion
copies, ownership, threads and the GIL, and the static figures.
"""

from __future__ import annotations

from .checks import Checks
from .formatting import fmt_bytes, fmt_interval, fmt_ns, fmt_ratio
from .load import (
    BACKENDS,
    FLOOR_LABELS,
    NUMPY_LABELS,
    OWNERSHIP_STRATEGIES,
    PATTERN_LABELS,
    PATTERN_ORDER,
    REFERENCE,
    Run,
)
from .stats import (
    LARGE_ARRAY_TARGETS,
    crossover,
    gil_release_costs,
    large_array_ratios,
    ratio,
    ratio_interval,
    thread_speedups,
)
from .tables import cell, table


def _detail_row(run: Run, checks: Checks, first: str, second: str, f, with_ratio: bool) -> list[str]:
    """Net ns with its interval, the gross figure (loop included), ratio, spread, memory, rounds."""
    return [
        first,
        second,
        f"{fmt_ns(f.median)} {fmt_interval((f.low, f.high), unit='') if f.low is not None else ''}"
        + checks.mark(f.key),
        fmt_ns(f.gross),
        fmt_ns(f.iqr),
        f"{fmt_ratio(ratio(run, f))} {fmt_interval(ratio_interval(run, f))}" if with_ratio else "",
        fmt_bytes(f.alloc),
        f"{f.rounds} ({f.workers} workers)" if f.workers > 1 else str(f.rounds),
    ]


def overhead_details(run: Run, checks: Checks) -> str:
    rows = []
    for pattern in PATTERN_ORDER:
        for backend in [*run.backends, "numpy"]:
            f = run.get("overhead", pattern, backend)
            if f is None:
                continue
            name = backend if backend != "numpy" else f"NumPy: `{NUMPY_LABELS[pattern]}`"
            rows.append(
                _detail_row(run, checks, PATTERN_LABELS.get(pattern, pattern), name, f, backend in BACKENDS)
            )
    for name, label in FLOOR_LABELS.items():
        f = run.floor(name)
        if f:
            rows.append(_detail_row(run, checks, "floor", label, f, False))
    calls = {}
    for f in run.select("overhead"):
        if f.call and f.backend in BACKENDS:
            calls.setdefault(f.pattern, f.call)
    described = [[PATTERN_LABELS.get(p, p), f"`{calls[p]}`"] for p in PATTERN_ORDER if p in calls]
    return (
        table(["pattern", "what one call does"], described, "ll")
        + "\n\n"
        + table(
            [
                "pattern",
                "backend",
                "net ns [95 %]",
                "gross ns",
                "IQR ns",
                "x capi [95 %]",
                "allocated/call",
                "rounds",
            ],
            rows,
            "llrrrrrr",
        )
    )


def variants_section(run: Run, checks: Checks) -> str:
    out = []
    ctypes_rows = []
    for pattern in ("noop", "add", "sum6", "dsum"):
        interface = run.get("overhead", pattern, "ctypes")
        cells = [interface] + [
            run.get("variant", pattern, "ctypes", v) for v in ("raw", "raw-no-argtypes", "raw-ndpointer")
        ]
        if all(c is None for c in cells[1:]):
            continue
        wrapper = interface.median - cells[1].median if interface and cells[1] else None
        ctypes_rows.append(
            [PATTERN_LABELS[pattern]]
            + [cell(run, checks, c, with_ratio=False) for c in cells]
            + [fmt_ns(wrapper)]
        )
    if ctypes_rows:
        out.append(
            "**ctypes** (ns per call): the interface, the raw declared foreign function (`argtypes` set), "
            "the same symbol without `argtypes` (arguments pre-wrapped as ctypes objects), and "
            "`numpy.ctypeslib.ndpointer` (dsum). Wrapper cost = interface - raw.\n"
        )
        out.append(
            table(
                ["pattern", "interface", "raw", "raw, no argtypes", "raw, ndpointer", "wrapper cost"],
                ctypes_rows,
            )
        )
    cffi_rows = []
    for pattern in ("noop", "add", "sum6", "dsum", "scale"):
        interface = run.get("overhead", pattern, "cffi")
        cells = [interface] + [run.get("variant", pattern, "cffi", v) for v in ("raw", "abi-raw")]
        if all(c is None for c in cells[1:]):
            continue
        abi_over_api = cells[2].median / cells[1].median if cells[1] and cells[2] else None
        cffi_rows.append(
            [PATTERN_LABELS[pattern]]
            + [cell(run, checks, c, with_ratio=False) for c in cells]
            + [fmt_ratio(abi_over_api)]
        )
    if cffi_rows:
        out.append(
            "\n**cffi** (ns per call): API mode (the backend) through the interface and raw (`lib.bc_*` with "
            "ready-made pointers), and ABI mode (`ffi.dlopen`, `bindings.cffi.abi`) raw. A raw `scale` writes "
            "into a ready-made buffer; the interface's returns a new array.\n"
        )
        out.append(
            table(
                ["pattern", "API, interface", "API, raw", "ABI, raw", "ABI raw / API raw"],
                cffi_rows,
            )
        )
    idiom, buffer = run.get("overhead", "dsum", "nanobind"), run.get("variant", "dsum", "nanobind", "buffer")
    if idiom and buffer:
        out.append(
            "\n**nanobind** (ns per call): `dsum` through `nb::ndarray` (the interface: nanobind's documented "
            "array type, which imports every array through DLPack) and through the buffer protocol "
            "(`_nanobind._dsum_buffer`, as the C-API backend reads arrays; a benchmark variant).\n"
        )
        out.append(
            table(
                ["pattern", "nb::ndarray (interface)", "buffer protocol (variant)", "capi"],
                [
                    [
                        PATTERN_LABELS["dsum"],
                        cell(run, checks, idiom),
                        cell(run, checks, buffer, with_ratio=False),
                        cell(run, checks, run.get("overhead", "dsum", REFERENCE), with_ratio=False),
                    ]
                ],
            )
        )
    return "\n".join(out) if out else "_No variants measured (ctypes, cffi and nanobind not built)._"


def sweep_section(run: Run, checks: Checks) -> str:
    out = []
    columns = [*run.backends, "numpy"]
    for pattern, what in (("dsum", "dsum(x)"), ("scale", "scale(x, 2.0), a new result array")):
        sizes = sorted({f.n for f in run.select("sweep", pattern=pattern)})
        if not sizes:
            continue
        per_call, per_element = [], []
        for n in sizes:
            figures = [run.get("sweep", pattern, b, None, n) for b in columns]
            per_call.append([f"{n:,}"] + [cell(run, checks, f) if f else "—" for f in figures])
            per_element.append(
                [f"{n:,}"] + [fmt_ns(f.median / n) + checks.mark(f.key) if f else "—" for f in figures]
            )
        cross = []
        for b in run.backends:
            if b == REFERENCE:
                cross.append("reference")
                continue
            start, reaches = crossover(run, pattern, b)
            cross.append(f"n ≥ {start:,}" if reaches else "not reached")
        per_call.append(["within 10 % of capi", *cross, ""])
        numpy_label = NUMPY_LABELS[pattern]
        header = ["n", *columns[:-1], "NumPy"]
        if pattern == "scale" and run.select("sweep", pattern="scale", backend="numpy", variant="out"):
            header.append("NumPy, out=")
            for row, n in zip(per_call, sizes, strict=False):
                row.append(cell(run, checks, run.get("sweep", "scale", "numpy", "out", n)))
            for row, n in zip(per_element, sizes, strict=True):
                f = run.get("sweep", "scale", "numpy", "out", n)
                row.append(fmt_ns(f.median / n) + checks.mark(f.key) if f else "—")
            per_call[-1].append("")
            numpy_label += "`; NumPy, out= column: `np.multiply(x, k, out)` into an array made in advance"
        out.append(f"**{what}**: ns per call (x capi); NumPy column: `{numpy_label}`.\n")
        out.append(table(header, per_call))
        if pattern == "scale":
            out.append(
                "\nAt the largest sizes scale's time is mostly allocating and first touching the result "
                "(8 MB at n = 1,000,000), which depends on the memory allocator's state as much as on the "
                "binding; `scale(out=)` under Ownership times the loop alone."
            )
        out.append(f"\n**{what}**: ns per element.\n")
        out.append(table(header, per_element))
        out.append("")
    large = large_array_ratios(run)
    if large:
        rows = []
        for pattern, (n, ratios) in large.items():
            variant, target = LARGE_ARRAY_TARGETS[pattern]
            reference = NUMPY_LABELS[pattern] if variant is None else "np.multiply(x, k, out)"
            row = [f"{pattern}, n = {n:,}, against `{reference}` (target {fmt_ratio(target)})"]
            for b in run.backends:
                if b not in ratios:
                    row.append("—")
                    continue
                value, bounds = ratios[b]
                text = f"{fmt_ratio(value)} {fmt_interval(bounds)}"
                row.append(f"**{text}**" if bounds[0] > target else text)
            rows.append(row)
        out.append(
            "**Large arrays against NumPy's own loop** (time over NumPy's, paired by worker, 95 % interval; "
            "**bold** where the whole interval is above the target):\n"
        )
        out.append(table(["at the largest size", *run.backends], rows))
        out.append("")
    conversions = run.select("conversion")
    if conversions:
        sizes = sorted({f.n for f in conversions})
        header = ["backend"]
        for n in sizes:
            header += [f"float64, n={n:,}", "float32", "strided", "copy cost (float32)"]
        rows = []
        for b in run.backends:
            row = [b]
            for n in sizes:
                direct, f32, strided = (
                    run.get("conversion", "dsum", b, v, n) for v in ("float64", "float32", "strided")
                )
                row += [cell(run, checks, x, with_ratio=False) for x in (direct, f32, strided)]
                row.append(fmt_ns(f32.median - direct.median) if f32 and direct else "—")
            rows.append(row)
        out.append(
            "**Conversion copies** (dsum, ns per call): a contiguous float64 array is read in place; a float32 "
            "array or a strided view (every other element) is first copied to contiguous float64.\n"
        )
        out.append(table(header, rows))
    return "\n".join(out) if out else "_No sweeps measured._"


def ownership_section(run: Run, checks: Checks) -> str:
    figures = run.select("ownership")
    if not figures:
        return "_Not measured._"
    sizes = sorted({f.n for f in figures})
    # Older runs lack find_peaks_into: show the strategies this run measured.
    strategies = [(s, label) for s, label in OWNERSHIP_STRATEGIES if any(f.pattern == s for f in figures)]
    rows = []
    for b in run.backends:
        for n in sizes:
            cells = [run.get("ownership", s, b, None, n) for s, _ in strategies]
            rows.append(
                [b, f"{n:,}"]
                + [cell(run, checks, c) for c in cells]
                + [fmt_bytes(c.alloc) if c else "—" for c in cells]
            )
    measured = {s for s, _ in strategies}
    intro = (
        "Output of m 8-byte elements. `find_peaks`: the core allocates the result (input 2m + 1 values, m "
        "peaks); "
        + (
            "`find_peaks_into`: the same call, but the core asks the binding's allocator callback for the "
            "result, a NumPy array that C writes into; "
            if "find_peaks_into" in measured
            else ""
        )
        + "`scale(out=)`: the caller's array, made once; `scale()`: the binding allocates a new array. "
        "ns per call (x capi), then the peak memory one call allocates as tracemalloc sees it (Python objects "
        "and NumPy buffers; the core's own malloc is not traced).\n"
    )
    labels = [label for _, label in strategies]
    header = ["backend", "m", *labels, f"bytes: {labels[0]}", *labels[1:]]
    return intro + "\n" + table(header, rows, "ll" + "r" * (2 * len(strategies)))


def threads_section(run: Run, checks: Checks) -> str:
    out = []
    speedups = thread_speedups(run)
    if speedups:
        rows = []
        for b, (one, two, s) in speedups.items():
            rows.append(
                [
                    b,
                    f"{one.median / 1e6:.2f}" + checks.mark(one.key),
                    f"{two.median / 1e6:.2f}" + checks.mark(two.key),
                    f"{s:.2f}x" + checks.mark(two.key),
                ]
            )
        sample = next(iter(speedups.values()))[0]
        out.append(
            f"`Detector.update_many` on {sample.n:,} observations per thread, each thread with its own "
            "detector. Speed-up = 2 x t(1 thread) / t(2 threads): 2 is perfect, 1 means no parallelism.\n"
        )
        out.append(table(["backend", "1 thread, ms", "2 threads, ms", "speed-up"], rows))
    costs = gil_release_costs(run)
    if costs:
        rows = []
        for label, (held, released, value, bounds) in costs.items():
            verdict = (
                "tied"
                if bounds is None or bounds[0] <= 1 <= bounds[1]
                else "dearer"
                if value > 1
                else "cheaper"
            )
            rows.append(
                [
                    label,
                    cell(run, checks, held, False),
                    cell(run, checks, released, False),
                    fmt_ratio(value) + (f" {fmt_interval(bounds)}" if bounds else ""),
                    verdict,
                ]
            )
        n_at = next((f.n for f in run.select("gil", pattern="scale_threshold") if f.variant == "at"), None)
        out.append(
            f"\n**The GIL on a short call**: `scale(x, 2.0, out=out)` at `GIL_RELEASE_MIN_SIZE` ({n_at:,}), where "
            "the compiled backends start releasing the GIL, over one element below it (ctypes and cffi release it "
            "on every call, so theirs is a control); and a raw ctypes `bc_noop` through `ctypes.CDLL` (releases) "
            'over `ctypes.PyDLL` (keeps it). Ratios paired by worker, with their 95 % interval: "tied" where the '
            "interval holds 1, that is where releasing costs less than this run can resolve.\n"
        )
        out.append(table(["call", "keeps the GIL, ns", "releases it, ns", "ratio", "verdict"], rows))
    return "\n".join(out) if out else "_Not measured._"


def static_section(run: Run, checks: Checks) -> str:
    static = run.static.get("backends", {})
    if not static:
        return "_Not measured._"
    build = run.static.get("build", {})
    targets = build.get("targets", {})
    measured = run.static.get("build_time_measured", False)
    rows = []
    for b in run.backends:
        s = static.get(b, {})
        if not measured:
            build_cell = f"not measured in --{run.mode}"
        elif "seconds" in targets.get(b, {}):
            build_cell = f"{targets[b]['seconds']:.1f}"
        else:
            build_cell = "failed" if "error" in targets.get(b, {}) else "—"
        imp = s.get("import", {})
        lines = s.get("lines", {})
        rows.append(
            [
                b,
                build_cell + checks.mark(("static", b, "build")),
                fmt_bytes(s.get("artefact_bytes")) + checks.mark(("static", b, "size")),
                (
                    f"{imp['import_s_median'] * 1e3:.2f} ({imp['import_s_iqr'] * 1e3:.2f})"
                    if "import_s_median" in imp
                    else "—"
                )
                + checks.mark(("static", b, "import")),
                fmt_bytes(imp["rss_after_kib_median"] * 1024) if "rss_after_kib_median" in imp else "—",
                fmt_bytes(imp["rss_delta_kib_median"] * 1024) if "rss_delta_kib_median" in imp else "—",
                f"{lines.get('code', '—')}" + checks.mark(("static", b, "lines")),
                f"{lines.get('build', '—')}",
                f"{lines.get('stubs', '—')}",
            ]
        )
    header = [
        "backend",
        "build s",
        "artefact",
        "import ms (IQR)",
        "RSS after import",
        "RSS added",
        "lines: code",
        "build",
        "stubs",
    ]
    out = [table(header, rows)]
    notes = []
    package = run.static.get("package_import", {})
    if "import_s_median" in package:
        notes.append(
            f"`import bindings` itself (NumPy and the package, shared by every backend and not counted above): "
            f"{package['import_s_median'] * 1e3:.1f} ms, RSS {fmt_bytes(package.get('rss_after_kib_median', 0) * 1024)}."
        )
    for name, figures in run.static.get("extra_imports", {}).items():
        if "import_s_median" in figures:
            notes.append(
                f"`import bindings.{name}` (cffi's ABI mode, which parses its cdef at import): "
                f"{figures['import_s_median'] * 1e3:.2f} ms."
            )
    if measured and "core_s" in build:
        notes.append(
            f"Build times: one fresh CMake build folder (configure {build.get('configure_s', 0):.1f} s), the C core "
            f"first ({build['core_s']:.1f} s, shared by all and not counted above), then each backend's target "
            f"alone with {build.get('jobs', '?')} parallel jobs; ctypes links the core's shared library. "
            "pyo3 is a clean `cargo build --release`, which also compiles its dependency crates and its own copy "
            "of the core."
        )
    notes.append(
        f"Import time: median over {run.static.get('import_runs', '?')} fresh interpreter(s), each importing "
        "`bindings` first and then timing `import bindings.<name>` alone. Lines: `benchmarks/count_lines.py` "
        "(non-blank, non-comment; docstrings count as comments)."
    )
    out.append("\n" + "\n".join(f"- {n}" for n in notes))
    return "\n".join(out)
