//! Sentence selection: retrieved passages and the question's terms in, the best sentence (and
//! possibly a neighbour) with its coverage of the question out.

use std::collections::HashSet;

use crate::doc::Document;
use crate::index::sentences::sentences;
use crate::index::tokenize::for_each_token;
use crate::index::{Hit, Index, QueryTerm};
use crate::span::Span;

/// Least share of the question's idf weight the cited text must hold to count as an answer.
/// Half: a sentence that shares under half of what the question is about (weighted towards
/// its rare words) is about something else.
pub const MIN_COVERAGE: f32 = 0.5;

/// Weight of the neighbouring sentences' coverage in a sentence's score.
const NEIGHBOUR_WEIGHT: f32 = 0.35;
/// Weight of the passage's retrieval score (relative to the best passage's).
const RANK_WEIGHT: f32 = 0.25;

pub struct Best {
    pub passage: usize,
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

pub fn best(doc: &Document, index: &Index, terms: &[QueryTerm], hits: &[Hit]) -> Option<Best> {
    let total: f32 = terms.iter().map(|t| t.idf).sum();
    let top_score = hits.first()?.score;
    if total <= 0.0 || top_score <= 0.0 {
        return None;
    }
    let weight = |set: &HashSet<usize>| set.iter().map(|&i| terms[i].idf).sum::<f32>() / total;
    let mut best: Option<(f32, Best)> = None;
    for hit in hits {
        let passage = &index.passages[hit.passage];
        let text = doc.slice(passage.span);
        let sents: Vec<Sentence> = sentences(text)
            .into_iter()
            .map(|(s, e)| {
                let mut found = HashSet::new();
                for_each_token(&text[s..e], |term, _, _| {
                    if let Some(i) = terms.iter().position(|t| t.term == term) {
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
            let score =
                own + NEIGHBOUR_WEIGHT * (weight(&window) - own) + RANK_WEIGHT * hit.score / top_score;
            if best.as_ref().is_none_or(|(s, _)| score > *s) {
                let mut spans = vec![sent.span];
                let mut covered = own;
                // Cite the neighbour too when it holds a good part of what the question asks.
                if let Some((gain, j)) = partner.filter(|(g, _)| own + g >= MIN_COVERAGE && *g >= 0.15) {
                    spans.push(sents[j].span);
                    spans.sort_by_key(|s| s.start);
                    covered += gain;
                }
                best = Some((score, Best { passage: hit.passage, spans, coverage: covered }));
            }
        }
    }
    best.map(|(_, b)| b)
}
