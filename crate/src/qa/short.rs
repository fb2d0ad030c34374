//! Short answers: a cited sentence and the analysed question in, the few words that answer it out.
//!
//! The question's [`Kind`] says what to look for in the sentence: a run of capitalised words for
//! a name or a place, a year or date for a time, a number for a count. Anything else gets the
//! shortest run of words between punctuation that says something the question does not. Among
//! the candidates, the one nearest the question's words in the sentence wins (each question word
//! weighted by its idf, so rare words pull hardest), and a candidate made of question words is
//! never the answer ("Who wrote to Anne?" is not answered by "Anne").

use std::collections::BTreeMap;

use super::question::{self, CodeName, Kind, NamePart, Question};
use crate::index::tokenize::{self, is_stopword};

/// A word of the sentence, with what the rules need to know about it.
#[derive(Debug)]
struct Tok<'a> {
    start: usize,
    end: usize,
    text: &'a str,
    /// Normalised search term (empty for symbols).
    term: String,
    /// Punctuation (a comma, a bracket, a quote) separates it from the previous word.
    break_before: bool,
}

impl Tok<'_> {
    fn capitalised(&self) -> bool {
        self.text.chars().next().is_some_and(char::is_uppercase)
    }
}

/// The short answer's byte range in `sentence`, and whether it has the kind the question asks
/// for (true for a name, time, number or place; false for a generic phrase). None when the
/// sentence lacks the asked kind, and for a "why" or "how": then the sentence is the answer.
pub fn extract(
    sentence: &str,
    question: &Question,
    idf: &dyn Fn(&str) -> f32,
) -> Option<((usize, usize), bool)> {
    let toks = toks(sentence);
    // Each content word of the question, with its weight and the side of the answer it
    // should stand on in the sentence.
    let (wh_at, slot) = slot(&question.text);
    let mut asked: BTreeMap<String, Asked> = BTreeMap::new();
    tokenize::for_each_token(&question.text, |t, start, _| {
        if !is_stopword(t) {
            let side = if wh_at.is_some_and(|w| start < w) { Side::Before } else { slot };
            asked.entry(t.to_string()).or_insert(Asked { weight: idf(t).max(0.1), side });
        }
    });
    let in_question = |t: &Tok| asked.keys().any(|a| same_word(a, &t.term));
    // In a manual, "where" is mostly a folder or a file: the first the sentence names that is not
    // the question's own ("Where is npmrc?" is not answered by "npmrc").
    if question.kind == Kind::Place
        && let Some(path) =
            paths(sentence).into_iter().find(|&(s, e)| !question.text.contains(&sentence[s..e]))
    {
        return Some((path, true));
    }
    // "Which command ...?": the identifier, option or file nearest the question's words, or none.
    if let Kind::Code { strict, name } = question.kind {
        // Nor a name holding the question's own ("source/conf.py" for "... a default conf.py?").
        let own: Vec<&str> =
            code_words(&question.text).into_iter().map(|(s, e)| &question.text[s..e]).collect();
        let best = code_words(sentence)
            .into_iter()
            .filter(|&(s, e)| !question.text.contains(&sentence[s..e]))
            .filter(|&(s, e)| !own.iter().any(|o| sentence[s..e].contains(o)))
            // A type is named with a capital ("Arc<T>", "std::sync::Arc", "requests.HTTPError"),
            // not by a call.
            .filter(|&(s, e)| {
                let word = &sentence[s..e];
                let capitalised =
                    || word.rsplit([':', '.']).next().is_some_and(|w| w.starts_with(char::is_uppercase));
                match name {
                    CodeName::Type => !word.contains('(') && capitalised(),
                    // A function or a command is not written in capitals ("ASCII", "TRUE").
                    CodeName::Call => !word.chars().all(|c| !c.is_lowercase()),
                    // In prose, capitals are mostly a name ("NASA"), not a variable.
                    CodeName::Any => strict || word.chars().any(char::is_lowercase),
                }
            })
            .filter_map(|(s, e)| {
                let from = toks.iter().position(|t| t.start >= s && t.end <= e)?;
                let to = toks.iter().rposition(|t| t.start >= s && t.end <= e)? + 1;
                Some((score(&toks, &asked, Candidate { range: (from, to), bonus: 0.0 }), (s, e)))
            })
            .max_by(|a, b| a.0.total_cmp(&b.0));
        match best {
            Some((_, range)) => return Some((range, true)),
            None if strict => return None,
            None => {}
        }
    }
    let typed = match question.kind {
        Kind::Name { part } => {
            let found = relation_named(&toks, names(&toks, &in_question, part, false), &question.text);
            passive_agent(&toks, found, &question.text)
        }
        Kind::Place => names(&toks, &in_question, NamePart::Full, true),
        Kind::Time => nth(without_question_words(&toks, runs(&toks, is_time), &in_question), &question.text),
        Kind::Number => without_question_words(&toks, runs(&toks, is_number), &in_question),
        Kind::Version => without_question_words(&toks, runs(&toks, is_version), &in_question),
        Kind::Other | Kind::Code { .. } => Vec::new(),
        Kind::Explanation | Kind::YesNo => return None,
    };
    // A question asking for a name, time, number or place the sentence lacks gets no short
    // answer: the sentence itself reads better than a guess of another kind.
    let (candidates, typed) = match question.kind {
        Kind::Other | Kind::Code { .. } => {
            let phrases = beside_head(&toks, phrases(&toks, &in_question), &question.text);
            let mut phrases = after_verb(&toks, phrases, &question.text, &in_question);
            phrases.retain(|c| c.bonus > 0.0 || !lone_common_word(&toks[c.range.0..c.range.1]));
            (phrases, false)
        }
        _ => (typed, true),
    };
    let best =
        candidates.into_iter().map(|c| (score(&toks, &asked, c), c)).max_by(|a, b| a.0.total_cmp(&b.0))?;
    let (from, to) = best.1.range;
    Some(((toks[from].start, toks[to - 1].end), typed))
}

