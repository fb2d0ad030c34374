//! The reader prompt: a question and the passages [`super::retrieve`] found in, the text the model
//! reads out, with the part of each passage it saw.
//!
//! Each passage is tagged `[1]..[k]` with its outline path (and page, for paged documents), so an
//! answer can name where it comes from. A token budget bounds the prompt (prefill time grows with
//! it): each passage gets an equal share, and a passage longer than its share is trimmed to the run
//! of whole sentences around the one that holds the most of the question's weight, so the part
//! that matters is what the model reads.

use super::retrieve::Retrieved;
use crate::doc::{Document, collapse};
use crate::index::{Hit, Index, QueryTerm, sentences, tokenize};
use crate::model::chat::{Message, chatml};
use crate::span::Span;

/// How the model is asked to answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// A short phrase copied from the passages (grounded mode).
    Span,
    /// One or two sentences with `[n]` marks (free mode).
    Sentences,
}

impl Style {
    pub fn instruction(self) -> &'static str {
        match self {
            Style::Span => {
                "You answer questions using only the numbered passages given. Reply with the few words of a passage that answer the question, copied exactly, and nothing else."
            }
            Style::Sentences => {
                "You answer questions using only the numbered passages given. Answer in one or two sentences and cite passages like [1]. If the passages do not contain the answer, say so."
            }
        }
    }
}

/// One passage as the model saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// The tag number, from 1.
    pub n: usize,
    /// Index into [`Index::passages`].
    pub passage: usize,
    pub page: u32,
    pub path: Vec<String>,
    /// The part of the passage shown: whole sentences, a span of `Document::text`.
    pub shown: Span,
    /// The shown sentences (spans of `Document::text`), in order.
    pub sentences: Vec<Span>,
}

/// The prompt text (ChatML, the assistant turn opened) and what it holds.
#[derive(Clone, Debug)]
pub struct Prompt {
    pub text: String,
    pub sources: Vec<Source>,
}

/// Tokens the prompt may use in all: the instructions, the question and the passages.
pub const PROMPT_TOKENS: usize = 480;

/// The prompt's size limit, and how text is measured: the model's tokenizer, or any monotone
/// estimate ([`estimate_tokens`]; the budget is then in its unit).
pub struct Budget<'a> {
    pub tokens: usize,
    pub count: &'a dyn Fn(&str) -> usize,
}

/// The reader prompt for `question` over the `k` best of the passages `found` for it
/// ([`super::retrieve`]), measured by the model's tokenizer against [`PROMPT_TOKENS`].
pub fn for_question(
    doc: &Document,
    index: &Index,
    question: &str,
    (found, k): (&Retrieved, usize),
    style: Style,
    tok: &crate::model::Tokenizer,
) -> Prompt {
    let hits = &found.hits[..k.min(found.hits.len())];
    let count = |s: &str| tok.encode(s).map_or_else(|_| estimate_tokens(s), |ids| ids.len());
    let budget = Budget { tokens: PROMPT_TOKENS, count: &count };
    build(doc, index, question, (&found.terms(), hits), style, &budget)
}

/// The reader prompt for `question` over `hits` (best first) and the question's `terms`.
pub fn build(
    doc: &Document,
    index: &Index,
    question: &str,
    (terms, hits): (&[QueryTerm], &[Hit]),
    style: Style,
    budget: &Budget<'_>,
) -> Prompt {
    let (count, budget) = (budget.count, budget.tokens);
    let head = count(style.instruction()) + count(question) + 40;
    let share = budget.saturating_sub(head) / hits.len().max(1);
    let paged = doc.pages.len() > 1;
    let mut context = String::new();
    let mut sources = Vec::new();
    for hit in hits {
        let Some(p) = index.passages.get(hit.passage) else { continue };
        let label = label(&p.path, paged.then_some(p.page));
        let room = share.saturating_sub(count(&label) + 4);
        let shown = trim(doc, p.span, &p.path, terms, room, count);
        if shown.is_empty() {
            continue;
        }
        let n = sources.len() + 1;
        let text = shown.iter().map(|s| doc.slice(*s)).collect::<Vec<_>>().join(" ");
        context.push_str(&format!("[{n}] {label}{}\n\n", collapse(&text)));
        sources.push(Source {
            n,
            passage: hit.passage,
            page: p.page,
            path: p.path.clone(),
            shown: Span::new(shown[0].start, shown[shown.len() - 1].end),
            sentences: shown,
        });
    }
    let user = format!("{PASSAGES}\n\n{context}Question: {}", collapse(question));
    let text = chatml(&[
        Message { role: "system", content: style.instruction() },
        Message { role: "user", content: &user },
    ]);
    Prompt { text, sources }
}

