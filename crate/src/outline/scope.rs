//! Scope lines: an outline node in, one sentence of its own section saying what the section is
//! about out (extractive, StruXGPT's "scope" of a node), for readers scanning the outline and
//! for whole-document questions ("what is chapter 3 about").
//!
//! The sentence is the most central of the section's first few prose sentences: the one whose
//! words recur most (per word) in the section's opening text and in its title, each later
//! sentence needing a margin over the earlier ones (a section usually says what it is about
//! first). A section with no prose sentence gets
//! its first line of text; a section that is only its heading gets the heading line.

use std::collections::HashMap;

use super::bookmarks::squash;
use super::{Outline, OutlineNode};
use crate::doc::{Document, collapse};
use crate::span::Span;

/// Only this much of a section's opening text is read (bytes): the scope is near the start, and
/// a 100-page chapter costs no more than a short one.
const WINDOW: usize = 4000;
/// At most this many candidate sentences are compared.
const CANDIDATES: usize = 6;
/// A scope line longer than this (bytes) is cut at a word boundary.
const MAX_SCOPE: usize = 300;
/// A prose sentence has at least this many words (CJK: characters / 2).
const MIN_WORDS: usize = 5;

/// A node's scope line: where it is in the text, and its text with whitespace collapsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    pub span: Span,
    pub text: String,
}

/// The scope line of every node of `outline`, in [`Outline::flatten`] order.
pub fn scopes(doc: &Document, outline: &Outline) -> Vec<Scope> {
    outline.flatten().into_iter().map(|(n, _)| scope(doc, n)).collect()
}

/// The scope line of one node: always a span inside `node.span`.
pub fn scope(doc: &Document, node: &OutlineNode) -> Scope {
    let section = node.span;
    let body = after_heading(doc, node);
    // The node's own text before its first subsection; when a chapter heading is followed at
    // once by its first section, the chapter's opening text is that section's.
    let own_end = node.children.first().map_or(section.end, |c| c.span.start);
    let own = if has_words(&doc.text[body.start..own_end.max(body.start)]) {
        Span::new(body.start, own_end.max(body.start))
    } else {
        body
    };
    let end = floor_boundary(&doc.text, (own.start + WINDOW).min(own.end));
    let window = Span::new(own.start, end);
    let span = central_sentence(doc, node, window)
        .or_else(|| first_line(doc, window))
        .unwrap_or_else(|| heading_line(doc, section));
    let span = shorten(doc, span);
    Scope { span, text: collapse(doc.slice(span)) }
}

/// The section after its heading's line(s): the lines whose words are all in the title.
fn after_heading(doc: &Document, node: &OutlineNode) -> Span {
    let title = squash(&node.title);
    let mut at = node.span.start;
    let mut seen = String::new();
    while at < node.span.end {
        let line_end = doc.text[at..node.span.end].find('\n').map_or(node.span.end, |i| at + i);
        let line = squash(&doc.text[at..line_end]);
        seen.push_str(&line);
        let part_of_title = !line.is_empty() && (title.contains(&line) || seen == title);
        if !(part_of_title || line.is_empty() || at == node.span.start) {
            break;
        }
        at = (line_end + 1).min(node.span.end);
    }
    Span::new(at, node.span.end)
}

fn heading_line(doc: &Document, section: Span) -> Span {
    let end = doc.text[section.start..section.end].find('\n').map_or(section.end, |i| section.start + i);
    Span::new(section.start, end)
}

/// The first non-blank line of the window.
fn first_line(doc: &Document, window: Span) -> Option<Span> {
    let mut at = window.start;
    for line in doc.text[window.start..window.end].split_inclusive('\n') {
        let trimmed = line.trim();
        if !trimmed.is_empty() {
            let start = at + line.find(trimmed).unwrap_or(0);
            return Some(Span::new(start, start + trimmed.len()));
        }
        at += line.len();
    }
    None
}

/// The best of the window's first prose sentences (see the module doc).
fn central_sentence(doc: &Document, node: &OutlineNode, window: Span) -> Option<Span> {
    let text = &doc.text[window.start..window.end];
    let sentences: Vec<Span> =
        sentences(text).filter(|s| prose(&text[s.start..s.end])).take(CANDIDATES).collect();
    if sentences.is_empty() {
        return None;
    }
    let mut counts: HashMap<String, usize> = HashMap::new();
    for w in words(text) {
        *counts.entry(w).or_default() += 1;
    }
    let title: Vec<String> = words(&node.title).collect();
    let score = |s: &Span| {
        let ws: Vec<String> = words(&text[s.start..s.end]).collect();
        let recurring: usize = ws.iter().map(|w| counts.get(w).map_or(0, |n| n - 1)).sum();
        let in_title = ws.iter().filter(|w| title.contains(w)).count();
        (recurring + 3 * in_title) as f64 / ws.len().max(1) as f64
    };
    let (best, _) = sentences.iter().enumerate().fold((0, f64::MIN), |(bi, bs), (i, s)| {
        // Each later sentence must beat the earlier ones by a margin.
        let v = score(s) - 0.5 * i as f64;
        if v > bs { (i, v) } else { (bi, bs) }
    });
    let s = sentences[best];
    Some(Span::new(window.start + s.start, window.start + s.end))
}

