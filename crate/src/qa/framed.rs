//! A question framed as a request for the document's section on a topic: "Where does the manual
//! explain X?", "Where can I find information about X?", "Where is X described?", "Which section
//! covers X?", "Is there a chapter on X?", "Tell me about X". The reader wants the section on X:
//! the question is read as X, so X's words find the section, the frame's words ("manual",
//! "explain", "section", "information") find nothing of their own (the Debian Reference's
//! "Localized messages and translated documentation" for "Where does the manual explain the system
//! message?"), and "where" does not ask for a place.
//!
//! Only frames whose subject is the document, a part of it or the reader count: "Where did she
//! find the letter?" and "Where can you find the largest library?" still ask for a place, "Which
//! chapter does Anne leave Bath in?" for a chapter.

use super::question::{AUXILIARIES, lower_words_at};

/// What a reader calls the document or a part of it.
const DOCUMENT: &[&str] = &[
    "manual",
    "document",
    "documentation",
    "docs",
    "book",
    "guide",
    "text",
    "reference",
    "handbook",
    "paper",
    "thesis",
    "article",
    "site",
    "tutorial",
    "chapter",
    "chapters",
    "section",
    "sections",
    "part",
    "parts",
    "page",
    "pages",
    "author",
    "it",
    "they",
];
/// The parts a reader asks for: "Which section ...?", "Is there a chapter ...?".
const PARTS: &[&str] = &[
    "section",
    "sections",
    "chapter",
    "chapters",
    "part",
    "parts",
    "page",
    "pages",
    "heading",
    "topic",
    "anything",
    "something",
    "information",
    "documentation",
    "info",
    "details",
];
/// Words before a noun that leave it the document, or join it to the document ("the section of
/// the manual").
const DETERMINERS: &[&str] =
    &["the", "this", "that", "these", "those", "its", "a", "an", "your", "our", "of", "in"];
/// A document setting a topic out: "Where does the manual explain ...?".
const EXPOSITION: &[&str] = &[
    "explain",
    "explains",
    "describe",
    "describes",
    "discuss",
    "discusses",
    "cover",
    "covers",
    "mention",
    "mentions",
    "document",
    "documents",
    "define",
    "defines",
    "introduce",
    "introduces",
    "list",
    "lists",
    "talk",
    "talks",
    "say",
    "says",
    "show",
    "shows",
    "tell",
    "tells",
    "treat",
    "treats",
    "address",
    "addresses",
    "deal",
    "deals",
    "explaining",
    "describing",
    "discussing",
    "covering",
    "about",
    "on",
    "regarding",
    "concerning",
];
/// The same in the passive: "Where is X described?".
const EXPOSED: &[&str] = &[
    "explained",
    "described",
    "discussed",
    "covered",
    "mentioned",
    "documented",
    "defined",
    "introduced",
    "listed",
    "shown",
    "treated",
    "addressed",
    "dealt",
    "talked",
];
/// The reader as the subject: "Where can I ...?".
const READER: &[&str] = &["i", "we", "you", "one"];
/// What a reader looks for ("Where can I find information about X?"): a bare "find X" asks
/// for a place.
const SOUGHT: &[&str] = &[
    "information",
    "info",
    "details",
    "documentation",
    "docs",
    "help",
    "explanation",
    "description",
    "more",
];
/// Words between the frame and the topic: "talk about", "find out more about", "deal with".
const LINKS: &[&str] = &[
    "about",
    "on",
    "regarding",
    "concerning",
    "with",
    "of",
    "for",
    "up",
    "out",
    "more",
    "anything",
    "something",
    "an",
    "a",
    "the",
    "some",
    "any",
    "further",
    "that",
    "which",
    "is",
    "are",
];
/// Most words between a frame's first words and its verb ("Where does the reference manual
/// explain", "Which section of the manual covers").
const MAX_SUBJECT: usize = 4;

/// `question` without the frame of a question asking for the document's section on a topic
/// ("Where does the manual explain X?" -> "X"); any other question as it is.
pub fn without_frame(question: &str) -> &str {
    topic(question).unwrap_or(question)
}

