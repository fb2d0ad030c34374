//! PDF reading: bytes in, a [`Document`] out, with one block per visual line, pages as spans of
//! the text, and the PDF's own bookmarks.
//!
//! Text comes from `pdf_oxide`'s spans (position, font, size, weight per run); lines, columns
//! and paragraphs are assembled here ([`lines`]). Each page is read in isolation: a page that
//! errors or panics is skipped and noted in `Document::warnings`, the rest of the file is kept.
//! Hostile files meet [`budget`]s (decompressed bytes, content per page and per document, time,
//! nesting) before the parser does: a page past one is skipped with a warning naming it.

mod bookmarks;
mod budget;
mod columns;
mod filters;
pub(crate) mod lines;

use pdf_oxide::PdfDocument;
use pdf_oxide::layout::TextSpan;

use super::{Block, Bookmark, DocKind, Document, Page};
use crate::doc::error::{DocError, Result};
use crate::span::Span;
use lines::{Line, Run};

/// Below this many visible characters per page on average, the PDF is taken as scanned images.
const MIN_CHARS_PER_PAGE: usize = 25;

pub(super) fn looks_like_pdf(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(1024)].windows(5).any(|w| w == b"%PDF-")
}

/// Objects nested deeper than this are refused before parsing: the parser recurses per level,
/// and a stack overflow cannot be caught. Real files stay in the tens.
const MAX_NESTING: usize = 512;
/// The reader's thread gets a large stack (reserved, touched only as used) as a second line of
/// defence against deep recursion inside compressed object streams the pre-scan cannot see.
#[cfg(not(target_family = "wasm"))]
const READER_STACK: usize = 256 << 20;

pub(super) fn read(name: &str, bytes: &[u8]) -> Result<Document> {
    let scan = prescan(bytes)?;
    on_big_stack(|| read_checked(name, bytes, &scan))
}

/// The checks that run before the parser sees the file: complete, not nested too deeply (in
/// object streams too), within the decompression budget.
fn prescan(bytes: &[u8]) -> Result<budget::Scan> {
    check_complete(bytes)?;
    check_nesting(bytes)?;
    budget::scan(bytes, MAX_NESTING)
}

#[cfg(not(target_family = "wasm"))]
fn on_big_stack<T: Send>(f: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new().stack_size(READER_STACK).spawn_scoped(scope, f);
        match worker {
            Ok(handle) => handle.join().unwrap_or_else(|_| {
                Err(DocError::BadPdf { detail: "internal reader error while parsing its objects".into() })
            }),
            // No thread available: read on this one.
            Err(_) => Err(DocError::BadPdf { detail: "could not start the reader thread".into() }),
        }
    })
}

#[cfg(target_family = "wasm")]
fn on_big_stack<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    f()
}

fn read_checked(name: &str, bytes: &[u8], scan: &budget::Scan) -> Result<Document> {
    let mut pdf = PdfDocument::from_bytes(bytes.to_vec()).map_err(open_error)?;
    if pdf.is_encrypted() && !pdf.is_authenticated() {
        return Err(DocError::Encrypted);
    }
    let count = pdf.page_count().map_err(open_error)?;
    if count == 0 {
        return Err(if is_xfa_form(&pdf) { DocError::XfaForm } else { DocError::NoPages });
    }
    let mut text = String::new();
    let mut pages = Vec::with_capacity(count);
    let mut blocks = Vec::new();
    let mut warnings = Vec::new();
    let (mut skipped, mut over_budget) = (0, 0);
    let (mut content, mut since_reset) = (0usize, 0usize);
    let clock = budget::Clock::start();
    for index in 0..count {
        let number = index as u32 + 1;
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        let start = text.len();
        let read = budget::stop_reason(content, &clock);
        if let Some(why) = read {
            // The rest of the document stays unread; the pages before it are kept.
            warnings.push(format!("pages {number}–{count} not read: {why}"));
            skipped += count - index;
            over_budget += count - index;
            for n in number..=count as u32 {
                pages.push(Page { number: n, span: Span::new(text.len(), text.len()) });
            }
            break;
        }
        if since_reset > budget::RESET_AFTER {
            // Drop the caches of the pages read so far (opening again cannot fail: it did before).
            if let Ok(fresh) = PdfDocument::from_bytes(bytes.to_vec()) {
                pdf = fresh;
            }
            since_reset = 0;
        }
        let lines = match scan.page_cost(&pdf, index) {
            Ok(cost) => {
                content = content.saturating_add(cost);
                since_reset = since_reset.saturating_add(cost);
                page_lines(&pdf, index)
            }
            Err(why) => {
                over_budget += 1;
                Err(why)
            }
        };
        match lines {
            Ok((lines, height)) => push_page(&mut text, &mut blocks, lines, number, height),
            Err(why) => {
                warnings.push(format!("page {number} skipped: {why}"));
                skipped += 1;
            }
        }
        pages.push(Page { number, span: Span::new(start, text.len()) });
    }
    if skipped == count {
        let first = warnings.first().map_or(String::new(), |w| format!(": {w}"));
        let detail = format!("none of its {count} pages could be read{first}");
        return Err(if over_budget > 0 {
            DocError::TooLarge { detail }
        } else {
            DocError::BadPdf { detail }
        });
    }
    // Scans often carry a few stray characters (an OCR'd chart label, a page number); a real
    // text layer has far more than this on an average page. Without images, little text is
    // still the document's text; without either, the pages are blank (or an XFA form's).
    let visible = text.chars().filter(|c| !c.is_whitespace()).count();
    if visible < MIN_CHARS_PER_PAGE * count {
        if scan.has_images() {
            return Err(DocError::NoTextLayer { pages: count });
        }
        if visible == 0 {
            return Err(if is_xfa_form(&pdf) {
                DocError::XfaForm
            } else {
                DocError::BlankPages { pages: count }
            });
        }
    }
    let outline = bookmarks::read(&pdf);
    let mut doc = Document::new(name, DocKind::Pdf, text, pages, blocks, outline);
    doc.warnings = warnings;
    Ok(doc)
}

