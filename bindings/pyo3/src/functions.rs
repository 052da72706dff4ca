//! The plain functions of the interface (`integrate` and `find_peaks_into` are in
//! callbacks.rs), and the rule for releasing the GIL around their C calls.
//!
//! Scalars are converted by PyO3 from the Rust parameter types: `i64`/`i32` accept int and
//! `__index__` objects only (TypeError for floats, OverflowError out of range), `f64` accepts
//! whatever has `__float__` or `__index__` (TypeError for str and None).

use std::ffi::c_char;
use std::ptr;

use numpy::prelude::*;
use numpy::{Ix1, Ix2, PyArray1};
use pyo3::buffer::PyUntypedBuffer;
use pyo3::exceptions::{PyBufferError, PyValueError};
use pyo3::intern;
use pyo3::marker::Ungil;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyMemoryView, PyString};

use crate::convert::{CoreBuffer, core_array, count, empty, event_array, float64_array, out_array};
use crate::errors::raise_for_status;
use crate::ffi;

/// Array functions release the GIL from this many elements (bytes for `fnv1a`) up: below it,
/// releasing and re-taking the GIL costs more than the call. The module checks on import that
/// it equals `bindings.GIL_RELEASE_MIN_SIZE`.
// region: gil-release-rule
pub const GIL_RELEASE_MIN_SIZE: usize = 4096;

/// Runs `f`, without the GIL if `size` reaches `GIL_RELEASE_MIN_SIZE`. `Ungil` (`Send` on
/// stable Rust) is how PyO3 makes sure that `f` cannot touch a Python object meanwhile.
// region: release-gil-if-large
pub fn release_gil_if_large<T, F>(py: Python<'_>, size: usize, f: F) -> T
where
    F: Ungil + FnOnce() -> T,
    T: Ungil,
{
    if size >= GIL_RELEASE_MIN_SIZE { py.detach(f) } else { f() }
}
// endregion: release-gil-if-large
// endregion: gil-release-rule

/// Does nothing: the cost of a call.
#[pyfunction]
pub fn noop() {
    // SAFETY: no arguments, no state.
    unsafe { ffi::bc_noop() }
}

// region: add
/// a + b as int64; OverflowError if an argument or the result does not fit.
#[pyfunction]
#[pyo3(signature = (a, b, /))]
pub fn add(a: i64, b: i64) -> PyResult<i64> {
    let mut sum = 0;
    // SAFETY: `sum` is a valid out-parameter.
    raise_for_status(unsafe { ffi::bc_add(a, b, &mut sum) }, "add")?;
    Ok(sum)
}
// endregion: add

/// a + b + c + d + e + f, left to right, in double precision.
#[pyfunction]
#[pyo3(signature = (a, b, c, d, e, f, /))]
pub fn sum6(a: f64, b: f64, c: f64, d: f64, e: f64, f: f64) -> f64 {
    // SAFETY: plain values in, a value out.
    unsafe { ffi::bc_sum6(a, b, c, d, e, f) }
}

// region: dsum
/// Sum of a 1-D array; 0.0 if empty.
#[pyfunction]
#[pyo3(signature = (x, /))]
pub fn dsum(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<f64> {
    let x = float64_array::<Ix1>(x, "dsum: x")?;
    let x = x.as_slice()?;
    // SAFETY: a pointer and the length of the slice it comes from.
    Ok(release_gil_if_large(py, x.len(), || unsafe { ffi::bc_dsum(x.as_ptr(), x.len()) }))
}
// endregion: dsum

// region: out-ptr
/// `scale`'s output pointer, which may alias x: a raw pointer, so not `Send`, and therefore
/// wrapped to cross into `release_gil_if_large`.
struct OutPtr(*mut f64);

// SAFETY: it points into the `out` array, which `scale` holds (so keeps alive) until the call
// that uses it has returned; only the core writes through it.
unsafe impl Send for OutPtr {}

impl OutPtr {
    /// Taking `self` whole makes a closure capture the wrapper, not its non-`Send` field.
    fn get(self) -> *mut f64 {
        self.0
    }
}
// endregion: out-ptr

/// x * k into `out` (a new array if None), and returns `out`; `out=x` works in place.
#[pyfunction]
#[pyo3(signature = (x, k, /, out=None))]
pub fn scale<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    k: f64,
    out: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let x = float64_array::<Ix1>(x, "scale: x")?;
    let x = x.as_slice()?;
    // A new array goes through the same checks as a given one: they cost nothing and pass.
    let out = match out {
        Some(out) => out,
        None => empty::<f64>(py, x.len())?.into_any(),
    };
    let target = OutPtr(out_array(&out, x.len())?.data());
    // SAFETY: x's slice, and `out_array` checked that the target holds as many doubles.
    let status = release_gil_if_large(py, x.len(), move || unsafe {
        ffi::bc_scale(x.as_ptr(), x.len(), k, target.get())
    });
    raise_for_status(status, "scale")?; // BC_EINVAL: out overlaps x without being x
    Ok(out)
}

// region: find-peaks
/// int64 indices i, 0 < i < n-1, with x[i] > threshold and x[i-1] < x[i] >= x[i+1].
#[pyfunction]
#[pyo3(signature = (x, threshold, /))]
pub fn find_peaks<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    threshold: f64,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let x = float64_array::<Ix1>(x, "find_peaks: x")?;
    let x = x.as_slice()?;
    let peaks = release_gil_if_large(py, x.len(), || {
        let (mut peaks, mut count) = (ptr::null_mut(), 0);
        // SAFETY: x's slice, and two valid out-parameters.
        let status =
            unsafe { ffi::bc_find_peaks(x.as_ptr(), x.len(), threshold, &mut peaks, &mut count) };
        raise_for_status(status, "find_peaks")?;
        // SAFETY: with BC_OK the core hands over `count` int64s, ours to free.
        Ok::<_, PyErr>(unsafe { CoreBuffer::from_raw(peaks, count) })
    })?;
    // Zero copy: NumPy takes the core's buffer, and bc_free runs when the array dies.
    core_array(py, peaks)
}
// endregion: find-peaks

