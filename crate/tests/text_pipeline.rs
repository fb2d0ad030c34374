//! The text pipeline on many generated texts (fixed seeds): ingest, outline, passages, search and
//! answers never panic, and their spans are valid, ordered, inside the body and within limits.

use tome::index::passages::MAX_TOKENS;
use tome::index::tokenize::terms;
use tome::{Document, Index, Outline};

/// xorshift32: deterministic pseudo-random numbers without a dependency.
struct Rng(u32);

impl Rng {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next() as usize % items.len()]
    }
}

const PIECES: &[&str] = &[
    "the",
    "carriage",
    "Anne",
    "walked",
    "quickly",
    "to",
    "Lyme.",
    "Mr.",
    "Darcy's",
    "letter!",
    "\n",
    "\n\n",
    "\n\n\n",
    "\r\n",
    "\r",
    "\u{0C}",
    "中文",
    "字符。",
    "é",
    "—",
    "\"Yes,\"",
    "said",
    "she.",
    "\n\nChapter 7\n\n",
    "\n\nCHAPTER IV.\nTHE END\n\n",
    "\n\nVOLUME II\n\n",
    "\n# Heading\n",
    "\nTitle\n=====\n",
    "```\n",
    "1999.",
    "*** START OF THE PROJECT GUTENBERG EBOOK X ***\n",
    "*** END OF THE PROJECT GUTENBERG EBOOK X ***\n",
    "   ",
    "\t",
    "word-word",
    "e.g.",
    "J.",
    "?",
    "",
];

fn check(text: &str, name: &str) {
    let doc = match Document::from_bytes(name, text.as_bytes()) {
        Ok(doc) => doc,
        Err(tome::doc::DocError::Empty) if text.is_empty() => return,
        Err(e) => panic!("{name}: {e} for {text:?}"),
    };
    let outline = Outline::build(&doc, false);
    for (node, _) in outline.flatten() {
        assert!(doc.text.is_char_boundary(node.span.start) && doc.text.is_char_boundary(node.span.end));
        assert!(node.span.start <= node.span.end && node.span.end <= doc.text.len());
    }
    let index = Index::build(&doc, &outline);
    let mut previous_end = doc.body.start;
    for p in &index.passages {
        assert!(p.span.start >= previous_end && p.span.start < p.span.end, "{:?}", p.span);
        assert!(p.span.end <= doc.body.end);
        assert!(doc.text.is_char_boundary(p.span.start) && doc.text.is_char_boundary(p.span.end));
        assert!(terms(doc.slice(p.span)).len() <= MAX_TOKENS);
        previous_end = p.span.end;
    }
    for query in ["carriage Anne", "中文字符", "Chapter", "", "the"] {
        for hit in index.search(&doc, query, 5) {
            let p = &index.passages[hit.passage];
            assert!(hit.matches.iter().all(|m| m.start >= p.span.start && m.end <= p.span.end));
        }
        let answer = tome::qa::answer(&doc, &index, query);
        assert_eq!(answer.found, !answer.citations.is_empty());
        for c in &answer.citations {
            assert!(doc.text.is_char_boundary(c.span.start) && c.span.end <= doc.text.len());
        }
    }
}

#[test]
fn generated_texts_keep_every_invariant() {
    for seed in 1..=300u32 {
        let mut rng = Rng(seed.wrapping_mul(2_654_435_761).max(1));
        let len = rng.next() % 3000;
        let mut text = String::new();
        for _ in 0..len {
            text.push_str(rng.pick(PIECES));
            if !rng.next().is_multiple_of(3) {
                text.push(' ');
            }
        }
        check(&text, if seed.is_multiple_of(2) { "gen.txt" } else { "gen.md" });
    }
}

#[test]
fn degenerate_texts() {
    for text in ["", " ", "\n\n\n", "\u{FEFF}", "Chapter 1", "# ", "中", "x\r"] {
        check(text, "d.txt");
    }
    // One enormous sentence without any break must still be cut into bounded passages.
    check(&"a".repeat(100_000), "a.txt");
    check(&"word ".repeat(5000), "long.txt");
    check(&"中文".repeat(3000), "cjk.txt");
}