/// Only the bookmarks of a PDF, without reading its pages (for example of a scan with no
/// text layer, whose outline is still worth checking).
pub fn read_bookmarks(bytes: &[u8]) -> Result<Option<Vec<Bookmark>>> {
    super::guarded(|| {
        prescan(bytes)?;
        on_big_stack(|| {
            let pdf = PdfDocument::from_bytes(bytes.to_vec()).map_err(open_error)?;
            if pdf.is_encrypted() && !pdf.is_authenticated() {
                return Err(DocError::Encrypted);
            }
            Ok(bookmarks::read(&pdf))
        })
    })
}

/// A PDF ends with `%%EOF` (possibly followed by a little whitespace or junk); a file cut short
/// does not. pdf_oxide would rebuild such a file's cross-reference table and return a part of
/// it silently, so we refuse it with a clear message instead.
fn check_complete(bytes: &[u8]) -> Result<()> {
    let tail = &bytes[bytes.len().saturating_sub(2048)..];
    if tail.windows(5).any(|w| w == b"%%EOF") {
        Ok(())
    } else {
        Err(DocError::BadPdf { detail: "it is truncated: the end-of-file marker %%EOF is missing".into() })
    }
}

/// Refuses files whose arrays or dictionaries nest deeper than [`MAX_NESTING`], scanning the
/// raw bytes while skipping comments, strings and stream data.
fn check_nesting(bytes: &[u8]) -> Result<()> {
    let deep = max_nesting(bytes, MAX_NESTING);
    if deep > MAX_NESTING {
        return Err(DocError::BadPdf {
            detail: format!("its objects are nested more than {MAX_NESTING} levels deep"),
        });
    }
    Ok(())
}

/// Deepest nesting of `[`/`<<` in the file's object syntax, stopping once past `limit`.
fn max_nesting(bytes: &[u8], limit: usize) -> usize {
    let (mut i, mut depth, mut max) = (0usize, 0usize, 0usize);
    let word_start = |i: usize| i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
    while i < bytes.len() && max <= limit {
        match bytes[i] {
            b'%' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'(' => {
                let mut parens = 0usize;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' => i += 1,
                        b'(' => parens += 1,
                        b')' => {
                            parens -= 1;
                            if parens == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                depth += 1;
                i += 1;
            }
            b'<' => {
                while i < bytes.len() && bytes[i] != b'>' {
                    i += 1;
                }
            }
            b'>' if bytes.get(i + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b's' if word_start(i) && bytes[i..].starts_with(b"stream") => {
                // Stream data is binary; jump to its end.
                i = find(bytes, i + 6, b"endstream").map_or(bytes.len(), |e| e + 9);
                continue;
            }
            b'e' if word_start(i) && bytes[i..].starts_with(b"endobj") => depth = 0,
            _ => {}
        }
        max = max.max(depth);
        i += 1;
    }
    max
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| from + p)
}

/// A dynamic XFA form: its content is XML in the AcroForm's `/XFA` entry, not page content.
fn is_xfa_form(pdf: &PdfDocument) -> bool {
    let Ok(catalog) = pdf.catalog() else { return false };
    let form = catalog.as_dict().and_then(|c| c.get("AcroForm")).and_then(|f| pdf.resolve_object(f).ok());
    form.is_some_and(|f| f.as_dict().is_some_and(|d| d.contains_key("XFA")))
}

fn open_error(e: pdf_oxide::Error) -> DocError {
    match e {
        pdf_oxide::Error::EncryptedPdf => DocError::Encrypted,
        other => DocError::BadPdf { detail: other.to_string() },
    }
}

/// One page's lines in reading order and the page height; a panic inside the extractor is
/// caught here so one bad page cannot take the document down.
fn page_lines(pdf: &PdfDocument, index: usize) -> std::result::Result<(Vec<Line>, f32), String> {
    let extract = || -> std::result::Result<(Vec<Line>, f32), String> {
        // A page without a usable MediaBox is still read, as US Letter (the spec's old default).
        let (x0, y0, x1, y1) = pdf.get_page_media_box(index).unwrap_or((0.0, 0.0, 612.0, 792.0));
        let spans = pdf.extract_spans(index).map_err(|e| e.to_string())?;
        let runs = to_runs(spans);
        Ok((lines::lines(runs, (x1 - x0).abs()), y1.max(y0)))
    };
    #[cfg(not(target_family = "wasm"))]
    {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(extract))
            .unwrap_or_else(|_| Err("the PDF reader failed on this page".into()))
    }
    #[cfg(target_family = "wasm")]
    {
        extract()
    }
}

