// Functions the C core calls back: integrate()'s integrand and find_peaks_into()'s allocator.
// Both are noexcept: a C++ exception must never unwind through the core's C frames, so each
// stores it in its call's state and raise_for_status() rethrows it once the core has returned.
#include "bindings.hpp"

#include <utility>

namespace bcore_nanobind {

namespace {

// region: integrate
// One integrate() call's state, handed to the core as the callback's context: no globals, so
// f may itself call integrate().
struct Integrand {
    nb::callable f;
    std::exception_ptr error; // what f or a signal handler raised, rethrown once bc_integrate
                              // has returned

    // The bc_func trampoline. It runs with the GIL held (integrate never releases it), and
    // must not let a C++ exception unwind through the C core: it stores it and returns 1.
    static int call(double x, void *context, double *y) noexcept {
        auto &self = *static_cast<Integrand *>(context);
        try {
            nb::object result = self.f(x);
            *y = to_double(result); // not nb::try_cast<double>: see Real
            return 0;
        } catch (...) {
            self.error = std::current_exception();
            return 1;
        }
    }

    // The bc_check, called by the core with the same context as call, so a signal handler's
    // exception goes where f's would. integrate holds the GIL throughout, so the handlers can
    // run at once. Only this makes a builtin f (math.sin: no bytecode, so Python's own check
    // for signals never runs) interruptible.
    static int check(void *context) noexcept {
        return signal_raised(static_cast<Integrand *>(context)->error) ? 1 : 0;
    }
};

double integrate(nb::callable f, Real a_arg, Real b_arg, Int<int64_t> n) {
    const double a = a_arg.get(), b = b_arg.get();
    const int64_t intervals = n.negative ? 0 : n.get("n");
    if (intervals < 1)
        throw nb::value_error("integrate: n must be >= 1");
    Integrand integrand{std::move(f), nullptr};
    double result = 0.0;
    const int status = bc_integrate(&Integrand::call, &Integrand::check, &integrand, a, b,
                                    static_cast<size_t>(intervals), &result);
    raise_for_status(status, "integrate", integrand.error); // f's, or KeyboardInterrupt
    return result;
}
// endregion: integrate

// region: find-peaks-into
// One find_peaks_into() call's state, handed to the allocator through the core as its context:
// the array the allocator made, or what making it raised.
struct PeaksInto {
    NumpyArray<int64_t> result;
    std::exception_ptr error;

    // The bc_allocator. The core calls it once, without the GIL when the input is large: it
    // takes the GIL back just while numpy.empty makes the array (gil_scoped_acquire only counts
    // when this thread holds it already). No exception may unwind through C: it is stored, and
    // NULL makes the core return BC_ECALLBACK. The element size is always sizeof(int64_t).
    static void *allocate(size_t count, size_t /*size*/, void *context) noexcept {
        auto &self = *static_cast<PeaksInto *>(context);
        nb::gil_scoped_acquire gil;
        try {
            self.result = empty_array<int64_t>(count); // NumPy's data pointer is never NULL
            return self.result.data();
        } catch (...) {
            self.error = std::current_exception(); // copied with the GIL held
            return nullptr;
        }
    }
};

NumpyArray<int64_t> find_peaks_into(const ArrayLike &x, Real threshold_arg) {
    const double threshold = threshold_arg.get();
    require_ndim(x, 1, "x");
    const size_t n = x.shape(0);
    PeaksInto state;
    size_t count = 0;
    const int status = release_gil_if_large(n, [&] {
        return bc_find_peaks_into(x.data(), n, threshold, &PeaksInto::allocate, &state, &count);
    });
    // BC_ECALLBACK: the allocator's MemoryError.
    raise_for_status(status, "find_peaks_into", state.error);
    return state.result; // the array C wrote into, returned as itself: no copy, no bc_free
}
// endregion: find-peaks-into

} // namespace

void bind_callbacks(nb::module_ &m) {
    m.def("find_peaks_into", &find_peaks_into, array_arg(), nb::arg(),
          nb::sig("def find_peaks_into(x: numpy.typing.ArrayLike, "
                  "threshold: typing.SupportsFloat, /) -> numpy.typing.NDArray[numpy.int64]"),
          "find_peaks, written by C into memory Python allocated.");
    m.def("integrate", &integrate,
          nb::sig("def integrate(f: collections.abc.Callable[[float], typing.SupportsFloat], "
                  "a: typing.SupportsFloat, b: typing.SupportsFloat, n: typing.SupportsIndex, /) "
                  "-> float"),
          "Trapezoid rule of f over [a, b] with n intervals.");
}

} // namespace bcore_nanobind
