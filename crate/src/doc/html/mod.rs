//! HTML: one page, or a whole built documentation site (mdBook, Sphinx, MkDocs, Docusaurus, …),
//! in; a [`Document`] whose `markup` holds the headings with their anchors out.
//!
//! [`page`] reads one page's main content; [`site`] orders a folder of pages by the site's table
//! of contents and joins them (see there), with `order` for what one table of contents does not
//! say (other pages' navigations, the `rel="up"` tree) and `title` for the site's name in titles. The tokenizer is html5gum 0.9: no dependencies, builds
//! for wasm32, WHATWG-conformant; it adds 295 KB raw, 88 KB gzipped to the app's wasm (measured
//! with and without the `html` feature). The widget over a pack has no HTML parser.

mod order;
pub mod page;
pub mod site;
mod title;

use std::path::PathBuf;

pub use page::{HtmlPage, PageHeading};
pub use site::{Limits, Site, SitePage, read_site, read_site_with};

use super::error::Result;
use super::{DocKind, Document, MarkupHeading, Page};
use crate::span::Span;

/// What can be wrong with a site folder.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("{} is not a folder; give the folder of a built site (mdBook's book/, Sphinx's _build/html)", .0.display())]
    NotAFolder(PathBuf),
    #[error("no HTML pages in {}; give the folder of a built site (mdBook's book/, Sphinx's _build/html), not its sources", .0.display())]
    NoPages(PathBuf),
    #[error("the HTML pages in {} hold no text (all empty, redirects or noindex); is this the built site?", .0.display())]
    NoText(PathBuf),
    #[error("{} holds {found} HTML pages, more than the {limit} tome packs; pack a sub-folder", dir.display())]
    TooManyPages { dir: PathBuf, found: usize, limit: usize },
    #[error("cannot read {}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

/// Decodes a page's bytes: UTF-8 (the norm), else what its BOM or bytes say (UTF-16, or
/// Windows-1252 for legacy pages); binary data is refused.
pub(crate) fn decode(bytes: &[u8]) -> Result<String> {
    Ok(super::encoding::decode(bytes)?.0)
}

/// One HTML file as a Document (opened in the app or the CLI like any text).
pub(crate) fn read_page_document(name: &str, bytes: &[u8]) -> Result<Document> {
    let page = page::read(&decode(bytes)?);
    let span = Span::new(0, page.text.len());
    let mut doc =
        Document::new(name, DocKind::Html, page.text, vec![Page { number: 1, span }], Vec::new(), None);
    doc.markup = page
        .headings
        .into_iter()
        .map(|h| MarkupHeading { title: h.title, level: h.level, start: h.start, page: 1, anchor: h.anchor })
        .collect();
    Ok(doc)
}
