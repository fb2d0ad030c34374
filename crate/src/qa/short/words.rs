//! The words of a sentence as the short-answer rules read them ([`Tok`]), and what kind of
//! word each is: a year, a time, a number, a version.

use crate::index::tokenize;

/// A word of the sentence, with what the rules need to know about it.
#[derive(Debug)]
pub(super) struct Tok<'a> {
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
    /// Normalised search term (empty for symbols).
    pub term: String,
    /// Punctuation (a comma, a bracket, a quote) separates it from the previous word.
    pub break_before: bool,
}

impl Tok<'_> {
    pub fn capitalised(&self) -> bool {
        self.text.chars().next().is_some_and(char::is_uppercase)
    }
}

/// The sentence's runs of non-space characters, each with its byte offset.
pub fn pieces(sentence: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    sentence.split_whitespace().map(move |piece| {
        let start = at + sentence[at..].find(piece).unwrap_or(0);
        at = start + piece.len();
        (start, piece)
    })
}

pub(super) fn toks(sentence: &str) -> Vec<Tok<'_>> {
    const TITLES: &[&str] =
        &["mr", "mrs", "ms", "dr", "st", "jr", "sr", "capt", "col", "gen", "lt", "prof", "rev"];
    let mut out: Vec<Tok> = Vec::new();
    let mut pending_break = false;
    for (start, piece) in pieces(sentence) {
        let lead = piece
            .find(|c: char| c.is_alphanumeric() || matches!(c, '$' | '£' | '€' | '#'))
            .unwrap_or(piece.len());
        let core_end = piece
            .rfind(|c: char| c.is_alphanumeric() || c == '%')
            .map_or(lead, |i| i + piece[i..].chars().next().map_or(1, char::len_utf8));
        if lead >= core_end {
            // A lone symbol: "°F" stays a word, a dash or a quote only breaks.
            if piece.chars().any(char::is_alphanumeric) || piece.contains('°') {
                out.push(Tok {
                    start,
                    end: start + piece.len(),
                    text: piece,
                    term: String::new(),
                    break_before: pending_break,
                });
                pending_break = false;
            } else {
                pending_break = true;
            }
            continue;
        }
        // A possessive is not part of the name: "Korff's research" -> "Korff".
        let core = &piece[lead..core_end];
        let core = core.strip_suffix("'s").or_else(|| core.strip_suffix("\u{2019}s")).unwrap_or(core);
        // Keep the full stop of an initial or a title ("J.", "Dr.") as part of the name.
        let dotted = piece[core_end..].starts_with('.')
            && (core.chars().count() == 1 || TITLES.contains(&core.to_lowercase().as_str()));
        let end = lead + core.len() + usize::from(dotted);
        let term = tokenize::terms(core).into_iter().next().unwrap_or_default();
        let break_before =
            pending_break || piece[..lead].chars().any(|c| !matches!(c, '$' | '£' | '€' | '#'));
        out.push(Tok { start: start + lead, end: start + end, text: &piece[lead..end], term, break_before });
        pending_break = piece[core_end.max(end)..].chars().any(|c| !c.is_alphanumeric());
    }
    out
}

pub(super) const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
pub(super) const WEEKDAYS: &[&str] =
    &["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
/// Whether a (lower-case) word counts things: one to ninety-nine in words, or a word for a large
/// amount or a part ("hundred", "million", "dozen", "half").
pub(crate) fn is_number_word(word: &str) -> bool {
    crate::outline::text::cardinal_value(word).is_some()
        || matches!(word, "hundred" | "thousand" | "million" | "billion" | "trillion" | "dozen" | "half")
}

pub(super) fn lower(t: &Tok) -> String {
    t.text.to_lowercase()
}

fn is_year(t: &Tok) -> bool {
    let digits = t.text.trim_end_matches('s');
    digits.len() == 4 && digits.parse::<u32>().is_ok_and(|y| (1000..2100).contains(&y))
}

pub(super) fn is_time(toks: &[Tok], i: usize) -> bool {
    let t = &toks[i];
    let l = lower(t);
    let near_month =
        |j: Option<usize>| j.and_then(|j| toks.get(j)).is_some_and(|n| MONTHS.contains(&lower(n).as_str()));
    is_year(t)
        || (MONTHS.contains(&l.as_str()) && (t.capitalised()))
        || WEEKDAYS.contains(&l.as_str())
        || matches!(l.as_str(), "century" | "bc" | "ad" | "bce" | "ce")
        || (t.text.bytes().all(|b| b.is_ascii_digit())
            && t.text.len() <= 2
            && (near_month(i.checked_sub(1)) || near_month(Some(i + 1))))
        || (l.ends_with("th") || l.ends_with("st") || l.ends_with("nd") || l.ends_with("rd"))
            && l.as_bytes().first().is_some_and(u8::is_ascii_digit)
            && toks.get(i + 1).is_some_and(|n| lower(n) == "century")
}

pub(super) fn is_number(toks: &[Tok], i: usize) -> bool {
    let t = &toks[i];
    let l = lower(t);
    t.text.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '$' | '£' | '€'))
        || is_number_word(&l)
        || (t.term.is_empty() && i > 0 && is_number(toks, i - 1))
}

/// A version: dotted numbers ("3.10", "1.2.0rc1", "v2.4"), or a number right after "version",
/// "release" or a "v" ("version 2").
pub(super) fn is_version(toks: &[Tok], i: usize) -> bool {
    let t = toks[i].text;
    let digits = t.strip_prefix(['v', 'V']).unwrap_or(t);
    let dotted = digits.starts_with(|c: char| c.is_ascii_digit())
        && digits.contains('.')
        && digits.split('.').all(|p| p.starts_with(|c: char| c.is_ascii_digit()))
        && digits.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
    let named = digits.chars().all(|c| c.is_ascii_digit())
        && !digits.is_empty()
        && i > 0
        && matches!(lower(&toks[i - 1]).as_str(), "version" | "release" | "v");
    dotted || named
}

/// Whether two terms are forms of one word, by a shared beginning ("want", "wanted";
/// "marry", "married"): the search stemmer only folds plurals.
pub(super) fn same_word(a: &str, b: &str) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let shared = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    shared == a.len().max(b.len()) || shared >= 4.max(a.len().min(b.len()) - 1)
}
