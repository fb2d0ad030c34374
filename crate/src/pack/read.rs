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
use crate::doc::{DocKind, Document, Page};
use crate::index::{Index, PATH_BOOST, Passage, bm25, tokenize};
use crate::qa;
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
/// Most family members of a query word, and their weight (see [`PackReader::family`]).
const FAMILY_SIZE: usize = 6;
const FAMILY_WEIGHT: f32 = 0.8;
/// Most passages of one page in a list of search results.
pub const HITS_PER_PAGE: usize = 3;

/// Query terms that score together: the best of a group counts (a word being typed stands for
/// every term it begins).
type Group = Vec<(String, f32)>;

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
        let groups = self.groups(query, prefix, answer);
        let mut want: Vec<String> = Vec::new();
        let add = |want: &mut Vec<String>, f: &str| {
            if !self.loaded.contains(f) && !want.iter().any(|w| w == f) {
                want.push(f.to_string());
            }
        };
        for term in self.query_words(query, answer) {
            add(&mut want, self.index_file(&term));
        }
        if let Some(last) = prefix.then(|| last_word(query)).flatten() {
            for f in self.index_files_from(&last) {
                add(&mut want, f);
            }
        }
        if !want.is_empty() {
            return want;
        }
        for (p, _) in self.best(&groups, k, answer) {
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
        let groups = self.groups(query, prefix, false);
        let terms: Vec<String> = groups.iter().flatten().map(|(t, _)| t.clone()).collect();
        self.best(&groups, k, false)
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

    /// A cited answer (after [`PackReader::needs`] came back empty for the question).
    pub fn ask(&self, question: &str) -> Result<PackAnswer, PackError> {
        let groups = self.groups(question, false, true);
        let mut top: Vec<u32> =
            self.best(&groups, qa::READ_PASSAGES, true).into_iter().map(|(p, _)| p).collect();
        // In site order, so neighbours in a section stay neighbours.
        top.sort_unstable();
        let mut text = String::new();
        let mut passages = Vec::new();
        let mut pages = Vec::new();
        for (i, &p) in top.iter().enumerate() {
            let stored = self.passage(p)?;
            let start = text.len();
            text.push_str(&stored.text);
            let span = Span::new(start, text.len());
            pages.push(Page { number: i as u32 + 1, span });
            passages.push(Passage { span, page: i as u32 + 1, path: stored.path.clone() });
            text.push_str("\n\n");
        }
        let doc = Document::new("pack", DocKind::Html, text, pages, Vec::new(), None);
        let mut index = Index::from_passages(&doc, passages);
        index.set_corpus(self.manifest.passages, self.manifest.avg_len, &|t| {
            self.terms.get(t).map(|e| e.df as usize)
        });
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
        Ok(PackAnswer { answer: answer.text, found: answer.found, quote: answer.quote, citations })
    }

    fn passage(&self, p: u32) -> Result<&StoredPassage, PackError> {
        self.passages.get(&p).ok_or_else(|| PackError::NotLoaded(self.text_file(p).to_string()))
    }

    /// The words a query is searched by: for a question, as [`qa::retrieve`] reads it (spoken
    /// corrections applied, the taken-back words at [`qa::CORRECTED_WEIGHT`]).
    fn weighted(&self, query: &str, answer: bool) -> Vec<(String, f32)> {
        if !answer {
            return tokenize::query_terms(query).into_iter().map(|t| (t, 1.0)).collect();
        }
        let meant = qa::question::parse(query).text;
        let mut out: Vec<(String, f32)> =
            tokenize::query_terms(&meant).into_iter().map(|t| (t, 1.0)).collect();
        for t in tokenize::query_terms(query) {
            if !out.iter().any(|(o, _)| *o == t) {
                out.push((t, qa::CORRECTED_WEIGHT));
            }
        }
        out
    }

    fn query_words(&self, query: &str, answer: bool) -> Vec<String> {
        self.weighted(query, answer).into_iter().map(|(t, _)| t).collect()
    }

    fn groups(&self, query: &str, prefix: bool, answer: bool) -> Vec<Group> {
        let mut groups: Vec<Group> =
            self.weighted(query, answer).into_iter().map(|t| self.family(t)).collect();
        if let Some(last) = prefix.then(|| last_word(query)).flatten() {
            // The word being typed: the three most frequent loaded terms it begins.
            let mut begun: Vec<&TermEntry> =
                self.terms.values().filter(|e| e.term.starts_with(&last) && e.term != last).collect();
            begun.sort_by(|a, b| b.df.cmp(&a.df).then(a.term.cmp(&b.term)));
            let group: Group = begun.into_iter().take(3).map(|e| (e.term.clone(), 1.0)).collect();
            if let Some(own) = groups.iter_mut().find(|g| g[0].0 == last) {
                own.extend(group);
            } else if !group.is_empty() {
                groups.push(group);
            }
        }
        groups
    }

    /// The passages to show or read, best first. Pages rank by their passages' scores, the best
    /// counting most (each next one half as much, five at most): a page about what was asked
    /// beats a page that mentions it once. For a question, the best page's best passages (the
    /// answer and its citation come from the page a reader should open); for a search, up to
    /// [`HITS_PER_PAGE`] passages of each page in page order.
    fn best(&self, groups: &[Group], k: usize, answer: bool) -> Vec<(u32, f32)> {
        let ranked = self.rank(groups, usize::MAX);
        let mut pages: HashMap<usize, Vec<(u32, f32)>> = HashMap::new();
        for &(p, s) in &ranked {
            pages.entry(self.page_of(p)).or_default().push((p, s));
        }
        let mut order: Vec<(f32, usize)> = pages
            .iter()
            .map(|(&page, hits)| {
                let score =
                    hits.iter().take(PAGE_DEPTH).enumerate().map(|(i, h)| h.1 * 0.5f32.powi(i as i32)).sum();
                (score, page)
            })
            .collect();
        order.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let per_page = if answer { k } else { HITS_PER_PAGE };
        let mut out = Vec::new();
        for (_, page) in order.iter().take(if answer { 1 } else { usize::MAX }) {
            out.extend(pages[page].iter().take(per_page).copied());
            if out.len() >= k {
                break;
            }
        }
        out.truncate(k);
        out
    }

    /// The page (index in site order) holding passage `p`.
    fn page_of(&self, p: u32) -> usize {
        self.manifest.page_starts.partition_point(|&s| s <= p).saturating_sub(1)
    }

    /// A query word and the loaded terms of its family: those that share all but its last
    /// three letters (four at least), "installed" -> "install", "installation", "installing".
    /// The light plural stemmer of the index leaves these apart; a reader's words and a
    /// manual's often differ just so. Family members count a little less than the word.
    fn family(&self, (term, weight): (String, f32)) -> Group {
        let chars: Vec<char> = term.chars().collect();
        let keep = chars.len().saturating_sub(3).max(4);
        let mut group = vec![(term.clone(), weight)];
        if chars.len() < 5 || !chars.iter().all(|c| c.is_ascii_alphabetic()) {
            return group;
        }
        let stem: String = chars[..keep].iter().collect();
        let mut kin: Vec<&TermEntry> =
            self.terms.values().filter(|e| e.term != term && e.term.starts_with(&stem)).collect();
        kin.sort_by(|a, b| b.df.cmp(&a.df).then(a.term.cmp(&b.term)));
        group.extend(kin.into_iter().take(FAMILY_SIZE).map(|e| (e.term.clone(), weight * FAMILY_WEIGHT)));
        group
    }

    /// BM25 over the loaded postings with the path boost, best first (ties: site order).
    fn rank(&self, groups: &[Group], k: usize) -> Vec<(u32, f32)> {
        let n = self.manifest.passages as f32;
        let mut scores: HashMap<u32, f32> = HashMap::new();
        for group in groups {
            let mut best: HashMap<u32, f32> = HashMap::new();
            for (term, weight) in group {
                let Some(e) = self.terms.get(term) else { continue };
                let idf = bm25::idf(n, e.df as f32);
                let mut own: HashMap<u32, f32> = HashMap::new();
                for &(p, q) in &e.postings {
                    *own.entry(p).or_default() += weight * idf * codec::dequantize(q);
                }
                for &(start, len) in &e.path_runs {
                    for p in start..start.saturating_add(len) {
                        *own.entry(p).or_default() += PATH_BOOST * idf * weight;
                    }
                }
                for (p, s) in own {
                    let b = best.entry(p).or_default();
                    if s > *b {
                        *b = s;
                    }
                }
            }
            for (p, s) in best {
                *scores.entry(p).or_default() += s;
            }
        }
        let mut ranked: Vec<(u32, f32)> = scores.into_iter().filter(|(_, s)| *s > 0.0).collect();
        ranked.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(k);
        ranked
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

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
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
        use std::io::Read;
        let gz =
            std::fs::read(self.dir.join(name)).map_err(|e| PackError::Io(name.to_string(), e.to_string()))?;
        self.bytes_read += gz.len() as u64;
        let mut content = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut content)
            .map_err(|e| PackError::Damaged(name.to_string(), format!("not gzip: {e}")))?;
        self.reader.add(name, &content)
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
