//! The C core's API (`c_core/include/bcore.h`), declared by hand.
//!
//! Written out rather than generated with bindgen: bindgen needs libclang at build time, which
//! would make every `pip install` of this backend need LLVM as well as a C compiler. The header
//! is small and stable, and the mirror is checked where it can drift: `check_layouts` compares
//! each struct with the core's own `sizeof`/`offsetof` table when the module is imported.
//!
//! Type mapping: `size_t` is `usize` (the same width on every platform Rust supports),
//! `int` is `c_int`, the fixed-width integers and `double` are their Rust namesakes. Names
//! stay as C spells them, so the header and this file can be read side by side.
#![allow(non_camel_case_types)]
#![allow(dead_code, reason = "a complete mirror of the header; not all of it is called")]

use std::ffi::{c_char, c_int, c_void};
use std::mem::{offset_of, size_of};

// bc_status: what every fallible function returns.
pub const BC_OK: c_int = 0;
pub const BC_EINVAL: c_int = 1;
pub const BC_EOVERFLOW: c_int = 2;
pub const BC_ENOMEM: c_int = 3;
pub const BC_ECALLBACK: c_int = 4;

// region: stats
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct bc_stats {
    pub n: usize,
    pub mean: f64,
    pub std: f64,
    pub min: f64,
    pub max: f64,
}
// endregion: stats

/// One record of a record array: 4 bytes of kind, 4 of padding, 8 of value.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct bc_event {
    pub kind: i32,
    pub value: f64,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct bc_normal_gamma {
    pub mu0: f64,
    pub kappa0: f64,
    pub alpha0: f64,
    pub beta0: f64,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct bc_hazard {
    pub rate: f64,
    pub max_run_length: i64,
}

pub const BC_MAX_RUN_LENGTH: i64 = 10_000_000;

/// The opaque detector: only ever handled by pointer.
#[repr(C)]
pub struct bc_detector {
    _private: [u8; 0],
}

// region: check
/// `typedef int (*bc_check)(void *ctx);`: asked every `BC_CHECK_INTERVAL` units of work
/// whether a long call goes on (0) or stops (non-zero, and the call returns BC_ECALLBACK).
/// The core accepts NULL (never asks), so, like `bc_allocator`, an `Option`.
pub type bc_check = Option<unsafe extern "C" fn(ctx: *mut c_void) -> c_int>;
// endregion: check

/// `typedef int (*bc_func)(double x, void *ctx, double *y);` (never NULL where passed).
pub type bc_func = unsafe extern "C" fn(x: f64, ctx: *mut c_void, y: *mut f64) -> c_int;

// region: allocator
/// `typedef void *(*bc_allocator)(size_t count, size_t size, void *ctx);`. The core accepts
/// NULL (and answers BC_EINVAL), so the Rust type says "maybe no function": `Option` of a
/// function pointer has the layout of a nullable C pointer, `None` being NULL.
pub type bc_allocator =
    Option<unsafe extern "C" fn(count: usize, size: usize, ctx: *mut c_void) -> *mut c_void>;
// endregion: allocator

// region: extern
// Linked statically: build.rs compiles the core into `libbcore.a`.
unsafe extern "C" {
    pub fn bc_strerror(status: c_int) -> *const c_char;

    pub fn bc_noop();
    pub fn bc_add(a: i64, b: i64, out: *mut i64) -> c_int;
    pub fn bc_sum6(a: f64, b: f64, c: f64, d: f64, e: f64, f: f64) -> f64;
    // endregion: extern

    pub fn bc_dsum(x: *const f64, n: usize) -> f64;
    pub fn bc_scale(x: *const f64, n: usize, k: f64, out: *mut f64) -> c_int;
    pub fn bc_find_peaks(
        x: *const f64,
        n: usize,
        threshold: f64,
        out: *mut *mut i64,
        count: *mut usize,
    ) -> c_int;
    pub fn bc_find_peaks_into(
        x: *const f64,
        n: usize,
        threshold: f64,
        alloc: bc_allocator,
        ctx: *mut c_void,
        count: *mut usize,
    ) -> c_int;
    pub fn bc_matvec(
        a: *const f64,
        rows: usize,
        cols: usize,
        row_stride: usize,
        x: *const f64,
        y: *mut f64,
    ) -> c_int;

    pub fn bc_fnv1a(data: *const c_void, len: usize) -> u64;
    pub fn bc_repeat(
        s: *const c_char,
        len: usize,
        n: usize,
        out: *mut *mut c_char,
        out_len: *mut usize,
    ) -> c_int;

    pub fn bc_describe(x: *const f64, n: usize, out: *mut bc_stats) -> c_int;
    pub fn bc_events_total(ev: *const bc_event, n: usize, kind: i32) -> f64;
    pub fn bc_struct_size(struct_name: *const c_char) -> usize;
    pub fn bc_field_offset(struct_name: *const c_char, field_name: *const c_char) -> usize;

    pub fn bc_integrate(
        f: bc_func,
        check: bc_check,
        ctx: *mut c_void,
        a: f64,
        b: f64,
        n: usize,
        result: *mut f64,
    ) -> c_int;

    pub fn bc_detector_create(
        model: *const bc_normal_gamma,
        hazard: *const bc_hazard,
        out: *mut *mut bc_detector,
    ) -> c_int;
    pub fn bc_detector_update(d: *mut bc_detector, x: f64, run_length: *mut i64) -> c_int;
    pub fn bc_detector_update_many(
        d: *mut bc_detector,
        xs: *const f64,
        n: usize,
        run_lengths: *mut i64,
        check: bc_check,
        ctx: *mut c_void,
    ) -> c_int;
    pub fn bc_detector_posterior(d: *const bc_detector, len: *mut usize) -> *const f64;
    pub fn bc_detector_steps(d: *const bc_detector) -> u64;
    pub fn bc_detector_reset(d: *mut bc_detector);
    pub fn bc_detector_destroy(d: *mut bc_detector);

    pub fn bc_free(p: *mut c_void);
    pub fn bc_live_allocations() -> i64;
    pub fn bc_fail_allocation_after(k: i64);
}

/// Compares the size and field offsets of a Rust mirror with the C struct's, as the core's own
/// `sizeof`/`offsetof` table gives them; returns the first mismatch from the enclosing function.
macro_rules! check_layout {
    ($name:ident: $($field:ident),+) => {
        let name = concat!(stringify!($name), "\0").as_ptr().cast();
        // SAFETY: a NUL-terminated name, only read.
        if unsafe { bc_struct_size(name) } != size_of::<$name>() {
            return Err(stringify!($name));
        }
        $(
            let field = concat!(stringify!($field), "\0").as_ptr().cast();
            // SAFETY: NUL-terminated names, only read.
            if unsafe { bc_field_offset(name, field) } != offset_of!($name, $field) {
                return Err(concat!(stringify!($name), ".", stringify!($field)));
            }
        )+
    };
}

// region: check-layouts
/// `Err("struct")` or `Err("struct.field")` where a mirror above differs from the C struct.
pub fn check_layouts() -> Result<(), &'static str> {
    check_layout!(bc_stats: n, mean, std, min, max);
    check_layout!(bc_event: kind, value);
    check_layout!(bc_normal_gamma: mu0, kappa0, alpha0, beta0);
    check_layout!(bc_hazard: rate, max_run_length);
    Ok(())
}
// endregion: check-layouts
