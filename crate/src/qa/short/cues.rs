//! What the question's shape says about its answer, as extra weight on candidates: the phrase
//! beside the asked noun ("What crop ...?"), after the asked verb ("What does it hide?"), after a
//! relation ("the husband of ..."), after a passive's "by" ("Who leads ...?"), in the asked
//! place ("the second year").

use super::candidates::Candidate;
use super::words::{Tok, lower, same_word};
use crate::index::tokenize::{self, is_stopword};
use crate::qa::question;

/// The noun a "what"/"which" question asks about: "What major crop was brought ...?" ->
/// "crop"; "What type of circuit ...?" -> "circuit".
pub(super) fn head_noun(text: &str) -> Option<String> {
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

/// Phrases right beside the head noun ("Boolean circuits", "a food crop, sorghum") say what
/// the question's noun is: they count more. Phrases inside a phrase of the question count less
/// ("major food crop" for "major crop": a modifier of the question's own noun).
pub(super) fn beside_head(toks: &[Tok], mut candidates: Vec<Candidate>, question: &str) -> Vec<Candidate> {
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
pub(super) fn nth(candidates: Vec<Candidate>, question: &str) -> Vec<Candidate> {
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
pub(super) fn relation_named(toks: &[Tok], mut candidates: Vec<Candidate>, question: &str) -> Vec<Candidate> {
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

/// Verbs whose past participle is not the verb with "-ed" ("led" for "lead"), with their past
/// tense ("Who wrote ...?" for "written by"): general English.
const IRREGULAR: &[(&str, &str, &str)] = &[
    ("lead", "led", "led"),
    ("write", "wrote", "written"),
    ("build", "built", "built"),
    ("make", "made", "made"),
    ("give", "gave", "given"),
    ("take", "took", "taken"),
    ("find", "found", "found"),
    ("hold", "held", "held"),
    ("begin", "began", "begun"),
    ("draw", "drew", "drawn"),
    ("buy", "bought", "bought"),
    ("teach", "taught", "taught"),
    ("sing", "sang", "sung"),
    ("win", "won", "won"),
    ("speak", "spoke", "spoken"),
    ("know", "knew", "known"),
    ("see", "saw", "seen"),
    ("bring", "brought", "brought"),
    ("choose", "chose", "chosen"),
    ("drive", "drove", "driven"),
    ("eat", "ate", "eaten"),
    ("fight", "fought", "fought"),
    ("keep", "kept", "kept"),
    ("lose", "lost", "lost"),
    ("pay", "paid", "paid"),
    ("sell", "sold", "sold"),
    ("send", "sent", "sent"),
    ("shoot", "shot", "shot"),
    ("show", "showed", "shown"),
    ("steal", "stole", "stolen"),
    ("tell", "told", "told"),
    ("throw", "threw", "thrown"),
    ("beat", "beat", "beaten"),
    ("break", "broke", "broken"),
    ("catch", "caught", "caught"),
    ("grow", "grew", "grown"),
    ("hide", "hid", "hidden"),
    ("leave", "left", "left"),
    ("meet", "met", "met"),
    ("seek", "sought", "sought"),
    ("strike", "struck", "struck"),
    ("feed", "fed", "fed"),
    ("bear", "bore", "borne"),
    ("sweep", "swept", "swept"),
    ("wear", "wore", "worn"),
    ("run", "ran", "run"),
    ("set", "set", "set"),
    ("put", "put", "put"),
    ("read", "read", "read"),
    ("hit", "hit", "hit"),
    ("shut", "shut", "shut"),
    ("cut", "cut", "cut"),
    ("split", "split", "split"),
    ("forbid", "forbade", "forbidden"),
    ("overthrow", "overthrew", "overthrown"),
    ("undertake", "undertook", "undertaken"),
];

/// Whether a sentence's word is the past participle of a question's verb, in whatever form
/// the question has it ("founded" for "founds", "led" for "leads", "written" for "wrote").
fn participle_of(verb: &str, word: &str) -> bool {
    let base =
        verb.strip_suffix("es").filter(|b| b.ends_with(['s', 'x', 'z', 'h'])).or(verb.strip_suffix('s'));
    let base = base.unwrap_or(verb);
    word == verb
        || (word.ends_with("ed") && same_word(base, word))
        || IRREGULAR.iter().any(|&(v, past, p)| p == word && (v == verb || v == base || past == verb))
}

/// Tokens a passive's agent may stand after "by" ("led by and mainly composed of [Sunni Arabs]").
const AGENT_REACH: usize = 5;

/// For a question asking who did something ("Who leads the group?"), the name after the passive
/// of that verb ("the group, led by [Aldo] ...") is the doer: the answer, however far it stands
/// from the question's other words (which name what was done, not who did it). The names
/// that are no such agent are dropped when one is.
pub(super) fn passive_agent(toks: &[Tok], candidates: Vec<Candidate>, question: &str) -> Vec<Candidate> {
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
pub(super) fn object_verb(question: &str) -> Option<String> {
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
pub(super) fn after_verb(
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
