//! Whether the cited text says what the question asks or its opposite. Adversarial questions
//! (and careless ones) share every word with a sentence but one that turns it around: "What
//! does not ...?" against "... does ...", "the male fossil" against "a female fossil", "complex
//! devices" against "simple devices". Such a sentence answers another question.

use std::collections::HashSet;

use super::question;
use crate::index::tokenize;

/// Words that turn a question around ("What does not define ...?", "the least important ...").
const NEGATIONS: &[&str] = &["not", "never", "least", "without", "neither", "nor"];

/// Whether each negation of the question is in the cited text too: a sentence that shares a
/// question's words but not its "not" answers the opposite question.
pub fn negations_kept(question: &str, cited: &str) -> bool {
    let negations = |text: &str| -> HashSet<&'static str> {
        question::lower_words(text)
            .iter()
            .filter_map(|w| {
                let w = if is_negation(w) { "not" } else { w.as_str() };
                NEGATIONS.iter().find(|n| **n == w).copied()
            })
            .collect()
    };
    negations(question).is_subset(&negations(cited))
}

/// Whether a word says "not" ("not", "didn't", "cannot").
fn is_negation(word: &str) -> bool {
    word == "not" || word == "cannot" || word.ends_with("n't")
}

/// Whether the cited text says no where the question says yes: the question's "could be" is the
/// text's "could not be" (or "couldn't be", "could never be"), and the text never says "could be".
pub fn negation_added(question: &str, cited: &str) -> bool {
    let (asked, said) = (question::lower_words(question), question::lower_words(cited));
    let pairs = |words: &[String]| -> HashSet<(String, String)> {
        words.windows(2).map(|w| (w[0].clone(), w[1].clone())).collect()
    };
    let (asked_pairs, said_pairs) = (pairs(&asked), pairs(&said));
    // The text's negated pairs, as the pair without the negation: "could not be" -> (could, be).
    let negated: HashSet<(String, String)> = said
        .iter()
        .enumerate()
        .filter_map(|(i, w)| {
            let aux = match w.strip_suffix("n't") {
                // "can't" and "won't" are not "ca" and "wo".
                Some("ca") => "can".to_string(),
                Some("wo") => "will".to_string(),
                Some(aux) => aux.to_string(),
                None if w == "cannot" => "can".to_string(),
                None if (w == "not" || w == "never") && i > 0 => said[i - 1].clone(),
                None => return None,
            };
            Some((aux, said.get(i + 1)?.clone()))
        })
        .collect();
    asked_pairs.iter().any(|(aux, verb)| {
        question::AUXILIARIES.contains(&aux.as_str())
            && !NEGATIONS.contains(&verb.as_str())
            && negated.contains(&(aux.clone(), verb.clone()))
            && !said_pairs.contains(&(aux.clone(), verb.clone()))
    })
}

/// Whether the verb a question negates is in the cited text: "What did he not advocate?" is not
/// answered by a sentence that never speaks of advocating, however it uses "not" ("he meant not
/// violence but ..."). A general verb ("do", "have") may stand for any.
pub fn negated_verb_said(question: &str, cited: &str) -> bool {
    let said = tokenize::terms(cited);
    question::lower_words(question).windows(2).all(|w| {
        let negation = is_negation(&w[0]) || w[0] == "never";
        // The verb as the index spells it ("buys" -> "buy").
        let Some(verb) = tokenize::terms(&w[1]).into_iter().next() else { return true };
        let general = tokenize::is_stopword(&verb)
            || matches!(verb.as_str(), "do" | "have" | "get" | "make" | "happen");
        !negation
            || general
            || said.contains(&verb)
            || !tokenize::variants(&verb, said.iter().map(|t| (t.as_str(), 0))).is_empty()
    })
}

