//! The PyO3 backend of `bindings`: the extension module `bindings.pyo3._pyo3`.
//!
//! The same crate, built with the cargo feature `abi3` (`abi3/pyproject.toml`), is the
//! stable-ABI module `bindings.pyo3_abi3._pyo3`: the only difference in the code is the
//! `module` each class reports (`#[cfg_attr(feature = "abi3", ...)]`), which PyO3 takes as a
//! literal, so the two spellings stand side by side.
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
//
// region: gil-and-interpreters
// Free-threading: declared as needing the GIL. Since PyO3 0.28 a module claims free-threaded
// support unless it says otherwise ("Support for free-threaded Python is now opt-out rather
// than opt-in", https://github.com/PyO3/pyo3/pull/5564; https://pyo3.rs/v0.30.1/free-threading),
// so saying nothing would claim what nobody has tested: we have no free-threaded CPython. What
// the GIL provides today: a NumPy array handed to C as a Rust slice (`&[f64]`, `&mut [f64]`)
// while attached cannot be written by another thread during the call; without the GIL such a
// write would be a data race on memory Rust assumes unaliased. To declare `gil_used = false`:
// audit every slice borrowed from a caller's array (and the `out=` arrays) for concurrent
// writers, run the suite, the threading tests included, on a 3.13t/3.14t build, then flip it.
//
// Subinterpreters: PyO3 refuses to initialise a module in a second interpreter (ImportError
// "PyO3 modules do not yet support subinterpreters", pyo3 0.30.1 src/impl_/pymodule.rs;
// https://github.com/PyO3/pyo3/issues/576): its statics (the module object, each class's type
// object, `PyOnceLock`s such as the EVENT_DTYPE cache) are per process, not per interpreter.
// Supporting them would need PyO3's per-module state, which it does not have yet.
#[pyo3::pymodule(gil_used = true)]
// endregion: gil-and-interpreters
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
