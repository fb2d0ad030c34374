//! Free answers: the model writes one or two sentences with `[n]` marks over the reader prompt, and
//! every mark is checked before it is shown.
//!
//! A sentence's mark `[n]` is kept when the words of the sentence are in passage n (lexical support:
//! at least [`MIN_SUPPORT`] of its content words) and the passage makes the sentence more likely
//! to the model (the log-likelihood of the sentence after the question with passage n, minus after
//! the question alone, is positive); the citation is then the passage's sentence that shares most
//! of its words, `verified: true`. A mark with lexical support but no gain in likelihood stays,
//! `verified: false`; a mark without support is dropped. Sentences left with no verified mark are
//! removed from the answer; with none left, the answer is [`super::NOT_FOUND`].

use std::collections::HashSet;

use super::read::{self, Source, Style};
use super::retrieve::Retrieved;
use super::{Answer, Citation, Mode, NOT_FOUND};
use crate::doc::{Document, collapse};
use crate::index::{Index, sentences, tokenize};
use crate::model::chat::{Message, chatml};
use crate::model::{Forward, GenerateOptions, Sampler, Tokenizer, generate_on};
use crate::span::Span;

/// Share of a sentence's content words that must be in the passage it cites.
pub const MIN_SUPPORT: f32 = 0.5;
/// Longest free answer, in tokens.
pub const MAX_NEW_TOKENS: usize = 96;
/// Passages the model reads.
pub const READ_PASSAGES: usize = 3;

/// The free answer to `question`; `on_text` receives the model's text as it is written (return
/// false to stop), before the marks are checked.
pub fn answer(
    doc: &Document,
    index: &Index,
    question: &str,
    found: &Retrieved,
    tok: &Tokenizer,
    model: &mut dyn Forward,
    on_text: &mut dyn FnMut(&str) -> bool,
) -> crate::Result<Answer> {
    let prompt = read::for_question(doc, index, question, (found, READ_PASSAGES), Style::Sentences, tok);
    if prompt.sources.is_empty() {
        return Ok(not_found());
    }
    model.reset();
    let ids = tok.encode(&prompt.text)?;
    let sampler = Sampler::new(0.0, 0, 1.0, 1.15, 0);
    let mut opts = GenerateOptions { max_new_tokens: MAX_NEW_TOKENS, sampler, top_logits: 0 };
    let written = generate_on(tok, model, &ids, &mut opts, &mut |_, piece| on_text(piece))?.text;

    let mut kept = Vec::new();
    let mut citations: Vec<Citation> = Vec::new();
    for (s, e) in sentences::sentences(&written) {
        let (claim, marks) = split_marks(&written[s..e]);
        let mut verified_any = false;
        for n in marks {
            let Some(source) = prompt.sources.get(n.wrapping_sub(1)) else { continue };
            let (support, cited) = support(doc, source, &claim);
            if support < MIN_SUPPORT {
                continue;
            }
            let gain = likelihood_gain(doc, tok, model, question, source, &claim)?;
            let verified = gain > 0.0;
            verified_any |= verified;
            if citations.iter().all(|c| c.span != cited) {
                citations.push(Citation {
                    passage: source.passage,
                    page: doc.page_at(cited.start),
                    span: cited,
                    outline_path: source.path.clone(),
                    verified,
                });
            }
        }
        if verified_any {
            kept.push(collapse(&written[s..e]));
        }
    }
    if kept.is_empty() {
        return Ok(not_found());
    }
    let quote = citations.iter().map(|c| collapse(doc.slice(c.span))).collect::<Vec<_>>().join(" ");
    Ok(Answer {
        text: kept.join(" "),
        short: None,
        quote,
        found: true,
        citations,
        mode: Mode::Free,
        score: None,
        support: None,
        see_also: Vec::new(),
    })
}

fn not_found() -> Answer {
    Answer {
        text: NOT_FOUND.into(),
        short: None,
        quote: String::new(),
        found: false,
        citations: Vec::new(),
        mode: Mode::Free,
        score: None,
        support: None,
        see_also: Vec::new(),
    }
}

/// A written sentence without its `[n]` marks, and the marks' numbers in order.
fn split_marks(sentence: &str) -> (String, Vec<usize>) {
    let mut claim = String::new();
    let mut marks = Vec::new();
    let mut rest = sentence;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let close = after.find(']');
        let inside = close.map(|c| &after[..c]);
        let numbers: Option<Vec<usize>> =
            inside.and_then(|i| i.split(',').map(|n| n.trim().parse::<usize>().ok()).collect::<Option<_>>());
        match (close, numbers) {
            (Some(c), Some(ns)) => {
                claim.push_str(&rest[..open]);
                marks.extend(ns);
                rest = &after[c + 1..];
            }
            _ => {
                claim.push_str(&rest[..open + 1]);
                rest = after;
            }
        }
    }
    claim.push_str(rest);
    (collapse(&claim).replace(" .", "."), marks)
}

fn content_words(text: &str) -> HashSet<String> {
    tokenize::terms(text).into_iter().filter(|t| !tokenize::is_stopword(t)).collect()
}

/// The share of the claim's content words that the shown passage holds, and the passage's sentence
/// sharing most of them (the citation).
fn support(doc: &Document, source: &Source, claim: &str) -> (f32, Span) {
    let words = content_words(claim);
    let shown = content_words(doc.slice(source.shown));
    let share =
        if words.is_empty() { 0.0 } else { words.intersection(&shown).count() as f32 / words.len() as f32 };
    let best = source
        .sentences
        .iter()
        .max_by_key(|s| content_words(doc.slice(**s)).intersection(&words).count())
        .copied()
        .unwrap_or(source.shown);
    (share, best)
}

/// log p(claim | question, passage) - log p(claim | question), both as the model's reply.
fn likelihood_gain(
    doc: &Document,
    tok: &Tokenizer,
    model: &mut dyn Forward,
    question: &str,
    source: &Source,
    claim: &str,
) -> crate::Result<f32> {
    let passage = collapse(doc.slice(source.shown));
    let with = format!("Passage: {passage}\n\nQuestion: {}", collapse(question));
    let without = format!("Question: {}", collapse(question));
    Ok(reply_logp(tok, model, &with, claim)? - reply_logp(tok, model, &without, claim)?)
}

/// The model's log-probability of `reply` as its answer to `user`.
fn reply_logp(tok: &Tokenizer, model: &mut dyn Forward, user: &str, reply: &str) -> crate::Result<f32> {
    let prompt = tok.encode(&chatml(&[Message { role: "user", content: user }]))?;
    let reply = tok.encode(reply)?;
    model.reset();
    let mut logits = model.feed(&prompt)?.to_vec();
    let mut total = 0.0;
    for (i, &id) in reply.iter().enumerate() {
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let lse = max + logits.iter().map(|v| (v - max).exp()).sum::<f32>().ln();
        total += logits[id as usize] - lse;
        if i + 1 < reply.len() {
            logits.copy_from_slice(model.feed(&[id])?);
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_read_and_taken_out_of_the_claim() {
        let (claim, marks) = split_marks("The mill was painted green [2]. ");
        assert_eq!(claim, "The mill was painted green.");
        assert_eq!(marks, [2]);
        let (claim, marks) = split_marks("Bread [1, 3] and flour [x] came first.");
        assert_eq!(claim, "Bread and flour [x] came first.");
        assert_eq!(marks, [1, 3]);
    }
}
