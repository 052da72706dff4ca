// Conversion: Python arguments -> C arguments (scalars, arrays, bytes, records), each with the
// interface's errors. Nothing here calls the core.
#include "bindings.hpp"

#include <climits>
#include <stdexcept>
#include <string>

namespace bcore_pybind11 {
namespace {

std::string type_name(py::handle object) {
    return py::str(py::type::handle_of(object).attr("__name__"));
}

bool is_aligned(const void *data, std::size_t alignment) {
    return reinterpret_cast<std::uintptr_t>(data) % alignment == 0;
}

} // namespace

// ---- scalars --------------------------------------------------------------------------------

// region: to-int64
std::int64_t to_int64(py::handle value, const char *name) {
    static_assert(sizeof(long long) == sizeof(std::int64_t), "long long is not 64 bits");
    // Since Python 3.10 this calls __index__ and nothing else: TypeError for floats.
    int overflow = 0;
    const long long result = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
    if (overflow != 0) {
        throw std::overflow_error(std::string(name) + " does not fit int64");
    }
    if (result == -1 && PyErr_Occurred() != nullptr) {
        throw py::error_already_set();
    }
    return result;
}
// endregion: to-int64

std::int32_t to_int32(py::handle value, const char *name) {
    const std::int64_t result = to_int64(value, name);
    if (result < INT32_MIN || result > INT32_MAX) {
        throw std::overflow_error(std::string(name) + " does not fit int32");
    }
    return static_cast<std::int32_t>(result);
}

std::size_t to_size(py::handle value, const char *name) {
    const auto index = py::reinterpret_steal<py::int_>(PyNumber_Index(value.ptr()));
    if (!index) {
        throw py::error_already_set();
    }
    // The sign without a comparison of Python ints: index is an int, so this calls nothing and
    // cannot fail; only a value beyond int64 needs PyLong_AsSize_t.
    int overflow = 0;
    const long long small = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
    if (overflow < 0 || (overflow == 0 && small < 0)) {
        throw py::value_error(std::string(name) + " must be >= 0");
    }
    if (overflow == 0) {
        return static_cast<std::size_t>(small);
    }
    const std::size_t result = PyLong_AsSize_t(index.ptr());
    if (result == static_cast<std::size_t>(-1) && PyErr_Occurred() != nullptr) {
        PyErr_Clear();
        throw std::overflow_error(std::string(name) + " does not fit size_t");
    }
    return result;
}

// ---- arrays ---------------------------------------------------------------------------------

void require_ndim(const py::array &array, py::ssize_t ndim, const char *name) {
    if (array.ndim() != ndim) {
        throw py::value_error(std::string(name) + " must be " + std::to_string(ndim) + "-D, not " +
                              std::to_string(array.ndim()) + "-D");
    }
}

std::size_t length(const py::array &array) {
    return static_cast<std::size_t>(array.size());
}

// region: checked-out
// out= is checked, never converted: the caller asked for the result in that very array.
py::array_t<double> checked_out(const py::object &out, const py::array &x, const char *name) {
    const std::string prefix = std::string(name) + ": out must ";
    if (!py::isinstance<py::array>(out)) {
        throw py::type_error(prefix + "be a numpy.ndarray, not " + type_name(out));
    }
    if (!py::isinstance<py::array_t<double>>(out)) { // array_t's check compares the dtype
        throw py::type_error(prefix + "have dtype float64, not " +
                             std::string(py::str(out.attr("dtype"))));
    }
    auto array = py::reinterpret_borrow<py::array_t<double>>(out);
    if (array.ndim() != 1 || array.shape(0) != x.shape(0)) {
        throw py::value_error(prefix + "have the shape of x");
    }
    if ((array.flags() & py::array::c_style) == 0) {
        throw py::value_error(prefix + "be C-contiguous");
    }
    if (!array.writeable()) {
        throw py::value_error(prefix + "be writable");
    }
    // NumPy allows arrays at any address; C may only write doubles at aligned ones.
    if (!is_aligned(array.data(), alignof(double))) {
        throw py::value_error(prefix + "be aligned for float64");
    }
    return array;
}
// endregion: checked-out

// ---- bytes ----------------------------------------------------------------------------------

// region: bytes
contiguous_bytes::contiguous_bytes(const py::buffer &data, const char *name) {
    // PyBUF_STRIDES: every exporter can answer, and the strides tell whether it is contiguous.
    if (PyObject_GetBuffer(data.ptr(), &view_, PyBUF_STRIDES) != 0) {
        throw py::error_already_set(); // e.g. a released memoryview: ValueError
    }
    if (PyBuffer_IsContiguous(&view_, 'C') == 0) {
        PyBuffer_Release(&view_); // the destructor does not run when the constructor throws
        throw py::value_error(std::string(name) + ": the buffer must be C-contiguous");
    }
}

std::string_view to_utf8(const py::str &s) {
    // Not s.cast<std::string_view>(): pybind11's string caster turns the UnicodeEncodeError of
    // a lone surrogate into a failed cast. The UTF-8 stays cached in s: no copy.
    Py_ssize_t len = 0;
    const char *utf8 = PyUnicode_AsUTF8AndSize(s.ptr(), &len);
    if (utf8 == nullptr) {
        throw py::error_already_set();
    }
    return {utf8, static_cast<std::size_t>(len)};
}
// endregion: bytes

// ---- records --------------------------------------------------------------------------------

// region: event-array
namespace {

// bindings.EVENT_DTYPE, the dtype record arrays are made with, fetched once. Comparing an array's
// dtype with it finds the same object at once; comparing with pybind11's own dtype for bc_event
// (py::isinstance<py::array_t<bc_event>>), an equal but distinct object, makes NumPy compare
// the fields one by one on every call. gil_safe_call_once_and_store is pybind11's way to keep a
// Python object in a static (docs/advanced/misc.rst).
const py::object &event_dtype() {
    PYBIND11_CONSTINIT static py::gil_safe_call_once_and_store<py::object> storage;
    return storage
        .call_once_and_store_result(
            [] { return py::module_::import("bindings").attr("EVENT_DTYPE"); })
        .get_stored();
}

} // namespace

// Record arrays are checked, not converted: only a non-contiguous or misaligned one is copied.
py::array_t<bc_event, py::array::c_style> event_array(py::handle events, const char *name) {
    using records_t = py::array_t<bc_event, py::array::c_style>;
    if (!py::isinstance<py::array>(events)) {
        throw py::type_error(std::string(name) + " must be a numpy.ndarray, not " +
                             type_name(events));
    }
    const auto array = py::reinterpret_borrow<py::array>(events);
    const py::dtype dtype = array.dtype();
    if (!dtype.is(event_dtype()) && !dtype.equal(event_dtype())) { // as `==` compares dtypes
        throw py::type_error(std::string(name) + " must have dtype bindings.EVENT_DTYPE, not " +
                             std::string(py::str(dtype)));
    }
    require_ndim(array, 1, name);
    if ((array.flags() & py::array::c_style) != 0 && is_aligned(array.data(), alignof(bc_event))) {
        return py::reinterpret_borrow<records_t>(events); // read in place
    }
    records_t records(py::reinterpret_borrow<py::object>(events)); // C-contiguous copy if needed
    if (!is_aligned(records.data(), alignof(bc_event))) {
        records = records_t(records.request()); // an aligned copy
    }
    return records;
}
// endregion: event-array

// region: numpy-dtype
// The dtype pybind11 uses for bc_event, built from the struct's own field offsets. Registered
// while the module is created, as docs/advanced/pycpp/numpy.rst ("Structured types") shows;
// module.cpp then checks it against bindings.EVENT_DTYPE.
void bind_convert(py::module_ & /*m*/) {
    PYBIND11_NUMPY_DTYPE(bc_event, kind, value);
}
// endregion: numpy-dtype

} // namespace bcore_pybind11

