//! Plain text and Markdown: decoding, Project Gutenberg boilerplate, lines as blocks.
//!
//! Bytes in, a one-page [`Document`] out whose text is the decoded file, character for
//! character, so that offsets published for the file stay valid:
//! - a BOM is dropped (it is an encoding mark, not text);
//! - line endings are not rewritten: a lone `\r` (classic Mac) becomes `\n`, which has the same
//!   length, and `\r\n` is kept, with blocks ending before the `\r`;
//! - Gutenberg boilerplate stays in the text but outside [`Document::body`].
//!
//! Pages: one, or one per form feed-separated part (text printed from PDFs).
//! Blocks: one per non-blank line, trimmed (font size 0, no box), so heading detection and highlighting
//! work the same way as for PDFs.

use super::{Block, DocKind, Document, Page, encoding, gutenberg};
use crate::doc::error::{DocError, Result};
use crate::span::Span;

/// Largest text read, in bytes and in non-blank lines. Each line costs about 90 bytes of blocks,
/// outline and index, so 4 million lines stay near 0.4 GB (wasm32 has 4 GB in all); a long book
/// has some 100,000 lines.
const MAX_TEXT_BYTES: usize = 256 << 20;
const MAX_LINES: usize = 4_000_000;

pub(super) fn read(name: &str, bytes: &[u8], markdown: bool) -> Result<Document> {
    if bytes.len() > MAX_TEXT_BYTES {
        return Err(DocError::TooLarge {
            detail: format!(
                "{} MB of text, more than the {} MB it reads",
                bytes.len() >> 20,
                MAX_TEXT_BYTES >> 20
            ),
        });
    }
    // Counted on the bytes before decoding allocates anything (UTF-16 is counted after).
    let newlines = bytes.iter().filter(|&&b| b == b'\n' || b == b'\r').count();
    if newlines > 2 * MAX_LINES {
        return Err(too_many_lines(newlines));
    }
    let (decoded, _) = encoding::decode(bytes)?;
    let text = lone_cr_to_lf(decoded);
    let pages = pages(&text);
    let blocks = lines(&text)
        .filter(|&(s, e)| !text[s..e].trim().is_empty())
        .map(|(s, e)| {
            // The line's visible text: no indentation, trailing spaces or form feeds.
            let line = &text[s..e];
            let s = s + (line.len() - line.trim_start().len());
            let e = s + line.trim().len();
            let page = pages.partition_point(|p| p.span.start <= s).max(1) as u32;
            Block { span: Span::new(s, e), page, bbox: [0.0; 4], font_size: 0.0, bold: false }
        })
        .collect::<Vec<Block>>();
    if blocks.len() > MAX_LINES {
        return Err(too_many_lines(blocks.len()));
    }
    let kind = if markdown { DocKind::Markdown } else { DocKind::Text };
    let body = gutenberg::body(&text);
    let mut doc = Document::new(name, kind, text, pages, blocks, None);
    doc.body = body;
    Ok(doc)
}

fn too_many_lines(lines: usize) -> DocError {
    DocError::TooLarge { detail: format!("{lines} lines, more than the {MAX_LINES} it reads") }
}

/// Pages: a text is one page, unless form feeds split it (as in `pdftotext` output); each
/// page runs to and includes its form feed. A final form feed does not open an empty page.
fn pages(text: &str) -> Vec<Page> {
    let mut pages = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices('\u{0C}') {
        pages.push(Page { number: pages.len() as u32 + 1, span: Span::new(start, i + 1) });
        start = i + 1;
    }
    if start < text.len() || pages.is_empty() {
        pages.push(Page { number: pages.len() as u32 + 1, span: Span::new(start, text.len()) });
    }
    pages
}

/// Lines as byte ranges without their terminator (`\n` or `\r\n`).
pub(crate) fn lines(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |line| {
        let start = offset;
        offset += line.len();
        let content = line.strip_suffix('\n').unwrap_or(line);
        let content = content.strip_suffix('\r').unwrap_or(content);
        (start, start + content.len())
    })
}

/// Classic Mac line ends (`\r` alone) become `\n`; same byte length, so no offset moves.
fn lone_cr_to_lf(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if c == '\r' && bytes.get(i + 1) != Some(&b'\n') {
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::error::DocError;

    #[test]
    fn blocks_are_lines_and_crlf_keeps_offsets() {
        let text = "Title\r\n\r\nFirst line\r\nSecond\r\n";
        let doc = read("a.txt", text.as_bytes(), false).unwrap();
        assert_eq!(doc.text, text);
        let lines: Vec<&str> = doc.blocks.iter().map(|b| doc.slice(b.span)).collect();
        assert_eq!(lines, ["Title", "First line", "Second"]);
        assert_eq!(doc.kind, DocKind::Text);
        assert_eq!(doc.pages.len(), 1);
    }

    #[test]
    fn form_feeds_separate_pages() {
        let doc = read("a.txt", b"one\n\x0ctwo\nthree\n\x0c", false).unwrap();
        let pages: Vec<(u32, &str)> = doc.pages.iter().map(|p| (p.number, doc.slice(p.span))).collect();
        assert_eq!(pages, [(1, "one\n\x0c"), (2, "two\nthree\n\x0c")]);
        let block_pages: Vec<u32> = doc.blocks.iter().map(|b| b.page).collect();
        assert_eq!(block_pages, [1, 2, 2]);
        assert_eq!(doc.page_at(doc.text.find("three").unwrap()), 2);
    }

    #[test]
    fn classic_mac_line_ends() {
        let doc = read("a.txt", b"One\rTwo\r\rThree", false).unwrap();
        let lines: Vec<&str> = doc.blocks.iter().map(|b| doc.slice(b.span)).collect();
        assert_eq!(lines, ["One", "Two", "Three"]);
        assert_eq!(doc.text, "One\nTwo\n\nThree");
    }

    #[test]
    fn gutenberg_boilerplate_stays_in_text_outside_body() {
        let text = "Header\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\nChapter 1\n\nBody.\n\
                    *** END OF THE PROJECT GUTENBERG EBOOK X ***\nLicence\n";
        let doc = read("x.txt", text.as_bytes(), false).unwrap();
        assert_eq!(doc.text, text);
        assert_eq!(doc.slice(doc.body), "Chapter 1\n\nBody.\n");
    }

    #[test]
    fn binary_named_txt_is_unsupported() {
        let bytes: Vec<u8> = (0..=255u8).cycle().take(2000).collect();
        let err = read("program.txt", &bytes, false).unwrap_err();
        assert!(matches!(err, DocError::Unsupported { .. }));
        assert!(err.to_string().contains("binary"), "{err}");
    }
}
