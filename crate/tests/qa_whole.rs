//! Whole-document questions on a real PDF manual and a novel: the chapter list is the outline's,
//! and every citation is a span of the section it names.

use std::path::PathBuf;

use tome::outline::OutlineNode;
use tome::qa::{self, Answer};
use tome::{Document, Index, Outline};

fn open(rel: &str) -> (Document, Outline, Index) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/eval/docs").join(rel);
    let doc = Document::open(&path).unwrap();
    let outline = Outline::build(&doc, false);
    let index = Index::build(&doc, &outline);
    (doc, outline, index)
}

/// The outline node a citation names by its path.
fn node<'a>(outline: &'a Outline, path: &[String]) -> &'a OutlineNode {
    let flat = outline.flatten();
    let found = flat.iter().find(|(_, p)| p.iter().copied().eq(path.iter().map(String::as_str)));
    found.unwrap_or_else(|| panic!("no section {path:?} in the outline")).0
}

/// Every citation is a non-empty span of the document inside the section its path names.
fn cites_its_sections(doc: &Document, outline: &Outline, answer: &Answer) {
    assert!(answer.found && !answer.citations.is_empty(), "{answer:?}");
    for c in &answer.citations {
        assert!(!doc.slice(c.span).trim().is_empty());
        let section = node(outline, &c.outline_path).span;
        assert!(section.start <= c.span.start && c.span.end <= section.end, "{c:?} outside {section:?}");
    }
}

#[test]
fn the_chapter_list_of_a_manual_is_its_bookmarks_top_level() {
    let (doc, outline, index) = open("pdf/R-intro.pdf");
    let a = qa::answer(&doc, &index, "What are the chapters of this manual?");
    cites_its_sections(&doc, &outline, &a);
    let top: Vec<&str> = outline.nodes.iter().map(|n| n.title.as_str()).collect();
    assert!(top.len() > 5);
    assert_eq!(a.text.lines().collect::<Vec<_>>(), top);
    assert_eq!(a.citations.len(), top.len());
    assert!(a.citations.iter().all(|c| c.outline_path.len() == 1));
}

#[test]
fn a_numbered_chapter_is_summarized_from_its_own_text() {
    let (doc, outline, index) = open("pdf/R-intro.pdf");
    let chapter = outline.nodes.iter().find(|n| n.title.starts_with("2 ")).unwrap();
    let a = qa::answer(&doc, &index, "Summarize chapter 2");
    cites_its_sections(&doc, &outline, &a);
    for c in &a.citations {
        assert_eq!(c.outline_path[0], chapter.title);
        assert_ne!(doc.slice(c.span).trim(), chapter.title, "the heading is not a summary");
    }

    let (doc, outline, index) = open("novels/persuasion.txt");
    let a = qa::answer(&doc, &index, "What happens in chapter IV?");
    cites_its_sections(&doc, &outline, &a);
    assert!(a.citations.iter().all(|c| c.outline_path == ["Chapter 4"]), "{a:?}");
    let a = qa::answer(&doc, &index, "What are the chapters of the book?");
    cites_its_sections(&doc, &outline, &a);
    assert_eq!(a.citations.len(), outline.nodes.len());
}

#[test]
fn about_is_answered_from_the_opening_and_a_missing_chapter_is_not_invented() {
    let (doc, outline, index) = open("pdf/R-intro.pdf");
    let a = qa::answer(&doc, &index, "What is this document about?");
    cites_its_sections(&doc, &outline, &a);
    assert_eq!(a.citations[0].outline_path, ["Preface"]);
    let (doc, _, index) = open("novels/persuasion.txt");
    let a = qa::answer(&doc, &index, "Summarize chapter 90");
    assert!(a.citations.iter().all(|c| !c.outline_path.iter().any(|t| t.contains("90"))), "{a:?}");
}
