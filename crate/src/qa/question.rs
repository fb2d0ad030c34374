//! Question analysis: a question as typed in, the question meant and the answer type it expects out.
//!
//! - Spoken questions correct themselves ("What is the Spanish, I mean Italian, word for
//!   bread?"). The last correction marker ("I mean", "no", "sorry", "or rather", "make that",
//!   "uh", "um", ...) splits the question into what was said first and the repair. The repair
//!   replaces what was said from the last word like its first one (the same word, an article
//!   for an article, a question word for a question word), else the last word said ("Who runs
//!   Acme, no, make that the Northwind Company?" -> "Who runs the Northwind Company?").
//! - The question word (and the noun after "what"/"which") says what kind of answer is wanted:
//!   a name, a time, a number, a place, or anything else.

/// The kind of answer a question asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A person or named thing: "Who ...?", "What is the name of ...?". `part` picks a part of
    /// a full name ("What is the last name of ...?").
    Name { part: NamePart },
    /// A date, year, month or time: "When ...?", "In what year ...?".
    Time,
    /// A count or amount: "How many ...?", "How much ...?".
    Number,
    /// A place: "Where ...?", "In what city ...?".
    Place,
    /// A version or release: "Which version added ...?", "Since which release ...?".
    Version,
    /// A name in code or on a command line: "Which command ...?", "What function ...?", "Which
    /// environment variable ...?": an identifier, an option or a file the sentence holds, not a
    /// phrase around it. Not `strict` when the noun may mean something else too ("Which function
    /// ...?"): a sentence without code then answers with a phrase as for [`Kind::Other`].
    Code { strict: bool, name: CodeName },
    /// A reason or a manner ("Why ...?", "How ...?"): answered by a clause, so by the sentence.
    Explanation,
    /// Whether something holds ("Can I ...?", "Is it ...?", "Does it ...?"): answered by the
    /// sentence that says so, never by a word picked out of it.
    YesNo,
    /// Anything else ("What ...?", "Which ...?").
    Other,
}

impl Kind {
    /// Whether the question asks for a thing of a kind (a name, a time, a number, a place), which
    /// a sentence holds or lacks; an explanation, a yes or no, or anything else is read from the
    /// sentence as a whole.
    pub fn typed(&self) -> bool {
        !matches!(self, Kind::Other | Kind::Code { .. } | Kind::Version | Kind::Explanation | Kind::YesNo)
    }

    /// Whether, among sentences alike, one holding a thing of the asked kind reads better: a typed
    /// kind's, and a version ("New in version 3.6."), which a manual gives beside what it is about
    /// or only in a heading ("What's New In 3.9"), so a sentence without one may still answer.
    pub fn sought(&self) -> bool {
        self.typed() || *self == Kind::Version
    }
}

/// How the name in code a question asks for is written: a type with a capital ("Which type
/// ...?", "What exception ...?"); a function or a command in lower case ("Which function ...?",
/// "Which command ...?"); any other name (a variable, an option, a file) either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeName {
    Type,
    Call,
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamePart {
    Full,
    First,
    Last,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// The question meant, corrections applied.
    pub text: String,
    pub kind: Kind,
}

pub fn parse(question: &str) -> Question {
    let text = repair(crate::index::tokenize::without_asked_mark(question));
    // "Where does the manual explain X?" asks about X, not for a place.
    let text = super::framed::without_frame(&text).to_string();
    let kind = kind(&text);
    Question { text, kind }
}

/// Question words that start a question or a clause of one.
pub const WH: &[&str] = &["what", "who", "whom", "whose", "when", "where", "which", "why", "how"];

/// Verbs a question asking whether something holds starts with.
pub const AUXILIARIES: &[&str] = &[
    "is", "are", "was", "were", "am", "do", "does", "did", "can", "could", "should", "would", "will",
    "shall", "may", "might", "must", "has", "have", "had", "isn't", "aren't", "doesn't", "don't", "can't",
    "cannot",
];

/// Whether a question asks what a thing is and nothing more ("What is a generator?", "What are
/// lifetimes?"): a definition, answered by the sentence that gives it; not "What is the capital
/// of Peru?".
fn defines(words: &[String]) -> bool {
    let [what, be, rest @ ..] = words else { return false };
    let rest = match rest {
        [article, rest @ ..] if matches!(article.as_str(), "a" | "an") => rest,
        _ => rest,
    };
    what == "what"
        && matches!(be.as_str(), "is" | "are")
        && (1..=3).contains(&rest.len())
        && rest.iter().all(|w| !crate::index::tokenize::is_stopword(w))
}

