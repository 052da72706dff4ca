"""The generators behind the chapters' verdicts say what the committed run says.

A chapter compares each generated block with what its generator writes now (conftest.py),
which keeps the text in step with the run; these tests check that what the generators
write is true of the run: a ratio sits in the group its interval puts it in, a table has
a row per pattern measured and only the facts asked for, a sentence names every wheel.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))

import generated

#: "`label` 0.65x [0.63-0.66x]" (an en dash in the text) as ``versus`` and the verdicts write a ratio.
RATIO = re.compile(r"`(?P<label>[^`]+)` [\d.]+x \[(?P<low>[\d.]+)\u2013(?P<high>[\d.]+)x\]")


@pytest.fixture(scope="module")
def latest():
    return generated._latest()


def _versus_groups(text: str) -> dict[str, list[re.Match]]:
    _, _, said = text.partition(": ")
    groups = {}
    for part in said.rstrip(".\n").split("; "):
        group, _, items = part.partition(" on ")
        groups[group] = list(RATIO.finditer(items))
    return groups


def _holds(group: str, low: float, high: float) -> bool:
    # Compared as printed (two decimals): a bound that rounds to 1.00 may sit on either side.
    return {"cheaper": high <= 1, "dearer": low >= 1, "tied": low <= 1 <= high}[group]


@pytest.mark.parametrize("pair", [("nanobind", "pybind11"), ("cffi", "ctypes"), ("pyo3", "capi")])
def test_versus_puts_every_pattern_once_in_the_group_its_interval_says(latest, pair):
    report, run, checks = latest
    a, b = pair
    groups = _versus_groups(generated.versus(f"{a} {b}"))
    assert set(groups) <= {"cheaper", "tied", "dearer"}, groups
    labels = []
    for group, items in groups.items():
        for item in items:
            assert _holds(group, float(item["low"]), float(item["high"])), (group, item.group(0))
            labels.append(item["label"])
    both = {
        report.PATTERN_LABELS.get(mine.pattern, mine.pattern)
        for mine in run.select("overhead", backend=a, variant=None)
        if (theirs := run.get("overhead", mine.pattern, b)) is not None
        and checks.ok(mine.key)
        and checks.ok(theirs.key)
    }
    assert sorted(labels) == sorted(both)


def test_versus_a_backend_against_itself_is_tied_everywhere(latest):
    # The grouping can fail: the same samples paired with themselves are a tie, never a verdict.
    assert set(_versus_groups(generated.versus("capi capi"))) == {"tied"}


#: A row of the stable-ABI table: "| noop() | 17.4 | 17.4 | 1.00x [0.98-1.02x] tied<br>1.00x instr |",
#: en dash again.
ABI3_ROW = re.compile(
    r"^\| (?P<label>[^|]+?) +\|[^|]+\|[^|]+\| +[\d.]+x \[(?P<low>[\d.]+)\u2013(?P<high>[\d.]+)x\] "
    r"(?P<word>tied|faster|slower)<br>",
    re.MULTILINE,
)


def test_abi3_cost_has_a_row_per_pattern_and_each_word_matches_its_interval(latest):
    _, run, _ = latest
    assert run.abi3_builds, "the committed run measured no abi3 build"
    for build in run.abi3_builds:
        backend = build.removesuffix("-abi3")
        rows = list(ABI3_ROW.finditer(generated.abi3_cost(backend)))
        word_of = {"faster": "cheaper", "slower": "dearer", "tied": "tied"}
        for row in rows:
            assert _holds(word_of[row["word"]], float(row["low"]), float(row["high"])), row.group(0)
        measured = {f.pattern for f in run.select("overhead", backend=build, variant=None)}
        assert len(rows) == len(measured), (build, [row["label"] for row in rows])


def test_abi3_cost_lists_every_cpython_that_measured_the_build_and_the_wheel_it_starts_from(latest):
    _, run, _ = latest
    oldest = run.meta["abi3_oldest"]
    for build in run.abi3_builds:
        backend = build.removesuffix("-abi3")
        said = generated.abi3_cost(f"{backend} versions")
        listed = re.findall(r"CPython (\d+\.\d+):", said)
        assert listed == [v for v, r in run.all_versions.items() if build in r.abi3_builds]
        major, minor = oldest[backend].split(".")[:2]
        assert f"`cp{major}{minor}-abi3`" in generated.abi3_cost(f"{backend} wheels")


@pytest.mark.parametrize("args", ["nosuch", "capi nonsense", "ctypes"])
def test_abi3_cost_refuses_what_it_cannot_say(args):
    with pytest.raises(KeyError):
        generated.abi3_cost(args)


def test_compat_facts_shows_the_facts_asked_for_and_no_test_counts(latest):
    report, _, _ = latest
    for prefix in ("subinterpreter", "interrupt", "free_threading"):
        header = generated.compat_facts(prefix).splitlines()[0]
        columns = [cell.strip() for cell in header.strip("|").split("|")]
        wanted = [label for key, label in report.compat.FACTS.items() if key.startswith(prefix)]
        assert columns == ["build", *wanted], columns
    with pytest.raises(KeyError):
        generated.compat_facts("no-such-fact")


def test_shipping_policies_names_every_shipped_wheel_oldest_policy_first(latest):
    report, run, _ = latest
    said = generated.shipping_policies("")
    records = report.shipping.records(run.folder)
    assert records, "the committed run shipped nothing"
    for record in records:
        assert f"`{record['name']}`" in said
    record = [
        {"name": "new", "auditwheel": {"policy": "manylinux_2_34_x86_64"}},
        {"name": "old", "auditwheel": {"policy": "manylinux_2_17_x86_64"}},
    ]
    assert generated.policies_sentence(record).index("`old`") < generated.policies_sentence(record).index(
        "`new`"
    )
    assert "shipped nothing" in generated.policies_sentence([])
