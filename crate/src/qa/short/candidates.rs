//! The candidate short answers of a sentence: runs of one kind (dates, numbers, versions),
//! names, and the phrases between punctuation that say something the question does not.

use super::words::{MONTHS, Tok, WEEKDAYS, lower};
use crate::index::tokenize::is_stopword;
use crate::qa::question::NamePart;

#[derive(Debug, Clone, Copy)]
pub(super) struct Candidate {
    /// Token range.
    pub range: (usize, usize),
    /// Extra evidence for the kind (a place after "in"/"at").
    pub bonus: f32,
}

/// Candidates trimmed of the question's own words ("as of March 2015" does not answer "How
/// many ... as of March 2015?"); those made only of them dropped.
pub(super) fn without_question_words(
    toks: &[Tok],
    candidates: Vec<Candidate>,
    in_question: &dyn Fn(&Tok) -> bool,
) -> Vec<Candidate> {
    candidates
        .into_iter()
        .filter_map(|c| {
            let (mut s, mut e) = c.range;
            while s < e && in_question(&toks[s]) {
                s += 1;
            }
            while e > s && in_question(&toks[e - 1]) {
                e -= 1;
            }
            (s < e).then_some(Candidate { range: (s, e), ..c })
        })
        .collect()
}

/// Maximal runs of tokens for which `f` holds, unbroken by punctuation.
pub(super) fn runs(toks: &[Tok], f: fn(&[Tok], usize) -> bool) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if !f(toks, i) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < toks.len() && f(toks, j) && !toks[j].break_before {
            j += 1;
        }
        out.push(Candidate { range: (i, j), bonus: 0.0 });
        i = j;
    }
    out
}

/// Words capitalised only because they start a sentence ("Later, Anne ..."); adverbs in -ly
/// and prepositions ("Throughout her life") too.
const NOT_NAMES: &[&str] = &[
    "later",
    "never",
    "always",
    "often",
    "sometimes",
    "usually",
    "again",
    "first",
    "finally",
    "next",
    "here",
    "then",
    "however",
    "after",
    "yet",
    "still",
    "now",
    "soon",
    "meanwhile",
    "although",
    "though",
    "because",
    "since",
    "during",
    "despite",
    "following",
    "today",
    "instead",
    "according",
    "unlike",
    "like",
    "many",
    "most",
    "several",
    "both",
    "each",
    "every",
    "other",
    "another",
    "one",
    "such",
    "only",
    "even",
    "just",
    "once",
    "until",
    "before",
    "nothing",
    "everything",
    "everyone",
    "yes",
    "oh",
    "well",
    "furthermore",
    "moreover",
    "also",
    "thus",
    "therefore",
    "hence",
    "as",
    "told",
    "among",
    "including",
    "whereas",
    "indeed",
    "perhaps",
    "some",
];

/// Runs of capitalised words ("Captain John Bird", "Earl of Westmorland") that share no word
/// with the question, capitalised function words ("The", "He") left out; for a place, a run
/// after "in", "at", "from" or "to" counts more.
pub(super) fn names(
    toks: &[Tok],
    in_question: &dyn Fn(&Tok) -> bool,
    part: NamePart,
    place: bool,
) -> Vec<Candidate> {
    let name_word = |t: &Tok| {
        let l = lower(t);
        t.capitalised()
            && !is_stopword(&t.term)
            && !MONTHS.contains(&l.as_str())
            && !WEEKDAYS.contains(&l.as_str())
            && !(t.start == toks[0].start
                && (l.ends_with("ly")
                    || NOT_NAMES.contains(&l.as_str())
                    || PREPOSITIONS.contains(&l.as_str())))
    };
    let joiner =
        |t: &Tok| matches!(t.text, "of" | "de" | "van" | "von" | "der" | "la" | "le" | "du" | "da" | "al");
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if !name_word(&toks[i]) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < toks.len() && !toks[j].break_before {
            if name_word(&toks[j]) {
                j += 1;
            } else if joiner(&toks[j]) && toks.get(j + 1).is_some_and(|n| name_word(n) && !n.break_before) {
                j += 2;
            } else {
                break;
            }
        }
        // A run sharing a word with the question names the question's own subject ("Kublai
        // Khan" for "Kublai", "the Grand Canal of China" for "the Grand Canal").
        let (s, e) = (i, j);
        if !toks[s..e].iter().any(in_question) {
            let range = match part {
                NamePart::Full => (s, e),
                // A title is not a first name: "Dr. Frank Parnell" -> "Frank".
                NamePart::First => {
                    let f = (s..e).find(|&k| !toks[k].text.ends_with('.')).unwrap_or(s);
                    (f, f + 1)
                }
                NamePart::Last => (e - 1, e),
            };
            // "in Lyme", "at the White Hart".
            let word = |k: Option<usize>| k.and_then(|k| toks.get(k)).map(lower).unwrap_or_default();
            let preposition = |w: String| {
                matches!(w.as_str(), "in" | "at" | "from" | "to" | "near" | "into" | "toward" | "towards")
            };
            let after_preposition = preposition(word(i.checked_sub(1)))
                || (matches!(word(i.checked_sub(1)).as_str(), "the" | "a")
                    && preposition(word(i.checked_sub(2))));
            out.push(Candidate { range, bonus: if place && after_preposition { 0.5 } else { 0.0 } });
        }
        i = j;
    }
    out
}

