//! Manual-question scoring: a `manual-questions.jsonl` file (format in `tests/eval/README.md`)
//! in, a [`SectionsReport`] out.
//!
//! Each question names the section(s) of its PDF's bookmark outline a reader wants (title and
//! 1-based page). A gold section covers its subsections: its span runs to the next bookmark at
//! its level or above.
//! - `answer`: share of questions whose answer's first citation starts inside a gold section
//!   (an abstention scores 0).
//! - `retrieve_top1`, `retrieve_top3`: the same for the passages the answerer reads
//!   ([`qa::retrieve`]), the first or any of the first three.
//! - `search_top1`, `search_top3`: the same for plain BM25 search (`tome search`), the reference.
//! - `answered`: share of questions answered (not "not found"): all of them are answerable.
//! - `with_see_also`: share whose first citation or one of the other sections the answer lists
//!   ([`qa::see_also`]) starts inside a gold section: where the reader finds what they wanted
//!   within one click.
//! - With the model (`--rerank`): the passages are re-ranked by it ([`qa::rerank`]) before the
//!   answer is picked; `answer` and `answered` are then the re-ranked answer's, `rerank_top1` and
//!   `rerank_top3` the re-ranked retrieval's, `rerank_ms` the median time of re-ranking.
//!
//! Overall, per document and per kind of question (how / what / which / other).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::doc::Document;
use crate::error::{Error, Result};
use crate::index::Index;
use crate::outline::{Outline, OutlineSource};
use crate::qa;
use crate::span::Span;

#[derive(Debug, Clone, Deserialize)]
pub struct ManualItem {
    pub id: String,
    pub doc: String,
    pub question: String,
    pub kind: String,
    pub gold: Vec<GoldSection>,
}

/// A bookmark, as `shared/eval/outlines.json` lists it.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct GoldSection {
    pub title: String,
    pub page: u32,
}

/// Shares of questions (see the module doc).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Scores {
    pub n: usize,
    pub answer: f64,
    pub retrieve_top1: f64,
    pub retrieve_top3: f64,
    pub search_top1: f64,
    pub search_top3: f64,
    pub answered: f64,
    pub with_see_also: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rerank_top1: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rerank_top3: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionsReport {
    #[serde(flatten)]
    pub overall: Scores,
    /// By the document's short name (the question id before its number).
    pub by_doc: BTreeMap<String, Scores>,
    pub by_kind: BTreeMap<String, Scores>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rerank_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<SectionItem>>,
}

/// One question's outcome, for reading where the answer goes.
#[derive(Debug, Clone, Serialize)]
pub struct SectionItem {
    pub id: String,
    pub question: String,
    pub gold: Vec<GoldSection>,
    pub hit: bool,
    /// The outline path and page of the first citation (empty when not found).
    pub cited_path: Vec<String>,
    pub cited_page: u32,
    pub quote: String,
    /// Rank (1-based) of the first retrieved passage inside a gold section, if in the first 8.
    pub retrieve_rank: Option<usize>,
    pub search_rank: Option<usize>,
    /// The passages read, in retrieval's order: (retrieval score, the model's score when it
    /// re-ranked, inside a gold section).
    pub retrieved: Vec<(f32, Option<f32>, bool)>,
    /// The section title and page of each passage read, in retrieval's order.
    pub retrieved_at: Vec<(String, u32)>,
    /// Rank (1-based) of the first passage inside a gold section among all passages, and its score.
    pub gold_rank: Option<(usize, f32)>,
}

/// Outcome flags of one question.
#[derive(Default, Clone, Copy)]
struct Outcome {
    answer: bool,
    retrieve_top1: bool,
    retrieve_top3: bool,
    search_top1: bool,
    search_top3: bool,
    answered: bool,
    rerank_top1: bool,
    rerank_top3: bool,
    with_see_also: bool,
}

#[derive(Default)]
struct Tally {
    n: usize,
    sums: [usize; 9],
    reranked: bool,
}

