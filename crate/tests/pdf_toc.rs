//! Outlines of the real eval PDFs with their bookmarks ignored or stripped: the printed table of
//! contents resolved to the body, scored against the bookmarks.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tome::eval::outlines::{DocScore, evaluate_one, key};
use tome::{Document, Outline, OutlineSource};

fn eval_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/eval")
}

fn score(name: &str) -> DocScore {
    evaluate_one(&eval_dir(), &format!("docs/pdf/{name}")).expect("outlines.json lists the document")
}

/// Bookmarks ignored: the outline comes from the printed contents, with title+page F1 (and
/// with levels too) at least `floor`.
fn assert_toc(s: &DocScore, floor: f64) {
    assert_eq!(s.source, Some(OutlineSource::Toc), "{}: bookmarks ignored, source {:?}", s.doc, s.source);
    let toc = s.toc.expect("a printed table of contents");
    assert!(toc.f1 >= floor, "{}: contents F1 {:.3} < {floor} ({toc:?})", s.doc, toc.f1);
    let levels = s.toc_with_levels.expect("levels scored");
    assert!(levels.f1 >= floor, "{}: contents F1 with levels {:.3} < {floor} ({levels:?})", s.doc, levels.f1);
    let without = s.without_bookmarks.expect("scored without bookmarks");
    assert!(without.f1 >= floor, "{}: F1 without bookmarks {:.3} < {floor}", s.doc, without.f1);
}

#[test]
fn r_intro_outline_from_its_printed_contents() {
    assert_toc(&score("R-intro.pdf"), 0.98);
}

#[test]
fn debian_reference_outline_from_its_printed_contents() {
    assert_toc(&score("debian-reference.en.pdf"), 0.98);
}

#[test]
fn thuthesis_without_bookmarks_keeps_detected_headings() {
    // Its two-column contents pages come out of the reader with the left column's page numbers
    // on the right column's rows, so no contents are parsed; the detected headings carry it.
    let s = score("thuthesis.pdf");
    assert_eq!(s.source, Some(OutlineSource::Detected));
    let f = s.without_bookmarks.expect("scored without bookmarks");
    assert!(f.f1 >= 0.90, "thuthesis: F1 without bookmarks {:.3} ({f:?})", f.f1);
}

#[test]
fn fullrefman_outline_from_its_printed_contents() {
    // 2415 pages, headings marked by rules rather than fonts: the contents carry it.
    assert_toc(&score("fullrefman.pdf"), 0.99);
}

#[test]
fn a_paper_without_contents_pages_keeps_detected_headings() {
    let s = score("acmart-sample-sigconf.pdf");
    assert!(s.toc.is_none(), "a 6-page paper has no contents pages: {:?}", s.toc);
    assert_eq!(s.source, Some(OutlineSource::Detected));
}

/// Title key, level and page of every bookmark of `name` in outlines.json.
fn truth(name: &str) -> Vec<(String, u32, u32)> {
    let json = std::fs::read_to_string(eval_dir().join("outlines.json")).expect("outlines.json");
    let all: Value = serde_json::from_str(&json).expect("outlines.json is JSON");
    all[format!("docs/pdf/{name}")]["outline"]
        .as_array()
        .expect("bookmarks listed")
        .iter()
        .map(|e| {
            let title = e["title"].as_str().unwrap_or_default();
            (key(title), e["level"].as_u64().unwrap_or(0) as u32, e["page"].as_u64().unwrap_or(0) as u32)
        })
        .collect()
}

/// The PDF rewritten by qpdf without its outline (bookmarks), in a temporary folder.
fn stripped(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tome-toc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary folder");
    let out = dir.join(name);
    let src = eval_dir().join("docs/pdf").join(name);
    let status = Command::new("qpdf")
        .arg("--empty")
        .arg("--pages")
        .arg(&src)
        .arg("--")
        .arg(&out)
        .status()
        .expect("qpdf runs (scripts/setup.sh installs it)");
    assert!(status.success(), "qpdf failed on {name}");
    out
}

/// With its bookmarks stripped, the PDF gets back the same outline from its printed contents:
/// the same entries (titles up to normalisation), levels and pages, in order.
fn assert_stripped_outline_equals_bookmarks(name: &str, min_equal: f64) {
    let path = stripped(name);
    let doc = Document::open(&path).expect("the stripped PDF opens");
    assert!(doc.pdf_outline.as_ref().is_none_or(|m| m.is_empty()), "qpdf dropped the bookmarks");
    let outline = Outline::build(&doc, false);
    let _ = std::fs::remove_file(&path);
    assert_eq!(outline.source, OutlineSource::Toc);
    let ours: Vec<(String, u32, u32)> =
        outline.flatten().iter().map(|(n, _)| (key(&n.title), n.level, n.page)).collect();
    let want = truth(name);
    let mut unmatched = want.clone();
    let mut same = 0;
    for e in &ours {
        if let Some(i) = unmatched.iter().position(|w| w == e) {
            unmatched.remove(i);
            same += 1;
        }
    }
    let share = same as f64 / want.len().max(ours.len()) as f64;
    let first_diff = ours.iter().zip(&want).position(|(a, b)| a != b);
    assert!(
        share >= min_equal,
        "{name}: {same} of {} entries equal ({} ours); first difference at {first_diff:?}: {:?} vs {:?}",
        want.len(),
        ours.len(),
        first_diff.and_then(|i| ours.get(i)),
        first_diff.and_then(|i| want.get(i)),
    );
}

#[test]
fn r_intro_without_bookmarks_gets_them_back_from_its_contents() {
    assert_stripped_outline_equals_bookmarks("R-intro.pdf", 1.0);
}

#[test]
fn debian_reference_without_bookmarks_gets_them_back_from_its_contents() {
    assert_stripped_outline_equals_bookmarks("debian-reference.en.pdf", 1.0);
}

#[test]
fn fullrefman_without_bookmarks_gets_them_back_from_its_contents() {
    // 1424 of 1426: the bookmark of the contents pages themselves, which the contents do not
    // list, and one more.
    assert_stripped_outline_equals_bookmarks("fullrefman.pdf", 0.998);
}