/// Whether a question asks what a term means and nothing more ("What is a generator?", "What
/// does EAFP mean?"): a glossary answers it.
pub fn asks_meaning(question: &str) -> bool {
    let text = repair(crate::index::tokenize::without_asked_mark(question));
    let words = lower_words(&text);
    defines(&words) || matches!(words.last().map(String::as_str), Some("mean" | "means"))
}

/// Nouns after "what"/"which" that ask for a kind of the thing named next ("What type of
/// revolution ...?", "Which sort of tree ...?"): the text names the kind, never the word "type".
pub const GENERAL_NOUNS: &[&str] = &["type", "types", "kind", "kinds", "sort", "sorts", "form", "category"];

/// The general nouns a question asks with ([`GENERAL_NOUNS`] right after "what"/"which"), in
/// lower case: words the answering sentence need not hold.
pub fn general_nouns(question: &Question) -> Vec<String> {
    let words = words(&question.text);
    words
        .windows(2)
        .filter(|w| {
            matches!(w[0].lower.as_str(), "what" | "which") && GENERAL_NOUNS.contains(&w[1].lower.as_str())
        })
        .map(|w| w[1].lower.clone())
        .collect()
}

/// Whether a question asking for a name asks for a person's ("Who ...?", "What is the name of
/// the person who ...?"), not a thing's ("What is the name of the album ...?").
pub fn asks_person(question: &Question) -> bool {
    if !matches!(question.kind, Kind::Name { .. }) {
        return false;
    }
    let words = lower_words(&question.text);
    matches!(words.first().map(String::as_str), Some("who" | "whom" | "whose"))
        || words.iter().take(8).any(|w| PERSON_NOUNS.contains(&w.as_str()))
}

/// Whether the words after "what"/"which" name a thing of code in their first two ("command",
/// "environment variable"; not a general "type of"): `strict` for a noun only code has, not for
/// one that may also mean something else; and how that name is written.
fn asks_code(after: &[String]) -> Option<(bool, CodeName)> {
    let after: Vec<&str> =
        after.iter().map(String::as_str).skip_while(|w| matches!(*w, "the" | "a" | "an")).collect();
    let noun = (0..2.min(after.len()))
        .filter(|&i| {
            after.get(i + 1) != Some(&"of") && (i == 0 || !crate::index::tokenize::is_stopword(after[0]))
        })
        .map(|i| after[i])
        .find(|w| CODE_NOUNS.contains(w) || LOOSE_CODE_NOUNS.contains(w))?;
    let name = match noun {
        "type" | "types" | "trait" | "traits" | "class" | "classes" | "exception" | "exceptions"
        | "struct" | "enum" => CodeName::Type,
        "function" | "functions" | "method" | "methods" | "macro" | "macros" | "command" | "commands"
        | "tool" | "tools" | "program" | "programs" | "utility" | "utilities" => CodeName::Call,
        _ => CodeName::Any,
    };
    Some((CODE_NOUNS.contains(&noun), name))
}

/// Words said only while hesitating: always part of a correction.
const FILLERS: &[&str] =
    &["uh", "uhh", "um", "umm", "er", "err", "erm", "ermm", "ugh", "hmm", "jeez", "oops", "ah", "ahh"];

/// Word sequences that correct what came before (in lower case).
const CORRECTIONS: &[&[&str]] = &[
    &["i", "mean"],
    &["i", "meant"],
    &["or", "rather"],
    &["or", "instead"],
    &["or", "no"],
    &["oh", "no"],
    &["no", "no"],
    &["no", "wait"],
    &["wait", "no"],
    &["make", "that"],
    &["scratch", "that"],
    &["well", "actually"],
    &["sorry"],
];

/// Words that continue a correction once one has started ("no, sorry, make that ...").
const CONTINUATIONS: &[&[&str]] = &[
    &["i", "want", "to", "know"],
    &["i", "meant"],
    &["i", "mean"],
    &["tell", "me"],
    &["make", "that"],
    &["hold", "up"],
    &["oh", "yeah"],
    &["well"],
    &["actually"],
    &["no"],
    &["or"],
    &["sorry"],
    &["rather"],
    &["instead"],
    &["wait"],
    &["oh"],
    &["like"],
];

