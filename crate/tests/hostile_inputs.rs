//! Hostile and broken inputs (issue 11), each built here in code: decompression bombs, content
//! floods, nesting inside object streams, PDFs whose text only a careful reader finds (a TrueType
//! subset behind a ToUnicode map, a Form XObject), pages that are blank, an XFA form, model
//! files with impossible dimensions. Each gives a clear error or a result, never a panic.
//! (Time and memory are measured on the release CLI, see README "Hostile inputs"; tests assert
//! what a person sees.)

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

use tome::{Document, doc::DocError};

/// A PDF from object bodies (object i+1 = bodies[i]), with a correct xref table.
fn build_pdf(bodies: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in bodies.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend(body);
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", bodies.len() + 1).as_bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", bodies.len() + 1)
            .as_bytes(),
    );
    out
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).expect("compress");
    e.finish().expect("compress")
}

fn stream(data: &[u8], extra: &str, compress: bool) -> Vec<u8> {
    let (data, filter) = if compress { (zlib(data), " /Filter /FlateDecode") } else { (data.to_vec(), "") };
    let mut s = format!("<< /Length {}{filter} {extra} >>\nstream\n", data.len()).into_bytes();
    s.extend(data);
    s.extend(b"\nendstream");
    s
}

fn text(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

/// Catalog (1), pages (2), Helvetica (3), then the given content streams (4..), then one page per
/// entry of `pages`, each drawing the content stream at that index.
fn helvetica_pages(contents: &[Vec<u8>], pages: &[usize]) -> Vec<u8> {
    let mut bodies = vec![text("<< /Type /Catalog /Pages 2 0 R >>"), Vec::new()];
    bodies.push(text("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"));
    for c in contents {
        bodies.push(stream(c, "", true));
    }
    let mut kids = Vec::new();
    for &c in pages {
        bodies.push(text(&format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {} 0 R /Resources << /Font << /F1 3 0 R >> >> >>",
            4 + c
        )));
        kids.push(format!("{} 0 R", bodies.len()));
    }
    bodies[1] = text(&format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), kids.len()));
    build_pdf(&bodies)
}

fn showing(lines: &[&str]) -> Vec<u8> {
    let mut ops = String::from("BT /F1 11 Tf 72 720 Td 14 TL\n");
    for l in lines {
        ops += &format!("({l}) Tj T*\n");
    }
    ops += "ET\n";
    ops.into_bytes()
}

const SENTENCES: [&str; 3] = [
    "The lighthouse keeper counted forty ships that winter.",
    "Each ship carried salt, rope and letters for the island school.",
    "In spring the harbour master painted every buoy a brighter red.",
];

fn read(name: &str, bytes: &[u8]) -> Result<Document, DocError> {
    Document::from_bytes(name, bytes)
}

#[test]
fn a_shared_content_stream_bomb_skips_its_pages_and_keeps_the_first() {
    // Page 1 is ordinary; pages 2-4 draw one stream that inflates to 65 MB (of spaces and text
    // operators), past the 64 MB a stream may inflate to.
    let mut bomb = vec![b' '; 65 << 20];
    bomb.extend(showing(&["A line inside the bomb."]));
    let bytes = helvetica_pages(&[showing(&SENTENCES), bomb], &[0, 1, 1, 1]);
    assert!(bytes.len() < 200 << 10, "the bomb is small on disk: {} bytes", bytes.len());
    let doc = read("bomb.pdf", &bytes).expect("page 1 is readable");
    assert_eq!(doc.pages.len(), 4);
    assert!(doc.text.contains("forty ships"));
    for page in 2..=4 {
        assert!(
            doc.warnings.iter().any(|w| w.contains(&format!("page {page} skipped")) && w.contains("64 MB")),
            "page {page} is named: {:?}",
            doc.warnings
        );
    }
}

