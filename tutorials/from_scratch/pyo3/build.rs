// Runs before the crate is compiled: builds add.c into a static library that cargo links in.
fn main() {
    cc::Build::new().file("add.c").compile("add");
    println!("cargo::rerun-if-changed=add.c");
}
