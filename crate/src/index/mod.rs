//! Passages and lexical search: a [`Document`] and its [`Outline`] in, ranked passages out.
//!
//! Passages hold at most ~300 tokens and never cross a section, so each one knows its outline
//! path, page and span ([`passages`]). BM25 over words (Latin scripts) and character bigrams
//! (CJK) ([`tokenize`], [`bm25`]), with a boost for query terms that occur in the passage's
//! outline path. Hits carry the spans of the matched terms for highlighting.

pub mod bm25;
pub mod passages;
pub mod sentences;
pub mod spelling;
pub mod synonyms;
pub mod tokenize;

use serde::Serialize;

use crate::doc::Document;
use crate::outline::Outline;
use crate::span::Span;
use bm25::{Bm25, FxMap};
use passages::Segment;

/// Weight of a query term found in a passage's outline path, in units of the term's idf
/// (a body match is worth up to 2.2 idf in BM25).
pub const PATH_BOOST: f32 = 0.6;

#[derive(Debug, Clone, Serialize)]
pub struct Passage {
    pub span: Span,
    /// 1-based page where the passage starts.
    pub page: u32,
    /// Titles from the top-level section down to the passage's own section.
    pub path: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Index into [`Index::passages`].
    pub passage: usize,
    pub score: f32,
    /// Spans of the query terms inside the passage, for highlighting (overlapping and touching
    /// matches merged).
    pub matches: Vec<Span>,
}

/// A distinct query term with its weight in this index.
#[derive(Debug, Clone)]
pub struct QueryTerm {
    pub term: String,
    pub idf: f32,
    /// How much the term counts in ranking (1 for the query's own words).
    pub weight: f32,
}

#[derive(Debug, Clone, Default)]
pub struct Index {
    pub passages: Vec<Passage>,
    segments: Vec<Segment>,
    bm25: Bm25,
    /// Term -> segments whose outline path holds it.
    path_terms: FxMap<Box<str>, Vec<u32>>,
    /// BM25 over whole segments (one document a segment), for the section field of
    /// [`Index::add_section_scores`]; None for an index over passages cut elsewhere.
    sections: Option<Bm25>,
}

impl Index {
    pub fn build(doc: &Document, outline: &Outline) -> Index {
        let (passages, segments) = passages::build(doc, outline);
        let mut index = Index::from_parts(doc, passages, segments);
        let texts = index.segments.iter().map(|s| {
            let (first, last) = (&index.passages[s.passages.start], &index.passages[s.passages.end - 1]);
            &doc.text[first.span.start..last.span.end]
        });
        index.sections = Some(Bm25::build(texts));
        index
    }

    /// An index over passages cut elsewhere (a site's pack stores them; a reader of the pack
    /// indexes the few a question needs): runs of passages with one path make the segments.
    pub fn from_passages(doc: &Document, passages: Vec<Passage>) -> Index {
        let mut segments: Vec<Segment> = Vec::new();
        for (i, p) in passages.iter().enumerate() {
            match segments.last_mut() {
                Some(s) if s.path == p.path && s.passages.end == i => s.passages.end = i + 1,
                _ => segments.push(Segment { path: p.path.clone(), passages: i..i + 1 }),
            }
        }
        Index::from_parts(doc, passages, segments)
    }

    /// Scores as a part of a larger corpus (see [`Bm25::set_corpus`]).
    pub fn set_corpus(&mut self, n: usize, avg_len: f32, df: &dyn Fn(&str) -> Option<usize>) {
        self.bm25.set_corpus(n, avg_len, df);
    }

    /// The BM25 statistics, for writing them out (a pack).
    pub fn bm25(&self) -> &Bm25 {
        &self.bm25
    }

    fn from_parts(doc: &Document, passages: Vec<Passage>, segments: Vec<Segment>) -> Index {
        let bm25 = Bm25::build(passages.iter().map(|p| doc.slice(p.span)));
        let mut path_terms: FxMap<Box<str>, Vec<u32>> = FxMap::default();
        for (i, segment) in segments.iter().enumerate() {
            for title in &segment.path {
                tokenize::for_each_token(title, |term, _, _| {
                    let list = path_terms.entry(term.into()).or_default();
                    if list.last() != Some(&(i as u32)) {
                        list.push(i as u32);
                    }
                });
            }
        }
        Index { passages, segments, bm25, path_terms, sections: None }
    }

    /// The distinct terms of a query that carry meaning (function words dropped unless the
    /// query has nothing else), each with its idf here.
    pub fn query_terms(&self, query: &str) -> Vec<QueryTerm> {
        tokenize::query_terms(query)
            .into_iter()
            .map(|term| QueryTerm { idf: self.bm25.idf(&term), term, weight: 1.0 })
            .collect()
    }

    /// The idf of a (normalised) term in this index.
    pub fn idf(&self, term: &str) -> f32 {
        self.bm25.idf(term)
    }

