//! `Detector`: the core's opaque handle, shared safely between Python threads.
//!
//! The core forbids two threads from using one detector at once, and `update_many` runs
//! without the GIL, so the GIL alone does not serialise calls: a `Mutex` does. The class is
//! `#[pyclass(frozen)]`, so methods take `&self` and PyO3 keeps no borrow flag. A mutable
//! pyclass would make `update_many` hold a `PyRefMut` while detached, and a second thread's
//! call would then fail with "Already borrowed" instead of waiting its turn.
//!
//! Rule: no Python code runs while the lock is held. Python code (a `__del__` run by an
//! allocation that triggers the garbage collector) could use this detector, and waiting for
//! a lock that its own thread holds never ends. So arrays are allocated before locking.
//! One exception: `update_many` runs the signal handlers while it holds the lock (that is how
//! Ctrl-C stops it), and with them whatever Python code they run. Such code that uses this
//! same detector fails with RuntimeError instead of waiting forever (`refuse_reentry`).

use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use numpy::ndarray::ArrayView1;
use numpy::prelude::*;
use numpy::{Ix1, PyArray1};
use pyo3::exceptions::{PyBufferError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::MutexExt;
use pyo3::types::PyTuple;

use crate::callbacks::check_signals_detached;
use crate::convert::{empty, float64_array};
use crate::errors::raise_for_status;
use crate::ffi;

/// A live C detector, destroyed when dropped.
struct Handle {
    raw: NonNull<ffi::bc_detector>,
    /// The posterior buffer: R + 1 doubles, at this address until `bc_detector_destroy`.
    posterior: NonNull<f64>,
    len: usize,
}

// SAFETY: the core lets any thread use a detector, one thread at a time; `Detector` keeps the
// handle in a Mutex, which provides the "one at a time".
unsafe impl Send for Handle {}

impl Handle {
    fn as_ptr(&self) -> *mut ffi::bc_detector {
        self.raw.as_ptr()
    }

    /// The run-length posterior, for as long as the handle is borrowed.
    fn posterior(&self) -> &[f64] {
        // SAFETY: the buffer lives as long as the detector, and the lock that guards `self`
        // keeps the core from writing to it meanwhile.
        unsafe { std::slice::from_raw_parts(self.posterior.as_ptr(), self.len) }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: the handle owns the detector; it is destroyed once, here.
        unsafe { ffi::bc_detector_destroy(self.as_ptr()) }
    }
}

// region: struct
/// Bayesian online change-point detector (see c_core/include/bcore.h).
#[pyclass(frozen)]
#[cfg_attr(not(feature = "abi3"), pyo3(module = "bindings.pyo3._pyo3"))]
#[cfg_attr(feature = "abi3", pyo3(module = "bindings.pyo3_abi3._pyo3"))]
pub struct Detector {
    /// The handle, `None` once closed; locked around every call into the core.
    handle: Mutex<Option<Handle>>,
    /// Live posterior views, counted by their `PosteriorOwner`s. Incremented under the lock.
    views: AtomicUsize,
    /// R + 1, the posterior's length, known without locking.
    len: usize,
    /// The `thread_id` of the thread inside this detector's `update_many`, 0 when none.
    updating_thread: AtomicUsize,
}
// endregion: struct

/// A number for the calling thread, never 0 and never reused in the process (std's ThreadId
/// has no stable integer form).
fn thread_id() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    thread_local! {
        static ID: usize = NEXT.fetch_add(1, Ordering::Relaxed);
    }
    ID.with(|id| *id)
}

fn closed_error() -> PyErr {
    PyValueError::new_err("the detector is closed")
}

/// A poisoned lock only means that a panic unwound while it was held; the core does not
/// unwind, so the handle is as valid as it was: keep using it.
fn unpoison<T>(result: Result<T, PoisonError<T>>) -> T {
    result.unwrap_or_else(PoisonError::into_inner)
}

