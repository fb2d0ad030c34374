//! Grounded answers: the model picks the answer, but only among the words of the passages it read,
//! so the answer is verbatim and its span and citation exact by construction.
//!
//! Constrained copy decoding: every run of up to [`MAX_WORDS`] whole words that starts a word in a
//! shown sentence is a candidate, as its token ids (the first word without a leading space, as the
//! model writes it at the start of its reply). At each step the model may only write a token that
//! continues some candidate, or end its reply where a candidate ends a word; greedy over those. The
//! candidates still matching when it ends are the occurrences of the answer; the one in the sentence
//! holding most of the question's weight is cited.
//!
//! Abstention: the answer's mean log-probability per token (its end included), under the model's
//! whole vocabulary, is the confidence; below [`MIN_SCORE`] the answer is [`super::NOT_FOUND`].
//! On the dev needle set no threshold separates unanswerable questions without dropping the
//! answer rate under 0.90 (README, answer modes), so it is off. The answer's `support` (what the
//! passages add to its likelihood) does not separate them either (README).

use std::collections::HashSet;

use super::question::{Kind, NamePart};
use super::read::{self, Prompt, Style};
use super::retrieve::Retrieved;
use super::{Answer, Citation, Mode, NOT_FOUND};
use crate::doc::{Document, collapse};
use crate::index::{Index, QueryTerm, tokenize};
use crate::model::chat::{Message, chatml};
use crate::model::generate::Utf8Stream;
use crate::model::{Forward, Tokenizer};
use crate::span::Span;

/// Longest answer, in words.
pub const MAX_WORDS: usize = 8;
/// Passages the model reads.
pub const READ_PASSAGES: usize = 3;
/// Added to the end-of-reply logit where the answer may end: copying, the model rarely ends a
/// reply mid-sentence on its own, while answers are a few words (chosen on the dev needle set).
pub const STOP_BONUS: f32 = 3.0;
/// Mean log-probability per answer token below which the answer is withheld (off: see the module doc).
pub const MIN_SCORE: f32 = f32::NEG_INFINITY;

/// One run of words the answer may be: its ids and where each of its words ends.
struct Candidate {
    /// Index into the prompt's sources.
    source: usize,
    sentence: Span,
    start: usize,
    ids: Vec<u32>,
    /// (ids so far, byte end of the word) after each whole word.
    ends: Vec<(usize, usize)>,
}

/// The grounded answer to `question`; `model` is the forward pass (any backend, its state is reset).
/// `on_text` sees the answer's text as each token is picked (an answer is a few tokens: it always
/// runs to its end; a withheld answer was shown this way too, so callers show the final [`Answer`]).
pub fn answer(
    doc: &Document,
    index: &Index,
    question: &str,
    found: &Retrieved,
    tok: &Tokenizer,
    model: &mut dyn Forward,
    on_text: &mut dyn FnMut(&str) -> bool,
) -> crate::Result<Answer> {
    let prompt = read::for_question(doc, index, question, (found, READ_PASSAGES), Style::Span, tok);
    let terms = found.terms();
    let extractive = super::answer_from(doc, index, question, found.clone());
    let asked: HashSet<String> =
        tokenize::terms(&super::question::parse(question).text).into_iter().collect();
    let sentences = answer_sentences(doc, &prompt, &terms, &extractive);
    let kind = super::question::parse(question).kind;
    let mut bounds = Bounds { asked, kind };
    let mut candidates = candidates(doc, &sentences, &bounds, tok)?;
    if candidates.is_empty() {
        // No word of the asked kind there: any words may answer.
        bounds.kind = Kind::Other;
        candidates = self::candidates(doc, &sentences, &bounds, tok)?;
    }
    if candidates.is_empty() {
        return Ok(not_found());
    }
    model.reset();
    let ids = tok.encode(&prompt.text)?;
    let picked = decode(tok, model, &ids, &candidates, on_text)?;
    let Some(Picked { live, score, logp, len }) = picked else { return Ok(not_found()) };
    let (c, end) = best_occurrence(doc, &terms, &candidates, &live);
    let cand = &candidates[c];
    let support = support(tok, model, question, &cand.ids[..len.min(cand.ids.len())], logp)?;
    if score < MIN_SCORE {
        return Ok(Answer { score: Some(score), support: Some(support), ..not_found() });
    }
    let source = &prompt.sources[cand.source];
    let span = trim_punctuation(doc, Span::new(cand.start, end));
    let citation = Citation {
        passage: source.passage,
        page: doc.page_at(cand.sentence.start),
        span: cand.sentence,
        outline_path: source.path.clone(),
        verified: true,
    };
    Ok(Answer {
        text: collapse(doc.slice(span)),
        short: Some(span),
        quote: collapse(doc.slice(cand.sentence)),
        found: true,
        citations: vec![citation],
        mode: Mode::Grounded,
        score: Some(score),
        support: Some(support),
        see_also: Vec::new(),
    })
}

