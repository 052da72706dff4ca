// The C side: what add.c defines, declared by hand. Rust cannot check it against the C code,
// so these types are a promise: int64_t is i64.
mod c {
    unsafe extern "C" {
        pub fn add(a: i64, b: i64) -> i64;
    }
}

// The Python side: the module `scratch`, named like the library in Cargo.toml. PyO3 has no way
// to declare subinterpreter support yet, so a subinterpreter with its own GIL refuses it.
#[pyo3::pymodule]
mod scratch {
    use pyo3::prelude::*;

    /// a + b, computed in C.
    #[pyfunction]
    fn add(a: i64, b: i64) -> i64 {
        // SAFETY: plain integers in and out; add.c keeps no state.
        unsafe { crate::c::add(a, b) }
    }
}
