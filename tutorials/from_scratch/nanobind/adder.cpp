// A C function, and the lines that make it the Python function adder.add.
#include <nanobind/nanobind.h>

#include <stdint.h>

static int64_t add(int64_t a, int64_t b) {
    return a + b;
}

NB_MODULE(adder, m) {
    m.def("add", &add, "a + b");
}