/// The answer's mean log-probability per token after the reader prompt (`logp`, summed over the
/// answer's tokens) minus after the question alone: what the passages add to it.
fn support(
    tok: &Tokenizer,
    model: &mut dyn Forward,
    question: &str,
    answer: &[u32],
    logp: f32,
) -> crate::Result<f32> {
    if answer.is_empty() {
        return Ok(0.0);
    }
    let alone = chatml(&[
        Message { role: "system", content: Style::Span.instruction() },
        Message { role: "user", content: &format!("Question: {}", collapse(question)) },
    ]);
    let without: f32 = model.text_logprobs(&tok.encode(&alone)?, answer)?.iter().sum();
    Ok((logp - without) / answer.len() as f32)
}

fn not_found() -> Answer {
    Answer {
        text: NOT_FOUND.into(),
        short: None,
        quote: String::new(),
        found: false,
        citations: Vec::new(),
        mode: Mode::Grounded,
        score: None,
        support: None,
        see_also: Vec::new(),
    }
}

/// The shown sentences the answer may come from, as (source, sentence): the ones the extractive
/// answer cites (its choice of sentence is precise; its choice of words is what the model does
/// better), else the [`FALLBACK_SENTENCES`] holding most of the question's weight.
fn answer_sentences(
    doc: &Document,
    prompt: &Prompt,
    terms: &[QueryTerm],
    extractive: &Answer,
) -> Vec<(usize, Span)> {
    let shown = prompt.sources.iter().enumerate().flat_map(|(i, s)| s.sentences.iter().map(move |&t| (i, t)));
    let cited: Vec<(usize, Span)> =
        shown.clone().filter(|(_, t)| extractive.citations.iter().any(|c| c.span.overlaps(t))).collect();
    if !cited.is_empty() {
        return cited;
    }
    let mut all: Vec<(f32, usize, Span)> = shown.map(|(i, t)| (weight(doc, terms, t), i, t)).collect();
    all.sort_by(|a, b| b.0.total_cmp(&a.0));
    all.into_iter().take(FALLBACK_SENTENCES).map(|(_, i, t)| (i, t)).collect()
}

/// Sentences the answer may come from when the extractive answer cites none.
pub const FALLBACK_SENTENCES: usize = 2;

/// The question's weight a text holds: the idf of each question term in it.
fn weight(doc: &Document, terms: &[QueryTerm], s: Span) -> f32 {
    let have: HashSet<String> = tokenize::terms(doc.slice(s)).into_iter().collect();
    terms.iter().filter(|t| have.contains(&t.term)).map(|t| t.idf * t.weight).sum()
}

/// What the first and last words of an answer must be.
struct Bounds {
    /// The question's terms: an answer tells what the question does not.
    asked: HashSet<String>,
    kind: Kind,
}

