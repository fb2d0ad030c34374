//! Bad input gets a clear error, never a panic or a hang: through the library and through the
//! `tome` binary (non-zero exit, the message on stderr).

use std::path::{Path, PathBuf};
use std::process::Command;

use tome::{Document, doc::DocError};

fn eval_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/eval")
}

fn pdf(name: &str) -> PathBuf {
    eval_dir().join("docs/pdf").join(name)
}

/// A file in its own temp directory, removed with it when the test is done.
struct Scratch {
    dir: PathBuf,
    path: PathBuf,
}

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<std::ffi::OsStr> for Scratch {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.path.as_os_str()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Writes bytes to a file with this name in a fresh temp directory.
fn temp_file(name: &str, bytes: &[u8]) -> Scratch {
    let dir = std::env::temp_dir().join(format!("tome-bad-input-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write temp file");
    Scratch { dir, path }
}

/// Runs `tome outline FILE` and returns (exit success, stderr).
fn cli_outline(path: &Path) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tome")).arg("outline").arg(path).output().expect("run tome");
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The library returns an error matching `check`, and the CLI exits non-zero saying `says`.
fn refused(path: &Path, check: impl Fn(&DocError) -> bool, says: &str) {
    let bytes = std::fs::read(path).expect("read test file");
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    match Document::from_bytes(name, &bytes) {
        Ok(doc) => panic!("{name}: expected an error, read {} pages", doc.pages.len()),
        Err(e) => assert!(check(&e), "{name}: unexpected error {e:?}"),
    }
    let (ok, stderr) = cli_outline(path);
    assert!(!ok, "{name}: tome outline should fail");
    assert!(stderr.contains(says), "{name}: stderr should say {says:?}, got {stderr:?}");
    assert!(!stderr.contains("panicked"), "{name}: tome panicked: {stderr}");
}

/// A PDF from object bodies (object i+1 = bodies[i]), with a correct xref table.
fn build_pdf(bodies: &[String], root: usize) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in bodies.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", bodies.len() + 1).as_bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!("trailer\n<< /Size {} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n", bodies.len() + 1)
            .as_bytes(),
    );
    out
}

/// One page showing `text` in Helvetica; objects 1..=5 (catalog 1, pages 2, page 3).
fn one_page(text: &str, catalog_extra: &str, pages_kids: &str) -> Vec<String> {
    let stream = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
    vec![
        format!("<< /Type /Catalog /Pages 2 0 R {catalog_extra} >>"),
        format!("<< /Type /Pages /Kids [{pages_kids}] /Count 1 >>"),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".into(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into(),
    ]
}

#[test]
fn empty_file() {
    refused(&temp_file("empty.pdf", b""), |e| matches!(e, DocError::Empty), "empty");
}

#[test]
fn random_bytes() {
    // A fixed xorshift stream: the same "random" file on every run.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    refused(&temp_file("random.pdf", &bytes), |e| matches!(e, DocError::BadPdf { .. }), "PDF header");
}

#[test]
fn truncated_pdf() {
    let bytes = std::fs::read(pdf("R-intro.pdf")).expect("R-intro.pdf in shared/eval");
    let cut = &bytes[..bytes.len() / 2];
    refused(&temp_file("truncated.pdf", cut), |e| matches!(e, DocError::BadPdf { .. }), "truncated");
}

#[test]
fn encrypted_pdf() {
    let plain =
        temp_file("plain-for-encryption.pdf", &std::fs::read(pdf("acmart-sample-sigconf.pdf")).expect("pdf"));
    let locked = plain.with_file_name("encrypted.pdf");
    let status = Command::new("qpdf")
        .args(["--encrypt", "user-secret", "owner-secret", "256", "--"])
        .arg(&plain)
        .arg(&locked)
        .status()
        .expect("qpdf is needed to make an encrypted PDF for this test: install it (apt-get install qpdf)");
    assert!(status.success(), "qpdf --encrypt failed");
    refused(&locked, |e| matches!(e, DocError::Encrypted), "encrypted");
}

#[test]
fn scanned_pdfs_have_no_text_layer() {
    for (name, pages) in [
        ("ocrmypdf-c03-29-huckfinn-scan.pdf", 1),
        ("ocrmypdf-linn-2col-scan.pdf", 1),
        ("ocrmypdf-multipage-scan.pdf", 6),
    ] {
        refused(
            &pdf(name),
            |e| matches!(e, DocError::NoTextLayer { pages: p } if *p == pages),
            "no text layer",
        );
        let (_, stderr) = cli_outline(&pdf(name));
        assert!(stderr.contains(&format!("{pages} page")), "{name}: {stderr}");
        assert!(stderr.contains("OCR is not supported"), "{name}: {stderr}");
    }
}

