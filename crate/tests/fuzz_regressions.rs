//! The fuzzers' CI smoke run: every saved input (crafted seeds in fuzz/seeds/TARGET, inputs that
//! once crashed a target in fuzz/regressions/TARGET) goes through the same entry point the
//! fuzz target calls (`tome::fuzz`), and must come back: no panic, no abort, no hang.
//! The fuzzing itself is scripts/fuzz.sh (nightly, cargo-fuzz).

use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut files = Vec::new();
    for dir in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else { continue };
        files.extend(entries.flatten().map(|e| e.path()).filter(|p| p.is_file()));
    }
    files.sort();
    assert!(!files.is_empty(), "no saved inputs for the {target} target under {}", root.display());
    files
}

fn replay(target: &str, run: impl Fn(&[u8])) {
    for path in inputs(target) {
        let bytes = std::fs::read(&path).expect("read a saved fuzz input");
        eprintln!("{target}: {}", path.display());
        run(&bytes);
    }
}

#[test]
fn pdf_inputs() {
    replay("pdf", tome::fuzz::pdf);
}

#[test]
fn text_inputs() {
    replay("text", tome::fuzz::text);
}

#[test]
fn gguf_inputs() {
    replay("gguf", tome::fuzz::gguf);
}

#[test]
fn pack_inputs() {
    replay("pack", tome::fuzz::pack);
}

#[test]
fn memory_inputs() {
    replay("memory", tome::fuzz::memory);
}