/// A @ x for a 2-D A and a 1-D x.
#[pyfunction]
#[pyo3(signature = (a, x, /))]
pub fn matvec<'py>(
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    x: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let a = float64_array::<Ix2>(a, "matvec: A")?;
    let x = float64_array::<Ix1>(x, "matvec: x")?;
    let (rows, cols) = (a.shape()[0], a.shape()[1]);
    if x.len() != cols {
        let message = format!("matvec: A has {cols} columns but x has {} elements", x.len());
        return Err(PyValueError::new_err(message));
    }
    let (a, x) = (a.as_slice()?, x.as_slice()?);
    let y = empty::<f64>(py, rows)?;
    let mut y_guard = y.try_readwrite()?;
    let y_slice = y_guard.as_slice_mut()?;
    // SAFETY: slices of rows * cols, cols and rows doubles. A is C-contiguous, so each row
    // starts `cols` elements after the previous one.
    let status = release_gil_if_large(py, a.len(), || unsafe {
        ffi::bc_matvec(a.as_ptr(), rows, cols, cols, x.as_ptr(), y_slice.as_mut_ptr())
    });
    raise_for_status(status, "matvec")?;
    Ok(y)
}

/// FNV-1a 64-bit hash of the bytes of any C-contiguous buffer, read in place.
#[pyfunction]
#[pyo3(signature = (data, /))]
pub fn fnv1a(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<u64> {
    // bytes, the usual input, through PyO3's own view of it, `as_bytes`: a safe slice, where
    // a `PyUntypedBuffer` costs a heap-allocated Py_buffer (a malloc and a free) and the
    // buffer protocol's calls. Exactly bytes: a subclass may export another buffer (Python
    // 3.12's `__buffer__`), which only the buffer protocol sees.
    if let Ok(bytes) = data.cast_exact::<PyBytes>() {
        let bytes = bytes.as_bytes();
        // SAFETY: the bytes of `data`, immutable and kept alive by the caller's reference.
        let hash = || unsafe { ffi::bc_fnv1a(bytes.as_ptr().cast(), bytes.len()) };
        return Ok(release_gil_if_large(py, bytes.len(), hash));
    }
    // TypeError for objects without the buffer protocol, str included.
    let buffer = match PyUntypedBuffer::get(data) {
        Ok(buffer) => buffer,
        // PyO3 refuses a buffer without a shape, but that is what 0-d exporters (a NumPy
        // scalar, numpy.array(1.5)) must hand out. Their one item is contiguous: read it
        // through a 1-D memoryview of its bytes.
        Err(err) if err.is_instance_of::<PyBufferError>(py) => {
            let view = PyMemoryView::from(data)?;
            if view.getattr(intern!(py, "ndim"))?.extract::<usize>()? != 0 {
                return Err(err);
            }
            PyUntypedBuffer::get(&view.call_method1(intern!(py, "cast"), ("B",))?)?
        }
        Err(err) => return Err(err),
    };
    if !buffer.is_c_contiguous() {
        return Err(PyValueError::new_err("fnv1a: the buffer is not C-contiguous"));
    }
    let len = buffer.len_bytes();
    // SAFETY: the buffer's `len` bytes. While the buffer is held its exporter cannot free
    // or move that memory (a bytearray refuses to resize), GIL or not.
    let hash = release_gil_if_large(py, len, || unsafe { ffi::bc_fnv1a(buffer.buf_ptr(), len) });
    buffer.release(py);
    Ok(hash)
}

// region: repeat
/// s * n, computed by the core on the UTF-8 bytes of s.
// `&str` makes PyO3 take the UTF-8 form that CPython caches in the str object: TypeError for
// anything but str, UnicodeEncodeError for lone surrogates, which have no UTF-8.
#[pyfunction]
#[pyo3(signature = (s, n, /))]
pub fn repeat<'py>(
    py: Python<'py>,
    s: &str,
    n: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyString>> {
    let n = count(n, "repeat: n must be >= 0")?;
    let (mut out, mut out_len): (*mut c_char, usize) = (ptr::null_mut(), 0);
    // SAFETY: the bytes of `s`, and two valid out-parameters.
    let status = unsafe { ffi::bc_repeat(s.as_ptr().cast(), s.len(), n, &mut out, &mut out_len) };
    raise_for_status(status, "repeat")?;
    // SAFETY: with BC_OK the core hands over `out_len` bytes (plus a NUL), ours to free.
    let bytes = unsafe { CoreBuffer::<u8>::from_raw(out.cast(), out_len) };
    // Copies of valid UTF-8 are valid UTF-8; PyString::from_bytes checks it all the same.
    // The str is a copy, and `bytes` frees the core's buffer when it goes out of scope.
    PyString::from_bytes(py, bytes.as_slice())
}
// endregion: repeat

/// `describe`'s result: the fields of `bc_stats`, read-only.
// `frozen` and `get_all`, as the PyO3 guide describes them (guide/pyclass-parameters.md):
// immutable, with a getter for every field and no setter, like a frozen dataclass.
#[pyclass(frozen, get_all)]
#[cfg_attr(not(feature = "abi3"), pyo3(module = "bindings.pyo3._pyo3"))]
#[cfg_attr(feature = "abi3", pyo3(module = "bindings.pyo3_abi3._pyo3"))]
pub struct Stats {
    n: usize,
    mean: f64,
    std: f64,
    min: f64,
    max: f64,
}

#[pymethods]
impl Stats {
    fn __repr__(&self) -> String {
        format!(
            "Stats(n={}, mean={:?}, std={:?}, min={:?}, max={:?})",
            self.n, self.mean, self.std, self.min, self.max
        )
    }
}

impl From<ffi::bc_stats> for Stats {
    fn from(s: ffi::bc_stats) -> Self {
        Stats { n: s.n, mean: s.mean, std: s.std, min: s.min, max: s.max }
    }
}

/// n, mean, population std, min and max of a 1-D array; ValueError if it is empty.
#[pyfunction]
#[pyo3(signature = (x, /))]
pub fn describe(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Stats> {
    let x = float64_array::<Ix1>(x, "describe: x")?;
    let x = x.as_slice()?;
    let mut stats = ffi::bc_stats::default();
    // SAFETY: x's slice, and a valid out-parameter.
    let status = release_gil_if_large(py, x.len(), || unsafe {
        ffi::bc_describe(x.as_ptr(), x.len(), &mut stats)
    });
    raise_for_status(status, "describe")?; // BC_EINVAL: x is empty
    Ok(stats.into())
}

/// Sum of `value` over the records of `events` (dtype bindings.EVENT_DTYPE) with that kind.
#[pyfunction]
#[pyo3(signature = (events, kind, /))]
pub fn events_total(py: Python<'_>, events: &Bound<'_, PyAny>, kind: i32) -> PyResult<f64> {
    let events = event_array(events, "events_total: events")?;
    let events = events.as_slice()?;
    // SAFETY: a pointer and the length of the slice it comes from.
    Ok(release_gil_if_large(py, events.len(), || unsafe {
        ffi::bc_events_total(events.as_ptr(), events.len(), kind)
    }))
}

/// Core allocations not yet released (for leak tests).
#[pyfunction]
pub fn live_allocations() -> i64 {
    // SAFETY: reads an atomic counter.
    unsafe { ffi::bc_live_allocations() }
}

/// Test hook: the k-th core allocation from now fails (MemoryError); k <= 0 disarms it.
#[pyfunction]
#[pyo3(signature = (k, /))]
pub fn fail_allocation_after(k: i64) {
    // SAFETY: sets the core's allocation counter; any k is allowed.
    unsafe { ffi::bc_fail_allocation_after(k) }
}
