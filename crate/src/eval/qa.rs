//! Needle QA scoring: a `qa.jsonl` file (format in `shared/eval/README.md`) in, a [`QaReport`] out.
//!
//! Each question is asked of its document (documents are read, outlined and indexed once).
//! - `hit_at_5`: share of questions where one of the 5 passages the answerer retrieves overlaps
//!   the evidence span.
//! - `em`, `f1`: SQuAD exact match and token F1 (lowercase, punctuation and a/an/the removed,
//!   whitespace collapsed; best over the gold answers), on answerable questions; an abstention
//!   scores 0.
//! - `citation_precision`: share of all cited spans, over all questions, that overlap the
//!   evidence span (null when nothing was cited).
//! - `abstain_accuracy`: share of unanswerable questions answered "not found" with no citation
//!   (null when there are none).
//! - `answer_rate`: share of answerable questions that got an answer (not "not found").
//! - `median_ms`: median time of one answer (retrieval and reading), ingest and index excluded.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::doc::Document;
use crate::error::{Error, Result};
use crate::index::Index;
use crate::outline::Outline;
use crate::qa;
use crate::qa::ask::{Ask, Reader};
use crate::span::Span;

#[derive(Debug, Clone, Deserialize)]
pub struct QaItem {
    pub id: String,
    pub doc: String,
    pub question: String,
    #[serde(default)]
    pub answers: Vec<String>,
    pub answerable: bool,
    pub evidence: Evidence,
}

/// Code point span of the passage holding the answer.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Evidence {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct QaReport {
    /// The mode that answered.
    pub mode: &'static str,
    pub n: usize,
    pub hit_at_5: f64,
    pub em: f64,
    pub f1: f64,
    pub citation_precision: Option<f64>,
    pub abstain_accuracy: Option<f64>,
    pub answer_rate: f64,
    pub median_ms: f64,
    /// Per question, when asked for: what was answered against what was expected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<ItemResult>>,
}

/// One question's outcome, for reading where the answerer goes wrong.
#[derive(Debug, Clone, Serialize)]
pub struct ItemResult {
    pub id: String,
    pub question: String,
    pub meant: String,
    pub gold: Vec<String>,
    pub answerable: bool,
    pub answer: String,
    pub quote: String,
    pub found: bool,
    /// Some citation overlaps the evidence.
    pub cited_evidence: bool,
    pub f1: f64,
    /// The model's confidence in its answer (reading modes).
    pub score: Option<f32>,
    /// What the passages add to the model's likelihood of its answer (grounded).
    pub support: Option<f32>,
}

/// Reads a QA file; documents are resolved relative to its folder.
pub fn load(file: &Path, limit: Option<usize>) -> Result<Vec<QaItem>> {
    let text =
        std::fs::read_to_string(file).map_err(|e| Error::io(format!("cannot read {}", file.display()), e))?;
    let mut items = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let item: QaItem = serde_json::from_str(line).map_err(|e| {
            Error::EvalData(format!("{} line {}: not a QA record ({e})", file.display(), n + 1))
        })?;
        items.push(item);
    }
    if let Some(limit) = limit {
        items.truncate(limit);
    }
    Ok(items)
}

/// Scores every question of `file` with the extractive answerer; `details` adds one [`ItemResult`]
/// per question.
pub fn run(file: &Path, limit: Option<usize>, details: bool) -> Result<QaReport> {
    run_with(file, limit, details, Ask::Extractive, None)
}

