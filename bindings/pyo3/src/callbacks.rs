//! The core calls back into Rust through a C function pointer: `integrate` (a callback that
//! calls Python), `find_peaks_into` (an allocator that makes the result array), and the checks
//! that let Ctrl-C stop a long call (`integrate`, `Detector.update_many`).

use std::any::Any;
use std::ffi::{c_int, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;

use numpy::npyffi::npy_intp;
use numpy::prelude::*;
use numpy::{Ix1, PY_ARRAY_API, PyArray1, dtype};
use pyo3::exceptions::{PyMemoryError, PySystemError, PyTypeError};
use pyo3::panic::PanicException;
use pyo3::prelude::*;

use crate::convert::{count, float64_array, type_name};
use crate::errors::raise_for_status;
use crate::ffi;
use crate::functions::release_gil_if_large;

/// What the trampoline and the check need, reached through the core's `void *ctx` (the core
/// hands both the same one). There is one per call, on `integrate`'s stack: calls may nest
/// (f may itself integrate) and threads share nothing.
struct Callback<'a, 'py> {
    f: &'a Bound<'py, PyAny>,
    /// What stopped the integration: f's own exception, the TypeError for a result that is no
    /// number, or what a signal handler raised (KeyboardInterrupt). `integrate` returns it, so
    /// the same exception object propagates.
    error: Option<PyErr>,
}

/// The `bc_func` the core calls: `*y = f(x)`, or non-zero to stop.
///
/// # Safety
///
/// `ctx` is the `Callback` that `integrate` passed to `bc_integrate`, and `y` is writable.
// region: trampoline
unsafe extern "C" fn trampoline(x: f64, ctx: *mut c_void, y: *mut f64) -> c_int {
    // SAFETY: the core hands `ctx` back unchanged, during `integrate`'s call, on its thread
    // (which holds the GIL), and nothing else uses the Callback meanwhile.
    let callback = unsafe { &mut *ctx.cast::<Callback<'_, '_>>() };
    // A panic must not unwind into C: Rust would abort the process at this boundary. None is
    // expected from these two calls, but if one comes it becomes a PanicException.
    let result = catch_unwind(AssertUnwindSafe(|| callback.f.call1((x,))?.extract::<f64>()));
    let error = match result {
        Ok(Ok(value)) => {
            // SAFETY: the caller's contract.
            unsafe { y.write(value) };
            return 0;
        }
        Ok(Err(err)) => err,
        Err(payload) => PanicException::new_err(panic_message(payload)),
    };
    callback.error = Some(error);
    1
}
// endregion: trampoline

/// The `bc_check` of `integrate`, which runs attached: the pending signal handlers run here, so
/// Ctrl-C stops even an integrand that runs no Python code (a builtin such as `math.sin`, where
/// the interpreter itself never looks for signals). Non-zero if a handler raised.
///
/// # Safety
///
/// `ctx` is the `Callback` that `integrate` passed to `bc_integrate`.
// region: check-attached
unsafe extern "C" fn check_signals_attached(ctx: *mut c_void) -> c_int {
    // SAFETY: as in `trampoline`: the same ctx, on the same thread, which holds the GIL.
    let callback = unsafe { &mut *ctx.cast::<Callback<'_, '_>>() };
    let py = callback.f.py();
    // No panic may unwind into C (`check_signals` could only panic on an interpreter bug).
    let error = match catch_unwind(AssertUnwindSafe(|| py.check_signals())) {
        Ok(Ok(())) => return 0,
        Ok(Err(err)) => err,
        Err(payload) => PanicException::new_err(panic_message(payload)),
    };
    callback.error = Some(error);
    1
}
// endregion: check-attached

/// The `bc_check` of a call that runs detached (`Detector.update_many`): attaches for as long
/// as the pending signal handlers run, and returns non-zero if one raised, leaving its
/// exception in `*ctx` for the caller to raise once the core has returned BC_ECALLBACK.
///
/// Off the main thread `check_signals` runs no handler (CPython runs them in the main thread
/// only) and returns `Ok`: the call goes on, at the cost of taking the GIL once a millisecond.
/// While the interpreter shuts down nothing can be attached to, and nothing is checked.
///
/// # Safety
///
/// `ctx` points to an `Option<PyErr>` that nothing else uses until the core returns.
// region: check-detached
pub unsafe extern "C" fn check_signals_detached(ctx: *mut c_void) -> c_int {
    // SAFETY: the caller's contract; the core hands `ctx` back unchanged.
    let interruption = unsafe { &mut *ctx.cast::<Option<PyErr>>() };
    // `try_attach` rather than `attach`, which panics while the interpreter shuts down; and
    // no panic may unwind into C.
    let result = catch_unwind(AssertUnwindSafe(|| Python::try_attach(|py| py.check_signals())));
    let error = match result {
        Ok(None | Some(Ok(()))) => return 0,
        Ok(Some(Err(err))) => err,
        Err(payload) => PanicException::new_err(panic_message(payload)),
    };
    *interruption = Some(error);
    1
}
// endregion: check-detached

fn panic_message(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => payload.downcast_ref::<&str>().unwrap_or(&"a panic in Rust").to_string(),
    }
}