/// Words and their opposites, both ways. General English, not one document's terms.
const OPPOSITES: &[(&str, &str)] = &[
    ("male", "female"),
    ("man", "woman"),
    ("men", "women"),
    ("boy", "girl"),
    ("simple", "complex"),
    ("simplest", "most complex"),
    ("high", "low"),
    ("higher", "lower"),
    ("highest", "lowest"),
    ("hot", "cold"),
    ("hotter", "colder"),
    ("hottest", "coldest"),
    ("warm", "cool"),
    ("large", "small"),
    ("larger", "smaller"),
    ("largest", "smallest"),
    ("long", "short"),
    ("longer", "shorter"),
    ("longest", "shortest"),
    ("early", "late"),
    ("earlier", "later"),
    ("earliest", "latest"),
    ("before", "after"),
    ("increase", "decrease"),
    ("increased", "decreased"),
    ("increases", "decreases"),
    ("more", "fewer"),
    ("maximum", "minimum"),
    ("positive", "negative"),
    ("north", "south"),
    ("east", "west"),
    ("northern", "southern"),
    ("eastern", "western"),
    ("inside", "outside"),
    ("internal", "external"),
    ("import", "export"),
    ("imports", "exports"),
    ("won", "lost"),
    ("victory", "defeat"),
    ("public", "private"),
    ("ancient", "modern"),
    ("older", "younger"),
    ("oldest", "youngest"),
    ("rich", "poor"),
    ("strong", "weak"),
    ("fast", "slow"),
    ("upper", "lower"),
    ("majority", "minority"),
    ("legal", "illegal"),
    ("success", "failure"),
    ("accepted", "rejected"),
    ("buy", "sell"),
    ("bought", "sold"),
    ("buyer", "seller"),
    ("arrive", "depart"),
    ("arrived", "departed"),
    ("arrival", "departure"),
    ("above", "below"),
    ("top", "bottom"),
    ("gain", "loss"),
    ("gained", "lost"),
    ("rise", "fall"),
    ("rose", "fell"),
    ("agree", "disagree"),
    ("agreed", "disagreed"),
    ("include", "exclude"),
    ("included", "excluded"),
    ("possible", "impossible"),
    ("likely", "unlikely"),
    ("able", "unable"),
    ("known", "unknown"),
    ("wet", "dry"),
    ("wettest", "driest"),
    ("birth", "death"),
    ("born", "died"),
    ("friend", "enemy"),
    ("allies", "enemies"),
    ("peace", "war"),
    ("support", "oppose"),
    ("supported", "opposed"),
    ("urban", "rural"),
    ("domestic", "foreign"),
    ("natural", "artificial"),
    ("deep", "shallow"),
    ("wide", "narrow"),
    ("widest", "narrowest"),
    ("thick", "thin"),
    ("expensive", "cheap"),
    ("allowed", "prohibited"),
    ("allowed", "forbidden"),
    ("attack", "defend"),
    ("attacked", "defended"),
    ("offensive", "defensive"),
    ("winner", "loser"),
    ("input", "output"),
    ("inputs", "outputs"),
    ("send", "receive"),
    ("sent", "received"),
    ("sender", "receiver"),
    ("inner", "outer"),
    ("upstream", "downstream"),
    ("true", "false"),
    ("advantage", "disadvantage"),
    ("advantages", "disadvantages"),
    ("love", "hate"),
    ("loved", "hated"),
    ("heaviest", "lightest"),
    ("wealthiest", "poorest"),
    ("richest", "poorest"),
    ("strongest", "weakest"),
    ("fastest", "slowest"),
];

/// Opposites one way only: a question about all of something is not answered by a sentence
/// about some of it, but "some" in a question ("What are some ...?") asks for examples.
const NARROWER: &[(&str, &str)] = &[("all", "some"), ("always", "sometimes"), ("every", "some")];

