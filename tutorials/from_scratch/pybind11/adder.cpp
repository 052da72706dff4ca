// A C function, and the lines that make it the Python function adder.add.
#include <pybind11/pybind11.h>

#include <stdint.h>

static int64_t add(int64_t a, int64_t b) {
    return a + b;
}

PYBIND11_MODULE(adder, m) {
    m.def("add", &add, "a + b");
}