    /// The best `k` passages for a query, best first.
    pub fn search(&self, doc: &Document, query: &str, k: usize) -> Vec<Hit> {
        self.search_terms(doc, &self.query_terms(query), k)
    }

    /// The best `k` passages for already analysed query terms, best first.
    pub fn search_terms(&self, doc: &Document, terms: &[QueryTerm], k: usize) -> Vec<Hit> {
        if k == 0 || self.passages.is_empty() {
            return Vec::new();
        }
        let mut scores = vec![0.0f32; self.passages.len()];
        for qt in terms {
            self.add_term_scores(qt, &mut scores);
        }
        self.ranked(doc, &scores, terms, k)
    }

    /// Adds a query term's score to every passage: BM25 on the body (times its weight) and
    /// [`PATH_BOOST`] where its outline path holds the term. `scores` has one slot a passage.
    pub fn add_term_scores(&self, qt: &QueryTerm, scores: &mut [f32]) {
        if let Some(id) = self.bm25.term_id(&qt.term) {
            self.bm25.add_scores(id, qt.weight, scores);
        }
        for &s in self.path_terms.get(qt.term.as_str()).map_or(&[][..], Vec::as_slice) {
            if let Some(segment) = self.segments.get(s as usize) {
                for score in scores.get_mut(segment.passages.clone()).unwrap_or_default() {
                    *score += PATH_BOOST * qt.idf * qt.weight;
                }
            }
        }
    }

    /// Adds `weight` times a query term's BM25 score over each passage's whole section (its
    /// segment: the text from the section's heading to the next one) to every passage of the
    /// section: a section about a thing spreads its words over several passages, and a reader's
    /// question may share a few with each. Nothing for an index without sections.
    pub fn add_section_scores(&self, qt: &QueryTerm, weight: f32, scores: &mut [f32]) {
        let Some(sections) = &self.sections else { return };
        let Some(id) = sections.term_id(&qt.term) else { return };
        let mut by_segment = vec![0.0f32; self.segments.len()];
        sections.add_scores(id, qt.weight * weight, &mut by_segment);
        for (segment, &s) in self.segments.iter().zip(&by_segment) {
            if s > 0.0 {
                for score in scores.get_mut(segment.passages.clone()).unwrap_or_default() {
                    *score += s;
                }
            }
        }
    }

    /// The terms of this index that are morphological variants of `term` (see
    /// [`tokenize::roots`]: "read" -> "reading", "install" -> "installation"), with the number of
    /// passages holding each, most frequent first.
    pub fn variants(&self, term: &str) -> Vec<(String, usize)> {
        tokenize::variants(term, self.vocabulary())
    }

    /// The terms of this index one edit from `term` (see [`spelling::near`]), with the number of
    /// passages holding each, most frequent first.
    pub fn spellings(&self, term: &str) -> Vec<(String, usize)> {
        spelling::near(term, self.vocabulary())
    }

    /// Every term of this index with the number of passages holding it.
    fn vocabulary(&self) -> impl Iterator<Item = (&str, usize)> {
        self.bm25.terms().map(|(t, id)| (t, self.bm25.df(id)))
    }