/// The words of a text in lower case (see [`words`]).
pub fn lower_words(text: &str) -> Vec<String> {
    words(text).into_iter().map(|w| w.lower).collect()
}

/// [`lower_words`] with each word's byte offset in `text`.
pub fn lower_words_at(text: &str) -> Vec<(String, usize)> {
    words(text).into_iter().map(|w| (w.lower, w.start)).collect()
}

/// A word of the question: lower-cased letters and digits, with its byte range.
struct Word {
    lower: String,
    /// Written all in capitals ("ER", "UK").
    upper: bool,
    start: usize,
}

/// The words of a text: a contraction is one word ("couldn't", "couldn’t" alike, lower-cased
/// with a straight apostrophe).
fn words(text: &str) -> Vec<Word> {
    const APOSTROPHES: [char; 2] = ['\'', '\u{2019}'];
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        let part = c.is_alphanumeric() || (APOSTROPHES.contains(&c) && start.is_some());
        match (part, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let word = text[s..i].trim_end_matches(APOSTROPHES);
                let upper = word.chars().count() > 1 && !word.chars().any(char::is_lowercase);
                out.push(Word { lower: word.to_lowercase().replace('\u{2019}', "'"), upper, start: s });
                start = None;
            }
            _ => {}
        }
    }
    out
}

fn phrase_at(words: &[Word], i: usize, phrases: &[&[&str]]) -> Option<usize> {
    phrases
        .iter()
        .find(|p| p.len() <= words.len() - i && p.iter().zip(&words[i..]).all(|(a, w)| w.lower == *a))
        .map(|p| p.len())
}

/// Where a correction starts at word `i`, and how many words it spans.
fn correction_at(words: &[Word], i: usize) -> Option<usize> {
    let w = words[i].lower.as_str();
    // "ER" is a place, "er" a hesitation.
    let filler = |k: usize| FILLERS.contains(&words[k].lower.as_str()) && !words[k].upper;
    let start = if filler(i) {
        Some(1)
    } else if let Some(n) = phrase_at(words, i, CORRECTIONS) {
        Some(n)
    } else if w == "no" || w == "wait" {
        // "no" and "wait" alone are ordinary words ("Who had no money?"); they correct when
        // another question word, an article or a marker follows at once.
        let next = words.get(i + 1).map(|n| n.lower.as_str());
        next.filter(|n| WH.contains(n) || matches!(*n, "the" | "a" | "an" | "that" | "i")).map(|_| 1)
    } else {
        None
    }?;
    // Swallow what continues the correction: "no sorry make that", "um no tell me".
    let mut end = i + start;
    while end < words.len() {
        if filler(end) {
            end += 1;
        } else if let Some(n) = phrase_at(words, end, CONTINUATIONS) {
            end += n;
        } else {
            break;
        }
    }
    Some(end - i)
}

/// The question meant: the repair after the last correction, put in place of what it corrects.
fn repair(question: &str) -> String {
    let words = words(question);
    let mut last = None;
    let mut i = 0;
    while i < words.len() {
        match correction_at(&words, i) {
            Some(n) => {
                last = Some((i, i + n));
                i += n;
            }
            None => i += 1,
        }
    }
    let Some((mut from, to)) = last else { return question.trim().to_string() };
    // A filler often follows the word that starts the correction: "a device no um an object".
    while from > 0 && matches!(words[from - 1].lower.as_str(), "no" | "or" | "oh" | "wait" | "well" | "sorry")
    {
        from -= 1;
    }
    let Some(first) = words.get(to) else {
        // Nothing after the correction: keep what came before it.
        return question[..words[from].start].trim().to_string();
    };
    let tail = question[first.start..].trim();
    let said = &words[..from];
    if from == 0 {
        return tail.to_string();
    }
    // The repair replaces the end of what was said: from the last word like its first word
    // ("a device no an object": articles count as alike; "which or no make that what type":
    // question words do, anywhere in what was said), else the last word said.
    let article = |w: &str| matches!(w, "a" | "an" | "the");
    let wh = |w: &str| WH.contains(&w);
    let alike = |w: &Word| {
        w.lower == first.lower
            || (article(&w.lower) && article(&first.lower))
            || (wh(&w.lower) && wh(&first.lower))
    };
    let window = if wh(&first.lower) { 0 } else { said.len().saturating_sub(6) };
    let cut = said[window..]
        .iter()
        .rposition(alike)
        .map(|p| window + p)
        .unwrap_or_else(|| (said.len() - 1).max(usize::from(wh(&said[0].lower))));
    let head = match said.get(cut) {
        _ if cut == 0 => "",
        Some(w) => question[..w.start].trim(),
        None => question[..words[from].start].trim(),
    };
    format!("{head} {tail}").trim().to_string()
}

