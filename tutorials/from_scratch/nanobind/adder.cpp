// A C function, and the lines that make it the Python function adder.add.
#include <nanobind/nanobind.h>

#include <stdint.h>

static int64_t add(int64_t a, int64_t b) {
    return a + b;
}

// nanobind declares every module unsupported in subinterpreters, with no option to say
// otherwise: a subinterpreter with its own GIL refuses to import it.
NB_MODULE(adder, m) {
    m.def("add", &add, "a + b");
}
