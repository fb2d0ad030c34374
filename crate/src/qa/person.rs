//! Who a question asking for a name means: the person a pronoun in the answer stands for, the
//! person a passage is about, and a person's full name where the section gives it. Quoref-style
//! questions ("What is the last name of the person whose ...?") describe someone the answering
//! sentence names only as "he" or "his", or by part of their name.

use std::collections::{BTreeMap, HashSet};

use crate::doc::Document;
use crate::index::{Index, tokenize};
use crate::span::Span;

use super::{extract, question, sentence_spans, short};

/// For a question asking for a name, when the best sentence names its subject only by a
/// pronoun ("He modernised the system ..."): the sentence before it in the passage and the
/// first name there, the nearest person the pronoun can stand for (taken before any other
/// name in the cited neighbours).
pub(super) fn antecedent(
    doc: &Document,
    index: &Index,
    asked: &question::Question,
    best: &extract::Best,
) -> Option<(Span, Span)> {
    if !matches!(asked.kind, question::Kind::Name { .. }) {
        return None;
    }
    let first = doc.slice(best.main).split(|c: char| !c.is_alphanumeric()).find(|w| !w.is_empty())?;
    if !matches!(first, "He" | "She" | "They") {
        return None;
    }
    let sentence = sentence_spans(doc, index.passages[best.passage].span)
        .into_iter()
        .take_while(|s| s.end <= best.main.start)
        .last()?;
    let (a, b) = short::first_name(doc.slice(sentence), asked)?;
    Some((sentence, Span::new(sentence.start + a, sentence.start + b)))
}

/// Passages before the best one (in its section) where a person the answer names by part of
/// their name may be named in full.
const FULL_NAME_REACH: usize = 3;
/// Most words of a full name ("Dr. J. Frank Parnell").
const FULL_NAME_WORDS: usize = 5;

/// For a question asking a full name, answered by part of one ("Korff", "Otto"): the sentence of
/// the answer's section, up to [`FULL_NAME_REACH`] passages before and one after the best,
/// that names the same person with more words ("Serge A. Korff", "Otto Maddox"), and that name.
/// The same person: the longer name holds the answer's words in order and starts or ends with
/// them. The longest such name; the nearest before the answer among equals. A question asking a
/// first name answered by a last one ("Mason"), or a last name answered by a first one, takes
/// the part asked from the full name ("George Mason" -> "George").
pub(super) fn fuller_name(
    doc: &Document,
    index: &Index,
    asked: &question::Question,
    best: &extract::Best,
    name: Span,
) -> Option<(Span, Span)> {
    use question::NamePart;
    let question::Kind::Name { part } = asked.kind else { return None };
    let short: Vec<&str> = doc.slice(name).split_whitespace().collect();
    let wanted = match part {
        NamePart::Full => {
            asked.text.to_lowercase().contains("full name") && short.len() < FULL_NAME_WORDS - 1
        }
        NamePart::First | NamePart::Last => short.len() == 1,
    };
    if short.is_empty() || !wanted {
        return None;
    }
    let mut found: Option<(usize, Span, Span)> = None;
    for p in name_reach(index, best.passage) {
        for sentence in sentence_spans(doc, index.passages[p].span) {
            for run in short::capitalised_runs(doc.slice(sentence), FULL_NAME_WORDS) {
                let text = &doc.slice(sentence)[run.0..run.1];
                let words: Vec<(usize, usize)> = short::pieces(text).map(|(s, w)| (s, s + w.len())).collect();
                let said: Vec<&str> = words.iter().map(|&(a, b)| &text[a..b]).collect();
                let longer = said.len() > short.len();
                let (a, b) = match part {
                    // "Architectural Designs of William Burges": the person's name is what follows
                    // the last "of" before the answer; "Party of Manitoba" holds none.
                    NamePart::Full if longer && said.ends_with(&short) => {
                        let head = said.len() - short.len();
                        let from = said[..head].iter().rposition(|w| *w == "of").map_or(0, |k| k + 1);
                        if from == head {
                            continue;
                        }
                        (words[from].0, text.len())
                    }
                    NamePart::Full if longer && said.starts_with(&short) => (0, text.len()),
                    // The answer was the last name: the first that is not a title.
                    NamePart::First if longer && said.ends_with(&short) => {
                        match words.iter().zip(&said).find(|(_, w)| !is_title(w)) {
                            Some((&(a, b), _)) if &text[a..b] != short[0] => (a, b),
                            _ => continue,
                        }
                    }
                    NamePart::Last if longer && said.first().is_some_and(|w| *w == short[0]) => {
                        words[words.len() - 1]
                    }
                    _ => continue,
                };
                let span = Span::new(sentence.start + run.0 + a, sentence.start + run.0 + b);
                if found.as_ref().is_none_or(|(n, _, _)| said.len() > *n) {
                    found = Some((said.len(), sentence, span));
                }
            }
        }
    }
    found.map(|(_, sentence, span)| (sentence, span))
}

/// The passages of the best one's section where a person it speaks of may be named: up to
/// [`FULL_NAME_REACH`] before it and one after.
fn name_reach(index: &Index, passage: usize) -> std::ops::RangeInclusive<usize> {
    let path = &index.passages[passage].path;
    let first = (passage.saturating_sub(FULL_NAME_REACH)..=passage)
        .find(|&i| index.passages[i].path == *path)
        .unwrap_or(passage);
    let last = (passage + 1).min(index.passages.len() - 1);
    let last = if index.passages[last].path == *path { last } else { passage };
    first..=last
}

