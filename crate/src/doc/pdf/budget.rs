//! Budgets that keep a hostile PDF from taking unbounded memory, time or stack.
//!
//! pdf_oxide inflates a page's content streams whole (up to 256 MB each, again for every page
//! that draws a shared stream) and parses object streams recursively, and it cannot be told
//! otherwise from outside. So before it sees the file, [`scan`] inflates every compressed
//! stream here once, counting bytes into a small scratch buffer without keeping them (object
//! streams are kept, bounded, to measure their nesting): a stream past [`STREAM_BYTES`] marks
//! the pages that draw it, the file's text streams past [`FILE_BYTES`] refuse it, an object
//! stream nested past the parser's safe depth refuses it. Then, page by page, [`Scan::page_cost`]
//! says how much content a page would make the reader decode, checked against [`PAGE_CONTENT`]
//! per page and [`DOC_CONTENT`] per document before the page is read.
//!
//! The limits are byte counts, so they hold the same in wasm (where memory is 4 GB and the stack
//! small); the wall-clock limit ([`DOC_SECONDS`]) exists natively only, wasm32 has no clock.

use std::collections::HashMap;

use flate2::{Decompress, FlushDecompress, Status};
use pdf_oxide::PdfDocument;
use pdf_oxide::object::Object;

use crate::doc::error::DocError;

/// Most bytes one compressed stream may inflate to. Real content streams are well under this
/// (a dense vector map page is a few MB).
pub(crate) const STREAM_BYTES: usize = 64 << 20;
/// Most bytes all non-image streams of a file may inflate to together, each counted once.
pub(crate) const FILE_BYTES: usize = 1 << 30;
/// Most content (the page's streams and the forms its resources name) read for one page. The
/// reader holds about 150 bytes per byte of text-showing content while it reads a page (0.6 GB
/// for 4 MB), so this bounds a page's memory; real pages of text are well under 1 MB.
pub(crate) const PAGE_CONTENT: usize = 4 << 20;
/// Most content read for a whole document; a stream drawn on many pages counts on each.
pub(crate) const DOC_CONTENT: usize = 256 << 20;
/// The reader keeps caches of pages it read (up to about 100 bytes per byte of text-showing
/// content); after this much content it is opened afresh, which drops them (and its font cache:
/// not too often, reopening costs a real document's fonts).
pub(crate) const RESET_AFTER: usize = 16 << 20;
/// Natively, pages are no longer started after this many seconds of reading.
pub(crate) const DOC_SECONDS: u64 = 30;

const MB: usize = 1 << 20;

/// Content streams up to this size are read even with an unterminated string (the parser's
/// retries stay well under a second); larger ones are skipped. See [`StreamInfo::runaway`].
const RUNAWAY_STRING_BYTES: usize = 64 << 10;

/// What the pre-scan learnt about one stream object.
#[derive(Debug, Clone, Copy)]
struct StreamInfo {
    /// Inflated size (the raw size for streams stored uncompressed), capped just past the budget.
    size: usize,
    over: bool,
    form: bool,
    /// Arrays or dictionaries nested past the parser's safe depth, were it read as content.
    deep: bool,
    /// Large content whose last literal string never closes (a damaged stream): pdf_oxide's
    /// content parser retries such a string from each later `(`, time quadratic in the stream
    /// (a fuzzed 5 KB file with 690 KB of such content took 50 s).
    runaway: bool,
}

/// The file's streams by object number.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    streams: HashMap<u32, StreamInfo>,
    images: usize,
}

/// Inflates every compressed stream of the file once (images excepted), checks the file's
/// budget and the nesting inside object streams. `max_nesting` is the depth the object parser
/// survives; the error says what is wrong.
pub(crate) fn scan(bytes: &[u8], max_nesting: usize) -> Result<Scan, DocError> {
    let mut scan = Scan::default();
    let mut total = 0usize;
    for s in raw_streams(bytes) {
        let image = contains(s.dict, b"/Image");
        scan.images += usize::from(image);
        let flate = first_filter_is_flate(s.dict);
        let object_stream = contains(s.dict, b"/ObjStm");
        let mut nesting = Nesting::default();
        let (size, kept) = if image {
            (s.data.len(), None)
        } else if flate {
            inflate(s.data, STREAM_BYTES, object_stream, &mut nesting)
        } else {
            nesting.feed(s.data);
            (s.data.len(), None)
        };
        let over = size > STREAM_BYTES;
        if object_stream {
            if over {
                return Err(DocError::TooLarge {
                    detail: format!(
                        "a compressed object stream inflates to more than {} MB",
                        STREAM_BYTES / MB
                    ),
                });
            }
            if let Some(objects) = kept
                && super::max_nesting(&objects, max_nesting) > max_nesting
            {
                return Err(DocError::BadPdf {
                    detail: format!(
                        "its objects are nested more than {max_nesting} levels deep (inside a compressed object stream)"
                    ),
                });
            }
        }
        if !image {
            total = total.saturating_add(size);
            if total > FILE_BYTES {
                return Err(DocError::TooLarge {
                    detail: format!(
                        "its compressed streams inflate to more than {} MB (a limit against decompression bombs)",
                        FILE_BYTES / MB
                    ),
                });
            }
        }
        if let Some(id) = s.object {
            let deep = nesting.max > max_nesting;
            let runaway = nesting.parens > 0 && size > RUNAWAY_STRING_BYTES;
            scan.streams
                .insert(id, StreamInfo { size, over, form: contains(s.dict, b"/Form"), deep, runaway });
        }
    }
    Ok(scan)
}

