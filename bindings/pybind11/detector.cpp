// The class Detector: a Python object owning a bc_detector handle, with a lock around every
// core call, and the read-only views of its posterior.
#include "bindings.hpp"

#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace bcore_pybind11 {
namespace {

using namespace pybind11::literals;

class Detector {
  public:
    // region: life
    Detector(Real hazard, Real mu0, Real kappa0, Real alpha0, Real beta0,
             py::handle max_run_length) {
        const bc_normal_gamma model{mu0.value, kappa0.value, alpha0.value, beta0.value};
        const bc_hazard rate{hazard.value, to_int64(max_run_length, "Detector: max_run_length")};
        raise_for_status(bc_detector_create(&model, &rate, &handle_), "Detector");
    }

    // Runs when Python drops the object, so when no method is running and no view is alive
    // (views keep the object alive): no lock needed. bc_detector_destroy accepts NULL.
    ~Detector() {
        bc_detector_destroy(handle_);
    }
    // endregion: life

    Detector(const Detector &) = delete;
    Detector &operator=(const Detector &) = delete;

    std::int64_t update(Real x) {
        const auto lock = acquire("update");
        std::int64_t run_length = 0;
        raise_for_status(bc_detector_update(open_handle("update"), x.value, &run_length), "update");
        return run_length;
    }

    // region: update-many
    py::array_t<std::int64_t> update_many(const ArrayLike &xs_arg) {
        const array_arg &xs = xs_arg.array;
        require_ndim(xs, 1, "update_many: xs");
        py::array_t<std::int64_t> run_lengths(xs.size());
        const double *data = xs.data();
        const std::size_t n = length(xs);
        std::int64_t *out = run_lengths.mutable_data();
        const auto lock = acquire("update_many");
        bc_detector *detector = open_handle("update_many");
        signal_check check{*this, {}};
        int status = BC_OK;
        {
            py::gil_scoped_release release; // always: this is the long call
            status = bc_detector_update_many(detector, data, n, out, check_signals, &check);
        }
        // Interrupted, the detector keeps the steps it took (t tells how many); the run lengths
        // of those steps are in run_lengths, which nobody returns: it is dropped with the rest.
        raise_for_status(status, "update_many", check.interrupt); // KeyboardInterrupt, mostly
        return run_lengths;
    }
    // endregion: update-many

    py::array_t<double> posterior() {
        const auto lock = acquire("posterior");
        std::size_t len = 0;
        const double *data = bc_detector_posterior(open_handle("posterior"), &len);
        // Without a base, pybind11 copies the data: a snapshot taken under the lock.
        return py::array_t<double>(static_cast<py::ssize_t>(len), data);
    }

    // region: posterior-view
    py::array_t<double> posterior_view() {
        const auto lock = acquire("posterior_view");
        std::size_t len = 0;
        const double *data = bc_detector_posterior(open_handle("posterior_view"), &len);
        auto token = std::make_unique<view_token>(*this);
        const py::capsule base(token.get(), [](void *p) { delete static_cast<view_token *>(p); });
        token.release(); // the capsule owns it now
        py::array_t<double> view(static_cast<py::ssize_t>(len), data, base);
        // pybind11 makes arrays over foreign memory writable; this buffer is the core's own.
        view.attr("setflags")("write"_a = false);
        return view;
    }
    // endregion: posterior-view

    std::uint64_t steps() {
        const auto lock = acquire("t");
        return bc_detector_steps(open_handle("t"));
    }

    void reset() {
        const auto lock = acquire("reset");
        bc_detector_reset(open_handle("reset"));
    }

    // region: close
    void close() {
        const auto lock = acquire("close"); // waits for an update_many in flight
        if (handle_ == nullptr) {
            return;
        }
        if (views_ > 0) {
            throw py::buffer_error("cannot close a Detector while a posterior view is alive");
        }
        bc_detector_destroy(handle_);
        handle_ = nullptr;
    }
    // endregion: close

    // handle_ changes only in close(), with the GIL held, so it can be read with the GIL alone.
    bool closed() const {
        return handle_ == nullptr;
    }

    Detector &enter() {
        open_handle("__enter__"); // reads handle_ with the GIL alone, as closed() does
        return *this;
    }

  private:
    // region: view-token
    // The base object of every posterior view: it keeps the Python detector alive, and counts as
    // one live view while it exists. Arrays derived from a view keep the view, and so this
    // object, alive. Created and destroyed with the GIL held, which guards views_.
    class view_token {
      public:
        explicit view_token(Detector &detector)
            : detector_(detector), owner_(py::cast(&detector, py::return_value_policy::reference)) {
            ++detector_.views_;
        }
        // Uncounts the view; owner_, destroyed next, may drop the last reference to the detector.
        ~view_token() {
            --detector_.views_;
        }
        view_token(const view_token &) = delete;
        view_token &operator=(const view_token &) = delete;

