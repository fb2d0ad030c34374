//! The document cut into windows the model reads one at a time: whole paragraphs packed up to the
//! window's token count, a new window at a section start once the current one is half full.

use crate::model::{ModelError, Tokenizer};
use crate::span::Span;

/// One window: a span of the document's text and its tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    pub span: Span,
    pub tokens: Vec<u32>,
}

/// Paragraphs of `text[span]`: each ends after its run of blank-line newlines, or at a section start.
fn paragraphs(text: &str, span: Span, section_starts: &[usize]) -> Vec<Span> {
    let mut cuts: Vec<usize> =
        section_starts.iter().copied().filter(|&s| s > span.start && s < span.end).collect();
    let body = &text[span.start..span.end];
    let mut at = 0;
    while let Some(i) = body[at..].find("\n\n") {
        let mut end = at + i + 2;
        while body[end..].starts_with('\n') {
            end += 1;
        }
        cuts.push(span.start + end);
        at = end;
    }
    cuts.push(span.end);
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::with_capacity(cuts.len());
    let mut start = span.start;
    for c in cuts {
        if c > start {
            out.push(Span::new(start, c));
            start = c;
        }
    }
    out
}

/// Splits a paragraph longer than `max` tokens at a space near its middle until every part fits.
fn fit(
    text: &str,
    span: Span,
    tok: &Tokenizer,
    max: usize,
    out: &mut Vec<(Span, Vec<u32>)>,
) -> Result<(), ModelError> {
    let ids = tok.encode(&text[span.start..span.end])?;
    if ids.len() <= max || span.end - span.start < 2 {
        if !ids.is_empty() {
            out.push((span, ids));
        }
        return Ok(());
    }
    let mut mid = span.start + (span.end - span.start) / 2;
    while !text.is_char_boundary(mid) {
        mid += 1;
    }
    let cut = text[mid..span.end].find(' ').map_or(mid, |i| mid + i + 1).min(span.end);
    let cut = if cut >= span.end { mid } else { cut };
    if cut <= span.start || cut >= span.end {
        // One unbreakable run: its tokens are split where they fall (spans stay approximate).
        for part in ids.chunks(max) {
            out.push((span, part.to_vec()));
        }
        return Ok(());
    }
    fit(text, Span::new(span.start, cut), tok, max, out)?;
    fit(text, Span::new(cut, span.end), tok, max, out)
}

/// Windows of at most `max` tokens over `text[body]`, cut at paragraph ends, and at a section start
/// (byte offsets, e.g. the outline's) once the window holds `max / 2` tokens.
pub fn cut(
    text: &str,
    body: Span,
    section_starts: &[usize],
    tok: &Tokenizer,
    max: usize,
) -> Result<Vec<Window>, ModelError> {
    let max = max.max(1);
    let mut pieces = Vec::new();
    for p in paragraphs(text, body, section_starts) {
        fit(text, p, tok, max, &mut pieces)?;
    }
    let mut out: Vec<Window> = Vec::new();
    let mut cur: Option<Window> = None;
    for (span, ids) in pieces {
        if let Some(w) = cur.as_mut() {
            let section = section_starts.binary_search(&span.start).is_ok();
            if w.tokens.len() + ids.len() <= max && !(section && w.tokens.len() >= max / 2) {
                w.span.end = span.end;
                w.tokens.extend_from_slice(&ids);
                continue;
            }
            out.extend(cur.take());
        }
        cur = Some(Window { span, tokens: ids });
    }
    out.extend(cur);
    Ok(out)
}