    /// The best `k` passages by `scores` (one a passage), best first, with their matches of `terms`.
    pub fn ranked(&self, doc: &Document, scores: &[f32], terms: &[QueryTerm], k: usize) -> Vec<Hit> {
        if k == 0 {
            return Vec::new();
        }
        let mut ranked: Vec<(f32, usize)> =
            scores.iter().enumerate().filter(|(_, s)| **s > 0.0).map(|(i, &s)| (s, i)).collect();
        let by_score = |a: &(f32, usize), b: &(f32, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        if ranked.len() > k {
            ranked.select_nth_unstable_by(k - 1, by_score);
            ranked.truncate(k);
        }
        ranked.sort_unstable_by(by_score);
        ranked
            .into_iter()
            .map(|(score, passage)| Hit { passage, score, matches: self.matches(doc, passage, terms) })
            .collect()
    }

    /// Spans of the query terms inside passage `i`.
    pub fn matches(&self, doc: &Document, i: usize, terms: &[QueryTerm]) -> Vec<Span> {
        let Some(p) = self.passages.get(i) else { return Vec::new() };
        let mut out: Vec<Span> = Vec::new();
        tokenize::for_each_token(doc.slice(p.span), |term, s, e| {
            if terms.iter().any(|q| q.term == term) {
                let span = Span::new(p.span.start + s, p.span.start + e);
                // CJK bigrams overlap: "参考文献" is one highlight, not three.
                match out.last_mut() {
                    Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
                    _ => out.push(span),
                }
            }
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        Document::from_bytes("t.md", text.as_bytes()).unwrap()
    }

    #[test]
    fn passages_stay_inside_sections_and_know_their_path() {
        let para = "Words about gardens and walks in the morning. ".repeat(20);
        let text =
            format!("# Book\n\n## Garden\n\n{para}\n\n{para}\n\n## House\n\nThe house had a library.\n");
        let d = doc(&text);
        let outline = Outline::build(&d, false);
        let index = Index::build(&d, &outline);
        let house = text.find("## House").unwrap();
        for p in &index.passages {
            assert!(p.span.end <= house || p.span.start >= house, "{:?} crosses the section", p.span);
            let n = tokenize::terms(d.slice(p.span)).len();
            assert!(n <= passages::MAX_TOKENS, "{n} tokens");
        }
        let last = index.passages.last().unwrap();
        assert_eq!(last.path, ["Book", "House"]);
        assert!(index.passages.iter().any(|p| p.path == ["Book", "Garden"]));
    }

    #[test]
    fn search_ranks_and_highlights_and_boosts_titles() {
        let text = "# Travel\n\nThe carriage left at dawn.\n\n# Library\n\nShe read there every day.\n\n\
                    # Garden\n\nThe library books were carried out to the garden.\n";
        let d = doc(text);
        let index = Index::build(&d, &Outline::build(&d, false));
        let hits = index.search(&d, "carriages", 3);
        assert_eq!(hits.len(), 1);
        assert_eq!(d.slice(hits[0].matches[0]), "carriage");
        // "library": the passage under the Library heading beats the one that merely says it.
        let hits = index.search(&d, "library", 3);
        assert_eq!(index.passages[hits[0].passage].path, ["Library"]);
        assert!(index.search(&d, "zeppelin", 3).is_empty());
    }

    #[test]
    fn a_section_holding_all_the_words_lifts_each_of_its_passages() {
        let filler = "Words about walks in the morning and the weather after lunch. ".repeat(25);
        let text = format!(
            "# Shed\n\nThe spade hangs by the door.\n\n{filler}\n\n# Garden\n\nThe spade hangs by the gate.\n\n\
             {filler}\n\n{filler}\n\nThe compost heap is by the wall.\n"
        );
        let d = doc(&text);
        let index = Index::build(&d, &Outline::build(&d, false));
        let garden: Vec<usize> =
            (0..index.passages.len()).filter(|&i| index.passages[i].path == ["Garden"]).collect();
        assert!(garden.len() >= 2, "the garden's words spread over passages");
        let spade = &index.query_terms("spade")[0];
        let compost = &index.query_terms("compost")[0];
        let (mut plain, mut with) = (vec![0.0; index.passages.len()], vec![0.0; index.passages.len()]);
        for qt in [spade, compost] {
            index.add_term_scores(qt, &mut plain);
            index.add_term_scores(qt, &mut with);
            index.add_section_scores(qt, 0.3, &mut with);
        }
        let (shed, gate) = (0, garden[0]);
        assert!(d.slice(index.passages[gate].span).contains("gate"));
        // The passage alone: the shed's spade ranks as high as the garden's; with its section the
        // garden's passage, whose section also holds the compost, ranks higher.
        assert!(plain[gate] <= plain[shed], "{} {}", plain[gate], plain[shed]);
        assert!(with[gate] > with[shed], "{} {}", with[gate], with[shed]);
        // An index over passages cut elsewhere has no sections: nothing is added.
        let cut = Index::from_passages(&d, index.passages.clone());
        let mut none = vec![0.0; index.passages.len()];
        cut.add_section_scores(spade, 0.3, &mut none);
        assert!(none.iter().all(|&s| s == 0.0));
    }

    #[test]
    fn gutenberg_boilerplate_is_never_a_passage() {
        let text = "The Project Gutenberg eBook of Lyme, licence and all\n\
                    *** START OF THE PROJECT GUTENBERG EBOOK LYME ***\n\nChapter 1\n\nThe cliffs at Lyme.\n\n\
                    *** END OF THE PROJECT GUTENBERG EBOOK LYME ***\nProject Gutenberg licence terms.\n";
        let d = Document::from_bytes("lyme.txt", text.as_bytes()).unwrap();
        let index = Index::build(&d, &Outline::build(&d, false));
        assert_eq!(index.passages.len(), 1);
        assert_eq!(d.slice(index.passages[0].span), "Chapter 1\n\nThe cliffs at Lyme.");
        let outline = Outline::build(&d, false);
        assert_eq!(d.slice(outline.nodes[0].span), "Chapter 1\n\nThe cliffs at Lyme.\n\n");
        assert!(index.search(&d, "licence gutenberg", 5).is_empty());
    }

    #[test]
    fn chinese_queries_match_by_bigrams() {
        let text = "# 第一章\n\n清华大学的论文模板。\n\n# 第二章\n\n北京的天气很好。\n";
        let d = doc(text);
        let index = Index::build(&d, &Outline::build(&d, false));
        let hits = index.search(&d, "论文模板", 2);
        assert_eq!(d.slice(index.passages[hits[0].passage].span), "# 第一章\n\n清华大学的论文模板。");
        assert_eq!(hits.len(), 1);
        let marked: Vec<&str> = hits[0].matches.iter().map(|m| d.slice(*m)).collect();
        assert_eq!(marked, ["论文模板"]);
    }
}
