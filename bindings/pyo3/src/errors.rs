//! The core's status codes as Python exceptions: the only place this backend maps them.

use std::ffi::{CStr, c_int};

use pyo3::exceptions::{PyMemoryError, PyOverflowError, PySystemError, PyValueError};
use pyo3::{PyErr, PyResult};

use crate::ffi;

/// `Ok(())` for `BC_OK`, otherwise the exception for `status`, its message prefixed with
/// `what` (the call that failed): `raise_for_status(unsafe { ffi::bc_...(...) }, "name")?`.
///
/// It needs no GIL, so it also runs inside `Python::detach`: `new_err` only stores the type
/// and the message, and the exception object is made once the error reaches Python ("This
/// exception instance will be initialized lazily. This avoids the need for the Python GIL to
/// be held": the documentation of `PyErr::new`, pyo3 0.30 src/err/mod.rs).
// region: raise-for-status
#[inline]
pub fn raise_for_status(status: c_int, what: &str) -> PyResult<()> {
    if status == ffi::BC_OK { Ok(()) } else { Err(status_error(status, what)) }
}

/// The exception for a failed `status`. Out of line and `#[cold]`: every call pays for the
/// comparison above, inlined, and only a failing one for building the message.
#[cold]
#[inline(never)]
fn status_error(status: c_int, what: &str) -> PyErr {
    // SAFETY: bc_strerror returns a static NUL-terminated string for every status.
    let reason = unsafe { CStr::from_ptr(ffi::bc_strerror(status)) }.to_string_lossy();
    let message = format!("{what}: {reason}");
    match status {
        ffi::BC_EINVAL => PyValueError::new_err(message),
        ffi::BC_EOVERFLOW => PyOverflowError::new_err(message),
        ffi::BC_ENOMEM => PyMemoryError::new_err(message),
        // BC_ECALLBACK never gets here: `integrate` and `find_peaks_into` keep their
        // callback's own exception and raise it first. Anything else is a bug in the core
        // or in this crate.
        _ => PySystemError::new_err(message),
    }
}
// endregion: raise-for-status