impl Tally {
    fn add(&mut self, o: Outcome) {
        self.n += 1;
        let flags = [
            o.answer,
            o.retrieve_top1,
            o.retrieve_top3,
            o.search_top1,
            o.search_top3,
            o.answered,
            o.rerank_top1,
            o.rerank_top3,
            o.with_see_also,
        ];
        for (s, f) in self.sums.iter_mut().zip(flags) {
            *s += usize::from(f);
        }
    }

    fn scores(&self) -> Scores {
        let share = |i: usize| if self.n == 0 { 0.0 } else { self.sums[i] as f64 / self.n as f64 };
        Scores {
            n: self.n,
            answer: share(0),
            retrieve_top1: share(1),
            retrieve_top3: share(2),
            search_top1: share(3),
            search_top3: share(4),
            answered: share(5),
            with_see_also: share(8),
            rerank_top1: self.reranked.then(|| share(6)),
            rerank_top3: self.reranked.then(|| share(7)),
        }
    }
}

/// Reads a manual-questions file.
pub fn load(file: &Path) -> Result<Vec<ManualItem>> {
    let text =
        std::fs::read_to_string(file).map_err(|e| Error::io(format!("cannot read {}", file.display()), e))?;
    let mut items = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let item: ManualItem = serde_json::from_str(line).map_err(|e| {
            Error::EvalData(format!("{} line {}: not a manual-question record ({e})", file.display(), n + 1))
        })?;
        items.push(item);
    }
    Ok(items)
}

/// The spans of the gold sections in the document's bookmark outline.
pub fn gold_spans(outline: &Outline, gold: &[GoldSection]) -> std::result::Result<Vec<Span>, String> {
    if outline.source != OutlineSource::Bookmarks {
        return Err("the document has no bookmarks; gold sections name bookmarks".into());
    }
    let flat = outline.flatten();
    gold.iter()
        .map(|g| {
            let same = |a: &str, b: &str| a.split_whitespace().eq(b.split_whitespace());
            flat.iter()
                .find(|(n, _)| n.page == g.page && same(&n.title, &g.title))
                .map(|(n, _)| n.span)
                .ok_or_else(|| format!("no bookmark \"{}\" on page {}", g.title, g.page))
        })
        .collect()
}

/// Scores every question of `file` (documents resolved relative to its folder); `details` adds
/// one [`SectionItem`] per question.
pub fn run(file: &Path, details: bool) -> Result<SectionsReport> {
    run_with(file, details, None)
}

