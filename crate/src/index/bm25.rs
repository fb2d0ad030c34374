//! A compact BM25 index: passage texts in, per-term scores out.
//!
//! Terms are interned to dense ids; postings are one flat array per field (CSR layout:
//! `starts[t]..starts[t + 1]` indexes `docs` and `tfs`), so a query touches a few contiguous
//! slices and allocates only its score vector. BM25 with k1 = 1.2, b = 0.75 and the
//! non-negative idf ln(1 + (N - df + 0.5) / (df + 0.5)).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::tokenize::for_each_token;

const K1: f32 = 1.2;
const B: f32 = 0.75;
/// The largest a term's share of a passage's score gets ([`saturation`] of a huge tf).
pub const MAX_SATURATION: f32 = K1 + 1.0;

/// BM25's term-frequency part for a term seen `tf` times in a passage of `len` tokens:
/// tf (K1 + 1) / (tf + K1 (1 - B + B len / avg_len)), in [0, K1 + 1).
pub fn saturation(tf: f32, len: f32, avg_len: f32) -> f32 {
    tf * (K1 + 1.0) / (tf + norm(len, avg_len))
}

fn norm(len: f32, avg_len: f32) -> f32 {
    K1 * (1.0 - B + B * len / avg_len.max(1.0))
}

/// FxHash (rustc's hasher): much faster than SipHash on short keys; no untrusted-key DoS
/// concern for a local index.
#[derive(Default)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 =
                (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

#[derive(Debug, Clone, Default)]
pub struct Bm25 {
    vocab: FxMap<Box<str>, u32>,
    /// Per term id.
    idf: Vec<f32>,
    starts: Vec<u32>,
    docs: Vec<u32>,
    tfs: Vec<u16>,
    /// Per document: its length in tokens.
    lens: Vec<u32>,
    /// Per document: K1 * (1 - B + B * len / avg_len), the length part of BM25's denominator.
    norms: Vec<f32>,
    /// The passage count of the corpus these passages were taken from (see [`Bm25::set_corpus`]).
    corpus: Option<f32>,
}

impl Bm25 {
    pub fn build<'a>(texts: impl Iterator<Item = &'a str>) -> Bm25 {
        let mut vocab: FxMap<Box<str>, u32> = FxMap::default();
        let mut postings: Vec<(u32, u32, u16)> = Vec::new(); // (term, doc, tf)
        let mut lens: Vec<u32> = Vec::new();
        let mut ids: Vec<u32> = Vec::new();
        for (doc, text) in texts.enumerate() {
            ids.clear();
            for_each_token(text, |term, _, _| {
                let next = vocab.len() as u32;
                let id = match vocab.get(term) {
                    Some(&id) => id,
                    None => {
                        vocab.insert(term.into(), next);
                        next
                    }
                };
                ids.push(id);
            });
            lens.push(ids.len() as u32);
            ids.sort_unstable();
            for run in ids.chunk_by(|a, b| a == b) {
                postings.push((run[0], doc as u32, run.len().min(usize::from(u16::MAX)) as u16));
            }
        }
        // Counting sort by term keeps each term's postings in document order.
        let n_terms = vocab.len();
        let mut starts = vec![0u32; n_terms + 1];
        for &(t, _, _) in &postings {
            starts[t as usize + 1] += 1;
        }
        for i in 0..n_terms {
            starts[i + 1] += starts[i];
        }
        let mut fill = starts.clone();
        let mut docs = vec![0u32; postings.len()];
        let mut tfs = vec![0u16; postings.len()];
        for (t, d, tf) in postings {
            let at = fill[t as usize] as usize;
            docs[at] = d;
            tfs[at] = tf;
            fill[t as usize] += 1;
        }
        let n = lens.len() as f32;
        let idf = (0..n_terms).map(|t| idf(n, (starts[t + 1] - starts[t]) as f32)).collect();
        let avg = lens.iter().map(|&l| l as f32).sum::<f32>() / n.max(1.0);
        let norms = lens.iter().map(|&l| norm(l as f32, avg)).collect();
        Bm25 { vocab, idf, starts, docs, tfs, lens, norms, corpus: None }
    }

    /// Scores these passages as members of a larger corpus of `n` passages of mean length
    /// `avg_len` in which term `t` is held by `df(t)` passages (None when not known: then its
    /// share here stands for its share there). A few passages read out of a site's pack then
    /// score as they do in the whole site.
    pub fn set_corpus(&mut self, n: usize, avg_len: f32, df: &dyn Fn(&str) -> Option<usize>) {
        let here = self.len().max(1) as f32;
        let n_f = n.max(1) as f32;
        for (term, &t) in &self.vocab {
            let local = (self.starts[t as usize + 1] - self.starts[t as usize]) as f32;
            let global = df(term).map_or(local * n_f / here, |d| d as f32);
            self.idf[t as usize] = idf(n_f, global);
        }
        self.norms = self.lens.iter().map(|&l| norm(l as f32, avg_len)).collect();
        self.corpus = Some(n_f);
    }

    pub fn len(&self) -> usize {
        self.norms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.norms.is_empty()
    }

    pub fn term_id(&self, term: &str) -> Option<u32> {
        self.vocab.get(term).copied()
    }

    /// Every term of the vocabulary with its id, in no particular order.
    pub fn terms(&self) -> impl Iterator<Item = (&str, u32)> {
        self.vocab.iter().map(|(t, &id)| (&**t, id))
    }

    /// The idf of a term; a term no passage holds gets the idf of df = 0.
    pub fn idf(&self, term: &str) -> f32 {
        let n = self.corpus.unwrap_or(self.len() as f32);
        self.term_id(term).map_or_else(|| idf(n, 0.0), |t| self.idf[t as usize])
    }

    /// Number of passages holding term `t`.
    pub fn df(&self, t: u32) -> usize {
        (self.starts[t as usize + 1] - self.starts[t as usize]) as usize
    }

    /// Length in tokens of passage `d`.
    pub fn passage_len(&self, d: usize) -> u32 {
        self.lens.get(d).copied().unwrap_or(0)
    }

    /// Mean passage length in tokens.
    pub fn avg_len(&self) -> f32 {
        self.lens.iter().map(|&l| l as f32).sum::<f32>() / (self.lens.len().max(1) as f32)
    }

    /// Adds `weight` times term `t`'s BM25 contribution to every passage that holds it.
    pub fn add_scores(&self, t: u32, weight: f32, scores: &mut [f32]) {
        let range = self.starts[t as usize] as usize..self.starts[t as usize + 1] as usize;
        let idf = self.idf[t as usize] * weight;
        for (&d, &tf) in self.docs[range.clone()].iter().zip(&self.tfs[range]) {
            let tf = f32::from(tf);
            if let (Some(score), Some(&norm)) = (scores.get_mut(d as usize), self.norms.get(d as usize)) {
                *score += idf * tf * (K1 + 1.0) / (tf + norm);
            }
        }
    }
}

