// The Detector class: one bc_detector, its lock, and its posterior views.
#include "bindings.hpp"

#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

namespace bcore_nanobind {

using namespace nb::literals;

namespace {

// Owns one bc_detector. The core does not serialise calls on a detector, so every core call
// holds mutex_. handle_ changes only with both mutex_ and the GIL held, views_ only with the GIL
// (a capsule destructor runs with it), so both may be read with the GIL alone; close() checks
// views_ and destroys the handle without letting the GIL go in between.
class Detector {
  public:
    // region: detector-life
    Detector(Real hazard, Real mu0, Real kappa0, Real alpha0, Real beta0,
             Int<int64_t> max_run_length) {
        const double hazard_rate = hazard.get(); // the arguments in order (see Real)
        const bc_normal_gamma model{mu0.get(), kappa0.get(), alpha0.get(), beta0.get()};
        const bc_hazard rate{hazard_rate, max_run_length.get("max_run_length")};
        raise_for_status(bc_detector_create(&model, &rate, &handle_), "Detector");
    }
    // No view can be alive here: each one holds a reference to the detector.
    ~Detector() {
        bc_detector_destroy(handle_);
    }
    // endregion: detector-life
    Detector(const Detector &) = delete;
    Detector &operator=(const Detector &) = delete;

    int64_t update(Real x) {
        const double value = x.get();
        int64_t run_length = 0;
        int status;
        {
            auto guard = lock("Detector.update");
            status = bc_detector_update(open_handle("Detector.update"), value, &run_length);
        }
        raise_for_status(status, "Detector.update");
        return run_length;
    }

    // region: update-many
    NumpyArray<int64_t> update_many(const ArrayLike &xs) {
        require_ndim(xs, 1, "xs");
        const size_t n = xs.shape(0);
        NumpyArray<int64_t> run_lengths = empty_array<int64_t>(n); // before the lock: see new_array
        SignalCheck check{*this, {}};
        int status;
        {
            auto guard = lock("Detector.update_many");
            bc_detector *detector = open_handle("Detector.update_many");
            nb::gil_scoped_release nogil; // always, whatever n
            status = bc_detector_update_many(detector, xs.data(), n, run_lengths.data(),
                                             &Detector::check_signals, &check);
        }
        // Interrupted, the detector keeps the steps it took (t tells how many); their run
        // lengths are in run_lengths, which nobody returns: it is dropped with the rest. The
        // exception is the handler's: KeyboardInterrupt, mostly.
        raise_for_status(status, "Detector.update_many", check.interrupt);
        return run_lengths;
    }
    // endregion: update-many

    NumpyArray<double> posterior() {
        size_t len = 0;
        std::unique_ptr<double[], PyMemFree> copy;
        {
            auto guard = lock("Detector.posterior"); // a copy never shows a step in progress
            const double *data = bc_detector_posterior(open_handle("Detector.posterior"), &len);
            copy = new_array<double>(len);
            std::memcpy(copy.get(), data, len * sizeof(double));
        }
        return to_numpy(std::move(copy), len);
    }

    // region: posterior-view
    // A read-only array over the core's own buffer. Its owner is a capsule holding a reference
    // to this detector; every array derived from the view keeps the capsule alive (directly or
    // through the view), so it lives exactly as long as any of them, and views_ counts the live
    // capsules.
    NumpyArray<const double> posterior_view() {
        nb::object self = nb::find(*this);
        nb::capsule owner(self.ptr(), &Detector::release_view);
        (void)self.release(); // the capsule holds this reference now
        ++views_;
        const double *data = nullptr;
        size_t len = 0;
        {
            auto guard = lock("Detector.posterior_view");
            data = bc_detector_posterior(open_handle("Detector.posterior_view"), &len);
        }
        return NumpyArray<const double>(data, {len}, owner);
    }
    // endregion: posterior-view

    uint64_t steps() {
        auto guard = lock("Detector.t");
        return bc_detector_steps(open_handle("Detector.t"));
    }

    void reset() {
        auto guard = lock("Detector.reset");
        bc_detector_reset(open_handle("Detector.reset"));
    }

    // region: close
    void close() {
        auto guard = lock("Detector.close"); // waits for an update_many in flight
        if (handle_ == nullptr)
            return;
        if (views_ != 0)
            throw nb::buffer_error("cannot close a Detector while posterior views of it exist");
        bc_detector_destroy(handle_);
        handle_ = nullptr;
    }
    // endregion: close

    bool closed() const {
        return handle_ == nullptr;
    }

    // region: open-handle
    // The C handle, or ValueError once close() has run; `what` names the call.
    bc_detector *open_handle(const char *what) const {
        if (handle_ == nullptr)
            raise_error(PyExc_ValueError, "%s: the detector is closed", what);
        return handle_;
    }
    // endregion: open-handle

