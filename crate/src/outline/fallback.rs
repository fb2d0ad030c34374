//! Sections for documents with no detectable structure: page ranges or fixed-size chunks,
//! titled by their first line.
//!
//! A [`Document`] in, level-1 headings out (the Outline marks them `source: fallback`):
//! - a document of several pages: ranges of whole pages, at most [`MAX_SECTIONS`] of them;
//! - a single-page text: chunks of about [`CHUNK_BYTES`] (more for long texts, so there are at
//!   most [`MAX_SECTIONS`]), each ending at a paragraph break where one is near, else a line break.
//!
//! Titles are the section's first non-blank line, shortened to [`MAX_TITLE_CHARS`].

use super::Heading;
use crate::doc::Document;

const MAX_SECTIONS: usize = 50;
const CHUNK_BYTES: usize = 20_000;
const MAX_TITLE_CHARS: usize = 60;

pub(super) fn sections(doc: &Document) -> Vec<Heading> {
    let starts = if doc.pages.len() > 1 { page_range_starts(doc) } else { chunk_starts(doc) };
    starts
        .into_iter()
        .filter_map(|start| {
            let title = first_line(&doc.text[start..doc.body.end])?;
            Some(Heading { title, level: 1, start, page: doc.page_at(start) })
        })
        .collect()
}

fn page_range_starts(doc: &Document) -> Vec<usize> {
    let per_section = doc.pages.len().div_ceil(MAX_SECTIONS);
    doc.pages
        .chunks(per_section)
        .filter_map(|range| range.first())
        .map(|page| page.span.start.clamp(doc.body.start, doc.body.end))
        .collect()
}

fn chunk_starts(doc: &Document) -> Vec<usize> {
    let body = &doc.text[doc.body.start..doc.body.end];
    let size = CHUNK_BYTES.max(body.len().div_ceil(MAX_SECTIONS));
    let mut starts = vec![doc.body.start];
    let mut at = 0;
    while at + size < body.len() {
        // Byte targets moved onto character boundaries (a fuzzer found `¶` across one).
        let target = char_boundary(body, at + size);
        // Prefer a paragraph break in the next quarter chunk, else the next line break.
        let window = &body[target..char_boundary(body, target + size / 4)];
        let cut = window
            .find("\n\n")
            .map(|i| target + i + 2)
            .or_else(|| body[target..].find('\n').map(|i| target + i + 1));
        match cut {
            Some(cut) if cut < body.len() => {
                starts.push(doc.body.start + cut);
                at = cut;
            }
            _ => break,
        }
    }
    starts
}

/// The first character boundary at or after `i` (the end at most).
fn char_boundary(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i.min(s.len())
}

/// The first non-blank line of `text`, shortened.
fn first_line(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    if line.chars().count() <= MAX_TITLE_CHARS {
        return Some(line.to_string());
    }
    let short: String = line.chars().take(MAX_TITLE_CHARS - 1).collect();
    Some(format!("{}…", short.trim_end()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outline::{Outline, OutlineSource};

    #[test]
    fn chunk_ends_never_split_a_character() {
        // Lines of two-byte characters after one ASCII byte: the 20,000-byte target falls inside one.
        let text = format!("a{}", "¶¶¶¶¶¶¶¶¶\n".repeat(8_000));
        let doc = Document::from_bytes("pilcrows.txt", text.as_bytes()).unwrap();
        let starts = chunk_starts(&doc);
        assert!(starts.len() > 1);
        assert!(starts.iter().all(|&s| doc.text.is_char_boundary(s)));
    }

    #[test]
    fn text_without_structure_gets_fixed_size_sections_titled_by_first_line() {
        let para = "Plain words with no headings at all, just a long note.\nSecond line here.\n\n";
        let text = format!("First words of the note\n\n{}", para.repeat(1000));
        let doc = Document::from_bytes("notes.txt", text.as_bytes()).unwrap();
        let outline = Outline::build(&doc, false);
        assert_eq!(outline.source, OutlineSource::Fallback);
        assert!(outline.nodes.len() > 2, "{}", outline.nodes.len());
        assert_eq!(outline.nodes[0].title, "First words of the note");
        assert_eq!(outline.nodes[1].title, "Plain words with no headings at all, just a long note.");
        // Sections tile the text and start at line starts.
        assert_eq!(outline.nodes[0].span.start, 0);
        for pair in outline.nodes.windows(2) {
            assert_eq!(pair[0].span.end, pair[1].span.start);
            assert_eq!(&doc.text[pair[1].span.start - 1..pair[1].span.start], "\n");
        }
        assert_eq!(outline.nodes.last().unwrap().span.end, doc.text.len());
    }

    #[test]
    fn paged_document_without_structure_gets_page_ranges() {
        // 120 form feed-separated pages (as pdftotext writes them): ranges of 3 pages, 40 sections.
        let text: String =
            (1..=120).map(|p| format!("Running text of page {p}.\nMore words.\n\u{0C}")).collect();
        let doc = Document::from_bytes("printed.txt", text.as_bytes()).unwrap();
        assert_eq!(doc.pages.len(), 120);
        let outline = Outline::build(&doc, false);
        assert_eq!(outline.source, OutlineSource::Fallback);
        let pages: Vec<u32> = outline.nodes.iter().map(|n| n.page).collect();
        assert_eq!(pages, (0..40).map(|i| i * 3 + 1).collect::<Vec<u32>>());
        assert_eq!(outline.nodes[1].title, "Running text of page 4.");
    }

    #[test]
    fn long_titles_are_shortened() {
        let long = "word ".repeat(40);
        assert_eq!(first_line(&format!("\n\n  {long}\nnext")).unwrap().chars().count(), MAX_TITLE_CHARS);
    }
}
