//! Python arguments to C arguments, and C results to NumPy: array inputs read in place or
//! converted once, `out=` checked, scalar counts, record arrays, new result arrays that report
//! MemoryError, and buffers the core allocated handed to NumPy without a copy.

use std::mem::{offset_of, size_of};
use std::ptr::NonNull;

use numpy::ndarray::{ArrayView1, Dimension};
use numpy::npyffi::{_PyArray_GET_ITEM_DATA, NPY_ARRAY_WRITEABLE, npy_intp};
use numpy::prelude::*;
use numpy::{
    Element, PY_ARRAY_API, PyArray, PyArray1, PyArrayDescr, PyReadonlyArray, PyReadonlyArray1,
    PyUntypedArray, dtype,
};
use pyo3::exceptions::{PyException, PyImportError, PyMemoryError, PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::ffi;

// ---- arrays in, and out= ----------------------------------------------------------------------

/// `type(obj).__name__`, for error messages.
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map_or_else(|_| "?".to_owned(), |name| name.to_string())
}

/// `numpy.require(obj, dtype, "CA")`: obj as a C-contiguous, aligned ndarray of `dtype` (None:
/// its own), copied only if it is not one already. Unlike `numpy.ascontiguousarray` it keeps a
/// 0-d input 0-d, so a scalar still fails the caller's ndim check.
fn require<'py>(
    obj: &Bound<'py, PyAny>,
    dtype: Option<Bound<'py, PyArrayDescr>>,
) -> PyResult<Bound<'py, PyUntypedArray>> {
    static REQUIRE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let require = REQUIRE.import(obj.py(), "numpy", "require")?;
    Ok(require.call1((obj, dtype, "CA"))?.cast_into()?)
}

/// `obj` as a C-contiguous, aligned float64 array of `D::NDIM` dimensions, borrowed for
/// reading (rust-numpy's borrow tracking). `what` ("dsum: x") prefixes error messages.
///
/// A C-contiguous float64 ndarray is read in place; anything else is converted by NumPy once.
/// Extracting `PyReadonlyArray1<f64>` directly would be one line, but it reports a 2-D array
/// as TypeError (not an array of the requested type) where the interface wants ValueError, and
/// it converts nothing; so the type and layout are checked here, and the ndim after converting.
pub fn float64_array<'py, D: Dimension>(
    obj: &Bound<'py, PyAny>,
    what: &str,
) -> PyResult<PyReadonlyArray<'py, f64, D>> {
    // region: fast-path
    if let Ok(array) = obj.cast::<PyArray<f64, D>>() {
        if array.is_c_contiguous() && array.is_aligned() {
            return Ok(array.try_readonly()?);
        }
    }
    // endregion: fast-path
    let array = require(obj, Some(dtype::<f64>(obj.py()))).map_err(|err| {
        // NumPy says ValueError or TypeError depending on what it choked on; the interface
        // says TypeError for all of them. MemoryError, and BaseExceptions that are no error
        // (KeyboardInterrupt), pass through as they are.
        let py = obj.py();
        if !err.is_instance_of::<PyException>(py) || err.is_instance_of::<PyMemoryError>(py) {
            return err;
        }
        let message = format!("{what}: cannot convert {} to a float64 array", type_name(obj));
        let type_error = PyTypeError::new_err(message);
        type_error.set_cause(py, Some(err));
        type_error
    })?;
    check_ndim(&array, D::NDIM.expect("a fixed number of dimensions"), what)?;
    Ok(array.cast_into::<PyArray<f64, D>>()?.try_readonly()?)
}

fn check_ndim(array: &Bound<'_, PyUntypedArray>, ndim: usize, what: &str) -> PyResult<()> {
    if array.ndim() == ndim {
        Ok(())
    } else {
        let message = format!("{what} must be {ndim}-D, not {}-D", array.ndim());
        Err(PyValueError::new_err(message))
    }
}

/// Checks `out=`, which is never converted: a numpy.ndarray of dtype float64 (TypeError
/// otherwise) of shape `(len,)`, C-contiguous, aligned and writable (ValueError otherwise).
///
/// It is written through its raw data pointer, not through a rust-numpy `readwrite()` borrow:
/// that borrow is refused whenever `out` may overlap an array being read, but `out=x` is
/// allowed, and whether an overlap is an error is for the core to decide (`bc_scale`).
pub fn out_array<'py>(out: &Bound<'py, PyAny>, len: usize) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let Ok(array) = out.cast::<PyUntypedArray>() else {
        let message = format!("scale: out must be a numpy.ndarray, not {}", type_name(out));
        return Err(PyTypeError::new_err(message));
    };
    if !array.dtype().is_equiv_to(&dtype::<f64>(out.py())) {
        let message = format!("scale: out must have dtype float64, not {}", array.dtype());
        return Err(PyTypeError::new_err(message));
    }
    let problem = if array.shape() != [len] {
        "must have the shape of x"
    } else if !array.is_c_contiguous() || !array.is_aligned() {
        "must be C-contiguous and aligned"
    } else if !is_writeable(array) {
        "must be writable"
    } else {
        return Ok(array.cast::<PyArray1<f64>>()?.clone());
    };
    Err(PyValueError::new_err(format!("scale: out {problem}")))
}