/// What the user turn opens with, before a blank line and the first passage.
const PASSAGES: &str = "Passages:";

/// The text every reader prompt of `style` starts with, up to the heading of the passages: the part
/// a model can read once and share between questions ([`crate::model::SharedPrefix`]). It stops
/// before the blank line: at the end of a text the tokenizer reads "\n\n" as one token, before
/// "[1]" as two, so a cut after it would not be a token boundary of the prompts.
pub fn opening(style: Style) -> String {
    let text = chatml(&[
        Message { role: "system", content: style.instruction() },
        Message { role: "user", content: PASSAGES },
    ]);
    let end = text.rfind(PASSAGES).map_or(0, |i| i + PASSAGES.len());
    text[..end].to_string()
}

/// Passage `passage` as a reader is shown it alone: its label and the sentences around the
/// question's words, within `room` tokens.
pub fn passage_text(
    doc: &Document,
    index: &Index,
    passage: usize,
    terms: &[QueryTerm],
    room: usize,
    count: &dyn Fn(&str) -> usize,
) -> String {
    let Some(p) = index.passages.get(passage) else { return String::new() };
    let label = label(&p.path, (doc.pages.len() > 1).then_some(p.page));
    let shown = trim(doc, p.span, &p.path, terms, room.saturating_sub(count(&label)), count);
    let text = shown.iter().map(|s| doc.slice(*s)).collect::<Vec<_>>().join(" ");
    format!("{label}{}", collapse(&text))
}

/// "(Chapter 2 › The letter, p. 14) " — the empty string for a passage before any heading on an
/// unpaged document.
fn label(path: &[String], page: Option<u32>) -> String {
    let mut parts = Vec::new();
    if !path.is_empty() {
        parts.push(path.join(" \u{203A} "));
    }
    if let Some(page) = page {
        parts.push(format!("p. {page}"));
    }
    if parts.is_empty() { String::new() } else { format!("({}) ", parts.join(", ")) }
}

/// The sentences of `passage` the model sees within `room` tokens: the one holding the most of the
/// question's weight, then its neighbours, nearest first, before and after in turn, while they fit.
/// At least the best sentence (cut at a word when it alone is too long).
fn trim(
    doc: &Document,
    passage: Span,
    path: &[String],
    terms: &[QueryTerm],
    room: usize,
    count: &dyn Fn(&str) -> usize,
) -> Vec<Span> {
    // A heading the label already names is not read twice.
    let titles: Vec<String> = path.iter().map(|t| collapse(t)).collect();
    let all: Vec<Span> = sentences::sentences(doc.slice(passage))
        .into_iter()
        .map(|(s, e)| Span::new(passage.start + s, passage.start + e))
        .filter(|s| !titles.contains(&collapse(doc.slice(*s))))
        .collect();
    if all.is_empty() {
        return Vec::new();
    }
    let weight = |s: &Span| -> f32 {
        let have: std::collections::HashSet<String> = tokenize::terms(doc.slice(*s)).into_iter().collect();
        terms.iter().filter(|t| have.contains(&t.term)).map(|t| t.idf * t.weight).sum()
    };
    let best = (0..all.len()).fold(0, |b, i| if weight(&all[i]) > weight(&all[b]) { i } else { b });
    let (mut lo, mut hi) = (best, best + 1);
    let mut used = count(doc.slice(all[best]));
    if used > room {
        return vec![cut(doc, all[best], room, count)];
    }
    loop {
        let mut grew = false;
        for take_before in [true, false] {
            let next = if take_before { lo.checked_sub(1) } else { (hi < all.len()).then_some(hi) };
            let Some(i) = next else { continue };
            let cost = count(doc.slice(all[i])) + 1;
            if used + cost > room {
                continue;
            }
            used += cost;
            grew = true;
            if take_before { lo = i } else { hi = i + 1 }
        }
        if !grew {
            break;
        }
    }
    all[lo..hi].to_vec()
}