fn words(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// The words of a text as common words: a capital inside a sentence starts a name ("Man on the
/// Moon", "Little Women"), not an opposite.
fn common_words(text: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut sentence_start = true;
    for piece in text.split_whitespace() {
        let word: String = piece.chars().filter(|c| c.is_alphanumeric()).collect();
        if !word.is_empty() && (sentence_start || !word.starts_with(char::is_uppercase)) {
            out.insert(word.to_lowercase());
        }
        if !word.is_empty() || piece.ends_with(['.', '!', '?']) {
            sentence_start = piece.ends_with(['.', '!', '?', ':']);
        }
    }
    out
}

/// Whether the cited text holds the opposite of a question's word and not the word itself
/// ("the male fossil" asked, "a female fossil" cited).
pub fn opposite_said(question: &str, cited: &str) -> bool {
    let (asked, said, common) = (words(question), words(cited), common_words(cited));
    let turned = |word: &str, opposite: &str| {
        // A two-word opposite ("most complex") is said when its last word is.
        let opposite = opposite.rsplit(' ').next().unwrap_or(opposite);
        asked.contains(word) && !said.contains(word) && common.contains(opposite) && !asked.contains(opposite)
    };
    OPPOSITES.iter().any(|&(a, b)| turned(a, b) || turned(b, a))
        || NARROWER.iter().any(|&(a, b)| turned(a, b))
}

/// Whether the cited text can answer the question as asked: its negations kept (and the verb
/// it negates said), no word of it turned into its opposite, nothing it says denied.
pub fn same_sense(question: &str, cited: &str) -> bool {
    negations_kept(question, cited)
        && !opposite_said(question, cited)
        && !negation_added(question, cited)
        && negated_verb_said(question, cited)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_negated_question_needs_a_negated_sentence() {
        assert!(!negations_kept("Which mill does not grind rye?", "The lower mill grinds rye and barley."));
        assert!(negations_kept("What can the tenants not do?", "The tenants cannot keep goats."));
        assert!(negations_kept("Who didn't come?", "Anne did not come."));
        assert!(!negations_kept("What is the least used road?", "The coast road is a used road."));
        assert!(negations_kept("Who wrote the letter?", "He did not write it; Wentworth wrote the letter."));
    }

    #[test]
    fn a_sentence_saying_not_does_not_answer_a_question_saying_yes() {
        let q = "What did Ilse think the club could be run without?";
        assert!(negation_added(q, "Ilse thought the club could not be run without its treasurer."));
        assert!(negation_added(q, "Ilse said the club couldn't be run without a treasurer."));
        // Said both ways, or the question negated too: no contradiction.
        assert!(!negation_added(
            q,
            "The club could be run without a hall but could not be run without dues."
        ));
        assert!(!negation_added(
            "What could the club not be run without?",
            "It could not be run without dues."
        ));
        assert!(!negation_added(q, "Ilse thought the club could be run without its treasurer."));
    }

    #[test]
    fn a_negated_question_needs_its_verb_in_the_sentence() {
        let q = "What kind of boat did Ilse not buy?";
        assert!(!negated_verb_said(q, "Ilse wanted not a yacht but a rowing boat."));
        assert!(negated_verb_said(q, "Ilse did not buy the yacht she had sailed."));
        assert!(negated_verb_said(q, "She never buys yachts."));
        // A general verb stands for any.
        assert!(negated_verb_said("What can the tenants not do?", "The tenants cannot keep goats."));
        assert!(negated_verb_said("Who bought the boat?", "Ilse wanted not a yacht but a rowing boat."));
    }

    #[test]
    fn a_sentence_saying_the_opposite_does_not_answer() {
        assert!(opposite_said("Who found the male skeleton?", "Ruiz found a female skeleton in the cave."));
        assert!(opposite_said("Complex tools are used to measure what?", "Simple tools measure the tides."));
        assert!(opposite_said("All the bridges were built by whom?", "Some bridges were built by Aldo."));
        assert!(opposite_said("Who bought the mill in 1802?", "Aldo sold the mill in 1802."));
        assert!(opposite_said("Which road is the widest?", "The coast road is the narrowest."));
        // The word itself said too, or the opposite asked as well: no contradiction.
        assert!(!opposite_said(
            "Who found the male skeleton?",
            "Ruiz found the male and the female skeleton."
        ));
        assert!(!opposite_said("Is it hot or cold in May?", "May is cold."));
        // An opposite inside a name is no opposite.
        assert!(!opposite_said("Which woman sang in the choir?", "Ruth sang Old Man River in the choir."));
        assert!(opposite_said("Which woman sang in the choir?", "A man sang. Man and boy sang."));
        // "some" asked does not exclude "all" said.
        assert!(!opposite_said("What are some of the bridges Aldo built?", "Aldo built all the bridges."));
        assert!(same_sense("Who found the skeleton?", "Ruiz found a female skeleton."));
        assert!(!same_sense("Who found the male skeleton?", "Ruiz found a female skeleton."));
    }
}
