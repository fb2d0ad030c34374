//! Parts of a manual aside from its use: its release notes (a changelog, "What's New") and its
//! implementation notes (a LaTeX package's "Implementation" part, a program's "Internals"). They
//! mention every feature in a line or two, or define it in code, so they share words with any
//! question, and a reader asking how to do something wants the part that explains it. They
//! answer questions about them; any other question counts their passages at [`WEIGHT`]: in one
//! document by section ([`discount`]), on a site by page (`pack::read`, its release notes found
//! when packed by [`titles_release_notes`] and more).

use crate::index::Index;

use super::retrieve::Word;

/// What a passage aside from the manual counts for a question that does not ask about it.
/// Measured on the dev manual questions (tests/eval/manual-questions.jsonl, 2026-12-07): 54/72
/// first citations in the gold section at 0.5 and 0.3 against 53 without it (ThuThesis's "主要
/// 符号表" was cited from its implementation chapter, "7 实现细节"); needle answers and site
/// pages the same.
pub const WEIGHT: f32 = 0.5;

/// How the title of release notes begins (after its section number).
pub const RELEASE_NOTES_TITLES: &[&str] = &[
    "changelog",
    "change log",
    "changes",
    "news",
    "what's new",
    "what\u{2019}s new",
    "release notes",
    "release history",
    "releases",
];
/// Those of [`RELEASE_NOTES_TITLES`] that may begin a section's title about something else
/// ("Changes to the environment", "Releases of a lock"): a section is release notes only when
/// titled by them alone.
const ALONE_ONLY: &[&str] = &["changes", "news", "releases"];
/// Titles of implementation notes (after the section number), whole.
const IMPLEMENTATION_TITLES: &[&str] = &[
    "implementation",
    "implementation details",
    "implementation notes",
    "internals",
    "实现",
    "实现细节",
    "代码实现",
];
/// Words of a question about releases, which release notes may answer (terms as
/// [`crate::index::tokenize::terms`] gives them).
const RELEASE_WORDS: &[&str] = &[
    "version",
    "release",
    "released",
    "changelog",
    "deprecated",
    "removed",
    "added",
    "changed",
    "history",
    "news",
];
/// Words of a question about how something is implemented (CJK words as bigrams).
const IMPLEMENTATION_WORDS: &[&str] =
    &["implementation", "implement", "implemented", "internal", "source", "实现", "源码", "代码"];

/// Whether a question of `words` asks about releases: "What is new in 3.9?" does, "How do I start
/// a new project?" does not.
pub fn asks_about_releases(words: &[Word]) -> bool {
    let has = |f: &dyn Fn(&str) -> bool| words.iter().any(|w| f(&w.term));
    has(&|t| RELEASE_WORDS.contains(&t))
        || (has(&|t| t == "new") && has(&|t| t.bytes().all(|b| b.is_ascii_digit())))
}

/// Whether a page's title says it is release notes ("Changelog", "What's New In 3.9", "2. NEWS").
pub fn titles_release_notes(title: &str) -> bool {
    let bare = bare(title);
    RELEASE_NOTES_TITLES.iter().any(|t| bare.starts_with(t))
}

/// Multiplies by [`WEIGHT`] the score of each passage in release notes or implementation notes
/// (a section so titled, or one inside it) unless the question's `words` ask about them.
pub fn discount(index: &Index, words: &[Word], scores: &mut [f32]) {
    let releases = !asks_about_releases(words);
    let implementation = !words.iter().any(|w| IMPLEMENTATION_WORDS.contains(&w.term.as_str()));
    if !releases && !implementation {
        return;
    }
    let aside = |title: &String| {
        let bare = bare(title);
        (releases
            && RELEASE_NOTES_TITLES
                .iter()
                .any(|t| bare == *t || (!ALONE_ONLY.contains(t) && bare.starts_with(t))))
            || (implementation && IMPLEMENTATION_TITLES.contains(&bare.as_str()))
    };
    let mut at = 0;
    while at < index.passages.len() {
        let path = &index.passages[at].path;
        let run = index.passages[at..].iter().take_while(|p| p.path == *path).count();
        if path.iter().any(aside) {
            scores[at..at + run].iter_mut().for_each(|s| *s *= WEIGHT);
        }
        at += run;
    }
}

/// A title in lower case without its section number ("7 实现细节" -> "实现细节").
fn bare(title: &str) -> String {
    title
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c.is_whitespace())
        .trim()
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Document;
    use crate::outline::Outline;
    use crate::qa::retrieve;

    const MANUAL: &str = "# Kettle guide\n\n## Descaling\n\nPour in a cup of vinegar and boil it. \
        Rinse twice.\n\n## Changelog\n\nVersion 2 adds descaling with vinegar: boil the vinegar and \
        rinse the kettle twice with water.\n\n## Implementation\n\nThe descale routine boils vinegar \
        twice, then rinses the kettle with water.\n";

    fn first_section(question: &str) -> String {
        let doc = Document::from_bytes("kettle.md", MANUAL.as_bytes()).unwrap();
        let index = Index::build(&doc, &Outline::build(&doc, false));
        let found = retrieve::run(&doc, &index, question, 3);
        index.passages[found.hits[0].passage].path.last().cloned().unwrap_or_default()
    }

    #[test]
    fn release_and_implementation_notes_answer_only_questions_about_them() {
        assert_eq!(first_section("How do I descale the kettle with vinegar and water?"), "Descaling");
        assert_eq!(first_section("Which version added descaling with vinegar?"), "Changelog");
        assert_eq!(first_section("How is descaling with vinegar and water implemented?"), "Implementation");
    }

    #[test]
    fn a_section_is_release_notes_only_by_its_whole_title_when_the_word_is_ambiguous() {
        let doc = Document::from_bytes("t.md", b"# T\n\n## Changes to the environment\n\nSet PATH.\n\n## 3 Changes\n\nAdded PATH.\n\n## What's New in 2.0\n\nPATH.\n").unwrap();
        let index = Index::build(&doc, &Outline::build(&doc, false));
        let mut scores = vec![1.0; index.passages.len()];
        discount(&index, &[], &mut scores);
        let by_title: Vec<(String, f32)> = index
            .passages
            .iter()
            .zip(&scores)
            .map(|(p, s)| (p.path.last().cloned().unwrap_or_default(), *s))
            .collect();
        for (title, score) in &by_title {
            let expected = if title.starts_with("Changes to") || title == "T" { 1.0 } else { WEIGHT };
            assert_eq!(*score, expected, "{by_title:?}");
        }
    }
}
