//! Text ingestion on real files: encodings keep offsets, binary files named .txt are refused.

use std::path::PathBuf;
use std::process::Command;

use tome::{Document, Outline, doc::DocError};

fn novel() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/eval/docs/novels/persuasion.txt")
}

fn temp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tome-text-ingest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn utf16_copy_of_a_novel_reads_the_same_text_and_outline() {
    let original = Document::open(&novel()).unwrap();
    let mut bytes = vec![0xFF, 0xFE];
    for unit in original.text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let copy = Document::from_bytes("persuasion-utf16.txt", &bytes).unwrap();
    assert_eq!(copy.text, original.text);
    let titles = |d: &Document| {
        Outline::build(d, false).flatten().iter().map(|(n, _)| n.title.clone()).collect::<Vec<_>>()
    };
    assert_eq!(titles(&copy).len(), 24);
    assert_eq!(titles(&copy), titles(&original));
}

#[test]
fn binary_file_named_txt_is_a_clear_error() {
    // The test binary itself: an executable, renamed .txt.
    let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
    let path = temp("program.txt", &exe[..exe.len().min(1 << 20)]);
    let err = Document::open(&path).unwrap_err();
    assert!(matches!(err, DocError::Unsupported { .. }), "{err}");
    assert!(err.to_string().contains("binary"), "{err}");

    let out = Command::new(env!("CARGO_BIN_EXE_tome"))
        .args(["ask", path.to_str().unwrap(), "what?"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("binary") && !stderr.contains("panicked"), "{stderr}");
}

#[test]
fn empty_text_file_is_a_clear_error() {
    let path = temp("empty.txt", b"");
    assert!(matches!(Document::open(&path), Err(DocError::Empty)));
    let out = Command::new(env!("CARGO_BIN_EXE_tome"))
        .args(["search", path.to_str().unwrap(), "x"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}
