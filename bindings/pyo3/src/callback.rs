//! `integrate`: the core calls back into Python through a C function pointer.

use std::any::Any;
use std::ffi::{c_int, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};

use pyo3::exceptions::PyTypeError;
use pyo3::panic::PanicException;
use pyo3::prelude::*;

use crate::arrays::type_name;
use crate::error::check;
use crate::ffi;
use crate::functions::count;

/// What the trampoline needs, reached through the core's `void *ctx`. There is one per call,
/// on `integrate`'s stack: calls may nest (f may itself integrate) and threads share nothing.
struct Callback<'a, 'py> {
    f: &'a Bound<'py, PyAny>,
    /// What stopped the integration: f's own exception, or the TypeError for a result that
    /// is no number. `integrate` returns it, so the same exception object propagates.
    error: Option<PyErr>,
}

/// The `bc_func` the core calls: `*y = f(x)`, or non-zero to stop.
///
/// # Safety
///
/// `ctx` is the `Callback` that `integrate` passed to `bc_integrate`, and `y` is writable.
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

fn panic_message(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => payload.downcast_ref::<&str>().unwrap_or(&"a panic in Rust").to_string(),
    }
}

/// Trapezoid rule of f over [a, b] with n intervals (n + 1 calls of f, from a to b).
// The GIL stays held: the core calls back into Python at every point.
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
    // SAFETY: `callback` outlives the call, matching what `trampoline` expects of `ctx`.
    let status =
        unsafe { ffi::bc_integrate(trampoline, (&raw mut callback).cast(), a, b, n, &mut result) };
    if let Some(err) = callback.error {
        return Err(err); // BC_ECALLBACK
    }
    check(status, "integrate")?;
    Ok(result)
}
