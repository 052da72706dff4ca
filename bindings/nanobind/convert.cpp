// Conversion: the Python objects it uses, the array caster, out= arrays and record arrays. The
// integer and real casters are in bindings.hpp, inline, for the short calls.
#include "bindings.hpp"

#include <type_traits>

namespace bcore_nanobind {

// region: python-objects
// numpy.asarray, numpy.empty, numpy.dtype("float64"), numpy.dtype("int64"), numpy.ndarray and
// bindings.EVENT_DTYPE, used on every call. They are deliberately never released: a static
// nb::object would be destroyed after the interpreter has shut down.
static nb::handle numpy_asarray, numpy_empty, numpy_float64, numpy_int64, numpy_ndarray,
    event_dtype;

void bind_convert(nb::module_ & /*m*/) {
    const nb::module_ numpy = nb::module_::import_("numpy");
    numpy_asarray = nb::object(numpy.attr("asarray")).release();
    numpy_empty = nb::object(numpy.attr("empty")).release();
    numpy_float64 = numpy.attr("dtype")("float64").release();
    numpy_int64 = numpy.attr("dtype")("int64").release();
    numpy_ndarray = nb::object(numpy.attr("ndarray")).release();
    event_dtype = nb::object(nb::module_::import_("bindings").attr("EVENT_DTYPE")).release();
}
// endregion: python-objects

// region: empty-array
// Returning an nb::ndarray that was imported from a Python object gives back that object, so the
// result costs one numpy.empty call and one import. nanobind's documented way for new memory, an
// ndarray over a buffer of ours with an owner capsule (to_numpy), costs more: at return, nanobind
// wraps it in an exporter object and calls numpy.asarray on that.
template <typename T> NumpyArray<T> empty_array(size_t n) {
    const nb::handle dtype = std::is_same_v<T, double> ? numpy_float64 : numpy_int64;
    const nb::object array = numpy_empty(n, dtype); // NumPy's MemoryError, if it must
    return nb::cast<NumpyArray<T>>(array);
}
template NumpyArray<double> empty_array(size_t);
template NumpyArray<int64_t> empty_array(size_t);
// endregion: empty-array

// region: checked-out
// out= is checked, never converted: not a numpy.ndarray or not float64 is a TypeError; the
// wrong shape, a strided or a read-only array is a ValueError.
NumpyArray<double> checked_out(nb::handle out, size_t n) {
    if (PyObject_IsInstance(out.ptr(), numpy_ndarray.ptr()) != 1)
        raise_error(PyExc_TypeError, "out must be a numpy.ndarray, not %U",
                    nb::inst_name(out).ptr());
    nb::ndarray<double, nb::device::cpu> writable; // any shape and layout
    if (!nb::try_cast(out, writable, /*convert=*/false)) {
        nb::ndarray<const double, nb::device::cpu> readonly;
        if (nb::try_cast(out, readonly, /*convert=*/false))
            throw nb::value_error("out must be writable");
        raise_error(PyExc_TypeError, "out must have dtype float64, not %S",
                    out.attr("dtype").ptr());
    }
    if (writable.ndim() != 1 || writable.shape(0) != n)
        raise_error(PyExc_ValueError, "out must have the shape of x, (%zu,)", n);
    if (n > 1 && writable.stride(0) != 1)
        throw nb::value_error("out must be C-contiguous");
    // NumPy allows arrays at any address; C may only write doubles at aligned ones.
    if (reinterpret_cast<uintptr_t>(writable.data()) % alignof(double) != 0)
        throw nb::value_error("out must be aligned for float64");
    return NumpyArray<double>(writable);
}
// endregion: checked-out

// region: is-event-array
// nb::ndarray has no structured dtypes, so a record array is checked against
// bindings.EVENT_DTYPE with NumPy's own dtype equality: field names, formats, offsets and item
// size all count.
bool is_event_array(nb::handle obj) {
    return PyObject_IsInstance(obj.ptr(), numpy_ndarray.ptr()) == 1 &&
           obj.attr("dtype").equal(event_dtype);
}
// endregion: is-event-array

} // namespace bcore_nanobind

namespace nanobind::detail {

// region: array-caster
bool type_caster<bcore_nanobind::ArrayLike>::from_python(handle src, uint32_t flags,
                                                         cleanup_list *) noexcept {
    ndarray<const double, c_contig, device::cpu> &array = value;
    // ndarray's constraints say nothing of alignment, and NumPy allows a float64 array at any
    // address; C must not read doubles there (UBSan reports it), so those are copied.
    auto aligned = [&array] {
        return reinterpret_cast<std::uintptr_t>(array.data()) % alignof(double) == 0;
    };
    // Zero copy: a C-contiguous, aligned float64 array (or buffer) is read in place.
    if (try_cast(src, array, /*convert=*/false) && aligned())
        return true;
    if (!(flags & cast_flags::convert))
        return false;
    // Anything else is converted by numpy.asarray(src, float64, "C"), so that every backend
    // accepts the same inputs (nanobind's own ndarray conversion changes dtype and layout but
    // does not take lists). NumPy's error, ValueError for a ragged list included, becomes the
    // TypeError of a failed conversion; the wrong number of dimensions stays a ValueError for
    // later.
    try {
        object converted = bcore_nanobind::numpy_asarray(src, bcore_nanobind::numpy_float64, "C");
        if (try_cast(converted, array, /*convert=*/false) && aligned())
            return true;
        return try_cast(converted.attr("copy")(), array, /*convert=*/false); // asarray kept it
    } catch (...) {
        return false;
    }
}
// endregion: array-caster

} // namespace nanobind::detail
