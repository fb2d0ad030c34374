//! Answers with citations: a question in, an [`Answer`] whose every citation is a span of the source.
//!
//! The extractive answerer ranks passages, picks the best sentence(s) and cites them; it is the
//! answer every device gets at once, and the baseline the model must beat.
//!
//! 1. Retrieve: BM25 over passages with the question's content words ([`retrieve`]).
//! 2. Read: every sentence of the top passages is scored by how much of the question it covers,
//!    each question word weighted by its idf (rare words say more), itself and with its
//!    neighbours, plus a little for its passage's rank ([`extract`]).
//! 3. Cite or abstain: the best sentence is the answer, cited with its span, page and outline
//!    path; a neighbouring sentence that holds question words the best one lacks is cited too.
//!    When the cited text covers less than [`MIN_COVERAGE`] of the question's weight, nothing in
//!    the document answers it: the answer is [`NOT_FOUND`] with no citation.

mod extract;

use serde::Serialize;

use crate::doc::Document;
use crate::index::{Hit, Index, QueryTerm};
use crate::span::Span;

pub use extract::MIN_COVERAGE;

#[derive(Debug, Clone, Serialize)]
pub struct Citation {
    /// Index into [`Index::passages`].
    pub passage: usize,
    pub page: u32,
    /// The cited text, a span of `Document::text`.
    pub span: Span,
    pub outline_path: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub text: String,
    /// False when nothing in the document answers the question ("not found in this document").
    pub found: bool,
    pub citations: Vec<Citation>,
}

pub const NOT_FOUND: &str = "Not found in this document.";

/// How many passages the reader looks at.
pub const READ_PASSAGES: usize = 8;

/// The passages a question retrieves, best first, with the question's analysed terms.
pub fn retrieve(doc: &Document, index: &Index, question: &str, k: usize) -> (Vec<QueryTerm>, Vec<Hit>) {
    let terms = index.query_terms(question);
    let hits = index.search_terms(doc, &terms, k);
    (terms, hits)
}

pub fn answer(doc: &Document, index: &Index, question: &str) -> Answer {
    let (terms, hits) = retrieve(doc, index, question, READ_PASSAGES);
    let not_found = Answer { text: NOT_FOUND.into(), found: false, citations: Vec::new() };
    let Some(best) = extract::best(doc, index, &terms, &hits) else {
        return not_found;
    };
    if best.coverage < MIN_COVERAGE {
        return not_found;
    }
    let passage = &index.passages[best.passage];
    let text = best.spans.iter().map(|&s| doc.slice(s).split_whitespace().collect::<Vec<_>>().join(" "));
    let citations = best
        .spans
        .iter()
        .map(|&span| Citation {
            passage: best.passage,
            page: doc.page_at(span.start),
            span,
            outline_path: passage.path.clone(),
        })
        .collect();
    Answer { text: text.collect::<Vec<_>>().join(" "), found: true, citations }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outline::Outline;

    fn ask(text: &str, question: &str) -> (Document, Answer) {
        let doc = Document::from_bytes("t.txt", text.as_bytes()).unwrap();
        let index = Index::build(&doc, &Outline::build(&doc, false));
        let answer = answer(&doc, &index, question);
        (doc, answer)
    }

    const TEXT: &str = "Chapter 1\n\nThe morning was grey. Anne walked to the harbour at Lyme.\n\n\
        Chapter 2\n\nCaptain Wentworth wrote the letter in the White Hart inn. It was short.\n";

    #[test]
    fn cites_the_sentence_that_answers() {
        let (doc, a) = ask(TEXT, "Where did Captain Wentworth write the letter?");
        assert!(a.found);
        assert_eq!(a.text, "Captain Wentworth wrote the letter in the White Hart inn.");
        assert_eq!(a.citations.len(), 1);
        assert_eq!(doc.slice(a.citations[0].span), a.text);
        assert_eq!(a.citations[0].outline_path, ["Chapter 2"]);
        assert_eq!(a.citations[0].page, 1);
    }

    #[test]
    fn abstains_without_citation_when_the_question_is_not_covered() {
        let (_, a) = ask(TEXT, "What is the melting point of tungsten?");
        assert!(!a.found);
        assert_eq!(a.text, NOT_FOUND);
        assert!(a.citations.is_empty());
        let (_, a) = ask(TEXT, "");
        assert!(!a.found);
    }
}
