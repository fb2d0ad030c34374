//! Text of the real eval PDFs: CJK kept, two columns read in order, pages and blocks consistent.

use std::path::{Path, PathBuf};

use tome::Document;

fn pdf(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/eval/docs/pdf").join(name)
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

#[test]
fn thuthesis_keeps_its_chinese() {
    let doc = Document::open(&pdf("thuthesis.pdf")).expect("thuthesis.pdf");
    let cjk = doc.text.chars().filter(|c| is_cjk(*c)).count();
    assert!(cjk >= 20_000, "only {cjk} CJK characters kept (poppler: 20,707)");
    assert!(doc.text.contains("清华大学学位论文模板"));
    assert_eq!(doc.pages.len(), 152);
}

#[test]
fn two_column_paper_reads_column_by_column() {
    let doc = Document::open(&pdf("acmart-sample-sigconf.pdf")).expect("acmart");
    // A sentence that runs down the left column of page 2, then its right column.
    let text = &doc.text;
    assert!(
        text.contains("can be used to prepare articles for\nany ACM publication"),
        "left column lines in order"
    );
    let overview = text.find("2 TEMPLATE OVERVIEW").expect("section 2");
    let styles = text.find("2.1 Template Styles").expect("section 2.1");
    let mods = text.find("3 MODIFICATIONS").expect("section 3");
    assert!(overview < styles && styles < mods);
    // Words separated by the PDF's own spaces stay separate.
    assert!(text.contains("your work, there are a number of template parameters"));
}

#[test]
fn pages_and_blocks_cover_the_text_in_order() {
    let doc = Document::open(&pdf("R-intro.pdf")).expect("R-intro");
    assert_eq!(doc.pages.len(), 113);
    for w in doc.pages.windows(2) {
        assert!(w[0].span.end <= w[1].span.start && w[0].number + 1 == w[1].number);
    }
    let mut last = 0;
    for b in &doc.blocks {
        assert!(b.span.start >= last, "blocks in text order");
        last = b.span.end;
        let line = doc.slice(b.span);
        assert!(!line.is_empty() && !line.contains('\n'), "one block per visual line: {line:?}");
        assert_eq!(doc.page_at(b.span.start), b.page);
        assert!(b.font_size > 0.0 && b.bbox[0] <= b.bbox[2] && b.bbox[1] <= b.bbox[3]);
    }
    // Chapter titles are set larger than the body, and section titles in bold.
    let chapter = doc
        .blocks
        .iter()
        .find(|b| doc.slice(b.span) == "1 Introduction and preliminaries")
        .expect("chapter 1");
    let body =
        doc.blocks.iter().find(|b| doc.slice(b.span).starts_with("Technically R is an")).expect("body line");
    assert!(chapter.font_size > body.font_size + 3.0 && chapter.bold && !body.bold);
}