/// Byte ranges of the file paths and addresses in a sentence: a word holding a slash that starts
/// as a path does (`~/.npm`, `/etc/hosts`, `./build`, `%AppData%\npm`, `C:\Users`, `$HOME/x`),
/// is an address (`https://...`), or names a file or several folders (`docs/conf.py`,
/// `usr/local/bin`); not "and/or", "TCP/IP", "1/2" or a date.
fn paths(sentence: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (start, piece) in pieces(sentence) {
        let (lead, word) = bare(piece, |c| c == '!' || CLOSING.contains(&c));
        if word.is_empty() || !word.contains(['/', '\\']) || !word.chars().any(char::is_alphabetic) {
            continue;
        }
        let b = word.as_bytes();
        let rooted = matches!(b[0], b'~' | b'/' | b'.' | b'%' | b'$' | b'\\')
            || (b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\');
        let tail = word.rsplit(['/', '\\']).next().unwrap_or("");
        let file = tail.rfind('.').is_some_and(|d| d > 0 && d + 1 < tail.len());
        let deep = word.matches(['/', '\\']).count() >= 2;
        if rooted || word.contains("://") || file || deep {
            out.push((start + lead, start + lead + word.len()));
        }
    }
    out
}

/// Marks a word may close on in a sentence (a full stop, a comma, a bracket, a quote).
const CLOSING: &[char] = &['.', ',', ';', ':', '?', ')', '"', '\'', '`', ']', '\u{2019}', '\u{201D}'];

/// A piece of a sentence without the brackets and quotes it opens on and the marks it closes on
/// (`closing`), and where the word starts in it.
fn bare(piece: &str, closing: impl Fn(char) -> bool) -> (usize, &str) {
    let lead =
        piece.len() - piece.trim_start_matches(['(', '"', '\'', '`', '[', '\u{2018}', '\u{201C}']).len();
    (lead, piece[lead..].trim_end_matches(closing))
}

/// Byte ranges of the words in a sentence that are written as code: an identifier joined by `_`,
/// `::` or `.` (`CARGO_PKG_VERSION`, `std::env::var`, `requests.get`), a call or a macro
/// (`len()`, `println!`), an option (`--release`, `-S`), a name with a capital inside
/// (`HashMap`, `HTTPError`) or in capitals (`PATH`), a path or a file (`conf.py`).
fn code_words(sentence: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (start, piece) in pieces(sentence) {
        // A macro keeps its "!".
        let (lead, word) = bare(piece, |c| CLOSING.contains(&c));
        // A call keeps its brackets: "len()".
        let rest = &piece[lead + word.len()..];
        let open = word.matches('(').count() > word.matches(')').count();
        let word = if open && rest.starts_with(')') {
            &piece[lead..lead + word.len() + 1]
        } else if rest.starts_with("()") {
            &piece[lead..lead + word.len() + 2]
        } else {
            word
        };
        let letters = word.chars().filter(|c| c.is_alphabetic()).count();
        if letters == 0 {
            continue;
        }
        let inner = |sep: &str| {
            word.split(sep).filter(|p| !p.is_empty()).count() >= 2
                && !word.starts_with(sep)
                && !word.ends_with(sep)
        };
        let joined = inner("_")
            || inner("::")
            || (inner(".") && !word.contains(". ") && letters > 2 && {
                let parts: Vec<&str> = word.split('.').collect();
                // Not "e.g" or "U.S": every part longer than one letter.
                parts.iter().all(|p| p.chars().count() > 1)
            });
        // "len()", "mode(x)", "dpkg(1)".
        let call = word.find('(').is_some_and(|p| {
            p > 0 && word.ends_with(')') && word[..p].chars().all(|c| c.is_alphanumeric() || "_.:-".contains(c))
        })
            // A macro is called ("vec![1]", "println!(") or joined ("assert_eq!"); a lone word
            // with "!" is mostly an exclamation.
            || (word.ends_with('!')
                && word.len() > 1
                && word[..word.len() - 1].chars().all(|c| c.is_alphanumeric() || c == '_')
                && (word.contains('_') || piece[lead + word.len()..].starts_with(['(', '[', '{'])));
        let option = (word.starts_with("--") && word[2..].starts_with(|c: char| c.is_alphabetic()))
            || (word.starts_with('-')
                && word.len() == 2
                && word[1..].starts_with(|c: char| c.is_alphabetic()));
        let inner_capital = word.starts_with(char::is_alphabetic)
            && word.chars().all(|c| c.is_alphanumeric())
            && word.chars().skip(1).any(char::is_uppercase)
            && word.chars().any(char::is_lowercase);
        let capitals =
            letters >= 3 && word.chars().all(|c| c.is_uppercase() || c.is_ascii_digit() || c == '_');
        let generic = word.starts_with(char::is_alphabetic) && word.contains('<') && word.ends_with('>');
        if joined || call || option || inner_capital || capitals || generic || word.contains('/') {
            out.push((start + lead, start + lead + word.len()));
        }
    }
    out
}

/// The noun a "what"/"which" question asks about: "What major crop was brought ...?" ->
/// "crop"; "What type of circuit ...?" -> "circuit".
fn head_noun(text: &str) -> Option<String> {
    let words = tokenize::terms(text);
    let at = words.iter().position(|w| w == "what" || w == "which")?;
    let mut head = None;
    let mut k = at + 1;
    while let Some(w) = words.get(k) {
        if is_stopword(w) {
            let general = head.as_deref().is_some_and(|h| question::GENERAL_NOUNS.contains(&h));
            if w == "of" && general {
                head = None;
                k += 1;
                continue;
            }
            break;
        }
        head = Some(w.clone());
        k += 1;
    }
    head
}

/// Whether a phrase is one lower-case word or one letter ("instance", "T"): picked out of a
/// sentence for a question of no particular kind, such a word is rarely what was asked unless it
/// stands beside the question's noun ("a food crop, sorghum"); a name, a number or a term of
/// several words may be.
fn lone_common_word(phrase: &[Tok]) -> bool {
    match phrase {
        [t] => {
            t.text.chars().all(char::is_lowercase)
                || (t.text.chars().count() == 1 && !t.text.starts_with(|c: char| c.is_ascii_digit()))
        }
        _ => false,
    }
}

/// Phrases right beside the head noun ("Boolean circuits", "a food crop, sorghum") say what
/// the question's noun is: they count more. Phrases inside a phrase of the question count less
/// ("major food crop" for "major crop": a modifier of the question's own noun).
fn beside_head(toks: &[Tok], mut candidates: Vec<Candidate>, question: &str) -> Vec<Candidate> {
    let Some(head) = head_noun(question) else { return candidates };
    let words = tokenize::terms(question);
    let kind_asked = words.iter().any(|w| question::GENERAL_NOUNS.contains(&w.as_str()));
    let adjacent_in_question =
        |a: &Tok, b: &Tok| words.windows(2).any(|w| same_word(&w[0], &a.term) && same_word(&w[1], &b.term));
    let at: Vec<usize> = (0..toks.len()).filter(|&k| same_word(&head, &toks[k].term)).collect();
    for c in &mut candidates {
        let (s, e) = c.range;
        if s > 0 && e < toks.len() && adjacent_in_question(&toks[s - 1], &toks[e]) {
            c.bonus -= HEAD_BONUS;
            continue;
        }
        let content_between =
            |a: usize, b: usize| toks[a..b].iter().filter(|t| !is_stopword(&t.term)).count();
        // A lower-case word before the noun modifies it: the answer only when a kind is asked
        // ("quantum machines" for "What type of machine ...?"), not for "What crops ...?"
        // ("include [crops] ...": a verb, "main crops": a modifier).
        let modifier_asked = kind_asked || toks[s..e].iter().any(|t| t.capitalised());
        if at.iter().any(|&k| {
            (k >= e && content_between(e, k) == 0 && modifier_asked)
                || (k < s && content_between(k + 1, s) == 0)
        }) {
            c.bonus += HEAD_BONUS;
        }
    }
    candidates
}

/// Extra weight of a phrase beside the question's head noun.
const HEAD_BONUS: f32 = 0.5;

/// For "the second year ...", "the first time ...": of several dates in the sentence, the one
/// in that place ("published in 1609 and again in 1615" -> 1615 for the second); all of them
/// otherwise.
fn nth(candidates: Vec<Candidate>, question: &str) -> Vec<Candidate> {
    let words = tokenize::terms(question);
    let place = words.windows(2).find_map(|w| {
        let unit = matches!(w[1].as_str(), "year" | "date" | "time" | "day" | "month");
        let n = match w[0].as_str() {
            "first" => Some(0),
            "second" => Some(1),
            "third" => Some(2),
            "fourth" => Some(3),
            "final" => candidates.len().checked_sub(1),
            _ => None,
        };
        n.filter(|_| unit)
    });
    match place {
        Some(n) if candidates.len() > n && candidates.len() > 1 => vec![candidates[n]],
        _ => candidates,
    }
}

/// Extra weight of a name right after the relation a question asks about.
const RELATION_BONUS: f32 = 1.0;

/// Words for a person's relation to another: "Who is the husband of the tenant?".
const RELATIONS: &[&str] = &[
    "husband",
    "wife",
    "son",
    "daughter",
    "father",
    "mother",
    "brother",
    "sister",
    "friend",
    "cousin",
    "uncle",
    "aunt",
    "nephew",
    "niece",
    "partner",
    "fiancé",
    "fiancée",
    "fiance",
    "fiancee",
    "boyfriend",
    "girlfriend",
    "grandfather",
    "grandmother",
    "grandson",
    "granddaughter",
    "widow",
    "mentor",
    "rival",
];

/// For a question asking who is someone's relation ("Who is the husband of ...?", "the name of
/// the wife of ..."), a name right after that word in the sentence ("whose husband Roy", "his
/// wife, Ann") counts more.
fn relation_named(toks: &[Tok], mut candidates: Vec<Candidate>, question: &str) -> Vec<Candidate> {
    let words = tokenize::terms(question);
    let Some(relation) = words
        .windows(2)
        .find_map(|w| (RELATIONS.iter().any(|r| same_word(r, &w[0])) && w[1] == "of").then(|| w[0].clone()))
    else {
        return candidates;
    };
    for c in &mut candidates {
        let s = c.range.0;
        let before = toks[..s].iter().rposition(|t| !is_stopword(&t.term));
        if before.is_some_and(|k| same_word(&relation, &toks[k].term)) {
            c.bonus += RELATION_BONUS;
        }
    }
    candidates
}

/// Past participles that are not the verb with "-ed" ("led" for "lead"): general English.
const PARTICIPLES: &[(&str, &str)] = &[
    ("lead", "led"),
    ("write", "written"),
    ("build", "built"),
    ("make", "made"),
    ("give", "given"),
    ("take", "taken"),
    ("find", "found"),
    ("hold", "held"),
    ("begin", "begun"),
    ("draw", "drawn"),
    ("buy", "bought"),
    ("teach", "taught"),
    ("sing", "sung"),
    ("win", "won"),
    ("speak", "spoken"),
    ("know", "known"),
    ("see", "seen"),
    ("bring", "brought"),
    ("choose", "chosen"),
    ("drive", "driven"),
    ("eat", "eaten"),
    ("fight", "fought"),
    ("keep", "kept"),
    ("lose", "lost"),
    ("pay", "paid"),
    ("sell", "sold"),
    ("send", "sent"),
    ("shoot", "shot"),
    ("show", "shown"),
    ("steal", "stolen"),
    ("tell", "told"),
    ("throw", "thrown"),
    ("beat", "beaten"),
    ("break", "broken"),
    ("catch", "caught"),
    ("grow", "grown"),
    ("hide", "hidden"),
    ("leave", "left"),
    ("meet", "met"),
    ("seek", "sought"),
    ("strike", "struck"),
    ("feed", "fed"),
    ("bear", "borne"),
    ("sweep", "swept"),
    ("wear", "worn"),
];

/// Whether a sentence's word is the past participle of a question's verb ("founded" for
/// "founds", "led" for "leads").
fn participle_of(verb: &str, word: &str) -> bool {
    let base =
        verb.strip_suffix("es").filter(|b| b.ends_with(['s', 'x', 'z', 'h'])).or(verb.strip_suffix('s'));
    let base = base.unwrap_or(verb);
    (word.ends_with("ed") && same_word(base, word))
        || PARTICIPLES.iter().any(|&(v, p)| p == word && (v == verb || v == base))
}

/// Tokens a passive's agent may stand after "by" ("led by and mainly composed of [Sunni Arabs]").
const AGENT_REACH: usize = 5;

/// For a question asking who did something ("Who leads the group?"), the name after the passive
/// of that verb ("the group, led by [Aldo] ...") is the doer: the answer, however far it stands
/// from the question's other words (which name what was done, not who did it). The names
/// that are no such agent are dropped when one is.
fn passive_agent(toks: &[Tok], candidates: Vec<Candidate>, question: &str) -> Vec<Candidate> {
    let words = tokenize::terms(question);
    let verb = match words.as_slice() {
        [who, verb, ..] if who == "who" && !is_stopword(verb) => verb,
        _ => return candidates,
    };
    let by: Vec<usize> = (1..toks.len())
        .filter(|&k| toks[k].term == "by")
        .filter(|&k| toks[k.saturating_sub(2)..k].iter().any(|t| participle_of(verb, &lower(t))))
        .collect();
    let agent = |c: &Candidate| {
        let s = c.range.0;
        by.iter().any(|&k| k < s && s - k <= AGENT_REACH && !toks[k + 1..=s].iter().any(|t| t.break_before))
    };
    if candidates.iter().any(agent) { candidates.into_iter().filter(agent).collect() } else { candidates }
}

/// The verb whose object a question asks for: "... that ignore which facts?" -> "ignore";
/// "What does the notation hide?", "What will Hercules eat?", "What does the State lack from
/// ...?" -> the last lower-case word before the first preposition after the subject, or the
/// last word. None for other questions.
fn object_verb(question: &str) -> Option<String> {
    let mut words: Vec<(String, bool)> = Vec::new();
    tokenize::for_each_token(question, |t, start, _| {
        words.push((t.to_string(), question[start..].starts_with(char::is_uppercase)));
    });
    let wh = |w: &str| matches!(w, "what" | "which");
    let at = words.iter().position(|(w, _)| wh(w))?;
    let mut next = at + 1;
    while words.get(next).is_some_and(|(w, _)| wh(w)) {
        next += 1;
    }
    let verb = |(w, capital): &(String, bool)| (!capital && !is_stopword(w)).then(|| w.clone());
    match words.get(next..)? {
        // "... ignore what?", "... ignore which facts?"
        [] | [_] if at > 0 => verb(&words[at - 1]),
        [(aux, _), rest @ ..] if matches!(aux.as_str(), "do" | "doe" | "does" | "did" | "will" | "would") => {
            let before_preposition = rest
                .windows(2)
                .find(|w| PREPOSITIONS_OF_OBJECT.contains(&w[1].0.as_str()) && verb(&w[0]).is_some())
                .map(|w| &w[0]);
            before_preposition.or(rest.last()).and_then(verb)
        }
        _ => None,
    }
}

/// Prepositions that follow a verb's object or the verb itself ("lack from", "demand in").
const PREPOSITIONS_OF_OBJECT: &[&str] =
    &["from", "in", "on", "at", "to", "for", "with", "by", "into", "about", "after", "during", "of"];

/// A phrase right after the verb whose object the question asks for ("which hides [constant
/// factors and smaller terms]", "steal [the Malibu]") is that object: it counts more.
/// The question's own words may stand between ("lacks international [recognition]" for "lack
/// from the international community").
fn after_verb(
    toks: &[Tok],
    mut candidates: Vec<Candidate>,
    question: &str,
    in_question: &dyn Fn(&Tok) -> bool,
) -> Vec<Candidate> {
    let Some(verb) = object_verb(question) else { return candidates };
    let at: Vec<usize> = (0..toks.len()).filter(|&k| same_word(&verb, &toks[k].term)).collect();
    for c in &mut candidates {
        let s = c.range.0;
        let joined = |k: usize| {
            k < s
                && !toks[k + 1].break_before
                && toks[k + 1..s].iter().all(|t| is_stopword(&t.term) || in_question(t))
        };
        if at.iter().any(|&k| joined(k)) {
            c.bonus += VERB_BONUS;
        }
    }
    candidates
}

/// Extra weight of the phrase after the verb whose object is asked.
const VERB_BONUS: f32 = 1.0;

/// The first name in `sentence` that shares no word with the question (a sentence's subject
/// comes first): what a pronoun in the next sentence most likely stands for.
pub fn first_name(sentence: &str, question: &Question) -> Option<(usize, usize)> {
    let toks = toks(sentence);
    let asked: Vec<String> =
        tokenize::terms(&question.text).into_iter().filter(|t| !is_stopword(t)).collect();
    let in_question = |t: &Tok| asked.iter().any(|a| same_word(a, &t.term));
    let part = match question.kind {
        Kind::Name { part } => part,
        _ => NamePart::Full,
    };
    let c = names(&toks, &in_question, part, false).into_iter().next()?;
    Some((toks[c.range.0].start, toks[c.range.1 - 1].end))
}

/// The runs of capitalised words in `sentence` that may name someone (as an answer's names are
/// found), byte ranges of at most `most` words.
pub fn capitalised_runs(sentence: &str, most: usize) -> Vec<(usize, usize)> {
    let toks = toks(sentence);
    if toks.is_empty() {
        return Vec::new();
    }
    names(&toks, &|_| false, NamePart::Full, false)
        .into_iter()
        .filter(|c| c.range.1 - c.range.0 <= most)
        .map(|c| (toks[c.range.0].start, toks[c.range.1 - 1].end))
        .collect()
}

struct Asked {
    weight: f32,
    side: Side,
}

/// Where a question's word stands in an answering sentence, relative to the answer.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Side {
    Before,
    After,
    Either,
}

