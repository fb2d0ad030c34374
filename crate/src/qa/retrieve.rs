//! Retrieval for the reader: a question in, its words (each with the variants the document
//! spells it with) and the passages to read out, best first.
//!
//! - Each content word of the question scores with its morphological variants found in the
//!   document ([`Index::variants`]), the best member counting, a variant at [`VARIANT_WEIGHT`]:
//!   "How do I read data from a file?" finds a section "Reading data from files".
//! - Each also scores with its synonyms the document holds ([`synonyms`]: "folder" finds
//!   "directory"), at [`SYNONYM_WEIGHT`]: a reader asks in their words, a manual answers in its.
//! - BM25 over the body and the outline-path boost, as in [`Index::search`], plus BM25 over the
//!   passage's whole section at [`SECTION_WEIGHT`] (a section spreads its words over passages).
//! - The outline as a signal: a section whose own title the question covers (most of the title's
//!   idf weight is in the question's words) is what the question is about, so its opening
//!   passages gain [`TITLE_WEIGHT`] times the covered weight times the covered share of the
//!   title; the first passage gains it all, each next one half as much.
//! - A manual's release notes and implementation notes count [`aside::WEIGHT`] unless the
//!   question asks about them ([`aside`]).

use crate::doc::Document;
use crate::index::{Hit, Index, QueryTerm, synonyms, tokenize};

use super::{CORRECTED_WEIGHT, aside, question};

/// How much a variant of a word counts against the word itself: the reader's own spelling is
/// surer evidence.
pub const VARIANT_WEIGHT: f32 = 0.8;
/// Most variants of one word searched for (the most frequent in the document).
const MAX_VARIANTS: usize = 6;
/// How much a synonym of a word counts against the word itself: a reader's "folder" is the
/// manual's "directory" less surely than its "folders" (a synonym may be another sense). Measured
/// 2026-12-07 (first citation on the gold section / page): manual questions 49/72 at 0.5, 50 at
/// 0.6-0.7, 47 at 0.85 (where the site sets lose 5 questions); 48 without synonyms.
pub const SYNONYM_WEIGHT: f32 = 0.6;
/// Most synonyms of one word searched for (the most frequent in the document).
const MAX_SYNONYMS: usize = 6;
/// Weight of a section title the question covers, in units of the covered words' idf.
pub const TITLE_WEIGHT: f32 = 1.0;
/// Least share of a title's weight the question must cover for the title to count.
pub const MIN_TITLE_SHARE: f32 = 0.5;
/// Weight of a word's BM25 score over a passage's whole section (the section field, see
/// [`Index::add_section_scores`]) against its score over the passage. On the dev manual questions
/// (tests/eval/manual-questions.jsonl, 2026-12-06) the first citation is in the gold section for
/// 0.639 of them at 0.2-0.4 against 0.611 without it, 0.625 at 0.7-1; needle QA is the same.
pub const SECTION_WEIGHT: f32 = 0.3;

/// A content word of the question.
#[derive(Debug, Clone)]
pub struct Word {
    pub term: String,
    /// Its idf in the document (the idf of its most frequent variant when only variants occur).
    pub idf: f32,
    /// How much it counts in ranking (1 for the question's own words).
    pub weight: f32,
    /// Other terms of the document that are its variants.
    pub variants: Vec<String>,
    /// Terms of the document that are its synonyms or their variants, each with its own idf.
    pub synonyms: Vec<(String, f32)>,
}

impl Word {
    /// Whether a document term is this word, one of its variants or one of its synonyms.
    pub fn matches(&self, term: &str) -> bool {
        self.term == term
            || self.variants.iter().any(|v| v == term)
            || self.synonyms.iter().any(|(s, _)| s == term)
    }