/// Trapezoid rule of f over [a, b] with n intervals (n + 1 calls of f, from a to b).
// The GIL stays held: the core calls back into Python at every point, and asks
// `check_signals_attached` (same ctx) every BC_CHECK_INTERVAL calls whether to go on.
#[pyfunction]
#[pyo3(signature = (f, a, b, n, /))]
pub fn integrate(f: &Bound<'_, PyAny>, a: f64, b: f64, n: &Bound<'_, PyAny>) -> PyResult<f64> {
    if !f.is_callable() {
        let message = format!("integrate: f must be callable, not {}", type_name(f));
        return Err(PyTypeError::new_err(message));
    }
    // n == 0 is the core's to reject.
    let n = count(n, "integrate: n must be >= 1")?;
    let mut callback = Callback { f, error: None };
    let mut result = 0.0;
    let ctx = (&raw mut callback).cast();
    // SAFETY: `callback` outlives the call, matching what `trampoline` and
    // `check_signals_attached` expect of `ctx`.
    let status = unsafe {
        ffi::bc_integrate(trampoline, Some(check_signals_attached), ctx, a, b, n, &mut result)
    };
    if let Some(err) = callback.error {
        return Err(err); // BC_ECALLBACK: f's exception, or KeyboardInterrupt
    }
    raise_for_status(status, "integrate")?;
    Ok(result)
}

// ---- an allocator the core calls --------------------------------------------------------------

/// What `allocate` leaves for `find_peaks_into`, reached through the core's `void *ctx`: the
/// array it made, or why it could not make one. One per call, on `find_peaks_into`'s stack.
/// Both fields are `Send`, so the call can run without the GIL while it holds them.
#[derive(Default)]
struct Allocation {
    array: Option<Py<PyArray1<i64>>>,
    error: Option<PyErr>,
}

/// The `bc_allocator` the core calls, once: a new int64 array of `count` elements, whose data
/// pointer it returns for the core to fill. NULL if the array cannot be made, with the reason
/// kept in the `Allocation`.
///
/// # Safety
///
/// `ctx` is the `Allocation` that `find_peaks_into` passed to `bc_find_peaks_into`.
// region: allocate
unsafe extern "C" fn allocate(count: usize, size: usize, ctx: *mut c_void) -> *mut c_void {
    // SAFETY: the core hands `ctx` back unchanged, during `find_peaks_into`'s call, and
    // nothing else uses the Allocation until that call returns.
    let allocation = unsafe { &mut *ctx.cast::<Allocation>() };
    // The calling thread may have released the GIL (a large x): `attach` takes it back for as
    // long as the array is being made, and gives it up again on the way out. A panic (attach
    // panics while the interpreter shuts down) must not unwind into C: it becomes an error.
    let result = catch_unwind(AssertUnwindSafe(|| {
        Python::attach(|py| {
            let array = empty_int64(py, count, size)?;
            Ok::<_, PyErr>((array.data(), array.unbind()))
        })
    }));
    let error = match result {
        Ok(Ok((data, array))) => {
            // The data pointer stays valid after the GIL is released: the Allocation holds a
            // reference to the array, and nothing else knows it yet, so nothing resizes it.
            allocation.array = Some(array);
            return data.cast();
        }
        Ok(Err(err)) => err,
        Err(payload) => PanicException::new_err(panic_message(payload)),
    };
    allocation.error = Some(error);
    ptr::null_mut()
}
// endregion: allocate

/// `numpy.empty(count, dtype=numpy.int64)`, or the exception (MemoryError) if NumPy cannot
/// allocate it: rust-numpy's own constructors (`PyArray1::new`, `PyArray1::zeros`) panic instead.
fn empty_int64(py: Python<'_>, count: usize, size: usize) -> PyResult<Bound<'_, PyArray1<i64>>> {
    if size != size_of::<i64>() {
        let message = format!("find_peaks_into: the core asked for {size}-byte elements");
        return Err(PySystemError::new_err(message));
    }
    let Ok(mut len) = npy_intp::try_from(count) else {
        return Err(PyMemoryError::new_err("find_peaks_into: too many peaks for one array"));
    };
    // SAFETY: one dimension, read from `len`. PyArray_Empty takes over the dtype's reference
    // and returns a new reference, or NULL with an exception set, which `_or_err` fetches.
    let array = unsafe {
        let descr = dtype::<i64>(py).into_dtype_ptr();
        Bound::from_owned_ptr_or_err(py, PY_ARRAY_API.PyArray_Empty(py, 1, &mut len, descr, 0))?
    };
    Ok(array.cast_into::<PyArray1<i64>>()?)
}

/// The same indices as `find_peaks`, written by the core straight into an array that Python
/// allocated (through `allocate`): no copy, and nothing for the binding to free.
#[pyfunction]
#[pyo3(signature = (x, threshold, /))]
pub fn find_peaks_into<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    threshold: f64,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let x = float64_array::<Ix1>(x, "find_peaks_into: x")?;
    let x = x.as_slice()?;
    // region: find-peaks-into
    let mut allocation = Allocation::default();
    let mut count = 0;
    let status = release_gil_if_large(py, x.len(), || {
        let ctx = (&raw mut allocation).cast();
        // SAFETY: x's slice, a valid out-parameter, and `allocation` outlives the call,
        // matching what `allocate` expects of `ctx`.
        unsafe {
            ffi::bc_find_peaks_into(x.as_ptr(), x.len(), threshold, Some(allocate), ctx, &mut count)
        }
    });
    if let Some(err) = allocation.error {
        return Err(err); // BC_ECALLBACK: the allocator's own exception
    }
    raise_for_status(status, "find_peaks_into")?;
    let peaks = allocation.array.expect("with BC_OK the core has called the allocator");
    // endregion: find-peaks-into
    let peaks = peaks.into_bound(py);
    // The core fills all it asked for; a shorter fill would leave uninitialised elements.
    if count != peaks.len() {
        return Err(PySystemError::new_err("find_peaks_into: the core filled part of the array"));
    }
    Ok(peaks)
}