/// The reading clock: wall time natively; none in wasm (wasm32 has no clock there, the byte
/// budgets hold alone).
pub(crate) struct Clock {
    #[cfg(not(target_family = "wasm"))]
    started: std::time::Instant,
}

impl Clock {
    pub(crate) fn start() -> Clock {
        Clock {
            #[cfg(not(target_family = "wasm"))]
            started: std::time::Instant::now(),
        }
    }

    fn past_limit(&self) -> bool {
        #[cfg(not(target_family = "wasm"))]
        {
            self.started.elapsed().as_secs() >= DOC_SECONDS
        }
        #[cfg(target_family = "wasm")]
        {
            false
        }
    }
}

/// Why no further page should be started, after `content` bytes of content so far.
pub(crate) fn stop_reason(content: usize, clock: &Clock) -> Option<String> {
    if content > DOC_CONTENT {
        return Some(format!(
            "the document's content passed {} MB (a limit against decompression bombs)",
            DOC_CONTENT / MB
        ));
    }
    clock.past_limit().then(|| format!("reading took more than {DOC_SECONDS} s"))
}

impl Scan {
    /// Whether the file holds image streams (a scan's pages do).
    pub(crate) fn has_images(&self) -> bool {
        self.images > 0
    }

    /// Bytes of content reading page `index` decodes: its content streams and the forms its
    /// resources name. An error says why the page must not be read.
    pub(crate) fn page_cost(&self, pdf: &PdfDocument, index: usize) -> Result<usize, String> {
        let Ok(page) = pdf.get_page(index) else { return Ok(0) };
        let Some(page) = page.as_dict() else { return Ok(0) };
        let mut ids = Vec::new();
        if let Some(contents) = page.get("Contents") {
            refs(pdf, contents, &mut ids);
        }
        let mut forms = Vec::new();
        let resources = page.get("Resources").and_then(|r| pdf.resolve_object(r).ok());
        if let Some(xobjects) = resources.as_ref().and_then(|r| r.as_dict()).and_then(|d| d.get("XObject")) {
            let xobjects = pdf.resolve_object(xobjects).unwrap_or(Object::Null);
            for x in xobjects.as_dict().into_iter().flat_map(|d| d.values()) {
                if let Some(r) = x.as_reference() {
                    forms.push(r.id);
                }
            }
        }
        let mut cost = 0usize;
        let infos = ids
            .iter()
            .filter_map(|id| self.streams.get(id))
            .chain(forms.iter().filter_map(|id| self.streams.get(id)).filter(|s| s.form));
        for info in infos {
            if info.over {
                return Err(format!(
                    "its content inflates to more than {} MB (a limit against decompression bombs)",
                    STREAM_BYTES / MB
                ));
            }
            if info.deep {
                return Err("its content nests arrays or dictionaries too deeply to read safely".into());
            }
            if info.runaway {
                return Err(
                    "its content is damaged: a text string never ends, and reading it would take minutes"
                        .into(),
                );
            }
            cost = cost.saturating_add(info.size);
        }
        if cost > PAGE_CONTENT {
            return Err(format!(
                "its content is {} MB, more than the {} MB a page may have",
                cost / MB,
                PAGE_CONTENT / MB
            ));
        }
        Ok(cost)
    }
}

/// Object numbers of the streams `contents` names: a reference, an array of them, or a
/// reference to such an array.
fn refs(pdf: &PdfDocument, contents: &Object, out: &mut Vec<u32>) {
    match contents {
        Object::Reference(r) => match pdf.load_object(*r) {
            Ok(Object::Array(items)) => {
                out.extend(items.iter().filter_map(|o| o.as_reference()).map(|r| r.id));
            }
            _ => out.push(r.id),
        },
        Object::Array(items) => out.extend(items.iter().filter_map(|o| o.as_reference()).map(|r| r.id)),
        _ => {}
    }
}

