//! Reading a pack: the manifest in, then only the shards a query needs, then ranked passages
//! and cited answers with URLs out.
//!
//! The caller drives the loading, so the same reader works on a folder (natively, [`DirPack`])
//! and over `fetch` (the widget): ask [`PackReader::needs`] which files a query wants, load
//! them with [`PackReader::add`], repeat until it wants none, then [`PackReader::search`] or
//! [`PackReader::ask`]. Ranking is BM25 with the outline-path boost, as [`Index::search`] does on a
//! whole document, from the shards' per-posting saturations and the site's document
//! frequencies. An answer is [`qa::answer`] over the best passages, indexed as part of the whole
//! site (their idf and length normalisation are the site's), so the widget answers as the CLI does
//! on one document.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::codec::{self, StoredPassage, TermEntry};
use super::{Manifest, PackError, check_name};
use crate::doc::collapse;
use crate::doc::{DocKind, Document, Page};
use crate::index::{Index, PATH_BOOST, Passage, QueryTerm, bm25, spelling, synonyms, tokenize};
use crate::qa::{self, retrieve, retrieve::Word};
use crate::span::Span;

/// One search result.
#[derive(Debug, Clone, Serialize)]
pub struct PackHit {
    pub passage: u32,
    /// Page path and `#anchor` of the section, relative to the site root.
    pub url: String,
    /// Titles from the top of the site's outline down to the passage's section.
    pub path: Vec<String>,
    pub text: String,
    /// Query-term matches, code point offsets into `text`.
    pub matches: Vec<[usize; 2]>,
    pub score: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct PackCitation {
    pub passage: u32,
    /// Page path, `#anchor` of the nearest heading and a `:~:text=` fragment for the quote.
    pub url: String,
    pub path: Vec<String>,
    /// The cited sentences.
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PackAnswer {
    /// The short answer, or the cited sentences, or [`qa::NOT_FOUND`].
    pub answer: String,
    pub found: bool,
    pub quote: String,
    pub citations: Vec<PackCitation>,
    /// When not found: the section that comes nearest (page and `#anchor`), to open instead.
    pub nearest: Option<String>,
    /// Other pages that may answer (see [`qa::see_also`]): the best section of each other page the
    /// reader read, best first; [`qa::SEE_ALSO`] of them, one more when nothing answers.
    pub see_also: Vec<PackRelated>,
}

/// Another page's section that may answer.
#[derive(Debug, Clone, Serialize)]
pub struct PackRelated {
    pub passage: u32,
    /// Page path and `#anchor` of the section.
    pub url: String,
    pub path: Vec<String>,
    /// The section passage's first sentence.
    pub text: String,
}

/// The passages a question is read from (the best page's, site order) and its best passage.
struct ReadSet {
    passages: Vec<u32>,
    best: Option<u32>,
    /// The best passage of each other page read, best first.
    others: Vec<u32>,
}

/// A passage a question is answered from.
#[derive(Debug, Clone, Serialize)]
pub struct PackPassage {
    pub passage: u32,
    /// Page path and `#anchor` of the section.
    pub url: String,
    pub path: Vec<String>,
    pub text: String,
}

/// A pack being read: the manifest and whatever shards were loaded so far.
#[derive(Debug)]
pub struct PackReader {
    pub manifest: Manifest,
    terms: HashMap<String, TermEntry>,
    passages: HashMap<u32, StoredPassage>,
    loaded: HashSet<String>,
}

/// How many of a page's best passages make its score.
const PAGE_DEPTH: usize = 5;
/// How many of the best pages a question's reader reads (their best passages). Measured on the
/// 40 dev questions (tests/eval/site-questions.jsonl, 2026-12-06): with [`COVERAGE_EXPONENT`]
/// 0.5, 1 page 30/40 on the gold page, 3 pages 32/40 (the 2026-11-29 reader, prefix word
/// families and no section titles: 33/40).
pub const CANDIDATE_PAGES: usize = 3;
/// A page's score is multiplied by the share of the question's word weight it holds to this
/// power (same measurement: 0 → 31/40, 0.5 → 32/40, 1 → 31/40, 2 → 28/40 with 3 pages).
const COVERAGE_EXPONENT: f32 = 0.5;
/// What a page aside from the manual counts for a question that does not ask about it: a
/// changelog or "What's New" mentions every feature in a line or two, so it shares words with any
/// question, and a reader asking how to do something wants the manual's page on it; an unstable
/// API (rustdoc's "nightly-only experimental API": 769 of std's 1,650 packed pages) is not what a reader of
/// a stable release can use ("CapitalS" in `ascii::Char` for "... into capitals?"); nor is a
/// deprecated one (`thread::sleep_ms` for "How do I pause the current thread?"); a glossary's line
/// on a term is not the page about it ("How can several packages share one lock file?" is
/// Cargo's page on workspaces, not the glossary's "Workspace").
const DISCOUNTED_WEIGHT: f32 = qa::aside::WEIGHT;
/// Words of a question about unstable APIs, which their pages may answer.
const UNSTABLE_WORDS: &[&str] = &["nightly", "unstable", "experimental", "feature"];
/// Words of a question about deprecated APIs, which their pages may answer.
const DEPRECATED_WORDS: &[&str] = &["deprecated", "deprecation", "obsolete", "legacy", "old", "removed"];

/// Most passages of one page in a list of search results.
pub const HITS_PER_PAGE: usize = 3;

impl PackReader {
    pub fn open(manifest: &[u8]) -> Result<PackReader, PackError> {
        Ok(PackReader {
            manifest: Manifest::parse(manifest)?,
            terms: HashMap::new(),
            passages: HashMap::new(),
            loaded: HashSet::new(),
        })
    }

    /// The files `query` needs that are not loaded yet: first its terms' index shards, then the
    /// text shards of the best `k` passages. Empty when it can be answered.
    /// `prefix`: the query's last word is still being typed.
    pub fn needs(&self, query: &str, k: usize, prefix: bool, answer: bool) -> Vec<String> {
        let mut want: Vec<String> = Vec::new();
        let add = |want: &mut Vec<String>, f: &str| {
            if !self.loaded.contains(f) && !want.iter().any(|w| w == f) {
                want.push(f.to_string());
            }
        };
        for term in self.query_terms(query, answer) {
            for f in self.word_files(&term) {
                add(&mut want, f);
            }
        }
        if let Some(last) = prefix.then(|| last_word(query)).flatten() {
            for f in self.index_files_from(&last) {
                add(&mut want, f);
            }
        }
        if !want.is_empty() {
            return want;
        }
        let words = self.words(query, prefix, answer);
        let discounted = if answer { self.discounted(query, &words) } else { Vec::new() };
        for (p, _) in self.best(&words, k, answer, &discounted) {
            add(&mut want, self.text_file(p));
        }
        want
    }

    /// Adds a loaded file (its content, decompressed). Files the manifest does not name, or
    /// whose content does not match their name, are refused.
    pub fn add(&mut self, name: &str, content: &[u8]) -> Result<(), PackError> {
        check_name(name, content)?;
        if self.manifest.index.iter().any(|(_, f)| f == name) {
            for e in codec::read_index(name, content)? {
                // Runs are expanded passage by passage when ranking: they must lie in the site.
                let passages = self.manifest.passages as u64;
                if e.path_runs.iter().any(|&(start, len)| u64::from(start) + u64::from(len) > passages) {
                    return Err(PackError::Damaged(
                        name.to_string(),
                        format!("term {:?} has outline-path passages past the site's {passages}", e.term),
                    ));
                }
                self.terms.insert(e.term.clone(), e);
            }
        } else if self.manifest.text.iter().any(|(_, f)| f == name) {
            let (first, passages) = codec::read_text(name, content)?;
            for (i, p) in passages.into_iter().enumerate() {
                let Some(n) = u32::try_from(i).ok().and_then(|i| first.checked_add(i)) else {
                    return Err(PackError::Damaged(name.to_string(), "its passage numbers overflow".into()));
                };
                self.passages.insert(n, p);
            }
        } else if self.manifest.outline != name {
            return Err(PackError::Damaged(name.to_string(), "the manifest does not name it".into()));
        }
        self.loaded.insert(name.to_string());
        Ok(())
    }

    /// The best `k` passages for a query (after [`PackReader::needs`] came back empty).
    pub fn search(&self, query: &str, k: usize, prefix: bool) -> Result<Vec<PackHit>, PackError> {
        let words = self.words(query, prefix, false);
        let terms: Vec<String> = words.iter().flat_map(Word::members).map(|qt| qt.term).collect();
        self.best(&words, k, false, &[])
            .into_iter()
            .map(|(p, score)| {
                let stored = self.passage(p)?;
                Ok(PackHit {
                    passage: p,
                    url: stored.url.clone(),
                    path: stored.path.clone(),
                    text: stored.text.clone(),
                    matches: matches(&stored.text, &terms),
                    score,
                })
            })
            .collect()
    }

    /// The passages a question is answered from, in site order (after [`PackReader::needs`] came
    /// back empty for it): the extractive reader's, and the model's when the visitor chooses it.
    pub fn passages(&self, question: &str) -> Result<Vec<PackPassage>, PackError> {
        self.read_set(question)?
            .passages
            .into_iter()
            .map(|p| {
                let stored = self.passage(p)?;
                Ok(PackPassage {
                    passage: p,
                    url: stored.url.clone(),
                    path: stored.path.clone(),
                    text: stored.text.clone(),
                })
            })
            .collect()
    }

    /// The passages [`PackReader::ask`] reads, in site order: the best page's best passages. The
    /// page is chosen twice: by the index shards alone among all pages (BM25 with variants and
    /// the outline-path boost, pages ranked by their best passages together, see
    /// [`PackReader::best`]), then among the [`CANDIDATE_PAGES`] best of those by [`qa::retrieve`]
    /// over their passages' text, as on one document (its section-title signal needs the titles,
    /// which only the text shards hold): the page of the best passage. The first choice needs a
    /// page about the question, not one that mentions it once; the second picks the passage the
    /// answer cites, and summing there again favours the long pages (an API reference, a
    /// changelog) whose many passages each share a word or two with any question. Measured
    /// (README, Documentation sites): best passage against its page's five best, halving: dev
    /// 33 / 33 of 40, held-out 41 / 36 of 56 (the `requests` docs 10 / 4 of 12).
    fn read_set(&self, question: &str) -> Result<ReadSet, PackError> {
        let words = self.words(question, false, true);
        let discounted = self.discounted(question, &words);
        let mut candidates: Vec<u32> =
            self.best(&words, qa::READ_PASSAGES, true, &discounted).into_iter().map(|(p, _)| p).collect();
        // The candidates come page by page, the first stage's best page first.
        let mut first_stage: Vec<usize> = candidates.iter().map(|&p| self.page_of(p)).collect();
        first_stage.dedup();
        candidates.sort_unstable();
        let (doc, index) = self.document(&candidates)?;
        let found = retrieve::run(&doc, &index, question, candidates.len());
        // A passage that several pages repeat word for word (rustdoc's methods on every type that
        // derefs to a slice, an included snippet) scores the same on each: the page the first
        // stage ranked higher, on the whole question, answers, not the first in site order.
        let mut weighted: Vec<(f32, u32)> = found
            .hits
            .iter()
            .map(|h| {
                let p = candidates[h.passage];
                (h.score * page_weight(&discounted, self.page_of(p)), p)
            })
            .collect();
        let top = weighted.iter().map(|w| w.0).fold(0.0, f32::max);
        let rank = |p: u32| first_stage.iter().position(|&page| page == self.page_of(p));
        let Some(best) =
            weighted.iter().filter(|w| w.0 == top && top > 0.0).map(|w| w.1).min_by_key(|&p| rank(p))
        else {
            return Ok(ReadSet { passages: Vec::new(), best: None, others: Vec::new() });
        };
        let page = self.page_of(best);
        let passages = candidates.into_iter().filter(|&p| self.page_of(p) == page).collect();
        weighted.sort_by(|a, b| b.0.total_cmp(&a.0));
        let (mut others, mut pages) = (Vec::new(), vec![page]);
        for &(score, p) in &weighted {
            if score > 0.0 && !pages.contains(&self.page_of(p)) {
                pages.push(self.page_of(p));
                others.push(p);
            }
        }
        Ok(ReadSet { passages, best: Some(best), others })
    }

    /// A document of the given passages (site order), indexed as part of the whole site: their
    /// idf and length normalisation are the site's. Its passage `i` is `passages[i]`.
    fn document(&self, passages: &[u32]) -> Result<(Document, Index), PackError> {
        let mut text = String::new();
        let mut spans = Vec::new();
        let mut pages = Vec::new();
        for (i, &p) in passages.iter().enumerate() {
            let stored = self.passage(p)?;
            let start = text.len();
            text.push_str(&stored.text);
            let span = Span::new(start, text.len());
            pages.push(Page { number: i as u32 + 1, span });
            spans.push(Passage { span, page: i as u32 + 1, path: stored.path.clone() });
            text.push_str("\n\n");
        }
        let doc = Document::new("pack", DocKind::Html, text, pages, Vec::new(), None);
        let mut index = Index::from_passages(&doc, spans);
        index.set_corpus(self.manifest.passages, self.manifest.avg_len, &|t| {
            self.terms.get(t).map(|e| e.df as usize)
        });
        Ok((doc, index))
    }

    /// A cited answer (after [`PackReader::needs`] came back empty for the question).
    pub fn ask(&self, question: &str) -> Result<PackAnswer, PackError> {
        let ReadSet { passages: top, best, others } = self.read_set(question)?;
        let (doc, index) = self.document(&top)?;
        let answer = qa::answer(&doc, &index, question);
        let mut citations = Vec::new();
        for c in &answer.citations {
            let Some(&p) = top.get(c.passage) else { continue };
            let stored = self.passage(p)?;
            let quote = collapse(doc.slice(c.span));
            citations.push(PackCitation {
                passage: p,
                url: with_text_fragment(&stored.url, &quote),
                path: stored.path.clone(),
                text: quote,
            });
        }
        // Nothing on the site covers the question: the section the reader would open still is.
        let nearest = match best {
            Some(p) if !answer.found => Some(self.passage(p)?.url.clone()),
            _ => None,
        };
        let most = if answer.found { qa::SEE_ALSO } else { qa::SEE_ALSO + 1 };
        let mut see_also = Vec::new();
        for &p in others.iter().take(most) {
            let stored = self.passage(p)?;
            let first = crate::index::sentences::sentences(&stored.text).first().copied();
            let text = first.map_or(stored.text.as_str(), |(s, e)| &stored.text[s..e]);
            see_also.push(PackRelated {
                passage: p,
                url: stored.url.clone(),
                path: stored.path.clone(),
                text: collapse(text),
            });
        }
        Ok(PackAnswer {
            answer: answer.text,
            found: answer.found,
            quote: answer.quote,
            citations,
            nearest,
            see_also,
        })
    }

    /// The terms a query is searched by before any shard is loaded (the words of
    /// [`PackReader::words`] without their variants).
    fn query_terms(&self, query: &str, answer: bool) -> Vec<String> {
        if !answer {
            return tokenize::query_terms(query);
        }
        // A question's frame ("Where does the manual explain ...?") is not searched for.
        let mut terms = tokenize::query_terms(qa::framed::without_frame(query));
        for t in tokenize::query_terms(&qa::question::parse(query).text) {
            if !terms.contains(&t) {
                terms.push(t);
            }
        }
        terms
    }

    fn passage(&self, p: u32) -> Result<&StoredPassage, PackError> {
        self.passages.get(&p).ok_or_else(|| PackError::NotLoaded(self.text_file(p).to_string()))
    }

    /// The words a query is searched by, each with its variants among the loaded terms (see
    /// [`retrieve::Word`]): a question as [`qa::retrieve`] reads it (spoken corrections applied,
    /// the taken-back words at [`qa::CORRECTED_WEIGHT`]), a search as typed. The word being typed
    /// (`prefix`) also stands for the three most frequent loaded terms it begins.
    fn words(&self, query: &str, prefix: bool, answer: bool) -> Vec<Word> {
        let read = |text: &str, weight: f32| -> Vec<Word> {
            tokenize::query_terms(text).into_iter().map(|t| self.word(t, weight)).collect()
        };
        let mut words = if answer { retrieve::question_words(query, &read).1 } else { read(query, 1.0) };
        if let Some(last) = prefix.then(|| last_word(query)).flatten() {
            let mut begun: Vec<&TermEntry> =
                self.terms.values().filter(|e| e.term.starts_with(&last) && e.term != last).collect();
            begun.sort_by(|a, b| b.df.cmp(&a.df).then(a.term.cmp(&b.term)));
            let begun: Vec<String> = begun.into_iter().take(3).map(|e| e.term.clone()).collect();
            match words.iter_mut().find(|w| w.term == last) {
                Some(own) => own.variants.extend(begun),
                None if !begun.is_empty() => {
                    let idf = self.idf(&begun[0]);
                    words.push(Word { term: last, idf, weight: 1.0, variants: begun, synonyms: Vec::new() });
                }
                None => {}
            }
        }
        words
    }

    /// A query word with its variants among the loaded terms (their shards are loaded first: see
    /// [`PackReader::needs`]).
    fn word(&self, term: String, weight: f32) -> Word {
        let present = self.terms.contains_key(&term);
        let vocabulary = || self.terms.values().map(|e| (e.term.as_str(), e.df as usize));
        let loaded = |t: &str| tokenize::variants(t, vocabulary());
        let variants = loaded(&term);
        let synonyms = retrieve::synonyms_in(&term, &|t| self.terms.get(t).map(|e| e.df as usize), &loaded);
        // A misspelt word's spellings among the loaded terms: its own shard holds its neighbours
        // in spelling.
        let spellings = |t: &str| spelling::near(t, vocabulary());
        Word::new(term, weight, present, variants, synonyms, &spellings, &|t| self.idf(t))
    }

    /// A term's idf in the whole site (a term no passage holds: that of df = 0).
    fn idf(&self, term: &str) -> f32 {
        let df = self.terms.get(term).map_or(0.0, |e| e.df as f32);
        bm25::idf(self.manifest.passages as f32, df)
    }

    /// The index shards a query word needs: its own, those of the terms that may be its variants,
    /// and those of its synonyms (their own only: a synonym's variants are found if loaded).
    fn word_files(&self, term: &str) -> Vec<&str> {
        let mut files = vec![self.index_file(term)];
        if let Some(head) = tokenize::variant_head(term) {
            files.extend(self.index_files_from(&head));
        }
        for synonym in synonyms::of(term) {
            files.push(self.index_file(&synonym));
        }
        files
    }

    /// The passages to show or read, best first. Pages rank by their passages' scores, the best
    /// counting most (each next one half as much, five at most): a page about what was asked
    /// beats a page that mentions it once. For a question, the best passages of the
    /// [`CANDIDATE_PAGES`] best pages, page by page (the reader then picks the page a reader
    /// should open); for a search, up to [`HITS_PER_PAGE`] passages of each page in page order.
    /// The `discounted` pages (see [`PackReader::discounted`]) count [`DISCOUNTED_WEIGHT`].
    fn best(&self, words: &[Word], k: usize, answer: bool, discounted: &[u32]) -> Vec<(u32, f32)> {
        let ranked = self.rank(words);
        let mut order = self.page_order(ranked.iter().copied());
        let covered = self.covered(words);
        let total: f32 = words.iter().map(|w| w.idf * w.weight).sum();
        if total > 0.0 {
            for (score, page) in &mut order {
                *score *= (covered.get(&*page).copied().unwrap_or(0.0) / total).powf(COVERAGE_EXPONENT);
                *score *= page_weight(discounted, *page);
            }
            order.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        }
        let mut pages: HashMap<usize, Vec<(u32, f32)>> = HashMap::new();
        for &(p, s) in &ranked {
            pages.entry(self.page_of(p)).or_default().push((p, s));
        }
        let (pages_read, per_page, most) =
            if answer { (CANDIDATE_PAGES, k, k * CANDIDATE_PAGES) } else { (usize::MAX, HITS_PER_PAGE, k) };
        let mut out = Vec::new();
        for (_, page) in order.iter().take(pages_read) {
            out.extend(pages[page].iter().take(per_page).copied());
            if out.len() >= most {
                break;
            }
        }
        out.truncate(most);
        out
    }

    /// The weight of the words each page holds (a word counts once a page, in its text or its
    /// outline path, itself or a variant), by page.
    fn covered(&self, words: &[Word]) -> HashMap<usize, f32> {
        let mut covered: HashMap<usize, f32> = HashMap::new();
        for word in words {
            let mut pages: HashSet<usize> = HashSet::new();
            for qt in word.members() {
                let Some(e) = self.terms.get(&qt.term) else { continue };
                pages.extend(e.postings.iter().map(|&(p, _)| self.page_of(p)));
                for &(start, len) in &e.path_runs {
                    let last = start.saturating_add(len.saturating_sub(1));
                    pages.extend(self.page_of(start)..=self.page_of(last));
                }
            }
            for page in pages {
                *covered.entry(page).or_default() += word.idf * word.weight;
            }
        }
        covered
    }

    /// Pages by the scores of their passages (passage, score; best first), best page first: the
    /// best passage counts most, each next one half as much, [`PAGE_DEPTH`] at most.
    fn page_order(&self, scored: impl Iterator<Item = (u32, f32)>) -> Vec<(f32, usize)> {
        let mut pages: HashMap<usize, (usize, f32)> = HashMap::new();
        for (p, s) in scored {
            let (n, score) = pages.entry(self.page_of(p)).or_default();
            if *n < PAGE_DEPTH {
                *score += s * 0.5f32.powi(*n as i32);
                *n += 1;
            }
        }
        let mut order: Vec<(f32, usize)> =
            pages.into_iter().map(|(page, (_, score))| (score, page)).collect();
        order.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        order
    }

    /// The pages that count [`DISCOUNTED_WEIGHT`] for a question of `words`, sorted: the release
    /// notes unless the question asks about releases, the unstable and the deprecated APIs unless
    /// it asks about them, the glossary unless it asks what a term means.
    fn discounted(&self, question: &str, words: &[Word]) -> Vec<u32> {
        let has = |f: &dyn Fn(&str) -> bool| words.iter().any(|w| f(&w.term));
        let about_releases = qa::aside::asks_about_releases(words);
        let about_unstable = has(&|t| UNSTABLE_WORDS.contains(&t));
        let about_deprecated = has(&|t| DEPRECATED_WORDS.contains(&t));
        let mut out = Vec::new();
        if !about_releases {
            out.extend_from_slice(&self.manifest.release_notes);
        }
        if !about_unstable {
            out.extend_from_slice(&self.manifest.unstable);
        }
        if !about_deprecated {
            out.extend_from_slice(&self.manifest.deprecated);
        }
        if !has(&|t| t == "glossary") && !qa::question::asks_meaning(question) {
            out.extend_from_slice(&self.manifest.glossary);
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The page (index in site order) holding passage `p`.
    fn page_of(&self, p: u32) -> usize {
        self.manifest.page_starts.partition_point(|&s| s <= p).saturating_sub(1)
    }

    /// Every passage's score for `words` as [`retrieve::word_scores`] gives it on one document,
    /// from the loaded postings; the scored passages best first (ties: site order).
    fn rank(&self, words: &[Word]) -> Vec<(u32, f32)> {
        let scores = retrieve::word_scores(words, self.manifest.passages, &|qt, scores| {
            self.add_term_scores(qt, scores)
        });
        let mut ranked: Vec<(u32, f32)> =
            scores.into_iter().enumerate().filter(|(_, s)| *s > 0.0).map(|(p, s)| (p as u32, s)).collect();
        ranked.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked
    }

    /// Adds a query term's score to every passage, as [`Index::add_term_scores`] does: BM25 on
    /// the body (from the stored saturations) and [`PATH_BOOST`] where the outline path holds it.
    fn add_term_scores(&self, qt: &QueryTerm, scores: &mut [f32]) {
        let Some(e) = self.terms.get(&qt.term) else { return };
        let idf = self.idf(&qt.term);
        for &(p, q) in &e.postings {
            if let Some(s) = scores.get_mut(p as usize) {
                *s += qt.weight * idf * codec::dequantize(q);
            }
        }
        for &(start, len) in &e.path_runs {
            let run = start as usize..start.saturating_add(len) as usize;
            for s in scores.get_mut(run).unwrap_or_default() {
                *s += PATH_BOOST * qt.idf * qt.weight;
            }
        }
    }

    /// The index shard that holds `term` (shards are cut by term range).
    fn index_file(&self, term: &str) -> &str {
        let i = self.manifest.index.partition_point(|(first, _)| first.as_str() <= term).saturating_sub(1);
        self.manifest.index.get(i).map_or("", |(_, f)| f.as_str())
    }

    /// The shards holding terms that begin with `prefix`.
    fn index_files_from(&self, prefix: &str) -> Vec<&str> {
        let first = self.manifest.index.partition_point(|(f, _)| f.as_str() <= prefix).saturating_sub(1);
        let mut out = vec![self.manifest.index.get(first).map_or("", |(_, f)| f.as_str())];
        for (t, f) in self.manifest.index.iter().skip(first + 1) {
            if !t.starts_with(prefix) {
                break;
            }
            out.push(f);
        }
        out
    }

    fn text_file(&self, passage: u32) -> &str {
        let i = self.manifest.text.partition_point(|(first, _)| *first <= passage).saturating_sub(1);
        self.manifest.text.get(i).map_or("", |(_, f)| f.as_str())
    }
}

/// What page `page`'s score counts: [`DISCOUNTED_WEIGHT`] if it is one of the `discounted`
/// pages (sorted; see [`PackReader::discounted`]).
fn page_weight(discounted: &[u32], page: usize) -> f32 {
    if discounted.binary_search(&(page as u32)).is_ok() { DISCOUNTED_WEIGHT } else { 1.0 }
}

/// The last word of a query that is still being typed (no space after it).
fn last_word(query: &str) -> Option<String> {
    if query.ends_with(char::is_whitespace) {
        return None;
    }
    tokenize::terms(query).pop().filter(|t| t.chars().count() >= 2)
}

fn matches(text: &str, terms: &[String]) -> Vec<[usize; 2]> {
    let mut out: Vec<[usize; 2]> = Vec::new();
    tokenize::for_each_token(text, |t, s, e| {
        if terms.iter().any(|q| q == t) {
            let (s, e) = (text[..s].chars().count(), text[..e].chars().count());
            match out.last_mut() {
                Some(last) if s <= last[1] => last[1] = last[1].max(e),
                _ => out.push([s, e]),
            }
        }
    });
    out
}

/// `url` with a text fragment that highlights `quote` where browsers support it
/// (`page.html#anchor:~:text=first%20words,last%20words`); other browsers go to the anchor.
pub fn with_text_fragment(url: &str, quote: &str) -> String {
    let words: Vec<&str> = quote.split_whitespace().collect();
    if words.is_empty() {
        return url.to_string();
    }
    let directive = if words.len() <= 8 {
        encode_fragment(&words.join(" "))
    } else {
        format!(
            "{},{}",
            encode_fragment(&words[..4].join(" ")),
            encode_fragment(&words[words.len() - 4..].join(" "))
        )
    };
    let sep = if url.contains('#') { ":~:" } else { "#:~:" };
    format!("{url}{sep}text={directive}")
}

/// Percent-encodes all but letters, digits and `._~` (text directives must escape `-`, `,`, `&`).
fn encode_fragment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A pack in a folder, read natively: loads what the reader asks for and counts the bytes (as
/// served, compressed).
#[cfg(not(target_family = "wasm"))]
#[derive(Debug)]
pub struct DirPack {
    pub reader: PackReader,
    dir: std::path::PathBuf,
    /// Bytes read so far (compressed files as served, the manifest included).
    pub bytes_read: u64,
}

#[cfg(not(target_family = "wasm"))]
impl DirPack {
    pub fn open(dir: &std::path::Path) -> Result<DirPack, PackError> {
        let path = dir.join(super::MANIFEST);
        let bytes = std::fs::read(&path)
            .map_err(|e| PackError::NotAPack(format!("{} cannot be read: {e}", path.display())))?;
        Ok(DirPack {
            reader: PackReader::open(&bytes)?,
            dir: dir.to_path_buf(),
            bytes_read: bytes.len() as u64,
        })
    }

    /// Loads what `query` needs (at most a few rounds: terms, then passages).
    pub fn load_for(&mut self, query: &str, k: usize, prefix: bool, answer: bool) -> Result<(), PackError> {
        for _ in 0..4 {
            let want = self.reader.needs(query, k, prefix, answer);
            if want.is_empty() {
                return Ok(());
            }
            for name in want {
                self.load(&name)?;
            }
        }
        Ok(())
    }

    pub fn load(&mut self, name: &str) -> Result<(), PackError> {
        let content = self.read(name)?;
        self.reader.add(name, &content)
    }

    /// The site's outline (site → page → sections), as the widget shows it.
    pub fn outline(&mut self) -> Result<Vec<super::OutlineEntry>, PackError> {
        let name = self.reader.manifest.outline.clone();
        let content = self.read(&name)?;
        super::check_name(&name, &content)?;
        serde_json::from_slice(&content).map_err(|e| PackError::Damaged(name, format!("not an outline: {e}")))
    }

    /// A file of the pack, decompressed (its bytes as served counted).
    fn read(&mut self, name: &str) -> Result<Vec<u8>, PackError> {
        use std::io::Read;
        let gz =
            std::fs::read(self.dir.join(name)).map_err(|e| PackError::Io(name.to_string(), e.to_string()))?;
        self.bytes_read += gz.len() as u64;
        let mut content = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut content)
            .map_err(|e| PackError::Damaged(name.to_string(), format!("not gzip: {e}")))?;
        Ok(content)
    }

    pub fn search(&mut self, query: &str, k: usize) -> Result<Vec<PackHit>, PackError> {
        self.load_for(query, k, false, false)?;
        self.reader.search(query, k, false)
    }

    pub fn ask(&mut self, question: &str) -> Result<PackAnswer, PackError> {
        self.load_for(question, qa::READ_PASSAGES, false, true)?;
        self.reader.ask(question)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fragments_are_short_and_escaped() {
        assert_eq!(
            with_text_fragment("a.html#x", "Tie a knot, then pull"),
            "a.html#x:~:text=Tie%20a%20knot%2C%20then%20pull"
        );
        assert_eq!(
            with_text_fragment("a.html", "one two three four five six seven eight nine-ten"),
            "a.html#:~:text=one%20two%20three%20four,six%20seven%20eight%20nine%2Dten"
        );
        assert_eq!(with_text_fragment("a.html", "  "), "a.html");
    }

    #[test]
    fn the_typed_word_is_the_last_one_without_a_space() {
        assert_eq!(last_word("borrow che").as_deref(), Some("che"));
        assert_eq!(last_word("borrow check "), None);
        assert_eq!(last_word("b"), None);
    }
}