/// Nouns after "what"/"which" that ask for a place.
const PLACE_NOUNS: &[&str] = &[
    "city",
    "country",
    "town",
    "village",
    "state",
    "province",
    "county",
    "region",
    "place",
    "park",
    "river",
    "island",
    "continent",
    "street",
    "road",
    "building",
    "location",
    "nation",
    "capital",
];
/// Nouns after "what"/"which" that ask for a time.
const TIME_NOUNS: &[&str] = &["year", "years", "date", "month", "day", "century", "decade", "time", "season"];
/// Nouns after "what"/"which" (or after one word more: "which environment variable") that ask
/// for a name in code or on a command line.
const CODE_NOUNS: &[&str] = &[
    "command",
    "commands",
    "macro",
    "macros",
    "trait",
    "traits",
    "exception",
    "exceptions",
    "flag",
    "flags",
    "option",
    "options",
    "variable",
    "variables",
    "directive",
    "directives",
    "lint",
    "lints",
    "crate",
    "crates",
    "module",
    "modules",
    "keyword",
    "keywords",
    "struct",
    "enum",
];
/// Nouns that ask for a name in code in a manual but for anything in a story or an article
/// ("What function does the liver serve?", "What role did she play?").
const LOOSE_CODE_NOUNS: &[&str] = &[
    "function",
    "functions",
    "method",
    "methods",
    "type",
    "types",
    "class",
    "classes",
    "key",
    "keys",
    "field",
    "fields",
    "setting",
    "settings",
    "argument",
    "arguments",
    "parameter",
    "parameters",
    "file",
    "files",
    "package",
    "packages",
    "library",
    "libraries",
    "tool",
    "tools",
    "program",
    "programs",
    "utility",
    "utilities",
    "extension",
    "extensions",
    "attribute",
    "attributes",
];
/// Nouns after "what"/"which"/"the name of" that ask for a person.
const PERSON_NOUNS: &[&str] = &[
    "person",
    "people",
    "man",
    "men",
    "woman",
    "women",
    "girl",
    "boy",
    "character",
    "individual",
    "individuals",
    "actor",
    "actress",
    "singer",
    "player",
    "author",
    "writer",
    "artist",
    "king",
    "queen",
    "president",
    "leader",
    "composer",
    "scientist",
    "astronomer",
    "musician",
    "drummer",
    "guitarist",
];

