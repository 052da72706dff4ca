// A C function, and the lines that make it the Python function adder.add.
#include <pybind11/pybind11.h>

#include <stdint.h>

static int64_t add(int64_t a, int64_t b) {
    return a + b;
}

// The module keeps no state, so every interpreter may import it, each with its own GIL
// (pybind11 3.0+; by default pybind11 declares that subinterpreters are not supported).
PYBIND11_MODULE(adder, m, pybind11::multiple_interpreters::per_interpreter_gil()) {
    m.def("add", &add, "a + b");
}