/// BM25's idf of a term held by `df` of `n` passages.
pub fn idf(n: f32, df: f32) -> f32 {
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranking(texts: &[&str], query: &str) -> Vec<usize> {
        let index = Bm25::build(texts.iter().copied());
        let mut scores = vec![0.0; texts.len()];
        for term in super::super::tokenize::terms(query) {
            if let Some(t) = index.term_id(&term) {
                index.add_scores(t, 1.0, &mut scores);
            }
        }
        let mut order: Vec<usize> = (0..texts.len()).filter(|&i| scores[i] > 0.0).collect();
        order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
        order
    }

    #[test]
    fn rare_terms_and_repeats_rank_higher_short_passages_win_ties() {
        let texts = [
            "the garden was quiet and the house was dark",
            "the carriage came up the drive to the house",
            "a carriage, another carriage, and a third carriage waited",
            "the house the house the house the house the house the house",
        ];
        // "carriage" is rarer than "house": both carriage passages outrank the house ones.
        let mut top = ranking(&texts, "carriage house")[..2].to_vec();
        top.sort_unstable();
        assert_eq!(top, [1, 2]);
        assert_eq!(ranking(&texts, "carriages"), [2, 1]);
        assert_eq!(ranking(&texts, "garden"), [0]);
        assert!(ranking(&texts, "elephant").is_empty());
    }

    #[test]
    fn postings_are_compact_and_complete() {
        let index = Bm25::build(["a b a", "b c", "c c c"].into_iter());
        assert_eq!(index.len(), 3);
        let b = index.term_id("b").unwrap();
        let c = index.term_id("c").unwrap();
        assert_eq!((index.df(b), index.df(c)), (2, 2));
        assert!(index.idf("a") > index.idf("b"));
        assert!(index.idf("zebra") > index.idf("a"));
    }
}