fn kind(text: &str) -> Kind {
    let words = lower_words(text);
    let has = |seq: &[&str]| words.windows(seq.len()).any(|w| w.iter().zip(seq).all(|(a, b)| a == b));
    let part = if has(&["first", "name"]) || has(&["first", "names"]) {
        NamePart::First
    } else if has(&["last", "name"]) || has(&["last", "names"]) || has(&["surname"]) {
        NamePart::Last
    } else {
        NamePart::Full
    };
    if part != NamePart::Full || has(&["full", "name"]) || has(&["full", "names"]) {
        return Kind::Name { part };
    }
    // The first question word decides; the noun right after "what"/"which" refines it.
    let Some(at) = words.iter().position(|w| WH.contains(&w.as_str())) else {
        return match words.first() {
            Some(w) if AUXILIARIES.contains(&w.as_str()) => Kind::YesNo,
            _ => Kind::Other,
        };
    };
    // The noun the question word asks about: "what year", "what was the second year".
    let filler = |w: &str| {
        matches!(
            w,
            "is" | "was"
                | "are"
                | "were"
                | "the"
                | "a"
                | "an"
                | "first"
                | "second"
                | "third"
                | "last"
                | "final"
                | "exact"
        )
    };
    let next = words[at + 1..].iter().map(String::as_str).find(|w| !filler(w)).unwrap_or("");
    match words[at].as_str() {
        "who" | "whom" | "whose" => Kind::Name { part },
        "when" => Kind::Time,
        "where" => Kind::Place,
        "how" if matches!(next, "many" | "much") => Kind::Number,
        "how" if matches!(next, "long" | "old" | "far" | "tall" | "high" | "big" | "large" | "often") => {
            Kind::Other
        }
        "how" | "why" => Kind::Explanation,
        // What a thing means, what happens, how two differ: answered by a clause.
        "what"
            if matches!(next, "happens" | "happened" | "happen")
                // "What does umask do?", "What did the barbarian do to him?": an action, a clause.
                || (matches!(next, "does" | "do" | "did") && words[at + 2..].iter().any(|w| w == "do"))
                || matches!(words.last().map(String::as_str), Some("mean" | "means"))
                || has(&["difference", "between"])
                || has(&["differences", "between"])
                || defines(&words[at..]) =>
        {
            Kind::Explanation
        }
        "what" | "which" if matches!(next, "version" | "versions" | "release" | "releases") => Kind::Version,
        "what" | "which" if let Some((strict, name)) = asks_code(&words[at + 1..]) => {
            Kind::Code { strict, name }
        }
        "what" | "which" if TIME_NOUNS.contains(&next) => Kind::Time,
        "what" | "which" if PLACE_NOUNS.contains(&next) => Kind::Place,
        "what" | "which" if PERSON_NOUNS.contains(&next) => Kind::Name { part },
        "what" | "which" if matches!(next, "number" | "percentage" | "percent" | "amount") => Kind::Number,
        "what" | "which" if has(&["name", "of"]) || has(&["called"]) => {
            let noun = words.iter().skip_while(|w| *w != "of").nth(1);
            let noun = noun
                .filter(|n| !matches!(n.as_str(), "the" | "a" | "an"))
                .or_else(|| words.iter().skip_while(|w| *w != "of").nth(2));
            if noun.is_some_and(|n| PLACE_NOUNS.contains(&n.as_str())) {
                Kind::Place
            } else {
                Kind::Name { part }
            }
        }
        _ => Kind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meant(q: &str) -> String {
        parse(q).text
    }

    #[test]
    fn a_contraction_is_one_word_with_either_apostrophe() {
        let straight = lower_words("Why didn't Anne's sister go?");
        assert_eq!(straight, ["why", "didn't", "anne's", "sister", "go"]);
        assert_eq!(lower_words("Why didn\u{2019}t Anne\u{2019}s sister go?"), straight);
        assert_eq!(lower_words("the 'quoted' word"), ["the", "quoted", "word"]);
    }

    #[test]
    fn a_question_for_what_a_term_means_is_told_from_one_for_how_to_use_it() {
        assert!(asks_meaning("What is a kiln sitter?"));
        assert!(asks_meaning("What does 'bisque' mean?"));
        assert!(!asks_meaning("How do I fire a bisque?"));
        assert!(!asks_meaning("What is the hottest cone a kiln reaches?"));
    }

    #[test]
    fn a_repair_with_its_own_question_word_is_the_question() {
        assert_eq!(
            meant("What is the Islamic State no no what kind of people make it up?"),
            "what kind of people make it up?"
        );
        assert_eq!(
            meant("How many members no sorry I want to know how many seats are in the chamber ?"),
            // The mark the question ends on, apart, is not a word of it.
            "how many seats are in the chamber"
        );
        assert_eq!(
            meant("When was it in a crisis no sorry tell me when it was surpassed?"),
            "when it was surpassed?"
        );
    }

    #[test]
    fn a_repair_fragment_replaces_what_it_corrects() {
        assert_eq!(
            meant("The red and green wires feed which or no make that what kind of lamp ?"),
            "The red and green wires feed what kind of lamp"
        );
        assert_eq!(
            meant("Elena believed that tea ermm rather coffee needed what?"),
            "Elena believed that coffee needed what?"
        );
        assert_eq!(
            meant("Who runs Acme or no make that the Northwind Company ?"),
            "Who runs the Northwind Company"
        );
        assert_eq!(
            meant("What pushes on a kite no um an umbrella in the wind?"),
            "What pushes on an umbrella in the wind?"
        );
        assert_eq!(
            meant("What is the Spanish err instead Italian word for bread?"),
            "What is the Italian word for bread?"
        );
        assert_eq!(meant("What painter worked for Medici no um Sforza ?"), "What painter worked for Sforza");
        assert_eq!(
            meant("The charter grants free wait, no, cheap passage to which ships?"),
            "The charter grants cheap passage to which ships?"
        );
    }

    #[test]
    fn a_general_noun_after_what_asks_for_a_kind() {
        let general = |q: &str| general_nouns(&parse(q));
        assert_eq!(general("What type of reform did Okafor favour?"), ["type"]);
        assert_eq!(general("Which kind of tree grows there, and what sort of soil?"), ["kind", "sort"]);
        assert!(general("What is the type of the field?").is_empty());
        assert!(general("What did the form say?").is_empty());
    }

    #[test]
    fn ordinary_questions_are_left_alone() {
        for q in [
            "Who had no money when the war ended?",
            "What did Anne wait for at Lyme?",
            "Which sister would rather stay at home?",
            "Did he mean it?",
            "Who has to go to the ER to have a phone taken out?",
        ] {
            assert_eq!(meant(q), q);
        }
    }

    #[test]
    fn question_words_give_the_answer_kind() {
        let full = Kind::Name { part: NamePart::Full };
        assert_eq!(
            parse("Which command removes a package?").kind,
            Kind::Code { strict: true, name: CodeName::Call }
        );
        assert_eq!(parse("Which version added the walk command?").kind, Kind::Version);
        assert_eq!(parse("Since which release is the flag on by default?").kind, Kind::Version);
        assert_eq!(
            parse("Which environment variable sets the log level?").kind,
            Kind::Code { strict: true, name: CodeName::Any }
        );
        assert_eq!(
            parse("What function rounds a number?").kind,
            Kind::Code { strict: false, name: CodeName::Call }
        );
        assert_eq!(
            parse("Which exceptions can it raise?").kind,
            Kind::Code { strict: true, name: CodeName::Type }
        );
        assert_eq!(parse("What type of engine powers the boat?").kind, Kind::Other);
        assert_eq!(parse("What is the key to the garden?").kind, Kind::Other);
        assert_eq!(parse("Who wrote the letter?").kind, full);
        assert_eq!(
            parse("What is the last name of the person who wrote it?").kind,
            Kind::Name { part: NamePart::Last }
        );
        assert_eq!(
            parse("What are the first names of the two sisters?").kind,
            Kind::Name { part: NamePart::First }
        );
        assert_eq!(parse("What is the name of the album?").kind, full);
        assert_eq!(parse("What is the name of the city where she lived?").kind, Kind::Place);
        assert_eq!(parse("In what year did the bridge open?").kind, Kind::Time);
        assert_eq!(parse("When did they marry?").kind, Kind::Time);
        assert_eq!(parse("What was the second year the score was published?").kind, Kind::Time);
        assert_eq!(parse("How many seats are in the chamber?").kind, Kind::Number);
        assert_eq!(parse("Where did she meet him?").kind, Kind::Place);
        assert_eq!(parse("In what city was it first performed?").kind, Kind::Place);
        assert_eq!(parse("What composer worked for Sforza?").kind, full);
        assert_eq!(parse("Why did they leave?").kind, Kind::Explanation);
        assert_eq!(parse("How do I read data from a file?").kind, Kind::Explanation);
        assert_eq!(parse("How long did the war last?").kind, Kind::Other);
        assert_eq!(parse("What does the barbarian do?").kind, Kind::Explanation);
        assert_eq!(parse("What does the barbarian carry?").kind, Kind::Other);
        assert_eq!(parse("Can a lamp run on batteries?").kind, Kind::YesNo);
        assert_eq!(parse("What happens when the fuse blows?").kind, Kind::Explanation);
        assert_eq!(parse("What does 'glaze crawl' mean?").kind, Kind::Explanation);
        assert_eq!(parse("What is a kiln sitter?").kind, Kind::Explanation);
        assert_ne!(parse("What is the capital of Peru?").kind, Kind::Explanation);
        assert_eq!(parse("What is the difference between a kiln and a furnace?").kind, Kind::Explanation);
        assert_eq!(parse("Is the bridge open at night?").kind, Kind::YesNo);
        assert_eq!(parse("Bridge opening hours").kind, Kind::Other);
        // The repair decides: "Where ... I mean how many" asks for a number.
        assert_eq!(parse("Where did the guild I mean how many members did it have?").kind, Kind::Number);
    }
}
