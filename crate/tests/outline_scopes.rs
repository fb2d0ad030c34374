//! Scope lines on the real eval documents: every outline node of the dev PDFs (bookmarks used
//! and ignored) and of the novels has one, and it is a span of its own section.

use std::path::{Path, PathBuf};

use tome::outline::scope::scopes;
use tome::{Document, Outline};

fn eval_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/eval")
}

fn assert_scopes(doc: &Document, outline: &Outline) -> usize {
    let nodes = outline.flatten();
    let all = scopes(doc, outline);
    assert_eq!(all.len(), nodes.len(), "{}: one scope per node", doc.name);
    let mut prose = 0;
    for ((node, _), scope) in nodes.iter().zip(&all) {
        assert!(
            node.span.start <= scope.span.start && scope.span.end <= node.span.end,
            "{}: scope of {:?} ({:?}) lies outside its section {:?}",
            doc.name,
            node.title,
            scope.span,
            node.span
        );
        // Only a section with no text of its own (its heading not found on the page, so it
        // starts where the next one does) has nothing to say.
        assert!(
            !scope.text.is_empty() || node.span.is_empty(),
            "{}: {:?} has an empty scope",
            doc.name,
            node.title
        );
        let shown: String = doc.slice(scope.span).split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(scope.text, shown, "{}: the scope's text is its span's", doc.name);
        // Count scopes that say more than the title.
        let cjk = scope.text.chars().filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c)).count();
        if scope.text.split_whitespace().count() + cjk / 2 >= 5 {
            prose += 1;
        }
    }
    prose
}

#[test]
fn every_node_of_the_dev_pdfs_has_a_scope_in_its_own_section() {
    for name in ["R-intro.pdf", "debian-reference.en.pdf", "thuthesis.pdf", "acmart-sample-sigconf.pdf"] {
        let doc = Document::open(&eval_dir().join("docs/pdf").join(name)).expect("dev PDF opens");
        for ignore_bookmarks in [false, true] {
            let outline = Outline::build(&doc, ignore_bookmarks);
            let n = outline.flatten().len();
            let prose = assert_scopes(&doc, &outline);
            // Most sections open with a sentence, not just a line.
            assert!(prose * 10 >= n * 6, "{name}: only {prose} of {n} scopes are sentences");
        }
    }
}

#[test]
fn every_chapter_of_the_novels_has_a_scope_in_its_own_chapter() {
    for name in ["persuasion.txt", "prideprejudice.txt", "northangerabbey.txt", "sensesensibility.txt"] {
        let doc = Document::open(&eval_dir().join("docs/novels").join(name)).expect("novel opens");
        let outline = Outline::build(&doc, false);
        let n = outline.flatten().len();
        let prose = assert_scopes(&doc, &outline);
        assert!(prose == n, "{name}: only {prose} of {n} chapter scopes are sentences");
    }
}