    /// How much `term` counts as this word: the word itself its weight, a variant
    /// [`VARIANT_WEIGHT`] of it, a synonym [`SYNONYM_WEIGHT`] of it; None for another term.
    pub fn weight_of(&self, term: &str) -> Option<f32> {
        if self.term == term {
            Some(self.weight)
        } else if self.variants.iter().any(|v| v == term) {
            Some(self.weight * VARIANT_WEIGHT)
        } else if self.synonyms.iter().any(|(s, _)| s == term) {
            Some(self.weight * SYNONYM_WEIGHT)
        } else {
            None
        }
    }

    /// A word of a corpus: `present` says whether the corpus holds `term` itself; `variants` and
    /// `synonyms` are its variants and synonyms there (see [`synonyms_in`]), most frequent first
    /// (as [`tokenize::variants`] gives them); `idf` of a corpus term. A word the corpus holds
    /// only in variants weighs as its most frequent variant; one it holds only in synonyms, as
    /// its most frequent synonym. One it holds in no form nor synonym may be misspelt: its
    /// `spellings` in the corpus (see [`crate::index::spelling`]) stand as its variants ("pause"
    /// is std's "sleep", not "parse").
    pub fn new(
        term: String,
        weight: f32,
        present: bool,
        variants: Vec<(String, usize)>,
        synonyms: Vec<(String, usize)>,
        spellings: &dyn Fn(&str) -> Vec<(String, usize)>,
        idf: &dyn Fn(&str) -> f32,
    ) -> Word {
        let variants =
            if !present && variants.is_empty() && synonyms.is_empty() { spellings(&term) } else { variants };
        let own = match (variants.first(), synonyms.first()) {
            (Some((v, _)), _) if !present => idf(v),
            (None, Some((s, _))) if !present => idf(s),
            _ => idf(&term),
        };
        let variants = variants.into_iter().take(MAX_VARIANTS).map(|(v, _)| v).collect();
        let synonyms = synonyms
            .into_iter()
            .take(MAX_SYNONYMS)
            .map(|(s, _)| {
                let i = idf(&s).min(own);
                (s, i)
            })
            .collect();
        Word { term, idf: own, weight, variants, synonyms }
    }

    /// The word, its variants and its synonyms as query terms (a variant at [`VARIANT_WEIGHT`], a
    /// synonym at [`SYNONYM_WEIGHT`] and its own idf when that is lower: a common synonym of a
    /// rare word says less).
    pub fn members(&self) -> impl Iterator<Item = QueryTerm> + '_ {
        let own = QueryTerm { term: self.term.clone(), idf: self.idf, weight: self.weight };
        let variants = self.variants.iter().map(|v| QueryTerm {
            term: v.clone(),
            idf: self.idf,
            weight: self.weight * VARIANT_WEIGHT,
        });
        let synonyms = self.synonyms.iter().map(|(s, idf)| QueryTerm {
            term: s.clone(),
            idf: *idf,
            weight: self.weight * SYNONYM_WEIGHT,
        });
        std::iter::once(own).chain(variants).chain(synonyms)
    }
}

/// The terms of a corpus that are synonyms of `term` ([`synonyms::of`]) or variants of one, with
/// the number of passages holding each, most frequent first: `df` of a corpus term (None when no
/// passage holds it), `variants` of a term in the corpus (as [`Index::variants`] gives them).
pub fn synonyms_in(
    term: &str,
    df: &dyn Fn(&str) -> Option<usize>,
    variants: &dyn Fn(&str) -> Vec<(String, usize)>,
) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for synonym in synonyms::of(term) {
        let own = df(&synonym).map(|n| (synonym.clone(), n));
        for (s, n) in own.into_iter().chain(variants(&synonym)) {
            if s != term && !out.iter().any(|(o, _)| *o == s) {
                out.push((s, n));
            }
        }
    }
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// The question's words and the passages retrieved for it.
#[derive(Debug, Clone)]
pub struct Retrieved {
    /// The words of the question as meant (see [`question`]).
    pub words: Vec<Word>,
    pub hits: Vec<Hit>,
}

impl Retrieved {
    /// The words as query terms (their variants and synonyms left out).
    pub fn terms(&self) -> Vec<QueryTerm> {
        self.words.iter().map(|w| QueryTerm { term: w.term.clone(), idf: w.idf, weight: w.weight }).collect()
    }
}

