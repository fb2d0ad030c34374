//! Outlines of the real eval PDFs: bookmarks reproduced exactly, headings detected with the
//! bookmarks ignored, sections that start at their titles.

use std::path::{Path, PathBuf};

use tome::eval::outlines::{DocScore, evaluate_one, key};
use tome::{Document, Outline, OutlineSource};

fn eval_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/eval")
}

fn score(name: &str) -> DocScore {
    evaluate_one(&eval_dir(), &format!("docs/pdf/{name}")).expect("outlines.json lists the document")
}

fn assert_bookmarks_exact(s: &DocScore) {
    assert_eq!(s.bookmarks_exact, Some(true), "{}: {:?}", s.doc, s.bookmarks_first_difference);
}

fn assert_detected_f1(s: &DocScore, floor: f64) {
    let f = s.detected.expect("detected-heading score");
    assert!(f.f1 >= floor, "{}: detected-heading F1 {:.3} < {floor} ({f:?})", s.doc, f.f1);
}

#[test]
fn r_intro_bookmarks_exact_and_headings_detected() {
    let s = score("R-intro.pdf");
    assert_bookmarks_exact(&s);
    assert_detected_f1(&s, 0.85);
}

#[test]
fn debian_reference_bookmarks_exact_and_headings_detected() {
    let s = score("debian-reference.en.pdf");
    assert_bookmarks_exact(&s);
    assert_detected_f1(&s, 0.85);
}

#[test]
fn thuthesis_bookmarks_exact_and_headings_detected() {
    let s = score("thuthesis.pdf");
    assert_bookmarks_exact(&s);
    assert_detected_f1(&s, 0.85);
}

#[test]
fn acmart_bookmarks_exact() {
    assert_bookmarks_exact(&score("acmart-sample-sigconf.pdf"));
}

#[test]
fn scanned_pdf_bookmarks_still_read() {
    let s = score("ocrmypdf-multipage-scan.pdf");
    assert!(s.error.as_deref().is_some_and(|e| e.contains("no text layer")), "{:?}", s.error);
    assert_bookmarks_exact(&s);
}

#[test]
fn fullrefman_bookmarks_exact() {
    // 2415 pages: read once here.
    let s = score("fullrefman.pdf");
    assert_eq!(s.pages, Some(2415));
    assert_bookmarks_exact(&s);
}

#[test]
fn reference_entries_start_at_their_heading_not_at_a_running_head() {
    // The R reference heads each page with its number and an entry's name ("600 strsplit"); the
    // entry itself starts lower on the page ("strsplit  Split the Elements of a Character
    // Vector"), after the previous entry's end.
    let doc = Document::open(&eval_dir().join("docs/pdf/fullrefman.pdf")).expect("fullrefman.pdf");
    let outline = Outline::build(&doc, false);
    let nodes = outline.flatten();
    let running_head = |line: &str, title: &str| {
        let (line, title) = (key(line), key(title));
        let number = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
        line.strip_prefix(&title).is_some_and(number) || line.strip_suffix(&title).is_some_and(number)
    };
    let at_head = nodes
        .iter()
        .filter(|(n, _)| running_head(doc.text[n.span.start..].lines().next().unwrap_or(""), &n.title))
        .count();
    println!("{at_head} of {} sections start at a running head", nodes.len());
    assert!(at_head * 100 <= nodes.len(), "{at_head} of {} sections start at a running head", nodes.len());
}

#[test]
fn bookmark_sections_start_at_their_titles() {
    let doc = Document::open(&eval_dir().join("docs/pdf/R-intro.pdf")).expect("R-intro.pdf");
    let outline = Outline::build(&doc, false);
    assert_eq!(outline.source, OutlineSource::Bookmarks);
    let nodes = outline.flatten();
    let mut at_title = 0;
    for (n, _) in &nodes {
        assert!(n.span.start <= n.span.end && n.span.end <= doc.text.len());
        assert_eq!(doc.page_at(n.span.start), n.page, "{} starts on its page", n.title);
        let first_line = doc.text[n.span.start..].lines().next().unwrap_or("");
        // The heading line itself (possibly after its section number), not a mention in prose.
        if key(first_line).ends_with(&key(&n.title)) {
            at_title += 1;
        }
    }
    assert!(
        at_title * 100 >= nodes.len() * 97,
        "only {at_title} of {} sections start at their title line",
        nodes.len()
    );
    // Sections nest: a child's span lies inside its parent's.
    for top in &outline.nodes {
        for child in &top.children {
            assert!(top.span.start <= child.span.start && child.span.end <= top.span.end, "{}", child.title);
        }
    }
}

#[test]
fn detected_outline_has_levels_from_styles() {
    let doc = Document::open(&eval_dir().join("docs/pdf/debian-reference.en.pdf")).expect("debian-reference");
    // Heading detection alone: with bookmarks ignored this PDF's printed contents would be used.
    let outline = Outline::from_headings(&doc);
    assert_eq!(outline.source, OutlineSource::Detected);
    // Chapters hold sections, which hold subsections: "1.1 Console basics" under chapter 1.
    let flat = outline.flatten();
    let (_, path) =
        flat.iter().find(|(n, _)| n.title.starts_with("1.1.1 ")).expect("subsection 1.1.1 detected");
    assert!(path.len() >= 3, "1.1.1 should sit under a chapter and a section, path {path:?}");
    assert!(path.iter().any(|t| t.starts_with("1.1 ")), "path {path:?}");
}
