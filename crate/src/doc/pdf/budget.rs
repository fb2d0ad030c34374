//! Budgets that keep a hostile PDF from taking unbounded memory, time or stack.
//!
//! pdf_oxide inflates a page's content streams whole (up to 256 MB each, again for every page
//! that draws a shared stream) and parses object streams recursively, and it cannot be told
//! otherwise from outside. So before it sees the file, [`scan`] inflates every compressed
//! stream here once (a damaged one every way pdf_oxide would try), counting bytes and nesting
//! into a small scratch buffer without keeping them: a stream past [`STREAM_BYTES`] marks the
//! pages that draw it, the file's text streams past [`FILE_BYTES`] refuse it, a stream that
//! could be read as an object stream nested past the parser's safe depth refuses it. Then, page by page, [`Scan::page_cost`]
//! says how much content a page would make the reader decode, checked against [`PAGE_CONTENT`]
//! per page and [`DOC_CONTENT`] per document before the page is read.
//!
//! The limits are byte counts, so they hold the same in wasm (where memory is 4 GB and the stack
//! small); the wall-clock limit ([`DOC_SECONDS`]) exists natively only, wasm32 has no clock.

use std::collections::HashMap;

use flate2::{Decompress, FlushDecompress, Status};
use pdf_oxide::PdfDocument;
use pdf_oxide::object::Object;