/// The best `k` passages for `question`. Words only in what a spoken correction took back
/// still help find the passage, at [`CORRECTED_WEIGHT`], but are not among the returned words;
/// nor are the general nouns it asks with ([`question::general_nouns`]: "type" in "What type of
/// ...?"), which a sentence answering it need not hold.
pub fn run(doc: &Document, index: &Index, question: &str, k: usize) -> Retrieved {
    let meant = question::parse(question);
    let (mut words, all) = words_as_meant(&meant, question, &|text, weight| self::words(index, text, weight));
    // "type" in "What type of revolution ...?" finds passages but is no word an answer holds.
    let general: Vec<String> =
        question::general_nouns(&meant).iter().flat_map(|w| tokenize::terms(w)).collect();
    words.retain(|w| !general.contains(&w.term));
    let mut scores = word_scores(&all, index.passages.len(), &|qt, scores| {
        index.add_term_scores(qt, scores);
        index.add_section_scores(qt, SECTION_WEIGHT, scores);
    });
    add_title_scores(index, &all, &mut scores);
    aside::discount(index, &all, &mut scores);
    let terms: Vec<QueryTerm> = all.iter().flat_map(Word::members).collect();
    Retrieved { words, hits: index.ranked(doc, &scores, &terms, k) }
}

/// The question's words as meant (see [`question`]), and all the words it is searched by: those
/// and the words only in what a spoken correction took back, at [`CORRECTED_WEIGHT`]. `words`
/// reads the content words of a text at a weight in the corpus searched (a document's
/// [`Index`], a site's pack).
pub fn question_words(question: &str, words: &dyn Fn(&str, f32) -> Vec<Word>) -> (Vec<Word>, Vec<Word>) {
    words_as_meant(&question::parse(question), question, words)
}

/// [`question_words`] with the question already read as meant.
fn words_as_meant(
    meant: &question::Question,
    question: &str,
    words: &dyn Fn(&str, f32) -> Vec<Word>,
) -> (Vec<Word>, Vec<Word>) {
    let meant = words(&meant.text, 1.0);
    let mut all = meant.clone();
    // The frame of "Where does the manual explain X?" is no word a correction took back.
    for w in words(super::framed::without_frame(question), CORRECTED_WEIGHT) {
        if !all.iter().any(|a| a.term == w.term) {
            all.push(w);
        }
    }
    (meant, all)
}

/// Each passage's score for `words` (one slot a passage, `n` passages): per word the best of its
/// members, summed over the words. `add` adds one query term's score to every passage (BM25 and
/// the outline-path boost, see [`Index::add_term_scores`]).
pub fn word_scores(words: &[Word], n: usize, add: &dyn Fn(&QueryTerm, &mut [f32])) -> Vec<f32> {
    let mut scores = vec![0.0f32; n];
    let mut member = vec![0.0f32; n];
    let mut best = vec![0.0f32; n];
    for word in words {
        best.iter_mut().for_each(|s| *s = 0.0);
        for qt in word.members() {
            member.iter_mut().for_each(|s| *s = 0.0);
            add(&qt, &mut member);
            for (b, m) in best.iter_mut().zip(&member) {
                *b = b.max(*m);
            }
        }
        for (s, b) in scores.iter_mut().zip(&best) {
            *s += b;
        }
    }
    scores
}

/// The content words of `text` with their variants in the index.
fn words(index: &Index, text: &str, weight: f32) -> Vec<Word> {
    index
        .query_terms(text)
        .into_iter()
        // A CJK bigram the document never holds mostly straddles two words of the question
        // ("怎么", "要写"), not a thing it is about: it would only make every passage look as if
        // it missed the question. A missing Latin word stays (its absence says "not found").
        .filter(|qt| {
            !qt.term.chars().next().is_some_and(tokenize::is_cjk) || index.bm25().term_id(&qt.term).is_some()
        })
        .map(|qt| {
            let present = index.bm25().term_id(&qt.term).is_some();
            let variants = index.variants(&qt.term);
            let df = |t: &str| index.bm25().term_id(t).map(|id| index.bm25().df(id));
            let synonyms = synonyms_in(&qt.term, &df, &|t| index.variants(t));
            Word::new(qt.term, weight, present, variants, synonyms, &|t| index.spellings(t), &|t| {
                index.idf(t)
            })
        })
        .collect()
}