fn to_runs(spans: Vec<TextSpan>) -> Vec<Run> {
    let mut runs = Vec::with_capacity(spans.len());
    let mut space_before = false;
    for s in spans {
        if s.text.trim().is_empty() {
            space_before = !s.text.is_empty();
            continue;
        }
        let bold = s.font_weight.is_bold() || bold_name(&s.font_name);
        runs.push(Run {
            text: s.text,
            x0: s.bbox.x,
            x1: s.bbox.x + s.bbox.width,
            y: s.bbox.y,
            size: s.font_size,
            bold,
            mono: s.is_monospace || mono_name(&s.font_name),
            space_before,
        });
        space_before = false;
    }
    runs
}

/// Bold faces whose descriptor does not say so: named Bold/Black/Heavy/Semibold/Demi/Medium
/// (Nimbus "Medi"), or TeX's bold extended Computer Modern (CMBX, CMB).
fn bold_name(font: &str) -> bool {
    let base = font.split_once('+').map_or(font, |(_, b)| b).to_ascii_lowercase();
    ["bold", "black", "heavy", "semibold", "demi", "-medi", "cmbx", "cmb10", "-bd"]
        .iter()
        .any(|k| base.contains(k))
}

/// Code faces whose descriptor does not say fixed pitch.
fn mono_name(font: &str) -> bool {
    let base = font.split_once('+').map_or(font, |(_, b)| b).to_ascii_lowercase();
    ["mono", "cursor", "courier", "consol", "cmtt", "code", "menlo", "typewriter"]
        .iter()
        .any(|k| base.contains(k))
}

/// Appends one page's lines: "\n" between lines, a blank line between paragraphs.
fn push_page(text: &mut String, blocks: &mut Vec<Block>, lines: Vec<Line>, page: u32, height: f32) {
    let mut first = true;
    for line in lines {
        if line.text.is_empty() {
            continue;
        }
        if !first {
            text.push_str(if line.para_break { "\n\n" } else { "\n" });
        }
        first = false;
        let start = text.len();
        text.push_str(&line.text);
        blocks.push(Block {
            span: Span::new(start, text.len()),
            page,
            bbox: [line.x0, height - line.y - line.height, line.x1, height - line.y],
            font_size: line.size,
            bold: line.bold,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bold_faces_are_recognised_by_name() {
        assert!(bold_name("WMCETY+CMBX12"));
        assert!(bold_name("VSCAMH+NimbusRomNo9L-Medi"));
        assert!(bold_name("EQVMNG+LiberationSans-Bold"));
        assert!(!bold_name("PGXFVZ+CMR10"));
        assert!(!bold_name("FHMHJY+NimbusRomNo9L-Regu"));
    }

    #[test]
    fn truncated_files_are_refused() {
        assert!(check_complete(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n").is_ok());
        assert!(matches!(check_complete(b"%PDF-1.4\n1 0 obj\n<<>>\nend"), Err(DocError::BadPdf { .. })));
    }

    #[test]
    fn nesting_is_measured_outside_strings_and_streams() {
        assert_eq!(max_nesting(b"1 0 obj << /A [[1] (([[[) ] >> endobj", 100), 3);
        assert_eq!(max_nesting(b"<< /Length 3 >> stream\n[[[[[[\nendstream [", 100), 1);
        assert_eq!(max_nesting(b"% [[[[\n<ab[>", 100), 0);
        assert!(max_nesting(&b"[".repeat(10_000), 512) > 512);
    }
}
