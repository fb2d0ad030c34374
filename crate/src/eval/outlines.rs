//! Outline accuracy against `outlines.json` (format in `shared/eval/README.md`).
//!
//! For each PDF: are its bookmarks reproduced exactly (titles, levels, pages), and how well does
//! heading detection recover them with the bookmarks ignored (title F1, a match needing the
//! same normalised title and the same page). For each novel: chapter F1 (same normalised title,
//! heading line within a few characters of the true offset).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::doc::{DocKind, Document};
use crate::error::{Error, Result};
use crate::outline::Outline;

#[derive(Debug, Deserialize)]
struct Truth {
    pages: Option<usize>,
    outline: Vec<TruthEntry>,
}

#[derive(Debug, Deserialize)]
struct TruthEntry {
    title: String,
    level: u32,
    page: Option<u32>,
    offset: Option<usize>,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct F1 {
    pub truth: usize,
    pub found: usize,
    pub matched: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl F1 {
    fn new(truth: usize, found: usize, matched: usize) -> F1 {
        let precision = if found == 0 { 0.0 } else { matched as f64 / found as f64 };
        let recall = if truth == 0 { 0.0 } else { matched as f64 / truth as f64 };
        let f1 = if matched == 0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
        F1 { truth, found, matched, precision, recall, f1 }
    }
}

#[derive(Debug, Serialize)]
pub struct DocScore {
    pub doc: String,
    pub pages: Option<usize>,
    /// Why the document could not be read (e.g. a scan with no text layer), if it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// PDFs with bookmarks: all of them reproduced with the same title, level and page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bookmarks_exact: Option<bool>,
    /// The first entry that differs, when they are not exact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bookmarks_first_difference: Option<String>,
    /// PDFs with bookmarks: detected headings (bookmarks ignored) against the bookmarks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected: Option<F1>,
    /// Novels: detected chapter headings against the truth.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chapters: Option<F1>,
}

#[derive(Debug, Serialize)]
pub struct Overall {
    pub pdfs_with_bookmarks: usize,
    pub bookmarks_exact: usize,
    pub all_bookmarks_exact: bool,
    pub detected_mean_f1: f64,
    pub novels: usize,
    pub chapters_mean_f1: f64,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub documents: Vec<DocScore>,
    pub overall: Overall,
}

/// Scores every document listed in `dir/outlines.json`.
pub fn evaluate(dir: &Path) -> Result<Report> {
    let truth = read_truth(dir)?;
    let documents: Vec<DocScore> = truth.iter().map(|(name, t)| score(dir, name, t)).collect();
    Ok(Report { overall: overall(&documents), documents })
}

/// Scores one document of `dir/outlines.json`, by its key there (e.g. "docs/pdf/R-intro.pdf").
pub fn evaluate_one(dir: &Path, name: &str) -> Result<DocScore> {
    let truth = read_truth(dir)?;
    let t = truth
        .get(name)
        .ok_or_else(|| Error::Unsupported { detail: format!("{name} is not in outlines.json") })?;
    Ok(score(dir, name, t))
}

fn read_truth(dir: &Path) -> Result<BTreeMap<String, Truth>> {
    let path = dir.join("outlines.json");
    let json = std::fs::read_to_string(&path)
        .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
    serde_json::from_str(&json).map_err(|e| Error::Unsupported {
        detail: format!("{} is not in the outlines.json format: {e}", path.display()),
    })
}

/// Scores one document.
fn score(dir: &Path, name: &str, truth: &Truth) -> DocScore {
    let mut s = DocScore {
        doc: name.to_string(),
        pages: None,
        error: None,
        bookmarks_exact: None,
        bookmarks_first_difference: None,
        detected: None,
        chapters: None,
    };
    let bytes = match std::fs::read(dir.join(name)) {
        Ok(b) => b,
        Err(e) => {
            s.error = Some(format!("cannot read: {e}"));
            return s;
        }
    };
    let is_pdf = truth.pages.is_some();
    match Document::from_bytes(name, &bytes) {
        Ok(doc) if doc.kind == DocKind::Pdf => {
            s.pages = Some(doc.pages.len());
            if !truth.outline.is_empty() {
                let ours = Outline::build(&doc, false);
                let ours: Vec<(String, u32, Option<u32>)> =
                    ours.flatten().iter().map(|(n, _)| (n.title.clone(), n.level, Some(n.page))).collect();
                compare_bookmarks(&mut s, truth, &ours);
                s.detected = Some(detected_f1(&doc, truth));
            }
        }
        Ok(doc) => s.chapters = Some(chapter_f1(&doc, truth)),
        Err(e) => {
            s.error = Some(e.to_string());
            if !is_pdf {
                s.chapters = Some(F1::new(truth.outline.len(), 0, 0));
            }
            // A scan without text still has bookmarks worth checking.
            if is_pdf
                && !truth.outline.is_empty()
                && let Ok(Some(marks)) = crate::doc::read_bookmarks(&bytes)
            {
                let ours: Vec<_> = marks.into_iter().map(|m| (m.title, m.level, m.page)).collect();
                compare_bookmarks(&mut s, truth, &ours);
            }
        }
    }
    s
}

fn compare_bookmarks(s: &mut DocScore, truth: &Truth, ours: &[(String, u32, Option<u32>)]) {
    let want: Vec<(String, u32, Option<u32>)> =
        truth.outline.iter().map(|e| (e.title.clone(), e.level, e.page)).collect();
    s.bookmarks_exact = Some(want == ours);
    if want != ours {
        let i = want.iter().zip(ours).take_while(|(a, b)| a == b).count();
        s.bookmarks_first_difference = Some(format!(
            "entry {i}: expected {:?}, got {:?} ({} expected, {} got)",
            want.get(i),
            ours.get(i),
            want.len(),
            ours.len()
        ));
    }
}

fn detected_f1(doc: &Document, truth: &Truth) -> F1 {
    let outline = Outline::build(doc, true);
    let found: Vec<(String, u32)> = outline.flatten().iter().map(|(n, _)| (key(&n.title), n.page)).collect();
    let mut unmatched: Vec<(String, u32)> =
        truth.outline.iter().map(|e| (key(&e.title), e.page.unwrap_or(0))).collect();
    let mut matched = 0;
    for f in &found {
        if let Some(i) = unmatched.iter().position(|t| t == f) {
            unmatched.swap_remove(i);
            matched += 1;
        }
    }
    F1::new(truth.outline.len(), found.len(), matched)
}

/// Chapter headings within this many characters of the true heading line count as found.
const OFFSET_SLACK: usize = 16;

fn chapter_f1(doc: &Document, truth: &Truth) -> F1 {
    let outline = Outline::build(doc, false);
    let found: Vec<(String, usize)> =
        outline.flatten().iter().map(|(n, _)| (key(&n.title), doc.char_offset(n.span.start))).collect();
    let mut unmatched: Vec<(String, usize)> =
        truth.outline.iter().map(|e| (key(&e.title), e.offset.unwrap_or(0))).collect();
    let mut matched = 0;
    for (title, at) in &found {
        if let Some(i) = unmatched.iter().position(|(t, o)| t == title && o.abs_diff(*at) <= OFFSET_SLACK) {
            unmatched.swap_remove(i);
            matched += 1;
        }
    }
    F1::new(truth.outline.len(), found.len(), matched)
}

/// A title as compared: without case, whitespace or quote marks (PDFs typeset ” where the
/// bookmark has "), and without a leading section label ("1.2", "Chapter 3", "Appendix A",
/// "第3章"), because some bookmarks carry the number the page shows and others do not.
pub fn key(title: &str) -> String {
    let words: Vec<&str> = title.split_whitespace().collect();
    let mut rest: &[&str] = &words;
    let mut keyword = false;
    if rest.len() > 1 && ["chapter", "appendix", "part", "section"].contains(&rest[0].to_lowercase().as_str())
    {
        rest = &rest[1..];
        keyword = true;
    }
    if rest.len() > 1 && is_label(rest[0], rest[1], keyword) {
        rest = &rest[1..];
    }
    rest.concat().chars().filter(|c| !QUOTES.contains(*c)).flat_map(char::to_lowercase).collect()
}

const QUOTES: &str = "\"'`‘’‚“”„«»";

/// "1", "2.3.", "A.1", "IV:" (roman only after a keyword or with punctuation, so that words
/// such as "mild" stay), "A" before a capitalised word ("A A sample session"), "第3章".
fn is_label(word: &str, next: &str, after_keyword: bool) -> bool {
    let w = word.trim_end_matches([':', '.', ')']);
    let punctuated = w.len() < word.len();
    let capital_before_capital = w.len() == 1
        && w.chars().all(|c| c.is_ascii_uppercase())
        && next.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit());
    let letter_ok = after_keyword || punctuated || w.contains('.') || capital_before_capital;
    let lower = w.to_lowercase();
    !w.is_empty()
        && (w
            .split('.')
            .all(|p| !p.is_empty() && (p.chars().all(|c| c.is_ascii_digit()) || (p.len() == 1 && letter_ok)))
            || ((after_keyword || punctuated) && is_roman(&lower))
            || (w.starts_with('第') && (w.ends_with('章') || w.ends_with('节'))))
}

fn is_roman(w: &str) -> bool {
    !w.is_empty() && w.chars().all(|c| matches!(c, 'i' | 'v' | 'x' | 'l' | 'c' | 'd' | 'm'))
}

fn overall(docs: &[DocScore]) -> Overall {
    let with_marks: Vec<&DocScore> = docs.iter().filter(|d| d.bookmarks_exact.is_some()).collect();
    let detected: Vec<f64> = docs.iter().filter_map(|d| d.detected.map(|f| f.f1)).collect();
    let novels: Vec<f64> = docs.iter().filter_map(|d| d.chapters.map(|f| f.f1)).collect();
    let mean = |v: &[f64]| if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 };
    let exact = with_marks.iter().filter(|d| d.bookmarks_exact == Some(true)).count();
    Overall {
        pdfs_with_bookmarks: with_marks.len(),
        bookmarks_exact: exact,
        all_bookmarks_exact: exact == with_marks.len(),
        detected_mean_f1: mean(&detected),
        novels: novels.len(),
        chapters_mean_f1: mean(&novels),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_space_and_section_labels() {
        assert_eq!(key("1.1  Console   basics"), "consolebasics");
        assert_eq!(key("Console basics"), "consolebasics");
        assert_eq!(key("Chapter 4: Data"), "data");
        assert_eq!(key("Appendix A The end"), "theend");
        assert_eq!(key("CHAPTER 1"), "1");
        assert_eq!(key("1 模板介绍"), "模板介绍");
        assert_eq!(key("mild weather"), "mildweather");
        assert_eq!(key("A note"), "anote");
        assert_eq!(key("IV. Results"), "results");
        assert_eq!(key("Appendix A A sample session"), key("A A sample session"));
        assert_eq!(key("1.5.2 The ”$LANG” variable"), key("The \"$LANG\" variable"));
    }

    #[test]
    fn f1_of_half_found() {
        let f = F1::new(4, 2, 2);
        assert!((f.precision - 1.0).abs() < 1e-9 && (f.recall - 0.5).abs() < 1e-9);
        assert!((f.f1 - 2.0 / 3.0).abs() < 1e-9);
    }
}
