//! When a reader wants the section: a "how do I / what is / which" question on a document whose
//! sections are titled by what they are about (a manual, a reference) is answered by the section
//! retrieval ranks first, even when no one sentence there covers the question's words: the reader
//! asks in their own words, the manual answers in its own, and an answer that takes them to the
//! right section beats "not found" (on the dev manual questions, 16 of the 28 abstentions had the
//! gold section as retrieval's first passage).
//!
//! A title is descriptive when it holds a content word that is neither a number (arabic, roman,
//! English) nor a word most of the document's titles share ("Chapter" in a novel's "Chapter XII"):
//! a novel's numbered chapters say nothing a question could be about, so needle questions on a
//! novel keep the abstention rules.

use std::collections::{HashMap, HashSet};

use super::question::Question;
use crate::index::{Index, tokenize};

/// Share of the document's section titles a word may be in and still describe a section.
pub const MAX_TITLE_SHARE: f32 = 0.25;
/// Fewest sections for the share to say anything (a document of three sections may name "Setup"
/// in two of them).
const MIN_SECTIONS: usize = 8;

/// Whether `asked` wants a section (it asks how, what or which, not for a name, time, number or
/// place) and the passage `passage` lies in a section with a descriptive title.
pub fn wants_section(index: &Index, asked: &Question, passage: usize) -> bool {
    if asked.kind.typed() {
        return false;
    }
    let Some(title) = index.passages.get(passage).and_then(|p| p.path.last()) else { return false };
    descriptive(&titles(index), title)
}

/// The distinct section titles of the document, each once.
fn titles(index: &Index) -> Vec<&str> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for p in &index.passages {
        if let Some(t) = p.path.last()
            && seen.insert(t.as_str())
        {
            out.push(t.as_str());
        }
    }
    out
}

fn descriptive(titles: &[&str], title: &str) -> bool {
    let mut share: HashMap<String, usize> = HashMap::new();
    if titles.len() >= MIN_SECTIONS {
        for t in titles {
            let own: HashSet<String> = tokenize::terms(t).into_iter().collect();
            for term in own {
                *share.entry(term).or_default() += 1;
            }
        }
    }
    let limit = (titles.len() as f32 * MAX_TITLE_SHARE).max(1.0);
    tokenize::terms(title).iter().any(|t| {
        !is_number(t) && !tokenize::is_stopword(t) && share.get(t).is_none_or(|&n| n as f32 <= limit)
    })
}

fn is_number(term: &str) -> bool {
    term.chars().all(|c| c.is_ascii_digit())
        || crate::outline::text::is_roman(term)
        || super::short::is_number_word(term)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_chapters_do_not_describe_and_topic_titles_do() {
        let novel: Vec<String> = (1..=20).map(|i| format!("Chapter {i}")).collect();
        let novel: Vec<&str> = novel.iter().map(String::as_str).collect();
        assert!(!descriptive(&novel, "Chapter 12"));
        assert!(!descriptive(&novel, "CHAPTER XII"));
        let text = crate::outline::text::CARDINALS.iter().chain(&["twenty"]);
        let words: Vec<String> = text.map(|w| format!("CHAPTER {w}")).collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        assert!(!descriptive(&words, "CHAPTER twelve"));
        let manual = [
            "Installing the garden tools",
            "Pruning roses in spring",
            "Watering schedules",
            "Compost and soil",
            "Chapter 5 Pests",
            "Chapter 6 Tools for hedges",
            "Seeds",
            "Index",
        ];
        assert!(descriptive(&manual, "Pruning roses in spring"));
        assert!(descriptive(&manual, "Chapter 5 Pests"));
        assert!(!descriptive(&manual, "12"));
    }
}