/// A stream as it lies in the file: its object number (when `N G obj` precedes it), its
/// dictionary's bytes and its raw data.
struct RawStream<'a> {
    object: Option<u32>,
    dict: &'a [u8],
    data: &'a [u8],
}

/// The file's streams, found by their keywords (streams cannot hide inside object streams).
fn raw_streams(bytes: &[u8]) -> impl Iterator<Item = RawStream<'_>> {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        loop {
            let k = at + find(bytes.get(at..)?, b"stream")?;
            at = k + 6;
            if k >= 3 && &bytes[k - 3..k] == b"end" {
                continue;
            }
            let mut start = k + 6;
            if bytes.get(start) == Some(&b'\r') {
                start += 1;
            }
            if bytes.get(start) == Some(&b'\n') {
                start += 1;
            }
            let end = bytes
                .get(start..)
                .and_then(|rest| find(rest, b"endstream"))
                .map_or(bytes.len(), |e| start + e);
            at = end;
            // The dictionary: back to this object's `obj` keyword, within reason.
            let window = k.saturating_sub(64 << 10);
            let head = &bytes[window..k];
            let (object, dict) = match rfind(head, b"obj") {
                Some(o) => (object_number(&head[..o]), &head[o + 3..]),
                None => (None, head),
            };
            // The end-of-line before `endstream` is not data.
            let mut data = &bytes[start..end.max(start)];
            data = data.strip_suffix(b"\n").unwrap_or(data);
            data = data.strip_suffix(b"\r").unwrap_or(data);
            return Some(RawStream { object, dict, data });
        }
    })
}

/// The object number in `... N G ` (the bytes before an `obj` keyword; binary may precede them).
fn object_number(before: &[u8]) -> Option<u32> {
    let mut words = before.rsplit(|b| b.is_ascii_whitespace()).filter(|w| !w.is_empty());
    let generation = words.next()?;
    let number = words.next()?;
    if !generation.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // Keep the digits only: a delimiter may precede the number without a space.
    let start = number.iter().rposition(|b| !b.is_ascii_digit()).map_or(0, |p| p + 1);
    std::str::from_utf8(&number[start..]).ok()?.parse().ok()
}

fn first_filter_is_flate(dict: &[u8]) -> bool {
    let Some(f) = find(dict, b"/Filter") else { return false };
    let rest = &dict[f + 7..];
    let rest =
        &rest[rest.iter().position(|b| !b.is_ascii_whitespace() && *b != b'[').unwrap_or(rest.len())..];
    rest.starts_with(b"/FlateDecode")
        || rest.starts_with(b"/Fl") && !rest.get(3).is_some_and(u8::is_ascii_alphanumeric)
}

/// Nesting of `[` and `<<` in content-stream syntax (strings and comments skipped), measured
/// over chunks as they come out of the inflater.
#[derive(Default)]
struct Nesting {
    depth: usize,
    max: usize,
    /// Open parentheses of the string being skipped.
    parens: usize,
    escape: bool,
    comment: bool,
    prev: u8,
}

impl Nesting {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.parens > 0 {
                match b {
                    _ if self.escape => self.escape = false,
                    b'\\' => self.escape = true,
                    b'(' => self.parens += 1,
                    b')' => self.parens -= 1,
                    _ => {}
                }
                continue;
            }
            if self.comment {
                self.comment = b != b'\n' && b != b'\r';
                continue;
            }
            let mut seen = b;
            match b {
                b'%' => self.comment = true,
                b'(' => self.parens = 1,
                b'[' => self.depth += 1,
                b']' => self.depth = self.depth.saturating_sub(1),
                b'<' if self.prev == b'<' => {
                    self.depth += 1;
                    seen = 0;
                }
                b'>' if self.prev == b'>' => {
                    self.depth = self.depth.saturating_sub(1);
                    seen = 0;
                }
                _ => {}
            }
            self.max = self.max.max(self.depth);
            self.prev = seen;
        }
    }
}

/// Inflated size of zlib (or, failing that, raw deflate) data, counted up to just past `limit`;
/// with `keep`, the inflated bytes too (at most `limit`). The bytes pass through `nesting`.
fn inflate(data: &[u8], limit: usize, keep: bool, nesting: &mut Nesting) -> (usize, Option<Vec<u8>>) {
    let zlib = inflate_with(data, limit, keep, true, nesting);
    if zlib.0 > 0 {
        return zlib;
    }
    *nesting = Nesting::default();
    inflate_with(data, limit, keep, false, nesting)
}

