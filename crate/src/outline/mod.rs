//! Structurization: a [`Document`] in, an [`Outline`] (tree of sections with source spans) out.
//!
//! Bookmarks win when the PDF has them; otherwise headings are detected from layout and text
//! signals; a document with no detectable structure still gets page-range or fixed-size sections.

use serde::Serialize;

use crate::doc::Document;
use crate::span::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutlineSource {
    Bookmarks,
    Detected,
    Fallback,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutlineNode {
    pub title: String,
    /// 1 = top level.
    pub level: u32,
    /// From the heading to the start of the next heading at the same or a higher level.
    pub span: Span,
    /// 1-based page of the heading.
    pub page: u32,
    pub children: Vec<OutlineNode>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outline {
    pub source: OutlineSource,
    pub nodes: Vec<OutlineNode>,
}

impl Outline {
    /// The outline of a document: its bookmarks unless `ignore_bookmarks`, else detected headings,
    /// else the fallback sections.
    pub fn build(doc: &Document, ignore_bookmarks: bool) -> Outline {
        let _ = (doc, ignore_bookmarks);
        Outline {
            source: OutlineSource::Fallback,
            nodes: Vec::new(),
        }
    }

    /// All nodes in pre-order, each with its path of ancestor titles (itself included).
    pub fn flatten(&self) -> Vec<(&OutlineNode, Vec<&str>)> {
        fn walk<'a>(
            nodes: &'a [OutlineNode],
            path: &mut Vec<&'a str>,
            out: &mut Vec<(&'a OutlineNode, Vec<&'a str>)>,
        ) {
            for n in nodes {
                path.push(&n.title);
                out.push((n, path.clone()));
                walk(&n.children, path, out);
                path.pop();
            }
        }
        let mut out = Vec::new();
        walk(&self.nodes, &mut Vec::new(), &mut out);
        out
    }
}
