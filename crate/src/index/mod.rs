//! Passages and lexical search: a [`Document`] and its [`Outline`] in, ranked passages out.
//!
//! Passages hold at most ~300 tokens and never cross a section, so each one knows its outline
//! path, page and span. BM25 over words (Latin scripts) and character bigrams (CJK), with a
//! boost for query terms that occur in the passage's outline path.

use serde::Serialize;

use crate::doc::Document;
use crate::outline::Outline;
use crate::span::Span;

#[derive(Debug, Clone, Serialize)]
pub struct Passage {
    pub span: Span,
    /// 1-based page where the passage starts.
    pub page: u32,
    /// Titles from the top-level section down to the passage's own section.
    pub path: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Index into [`Index::passages`].
    pub passage: usize,
    pub score: f32,
    /// Spans of the query terms inside the passage, for highlighting.
    pub matches: Vec<Span>,
}

#[derive(Debug, Clone, Default)]
pub struct Index {
    pub passages: Vec<Passage>,
}

impl Index {
    pub fn build(doc: &Document, outline: &Outline) -> Index {
        let _ = (doc, outline);
        Index::default()
    }

    /// The best `k` passages for a query, best first.
    pub fn search(&self, doc: &Document, query: &str, k: usize) -> Vec<Hit> {
        let _ = (doc, query, k);
        Vec::new()
    }
}
