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
];
/// The document as a pronoun: "Where does it say ...?".
const PRONOUNS: &[&str] = &["it", "they"];
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
    // Politeness before the frame: "Please explain X", "Could you tell me about X?"
    let mut at = 0;
    loop {
        match (word(&words, at), word(&words, at + 1)) {
            ("please", _) => at += 1,
            ("can" | "could" | "would" | "will", "you") => at += 2,
            _ => break,
        }
    }
    let framed = Frame { words: &words[at..] };
    let (start, end) = framed
        .located()
        .or_else(|| framed.asked_of_document())
        .or_else(|| framed.asked_for_part())
        .or_else(|| framed.requested())?;
    topic_between(text, &words, start + at, end + at)
}

/// The `i`th of `words`, "" past the end.
fn word(words: &[(String, usize)], i: usize) -> &str {
    words.get(i).map_or("", |(w, _)| w.as_str())
}

/// Whether a word names the document, a part of it or joins them ("the section of the manual").
fn documentish(w: &str) -> bool {
    DOCUMENT.contains(&w) || PRONOUNS.contains(&w) || DETERMINERS.contains(&w)
}

/// A question's words (lower case, with offsets), read for a frame. Each reading gives where
/// the topic starts and where it ends (word indices; the linking words at its start are skipped
/// by [`topic_between`]).
struct Frame<'a> {
    words: &'a [(String, usize)],
}

impl Frame<'_> {
    fn word(&self, i: usize) -> &str {
        word(self.words, i)
    }

    /// The first word at or after `from` that is not the document (nor "is" of "is about"), if
    /// a verb of exposition.
    fn verb_after(&self, from: usize) -> Option<usize> {
        let skipped = |w: &str| documentish(w) || matches!(w, "is" | "are");
        (from..=from + MAX_SUBJECT)
            .find(|&v| !skipped(self.word(v)) || EXPOSITION.contains(&self.word(v)))
            .filter(|&v| EXPOSITION.contains(&self.word(v)))
    }

    /// From `subject` to the last verb of exposition in the passive ("X described").
    fn passive(&self, subject: usize) -> Option<(usize, usize)> {
        let last = self.words.iter().rposition(|(w, _)| EXPOSED.contains(&w.as_str()))?;
        (last > subject).then_some((subject, last))
    }

    /// "Where does the manual explain X?", "Where is X described?", "Where can I find information
    /// about X?", "Where in the manual is X explained?", "What does the guide say about X?".
    fn located(&self) -> Option<(usize, usize)> {
        let all = self.words.len();
        // The verb after the question word, past "in the manual"; "where's" is "where is".
        let (verb, be) = match self.word(0) {
            "where" => {
                let verb = (1..=4).find(|&i| !documentish(self.word(i)))?;
                (verb, matches!(self.word(verb), "is" | "are" | "was" | "were"))
            }
            "where's" => (0, true),
            "what" => (1, false),
            _ => return None,
        };
        let subject = verb + 1;
        if be {
            // "Where is X described?", "Where is it explained how ...?"
            if let Some(v) = (subject..=subject + 1).find(|&v| EXPOSED.contains(&self.word(v)))
                && (subject..v).all(|i| documentish(self.word(i)))
            {
                return Some((v + 1, all));
            }
            return self.passive(subject);
        }
        if !AUXILIARIES.contains(&self.word(verb)) {
            return None;
        }
        if self.word(0) == "where" && READER.contains(&self.word(subject)) {
            return match (self.word(subject + 1), self.word(subject + 2)) {
                // "Where can I read about X?", "Where can I learn more about X?"
                ("read" | "learn", "about" | "more" | "up") => Some((subject + 2, all)),
                // "Where can I find information about X?", "Where do I look up X?"
                ("find" | "get" | "see" | "look", next) if SOUGHT.contains(&next) => Some((subject + 2, all)),
                ("look", "up") => Some((subject + 3, all)),
                _ => None,
            };
        }
        let v = self.verb_after(subject).filter(|&v| v > subject)?;
        Some((v + 1, all))
    }

    /// "Does the manual cover X?", "Is X explained in the manual?": the document named, not
    /// "it" or "they" ("Do they talk about the war?" asks about people, "Is the house covered?"
    /// about the house).
    fn asked_of_document(&self) -> Option<(usize, usize)> {
        if !AUXILIARIES.contains(&self.word(0)) || self.word(1) == "there" {
            return None;
        }
        if let Some(v) = self.verb_after(1).filter(|&v| v > 1)
            && (1..v).any(|i| DOCUMENT.contains(&self.word(i)))
        {
            return Some((v + 1, self.words.len()));
        }
        let ends_in_document = match self.words {
            [.., (prep, _), _, (noun, _)] if matches!(prep.as_str(), "in" | "by") => {
                DOCUMENT.contains(&noun.as_str())
            }
            [.., (last, _)] => last == "anywhere",
            [] => false,
        };
        if !(matches!(self.word(0), "is" | "are") && ends_in_document) {
            return None;
        }
        self.passive(1)
    }

    /// "Which section covers X?", "What part of the guide is about X?", "Is there a chapter on X?",
    /// "Is there anything in the manual about X?".
    fn asked_for_part(&self) -> Option<(usize, usize)> {
        let part = match (self.word(0), self.word(1)) {
            ("which" | "what", _) => 1,
            ("is" | "are", "there") => (2..=4).find(|&i| !DETERMINERS.contains(&self.word(i)))?,
            _ => return None,
        };
        if !PARTS.contains(&self.word(part)) {
            return None;
        }
        Some((self.verb_after(part + 1)? + 1, self.words.len()))
    }

    /// "Explain X", "Tell me about X", "Show me the section on X", "Info on X", "I want to
    /// learn about X", "I need help with X".
    fn requested(&self) -> Option<(usize, usize)> {
        let all = self.words.len();
        let start = match (self.word(0), self.word(1)) {
            ("explain" | "describe" | "define", _) => 1,
            ("tell" | "show", "me") => {
                let part = (2..=4).find(|&i| !DETERMINERS.contains(&self.word(i)))?;
                if PARTS.contains(&self.word(part)) { self.verb_after(part + 1)? + 1 } else { 2 }
            }
            (sought, "on" | "about" | "with" | "for" | "regarding") if SOUGHT.contains(&sought) => 1,
            ("i" | "i'd", _) => {
                let link = (2..=6).find(|&i| matches!(self.word(i), "about" | "with" | "on"))?;
                let seeking = (2..link).any(|i| {
                    matches!(self.word(i), "learn" | "read" | "know" | "hear")
                        || SOUGHT.contains(&self.word(i))
                });
                if !seeking {
                    return None;
                }
                link
            }
            _ => return None,
        };
        Some((start, all))
    }
}