// region: real-caster-load
namespace pybind11::detail {

bool type_caster<bcore_pybind11::Real>::load(handle src, bool convert) {
    PyObject *object = src.ptr();
    if (PyFloat_CheckExact(object)) { // the common case, without a call
        value.value = PyFloat_AS_DOUBLE(object);
        return true;
    }
    // As pybind11's own caster: only floats and ints until implicit conversions are allowed.
    if (!convert && !PyFloat_Check(object) && !PyLong_Check(object)) {
        return false;
    }
    const double result = PyFloat_AsDouble(object); // __float__, else __index__
    if (result == -1.0 && PyErr_Occurred() != nullptr) {
        // Thrown rather than returned as false, which would become a TypeError: the dispatcher
        // re-raises an error_already_set from a caster as it is (pybind11's own map caster
        // throws one the same way).
        throw error_already_set();
    }
    value.value = result;
    return true;
}

} // namespace pybind11::detail
// endregion: real-caster-load

// region: array-caster-load
namespace pybind11::detail {

bool type_caster<bcore_pybind11::ArrayLike>::load(handle src, bool convert) {
    using bcore_pybind11::array_arg;
    // The common case, without a call into NumPy: already a C-contiguous float64 ndarray (the
    // check array_t's own caster makes before it converts), and aligned.
    if (array_arg::check_(src)) {
        value.array = reinterpret_borrow<array_arg>(src);
        if (bcore_pybind11::is_aligned(value.array.data(), alignof(double))) {
            return true;
        }
    }
    if (!convert) {
        return false;
    }
    array_arg converted = array_arg::ensure(src); // PyArray_FromAny; null if NumPy refused
    if (!converted) {
        return false;
    }
    // NumPy allows a float64 array at any address, but C must not read doubles there (UBSan
    // reports it, vectorised code can fault): array_t from a buffer without a base copies.
    if (!bcore_pybind11::is_aligned(converted.data(), alignof(double))) {
        converted = array_arg(converted.request());
    }
    value.array = std::move(converted);
    return true;
}

} // namespace pybind11::detail
// endregion: array-caster-load
