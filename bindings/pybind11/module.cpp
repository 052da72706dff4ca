// The module `bindings.pybind11._pybind11`: created here from the parts the other files bind,
// then checked against the `bindings` package before import succeeds.
#include "bindings.hpp"

namespace bcore_pybind11 {
namespace {

// The module mirrors two constants of the `bindings` package (its parent, so already imported):
// refuse to load if they have drifted apart.
// region: check-mirrors
void check_mirrors() {
    const auto bindings = py::module_::import("bindings");
    if (bindings.attr("GIL_RELEASE_MIN_SIZE").cast<std::size_t>() != GIL_RELEASE_MIN_SIZE) {
        throw py::import_error("GIL_RELEASE_MIN_SIZE differs from bindings.GIL_RELEASE_MIN_SIZE");
    }
    const py::object event_dtype = bindings.attr("EVENT_DTYPE");
    if (!py::dtype::of<bc_event>().equal(event_dtype)) {
        throw py::import_error("the dtype of bc_event differs from bindings.EVENT_DTYPE");
    }
}
// endregion: check-mirrors

} // namespace
} // namespace bcore_pybind11

// region: module
// One bind_* per file, in the order of bindings/README.md, as pybind11's FAQ splits a module over
// translation units (docs/faq.rst, "How can I reduce the build time?"). bind_convert registers
// bc_event's dtype, which check_mirrors compares.
// No py::mod_gil_not_used(): the module relies on the GIL (see Detector::closed and view_token),
// so a free-threaded interpreter turns the GIL back on when it imports this module.
PYBIND11_MODULE(_pybind11, m) {
    using namespace bcore_pybind11;
    m.doc() = "The C core (c_core/include/bcore.h) bound with pybind11; see bindings._interface.";
    bind_errors(m);
    bind_convert(m);
    bind_functions(m);
    bind_callbacks(m);
    bind_detector(m);
    check_mirrors();
}
// endregion: module
