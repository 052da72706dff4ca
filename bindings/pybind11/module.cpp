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
//
// The two options say what the module supports. Both are pybind11's defaults today, written out
// because a default may change, which is why pybind11 3.1 added the first one
// (https://github.com/pybind/pybind11/pull/5797; the second came with 3.0's subinterpreter
// support, https://github.com/pybind/pybind11/pull/5564):
//  - py::mod_gil_used() (Py_mod_gil = Py_MOD_GIL_USED): this module needs the GIL, so a
//    free-threaded CPython turns the GIL back on when it imports it. The GIL guards the
//    Detector's count of live posterior views (views_: view_token changes it, close() checks it
//    and destroys the handle without letting the GIL go in between) and lets closed() and
//    __enter__ read handle_ without the detector's lock. Declaring py::mod_gil_not_used() would
//    take: views_ and handle_ read and written only under the detector's lock (view_token's
//    destructor taking it too), and a free-threaded CPython in CI to run tests/test_threads.py
//    on. The C core is thread-safe already (its allocation counters are atomic).
//  - py::multiple_interpreters::not_supported() (Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED): a
//    subinterpreter that checks its extensions (every one with its own GIL does) refuses to
//    import it. pybind11 keeps its own state per interpreter (its internals, and since 3.0.2
//    gil_safe_call_once_and_store, where numpy.h caches NumPy's C-API table and convert.cpp
//    bindings.EVENT_DTYPE), but this module imports NumPy, which does not support
//    subinterpreters: it refuses those with their own GIL and warns in the others
//    (https://github.com/numpy/numpy/issues/24755). shared_gil() would promise what NumPy does
//    not; tests/test_subinterpreters.py records what each scenario does.
PYBIND11_MODULE(_pybind11, m, pybind11::mod_gil_used(),
                pybind11::multiple_interpreters::not_supported()) {
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
