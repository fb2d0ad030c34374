//! The model as re-ranker of what retrieval found: how well each passage predicts the question.
//!
//! For each of the first [`RERANK`] passages the model reads the passage (its outline path, then
//! the sentences around the question's words, [`ROOM`] tokens) and is asked to write a question
//! the passage answers; the score is the mean log-probability of the user's question as that reply
//! (query likelihood, as UPR: Sachan et al. 2022). A passage about the question's topic in other
//! words ("Getting help with functions" for "look up the documentation of a function") predicts
//! it better than one that merely shares a word.
//!
//! The new order is by retrieval score (as a share of the first's) times [`RETRIEVAL_WEIGHT`] plus
//! the model's score: the model reorders passages retrieval finds close, not the whole list.
//!
//! Measured, and not in the answer path (`tome eval sections --rerank`, README): on the dev manual
//! questions the first passage is in the gold section for 0.625 re-ranked (weight 0.5 to 2) against
//! 0.611 by retrieval alone and 0.597 by the model alone, at 5.8 s per question on two loaded
//! cores: SmolLM2-135M's likelihoods barely tell the sections apart. Kept as the measurement for
//! a larger model.

use super::read;
use crate::doc::{Document, collapse};
use crate::index::{Hit, Index, QueryTerm};
use crate::model::chat::{Message, chatml};
use crate::model::{Forward, Tokenizer};

/// Passages the model reads (the rest keep their place after them).
pub const RERANK: usize = 8;
/// Tokens of each passage shown to the model.
pub const ROOM: usize = 96;
/// Weight of the retrieval score (a share of the first passage's) against the model's mean
/// log-probability per question token.
pub const RETRIEVAL_WEIGHT: f32 = 1.0;

const INSTRUCTION: &str = "Write a question that this passage of a document answers.";

/// The model's score of each of the first [`RERANK`] hits (mean log-probability per token of the
/// question after the passage), in the hits' order.
pub fn scores(
    doc: &Document,
    index: &Index,
    question: &str,
    (terms, hits): (&[QueryTerm], &[Hit]),
    tok: &Tokenizer,
    model: &mut dyn Forward,
) -> crate::Result<Vec<f32>> {
    let asked = tok.encode(&collapse(question))?;
    if asked.is_empty() {
        return Ok(vec![0.0; hits.len().min(RERANK)]);
    }
    let count = |s: &str| tok.encode(s).map_or_else(|_| read::estimate_tokens(s), |ids| ids.len());
    let mut out = Vec::new();
    for hit in hits.iter().take(RERANK) {
        let shown = read::passage_text(doc, index, hit.passage, terms, ROOM, &count);
        let user = format!("{shown}\n\n{INSTRUCTION}");
        let context = tok.encode(&chatml(&[
            Message { role: "system", content: "You write questions about documents." },
            Message { role: "user", content: &user },
        ]))?;
        let lp = model.text_logprobs(&context, &asked)?;
        out.push(lp.iter().sum::<f32>() / lp.len() as f32);
    }
    Ok(out)
}

/// `hits` reordered by retrieval share and model score (see the module doc); `scores` are
/// [`scores`]' for the first hits.
pub fn reorder(hits: &mut [Hit], scores: &[f32], retrieval_weight: f32) {
    let Some(top) = hits.first().map(|h| h.score).filter(|s| *s > 0.0) else { return };
    let n = scores.len().min(hits.len());
    let mut keyed: Vec<(f32, Hit)> = hits[..n]
        .iter()
        .zip(scores)
        .map(|(h, &s)| (retrieval_weight * h.score / top + s, h.clone()))
        .collect();
    keyed.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (slot, (_, h)) in hits.iter_mut().zip(keyed) {
        *slot = h;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(passage: usize, score: f32) -> Hit {
        Hit { passage, score, matches: Vec::new() }
    }

    #[test]
    fn the_model_reorders_only_what_it_read() {
        let mut hits = vec![hit(0, 10.0), hit(1, 9.0), hit(2, 5.0), hit(3, 1.0)];
        // The second passage predicts the question much better; the third only a little.
        reorder(&mut hits, &[-3.0, -1.0, -2.8], 1.0);
        let order: Vec<usize> = hits.iter().map(|h| h.passage).collect();
        assert_eq!(order, [1, 0, 2, 3]);
        // With retrieval weighing more, its order stands.
        let mut hits = vec![hit(0, 10.0), hit(1, 5.0)];
        reorder(&mut hits, &[-3.0, -1.0], 10.0);
        assert_eq!(hits[0].passage, 0);
    }
}