/// [`run`] in the `ask` mode, with the model a reading mode needs.
pub fn run_with(
    file: &Path,
    limit: Option<usize>,
    details: bool,
    ask: Ask,
    mut reader: Option<&mut Reader<'_>>,
) -> Result<QaReport> {
    let items = load(file, limit)?;
    let mode = ask.resolve().as_str();
    let base = file.parent().unwrap_or(Path::new("."));
    let mut docs: HashMap<String, (Document, Index)> = HashMap::new();
    let mut hits = 0usize;
    let (mut em, mut f1, mut answerable, mut answered) = (0.0, 0.0, 0usize, 0usize);
    let (mut cited, mut cited_ok) = (0usize, 0usize);
    let (mut unanswerable, mut abstained) = (0usize, 0usize);
    let mut times = Vec::with_capacity(items.len());
    let mut results = Vec::new();
    for item in &items {
        if !docs.contains_key(&item.doc) {
            let doc = Document::open(&base.join(&item.doc))?;
            let index = Index::build(&doc, &Outline::build(&doc, false));
            docs.insert(item.doc.clone(), (doc, index));
        }
        let Some((doc, index)) = docs.get(&item.doc) else { continue };
        let evidence = Span::new(doc.byte_offset(item.evidence.start), doc.byte_offset(item.evidence.end));

        let started = Instant::now();
        let answer = qa::ask::answer(doc, index, &item.question, ask, reader.as_deref_mut())?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        let (_, retrieved) = qa::retrieve(doc, index, &item.question, 5);

        hits += usize::from(retrieved.iter().any(|h| index.passages[h.passage].span.overlaps(&evidence)));
        cited += answer.citations.len();
        cited_ok += answer.citations.iter().filter(|c| c.span.overlaps(&evidence)).count();
        let text = if answer.found { answer.text.as_str() } else { "" };
        let item_f1 = item.answers.iter().map(|g| token_f1(text, g)).fold(0.0, f64::max);
        if details {
            results.push(ItemResult {
                id: item.id.clone(),
                question: item.question.clone(),
                meant: qa::question::parse(&item.question).text,
                gold: item.answers.clone(),
                answerable: item.answerable,
                answer: answer.text.clone(),
                quote: answer.quote.clone(),
                found: answer.found,
                cited_evidence: answer.citations.iter().any(|c| c.span.overlaps(&evidence)),
                f1: item_f1,
                score: answer.score,
                support: answer.support,
            });
        }
        if item.answerable {
            answerable += 1;
            answered += usize::from(answer.found);
            em += item
                .answers
                .iter()
                .map(|g| f64::from(u8::from(normalize(text) == normalize(g))))
                .fold(0.0, f64::max);
            f1 += item_f1;
        } else {
            unanswerable += 1;
            abstained += usize::from(!answer.found && answer.citations.is_empty());
        }
    }
    let share = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    times.sort_by(f64::total_cmp);
    Ok(QaReport {
        mode,
        n: items.len(),
        hit_at_5: share(hits, items.len()),
        em: if answerable == 0 { 0.0 } else { em / answerable as f64 },
        f1: if answerable == 0 { 0.0 } else { f1 / answerable as f64 },
        citation_precision: (cited > 0).then(|| share(cited_ok, cited)),
        abstain_accuracy: (unanswerable > 0).then(|| share(abstained, unanswerable)),
        answer_rate: share(answered, answerable),
        median_ms: times.get(times.len() / 2).copied().unwrap_or(0.0),
        items: details.then_some(results),
    })
}

/// SQuAD answer normalisation: lowercase, no punctuation, no articles, single spaces.
pub fn normalize(s: &str) -> String {
    let lower: String = s.to_lowercase().chars().filter(|c| !c.is_ascii_punctuation()).collect();
    lower.split_whitespace().filter(|w| !matches!(*w, "a" | "an" | "the")).collect::<Vec<_>>().join(" ")
}

/// SQuAD token F1 between a prediction and one gold answer.
pub fn token_f1(prediction: &str, gold: &str) -> f64 {
    let p = normalize(prediction);
    let g = normalize(gold);
    let (p, g): (Vec<&str>, Vec<&str>) = (p.split_whitespace().collect(), g.split_whitespace().collect());
    if p.is_empty() || g.is_empty() {
        return f64::from(u8::from(p == g));
    }
    let mut counts: HashMap<&str, i32> = HashMap::new();
    for w in &g {
        *counts.entry(w).or_default() += 1;
    }
    let mut common = 0;
    for w in &p {
        if let Some(c) = counts.get_mut(w).filter(|c| **c > 0) {
            *c -= 1;
            common += 1;
        }
    }
    if common == 0 {
        return 0.0;
    }
    let (precision, recall) = (common as f64 / p.len() as f64, common as f64 / g.len() as f64);
    2.0 * precision * recall / (precision + recall)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squad_normalisation_and_f1() {
        assert_eq!(normalize("The  Eiffel Tower!"), "eiffel tower");
        assert_eq!(token_f1("the Eiffel Tower", "Eiffel Tower"), 1.0);
        assert!((token_f1("Eiffel Tower in Paris", "Eiffel Tower") - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(token_f1("London", "Paris"), 0.0);
        assert_eq!(token_f1("", ""), 1.0);
    }
}
