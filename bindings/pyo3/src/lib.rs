//! The PyO3 backend of `bindings`: the extension module `bindings.pyo3._pyo3`.
//!
//! The parts of every backend (bindings/README.md, "One layout, one vocabulary"), in order:
//!
//! | module      | what it holds                                                            |
//! |-------------|--------------------------------------------------------------------------|
//! | `ffi`       | the C API of `c_core/include/bcore.h`, declared by hand                  |
//! | `errors`    | status codes to exceptions: `raise_for_status`                           |
//! | `convert`   | arguments to C (arrays, counts, records), results to NumPy               |
//! | `functions` | the plain functions, and the GIL rule: `release_gil_if_large`            |
//! | `callbacks` | `integrate` and `find_peaks_into`: C calls back into Rust and Python     |
//! | `detector`  | `Detector`: an opaque handle behind a lock (`open_handle`)               |
//! | this file   | the `#[pymodule]`, and the checks it runs on import                      |

mod callbacks;
mod convert;
mod detector;
mod errors;
mod ffi;
mod functions;

// region: module
/// The PyO3 backend of bindings (see bindings/_interface.py).
///
/// Built by maturin from bindings/pyo3 (Rust), separately from the CMake build.
#[pyo3::pymodule]
mod _pyo3 {
    use numpy::PyArrayDescr;
    use pyo3::exceptions::PyImportError;
    use pyo3::prelude::*;

    #[pymodule_export]
    use crate::callbacks::{find_peaks_into, integrate};
    #[pymodule_export]
    use crate::detector::Detector;
    #[pymodule_export]
    use crate::functions::{
        Stats, add, describe, dsum, events_total, fail_allocation_after, find_peaks, fnv1a,
        live_allocations, matvec, noop, repeat, scale, sum6,
    };
    // endregion: module

    /// Refuses to import if this module and the C core or `bindings` disagree.
    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        if let Err(place) = crate::ffi::check_layouts() {
            let message = format!("the Rust mirror of bcore.h differs from the C core at {place}");
            return Err(PyImportError::new_err(message));
        }
        let bindings = m.py().import("bindings")?;
        let min_size: usize = bindings.getattr("GIL_RELEASE_MIN_SIZE")?.extract()?;
        if min_size != crate::functions::GIL_RELEASE_MIN_SIZE {
            let message = "bindings.GIL_RELEASE_MIN_SIZE differs from the compiled-in value";
            return Err(PyImportError::new_err(message));
        }
        let event_dtype = bindings.getattr("EVENT_DTYPE")?.cast_into::<PyArrayDescr>()?;
        crate::convert::init_event_dtype(event_dtype)
    }
}