impl Detector {
    /// Locks the handle. `lock_py_attached` is PyO3's try-lock fast path, falling back to
    /// waiting with the GIL released: waiting while holding it would deadlock against an
    /// `update_many` that holds the lock and needs the GIL back to return.
    // region: lock
    fn lock(&self, py: Python<'_>) -> PyResult<MutexGuard<'_, Option<Handle>>> {
        self.refuse_reentry()?;
        Ok(unpoison(self.handle.lock_py_attached(py)))
    }
    // endregion: lock

    /// RuntimeError if this thread is inside this detector's `update_many`: a signal handler
    /// (or a finalizer the garbage collector runs) that `check_signals_detached` ran. The lock
    /// is this thread's own, so waiting would never end; and the core must not be re-entered
    /// on a detector whose call is still running, even between two of its steps.
    fn refuse_reentry(&self) -> PyResult<()> {
        // Relaxed: only this thread stores its own id, so it reads its own store; any other
        // thread reads another id or 0, and goes on to wait for the lock.
        if self.updating_thread.load(Ordering::Relaxed) == thread_id() {
            return Err(PyRuntimeError::new_err(
                "reentrant call, from inside update_many() of the same detector on the same \
                 thread (in a signal handler?)",
            ));
        }
        Ok(())
    }

    // region: open-handle
    /// Runs `f` on the open handle, under the lock; ValueError if the detector is closed.
    // A closure rather than a returned guard: the lock is held exactly while `f` runs, so no
    // statement added later to a method can make a Python object (and run a `__del__` that
    // locks this detector) under it, as `Python::detach(f)` bounds its own scope the same way.
    fn open_handle<T>(&self, py: Python<'_>, f: impl FnOnce(&Handle) -> T) -> PyResult<T> {
        let guard = self.lock(py)?;
        let handle = guard.as_ref().ok_or_else(closed_error)?;
        Ok(f(handle))
    }
    // endregion: open-handle
}

#[pymethods]
impl Detector {
    #[new]
    #[pyo3(signature = (hazard=0.01, mu0=0.0, kappa0=1.0, alpha0=1.0, beta0=1.0, max_run_length=500))]
    fn new(
        hazard: f64,
        mu0: f64,
        kappa0: f64,
        alpha0: f64,
        beta0: f64,
        max_run_length: i64,
    ) -> PyResult<Self> {
        let model = ffi::bc_normal_gamma { mu0, kappa0, alpha0, beta0 };
        let hazard = ffi::bc_hazard { rate: hazard, max_run_length };
        let mut raw = ptr::null_mut();
        // SAFETY: valid pointers to the parameters and to the out-parameter.
        let status = unsafe { ffi::bc_detector_create(&model, &hazard, &mut raw) };
        raise_for_status(status, "Detector")?;
        let raw = NonNull::new(raw).expect("the core returns a detector with BC_OK");
        let mut len = 0;
        // SAFETY: `raw` is a live detector.
        let posterior = unsafe { ffi::bc_detector_posterior(raw.as_ptr(), &mut len) };
        let posterior = NonNull::new(posterior.cast_mut()).expect("a detector has a posterior");
        Ok(Detector {
            handle: Mutex::new(Some(Handle { raw, posterior, len })),
            views: AtomicUsize::new(0),
            len,
            updating_thread: AtomicUsize::new(0),
        })
    }

    /// One observation; returns the most probable run length.
    #[pyo3(signature = (x, /))]
    fn update(&self, py: Python<'_>, x: f64) -> PyResult<i64> {
        let mut run_length = 0;
        // SAFETY: a live detector, under the lock, and a valid out-parameter.
        let status = self.open_handle(py, |handle| unsafe {
            ffi::bc_detector_update(handle.as_ptr(), x, &mut run_length)
        })?;
        raise_for_status(status, "update")?; // BC_EINVAL: x is not finite
        Ok(run_length)
    }

    /// Many observations (1-D); returns the run length after each as int64.
    // Always without the GIL, locking included: a thread waiting for this detector waits
    // without the GIL too. Hence its own lock call, where `open_handle` locks attached.
    //
    // Ctrl-C: every millisecond or so the core asks `check_signals_detached`, which attaches
    // just long enough to run the signal handlers. If one raised, the core stops between two
    // steps (the detector keeps those it took) and the handler's exception is raised here; the
    // lock is released and `run_lengths` dropped on the way out, as on every other return.
    // A signal handler, or a finalizer the garbage collector runs meanwhile, that uses THIS
    // detector would wait for the lock this thread holds: `refuse_reentry` makes it fail.
    #[pyo3(signature = (xs, /))]
    fn update_many<'py>(
        &self,
        py: Python<'py>,
        xs: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        self.refuse_reentry()?;
        let xs = float64_array::<Ix1>(xs, "update_many: xs")?;
        let xs = xs.as_slice()?;
        let run_lengths = empty::<i64>(py, xs.len())?;
        let mut out = run_lengths.try_readwrite()?;
        let out = out.as_slice_mut()?;
        // region: update-many
        let (status, interruption) = py.detach(|| {
            let guard = unpoison(self.handle.lock());
            let handle = guard.as_ref().ok_or_else(closed_error)?;
            let mut interruption: Option<PyErr> = None;
            // Cleared before the lock is released: nothing between the two stores can fail
            // or unwind (the core does not, and the check catches every panic).
            self.updating_thread.store(thread_id(), Ordering::Relaxed);
            // SAFETY: a live detector, under the lock; both slices hold xs.len() elements;
            // `interruption` outlives the call, as `check_signals_detached` expects of ctx.
            let status = unsafe {
                ffi::bc_detector_update_many(
                    handle.as_ptr(),
                    xs.as_ptr(),
                    xs.len(),
                    out.as_mut_ptr(),
                    Some(check_signals_detached),
                    (&raw mut interruption).cast(),
                )
            };
            self.updating_thread.store(0, Ordering::Relaxed);
            Ok::<_, PyErr>((status, interruption))
        })?;
        if let Some(err) = interruption {
            return Err(err); // BC_ECALLBACK: what a signal handler raised
        }
        // endregion: update-many
        raise_for_status(status, "update_many")?; // BC_EINVAL: a value is not finite
        Ok(run_lengths)
    }