fn inflate_with(
    data: &[u8],
    limit: usize,
    keep: bool,
    zlib_header: bool,
    nesting: &mut Nesting,
) -> (usize, Option<Vec<u8>>) {
    let mut z = Decompress::new(zlib_header);
    let mut scratch = vec![0u8; 64 << 10];
    let mut kept = keep.then(Vec::new);
    loop {
        let before = (z.total_in(), z.total_out());
        let input = &data[(z.total_in() as usize).min(data.len())..];
        let status = z.decompress(input, &mut scratch, FlushDecompress::None);
        let produced = (z.total_out() - before.1) as usize;
        nesting.feed(&scratch[..produced]);
        if let Some(k) = kept.as_mut()
            && k.len() < limit
        {
            k.extend_from_slice(&scratch[..produced.min(limit - k.len())]);
        }
        let out = z.total_out() as usize;
        match status {
            Ok(Status::StreamEnd) => return (out, kept),
            _ if out > limit => return (out, kept),
            Ok(_) if (z.total_in(), z.total_out()) != before => {}
            // An error or no progress: what came out so far is what the reader would get.
            _ => return (out, kept),
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    find(hay, needle).is_some()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let _ = e.write_all(data);
        e.finish().unwrap_or_default()
    }

    #[test]
    fn inflating_counts_without_keeping_and_stops_past_the_limit() {
        let data = zlib(&vec![b'x'; 5 << 20]);
        assert_eq!(inflate(&data, 8 << 20, false, &mut Nesting::default()), (5 << 20, None));
        let (size, kept) = inflate(&data, 1 << 20, true, &mut Nesting::default());
        assert!(size > 1 << 20 && size < 2 << 20, "stopped soon after the limit: {size}");
        assert_eq!(kept.map(|k| k.len()), Some(1 << 20));
    }

    #[test]
    fn streams_are_found_with_their_object_numbers_and_filters() {
        let body = zlib(b"BT (Hi) Tj ET");
        let mut file = b"%PDF-1.4\n7 0 obj\n<< /Length 3 >>\nstream\nabc\nendstream\nendobj\n".to_vec();
        file.extend(
            format!("12 0 obj\n<< /Filter [/FlateDecode] /Length {} >>\nstream\n", body.len()).as_bytes(),
        );
        file.extend(&body);
        file.extend(b"\nendstream\nendobj\n");
        let streams: Vec<_> = raw_streams(&file).collect();
        assert_eq!(streams.len(), 2);
        assert_eq!((streams[0].object, streams[0].data), (Some(7), b"abc".as_slice()));
        assert!(!first_filter_is_flate(streams[0].dict));
        assert_eq!(streams[1].object, Some(12));
        assert!(first_filter_is_flate(streams[1].dict));
        let scan = scan(&file, 512).unwrap();
        assert_eq!(scan.streams[&12].size, 13);
    }

    #[test]
    fn content_nesting_is_measured_across_chunks() {
        let mut n = Nesting::default();
        // A string with an escaped parenthesis, a dictionary split between chunks, a comment.
        for chunk in [b"[[ ([[[ \\) ]]) [".as_slice(), b"<<", b"< /A [", b"] >> % [[[[\n]"] {
            n.feed(chunk);
        }
        assert_eq!((n.max, n.depth), (5, 2));
        let mut n = Nesting::default();
        let data = zlib(&[vec![b'['; 3000], vec![b']'; 3000]].concat());
        inflate(&data, 1 << 20, false, &mut n);
        assert_eq!(n.max, 3000);
    }

    #[test]
    fn nesting_inside_an_object_stream_is_refused() {
        let deep = zlib(&[b"1 0 ".as_slice(), &[b'['; 2000], &[b']'; 2000]].concat());
        let mut file = format!(
            "%PDF-1.5\n5 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length {} >>\nstream\n",
            deep.len()
        )
        .into_bytes();
        file.extend(&deep);
        file.extend(b"\nendstream\nendobj\n");
        let err = scan(&file, 512).unwrap_err().to_string();
        assert!(err.contains("nested more than 512 levels"), "{err}");
        assert!(scan(&file, 4096).is_ok());
    }

    fn content_stream(content: &[u8]) -> Vec<u8> {
        let packed = zlib(content);
        let mut file =
            format!("%PDF-1.4\n4 0 obj\n<< /Filter /FlateDecode /Length {} >>\nstream\n", packed.len())
                .into_bytes();
        file.extend(&packed);
        file.extend(b"\nendstream\nendobj\n");
        file
    }

    #[test]
    fn large_content_with_a_string_that_never_ends_is_marked() {
        let line = b"BT /F1 10 Tf 72 700 Td (The tide turns twice a day.) Tj ET\n";
        let whole = line.repeat(4000);
        let mut broken = whole.clone();
        broken.extend(b"BT (an opened string and more");
        let info = |content: &[u8]| scan(&content_stream(content), 512).unwrap().streams[&4];
        assert!(!info(&whole).runaway);
        assert!(info(&broken).runaway);
        // A small damaged stream is still read.
        assert!(!info(b"BT (short and open Tj ET").runaway);
    }
}