/// Sentences of `text` as byte ranges: ended by . ! ? (before a space), by 。！？, or by a
/// paragraph break. Leading whitespace is not part of a sentence.
fn sentences(text: &str) -> impl Iterator<Item = Span> + '_ {
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some((i, c)) = chars.next() {
            let next = chars.peek().map(|&(_, n)| n);
            let end = match c {
                '.' | '!' | '?' if next.is_none_or(char::is_whitespace) => Some(i + 1),
                '。' | '！' | '？' => Some(i + c.len_utf8()),
                '\n' if next == Some('\n') => Some(i),
                _ => None,
            };
            if let Some(end) = end {
                let s = trim(text, start, end);
                start = end;
                if s.end > s.start {
                    return Some(s);
                }
            }
        }
        let s = trim(text, start, text.len());
        start = text.len();
        (s.end > s.start).then_some(s)
    })
}

fn trim(text: &str, start: usize, end: usize) -> Span {
    let piece = &text[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    Span::new(start + lead, (end - trail).max(start + lead))
}

/// A prose sentence: enough words, mostly letters (not code, a table row or a list of numbers).
fn prose(s: &str) -> bool {
    let cjk = s.chars().filter(|c| crate::doc::is_cjk(*c)).count();
    let words = s.split_whitespace().count() + cjk / 2;
    let visible = s.chars().filter(|c| !c.is_whitespace()).count().max(1);
    let letters = s.chars().filter(|c| c.is_alphabetic()).count();
    // Not a list item or a continuation: it starts with a capital, a digit or a quote.
    let opens =
        s.chars().next().is_some_and(|c| (c.is_alphanumeric() && !c.is_lowercase()) || "\"'“‘«(".contains(c));
    words >= MIN_WORDS && letters * 10 >= visible * 7 && opens
}

fn has_words(s: &str) -> bool {
    s.chars().any(char::is_alphabetic)
}

/// Lower-cased words of three letters or more (CJK: each character).
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric() || crate::doc::is_cjk(c))
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .chain(text.chars().filter(|c| crate::doc::is_cjk(*c)).map(String::from))
}

/// Cuts a long scope at the last word boundary before [`MAX_SCOPE`].
fn shorten(doc: &Document, span: Span) -> Span {
    if span.len() <= MAX_SCOPE {
        return span;
    }
    let limit = floor_boundary(&doc.text, span.start + MAX_SCOPE);
    let cut = doc.text[span.start..limit].rfind(char::is_whitespace).map_or(limit, |i| span.start + i);
    Span::new(span.start, cut.max(span.start + 1).min(span.end))
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        Document::from_bytes("notes.md", text.as_bytes()).unwrap()
    }

    #[test]
    fn the_scope_is_a_central_sentence_of_the_section_itself() {
        let text = "# Bread\n\nThis chapter explains how to bake bread at home with little yeast. \
                    Bake bread in a hot oven until the crust of the bread is dark. \
                    Some people like it.\n\n# Cheese\n\nCheese is milk that has been kept and pressed for months.\n";
        let d = doc(text);
        let outline = Outline::build(&d, false);
        let flat = outline.flatten();
        assert_eq!(flat.len(), 2, "{outline:?}");
        for ((node, _), scope) in flat.iter().zip(scopes(&d, &outline)) {
            assert!(node.span.start <= scope.span.start && scope.span.end <= node.span.end);
            assert_eq!(scope.text, collapse(d.slice(scope.span)));
        }
        let all = scopes(&d, &outline);
        assert!(all[0].text.contains("bread"), "{:?}", all[0]);
        assert!(!all[0].text.contains("Some people"), "{:?}", all[0]);
        assert_eq!(all[1].text, "Cheese is milk that has been kept and pressed for months.");
    }

    #[test]
    fn sentences_split_at_stops_and_paragraphs() {
        let text = "One two three. Four five?\n\nSix seven 3.5 eight。九十";
        let got: Vec<&str> = sentences(text).map(|s| &text[s.start..s.end]).collect();
        assert_eq!(got, vec!["One two three.", "Four five?", "Six seven 3.5 eight。", "九十"]);
    }

    #[test]
    fn long_scopes_are_cut_at_a_word() {
        let long = format!("# Topic\n\nThe {} end.\n", "very ".repeat(100));
        let d = doc(&long);
        let outline = Outline::build(&d, false);
        let s = scope(&d, &outline.nodes[0]);
        assert!(s.span.len() <= MAX_SCOPE && s.text.starts_with("The very"), "{s:?}");
    }
}