/// Words that count things without a number (besides the number words).
const QUANTIFIERS: &[&str] = &["several", "both", "many", "few"];

impl Bounds {
    /// Whether `word` may start or end the answer: not a function word nor a word of the question,
    /// and of the asked kind where the kind shows in a word (a name or place is capitalised, a count
    /// has a digit or a number word, a time a digit or a capital, as a month).
    fn allows(&self, word: &str) -> bool {
        let terms = tokenize::terms(word);
        if terms.is_empty() || terms.iter().any(|t| tokenize::is_stopword(t) || self.asked.contains(t)) {
            return false;
        }
        let capital = capitalised(word);
        let digit = word.chars().any(|c| c.is_ascii_digit());
        match self.kind {
            Kind::Name { .. } | Kind::Place => capital,
            Kind::Number => {
                digit
                    || terms
                        .iter()
                        .any(|t| super::short::is_number_word(t) || QUANTIFIERS.contains(&t.as_str()))
            }
            Kind::Time => digit || capital,
            Kind::Version => digit,
            Kind::Explanation | Kind::YesNo | Kind::Other | Kind::Code { .. } => true,
        }
    }

    /// Most words the answer may have: one for a first or last name.
    fn max_words(&self) -> usize {
        match self.kind {
            Kind::Name { part: NamePart::First | NamePart::Last } => 1,
            _ => MAX_WORDS,
        }
    }
}

/// Every word run of the answer sentences that starts and ends with a word the [`Bounds`] allow, as ids.
fn candidates(
    doc: &Document,
    sentences: &[(usize, Span)],
    bounds: &Bounds,
    tok: &Tokenizer,
) -> crate::Result<Vec<Candidate>> {
    let mut out = Vec::new();
    for &(source, sentence) in sentences {
        let text = doc.slice(sentence);
        let words: Vec<(usize, usize)> = word_spans(text);
        let mut first = Vec::with_capacity(words.len());
        let mut spaced = Vec::with_capacity(words.len());
        for &(a, b) in &words {
            first.push(tok.encode(&text[a..b])?);
            spaced.push(tok.encode(&format!(" {}", &text[a..b]))?);
        }
        let word = |i: usize| &text[words[i].0..words[i].1];
        let capital: Vec<bool> = (0..words.len()).map(|i| capitalised(word(i))).collect();
        let bound: Vec<bool> = (0..words.len()).map(|i| bounds.allows(word(i))).collect();
        for i in (0..words.len()).filter(|&i| bound[i]) {
            // A name is one run of capitalised words: a first name starts it, a last name ends it.
            let name = matches!(bounds.kind, Kind::Name { .. } | Kind::Place);
            let run_end = (i..words.len()).take_while(|&j| capital[j]).last().unwrap_or(i);
            match bounds.kind {
                Kind::Name { part: NamePart::Last } if run_end != i => continue,
                Kind::Name { part: NamePart::First } if i > 0 && capital[i - 1] => continue,
                _ => {}
            }
            let last = if name { run_end + 1 } else { words.len() };
            let mut ids = first[i].clone();
            let mut ends = vec![(ids.len(), sentence.start + words[i].1)];
            for j in i + 1..last.min(i + bounds.max_words()) {
                ids.extend_from_slice(&spaced[j]);
                if bound[j] {
                    ends.push((ids.len(), sentence.start + words[j].1));
                }
            }
            let start = sentence.start + words[i].0;
            out.push(Candidate { source, sentence, start, ids, ends });
        }
    }
    Ok(out)
}

fn capitalised(word: &str) -> bool {
    word.chars().find(|c| c.is_alphanumeric()).is_some_and(char::is_uppercase)
}

/// Byte ranges of the whitespace-separated words of `text`.
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// What the model wrote: the candidates the answer matches, with where it ends in each (byte); its
/// mean log-probability per token, end included (the confidence); the sum over the answer's own
/// tokens; and their number.
struct Picked {
    live: Vec<(usize, usize)>,
    score: f32,
    logp: f32,
    len: usize,
}