      private:
        Detector &detector_;
        py::object owner_; // the Python object that owns detector_
    };
    // endregion: view-token

    // region: check-signals
    // update_many's bc_check. The core calls it without the GIL, so it takes the GIL back just
    // while signal_raised runs the signal handlers (gil_scoped_acquire, as allocate_result in
    // callbacks.cpp). The detector's lock stays held meanwhile: a thread that wants it waits with
    // the GIL released (acquire below), so this thread can always get the GIL; and this thread,
    // named by checking_thread_, is refused it (a handler that uses this detector).
    struct signal_check {
        Detector &detector;
        std::exception_ptr interrupt; // what a signal handler raised, if one did
    };

    static int check_signals(void *ctx) noexcept {
        auto &check = *static_cast<signal_check *>(ctx);
        try {
            py::gil_scoped_acquire gil;
            check.detector.checking_thread_ = std::this_thread::get_id();
            const bool raised = signal_raised(check.interrupt);
            check.detector.checking_thread_ = std::thread::id();
            return raised ? 1 : 0;
        } catch (...) { // taking the GIL failed: stop the call, and say why
            check.interrupt = std::current_exception();
            return 1;
        }
    }
    // endregion: check-signals

    // region: acquire
    // Takes the detector's lock, held around every core call. Uncontended, it costs a try_lock.
    // Otherwise the holder may be in update_many, which runs without the GIL and must take it
    // back before it can finish: wait with the GIL released, or the two threads deadlock.
    // Unless the holder is this very thread, running a signal handler (or a finalizer) in
    // update_many's check: that wait would never end, so RuntimeError instead, as CPython's
    // buffered files do (_enter_buffered_busy in
    // https://github.com/python/cpython/blob/v3.13.0/Modules/_io/bufferedio.c). Asked before the
    // try_lock, which is undefined behaviour on a std::mutex its caller owns; usually no check is
    // running, so it costs one compare and no thread id.
    std::unique_lock<std::mutex> acquire(const char *what) {
        if (checking_thread_ != std::thread::id() &&
            checking_thread_ == std::this_thread::get_id()) {
            throw std::runtime_error(std::string(what) +
                                     ": reentrant call, from inside update_many() of the same "
                                     "detector on the same thread (in a signal handler?)");
        }
        std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
        if (!lock.owns_lock()) {
            py::gil_scoped_release release;
            lock.lock();
        }
        return lock;
    }
    // endregion: acquire

    // region: open-handle
    // The handle for a core call, or ValueError once close() has run; `what` names the call.
    bc_detector *open_handle(const char *what) const {
        if (handle_ == nullptr) {
            throw py::value_error(std::string(what) + ": the detector is closed");
        }
        return handle_;
    }
    // endregion: open-handle

    std::mutex mutex_;
    // The thread running signal handlers in update_many's check, with mutex_ held; no thread
    // (a default id) otherwise. Read and written with the GIL held.
    std::thread::id checking_thread_;
    bc_detector *handle_ = nullptr;
    std::size_t views_ = 0;
};

} // namespace

// region: bind
// py::class_ with a py::init<...>() constructor whose keyword defaults are the interface's, the
// way docs/classes.rst binds a C++ class.
void bind_detector(py::module_ &m) {
    py::class_<Detector>(m, "Detector",
                         "Bayesian online change-point detector (Adams & MacKay 2007).")
        .def(py::init<Real, Real, Real, Real, Real, py::handle>(), "hazard"_a = 0.01, "mu0"_a = 0.0,
             "kappa0"_a = 1.0, "alpha0"_a = 1.0, "beta0"_a = 1.0, "max_run_length"_a = 500)
        .def("update", &Detector::update, "x"_a, py::pos_only(),
             "One observation; returns the most probable run length.")
        .def("update_many", &Detector::update_many, "xs"_a, py::pos_only(),
             "Many observations; returns the run length after each (releases the GIL).")
        .def("posterior", &Detector::posterior, "A copy of the run-length posterior.")
        .def("posterior_view", &Detector::posterior_view,
             "A read-only array over the detector's own posterior buffer.")
        .def_property_readonly("t", &Detector::steps, "Steps since creation or reset().")
        .def("reset", &Detector::reset, "Back to the prior.")
        .def("close", &Detector::close, "Releases the C detector; idempotent.")
        .def_property_readonly("closed", &Detector::closed)
        // `reference`: the Detector already has its Python object, and that is what is returned.
        .def("__enter__", &Detector::enter, py::return_value_policy::reference)
        .def("__exit__", [](Detector &self, const py::args &) { self.close(); });
}
// endregion: bind

} // namespace bcore_pybind11