/// The text of words `from..end` of `words` (`text`'s words, with their offsets): the linking
/// words before the topic and a closing "in the manual" left out; None when nothing is left, or
/// when what is left is the document itself ("Tell me about this book" asks about the whole,
/// see `whole`).
fn topic_between<'a>(text: &'a str, words: &[(String, usize)], from: usize, end: usize) -> Option<&'a str> {
    let linking = |w: &str| LINKS.contains(&w) || SOUGHT.contains(&w);
    let mut end = end.min(words.len());
    let start = from + words.get(from..end)?.iter().position(|(w, _)| !linking(w))?;
    let whole = |w: &str| documentish(w) || matches!(w, "whole" | "entire");
    if words[start..end].iter().all(|(w, _)| whole(w)) {
        return None;
    }
    if let [.., (prep, _), (det, _), (noun, _)] = &words[start..end]
        && end - start > 3
        && matches!(prep.as_str(), "in" | "of" | "from" | "by")
        && DETERMINERS.contains(&det.as_str())
        && DOCUMENT.contains(&noun.as_str())
    {
        end -= 3;
    }
    let stop = words.get(end).map_or(text.len(), |(_, at)| *at);
    Some(text[words[start].1..stop].trim_end())
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
        assert_eq!(topic("I need help with knots"), Some("knots"));
        assert_eq!(topic("Show me the section about buoys"), Some("buoys"));
        assert_eq!(topic("Info on harbour fees"), Some("harbour fees"));
    }

    #[test]
    fn a_request_to_explain_or_whether_the_document_covers_asks_for_its_topic() {
        assert_eq!(topic("Explain the tide tables."), Some("tide tables."));
        assert_eq!(topic("Could you please describe knots"), Some("knots"));
        assert_eq!(topic("Can you explain tides"), Some("tides"));
        assert_eq!(topic("Does the manual cover mooring"), Some("mooring"));
        assert_eq!(topic("Is mooring explained in the guide"), Some("mooring"));
        assert_eq!(topic("Where in the manual is mooring explained"), Some("mooring"));
        assert_eq!(topic("Where's mooring explained"), Some("mooring"));
        assert_eq!(topic("What does the guide say about knots"), Some("knots"));
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
            "Is the house covered",
            "Do they talk about the war",
            "Does the captain explain the map",
            "What does it mean",
            "What is the manual about",
            "Tell me about this book",
            "I want to learn about the whole document",
        ] {
            assert_eq!(topic(question), None, "{question}");
        }
        assert_eq!(without_frame("Where did she find the letter?"), "Where did she find the letter?");
    }
}