/// Greedy decoding restricted to the candidates; None when the model could not start (no candidate).
fn decode(
    tok: &Tokenizer,
    model: &mut dyn Forward,
    prompt: &[u32],
    candidates: &[Candidate],
    on_text: &mut dyn FnMut(&str) -> bool,
) -> crate::Result<Option<Picked>> {
    let mut text = Utf8Stream::default();
    let stops: Vec<u32> = [tok.im_end, tok.eos].into_iter().flatten().collect();
    let mut logits = model.feed(prompt)?.to_vec();
    let mut live: Vec<usize> = (0..candidates.len()).collect();
    let (mut t, mut logp) = (0usize, 0.0f32);
    // Where the answer could have ended last, for a path that runs out of words that may end it.
    let mut last_end: Option<Picked> = None;
    loop {
        let lse = log_sum_exp(&logits);
        let next = live
            .iter()
            .filter_map(|&c| candidates[c].ids.get(t).map(|&id| (id, logits[id as usize])))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let ending: Vec<(usize, usize)> = live
            .iter()
            .filter_map(|&c| candidates[c].ends.iter().find(|e| e.0 == t).map(|e| (c, e.1)))
            .collect();
        let stop = stops.iter().map(|&s| logits[s as usize]).fold(f32::NEG_INFINITY, f32::max) + STOP_BONUS;
        let end_here =
            t > 0 && !ending.is_empty() && next.is_none_or(|n| stop >= n.1 || model.len() >= model.n_ctx());
        let picked = |live| Picked { live, score: (logp + stop - lse) / (t + 1) as f32, logp, len: t };
        if end_here {
            return Ok(Some(picked(ending)));
        }
        if !ending.is_empty() {
            last_end = Some(picked(ending));
        }
        let Some((next, _)) = next else { return Ok(last_end) };
        logp += logits[next as usize] - lse;
        live.retain(|&c| candidates[c].ids.get(t) == Some(&next));
        t += 1;
        on_text(&text.push(&tok.token_bytes(next)));
        logits.copy_from_slice(model.feed(&[next])?);
    }
}

fn log_sum_exp(x: &[f32]) -> f32 {
    let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    max + x.iter().map(|v| (v - max).exp()).sum::<f32>().ln()
}

/// Of the occurrences of the answer, the one whose sentence holds most of the question's weight
/// (the earlier source on a tie): (candidate, byte end of the answer).
fn best_occurrence(
    doc: &Document,
    terms: &[QueryTerm],
    candidates: &[Candidate],
    live: &[(usize, usize)],
) -> (usize, usize) {
    let mut best = live[0];
    let mut best_w = weight(doc, terms, candidates[best.0].sentence);
    for &(c, end) in &live[1..] {
        let w = weight(doc, terms, candidates[c].sentence);
        if w > best_w {
            (best, best_w) = ((c, end), w);
        }
    }
    best
}

/// The span without the punctuation that ends the sentence or clause it was cut from.
fn trim_punctuation(doc: &Document, span: Span) -> Span {
    let text = doc.slice(span);
    let kept = text.trim_end_matches([',', ';', ':', '.', '!', '?', '"', '\u{201D}', ')']);
    let kept = if kept.is_empty() { text } else { kept };
    Span::new(span.start, span.start + kept.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_trimmed_spans() {
        assert_eq!(word_spans(" The  mill,\nstood "), vec![(1, 4), (6, 11), (12, 17)]);
        let doc = Document::from_bytes("t.txt", "It was built in 1802, by hand.".as_bytes()).unwrap();
        let s = trim_punctuation(&doc, Span::new(16, 21));
        assert_eq!(doc.slice(s), "1802");
        assert!((log_sum_exp(&[0.0, 0.0]) - 2f32.ln()).abs() < 1e-6);
    }
}