#[test]
fn zero_page_pdf() {
    let bodies =
        vec!["<< /Type /Catalog /Pages 2 0 R >>".to_string(), "<< /Type /Pages /Kids [] /Count 0 >>".into()];
    refused(
        &temp_file("zero-pages.pdf", &build_pdf(&bodies, 1)),
        |e| matches!(e, DocError::NoPages),
        "no pages",
    );
}

#[test]
fn cyclic_page_tree_and_outline() {
    // The page tree lists itself as a kid, and the outline's items point at each other in a
    // loop (Next and First): readers that follow links blindly never finish.
    let mut bodies = one_page("Cycles everywhere in this file", "/Outlines 6 0 R", "3 0 R 2 0 R");
    bodies.push("<< /Type /Outlines /First 7 0 R /Last 8 0 R >>".into());
    bodies.push("<< /Title (First) /Parent 6 0 R /Next 8 0 R /First 8 0 R /Dest [3 0 R /Fit] >>".into());
    bodies.push("<< /Title (Second) /Parent 6 0 R /Next 7 0 R /First 7 0 R /Dest [3 0 R /Fit] >>".into());
    let path = temp_file("cyclic.pdf", &build_pdf(&bodies, 1));
    let bytes = std::fs::read(&path).expect("read");
    // Either read (with the loop cut) or refused with an error: never a hang or a panic.
    if let Ok(doc) = Document::from_bytes("cyclic.pdf", &bytes) {
        let marks = doc.pdf_outline.unwrap_or_default();
        assert!(marks.len() <= 2, "the outline loop was not cut: {} entries", marks.len());
    }
    let out = Command::new(env!("CARGO_BIN_EXE_tome")).arg("outline").arg(&path).output().expect("run tome");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn deeply_nested_objects() {
    // 100,000 nested arrays in the page's resources, and a content stream that is a reference
    // chain pointing back at itself.
    let mut bodies = one_page("Deep", "", "3 0 R");
    bodies[2] = format!(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 6 0 R /Resources << /Deep {}{} >> >>",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    bodies.push("7 0 R".into());
    bodies.push("6 0 R".into());
    let path = temp_file("deep.pdf", &build_pdf(&bodies, 1));
    let bytes = std::fs::read(&path).expect("read");
    match Document::from_bytes("deep.pdf", &bytes) {
        Ok(doc) => {
            panic!("a PDF whose only page cannot be read should be refused, got {} chars", doc.text.len())
        }
        Err(e) => assert!(matches!(e, DocError::BadPdf { .. } | DocError::BlankPages { .. }), "{e:?}"),
    }
    let (ok, stderr) = cli_outline(&path);
    assert!(!ok && !stderr.contains("panicked"), "{stderr}");
}

#[test]
fn binary_file_named_txt_is_refused() {
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let path = temp_file("binary.txt", &bytes);
    let (ok, stderr) = cli_outline(&path);
    assert!(!ok, "a binary file should not be read as text");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn deeply_nested_content_stream() {
    // The nesting is inside stream data, which the pre-scan skips: the page parser meets it.
    let mut bodies = one_page("Deep", "", "3 0 R");
    let stream = format!("BT /F1 12 Tf 72 720 Td {}(x){} TJ ET", "[".repeat(200_000), "]".repeat(200_000));
    bodies[3] = format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len());
    let path = temp_file("deep-content.pdf", &build_pdf(&bodies, 1));
    let bytes = std::fs::read(&path).expect("read");
    if let Ok(doc) = Document::from_bytes("deep-content.pdf", &bytes) {
        assert_eq!(doc.pages.len(), 1);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_tome")).arg("outline").arg(&path).output().expect("run tome");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn a_broken_page_is_skipped_not_the_document() {
    // Page 1 reads; page 2 is not a page object at all.
    let mut bodies =
        one_page("The first page reads fine and has enough text to count as a text layer", "", "3 0 R 6 0 R");
    bodies[1] = "<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>".into();
    bodies.push("(this is a string, not a page)".into());
    let path = temp_file("broken-page.pdf", &build_pdf(&bodies, 1));
    let doc = Document::from_bytes("broken-page.pdf", &std::fs::read(&path).expect("read"))
        .expect("page 1 is readable");
    assert_eq!(doc.pages.len(), 2);
    assert!(doc.text.contains("The first page reads fine"));
    assert!(
        doc.warnings.iter().any(|w| w.contains("page 2")),
        "the skipped page is noted: {:?}",
        doc.warnings
    );
}
