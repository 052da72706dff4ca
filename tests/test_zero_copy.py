"""Zero copy: a C-contiguous float64 array is read where it lies, and scale(out=x) writes there.

NumPy reports every array allocation to ``tracemalloc``, so converting a
1e6-element input to a float64 copy shows as an 8 MB peak. The tests read the
peak around one call: far below 8 MB means no copy. The second group feeds
inputs that must be copied, to show that the measurement does see copies.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from support import events

N = 1_000_000
COPY_BYTES = 8 * N  # one float64 copy of the input


def peak_bytes(call) -> int:
    """The peak of traced memory allocated while ``call()`` runs."""
    tracemalloc.start()
    try:
        call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


READERS = {
    "dsum": lambda core, x: core.dsum(x),
    "describe": lambda core, x: core.describe(x),
    "find_peaks": lambda core, x: core.find_peaks(x, 10.0),  # no peaks: the result is tiny
    "matvec-A": lambda core, x: core.matvec(x.reshape(1000, 1000), np.ones(1000)),
}


@pytest.mark.parametrize("writable", [True, False], ids=["writable", "readonly"])
@pytest.mark.parametrize("reader", tuple(READERS))
def test_contiguous_float64_input_is_not_copied(core, reader, writable):
    x = np.ones(N)
    x.flags.writeable = writable
    assert peak_bytes(lambda: READERS[reader](core, x)) < COPY_BYTES / 8


@pytest.mark.parametrize(
    "make_input",
    [lambda: np.ones(N, dtype=np.float32), lambda: np.ones(2 * N)[::2]],
    ids=["float32", "strided"],
)
@pytest.mark.parametrize("reader", ["dsum", "describe", "find_peaks", "matvec-A"])
def test_other_inputs_are_copied_and_the_copy_is_seen(core, reader, make_input):
    x = make_input()
    assert peak_bytes(lambda: READERS[reader](core, x)) >= COPY_BYTES


def test_scale_out_x_writes_in_place(core):
    x = np.arange(N, dtype=np.float64)
    peak = peak_bytes(lambda: core.scale(x, 3.0, out=x))
    assert peak < COPY_BYTES / 8
    result = core.scale(x, 0.5, out=x)
    assert result is x
    assert np.shares_memory(result, x)
    np.testing.assert_array_equal(x[:5], [0.0, 1.5, 3.0, 4.5, 6.0])  # 3 * 0.5 applied in place
    assert x[-1] == (N - 1) * 1.5


def test_scale_without_out_allocates_the_result(core):
    x = np.ones(N)
    assert peak_bytes(lambda: core.scale(x, 2.0)) >= COPY_BYTES  # the new array, nothing more
    assert peak_bytes(lambda: core.scale(x, 2.0)) < 2 * COPY_BYTES


def test_record_array_is_read_in_place(core):
    ev = events(np.arange(N) % 3, np.ones(N))  # 16 MB of records
    assert peak_bytes(lambda: core.events_total(ev, 1)) < COPY_BYTES / 8
    strided = ev[::2]  # non-contiguous: copied, 8 MB
    assert peak_bytes(lambda: core.events_total(strided, 1)) >= strided.nbytes


@pytest.mark.parametrize("kind", [bytes, bytearray, lambda b: np.frombuffer(b, np.uint8)])
def test_fnv1a_hashes_a_buffer_in_place(core, kind):
    data = kind(bytes(COPY_BYTES))
    assert peak_bytes(lambda: core.fnv1a(data)) < COPY_BYTES / 8


def test_update_many_reads_its_input_in_place(core):
    xs = np.ones(N)
    d = core.Detector(max_run_length=1)
    # The int64 result is itself 8 MB; a copy of the input would be 8 MB more.
    assert peak_bytes(lambda: d.update_many(xs)) < 1.5 * COPY_BYTES
    xs32 = xs.astype(np.float32)
    assert peak_bytes(lambda: d.update_many(xs32)) >= 2 * COPY_BYTES
