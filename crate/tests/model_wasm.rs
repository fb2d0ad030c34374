//! The CPU model path is the browser fallback, so the library must build for wasm32-unknown-unknown.
//! Builds into its own target directory (target/wasm-check) to stay clear of the running test's lock;
//! the first run builds the dependencies for wasm and takes a few minutes.

use std::path::Path;
use std::process::Command;

#[test]
fn library_builds_for_wasm32() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["build", "--lib", "--target", "wasm32-unknown-unknown", "--target-dir"])
        .arg(root.join("../target/wasm-check"))
        .current_dir(root)
        .output()
        .expect("running cargo");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "cargo build --target wasm32-unknown-unknown failed (if the target is missing: \
         rustup target add wasm32-unknown-unknown):\n{}",
        &err[err.len().saturating_sub(4000)..]
    );
}
