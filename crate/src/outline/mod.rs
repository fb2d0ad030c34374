//! Structurization: a [`Document`] in, an [`Outline`] (tree of sections with source spans) out.
//!
//! Bookmarks win when the PDF has them; then a printed table of contents; otherwise headings are
//! detected from layout and text signals; a document with no detectable structure still gets
//! page-range or fixed-size sections.

use serde::Serialize;

mod bookmarks;
mod fallback;
mod layout;
pub mod scope;
pub(crate) mod text;
mod toc;

use crate::doc::{DocKind, Document};
use crate::span::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutlineSource {
    Bookmarks,
    /// The PDF's printed table of contents, each entry resolved to its heading in the body.
    Toc,
    Detected,
    Fallback,
    /// Headings the source marks up (HTML `h1`–`h6`; a site's pages in its table of contents).
    Markup,
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
    /// The outline of a document: its bookmarks unless `ignore_bookmarks`, else its printed table
    /// of contents, else detected headings, else the fallback sections.
    pub fn build(doc: &Document, ignore_bookmarks: bool) -> Outline {
        if let Some(marks) = doc.pdf_outline.as_deref().filter(|m| !m.is_empty() && !ignore_bookmarks) {
            return Outline { source: OutlineSource::Bookmarks, nodes: bookmarks::outline(doc, marks) };
        }
        if let Some(outline) = Outline::from_toc(doc) {
            return outline;
        }
        Outline::from_headings(doc)
    }

    /// The outline from the PDF's printed table of contents alone, if it has one.
    pub fn from_toc(doc: &Document) -> Option<Outline> {
        if doc.kind != DocKind::Pdf {
            return None;
        }
        let marks = toc::bookmarks(doc)?;
        Some(Outline { source: OutlineSource::Toc, nodes: bookmarks::outline(doc, &marks) })
    }

    /// The outline from markup or detected headings (the fallback sections when there are
    /// none), whatever bookmarks or contents pages the document has.
    pub fn from_headings(doc: &Document) -> Outline {
        if doc.kind == DocKind::Html && !doc.markup.is_empty() {
            let marked = doc.markup.iter().map(|h| Heading {
                title: h.title.clone(),
                level: h.level,
                start: h.start,
                page: h.page,
            });
            return Outline { source: OutlineSource::Markup, nodes: tree(doc, marked.collect()) };
        }
        let headings = match doc.kind {
            DocKind::Pdf => layout::detect(doc),
            DocKind::Text | DocKind::Markdown | DocKind::Html => text::detect(doc),
        };
        if headings.is_empty() {
            Outline { source: OutlineSource::Fallback, nodes: tree(doc, fallback::sections(doc)) }
        } else {
            Outline { source: OutlineSource::Detected, nodes: tree(doc, headings) }
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

/// The PDF heading scorer, for fitting its weights and checking them across documents
/// (`tome eval headings`).
pub mod detector {
    pub use super::layout::scorer::{FEATURE_NAMES, FEATURES, IN_USE, Weights, fit};
    use super::{Outline, OutlineSource, layout, tree};
    use crate::doc::Document;

    /// The signals of every line of `doc` that may be a heading, labelled by `is_heading(line, page)`.
    pub fn samples(doc: &Document, is_heading: impl Fn(&str, u32) -> bool) -> Vec<([f32; FEATURES], bool)> {
        layout::samples(doc, is_heading)
    }

    /// The detected outline of a PDF with the scorer's weights `w`.
    pub fn outline_with(doc: &Document, w: &Weights) -> Outline {
        Outline { source: OutlineSource::Detected, nodes: tree(doc, layout::detect_with(doc, w)) }
    }
}

/// A heading found in the text, before the tree is built.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Heading {
    pub title: String,
    /// 1 = top level; levels may skip (a level-3 under a level-1 is kept as a child).
    pub level: u32,
    /// Byte offset in `Document::text` where the heading (and so its section) starts.
    pub start: usize,
    pub page: u32,
}

/// Builds the tree from headings in document order: each node's span runs from its heading to
/// the next heading at the same or a higher level (or the end of the text).
pub(crate) fn tree(doc: &Document, headings: Vec<Heading>) -> Vec<OutlineNode> {
    // Sections end where the work does: a Gutenberg licence footer belongs to none.
    let end_of_text = doc.body.end;
    // Section ends: the start of the next heading whose level is <= this one.
    let mut ends = vec![end_of_text; headings.len()];
    let mut open: Vec<usize> = Vec::new();
    for (i, h) in headings.iter().enumerate() {
        while let Some(&j) = open.last() {
            if headings[j].level >= h.level {
                ends[j] = h.start.max(headings[j].start);
                open.pop();
            } else {
                break;
            }
        }
        open.push(i);
    }
    let mut roots: Vec<OutlineNode> = Vec::new();
    // Stack of (level, path of child indices from roots).
    let mut stack: Vec<(u32, Vec<usize>)> = Vec::new();
    for (h, end) in headings.into_iter().zip(ends) {
        while stack.last().is_some_and(|(level, _)| *level >= h.level) {
            stack.pop();
        }
        let node = OutlineNode {
            title: h.title,
            level: h.level,
            span: Span::new(h.start, end.max(h.start)),
            page: h.page,
            children: Vec::new(),
        };
        let path = match stack.last() {
            None => {
                roots.push(node);
                vec![roots.len() - 1]
            }
            Some((_, parent)) => {
                let mut siblings = &mut roots;
                for &i in parent {
                    siblings = &mut siblings[i].children;
                }
                siblings.push(node);
                let mut path = parent.clone();
                path.push(siblings.len() - 1);
                path
            }
        };
        stack.push((h.level, path));
    }
    roots
}
