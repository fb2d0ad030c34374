//! Cutting a document into passages: a [`Document`] and its [`Outline`] in, [`Passage`]s out.
//!
//! The outline's headings cut the body into segments, each owned by the deepest section that
//! starts there (text before the first heading has an empty path). Inside a segment whole
//! paragraphs are packed up to [`MAX_TOKENS`]; a longer paragraph is packed from its sentences,
//! and a longer sentence is cut between words. So a passage never crosses a section, never
//! starts mid-sentence unless a sentence alone is too long, and spans are exact source ranges.

use super::Passage;
use super::sentences::{paragraphs, sentences};
use super::tokenize::for_each_token;
use crate::doc::Document;
use crate::outline::Outline;
use crate::span::Span;

/// Most tokens (words, CJK bigrams) in one passage.
pub const MAX_TOKENS: usize = 300;

/// A run of passages sharing one outline path.
#[derive(Debug, Clone)]
pub struct Segment {
    pub path: Vec<String>,
    /// Indices into the passage list.
    pub passages: std::ops::Range<usize>,
}

pub fn build(doc: &Document, outline: &Outline) -> (Vec<Passage>, Vec<Segment>) {
    let body = doc.body;
    // (start, path) of every section start in document order; bookmarks may come out of page
    // order, so sort; at a tie the later (deeper, in pre-order) section owns the text.
    let mut starts: Vec<(usize, Vec<String>)> = vec![(body.start, Vec::new())];
    for (node, path) in outline.flatten() {
        let at = node.span.start.clamp(body.start, body.end);
        starts.push((at, path.into_iter().map(str::to_string).collect()));
    }
    starts.sort_by_key(|s| s.0);
    let mut deduped: Vec<(usize, Vec<String>)> = Vec::with_capacity(starts.len());
    for s in starts {
        match deduped.last_mut() {
            Some(last) if last.0 == s.0 => *last = s,
            _ => deduped.push(s),
        }
    }
    let starts = deduped;
    let mut passages = Vec::new();
    let mut segments = Vec::new();
    for (i, (start, path)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(body.end, |s| s.0);
        let first = passages.len();
        for span in pack(&doc.text, *start, end) {
            passages.push(Passage { span, page: doc.page_at(span.start), path: path.clone() });
        }
        if passages.len() > first {
            segments.push(Segment { path: path.clone(), passages: first..passages.len() });
        }
    }
    (passages, segments)
}

fn count_tokens(text: &str) -> usize {
    let mut n = 0;
    for_each_token(text, |_, _, _| n += 1);
    n
}

/// Packs the paragraphs of `text[start..end]` into passage spans.
fn pack(text: &str, start: usize, end: usize) -> Vec<Span> {
    let segment = &text[start..end];
    let mut out = Vec::new();
    let mut current: Option<(usize, usize, usize)> = None; // (start, end, tokens), absolute
    let flush = |current: &mut Option<(usize, usize, usize)>, out: &mut Vec<Span>| {
        if let Some((s, e, _)) = current.take() {
            out.push(Span::new(s, e));
        }
    };
    for (ps, pe) in paragraphs(segment) {
        let (ps, pe) = (start + ps, start + pe);
        let n = count_tokens(&text[ps..pe]);
        if n > MAX_TOKENS {
            flush(&mut current, &mut out);
            out.extend(pack_long_paragraph(text, ps, pe));
            continue;
        }
        match current {
            Some((s, _, t)) if t + n <= MAX_TOKENS => current = Some((s, pe, t + n)),
            _ => {
                flush(&mut current, &mut out);
                current = Some((ps, pe, n));
            }
        }
    }
    flush(&mut current, &mut out);
    out
}

/// A paragraph over the limit: its sentences packed, a sentence over the limit cut by words.
fn pack_long_paragraph(text: &str, start: usize, end: usize) -> Vec<Span> {
    let mut pieces: Vec<(usize, usize, usize)> = Vec::new(); // sentence-or-word-run spans with counts
    for (ss, se) in sentences(&text[start..end]) {
        let (ss, se) = (start + ss, start + se);
        let n = count_tokens(&text[ss..se]);
        if n <= MAX_TOKENS {
            pieces.push((ss, se, n));
            continue;
        }
        // Cut the sentence every MAX_TOKENS tokens, at a token start.
        let mut cut_start = ss;
        let mut count = 0;
        let mut last_end = ss;
        for_each_token(&text[ss..se], |_, ts, te| {
            if count == MAX_TOKENS {
                // CJK bigrams overlap their successor: end where the next piece starts.
                pieces.push((cut_start, last_end.min(ss + ts), count));
                cut_start = ss + ts;
                count = 0;
            }
            count += 1;
            last_end = ss + te;
        });
        pieces.push((cut_start, se, count));
    }
    let mut out = Vec::new();
    let mut current: Option<(usize, usize, usize)> = None;
    for (s, e, n) in pieces {
        current = match current {
            Some((cs, _, t)) if t + n <= MAX_TOKENS => Some((cs, e, t + n)),
            Some((cs, ce, _)) => {
                out.push(Span::new(cs, ce));
                Some((s, e, n))
            }
            None => Some((s, e, n)),
        };
    }
    if let Some((s, e, _)) = current {
        out.push(Span::new(s, e));
    }
    out
}