/// Prepositions the search stopwords leave out; an answer does not start or end with one.
const PREPOSITIONS: &[&str] = &[
    "through",
    "via",
    "onto",
    "toward",
    "towards",
    "across",
    "between",
    "among",
    "against",
    "without",
    "within",
    "during",
    "per",
    "near",
    "beside",
    "besides",
    "since",
    "until",
    "along",
    "around",
    "behind",
    "beyond",
    "despite",
    "except",
    "inside",
    "outside",
    "throughout",
    "beneath",
    "below",
    "above",
];

/// Longest phrase a generic answer may be, in words.
const MAX_PHRASE: usize = 6;

/// Runs of words between punctuation and question words, trimmed of function words at both
/// ends; a long run offers its first and last [`MAX_PHRASE`] words.
pub(super) fn phrases(toks: &[Tok], in_question: &dyn Fn(&Tok) -> bool) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if in_question(&toks[i]) || clause_word(&toks[i]) {
            i += 1;
            continue;
        }
        // A run right after a modal, an auxiliary or a relative pronoun is a predicate ("[can]
        // encode the concept"), not a thing: skipped. After a copula the complement may be the
        // thing ("... is Paris").
        if i > 0 && !toks[i].break_before && predicate_follows(&toks[i - 1]) {
            while i < toks.len() && !toks[i].break_before && !in_question(&toks[i]) && !clause_word(&toks[i])
            {
                i += 1;
            }
            continue;
        }
        let mut j = i + 1;
        while j < toks.len() && !in_question(&toks[j]) && !toks[j].break_before && !clause_word(&toks[j]) {
            j += 1;
        }
        let (mut s, mut e) = (i, j);
        // Function words and adverbs ("typically") are never the edge of an answer.
        let weak = |t: &Tok| {
            is_stopword(&t.term) || t.term.ends_with("ly") || PREPOSITIONS.contains(&t.term.as_str())
        };
        while s < e && (weak(&toks[s]) || toks[s].term.is_empty()) {
            s += 1;
        }
        while e > s && weak(&toks[e - 1]) {
            e -= 1;
        }
        if e > s {
            out.push(Candidate { range: (s, e.min(s + MAX_PHRASE)), bonus: 0.0 });
            if e - s > MAX_PHRASE {
                out.push(Candidate { range: (e - MAX_PHRASE, e), bonus: 0.0 });
            }
        }
        i = j;
    }
    out
}

/// Verbs that join a clause and relative pronouns: a phrase ends before one.
fn clause_word(t: &Tok) -> bool {
    copula(t) || predicate_follows(t)
}

pub(super) fn copula(t: &Tok) -> bool {
    matches!(t.term.as_str(), "is" | "are" | "was" | "were" | "be" | "been" | "being" | "am")
}

/// Modals, auxiliaries and relative pronouns: what follows them is a predicate.
fn predicate_follows(t: &Tok) -> bool {
    matches!(
        t.term.as_str(),
        "can"
            | "could"
            | "will"
            | "would"
            | "shall"
            | "should"
            | "may"
            | "might"
            | "must"
            | "that"
            | "which"
            | "who"
            | "whom"
            | "whose"
            | "has"
            | "have"
            | "had"
            | "do"
            | "does"
            | "doe"
            | "did"
    )
}

/// Whether a phrase is one lower-case word or one letter ("instance", "T"): picked out of a
/// sentence for a question of no particular kind, such a word is rarely what was asked unless it
/// stands beside the question's noun ("a food crop, sorghum"); a name, a number or a term of
/// several words may be.
pub(super) fn lone_common_word(phrase: &[Tok]) -> bool {
    match phrase {
        [t] => {
            t.text.chars().all(char::is_lowercase)
                || (t.text.chars().count() == 1 && !t.text.starts_with(|c: char| c.is_ascii_digit()))
        }
        _ => false,
    }
}