/// Times the passage's main person must be named around the answer.
const MAIN_PERSON_NAMED: usize = 3;
/// How much more often than anyone else the main person is named.
const MAIN_PERSON_MARGIN: f32 = 1.5;

/// For a question asking who did something, when the best sentence (or a neighbour cited with
/// it) tells it of someone by a pronoun ("Among his best works are ...", "To his mother's
/// delight he ..."): the person its paragraph is about, the name word named most often there
/// ([`names_around`]), at least [`MAIN_PERSON_NAMED`] times, [`MAIN_PERSON_MARGIN`] times as
/// often as anyone else and twice as often as any name the short answer gave; the sentence that
/// names them nearest the answer, and that name.
pub(super) fn main_person(
    doc: &Document,
    index: &Index,
    asked: &question::Question,
    best: &extract::Best,
    short: Option<Span>,
) -> Option<(Span, Span)> {
    if !question::asks_person(asked) {
        return None;
    }
    let pronoun = best.spans.iter().any(|&s| {
        doc.slice(s)
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| matches!(w.to_lowercase().as_str(), "he" | "his" | "him" | "she" | "her"))
    });
    if !pronoun {
        return None;
    }
    let named = names_around(doc, index, asked, best);
    let times = |word: &str| {
        tokenize::terms(word).into_iter().next().and_then(|t| named.get(&t)).map_or(0, |n| n.times)
    };
    let given = short.map_or(0, |s| doc.slice(s).split_whitespace().map(times).max().unwrap_or(0));
    let mut ranked: Vec<&Named> = named.values().collect();
    ranked.sort_by_key(|n| std::cmp::Reverse(n.times));
    let main = ranked.first()?;
    let next = ranked.get(1).map_or(0, |n| n.times);
    let clear = main.times as f32 >= MAIN_PERSON_MARGIN * next as f32;
    (clear && main.times >= MAIN_PERSON_NAMED && main.times >= 2 * given.max(1))
        .then_some((main.sentence, main.span))
}

/// A name word of a paragraph: how often it is named, and where nearest the best sentence.
struct Named {
    times: usize,
    sentence: Span,
    span: Span,
}

/// The name words of the best sentence's paragraph (within the passages of [`name_reach`]) by
/// their search term: not the question's words, not a title before a name ("Captain Bird"), an
/// abbreviation ("Op. 26"), an initial or an acronym ("T. Hummer", "LPO").
fn names_around(
    doc: &Document,
    index: &Index,
    asked: &question::Question,
    best: &extract::Best,
) -> BTreeMap<String, Named> {
    let in_question: HashSet<String> = tokenize::terms(&asked.text).into_iter().collect();
    let reach = name_reach(index, best.passage);
    let (from, to) = (index.passages[*reach.start()].span.start, index.passages[*reach.end()].span.end);
    let text = doc.text.as_str();
    let from = text[from..best.main.start].rfind("\n\n").map_or(from, |i| from + i + 2);
    let to = text[best.main.end..to].find("\n\n").map_or(to, |i| best.main.end + i);
    let distance = |s: Span| s.start.abs_diff(best.main.start);
    let mut named: BTreeMap<String, Named> = BTreeMap::new();
    for p in reach {
        let sentences = sentence_spans(doc, index.passages[p].span);
        for sentence in sentences.into_iter().filter(|s| s.start >= from && s.end <= to) {
            let said = doc.slice(sentence);
            for run in short::capitalised_runs(said, FULL_NAME_WORDS) {
                let words: Vec<(usize, &str)> = short::pieces(&said[run.0..run.1]).collect();
                for (k, &(at, piece)) in words.iter().enumerate() {
                    let word =
                        piece.trim_end_matches(['.', ',', ';', ':', '\'', '\u{2019}']).trim_end_matches("'s");
                    let start = sentence.start + run.0 + at;
                    let term = tokenize::terms(word).into_iter().next().unwrap_or_default();
                    let title = is_title(word) && k + 1 < words.len();
                    let abbreviation = text[start + word.len()..]
                        .strip_prefix('.')
                        .is_some_and(|rest| rest.trim_start().starts_with(|c: char| c.is_ascii_digit()));
                    let initial_or_acronym = !word.chars().any(char::is_lowercase);
                    if term.is_empty()
                        || title
                        || abbreviation
                        || initial_or_acronym
                        || in_question.contains(&term)
                    {
                        continue;
                    }
                    let span = Span::new(start, start + word.len());
                    let entry = named.entry(term).or_insert(Named { times: 0, sentence, span });
                    entry.times += 1;
                    if distance(sentence) < distance(entry.sentence) {
                        (entry.sentence, entry.span) = (sentence, span);
                    }
                }
            }
        }
    }
    named
}

/// Whether a word of a name is a title, not a first name ("Captain", "Dr.").
fn is_title(word: &str) -> bool {
    const TITLES: &[&str] = &[
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "sir",
        "dame",
        "lady",
        "lord",
        "captain",
        "capt",
        "colonel",
        "col",
        "general",
        "gen",
        "major",
        "lieutenant",
        "lt",
        "sergeant",
        "sgt",
        "professor",
        "prof",
        "reverend",
        "rev",
        "father",
        "sister",
        "brother",
        "saint",
        "st",
        "king",
        "queen",
        "prince",
        "princess",
        "president",
        "judge",
        "senator",
        "governor",
        "uncle",
        "aunt",
    ];
    word.ends_with('.') || TITLES.contains(&word.to_lowercase().as_str())
}