/// The topic of a framed question (its text after the frame, as written), or None.
fn topic(text: &str) -> Option<&str> {
    let words = lower_words_at(text);
    let word = |i: usize| words.get(i).map_or("", |(w, _)| w.as_str());
    let documentish = |w: &str| DOCUMENT.contains(&w) || DETERMINERS.contains(&w);
    // The first word at or after `from` that is not the document (nor "is" of "is about"), if a
    // verb of exposition.
    let verb_after = |from: usize| {
        let skipped = |w: &str| documentish(w) || matches!(w, "is" | "are");
        (from..=from + MAX_SUBJECT)
            .find(|&v| !skipped(word(v)) || EXPOSITION.contains(&word(v)))
            .filter(|&v| EXPOSITION.contains(&word(v)))
    };
    let from = match (word(0), word(1)) {
        // "Where is X described?", "Where is it explained how ...?"
        ("where", "is" | "are" | "was" | "were") => {
            if let Some(v) = (2..=3).find(|&v| EXPOSED.contains(&word(v)))
                && (2..v).all(|i| documentish(word(i)))
            {
                v + 1
            } else {
                let last = words.iter().rposition(|(w, _)| EXPOSED.contains(&w.as_str()))?;
                return (last > 2).then(|| rest(&text[..words[last].1], &words[..last], 2)).flatten();
            }
        }
        ("where", aux) if AUXILIARIES.contains(&aux) && READER.contains(&word(2)) => match (word(3), word(4))
        {
            // "Where can I read about X?", "Where can I learn more about X?"
            ("read" | "learn", "about" | "more" | "up") => 4,
            // "Where can I find information about X?", "Where do I look up X?"
            ("find" | "get" | "see" | "look", next) if SOUGHT.contains(&next) => 4,
            ("look", "up") => 5,
            _ => return None,
        },
        // "Where does the manual explain X?"
        ("where", aux) if AUXILIARIES.contains(&aux) => verb_after(2).filter(|&v| v > 2)? + 1,
        // "Which section covers X?", "What part of the guide is about X?"
        ("which" | "what", part) if PARTS.contains(&part) => verb_after(2)? + 1,
        // "Is there a section on X?", "Is there anything in the manual about X?"
        ("is" | "are", "there") => {
            let part = (2..=4).find(|&i| !DETERMINERS.contains(&word(i)))?;
            if !PARTS.contains(&word(part)) {
                return None;
            }
            verb_after(part + 1)? + 1
        }
        // "Tell me about X", "Tell me more about X"
        ("tell", "me") if matches!(word(2), "about" | "more") => 2,
        // "I want to learn about X", "I'd like to read more about X"
        ("i" | "i'd", _) => {
            let about = (2..=6).find(|&i| word(i) == "about")?;
            let learning = (2..about).any(|i| matches!(word(i), "learn" | "read" | "know" | "hear"));
            if !learning {
                return None;
            }
            about
        }
        _ => return None,
    };
    rest(text, &words, from)
}

/// The text from word `from` of `words` (`text`'s words, with their offsets) on: the linking
/// words before the topic and a closing "in the manual" left out; None when nothing is left.
fn rest<'a>(text: &'a str, words: &[(String, usize)], from: usize) -> Option<&'a str> {
    let linking = |w: &str| LINKS.contains(&w) || SOUGHT.contains(&w);
    let start = from + words.get(from..)?.iter().position(|(w, _)| !linking(w))?;
    // "Tell me about this book" asks about the document as a whole (see `whole`), not a topic.
    let whole =
        |w: &str| DOCUMENT.contains(&w) || DETERMINERS.contains(&w) || matches!(w, "whole" | "entire");
    if words[start..].iter().all(|(w, _)| whole(w)) {
        return None;
    }
    let mut end = text.len();
    if let [.., (prep, at), (det, _), (noun, _)] = words
        && matches!(prep.as_str(), "in" | "of" | "from")
        && DETERMINERS.contains(&det.as_str())
        && DOCUMENT.contains(&noun.as_str())
        && *at > words[start].1
    {
        end = *at;
    }
    Some(text[words[start].1..end].trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn where_the_document_explains_something_asks_for_its_topic() {
        assert_eq!(topic("Where does the manual explain the tide tables"), Some("tide tables"));
        assert_eq!(topic("Where can I find information about harbour fees"), Some("harbour fees"));
        assert_eq!(topic("Where can I read more about ferry schedules"), Some("ferry schedules"));
        assert_eq!(topic("Where do I look up the mooring rules"), Some("mooring rules"));
        assert_eq!(topic("Where is the anchor winch described"), Some("anchor winch"));
        assert_eq!(topic("Where is it explained how buoys are lit"), Some("how buoys are lit"));
        assert_eq!(topic("Where does this guide talk about knots"), Some("knots"));
        assert_eq!(topic("Where can I learn about tides in this book"), Some("tides"));
        assert_eq!(topic("Where are tides covered in the manual"), Some("tides"));
    }

    #[test]
    fn a_question_for_a_part_of_the_document_asks_for_its_topic() {
        assert_eq!(topic("Which section covers harbour fees"), Some("harbour fees"));
        assert_eq!(topic("Which chapter of the guide talks about knots"), Some("knots"));
        assert_eq!(topic("What part is about mooring"), Some("mooring"));
        assert_eq!(topic("Is there a section on tide tables"), Some("tide tables"));
        assert_eq!(topic("Is there anything in the manual about buoys"), Some("buoys"));
        assert_eq!(topic("Tell me more about the lighthouse"), Some("lighthouse"));
        assert_eq!(topic("I want to learn about tides"), Some("tides"));
        assert_eq!(topic("I'd like to read more about knots"), Some("knots"));
    }

    #[test]
    fn where_someone_did_something_asks_for_a_place() {
        for question in [
            "Where did she find the letter",
            "Where can you find the largest lighthouse",
            "Where is the lighthouse",
            "Where was the captain born",
            "Which chapter does Anne leave Bath in",
            "What section of the crew mutinied",
            "Is there a lighthouse on the island",
            "What are the chapters",
            "What is chapter 3 about",
            "I told him about the storm",
            "Tell me about this book",
            "I want to learn about the whole document",
        ] {
            assert_eq!(topic(question), None, "{question}");
        }
        assert_eq!(without_frame("Where did she find the letter?"), "Where did she find the letter?");
    }
}