/// The longest prefix of `sentence`, cut after a word, that fits `room` tokens.
fn cut(doc: &Document, sentence: Span, room: usize, count: &dyn Fn(&str) -> usize) -> Span {
    let text = doc.slice(sentence);
    let mut end = 0;
    for (i, _) in text.match_indices(' ') {
        if count(&text[..i]) > room {
            break;
        }
        end = i;
    }
    Span::new(sentence.start, sentence.start + end.max(text.find(' ').unwrap_or(text.len())))
}

/// A token estimate without the model: words and punctuation marks.
pub fn estimate_tokens(text: &str) -> usize {
    text.split_whitespace().map(|w| 1 + w.chars().filter(|c| c.is_ascii_punctuation()).count()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outline::Outline;

    const TEXT: &str = "Chapter 1\n\nThe mill stood by the river. Its wheel was painted green. \
        The miller sold flour to the village every Tuesday. Nobody remembered when it was built.\n\n\
        Chapter 2\n\nThe baker bought the flour. She baked bread at dawn.\n";

    fn setup() -> (Document, Index) {
        let doc = Document::from_bytes("t.txt", TEXT.as_bytes()).unwrap();
        let index = Index::build(&doc, &Outline::build(&doc, false));
        (doc, index)
    }

    #[test]
    fn passages_are_tagged_with_their_section_and_the_question_comes_last() {
        let (doc, index) = setup();
        let q = "When did the miller sell flour?";
        let (terms, hits) = crate::qa::retrieve(&doc, &index, q, 2);
        let p = build(
            &doc,
            &index,
            q,
            (&terms, &hits),
            Style::Span,
            &Budget { tokens: 400, count: &estimate_tokens },
        );
        assert_eq!(p.sources.len(), 2);
        assert!(p.text.contains("[1] (Chapter 1) The mill stood by the river."), "{}", p.text);
        assert!(p.text.contains("[2] (Chapter 2) The baker"), "{}", p.text);
        assert!(p.text.trim_end().ends_with("<|im_start|>assistant"));
        assert!(p.text.contains("Question: When did the miller sell flour?<|im_end|>"));
        assert!(p.text.starts_with(&opening(Style::Span)), "{}", p.text);
        assert!(opening(Style::Span).ends_with("<|im_start|>user\nPassages:"));
        assert!(!p.text.starts_with(&opening(Style::Sentences)), "each style has its own opening");
        for s in &p.sources {
            assert_eq!(s.shown.start, s.sentences[0].start);
            assert!(index.passages[s.passage].span.start <= s.shown.start);
            assert!(s.shown.end <= index.passages[s.passage].span.end);
        }
    }

    #[test]
    fn a_tight_budget_keeps_the_sentence_with_the_question_words() {
        let (doc, index) = setup();
        let q = "When did the miller sell flour to the village?";
        let (terms, hits) = crate::qa::retrieve(&doc, &index, q, 1);
        let head = estimate_tokens(Style::Span.instruction()) + estimate_tokens(q) + 40;
        let p = build(
            &doc,
            &index,
            q,
            (&terms, &hits),
            Style::Span,
            &Budget { tokens: head + 20, count: &estimate_tokens },
        );
        let shown: Vec<&str> = p.sources[0].sentences.iter().map(|s| doc.slice(*s)).collect();
        assert_eq!(shown, ["The miller sold flour to the village every Tuesday."]);
        // With room, the neighbours come back, in document order.
        let p = build(
            &doc,
            &index,
            q,
            (&terms, &hits),
            Style::Span,
            &Budget { tokens: head + 60, count: &estimate_tokens },
        );
        let shown: Vec<&str> = p.sources[0].sentences.iter().map(|s| doc.slice(*s)).collect();
        assert_eq!(shown.len(), 4, "{shown:?}");
        assert!(p.sources[0].sentences.windows(2).all(|w| w[0].end <= w[1].start));
    }

    #[test]
    fn a_sentence_longer_than_the_room_is_cut_after_a_word() {
        let (doc, _) = setup();
        let start = TEXT.find("The miller").unwrap();
        let span = Span::new(start, TEXT.find("Tuesday.").unwrap() + 8);
        let s = cut(&doc, span, 3, &estimate_tokens);
        assert_eq!(doc.slice(s), "The miller sold");
        assert_eq!(label(&["A".into(), "B".into()], Some(3)), "(A \u{203A} B, p. 3) ");
        assert_eq!(label(&[], None), "");
    }
}
