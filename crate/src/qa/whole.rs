//! Whole-document questions: a question about the document itself in, an [`Answer`] from its
//! outline out. "What are the chapters?", "What is this document about?", "Summarize chapter 3",
//! "What is in section 5.4?" share almost no words with the text that answers them, so they are
//! answered from the outline (the passages' section paths), not by searching for their words.
//!
//! - The chapters: the titles of the outline's top level (the level below when the top is a
//!   single title), each cited by its section's first line; only titles the outline holds.
//! - About: the opening sentences of the abstract, introduction, preface or overview (the first
//!   such section), else of the document's first section with text.
//! - A numbered chapter or section, resolved to the outline node whose title carries the number
//!   ("Chapter 3", "CHAPTER III", "3 Installation", "5.4 Tables"; the shallowest, then the first):
//!   its opening sentence and its most central ones (those holding the most weight of the words
//!   the section repeats), each cited as a span of that section.
//!
//! A question is taken for one of these only when all its other words are from a small closed
//! list ("what", "the", "book", "summarize", ...): "What are the sections of the treaty called?"
//! is an ordinary question.

use std::collections::HashMap;
use std::ops::Range;

use crate::doc::Document;
use crate::index::sentences::sentences;
use crate::index::{Index, tokenize};
use crate::span::Span;

use super::{Answer, Citation};
use crate::doc::collapse;

/// What a whole-document question asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    Chapters,
    About,
    /// The chapter or section with this number ("3", "5.4"; Roman numerals and number words
    /// given in digits).
    Section(String),
}

/// Words that may fill a whole-document question besides what it asks for.
const FILLER: &[&str] = &[
    "a",
    "about",
    "all",
    "an",
    "and",
    "are",
    "brief",
    "briefly",
    "can",
    "contain",
    "contains",
    "content",
    "contents",
    "cover",
    "covers",
    "describe",
    "discussed",
    "document",
    "does",
    "entire",
    "explain",
    "few",
    "give",
    "guide",
    "has",
    "have",
    "i",
    "idea",
    "ideas",
    "in",
    "is",
    "it",
    "its",
    "key",
    "list",
    "main",
    "mainly",
    "manual",
    "me",
    "more",
    "name",
    "of",
    "one",
    "overview",
    "paper",
    "please",
    "points",
    "report",
    "s",
    "say",
    "says",
    "see",
    "sentence",
    "sentences",
    "short",
    "show",
    "subject",
    "summarise",
    "summarize",
    "summary",
    "tell",
    "text",
    "the",
    "there",
    "thesis",
    "this",
    "topic",
    "topics",
    "what",
    "whats",
    "which",
    "whole",
    "book",
    "article",
    "you",
    "happens",
    "happen",
    "gist",
    "top",
    "level",
    "how",
    "many",
];
/// Words naming the document's parts.
const PARTS: &[&str] = &["chapter", "chapters", "section", "sections", "part", "parts", "appendix"];
/// Words saying the question is about what a text says (not about its parts).
const ABOUT: &[&str] = &["about", "summarize", "summarise", "summary", "overview", "gist", "topic", "topics"];
/// Title words of the sections that say what a document is about.
const OPENING_TITLES: &[&str] =
    &["abstract", "summary", "introduction", "preface", "overview", "foreword", "synopsis", "摘要", "引言"];