/// The question word's byte offset, and where the words after it stand relative to the answer.
/// A question word followed by a verb asks for a subject ("Who wrote the letter?": "Wentworth
/// wrote the letter"), so its words stand after the answer. With an auxiliary or a copula
/// ("What did Maududi advocate?", "What is the name of ...?") the answer can stand either side
/// (answering sentences are active or passive, clauses reorder). Words before the question
/// word stand before the answer ("... associated with what type?").
fn slot(text: &str) -> (Option<usize>, Side) {
    const AUX: &[&str] = &[
        "do", "doe", "does", "did", "will", "would", "can", "could", "should", "may", "might", "must", "has",
        "have", "had",
    ];
    let mut words: Vec<(String, usize)> = Vec::new();
    tokenize::for_each_token(text, |t, s, _| words.push((t.to_string(), s)));
    let wh = ["what", "who", "whom", "whose", "when", "where", "which", "why", "how"];
    let Some(at) = words.iter().position(|(w, _)| wh.contains(&w.as_str())) else {
        return (None, Side::Either);
    };
    let after = &words[at + 1..];
    let side =
        if after.iter().take(5).any(|(w, _)| {
            AUX.contains(&w.as_str()) || matches!(w.as_str(), "is" | "wa" | "was" | "are" | "were")
        }) {
            Side::Either
        } else {
            Side::After
        };
    (Some(words[at].1), side)
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    /// Token range.
    range: (usize, usize),
    /// Extra evidence for the kind (a place after "in"/"at").
    bonus: f32,
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

fn toks(sentence: &str) -> Vec<Tok<'_>> {
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

const MONTHS: &[&str] = &[
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
const WEEKDAYS: &[&str] = &["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
/// Number words; the first twenty are one..twenty in order (`whole` reads "chapter five" by position).
pub(super) const NUMBER_WORDS: &[&str] = &[
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "thousand",
    "million",
    "billion",
    "trillion",
    "dozen",
    "half",
];

fn lower(t: &Tok) -> String {
    t.text.to_lowercase()
}

fn is_year(t: &Tok) -> bool {
    let digits = t.text.trim_end_matches('s');
    digits.len() == 4 && digits.parse::<u32>().is_ok_and(|y| (1000..2100).contains(&y))
}

fn is_time(toks: &[Tok], i: usize) -> bool {
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

fn is_number(toks: &[Tok], i: usize) -> bool {
    let t = &toks[i];
    let l = lower(t);
    t.text.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '$' | '£' | '€'))
        || NUMBER_WORDS.contains(&l.as_str())
        || (t.term.is_empty() && i > 0 && is_number(toks, i - 1))
}

/// A version: dotted numbers ("3.10", "1.2.0rc1", "v2.4"), or a number right after "version",
/// "release" or a "v" ("version 2").
fn is_version(toks: &[Tok], i: usize) -> bool {
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

/// Candidates trimmed of the question's own words ("as of March 2015" does not answer "How
/// many ... as of March 2015?"); those made only of them dropped.
fn without_question_words(
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
fn runs(toks: &[Tok], f: fn(&[Tok], usize) -> bool) -> Vec<Candidate> {
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
fn names(toks: &[Tok], in_question: &dyn Fn(&Tok) -> bool, part: NamePart, place: bool) -> Vec<Candidate> {
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
fn phrases(toks: &[Tok], in_question: &dyn Fn(&Tok) -> bool) -> Vec<Candidate> {
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

fn copula(t: &Tok) -> bool {
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

/// Whether two terms are forms of one word, by a shared beginning ("want", "wanted";
/// "marry", "married"): the search stemmer only folds plurals.
fn same_word(a: &str, b: &str) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let shared = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    shared == a.len().max(b.len()) || shared >= 4.max(a.len().min(b.len()) - 1)
}

/// Closeness to the question's words: each distinct question word in the sentence adds its
/// weight over its distance in words from the candidate, halved when it stands on the other
/// side of the candidate than of the question word (the answer fills the question word's
/// slot); longer phrases lose a little.
fn score(toks: &[Tok], asked: &BTreeMap<String, Asked>, c: Candidate) -> f32 {
    let (s, e) = c.range;
    let mut best: BTreeMap<&str, f32> = BTreeMap::new();
    // Distance counts content words only: "associated with Boolean" are neighbours.
    let content = |r: std::ops::Range<usize>| toks[r].iter().filter(|t| !is_stopword(&t.term)).count();
    for (k, t) in toks.iter().enumerate() {
        let Some((term, a)) = asked.iter().find(|(a, _)| same_word(a, &t.term)) else { continue };
        if !(s..e).contains(&k) {
            let d = 1 + if k < s { content(k + 1..s) } else { content(e..k) };
            let side = match a.side {
                Side::Either => 1.0,
                side if (k < s) == (side == Side::Before) => 1.0,
                _ => 0.5,
            };
            let v = best.entry(term.as_str()).or_insert(0.0);
            *v = v.max(a.weight * side / d as f32);
        }
    }
    let closeness: f32 = best.values().sum();
    closeness * (1.0 + c.bonus) / (1.0 + 0.05 * (e - s) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qa::question::parse;

    fn short(sentence: &str, question: &str) -> Option<(String, bool)> {
        let q = parse(question);
        extract(sentence, &q, &|_| 1.0).map(|((s, e), typed)| (sentence[s..e].to_string(), typed))
    }

    fn answer(sentence: &str, question: &str) -> String {
        short(sentence, question).map(|(a, _)| a).unwrap_or_default()
    }

    #[test]
    fn a_question_for_a_name_in_code_is_answered_by_the_code_in_the_sentence() {
        let q = "Which environment variable sets the log level?";
        assert_eq!(answer("The log level is read from TOOL_LOG when the tool starts.", q), "TOOL_LOG");
        assert_eq!(
            answer("Pass --optimize to build with all optimizations.", "Which flag turns on optimizations?"),
            "--optimize"
        );
        // A function is no word in capitals, a type no call.
        let s = "For ASCII text, upper(x) turns each letter into a capital.";
        assert_eq!(answer(s, "Which function turns text into capitals?"), "upper(x)");
        let s = "Share it through sync::Shared, and call clone() once for each thread.";
        assert_eq!(answer(s, "Which type lets several threads share a value?"), "sync::Shared");
        let s = "Run loom_init to write docs/loom.toml with the defaults.";
        assert_eq!(answer(s, "Which tool writes a default loom.toml?"), "loom_init");
        assert_eq!(
            answer("Raise io.FileMissing when the path is absent.", "What exception says a file is absent?"),
            "io.FileMissing"
        );
        // An exclamation is no macro; a sentence without code gives no short answer, not a phrase.
        assert_eq!(short("Then the closure is executed!", "Which macro runs the closure?"), None);
        assert_eq!(
            short("Packages are removed by the package manager.", "Which command removes a package?"),
            None
        );
    }

    #[test]
    fn a_version_question_takes_a_version_or_nothing() {
        let q = "Which version added the walk command?";
        assert_eq!(answer("The walk command is new in version 2.4.", q), "2.4");
        assert_eq!(answer("The walk command came with release 3 of the tool.", q), "3");
        assert_eq!(answer("Walk was added to the command set in v2.10.1rc1.", q), "v2.10.1rc1");
        assert_eq!(short("The walk command runs on 2 cores.", q), None);
    }

    #[test]
    fn who_finds_the_name_that_is_not_in_the_question() {
        let s = "In the end Captain Wentworth wrote the letter to Anne in the White Hart.";
        assert_eq!(answer(s, "Who wrote the letter to Anne?"), "Captain Wentworth");
        assert_eq!(
            answer("She married Dr. J. Frank Parnell in Leeds.", "Who did she marry?"),
            "Dr. J. Frank Parnell"
        );
        assert_eq!(
            answer("The title passed to the Earl of Westmorland, who resigned.", "Who resigned?"),
            "Earl of Westmorland"
        );
        assert_eq!(answer("The Prince of Qin was Li Shimin.", "Who was the Prince of Qin?"), "Li Shimin");
        assert_eq!(
            answer(
                "Beijing was the end of the Grand Canal of China.",
                "What city did the Grand Canal reach?"
            ),
            "Beijing"
        );
    }

    #[test]
    fn where_in_a_manual_is_a_folder_or_a_file() {
        let s = "Logs are written to ~/.kiln/logs on Linux, or %AppData%\\Kiln on Windows.";
        assert_eq!(answer(s, "Where does the kiln write its logs?"), "~/.kiln/logs");
        let s = "Put the glaze table in config/glazes.toml before the first firing.";
        assert_eq!(answer(s, "Where do I put the glaze table?"), "config/glazes.toml");
        // The question's own file is not where it is; words joined by a slash are no path.
        let s = "The file glazes.toml lives in /etc/kiln, and/or in the TCP/IP settings.";
        assert_eq!(answer(s, "Where is glazes.toml?"), "/etc/kiln");
        assert_eq!(answer("She met him in Bath, at 3/4 past two.", "Where did she meet him?"), "Bath");
    }

    #[test]
    fn first_and_last_name_questions_take_that_part() {
        let s = "His father, Robert Victor Britten, practised dentistry without pleasure.";
        assert_eq!(
            answer(s, "What is the full name of the person who practised dentistry?"),
            "Robert Victor Britten"
        );
        assert_eq!(answer(s, "What is the last name of the person who practised dentistry?"), "Britten");
        assert_eq!(answer(s, "What is the first name of the person who practised dentistry?"), "Robert");
        let s = "Libby learned of Korff's research and conceived the idea.";
        assert_eq!(answer(s, "Whose research did Libby learn of?"), "Korff");
    }

    #[test]
    fn when_finds_dates_and_how_many_finds_numbers() {
        assert_eq!(
            answer(
                "Monteverdi died in Venice on 29 November 1643, aged 76.",
                "In what year did Monteverdi die?"
            ),
            "29 November 1643"
        );
        assert_eq!(
            answer("The chamber has 131 seats for members.", "How many seats does the chamber have?"),
            "131"
        );
        assert_eq!(
            answer("It ruled over ten million people by March.", "How many people did it rule?"),
            "ten million"
        );
        assert_eq!(
            answer(
                "As of March 2015, it ruled ten million people.",
                "How many people did it rule as of March 2015?"
            ),
            "ten million"
        );
    }

    #[test]
    fn a_subject_question_looks_before_its_verb() {
        // "Who wrote ...?" is answered by the writer, not by the name after the letter.
        let s = "Anne knew that Wentworth wrote the letter to Harville.";
        assert_eq!(answer(s, "Who wrote the letter?"), "Wentworth");
        assert_eq!(slot("Who wrote the letter?").1, Side::After);
        assert_eq!(slot("What did Maududi advocate?").1, Side::Either);
    }

    #[test]
    fn the_head_noun_of_a_what_question() {
        assert_eq!(head_noun("What major crop was brought to China?").as_deref(), Some("crop"));
        assert_eq!(head_noun("AC and NC use what type of circuit?").as_deref(), Some("circuit"));
        assert_eq!(head_noun("What did Kublai do?"), None);
    }

    #[test]
    fn where_prefers_a_name_after_a_preposition() {
        let s = "Later Anne Elliot walked with Henrietta to Uppercross.";
        assert_eq!(answer(s, "Where did Anne Elliot walk with Henrietta?"), "Uppercross");
    }

    #[test]
    fn other_questions_take_the_nearest_phrase_outside_the_question() {
        let s = "AC and NC are complexity classes typically associated with Boolean circuits.";
        assert_eq!(
            answer(s, "AC and NC are complexity classes associated with what type of circuit?"),
            "Boolean"
        );
        let s = "Contacts with the West brought to China a major food crop, sorghum, and other foods.";
        assert_eq!(answer(s, "What major crop was brought to China from the West?"), "sorghum");
        let s = "Maududi wanted to change hearts and minds through an educational process, or da'wah.";
        assert_eq!(
            answer(s, "By what method did Maududi want to change hearts and minds?"),
            "educational process"
        );
    }

    #[test]
    fn a_question_for_a_verbs_object_takes_the_phrase_after_that_verb() {
        let s = "The old ledger, which records every cargo and its owner, hides two missing barrels of rum.";
        assert_eq!(answer(s, "What does the old ledger hide?"), "two missing barrels of rum");
        let s = "The harbour tax, unlike the bridge toll, ignores the weight of the boats.";
        assert_eq!(answer(s, "The harbour tax ignores which facts?"), "weight of the boats");
        // The question's own words may stand between the verb and its object.
        let s = "Although a busy port, it lacks deep moorings, and larger ships anchor in the bay.";
        assert_eq!(answer(s, "What does the busy port lack for ships in deep water?"), "moorings");
        assert_eq!(object_verb("What will the miller grind in winter?").as_deref(), Some("grind"));
        assert_eq!(object_verb("Who ground the rye?"), None);
    }

    #[test]
    fn an_ordinal_question_takes_the_date_in_that_place() {
        let s = "The almanac was printed in Bristol in 1702 and again in 1731, with new tables.";
        assert_eq!(answer(s, "What was the second year the almanac was printed?"), "1731");
        assert_eq!(answer(s, "In what first year was the almanac printed?"), "1702");
    }

    #[test]
    fn a_lower_case_word_before_the_asked_noun_answers_only_a_question_for_a_kind() {
        let s = "Members of the guild include painters Ada Brunt and Tom Pike, who met in Leeds.";
        assert_eq!(answer(s, "What painters are members of the guild?"), "Ada Brunt and Tom Pike");
        let s = "The lamp from Leeds holds quantum dots.";
        assert_eq!(answer(s, "What type of dots does the lamp hold?"), "quantum");
    }

    #[test]
    fn a_question_for_who_did_it_takes_the_name_after_a_passive_by() {
        let s = "The Guild of Masons, named for the old lodge at Kirkby, is led by and mostly made of Welsh Quarrymen from Bangor.";
        assert_eq!(answer(s, "Who leads the Guild of Masons?"), "Welsh Quarrymen");
        let s = "The bridge at Hallam Cross, designed by Ada Brunt in 1880, replaced the ferry of Tom Pike.";
        assert_eq!(answer(s, "Who designed the bridge at Hallam Cross?"), "Ada Brunt");
    }

    #[test]
    fn a_question_for_someones_relation_takes_the_name_after_that_word() {
        let s =
            "At the inn Ada meets the new tenant of the mill, Tomas Brede, whose wife Greta runs the bakery.";
        assert_eq!(answer(s, "Who is the wife of the tenant of the mill?"), "Greta");
    }

    #[test]
    fn a_predicate_after_a_modal_or_a_relative_pronoun_is_no_short_answer() {
        let s = "Small sailing boats can moor at the east pier.";
        assert_eq!(answer(s, "Which vessels may enter the harbour?"), "Small sailing boats");
        // After a copula, the complement is still a candidate.
        let s = "The harbour's oldest crossing is the Kettle Arch.";
        assert_eq!(answer(s, "Which crossing is oldest?"), "Kettle Arch");
    }

    #[test]
    fn a_lone_common_word_away_from_the_asked_noun_is_no_short_answer() {
        let s = "The valve opens automatically when pressure rises above the limit.";
        assert_eq!(short(s, "What happens to the valve when pressure rises?"), None);
        let s = "The council approved it unanimously after the harbour survey.";
        assert_eq!(short(s, "What did the council approve after the survey?"), None);
    }

    #[test]
    fn a_missing_kind_gives_no_short_answer() {
        assert_eq!(short("the carriage waited at the gate", "Who waited at the gate?"), None);
        assert_eq!(short("It began a long time ago.", "In what year did it begin?"), None);
        assert_eq!(short("Anne waited.", "Who waited?"), Some(("Anne".into(), true)));
        assert_eq!(answer("Furthermore, Anne waited.", "Who waited?"), "Anne");
        assert_eq!(answer("Throughout the war Anne waited.", "Who waited?"), "Anne");
        assert_eq!(short("Anne waited because it rained.", "Why did Anne wait?"), None);
    }
}