/// [`run`], the passages re-ranked by the model when `reader` is given.
pub fn run_with(
    file: &Path,
    details: bool,
    mut reader: Option<&mut qa::ask::Reader<'_>>,
) -> Result<SectionsReport> {
    let items = load(file)?;
    let mut times = Vec::new();
    let base = file.parent().unwrap_or(Path::new("."));
    let mut docs: HashMap<String, (Document, Outline, Index)> = HashMap::new();
    let (mut overall, mut by_doc, mut by_kind) = (Tally::default(), BTreeMap::new(), BTreeMap::new());
    let mut results = Vec::new();
    for item in &items {
        if !docs.contains_key(&item.doc) {
            let doc = Document::open(&base.join(&item.doc))?;
            let outline = Outline::build(&doc, false);
            let index = Index::build(&doc, &outline);
            docs.insert(item.doc.clone(), (doc, outline, index));
        }
        let Some((doc, outline, index)) = docs.get(&item.doc) else { continue };
        let gold = gold_spans(outline, &item.gold).map_err(|detail| {
            Error::EvalData(format!("{} ({}): {detail}; fix the question's gold", item.id, item.doc))
        })?;
        let inside = |at: usize| gold.iter().any(|g| g.start <= at && at < g.end.max(g.start + 1));
        let rank_of =
            |passages: &[usize]| passages.iter().position(|&p| inside(index.passages[p].span.start));

        let found = qa::retrieve::run(doc, index, &item.question, qa::READ_PASSAGES);
        let retrieved: Vec<usize> = found.hits.iter().map(|h| h.passage).collect();
        let mut listed: Vec<(f32, Option<f32>, bool)> = found
            .hits
            .iter()
            .map(|h| (h.score, None, inside(index.passages[h.passage].span.start)))
            .collect();
        let mut rerank_rank = None;
        let found = match reader.as_deref_mut() {
            Some(r) => {
                let started = std::time::Instant::now();
                let mut found = found;
                let terms: Vec<crate::index::QueryTerm> = found
                    .words
                    .iter()
                    .map(|w| crate::index::QueryTerm { term: w.term.clone(), idf: w.idf, weight: w.weight })
                    .collect();
                let scores = qa::rerank::scores(
                    doc,
                    index,
                    &item.question,
                    (&terms, &found.hits),
                    r.tokenizer,
                    r.forward,
                )?;
                for (l, s) in listed.iter_mut().zip(&scores) {
                    l.1 = Some(*s);
                }
                qa::rerank::reorder(&mut found.hits, &scores, qa::rerank::RETRIEVAL_WEIGHT);
                times.push(started.elapsed().as_secs_f64() * 1000.0);
                let order: Vec<usize> = found.hits.iter().map(|h| h.passage).collect();
                rerank_rank = Some(rank_of(&order));
                found
            }
            None => found,
        };
        let answer = qa::answer_from(doc, index, &item.question, found);
        let first = answer.citations.first();
        let searched: Vec<usize> =
            index.search(doc, &item.question, qa::READ_PASSAGES).iter().map(|h| h.passage).collect();
        let (retrieve_rank, search_rank) = (rank_of(&retrieved), rank_of(&searched));
        let outcome = Outcome {
            answer: first.is_some_and(|c| inside(c.span.start)),
            retrieve_top1: retrieve_rank == Some(0),
            retrieve_top3: retrieve_rank.is_some_and(|r| r < 3),
            search_top1: search_rank == Some(0),
            search_top3: search_rank.is_some_and(|r| r < 3),
            answered: answer.found,
            rerank_top1: rerank_rank.is_some_and(|r| r == Some(0)),
            rerank_top3: rerank_rank.is_some_and(|r| r.is_some_and(|r| r < 3)),
            with_see_also: first.is_some_and(|c| inside(c.span.start))
                || answer.see_also.iter().any(|r| inside(r.span.start)),
        };
        let reranked = rerank_rank.is_some();
        let short = item.id.rsplit_once('-').map_or(item.id.as_str(), |(d, _)| d);
        for tally in [
            &mut overall,
            by_doc.entry(short.to_string()).or_insert_with(Tally::default),
            by_kind.entry(item.kind.clone()).or_insert_with(Tally::default),
        ] {
            tally.reranked |= reranked;
            tally.add(outcome);
        }
        if details {
            let retrieved_at = retrieved
                .iter()
                .map(|&p| {
                    let p = &index.passages[p];
                    (p.path.last().cloned().unwrap_or_default(), p.page)
                })
                .collect();
            let all = qa::retrieve::run(doc, index, &item.question, index.passages.len());
            let gold_rank = all
                .hits
                .iter()
                .position(|h| inside(index.passages[h.passage].span.start))
                .map(|r| (r + 1, all.hits[r].score));
            results.push(SectionItem {
                id: item.id.clone(),
                question: item.question.clone(),
                gold: item.gold.clone(),
                hit: outcome.answer,
                cited_path: first.map(|c| c.outline_path.clone()).unwrap_or_default(),
                cited_page: first.map_or(0, |c| c.page),
                quote: answer.quote.clone(),
                retrieve_rank: retrieve_rank.map(|r| r + 1),
                search_rank: search_rank.map(|r| r + 1),
                retrieved: listed,
                retrieved_at,
                gold_rank,
            });
        }
    }
    let finish = |m: BTreeMap<String, Tally>| m.into_iter().map(|(k, t)| (k, t.scores())).collect();
    times.sort_by(f64::total_cmp);
    Ok(SectionsReport {
        rerank_ms: times.get(times.len() / 2).copied(),
        overall: overall.scores(),
        by_doc: finish(by_doc),
        by_kind: finish(by_kind),
        items: details.then_some(results),
    })
}