/// NumPy's `PyArray_ISWRITEABLE` (rust-numpy checks it only when taking a `readwrite()` borrow).
fn is_writeable(array: &Bound<'_, PyUntypedArray>) -> bool {
    // SAFETY: `array` is a live ndarray and the GIL is held while its flags are read.
    let flags = unsafe { (*_PyArray_GET_ITEM_DATA(array.as_array_ptr())).flags };
    flags & NPY_ARRAY_WRITEABLE != 0
}

// ---- scalars ----------------------------------------------------------------------------------

/// A count parameter (repeat's n, integrate's n): an int or `__index__` object that fits usize.
// PyO3's usize extraction refuses every negative int with OverflowError, but the interface
// makes any negative count a ValueError, however large; the sign is looked at on that path only.
pub fn count(n: &Bound<'_, PyAny>, negative: &'static str) -> PyResult<usize> {
    n.extract::<usize>().or_else(|err| {
        let py = n.py();
        let index = py.import(intern!(py, "operator"))?.call_method1(intern!(py, "index"), (n,))?;
        Err(if index.lt(0)? { PyValueError::new_err(negative) } else { err })
    })
}

// ---- record arrays ----------------------------------------------------------------------------

/// `bindings.EVENT_DTYPE`, set once when the module is imported (`init_event_dtype`).
static EVENT_DTYPE: PyOnceLock<Py<PyArrayDescr>> = PyOnceLock::new();

/// Checks that `dtype` (bindings.EVENT_DTYPE) lays records out as `bc_event` is laid out, and
/// makes it the dtype of `bc_event` arrays. The `Element` impl below relies on both.
pub fn init_event_dtype(dtype: Bound<'_, PyArrayDescr>) -> PyResult<()> {
    let py = dtype.py();
    let (kind, kind_offset) = dtype.get_field("kind")?;
    let (value, value_offset) = dtype.get_field("value")?;
    let matches = dtype.itemsize() == size_of::<ffi::bc_event>()
        && kind.is_equiv_to(&numpy::dtype::<i32>(py))
        && kind_offset == offset_of!(ffi::bc_event, kind)
        && value.is_equiv_to(&numpy::dtype::<f64>(py))
        && value_offset == offset_of!(ffi::bc_event, value);
    if !matches {
        return Err(PyImportError::new_err("bindings.EVENT_DTYPE does not match bc_event"));
    }
    // Importing the module again (a reload) finds it set, to an equal dtype.
    let _ = EVENT_DTYPE.set(py, dtype.unbind());
    Ok(())
}

// region: element
// SAFETY: bc_event is plain old data (an i32, padding, an f64), so `IS_COPY`; `get_dtype` is
// bindings.EVENT_DTYPE, checked above to have bc_event's layout.
unsafe impl Element for ffi::bc_event {
    const IS_COPY: bool = true;

    fn get_dtype(py: Python<'_>) -> Bound<'_, PyArrayDescr> {
        let dtype = EVENT_DTYPE.get(py).expect("set when the module was imported");
        dtype.bind(py).clone()
    }

    fn clone_ref(&self, _py: Python<'_>) -> Self {
        *self
    }
}
// endregion: element

/// `obj` as a 1-D record array of `bindings.EVENT_DTYPE`, read in place when it is
/// C-contiguous and aligned, copied otherwise. Anything but an ndarray of exactly that dtype
/// is a TypeError; another number of dimensions a ValueError.
pub fn event_array<'py>(
    obj: &Bound<'py, PyAny>,
    what: &str,
) -> PyResult<PyReadonlyArray1<'py, ffi::bc_event>> {
    let event_dtype = ffi::bc_event::get_dtype(obj.py());
    let array = match obj.cast::<PyUntypedArray>() {
        Ok(array) if array.dtype().is_equiv_to(&event_dtype) => array,
        _ => {
            let message = format!("{what} must be a numpy.ndarray of dtype bindings.EVENT_DTYPE");
            return Err(PyTypeError::new_err(message));
        }
    };
    check_ndim(array, 1, what)?;
    let array = if array.is_c_contiguous() && array.is_aligned() {
        array.clone()
    } else {
        require(array, None)?
    };
    Ok(array.cast_into::<PyArray1<ffi::bc_event>>()?.try_readonly()?)
}

