//! The fuzz targets' entry points, in the library so that `cargo test` replays the saved
//! crashing inputs through exactly what the fuzzer ran (`crate/tests/fuzz_regressions.rs`).
//!
//! Each takes arbitrary bytes and runs one reader as a user would reach it; an error is a fine
//! outcome, a panic, an abort, a hang or a huge allocation is a bug. Not an API: hidden from docs.

use crate::doc::Document;
use crate::outline::Outline;

/// Called once when a fuzz target starts. libfuzzer-sys turns every panic into a crash, even one
/// tome catches; but tome's contract is that a panic inside a third-party parser (pdf_oxide on a
/// damaged file) is caught and reported as a file it could not read (`DocError::ReaderFailed`).
/// So a panic raised in a registry crate is noted on one line and left to tome's guard, while a
/// panic in tome's own code still aborts here, and one that escapes tome aborts in libfuzzer-sys.
pub fn crash_only_when_tome_panics() {
    let crash = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let at = info.location().map(|l| l.file()).unwrap_or("");
        if at.contains("/.cargo/registry/") {
            eprintln!("dependency panic (tome catches it): {info}");
        } else {
            crash(info);
        }
    }));
}

/// A PDF: open, then outline (bookmarks and layout headings).
#[cfg(feature = "pdf")]
pub fn pdf(bytes: &[u8]) {
    if let Ok(doc) = Document::from_bytes("fuzz.pdf", bytes) {
        let _ = Outline::build(&doc, false);
    }
    let _ = crate::doc::read_bookmarks(bytes);
}

/// A text or Markdown file (the first byte chooses), decoded and outlined.
pub fn text(bytes: &[u8]) {
    let Some((&kind, rest)) = bytes.split_first() else { return };
    let name = if kind & 1 == 0 { "fuzz.txt" } else { "fuzz.md" };
    if let Ok(doc) = Document::from_bytes(name, rest) {
        let _ = Outline::build(&doc, false);
    }
}

/// A model file's header and configuration: metadata, tensor table, hyper-parameters and the
/// tokenizer built from its vocabulary. No tensor data is read.
#[cfg(feature = "model")]
pub fn gguf(bytes: &[u8]) {
    use crate::model::gguf::Gguf;
    use crate::model::llama::Config;
    let Ok(g) = Gguf::parse(bytes) else { return };
    if Config::from_gguf(&g).is_ok() {
        let _ = crate::model::Tokenizer::from_gguf(&g);
    }
}

/// A memory file (`tome read`'s FILE.tome): parsed, loaded against the model it names (as if that
/// were the loaded one, so the checks past the model's hash run), and its entries chosen for a
/// cache of 2048 positions as `tome ask FILE.tome` does. The document inside is the other targets'.
#[cfg(feature = "model")]
pub fn memory(bytes: &[u8]) {
    use crate::model::memory::{assemble, file};
    let Ok(parsed) = file::parse("fuzz.tome", bytes) else { return };
    if let Ok(memory) = file::load("fuzz.tome", bytes, &parsed.memory.model_sha256) {
        let _ = assemble::choose(&memory, 2048);
    }
}

/// A site pack: the first byte chooses a manifest alone, or an index shard and a text shard
/// loaded into a reader whose manifest names them, then searched and asked.
pub fn pack(bytes: &[u8]) {
    use crate::pack::{Manifest, file_name, read::PackReader};
    let Some((&kind, rest)) = bytes.split_first() else { return };
    if kind & 1 == 0 {
        let _ = Manifest::parse(rest);
        return;
    }
    // Two bytes (little-endian) give the index shard's length; the text shard is the rest.
    let Some((len, shards)) = rest.split_first_chunk::<2>() else { return };
    let (index, text) = shards.split_at(usize::from(u16::from_le_bytes(*len)).min(shards.len()));
    let manifest = Manifest {
        format: crate::pack::FORMAT,
        tome: "fuzz".into(),
        title: "fuzz".into(),
        pages: 1,
        passages: 4,
        avg_len: 10.0,
        index: vec![(String::new(), file_name("index", index))],
        text: vec![(0, file_name("text", text))],
        page_starts: vec![0],
        release_notes: Vec::new(),
        unstable: Vec::new(),
        deprecated: Vec::new(),
        glossary: Vec::new(),
        outline: "outline-0.tome".into(),
        bytes: 0,
        model: None,
    };
    let Ok(json) = serde_json::to_vec(&manifest) else { return };
    let Ok(mut reader) = PackReader::open(&json) else { return };
    if reader.add(&file_name("index", index), index).is_err()
        || reader.add(&file_name("text", text), text).is_err()
    {
        return;
    }
    for query in ["the knot", "how do I tie a knot?", "kn"] {
        let _ = reader.search(query, 5, true);
        let _ = reader.ask(query);
    }
}