#[test]
fn a_bomb_on_every_page_is_a_clear_error() {
    let bomb = vec![b' '; 65 << 20];
    let err = read("bombs.pdf", &helvetica_pages(&[bomb], &[0, 0])).expect_err("no page can be read");
    assert!(matches!(err, DocError::TooLarge { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("none of its 2 pages") && msg.contains("page 1 skipped") && msg.contains("64 MB"),
        "{msg}"
    );
}

#[test]
fn a_page_with_too_much_content_is_skipped_by_name() {
    // 7 MB of real text operators on page 2: past the 4 MB a page may have.
    let line = "BT /F1 10 Tf 72 700 Td (The ferry leaves at dawn with seven crates.) Tj ET\n";
    let flood = line.repeat((7 << 20) / line.len()).into_bytes();
    let bytes = helvetica_pages(&[showing(&SENTENCES), flood], &[0, 1, 0]);
    let doc = read("flood.pdf", &bytes).expect("pages 1 and 3 read");
    assert!(
        doc.warnings.iter().any(|w| w.contains("page 2 skipped") && w.contains("4 MB")),
        "{:?}",
        doc.warnings
    );
    assert_eq!(doc.text.matches("forty ships").count(), 2, "pages 1 and 3 are kept");
}

/// PDF 1.5 with an xref stream, object 4 inside a compressed object stream (object 5).
fn object_stream_pdf(object: &[u8]) -> Vec<u8> {
    let header = b"4 0 ";
    let objstm = zlib(&[header.as_slice(), object].concat());
    let content = showing(&SENTENCES);
    let bodies: Vec<(u32, Vec<u8>)> = vec![
        (1, text("<< /Type /Catalog /Pages 2 0 R /Extra 4 0 R >>")),
        (2, text("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")),
        (
            3,
            text(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 6 0 R /Resources << /Font << /F1 7 0 R >> >> >>",
            ),
        ),
        (5, {
            let mut s = format!(
                "<< /Type /ObjStm /N 1 /First {} /Length {} /Filter /FlateDecode >>\nstream\n",
                header.len(),
                objstm.len()
            )
            .into_bytes();
            s.extend(&objstm);
            s.extend(b"\nendstream");
            s
        }),
        (6, stream(&content, "", false)),
        (7, text("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")),
    ];
    let mut out = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = std::collections::HashMap::new();
    for (n, body) in &bodies {
        offsets.insert(*n, out.len());
        out.extend(format!("{n} 0 obj\n").as_bytes());
        out.extend(body);
        out.extend(b"\nendobj\n");
    }
    let xref_at = out.len();
    let mut rows = vec![0u8, 0, 0, 0, 0, 0xff, 0xff];
    for n in 1..=8u32 {
        let (kind, field) = match n {
            4 => (2u8, 5u32),
            8 => (1, xref_at as u32),
            _ => (1, offsets[&n] as u32),
        };
        rows.push(kind);
        rows.extend(field.to_be_bytes());
        rows.extend([0, 0]);
    }
    out.extend(
        format!("8 0 obj\n<< /Type /XRef /Size 9 /W [1 4 2] /Root 1 0 R /Length {} >>\nstream\n", rows.len())
            .as_bytes(),
    );
    out.extend(&rows);
    out.extend(format!("\nendstream\nendobj\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    out
}

#[test]
fn millions_of_brackets_inside_an_object_stream_are_refused_not_a_stack_overflow() {
    let depth = 3_000_000;
    let bytes = object_stream_pdf(&["[".repeat(depth), "]".repeat(depth)].concat().into_bytes());
    assert!(bytes.len() < 64 << 10, "{} bytes", bytes.len());
    let err = read("nested.pdf", &bytes).expect_err("refused");
    assert!(matches!(err, DocError::BadPdf { .. }), "{err:?}");
    assert!(err.to_string().contains("inside a compressed object stream"), "{err}");
    // The bookmarks reader meets the same check.
    assert!(tome::doc::read_bookmarks(&bytes).is_err());
    // A shallow object in the same place reads.
    let doc = read("shallow.pdf", &object_stream_pdf(b"[[1 2] [3]]")).expect("reads");
    assert!(doc.text.contains("forty ships"));
}

#[test]
fn nesting_behind_a_damaged_zlib_header_is_refused_too() {
    // A fuzzer finding (the pdf target died of SIGSEGV): one header byte of the object stream
    // changed, and a page tree the reader must recover by scanning. zlib reads nothing there,
    // but pdf_oxide's recovery inflates past the header and parsed millions of nested arrays.
    let depth = 3_000_000;
    let good = object_stream_pdf(&["[".repeat(depth), "]".repeat(depth)].concat().into_bytes());
    let marker = b"/FlateDecode >>\nstream\n";
    let at = good.windows(marker.len()).position(|w| w == marker).expect("the object stream") + marker.len();
    for (offset, change) in [(0, 0x01u8), (1, 0x01)] {
        let mut bytes = good.clone();
        bytes[at + offset] ^= change;
        let kids = bytes.windows(13).position(|w| w == b"/Kids [3 0 R]").expect("the page tree");
        bytes[kids + 7] = b'9';
        let err = read("damaged.pdf", &bytes).expect_err("refused");
        assert!(err.to_string().contains("nested more than 512 levels"), "{err}");
        assert!(tome::doc::read_bookmarks(&bytes).is_err());
    }
}

fn dejavu() -> Vec<u8> {
    let path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    std::fs::read(path).unwrap_or_else(|e| {
        panic!(
            "{path}: {e}; this test embeds a real TrueType font: install fonts-dejavu-core (scripts/setup.sh)"
        )
    })
}

/// A TrueType subset as PDF producers write it: codes renumbered from 1 in order of first use,
/// no /Encoding, the text reachable only through the ToUnicode map.
fn truetype_subset_pdf(lines: &[&str]) -> Vec<u8> {
    let mut codes: Vec<char> = Vec::new();
    for c in lines.iter().flat_map(|l| l.chars()) {
        if !codes.contains(&c) {
            codes.push(c);
        }
    }
    let code = |c: char| codes.iter().position(|&x| x == c).map_or(0, |i| i + 1);
    let mut ops = String::from("BT /F1 11 Tf 72 720 Td 14 TL\n");
    for l in lines {
        ops += "<";
        for c in l.chars() {
            ops += &format!("{:02X}", code(c));
        }
        ops += "> Tj T*\n";
    }
    ops += "ET\n";
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n1 begincodespacerange <00> <FF> endcodespacerange\n",
    );
    for chunk in codes.chunks(100).enumerate() {
        cmap += &format!("{} beginbfchar\n", chunk.1.len());
        for (i, c) in chunk.1.iter().enumerate() {
            cmap += &format!("<{:02X}> <{:04X}>\n", chunk.0 * 100 + i + 1, *c as u32);
        }
        cmap += "endbfchar\n";
    }
    cmap += "endcmap CMapName currentdict /CMapResource defineresource pop end end\n";
    let font = dejavu();
    let widths = vec!["556"; codes.len()].join(" ");
    build_pdf(&[
        text("<< /Type /Catalog /Pages 2 0 R >>"),
        text("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
        text(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        ),
        stream(ops.as_bytes(), "", true),
        text(&format!(
            "<< /Type /Font /Subtype /TrueType /BaseFont /ABCDEF+Calibri /FirstChar 1 /LastChar {} /Widths [{widths}] /FontDescriptor 6 0 R /ToUnicode 7 0 R >>",
            codes.len()
        )),
        text(
            "<< /Type /FontDescriptor /FontName /ABCDEF+Calibri /Flags 4 /FontBBox [-500 -300 1200 1000] /ItalicAngle 0 /Ascent 750 /Descent -250 /CapHeight 650 /StemV 80 /FontFile2 8 0 R >>",
        ),
        stream(cmap.as_bytes(), "", true),
        stream(&font, &format!("/Length1 {}", font.len()), true),
    ])
}

/// A standard Helvetica page whose only content draws a Form XObject holding the text.
fn form_xobject_pdf(lines: &[&str]) -> Vec<u8> {
    build_pdf(&[
        text("<< /Type /Catalog /Pages 2 0 R >>"),
        text("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
        text(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /Fm0 5 0 R >> >> >>",
        ),
        stream(b"q 1 0 0 1 0 0 cm /Fm0 Do Q\n", "", false),
        stream(
            &showing(lines),
            "/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 6 0 R >> >>",
            true,
        ),
        text("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"),
    ])
}

fn blank_pdf(pages: usize) -> Vec<u8> {
    let mut bodies = vec![text("<< /Type /Catalog /Pages 2 0 R >>"), Vec::new()];
    let mut kids = Vec::new();
    for _ in 0..pages {
        bodies.push(text("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"));
        kids.push(format!("{} 0 R", bodies.len()));
    }
    bodies[1] = text(&format!("<< /Type /Pages /Kids [{}] /Count {pages} >>", kids.join(" ")));
    build_pdf(&bodies)
}

fn xfa_pdf() -> Vec<u8> {
    build_pdf(&[
        text("<< /Type /Catalog /Pages 2 0 R /AcroForm 4 0 R /NeedsRendering true >>"),
        text("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
        text("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"),
        text("<< /Fields [] /XFA 5 0 R >>"),
        stream(
            b"<?xml version=\"1.0\"?><xdp:xdp xmlns:xdp=\"http://ns.adobe.com/xdp/\"><template><subform name=\"f\"/></template></xdp:xdp>",
            "",
            false,
        ),
    ])
}

fn image_only_pdf() -> Vec<u8> {
    let pixels: Vec<u8> = (0..64 * 64).map(|i| (i * 7 % 251) as u8).collect();
    build_pdf(&[
        text("<< /Type /Catalog /Pages 2 0 R >>"),
        text("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
        text(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /Im0 5 0 R >> >> >>",
        ),
        stream(b"q 500 0 0 700 50 50 cm /Im0 Do Q\n", "", false),
        stream(
            &pixels,
            "/Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray /BitsPerComponent 8",
            true,
        ),
    ])
}

/// A little text on a page of its own, without images: little, but the document's own text.
fn short_note_pdf() -> Vec<u8> {
    helvetica_pages(&[showing(&["Keep dry."])], &[0])
}

fn temp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tome-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

/// Visible characters `pdftotext` finds in a PDF.
fn pdftotext_chars(path: &PathBuf) -> usize {
    let out = Command::new("pdftotext").arg(path).arg("-").output().expect(
        "pdftotext (poppler-utils) is needed for the text parity test: apt-get install poppler-utils",
    );
    String::from_utf8_lossy(&out.stdout).chars().filter(|c| !c.is_whitespace()).count()
}

#[test]
fn where_pdftotext_finds_text_tome_does_too() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truetype-tounicode.pdf", truetype_subset_pdf(&SENTENCES)),
        ("form-xobject.pdf", form_xobject_pdf(&SENTENCES)),
        ("short-note.pdf", short_note_pdf()),
        ("helvetica.pdf", helvetica_pages(&[showing(&SENTENCES)], &[0])),
    ];
    for (name, bytes) in cases {
        let path = temp(name, &bytes);
        let theirs = pdftotext_chars(&path);
        assert!(theirs >= 8, "{name}: pdftotext finds {theirs} characters, the test PDF is wrong");
        match read(name, &bytes) {
            Ok(doc) => {
                let ours = doc.text.chars().filter(|c| !c.is_whitespace()).count();
                assert!(ours * 10 >= theirs * 9, "{name}: tome finds {ours} characters, pdftotext {theirs}");
            }
            Err(e) => panic!("{name}: pdftotext finds {theirs} characters, tome says: {e}"),
        }
    }
}

#[test]
fn pages_without_text_get_the_message_that_fits() {
    let blank = read("blank.pdf", &blank_pdf(3)).expect_err("no text");
    assert!(matches!(blank, DocError::BlankPages { pages: 3 }), "{blank:?}");
    assert!(blank.to_string().contains("3 pages are blank"), "{blank}");
    let xfa = read("form.pdf", &xfa_pdf()).expect_err("no text");
    assert!(matches!(xfa, DocError::XfaForm), "{xfa:?}");
    assert!(xfa.to_string().contains("XFA form"));
    let scan = read("scan.pdf", &image_only_pdf()).expect_err("no text");
    assert!(matches!(scan, DocError::NoTextLayer { pages: 1 }), "{scan:?}");
    let none = read("none.pdf", &blank_pdf(0)).expect_err("no pages");
    assert!(matches!(none, DocError::NoPages), "{none:?}");
}

/// A GGUF v3 file with these metadata entries (key, type id, packed value) and no tensors.
fn gguf(kv: &[(&str, u32, Vec<u8>)]) -> Vec<u8> {
    let mut b = b"GGUF".to_vec();
    b.extend(3u32.to_le_bytes());
    b.extend(0u64.to_le_bytes());
    b.extend((kv.len() as u64).to_le_bytes());
    for (k, ty, v) in kv {
        b.extend((k.len() as u64).to_le_bytes());
        b.extend(k.as_bytes());
        b.extend(ty.to_le_bytes());
        b.extend(v);
    }
    b
}

fn gstr(s: &str) -> Vec<u8> {
    [(s.len() as u64).to_le_bytes().as_slice(), s.as_bytes()].concat()
}

fn llama(ctx: u32, embd: u32, heads: u32, ff: u32, vocab: u32) -> Vec<u8> {
    let u = |v: u32| v.to_le_bytes().to_vec();
    let mut tokens = 8u32.to_le_bytes().to_vec();
    tokens.extend(2u64.to_le_bytes());
    tokens.extend(gstr("a"));
    tokens.extend(gstr("b"));
    gguf(&[
        ("general.architecture", 8, gstr("llama")),
        ("llama.context_length", 4, u(ctx)),
        ("llama.embedding_length", 4, u(embd)),
        ("llama.block_count", 4, u(1)),
        ("llama.feed_forward_length", 4, u(ff)),
        ("llama.attention.head_count", 4, u(heads)),
        ("llama.vocab_size", 4, u(vocab)),
        ("llama.attention.layer_norm_rms_epsilon", 6, 1e-5f32.to_le_bytes().to_vec()),
        ("tokenizer.ggml.tokens", 9, tokens),
    ])
}

#[test]
fn impossible_model_dimensions_are_errors_before_any_allocation() {
    use tome::model::{ModelError, gguf::Gguf, llama::Config};
    let config = |b: &[u8]| Config::from_gguf(&Gguf::parse(b).expect("header parses"));
    assert!(config(&llama(64, 64, 4, 128, 2)).is_ok());
    for (what, bytes) in [
        ("context_length", llama(0, 64, 4, 128, 2)),
        ("embedding_length", llama(64, 0, 4, 128, 2)),
        ("vocab_size", llama(64, 64, 4, 128, u32::MAX)),
        ("feed_forward_length", llama(64, 64, 4, u32::MAX, 2)),
    ] {
        match config(&bytes) {
            Err(e @ (ModelError::OutOfRange { .. } | ModelError::BadKey(..))) => {
                assert!(e.to_string().contains(what), "{what}: {e}")
            }
            other => panic!("{what}: expected an error naming it, got {other:?}"),
        }
    }
    // And through the loader a person uses: an error, not a panic or an abort.
    let path = temp("context-zero.gguf", &llama(0, 64, 4, 128, 2));
    let Err(e) = tome::model::Llama::open(&path, 1) else { panic!("a zero context must be refused") };
    assert!(e.to_string().contains("context_length"), "{e}");
}

#[test]
fn text_of_many_short_lines_is_bounded() {
    // A million two-byte lines read; five million are refused before they take gigabytes.
    let doc = read("lines.txt", &b"a\n".repeat(1_000_000)).expect("a million lines read");
    assert_eq!(doc.blocks.len(), 1_000_000);
    let err = read("lines.txt", &b"a\n".repeat(5_000_000)).expect_err("refused");
    assert!(matches!(err, DocError::TooLarge { .. }), "{err:?}");
    assert!(err.to_string().contains("lines") && err.to_string().contains("split it"), "{err}");
}