// ---- new result arrays ------------------------------------------------------------------------

/// `numpy.empty(len, dtype=T)`, or the exception NumPy raised (MemoryError) if it cannot
/// allocate the array. Its elements are uninitialised: every caller hands the array to a core
/// function (or a copy) that writes all of them before Python sees it.
///
/// Not `numpy.zeros`: zeroing is a second pass over the memory (for a large array, glibc's
/// calloc clears whatever block it reuses), paid for nothing since the core overwrites it all.
/// And not rust-numpy's own constructors (`PyArray1::new`, `PyArray1::zeros`): they hand
/// NumPy's answer to `Bound::from_owned_ptr`, which panics on NULL, so out of memory the
/// caller would get a PanicException, not the MemoryError the interface promises. The same
/// NumPy call, `PyArray_Empty`, through `from_owned_ptr_or_err` turns NULL into the exception
/// NumPy set.
// region: empty
pub fn empty<T: Element>(py: Python<'_>, len: usize) -> PyResult<Bound<'_, PyArray1<T>>> {
    let Ok(mut len) = npy_intp::try_from(len) else {
        return Err(PyMemoryError::new_err(format!("cannot allocate an array of {len} elements")));
    };
    // SAFETY: one dimension, read from `len`. PyArray_Empty takes over the dtype's reference
    // and returns a new reference, or NULL with an exception set, which `_or_err` fetches.
    // It fills an object array with None, so only plain numbers are left uninitialised.
    let array = unsafe {
        let descr = dtype::<T>(py).into_dtype_ptr();
        Bound::from_owned_ptr_or_err(py, PY_ARRAY_API.PyArray_Empty(py, 1, &mut len, descr, 0))?
    };
    Ok(array.cast_into::<PyArray1<T>>()?)
}
// endregion: empty

// ---- buffers the core allocates ---------------------------------------------------------------

/// A buffer of `len` `T`s that the core allocated (`bc_find_peaks`, `bc_repeat`), released
/// with `bc_free` when this value is dropped: exactly once, whichever way the caller leaves.
pub struct CoreBuffer<T> {
    ptr: NonNull<T>,
    len: usize,
}

// SAFETY: a CoreBuffer owns its block alone, the block holds plain data (i64, u8), and
// bc_free may be called from any thread.
unsafe impl<T: Send> Send for CoreBuffer<T> {}
// SAFETY: shared access only reads the block.
unsafe impl<T: Sync> Sync for CoreBuffer<T> {}

impl<T> CoreBuffer<T> {
    /// Takes ownership of what a core function returned through its out-parameters.
    ///
    /// # Safety
    ///
    /// `ptr` was returned by the core with `BC_OK`, holds `len` initialised `T`s, and is freed
    /// by nothing else.
    pub unsafe fn from_raw(ptr: *mut T, len: usize) -> Self {
        let ptr = NonNull::new(ptr).expect("the core returns a buffer with BC_OK");
        CoreBuffer { ptr, len }
    }

    pub fn as_slice(&self) -> &[T] {
        // SAFETY: `from_raw`'s contract; the block lives until `drop`.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

// region: core-buffer-drop
impl<T> Drop for CoreBuffer<T> {
    fn drop(&mut self) {
        // SAFETY: the pointer came from the core and this is the only place that frees it.
        unsafe { ffi::bc_free(self.ptr.as_ptr().cast()) }
    }
}
// endregion: core-buffer-drop

/// The Python object that owns a `CoreBuffer` handed to NumPy: it is the array's `base`, so
/// the buffer is freed when the last array over it dies. Not exported from the module.
#[pyclass(frozen)]
#[cfg_attr(not(feature = "abi3"), pyo3(module = "bindings.pyo3._pyo3"))]
#[cfg_attr(feature = "abi3", pyo3(module = "bindings.pyo3_abi3._pyo3"))]
pub struct CoreArrayOwner {
    buffer: CoreBuffer<i64>,
}

/// An int64 array over `buffer`, without a copy: the owner becomes the array's base.
pub fn core_array(py: Python<'_>, buffer: CoreBuffer<i64>) -> PyResult<Bound<'_, PyArray1<i64>>> {
    let owner = Bound::new(py, CoreArrayOwner { buffer })?;
    let view = ArrayView1::from(owner.get().buffer.as_slice());
    // SAFETY: the array keeps `owner`, hence the buffer, alive, and the buffer never moves
    // or changes size; Python may write to it, which is fine: nothing else reads it.
    Ok(unsafe { PyArray1::borrow_from_array(&view, owner.clone().into_any()) })
}
