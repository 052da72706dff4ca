//! Compiles the C core (`c_core/`, two levels up) into a static library that is linked into the
//! extension module, as the CMake build links `bcore_static` into the other compiled backends.
//! `cargo::` directives need Cargo 1.77, below the crate's rust-version.

use std::path::{Path, PathBuf};

fn main() {
    let core = Path::new("../../c_core");
    let include = core.join("include");
    let src = core.join("src");

    // Every .c file of the core, sorted so the archive is the same on every machine.
    let mut sources: Vec<PathBuf> = std::fs::read_dir(&src)
        .unwrap_or_else(|err| panic!("cannot list {}: {err}", src.display()))
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "c"))
        .collect();
    sources.sort();

    // region: core
    let mut build = cc::Build::new();
    build.std("c11").include(&include).files(&sources).warnings(true).extra_warnings(true);
    // The warnings c_core/CMakeLists.txt turns on; cargo prints any the core triggers.
    for flag in ["-Wpedantic", "-Wshadow", "-Wconversion"] {
        build.flag_if_supported(flag);
    }
    build.compile("bcore");

    // The core calls sqrt, log, log1p, ...: libm is separate from libc on Linux and the BSDs.
    let os = std::env::var("CARGO_CFG_TARGET_OS").expect("set by cargo");
    if !matches!(os.as_str(), "windows" | "macos" | "ios") {
        println!("cargo::rustc-link-lib=m");
    }
    // endregion: core

    // A directory here means "anything inside it": a new, changed or removed source file
    // rebuilds the core, and nothing else does.
    println!("cargo::rerun-if-changed={}", src.display());
    println!("cargo::rerun-if-changed={}", include.display());
}