  private:
    // region: lock
    // Takes mutex_ for one core call. A thread that finds it held (by an update_many running
    // without the GIL) waits with the GIL released: waiting with it would deadlock, as that
    // update_many needs the GIL back before it can return and unlock. Unless that thread is this
    // one, running a signal handler (or a finalizer) in update_many's check: its wait would never
    // end, so RuntimeError instead, as CPython's buffered files do (_enter_buffered_busy in
    // https://github.com/python/cpython/blob/v3.13.0/Modules/_io/bufferedio.c). Asked before the
    // try_lock, which is undefined behaviour on a std::mutex its caller owns; usually no check is
    // running, so it costs one compare and no thread id.
    std::unique_lock<std::mutex> lock(const char *what) {
        if (checking_thread_ != std::thread::id() && checking_thread_ == std::this_thread::get_id())
            raise_error(PyExc_RuntimeError,
                        "%s: reentrant call, from inside update_many() of the same detector on "
                        "the same thread (in a signal handler?)",
                        what);
        std::unique_lock<std::mutex> guard(mutex_, std::try_to_lock);
        if (!guard.owns_lock()) {
            nb::gil_scoped_release nogil;
            guard.lock();
        }
        return guard;
    }
    // endregion: lock

    // region: check-signals
    // update_many's bc_check. The core calls it without the GIL, so it takes the GIL back just
    // while signal_raised runs the signal handlers (as PeaksInto::allocate does). mutex_ stays
    // held meanwhile: a thread that wants it waits with the GIL released (lock above), so this
    // thread can always get the GIL; and this thread, named by checking_thread_, is refused it
    // (a handler that uses this detector).
    struct SignalCheck {
        Detector &detector;
        std::exception_ptr interrupt; // what a signal handler raised, if one did
    };

    static int check_signals(void *ctx) noexcept {
        auto &check = *static_cast<SignalCheck *>(ctx);
        nb::gil_scoped_acquire gil;
        check.detector.checking_thread_ = std::this_thread::get_id();
        const bool raised = signal_raised(check.interrupt);
        check.detector.checking_thread_ = std::thread::id();
        return raised ? 1 : 0;
    }
    // endregion: check-signals

    // region: release-view
    // The capsule destructor: the last array over one posterior view is gone.
    static void release_view(void *self) noexcept {
        const nb::handle detector(static_cast<PyObject *>(self));
        --nb::inst_ptr<Detector>(detector)->views_;
        detector.dec_ref(); // may destroy the detector: last
    }
    // endregion: release-view

    bc_detector *handle_ = nullptr;
    size_t views_ = 0;
    std::mutex mutex_;
    // The thread running signal handlers in update_many's check, with mutex_ held; no thread
    // (a default id) otherwise. Read and written with the GIL held.
    std::thread::id checking_thread_;
};

} // namespace

void bind_detector(nb::module_ &m) {
    // region: detector-class
    nb::class_<Detector>(m, "Detector", "Bayesian online change-point detector.")
        .def(nb::init<Real, Real, Real, Real, Real, Int<int64_t>>(), "hazard"_a = 0.01,
             "mu0"_a = 0.0, "kappa0"_a = 1.0, "alpha0"_a = 1.0, "beta0"_a = 1.0,
             "max_run_length"_a = 500,
             nb::sig("def __init__(self, hazard: typing.SupportsFloat = 0.01, "
                     "mu0: typing.SupportsFloat = 0.0, kappa0: typing.SupportsFloat = 1.0, "
                     "alpha0: typing.SupportsFloat = 1.0, beta0: typing.SupportsFloat = 1.0, "
                     "max_run_length: typing.SupportsIndex = 500) -> None"))
        .def("update", &Detector::update,
             nb::sig("def update(self, x: typing.SupportsFloat, /) -> int"),
             "One observation; returns the most probable run length.")
        .def("update_many", &Detector::update_many, array_arg(),
             nb::sig("def update_many(self, xs: numpy.typing.ArrayLike, /) "
                     "-> numpy.typing.NDArray[numpy.int64]"),
             "Many observations; the run length after each (runs without the GIL).")
        .def("posterior", &Detector::posterior, "A copy of the run-length posterior.")
        .def("posterior_view", &Detector::posterior_view,
             "A read-only view of the posterior that follows every update.")
        .def_prop_ro("t", &Detector::steps, "Steps since creation or the last reset().")
        .def("reset", &Detector::reset, "Back to the prior.")
        .def("close", &Detector::close, "Releases the C detector; idempotent.")
        .def_prop_ro("closed", &Detector::closed)
        .def(
            "__enter__",
            [](Detector &detector) -> Detector & {
                detector.open_handle("Detector.__enter__"); // ValueError once closed
                return detector;
            },
            nb::rv_policy::reference)
        .def(
            "__exit__", [](Detector &detector, const nb::args &) { detector.close(); },
            nb::sig("def __exit__(self, *exc_info: object) -> None"), "Closes the detector.");
    // endregion: detector-class
}

} // namespace bcore_nanobind