use super::filters::{self, Filter};
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
        // pdf_oxide reads any stream an xref entry names as an object stream, whatever its
        // dictionary says: a stream is taken as one when it says so (a `#` may spell a name in
        // hex) or when its data starts as one does (object numbers and offsets).
        let says_objects =
            contains(s.dict, b"/ObjStm") || contains(s.dict, b"/First") || contains(s.dict, b"#");
        let readings = if image && !says_objects {
            vec![Reading { size: s.data.len(), nesting: Nesting::default() }]
        } else {
            decode(&s, STREAM_BYTES)
        };
        // The largest reading stands for the stream; every reading is work done, and any one
        // of them nested too deeply where objects are parsed would overflow the parser's stack.
        let work = readings.iter().fold(0usize, |sum, r| sum.saturating_add(r.size));
        let Some(main) = readings.iter().max_by_key(|r| r.size) else { continue };
        let size = main.size;
        let over = size > STREAM_BYTES;
        let deep = readings.iter().any(|r| r.nesting.max > max_nesting);
        let objects_too_deep = readings
            .iter()
            .any(|r| r.nesting.max > max_nesting && (says_objects || r.nesting.starts_like_objects()));
        if says_objects && over {
            return Err(DocError::TooLarge {
                detail: format!("a compressed object stream inflates to more than {} MB", STREAM_BYTES / MB),
            });
        }
        if objects_too_deep {
            return Err(DocError::BadPdf {
                detail: format!(
                    "its objects are nested more than {max_nesting} levels deep (inside a compressed object stream)"
                ),
            });
        }
        if !image {
            total = total.saturating_add(work);
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
            let runaway = main.nesting.parens > 0 && size > RUNAWAY_STRING_BYTES;
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
    /// From the data's start to the end of the file: the reader takes a stream's length from
    /// its dictionary, and compressed data may hold the bytes `endstream` by chance or design.
    rest: &'a [u8],
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
            return Some(RawStream { object, dict, data, rest: &bytes[start.min(bytes.len())..] });
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

/// Nesting of `[` and `<<` in content-stream syntax (strings and comments skipped), measured
/// over chunks as they come out of the inflater.
#[derive(Default)]
struct Nesting {
    depth: usize,
    max: usize,
    /// The first byte that is not PDF whitespace.
    first: Option<u8>,
    /// Open parentheses of the string being skipped.
    parens: usize,
    escape: bool,
    comment: bool,
    prev: u8,
}

impl Nesting {
    fn feed(&mut self, bytes: &[u8]) {
        if self.first.is_none() {
            self.first = bytes.iter().copied().find(|b| !matches!(b, 0 | b'\t' | b'\n' | 12 | b'\r' | b' '));
        }
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

    /// Whether the data begins as an object stream's does (pdf_oxide reads its objects only
    /// after pairs of integers).
    fn starts_like_objects(&self) -> bool {
        self.first.is_some_and(|b| b.is_ascii_digit() || b == b'+' || b == b'-')
    }
}

/// One way of decoding a stream: its size (capped just past the limit) and its nesting.
struct Reading {
    size: usize,
    nesting: Nesting,
}

/// The readings of a stream through its filter chain: the ASCII and run-length filters undone
/// first, Flate inflated every way the reader may ([`inflate`]); after a filter the pre-scan
/// does not decode (LZW, image codecs), the bytes are measured as they are.
fn decode(s: &RawStream<'_>, limit: usize) -> Vec<Reading> {
    let mut data = std::borrow::Cow::Borrowed(s.data);
    for (i, &filter) in filters::chain(s.dict).iter().enumerate() {
        if filter == Filter::Flate {
            return inflate(if i == 0 { s.rest } else { &data }, limit);
        }
        match filters::decode(filter, &data, limit) {
            Some(out) => data = out.into(),
            None => break,
        }
    }
    let mut nesting = Nesting::default();
    nesting.feed(&data);
    vec![Reading { size: data.len(), nesting }]
}

/// The readings of Flate data, each counted up to just past `limit` without keeping it.
///
/// A damaged stream is not given up by pdf_oxide: when zlib fails it tries raw deflate, deflate
/// after the two header bytes, zlib with the header's method fixed, and raw deflate from each of
/// the first 20 bytes. Whatever it may read must be measured here too: a fuzzed file whose object
/// stream had one header byte changed read as empty here, while pdf_oxide inflated it to
/// millions of nested arrays and overflowed the reader's stack. So unless zlib ends cleanly,
/// every one of those readings is returned (the first is zlib's).
fn inflate(data: &[u8], limit: usize) -> Vec<Reading> {
    let (zlib, clean) = inflate_with(data, limit, true);
    let mut readings = vec![zlib];
    if clean {
        return readings;
    }
    for offset in 0..data.len().min(20) {
        readings.push(inflate_with(&data[offset..], limit, false).0);
    }
    if let Some(&first) = data.first()
        && first & 0x0F != 8
    {
        let mut fixed = data.to_vec();
        fixed[0] = (first & 0xF0) | 0x08;
        readings.push(inflate_with(&fixed, limit, true).0);
    }
    readings
}

/// One inflation of `data` (with or without the zlib header) and whether it ended cleanly.
fn inflate_with(data: &[u8], limit: usize, zlib_header: bool) -> (Reading, bool) {
    let mut z = Decompress::new(zlib_header);
    let mut scratch = vec![0u8; 64 << 10];
    let mut nesting = Nesting::default();
    loop {
        let before = (z.total_in(), z.total_out());
        let input = &data[(z.total_in() as usize).min(data.len())..];
        let status = z.decompress(input, &mut scratch, FlushDecompress::None);
        let produced = (z.total_out() - before.1) as usize;
        nesting.feed(&scratch[..produced]);
        let size = z.total_out() as usize;
        let ended = match status {
            Ok(Status::StreamEnd) => Some(true),
            _ if size > limit => Some(true),
            Ok(_) if (z.total_in(), z.total_out()) != before => None,
            // An error or no progress: what came out so far is what the reader would get.
            _ => Some(false),
        };
        if let Some(clean) = ended {
            return (Reading { size, nesting }, clean);
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
    fn inflating_counts_and_stops_past_the_limit() {
        let data = zlib(&vec![b'x'; 5 << 20]);
        let readings = inflate(&data, 8 << 20);
        assert_eq!(
            readings.iter().map(|r| r.size).collect::<Vec<_>>(),
            [5 << 20],
            "a clean stream is read once"
        );
        let size = inflate(&data, 1 << 20)[0].size;
        assert!(size > 1 << 20 && size < 2 << 20, "stopped soon after the limit: {size}");
    }

    #[test]
    fn a_damaged_zlib_header_is_read_the_ways_the_parser_reads_it() {
        let body = [vec![b'['; 3000], vec![b']'; 3000]].concat();
        let data = zlib(&body);
        // The method nibble broken, then the header's check bits: zlib reads nothing.
        for (at, value) in [(0, data[0] + 1), (1, data[1] ^ 1)] {
            let mut bad = data.clone();
            bad[at] = value;
            let readings = inflate(&bad, 1 << 20);
            assert_eq!(readings[0].size, 0);
            assert!(readings.iter().any(|r| r.size == body.len() && r.nesting.max == 3000), "byte {at}");
        }
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
        assert_eq!(filters::chain(streams[0].dict), []);
        assert_eq!(streams[1].object, Some(12));
        assert_eq!(filters::chain(streams[1].dict), [Filter::Flate]);
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
        let data = zlib(&[vec![b'['; 3000], vec![b']'; 3000]].concat());
        assert_eq!(inflate(&data, 1 << 20)[0].nesting.max, 3000);
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
        // Without a word of being an object stream, data that starts as one is taken as one
        // (an xref entry can make the parser read any stream so); content is not.
        let mut hidden =
            format!("%PDF-1.5\n5 0 obj\n<< /Filter /FlateDecode /Length {} >>\nstream\n", deep.len())
                .into_bytes();
        hidden.extend(&deep);
        hidden.extend(b"\nendstream\nendobj\n");
        assert!(scan(&hidden, 512).is_err());
        let content = zlib(&[b"BT ".as_slice(), &[b'['; 2000], &[b']'; 2000]].concat());
        let mut drawn =
            format!("%PDF-1.5\n5 0 obj\n<< /Filter /FlateDecode /Length {} >>\nstream\n", content.len())
                .into_bytes();
        drawn.extend(&content);
        drawn.extend(b"\nendstream\nendobj\n");
        let scan = scan(&drawn, 512).unwrap();
        assert!(scan.streams[&5].deep, "deep content only skips the pages that draw it");
    }

    #[test]
    fn nesting_wrapped_in_other_filters_is_refused() {
        let deep = [b"1 0 ".as_slice(), &[b'['; 2000], &[b']'; 2000]].concat();
        let hex: String = zlib(&deep).iter().map(|b| format!("{b:02x}")).collect();
        let mut run = Vec::new();
        for chunk in deep.chunks(128) {
            run.extend([chunk.len() as u8 - 1]);
            run.extend(chunk);
        }
        run.push(128);
        for (filter, data) in [("[/AHx /Fl]", format!("{hex}>").into_bytes()), ("/RunLengthDecode", run)] {
            let mut file =
                format!("%PDF-1.5\n5 0 obj\n<< /Filter {filter} /Length {} >>\nstream\n", data.len())
                    .into_bytes();
            file.extend(&data);
            file.extend(b"\nendstream\nendobj\n");
            let err = scan(&file, 512).expect_err(filter).to_string();
            assert!(err.contains("nested more than 512 levels"), "{filter}: {err}");
        }
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
