//! Sentence selection: retrieved passages and the question's terms in, the best sentence (and
//! possibly a neighbour) with its coverage of the question out.

use std::collections::HashSet;

use crate::doc::Document;
use crate::index::sentences::sentences;
use crate::index::tokenize::for_each_token;
use crate::index::{Hit, Index};

use super::retrieve::Word;
use crate::span::Span;

/// Least share of the question's idf weight the cited text must hold to count as an answer:
/// a sentence that shares under about half of what the question is about (weighted towards
/// its rare words) is about something else. On shared/eval/qa.jsonl, 0.45 answers 82% of the
/// answerable questions against 76% at 0.5 and abstains as often (0.43); 0.35 answers 90% but
/// abstains on 0.29, 0.55 answers 69% and abstains on 0.5.
pub const MIN_COVERAGE: f32 = 0.45;
/// Least coverage of a sentence that holds an answer of the asked kind (a name, a date, a
/// number, a place). The kind is the better sign of an answer: on shared/eval/qa.jsonl 85 of
/// the 90 answerable questions of a kind find a sentence of that kind, 3 of the 4 unanswerable
/// ones do too. With this and [`MIN_WINDOW_COVERAGE`] the answer rate goes from 0.844 to 0.896
/// and abstention stays 0.357 (5 of 14).
pub const MIN_TYPED_COVERAGE: f32 = 0.3;
/// Least coverage of the best sentence's passage with its neighbours for a "how"/"what"
/// question whose best sentence covers less than [`MIN_COVERAGE`]. Chosen on the dev sets
/// (counting coverage only): on the manual questions (tests/eval/manual-questions.jsonl) 0.5
/// answers 0.64 of them against 0.50 without it and abstains on as many unanswerable needle
/// questions (3 of 14 in that count); 0.3 answers 0.85 but abstains on 2 of 14.
pub const MIN_WINDOW_COVERAGE: f32 = 0.5;

/// Weight of the neighbouring sentences' coverage in a sentence's score.
const NEIGHBOUR_WEIGHT: f32 = 0.35;
/// Weight of holding an answer of the asked kind, in shares of the question's weight.
const KIND_WEIGHT: f32 = 0.5;
/// Weight of the passage's retrieval score (relative to the best passage's): the answer comes
/// preferably from the passages retrieval ranks first, not from a neighbouring section that
/// merely shares a word. On the manual questions 0.5 cites the gold section for 0.53 of them
/// (with every answer given) against 0.50 at 0.25 and 0.51 at 2; needle QA is the same at 0.25-1.
const RANK_WEIGHT: f32 = 0.5;

pub struct Best {
    pub passage: usize,
    /// The best sentence.
    pub main: Span,
    /// The cited sentences, in text order.
    pub spans: Vec<Span>,
    /// Share of the question's idf weight found in the cited sentences.
    pub coverage: f32,
}

struct Sentence {
    span: Span,
    /// Indices of the question terms it holds.
    terms: HashSet<usize>,
}

/// `fits` says whether a sentence holds an answer of the kind the question asks for (a name,
/// a time, a number); such a sentence gets [`KIND_WEIGHT`] more.
pub fn best(
    doc: &Document,
    index: &Index,
    terms: &[Word],
    hits: &[Hit],
    fits: &dyn Fn(&str) -> bool,
) -> Option<Best> {
    let total: f32 = terms.iter().map(|t| t.idf).sum();
    let top_score = hits.first()?.score;
    if total <= 0.0 || top_score <= 0.0 {
        return None;
    }
    // Summed in the question's word order: a sum in a hash set's order differs in its last bits
    // from run to run, and near-equal sentences then swap places.
    let weight = |set: &HashSet<usize>| {
        terms.iter().enumerate().filter(|(i, _)| set.contains(i)).map(|(_, t)| t.idf).sum::<f32>() / total
    };
    let mut best: Option<(f32, Best)> = None;
    for hit in hits {
        let passage = &index.passages[hit.passage];
        let text = doc.slice(passage.span);
        let sents: Vec<Sentence> = sentences(text)
            .into_iter()
            .map(|(s, e)| {
                let mut found = HashSet::new();
                for_each_token(&text[s..e], |term, _, _| {
                    if let Some(i) = terms.iter().position(|t| t.matches(term)) {
                        found.insert(i);
                    }
                });
                Sentence { span: Span::new(passage.span.start + s, passage.span.start + e), terms: found }
            })
            .collect();
        for (i, sent) in sents.iter().enumerate() {
            let own = weight(&sent.terms);
            let neighbours = |j: Option<usize>| j.and_then(|j| sents.get(j));
            let mut window = sent.terms.clone();
            let mut partner: Option<(f32, usize)> = None;
            for j in [i.checked_sub(1), Some(i + 1)] {
                if let Some(n) = neighbours(j) {
                    let gain: HashSet<usize> = n.terms.difference(&sent.terms).copied().collect();
                    let g = weight(&gain);
                    window.extend(gain);
                    if g > 0.0 && partner.is_none_or(|(pg, _)| g > pg) {
                        partner = j.map(|j| (g, j));
                    }
                }
            }
            let mut score =
                own + NEIGHBOUR_WEIGHT * (weight(&window) - own) + RANK_WEIGHT * hit.score / top_score;
            // Only a sentence that could win anyway is read for its kind.
            if best.as_ref().is_none_or(|(s, _)| score + KIND_WEIGHT > *s) && fits(doc.slice(sent.span)) {
                score += KIND_WEIGHT;
            }
            if best.as_ref().is_none_or(|(s, _)| score > *s) {
                let mut spans = vec![sent.span];
                let mut covered = own;
                // Cite the neighbour too when it holds a good part of what the question asks.
                if let Some((gain, j)) = partner.filter(|(g, _)| own + g >= MIN_COVERAGE && *g >= 0.15) {
                    spans.push(sents[j].span);
                    spans.sort_by_key(|s| s.start);
                    covered += gain;
                }
                best =
                    Some((score, Best { passage: hit.passage, main: sent.span, spans, coverage: covered }));
            }
        }
    }
    best.map(|(_, b)| b)
}