    /// A float64 copy of the run-length posterior.
    fn posterior<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let copy = empty::<f64>(py, self.len)?;
        let mut target = copy.try_readwrite()?;
        let target = target.as_slice_mut()?;
        self.open_handle(py, |handle| target.copy_from_slice(handle.posterior()))?;
        Ok(copy)
    }

    /// A read-only array over the detector's own posterior buffer; close() refuses while
    /// it, or any array made from it, is alive.
    // Its base is a `PosteriorOwner`, which keeps this detector alive and counts as a live
    // view until NumPy drops it; NumPy makes that owner the base of every array derived from
    // the view too.
    fn posterior_view<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let py = slf.py();
        let this = slf.get();
        // Counted under the lock: close() cannot slip in between the check and the count.
        let data = this.open_handle(py, |handle| {
            this.views.fetch_add(1, Ordering::Relaxed);
            handle.posterior
        })?;
        // From here on the owner's Drop undoes the count, whatever fails.
        let owner = Bound::new(py, PosteriorOwner { detector: slf.clone().unbind() })?;
        // SAFETY: `data` holds `len` doubles until the detector is destroyed, which waits
        // for the owner: close() refuses while it is counted, and it keeps the detector alive.
        let view = unsafe { ArrayView1::from_shape_ptr(this.len, data.as_ptr().cast_const()) };
        // SAFETY: the owner, the array's base, keeps that memory valid, as said above.
        let array = unsafe { PyArray1::borrow_from_array(&view, owner.into_any()) };
        array.try_readwrite()?.make_nonwriteable();
        Ok(array)
    }

    /// Steps seen since creation or the last reset().
    #[getter]
    fn t(&self, py: Python<'_>) -> PyResult<u64> {
        // SAFETY: a live detector, under the lock.
        self.open_handle(py, |handle| unsafe { ffi::bc_detector_steps(handle.as_ptr()) })
    }

    /// Back to the prior (the posterior buffer stays where it is).
    fn reset(&self, py: Python<'_>) -> PyResult<()> {
        // SAFETY: a live detector, under the lock.
        self.open_handle(py, |handle| unsafe { ffi::bc_detector_reset(handle.as_ptr()) })
    }

    /// Releases the C detector; idempotent. BufferError while posterior views are alive.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let mut guard = self.lock(py)?;
        if guard.is_some() && self.views.load(Ordering::Acquire) > 0 {
            return Err(PyBufferError::new_err(
                "cannot close the detector: arrays over its posterior_view() are alive",
            ));
        }
        drop(guard.take()); // bc_detector_destroy, still under the lock
        Ok(())
    }

    /// Whether close() has released the C detector.
    #[getter]
    fn closed(&self, py: Python<'_>) -> PyResult<bool> {
        Ok(self.lock(py)?.is_none())
    }

    fn __enter__<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        slf.get().open_handle(slf.py(), |_| ())?;
        Ok(slf)
    }

    /// Closes the detector.
    #[pyo3(signature = (*_exc_info))]
    fn __exit__(&self, py: Python<'_>, _exc_info: &Bound<'_, PyTuple>) -> PyResult<()> {
        self.close(py)
    }
}

// A Detector dropped without close() drops its Mutex, hence its Handle: bc_detector_destroy.

/// The base object of posterior views: keeps the detector alive, and counts as one view.
///
/// It needs no `__traverse__`: a Detector holds no Python objects, so no reference cycle can
/// run through one.
#[pyclass(frozen)]
#[cfg_attr(not(feature = "abi3"), pyo3(module = "bindings.pyo3._pyo3"))]
#[cfg_attr(feature = "abi3", pyo3(module = "bindings.pyo3_abi3._pyo3"))]
struct PosteriorOwner {
    detector: Py<Detector>,
}

impl Drop for PosteriorOwner {
    fn drop(&mut self) {
        // Release: NumPy's reads of the buffer come before a close() that sees the new count.
        self.detector.get().views.fetch_sub(1, Ordering::Release);
    }
}