/// Adds the title signal (see the module doc) to the passages opening the sections whose own
/// title the question covers.
fn add_title_scores(index: &Index, words: &[Word], scores: &mut [f32]) {
    let mut at = 0;
    while at < index.passages.len() {
        let path = &index.passages[at].path;
        let run = index.passages[at..].iter().take_while(|p| p.path == *path).count();
        let gain = path.last().map_or(0.0, |title| title_score(index, words, title));
        if gain > 0.0 {
            for (i, s) in scores[at..at + run].iter_mut().enumerate() {
                *s += gain * 0.5f32.powi(i as i32);
            }
        }
        at += run;
    }
}

/// How much of the title of `passage`'s section the question's `words` name: the covered share
/// of the title's weight, 0 under [`MIN_TITLE_SHARE`] (not named). A synonym names a title less
/// than the reader's own word ([`Word::weight_of`]): "convert" is some evidence for a section
/// on `parse`, not a reader naming it.
pub fn title_named(index: &Index, words: &[Word], passage: usize) -> f32 {
    index.passages[passage].path.last().map_or(0.0, |title| {
        let (covered, share) = title_cover(index, title, &|t| words.iter().find_map(|w| w.weight_of(t)));
        if covered > 0.0 && share >= MIN_TITLE_SHARE { share } else { 0.0 }
    })
}

/// [`TITLE_WEIGHT`] times the idf of the title's words the question holds (a variant or a
/// synonym as the word itself) times their share of the title's weight; 0 under
/// [`MIN_TITLE_SHARE`].
fn title_score(index: &Index, words: &[Word], title: &str) -> f32 {
    let (covered, share) =
        title_cover(index, title, &|t| words.iter().find(|w| w.matches(t)).map(|w| w.weight));
    if share < MIN_TITLE_SHARE { 0.0 } else { TITLE_WEIGHT * covered * share }
}

/// The idf of the title's words the question holds, each times `weight` (how much a title term
/// counts as a word of the question; None: not one), and their share of the title's weight.
/// Section numbers do not count.
fn title_cover(index: &Index, title: &str, weight: &dyn Fn(&str) -> Option<f32>) -> (f32, f32) {
    let terms: Vec<String> =
        tokenize::query_terms(title).into_iter().filter(|t| !t.chars().all(|c| c.is_ascii_digit())).collect();
    let total: f32 = terms.iter().map(|t| index.idf(t)).sum();
    if total <= 0.0 {
        return (0.0, 0.0);
    }
    let covered: f32 = terms.iter().filter_map(|t| weight(t).map(|w| index.idf(t) * w)).sum();
    (covered, covered / total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outline::Outline;

    #[test]
    fn a_synonym_names_a_title_less_than_the_readers_own_word() {
        let text =
            "# Desk\n\n## Folders\n\nA folder holds papers.\n\n## Directories\n\nA directory lists names.\n";
        let doc = Document::from_bytes("desk.md", text.as_bytes()).unwrap();
        let index = Index::build(&doc, &Outline::build(&doc, false));
        let found = run(&doc, &index, "How do I empty a folder?", 8);
        let named = |title: &str| {
            let p = index.passages.iter().position(|p| p.path.last().map(String::as_str) == Some(title));
            title_named(&index, &found.words, p.unwrap())
        };
        assert_eq!(named("Folders"), 1.0);
        assert!(
            named("Directories") > 0.0 && named("Directories") < named("Folders"),
            "{}",
            named("Directories")
        );
    }
}
