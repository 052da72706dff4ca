//! The core's status codes as Python exceptions: the only place this backend maps them.

use std::ffi::{CStr, c_int};

use pyo3::PyErr;
use pyo3::exceptions::{PyMemoryError, PyOverflowError, PySystemError, PyValueError};

use crate::ffi;

/// A status other than `BC_OK`, and the operation that returned it.
///
/// Plain data, so it can be created where the GIL is released (`Python::detach`) and turned
/// into a `PyErr` by `?` once the function returns to Python.
#[derive(Clone, Copy, Debug)]
pub struct CoreError {
    status: c_int,
    operation: &'static str,
}

/// `Ok(())` for `BC_OK`, the error otherwise: `check(unsafe { ffi::bc_...(...) }, "name")?`.
pub fn check(status: c_int, operation: &'static str) -> Result<(), CoreError> {
    if status == ffi::BC_OK { Ok(()) } else { Err(CoreError { status, operation }) }
}

// region: into-pyerr
// region: ch10-errors
impl From<CoreError> for PyErr {
    fn from(err: CoreError) -> PyErr {
        // SAFETY: bc_strerror returns a static NUL-terminated string for every status.
        let reason = unsafe { CStr::from_ptr(ffi::bc_strerror(err.status)) }.to_string_lossy();
        let message = format!("{}: {reason}", err.operation);
        match err.status {
            ffi::BC_EINVAL => PyValueError::new_err(message),
            ffi::BC_EOVERFLOW => PyOverflowError::new_err(message),
            ffi::BC_ENOMEM => PyMemoryError::new_err(message),
            // BC_ECALLBACK is handled where it can happen: `integrate` and `find_peaks_into`
            // re-raise their callback's own exception. Anything else here is a bug in the core
            // or in this crate.
            _ => PySystemError::new_err(message),
        }
    }
}
// endregion: ch10-errors
// endregion: into-pyerr