/// The question's words, lower-cased; dots inside numbers kept ("5.4"), hyphens inside words
/// ("twenty-one").
fn words(question: &str) -> Vec<String> {
    question
        .split(|c: char| !c.is_alphanumeric() && c != '.' && c != '-')
        .map(|w| w.trim_matches(['.', '-']).to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether `question` asks about the document as a whole, and what.
pub fn detect(question: &str) -> Option<Ask> {
    let w = words(question);
    let filler = |x: &String| FILLER.contains(&x.as_str());
    if let Some(at) = w.iter().position(|x| PARTS.contains(&x.as_str())) {
        if let Some(number) = w.get(at + 1).and_then(|n| number(n)) {
            let rest_ok = w.iter().enumerate().all(|(i, x)| i == at || i == at + 1 || filler(x));
            return rest_ok.then_some(Ask::Section(number));
        }
        let plural = w[at].ends_with('s');
        let rest_ok = w.iter().enumerate().all(|(i, x)| i == at || filler(x));
        return (plural && rest_ok && !w.iter().any(|x| ABOUT.contains(&x.as_str()) && x != "about"))
            .then_some(Ask::Chapters);
    }
    // "Show me the table of contents", not "How do I add a page to the table of contents?".
    if let Some(at) = w.windows(3).position(|x| x == ["table", "of", "contents"]) {
        let rest_ok = w.iter().enumerate().all(|(i, x)| (at..at + 3).contains(&i) || filler(x));
        return rest_ok.then_some(Ask::Chapters);
    }
    let names_doc = w.iter().any(|x| ABOUT.contains(&x.as_str())) && w.iter().all(filler) && w.len() >= 2;
    names_doc.then_some(Ask::About)
}

/// A chapter or section number in digits ("3", "5.4"), from digits, a Roman numeral or a
/// number word.
fn number(word: &str) -> Option<String> {
    let word = word.trim_end_matches(['.', ':']).to_lowercase();
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_digit() || c == '.') && !word.starts_with('.') {
        return Some(word);
    }
    if let Some(n) = crate::outline::text::cardinal_value(&word) {
        return Some(n.to_string());
    }
    roman(&word).map(|n| n.to_string())
}

/// The value of a Roman numeral (lower case, up to 89), None for anything else.
fn roman(word: &str) -> Option<u32> {
    let value = |c: char| match c {
        'i' => Some(1),
        'v' => Some(5),
        'x' => Some(10),
        'l' => Some(50),
        _ => None,
    };
    let digits: Vec<u32> = word.chars().map(value).collect::<Option<_>>()?;
    let mut total = 0;
    for (i, &d) in digits.iter().enumerate() {
        if digits.get(i + 1).is_some_and(|&n| n > d) {
            total -= d as i64;
        } else {
            total += d as i64;
        }
    }
    // Only canonical numerals ("iv", not "iiii" or "vx").
    let canonical = to_roman(u32::try_from(total).ok()?);
    (canonical == word && total > 0).then_some(total as u32)
}

fn to_roman(mut n: u32) -> String {
    let mut out = String::new();
    for (v, s) in [(50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")] {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    out
}

/// The number a section title carries: "Chapter 3", "CHAPTER III.", "3 Installation",
/// "5.4 Tables" (a leading Roman numeral or number word only after "Chapter"/"Part"/...).
fn title_number(title: &str) -> Option<String> {
    let mut words = title.split_whitespace();
    let first = words.next()?;
    let lower = first.to_lowercase();
    if PARTS.contains(&lower.as_str()) || matches!(lower.as_str(), "book" | "volume") {
        return number(words.next()?);
    }
    let first = first.trim_end_matches(['.', ':']);
    (!first.is_empty() && first.chars().all(|c| c.is_ascii_digit() || c == '.')).then(|| first.to_string())
}

/// A section of the outline as the passages know it: its path and its passages (subsections
/// included).
struct Section<'a> {
    path: &'a [String],
    passages: Range<usize>,
}

/// Every section, in document order of its first passage.
fn sections(index: &Index) -> Vec<Section<'_>> {
    let mut out: Vec<Section> = Vec::new();
    let mut latest: HashMap<&[String], usize> = HashMap::new();
    for (i, p) in index.passages.iter().enumerate() {
        for depth in 1..=p.path.len() {
            let prefix = &p.path[..depth];
            match latest.get(prefix) {
                Some(&s) if out[s].passages.end == i => out[s].passages.end = i + 1,
                _ => {
                    latest.insert(prefix, out.len());
                    out.push(Section { path: prefix, passages: i..i + 1 });
                }
            }
        }
    }
    out
}

/// Most chapters listed.
const MAX_CHAPTERS: usize = 200;
/// Most sentences read in a section for its central ones (a bound on the work).
const MAX_SENTENCES: usize = 400;
/// Sentences given for a section or the document.
const SUMMARY_SENTENCES: usize = 3;

/// The answer to a whole-document question; None when the outline cannot answer it (no
/// sections, no section with that number): then the question is answered as any other.
pub fn answer(doc: &Document, index: &Index, ask: &Ask) -> Option<Answer> {
    let all = sections(index);
    match ask {
        Ask::Chapters => chapters(doc, index, &all),
        Ask::About => {
            let opening = all.iter().find(|s| {
                s.path.last().is_some_and(|t| {
                    let t = t.to_lowercase();
                    OPENING_TITLES.iter().any(|o| t.split(|c: char| !c.is_alphanumeric()).any(|w| w == *o))
                })
            });
            let section = opening.or_else(|| all.first())?;
            let spans = opening_sentences(doc, index, section, 2);
            cited(doc, index, spans)
        }
        Ask::Section(n) => {
            let section = all
                .iter()
                .filter(|s| s.path.last().and_then(|t| title_number(t)).as_deref() == Some(n.as_str()))
                .min_by_key(|s| s.path.len())?;
            let mut spans = opening_sentences(doc, index, section, 1);
            for s in central_sentences(doc, index, section, SUMMARY_SENTENCES) {
                if spans.len() >= SUMMARY_SENTENCES {
                    break;
                }
                if !spans.contains(&s) {
                    spans.push(s);
                }
            }
            spans.sort_by_key(|s| s.start);
            cited(doc, index, spans)
        }
    }
}

fn chapters(doc: &Document, index: &Index, all: &[Section]) -> Option<Answer> {
    let top: Vec<&Section> = all.iter().filter(|s| s.path.len() == 1).collect();
    let level: Vec<&Section> =
        if top.len() == 1 { all.iter().filter(|s| s.path.len() == 2).collect() } else { top };
    if level.is_empty() {
        return None;
    }
    let mut citations = Vec::new();
    let mut lines = Vec::new();
    for s in level.iter().take(MAX_CHAPTERS) {
        let p = &index.passages[s.passages.start];
        let text = doc.slice(p.span);
        let first = text.find('\n').unwrap_or(text.len());
        let span = Span::new(p.span.start, p.span.start + text[..first].trim_end().len());
        lines.push(s.path.last().cloned().unwrap_or_default());
        citations.push(Citation {
            passage: s.passages.start,
            page: p.page,
            span,
            outline_path: p.path.clone(),
            verified: true,
        });
    }
    if level.len() > MAX_CHAPTERS {
        lines.push(format!("… and {} more", level.len() - MAX_CHAPTERS));
    }
    let quote = citations.iter().map(|c| collapse(doc.slice(c.span))).collect::<Vec<_>>().join(" ");
    Some(found(lines.join("\n"), quote, citations))
}

/// Sentences of a section's passages with their passage, in order, headings and sentences of
/// under five words left out.
fn section_sentences(doc: &Document, index: &Index, section: &Section) -> Vec<(usize, Span)> {
    let mut out = Vec::new();
    for i in section.passages.clone() {
        let p = &index.passages[i];
        for (s, e) in sentences(doc.slice(p.span)) {
            let span = Span::new(p.span.start + s, p.span.start + e);
            // A heading alone is not a sentence of the section.
            let heading = p.path.iter().any(|t| collapse(t) == collapse(doc.slice(span)));
            if !heading && tokenize::terms(doc.slice(span)).len() >= 5 {
                out.push((i, span));
            }
            if out.len() >= MAX_SENTENCES {
                return out;
            }
        }
    }
    out
}

/// The first `n` sentences of a section, less a leading line that is the title itself.
fn opening_sentences(doc: &Document, index: &Index, section: &Section, n: usize) -> Vec<Span> {
    let title = section.path.last().map(|t| collapse(t)).unwrap_or_default();
    section_sentences(doc, index, section)
        .into_iter()
        .map(|(_, s)| strip_heading(doc, s, &title))
        .filter(|s| tokenize::terms(doc.slice(*s)).len() >= 5)
        .take(n)
        .collect()
}

/// A sentence without the section's heading when it starts with it.
fn strip_heading(doc: &Document, span: Span, title: &str) -> Span {
    let text = doc.slice(span);
    let Some(first_line) = text.split('\n').next() else { return span };
    if !title.is_empty() && collapse(first_line).ends_with(title) && first_line.len() < text.len() {
        let rest = &text[first_line.len()..];
        let skip = first_line.len() + (rest.len() - rest.trim_start().len());
        return Span::new(span.start + skip, span.end);
    }
    span
}

/// The `n` sentences of a section that hold the most weight of the words the section repeats
/// (each distinct word counted once a sentence, by its count in the section times its idf,
/// over the square root of the sentence's length), best first.
fn central_sentences(doc: &Document, index: &Index, section: &Section, n: usize) -> Vec<Span> {
    let sents = section_sentences(doc, index, section);
    let mut counts: HashMap<String, f32> = HashMap::new();
    let terms: Vec<Vec<String>> = sents
        .iter()
        .map(|(_, s)| {
            let mut t = tokenize::terms(doc.slice(*s));
            t.retain(|w| !tokenize::is_stopword(w));
            for w in &t {
                *counts.entry(w.clone()).or_default() += 1.0;
            }
            t
        })
        .collect();
    let mut scored: Vec<(f32, Span)> = sents
        .iter()
        .zip(&terms)
        .map(|((_, span), t)| {
            let mut distinct = t.clone();
            distinct.sort();
            distinct.dedup();
            let weight: f32 = distinct.iter().map(|w| (counts[w] - 1.0) * index.idf(w)).sum();
            (weight / (t.len().max(1) as f32).sqrt(), *span)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.start.cmp(&b.1.start)));
    scored.into_iter().take(n).map(|(_, s)| s).collect()
}

/// An answer citing `spans` (sentences of the document, in order).
fn cited(doc: &Document, index: &Index, spans: Vec<Span>) -> Option<Answer> {
    if spans.is_empty() {
        return None;
    }
    let citations: Vec<Citation> = spans
        .iter()
        .filter_map(|&span| {
            let passage =
                index.passages.iter().position(|p| p.span.start <= span.start && span.end <= p.span.end)?;
            Some(Citation {
                passage,
                page: doc.page_at(span.start),
                span,
                outline_path: index.passages[passage].path.clone(),
                verified: true,
            })
        })
        .collect();
    let quote = spans.iter().map(|&s| collapse(doc.slice(s))).collect::<Vec<_>>().join(" ");
    Some(found(quote.clone(), quote, citations))
}

/// An answer read from the outline: found, no short span, every citation a span of its section.
/// It cites the sections themselves: no other sections to list.
fn found(text: String, quote: String, citations: Vec<Citation>) -> Answer {
    Answer::extractive(text, None, quote, citations, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outline::Outline;

    const TEXT: &str = "# 1 Gardens\n\nThe walled garden holds roses and old pear trees. Roses need sun \
        and the pear trees need pruning in winter. A gardener comes twice a week.\n\n\
        # 2 Houses\n\nThe stone house has a slate roof and a library. The library holds maps of the \
        county and letters from the family. Visitors may read the letters on Sundays.\n\n\
        ## 2.1 Kitchens\n\nThe kitchen has a long oak table and a bread oven. Bread is baked on \
        Fridays in the oven.\n";

    fn ask(text: &str, question: &str) -> (Document, Index, Option<Answer>) {
        let doc = Document::from_bytes("t.md", text.as_bytes()).unwrap();
        let index = Index::build(&doc, &Outline::build(&doc, false));
        let a = detect(question).and_then(|k| answer(&doc, &index, &k));
        (doc, index, a)
    }

    #[test]
    fn whole_document_questions_are_told_from_ordinary_ones() {
        assert_eq!(detect("What are the chapters of this book?"), Some(Ask::Chapters));
        assert_eq!(detect("List the sections"), Some(Ask::Chapters));
        assert_eq!(detect("Show me the table of contents"), Some(Ask::Chapters));
        assert_eq!(detect("What is in the table of contents?"), Some(Ask::Chapters));
        assert_eq!(detect("What is this document about?"), Some(Ask::About));
        assert_eq!(detect("Summarize the paper"), Some(Ask::About));
        assert_eq!(detect("Summarize chapter 3"), Some(Ask::Section("3".into())));
        assert_eq!(detect("What is in section 5.4?"), Some(Ask::Section("5.4".into())));
        assert_eq!(detect("What happens in Chapter IV?"), Some(Ask::Section("4".into())));
        assert_eq!(detect("Give me a summary of chapter two"), Some(Ask::Section("2".into())));
        assert_eq!(detect("Tell me more about this book."), Some(Ask::About));
        for q in [
            "What are the sections of the treaty called?",
            "What does section 2 of the act say about voting?",
            "What is the garden about to become?",
            "Who wrote chapter 3?",
            "How many people live there?",
            "How do I add a new page to the table of contents?",
        ] {
            assert_eq!(detect(q), None, "{q}");
        }
    }

    #[test]
    fn roman_numerals_and_title_numbers() {
        assert_eq!(number("twenty-one").as_deref(), Some("21"));
        assert_eq!(title_number("Chapter Twenty-One"), Some("21".into()));
        assert_eq!(detect("Summarize chapter twenty-one"), Some(Ask::Section("21".into())));
        assert_eq!(number("iv").as_deref(), Some("4"));
        assert_eq!(number("XIV").as_deref(), Some("14"));
        assert_eq!(number("iiii"), None);
        assert_eq!(number("vi."), Some("6".into()));
        assert_eq!(title_number("CHAPTER III."), Some("3".into()));
        assert_eq!(title_number("5.4 Tables"), Some("5.4".into()));
        assert_eq!(title_number("Gardens"), None);
        assert_eq!(title_number("I went out"), None);
    }

    #[test]
    fn the_chapter_list_is_the_outline_top_level_with_cited_headings() {
        let (doc, _, a) = ask(TEXT, "What are the chapters?");
        let a = a.unwrap();
        assert_eq!(a.text, "1 Gardens\n2 Houses");
        assert_eq!(a.citations.len(), 2);
        assert_eq!(doc.slice(a.citations[1].span), "# 2 Houses");
        assert_eq!(a.citations[1].outline_path, ["2 Houses"]);
    }

    #[test]
    fn a_numbered_section_is_answered_by_its_own_sentences() {
        let (doc, _, a) = ask(TEXT, "Summarize section 2");
        let a = a.unwrap();
        assert!(!a.citations.is_empty() && a.citations.len() <= SUMMARY_SENTENCES);
        let houses = TEXT.find("# 2 Houses").unwrap();
        for c in &a.citations {
            assert!(c.span.start >= houses, "{}", doc.slice(c.span));
            assert_eq!(c.outline_path[0], "2 Houses");
        }
        assert!(a.quote.starts_with("The stone house has a slate roof"), "{}", a.quote);
        let (_, _, a) = ask(TEXT, "What is in section 2.1?");
        let a = a.unwrap();
        assert!(a.citations.iter().all(|c| c.outline_path == ["2 Houses", "2.1 Kitchens"]));
        let (_, _, a) = ask(TEXT, "Summarize chapter 9");
        assert!(a.is_none());
    }

    #[test]
    fn about_reads_the_opening_sentences() {
        let (_, _, a) = ask(TEXT, "What is this document about?");
        let a = a.unwrap();
        assert!(a.quote.starts_with("The walled garden holds roses"), "{}", a.quote);
        assert_eq!(a.citations.len(), 2);
    }
}
