// The module bindings.nanobind._nanobind: its import-time checks, then one bind_* call per part.
#include "bindings.hpp"

#include <cstddef>

namespace bcore_nanobind {

namespace {

// region: check-mirrors
// NumPy's format of a C++ number type ("i4", "f8": native byte order), from nanobind's own
// description of it (nb::dtype<T>(), the DLPack type code and width that nb::ndarray checks).
template <typename T> nb::str numpy_format() {
    constexpr nb::dlpack::dtype type = nb::dtype<T>();
    constexpr auto code = static_cast<nb::dlpack::dtype_code>(type.code);
    static_assert(code == nb::dlpack::dtype_code::Int || code == nb::dlpack::dtype_code::UInt ||
                      code == nb::dlpack::dtype_code::Float,
                  "no NumPy format for this type here");
    const char *kind = code == nb::dlpack::dtype_code::Int    ? "i"
                       : code == nb::dlpack::dtype_code::UInt ? "u"
                                                              : "f";
    return nb::str("{}{}").format(kind, type.bits / 8);
}

// The dtype of bc_event as the compiler lays it out: each field's name, format and offset, and
// the struct's size (padding included). The names are written out, as C++ cannot list a struct's
// members; decltype and offsetof name the same members, so renaming one in bcore.h stops this
// from compiling until the names here follow.
nb::object bc_event_dtype(const nb::module_ &numpy) {
    nb::dict layout;
    layout["names"] = nb::make_tuple("kind", "value");
    layout["formats"] = nb::make_tuple(numpy_format<decltype(bc_event::kind)>(),
                                       numpy_format<decltype(bc_event::value)>());
    layout["offsets"] = nb::make_tuple(offsetof(bc_event, kind), offsetof(bc_event, value));
    layout["itemsize"] = sizeof(bc_event);
    return numpy.attr("dtype")(layout);
}

// The module mirrors two definitions of the `bindings` package (its parent, so already imported):
// it refuses to load, with ImportError, if they have drifted apart. EVENT_DTYPE is compared with
// NumPy's dtype equality, the relation events_total() checks its argument with.
void check_mirrors() {
    const nb::module_ bindings = nb::module_::import_("bindings");
    const nb::object min_size = bindings.attr("GIL_RELEASE_MIN_SIZE");
    if (!min_size.equal(nb::cast(GIL_RELEASE_MIN_SIZE))) {
        const nb::str message = nb::str("GIL_RELEASE_MIN_SIZE is {} here, but "
                                        "bindings.GIL_RELEASE_MIN_SIZE is {!r}")
                                    .format(GIL_RELEASE_MIN_SIZE, min_size);
        throw nb::import_error(message.c_str());
    }
    const nb::object event_dtype = bindings.attr("EVENT_DTYPE");
    const nb::object expected = bc_event_dtype(nb::module_::import_("numpy"));
    if (!event_dtype.equal(expected)) {
        const nb::str message = nb::str("bindings.EVENT_DTYPE is {}, but bc_event is laid out "
                                        "as {}")
                                    .format(event_dtype, expected);
        throw nb::import_error(message.c_str());
    }
}
// endregion: check-mirrors

} // namespace

} // namespace bcore_nanobind

// region: module
// One bind_* per file, in the order of bindings/README.md (see bindings.hpp). errors.cpp has none:
// nanobind re-raises a thrown nb::python_error with no translator to register. The mirrors are
// checked first, so that nothing is bound when they differ.
NB_MODULE(_nanobind, m) {
    using namespace bcore_nanobind;
    m.doc() = "The C core bound with nanobind (see bindings/_interface.py).";
    check_mirrors();
    bind_convert(m);
    bind_functions(m);
    bind_callbacks(m);
    bind_detector(m);
}
// endregion: module
