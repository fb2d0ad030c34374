//! Ingestion: file bytes in, one [`Document`] out.
//!
//! A Document holds the text we show (`text`), its pages (spans of `text`), and its blocks:
//! one per visual line for PDFs, one per line for text, each with a span, page, position and
//! font information, which is what heading detection and highlighting need.
//! PDFs may also carry their own bookmark outline (`pdf_outline`).

mod encoding;
pub mod error;
mod gutenberg;
#[cfg(feature = "html")]
pub mod html;
#[cfg(feature = "pdf")]
mod pdf;
mod text;

/// A text's words joined by single spaces: a title or a quote as a reader sees it, whatever the
/// line breaks and indentation of its source.
pub fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

// Without the PDF reader only text documents are read; their script test is the tokenizer's.
#[cfg(not(feature = "pdf"))]
pub(crate) use crate::index::tokenize::is_cjk;
#[cfg(feature = "pdf")]
pub(crate) use pdf::lines::is_cjk;
#[cfg(feature = "pdf")]
pub use pdf::read_bookmarks;
pub(crate) use text::lines;

use serde::Serialize;

use crate::span::{CharIndex, Span};
pub use error::DocError;
use error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DocKind {
    Pdf,
    Text,
    Markdown,
    /// HTML pages: one page, or a whole documentation site (one Page per HTML page).
    Html,
}

#[derive(Debug, Clone, Serialize)]
pub struct Page {
    /// 1-based page number as a reader counts in the viewer.
    pub number: u32,
    pub span: Span,
}

/// One line of the document as laid out.
#[derive(Debug, Clone, Serialize)]
pub struct Block {
    pub span: Span,
    /// 1-based page number.
    pub page: u32,
    /// [x0, y0, x1, y1] in PDF points from the page's top-left; zeros for text documents.
    pub bbox: [f32; 4],
    /// Dominant font size in points; 0 for text documents.
    pub font_size: f32,
    pub bold: bool,
}

/// A heading the source marks as one (HTML `h1`–`h6`), with the anchor a link can jump to.
#[derive(Debug, Clone, Serialize)]
pub struct MarkupHeading {
    pub title: String,
    /// 1 = top level (a site's pages sit at their table-of-contents depth, their sections below).
    pub level: u32,
    /// Byte offset in `Document::text` where the heading starts.
    pub start: usize,
    /// 1-based page (for a site: the HTML page).
    pub page: u32,
    /// The fragment that scrolls to it (`id` of the heading or of the section it opens).
    pub anchor: Option<String>,
}

/// One entry of a PDF's own bookmark outline, in pre-order.
#[derive(Debug, Clone, Serialize)]
pub struct Bookmark {
    pub title: String,
    /// 1 = top level.
    pub level: u32,
    /// 1-based target page, if the bookmark resolves to one.
    pub page: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct Document {
    pub name: String,
    pub kind: DocKind,
    pub text: String,
    /// Pages in order; a text document is one page.
    pub pages: Vec<Page>,
    /// Lines in reading order.
    pub blocks: Vec<Block>,
    pub pdf_outline: Option<Vec<Bookmark>>,
    /// The work itself: all of `text` except boilerplate kept only so offsets match the file
    /// (a Project Gutenberg header and footer). Outlines and passages stay inside it.
    pub body: Span,
    /// What the reader skipped or doubted (e.g. a PDF page it could not read), for the person.
    pub warnings: Vec<String>,
    /// Headings marked up in the source (HTML `h1`–`h6`), in text order; empty for other kinds.
    pub markup: Vec<MarkupHeading>,
    chars: CharIndex,
}

impl Document {
    /// Reads a document from its bytes, choosing the reader by content (and the name's extension
    /// for text vs Markdown). Never panics on bad input; a reader that panics is reported as a
    /// damaged file.
    pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<Document> {
        if bytes.is_empty() {
            return Err(DocError::Empty);
        }
        let lower = name.to_ascii_lowercase();
        #[cfg(feature = "pdf")]
        if pdf::looks_like_pdf(bytes) {
            return guarded(|| pdf::read(name, bytes));
        }
        if lower.ends_with(".pdf") || bytes.starts_with(b"%PDF-") {
            #[cfg(not(feature = "pdf"))]
            return Err(DocError::Unsupported { detail: "this build of tome has no PDF reader".into() });
            #[cfg(feature = "pdf")]
            return Err(DocError::BadPdf { detail: "the file does not start with a PDF header".into() });
        }
        #[cfg(feature = "html")]
        if lower.ends_with(".html") || lower.ends_with(".htm") || lower.ends_with(".xhtml") {
            return guarded(|| html::read_page_document(name, bytes));
        }
        let markdown = lower.ends_with(".md") || lower.ends_with(".markdown");
        guarded(|| text::read(name, bytes, markdown))
    }

    pub(crate) fn new(
        name: &str,
        kind: DocKind,
        text: String,
        pages: Vec<Page>,
        blocks: Vec<Block>,
        pdf_outline: Option<Vec<Bookmark>>,
    ) -> Document {
        let chars = CharIndex::new(&text);
        let body = Span::new(0, text.len());
        Document {
            name: name.to_string(),
            kind,
            text,
            pages,
            blocks,
            pdf_outline,
            body,
            warnings: Vec::new(),
            markup: Vec::new(),
            chars,
        }
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// Page number (1-based) holding a byte offset.
    pub fn page_at(&self, byte: usize) -> u32 {
        let i = self.pages.partition_point(|p| p.span.start <= byte).saturating_sub(1);
        self.pages.get(i).map_or(1, |p| p.number)
    }

    /// Code point offset of a byte offset, for anything shown outside the library.
    pub fn char_offset(&self, byte: usize) -> usize {
        self.chars.to_char(&self.text, byte)
    }

    /// Byte offset of a code point offset.
    pub fn byte_offset(&self, ch: usize) -> usize {
        self.chars.to_byte(&self.text, ch)
    }
}

/// Runs a reader so that a panic in it (or in a library it calls) becomes an error.
#[cfg(not(target_family = "wasm"))]
fn guarded<T>(read: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)) {
        Ok(result) => result,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "the reader failed".into());
            Err(DocError::ReaderFailed { detail: what })
        }
    }
}

/// On wasm a panic aborts the instance; the web worker that hosts it restarts instead.
#[cfg(target_family = "wasm")]
fn guarded<T>(read: impl FnOnce() -> Result<T>) -> Result<T> {
    read()
}

#[cfg(not(target_family = "wasm"))]
impl Document {
    /// Reads a document from a file.
    pub fn open(path: &std::path::Path) -> Result<Document> {
        let bytes = std::fs::read(path)
            .map_err(|e| DocError::Io { context: format!("cannot read {}", path.display()), source: e })?;
        let name =
            path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        Document::from_bytes(&name, &bytes)
    }
}
