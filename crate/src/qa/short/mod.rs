//! Short answers: a cited sentence and the analysed question in, the few words that answer it out.
//!
//! The question's [`Kind`] says what to look for in the sentence: a run of capitalised words for
//! a name or a place, a year or date for a time, a number for a count. Anything else gets the
//! shortest run of words between punctuation that says something the question does not. Among
//! the candidates, the one nearest the question's words in the sentence wins (each question word
//! weighted by its idf, so rare words pull hardest), and a candidate made of question words is
//! never the answer ("Who wrote to Anne?" is not answered by "Anne").
//!
//! The sentence's words are read in [`words`]; the candidates come from [`candidates`] (and
//! [`code`] for names in code); [`cues`] weights them by the question's shape.

mod candidates;
mod code;
mod cues;
mod words;

use std::collections::BTreeMap;

use super::question::{self, CodeName, Kind, NamePart, Question};
use crate::index::tokenize::{self, is_stopword};
use candidates::{Candidate, lone_common_word, names, phrases, runs, without_question_words};
use code::{code_words, paths};
use cues::{after_verb, beside_head, nth, passive_agent, relation_named};
pub(crate) use words::is_number_word;
pub use words::pieces;
use words::{Tok, is_number, is_time, is_version, same_word, toks};

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
    let words = question::lower_words_at(text);
    let Some(at) = words.iter().position(|(w, _)| question::WH.contains(&w.as_str())) else {
        return (None, Side::Either);
    };
    let after = &words[at + 1..];
    let side = match after.iter().take(5).any(|(w, _)| question::AUXILIARIES.contains(&w.as_str())) {
        true => Side::Either,
        false => Side::After,
    };
    (Some(words[at].1), side)
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
    use super::cues::{head_noun, object_verb};
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
        // The question in the past tense, the participle irregular.
        let s = "Near the Old Mill at Hallam Cross stood the letter box, its letter written by Ann Lowe.";
        assert_eq!(answer(s, "Who wrote the letter at the Old Mill?"), "Ann Lowe");
        let s = "The Old Mill at Hallam Cross was built by Tom Pike.";
        assert_eq!(answer(s, "Who built the Old Mill at Hallam Cross?"), "Tom Pike");
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
        // An adverb starting a sentence is capitalised, not a name.
        assert_eq!(short("Never trim a lit lantern.", "Who trims the lantern?"), None);
        assert_eq!(answer("Often Anne waited.", "Who waited?"), "Anne");
        assert_eq!(short("Anne waited because it rained.", "Why did Anne wait?"), None);
    }
}
