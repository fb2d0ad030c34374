//! Outline accuracy against `outlines.json` (format in `shared/eval/README.md`).
//!
//! For each PDF: are its bookmarks reproduced exactly (titles, levels, pages), and how well is
//! the outline recovered with the bookmarks ignored (title F1, a match needing the same
//! normalised title and the same page): by the path `Outline::build` takes (its source named),
//! and by each source separately (the printed table of contents, heading detection), so each
//! is measured on its own. For each novel: chapter F1 (same normalised title, heading line
//! within a few characters of the true offset).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::doc::{DocKind, Document};
use crate::error::{Error, Result};
use crate::outline::{Outline, OutlineSource};

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
    /// PDFs with bookmarks, bookmarks ignored: the source the outline then comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<OutlineSource>,
    /// That outline against the bookmarks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub without_bookmarks: Option<F1>,
    /// The printed table of contents alone, when the PDF has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub toc: Option<F1>,
    /// The same, a match also needing the bookmark's level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub toc_with_levels: Option<F1>,
    /// Detected headings alone (contents pages not used).
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
    /// Bookmarks ignored, whichever source the outline then comes from.
    pub without_bookmarks_mean_f1: f64,
    pub pdfs_with_toc: usize,
    pub toc_mean_f1: f64,
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
    let t = truth.get(name).ok_or_else(|| Error::EvalData(format!("{name} is not in outlines.json")))?;
    Ok(score(dir, name, t))
}

fn read_truth(dir: &Path) -> Result<BTreeMap<String, Truth>> {
    let path = dir.join("outlines.json");
    let json = std::fs::read_to_string(&path)
        .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
    serde_json::from_str(&json)
        .map_err(|e| Error::EvalData(format!("{} is not in the outlines.json format: {e}", path.display())))
}

/// Scores one document.
fn score(dir: &Path, name: &str, truth: &Truth) -> DocScore {
    let mut s = DocScore {
        doc: name.to_string(),
        pages: None,
        error: None,
        bookmarks_exact: None,
        bookmarks_first_difference: None,
        source: None,
        without_bookmarks: None,
        toc: None,
        toc_with_levels: None,
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
                let ignored = Outline::build(&doc, true);
                s.source = Some(ignored.source);
                s.without_bookmarks = Some(title_page_f1(&ignored, truth, false));
                if let Some(toc) = Outline::from_toc(&doc) {
                    s.toc = Some(title_page_f1(&toc, truth, false));
                    s.toc_with_levels = Some(title_page_f1(&toc, truth, true));
                }
                s.detected = Some(title_page_f1(&Outline::from_headings(&doc), truth, false));
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

/// Title+page F1 of an outline against the bookmarks (and the level too, `with_levels`).
fn title_page_f1(outline: &Outline, truth: &Truth, with_levels: bool) -> F1 {
    let level = |l: u32| if with_levels { l } else { 0 };
    let found: Vec<(String, u32, u32)> =
        outline.flatten().iter().map(|(n, _)| (key(&n.title), n.page, level(n.level))).collect();
    let mut unmatched: Vec<(String, u32, u32)> =
        truth.outline.iter().map(|e| (key(&e.title), e.page.unwrap_or(0), level(e.level))).collect();
    let mut matched = 0;
    for f in &found {
        if let Some(i) = unmatched.iter().position(|t| t == f) {
            unmatched.swap_remove(i);
            matched += 1;
        }
    }
    F1::new(truth.outline.len(), found.len(), matched)
}

/// The heading scorer fit on the PDFs' bookmarks, and checked leave-one-document-out.
#[derive(Debug, Serialize)]
pub struct HeadingFit {
    pub features: Vec<&'static str>,
    /// Fit on all the PDFs (each weighted equally): the weights to write into the code.
    pub weights: Vec<f32>,
    pub documents: Vec<HeadingFitDoc>,
    pub loo_mean_f1: f64,
    pub in_use_mean_f1: f64,
}

#[derive(Debug, Serialize)]
pub struct HeadingFitDoc {
    pub doc: String,
    pub lines: usize,
    pub headings: usize,
    /// Detected headings (title+page F1) with the weights in use.
    pub in_use: F1,
    /// With weights fit on the other PDFs only.
    pub leave_one_out: F1,
}

/// Fits the heading scorer on every PDF of `dir/outlines.json` that has bookmarks and text.
pub fn fit_headings(dir: &Path) -> Result<HeadingFit> {
    use crate::outline::detector;
    let truth = read_truth(dir)?;
    type Samples = Vec<([f32; detector::FEATURES], bool)>;
    let mut docs: Vec<(String, Document, &Truth, Samples)> = Vec::new();
    for (name, t) in &truth {
        if t.pages.is_none() || t.outline.is_empty() {
            continue;
        }
        let Ok(doc) = Document::open(&dir.join(name)) else { continue };
        let mut marks: Vec<(String, u32)> =
            t.outline.iter().map(|e| (key(&e.title), e.page.unwrap_or(0))).collect();
        marks.sort_unstable();
        let is_heading = |line: &str, page: u32| {
            let k = key(line);
            marks
                .iter()
                .any(|(m, p)| *p == page && (*m == k || (m.starts_with(&k) && k.chars().count() >= 6)))
        };
        let samples = detector::samples(&doc, is_heading);
        docs.push((name.clone(), doc, t, samples));
    }
    let weighted = |skip: Option<usize>| {
        let mut all = Vec::new();
        for (k, (_, _, _, samples)) in docs.iter().enumerate() {
            if Some(k) == skip || samples.is_empty() {
                continue;
            }
            let w = 1.0 / samples.len() as f32;
            all.extend(samples.iter().map(|(x, y)| (*x, *y, w)));
        }
        all
    };
    let weights = detector::fit(&weighted(None));
    let mut documents = Vec::new();
    for (k, (name, doc, t, samples)) in docs.iter().enumerate() {
        let loo = detector::fit(&weighted(Some(k)));
        documents.push(HeadingFitDoc {
            doc: name.clone(),
            lines: samples.len(),
            headings: samples.iter().filter(|(_, y)| *y).count(),
            in_use: title_page_f1(&detector::outline_with(doc, &detector::IN_USE), t, false),
            leave_one_out: title_page_f1(&detector::outline_with(doc, &loo), t, false),
        });
    }
    let mean = |f: &dyn Fn(&HeadingFitDoc) -> f64| {
        documents.iter().map(f).sum::<f64>() / documents.len().max(1) as f64
    };
    Ok(HeadingFit {
        features: detector::FEATURE_NAMES.to_vec(),
        weights: weights.to_vec(),
        loo_mean_f1: mean(&|d| d.leave_one_out.f1),
        in_use_mean_f1: mean(&|d| d.in_use.f1),
        documents,
    })
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
    let without: Vec<f64> = docs.iter().filter_map(|d| d.without_bookmarks.map(|f| f.f1)).collect();
    let toc: Vec<f64> = docs.iter().filter_map(|d| d.toc.map(|f| f.f1)).collect();
    let novels: Vec<f64> = docs.iter().filter_map(|d| d.chapters.map(|f| f.f1)).collect();
    let mean = |v: &[f64]| if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 };
    let exact = with_marks.iter().filter(|d| d.bookmarks_exact == Some(true)).count();
    Overall {
        pdfs_with_bookmarks: with_marks.len(),
        bookmarks_exact: exact,
        all_bookmarks_exact: exact == with_marks.len(),
        detected_mean_f1: mean(&detected),
        without_bookmarks_mean_f1: mean(&without),
        pdfs_with_toc: toc.len(),
        toc_mean_f1: mean(&toc),
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
