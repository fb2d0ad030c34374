//! Answers with citations: a question in, an [`Answer`] whose every citation is a span of the source.
//!
//! The extractive answerer ranks passages, picks the best sentence(s), picks the few words that
//! answer out of them, and cites the sentences; it is the answer every device gets at once, and
//! the baseline the model must beat.
//!
//! 0. Read the question ([`question`]): spoken corrections applied ("What is X, no I mean Y?"),
//!    and the kind of answer it wants (a name, a time, a number, a place, an explanation).
//!    A question about the document itself ("What are the chapters?", "Summarize chapter 3")
//!    is answered from the outline ([`whole`]).
//! 1. Retrieve: BM25 over passages with the question's content words and their variants, the
//!    outline's titles as a signal ([`retrieve`]).
//! 2. Read: every sentence of the top passages is scored by how much of the question it covers,
//!    each question word weighted by its idf (rare words say more), itself and with its
//!    neighbours, plus a little for its passage's rank, plus a share for holding an answer of
//!    the asked kind (`extract`).
//! 3. Cite or abstain: the best sentence is cited with its span, page and outline path; a
//!    neighbouring sentence that holds question words the best one lacks is cited too. Nothing
//!    in the document answers when the cited text covers less than [`MIN_COVERAGE`] of the
//!    question's weight, when a name or number of the question is missing from the passage, or
//!    when the cited text says the question's opposite (its "not"/"least" missing, a "not" the
//!    question lacks, a word turned into its opposite: `contrary`): the answer is
//!    [`NOT_FOUND`] with no citation.
//! 4. Answer short (`short`): the words of the cited sentence that fit the asked kind, nearest
//!    the question's words; the sentence itself for "why"/"how" or when nothing fits.

pub mod aside;
#[cfg(feature = "model")]
pub mod ask;
mod contrary;
mod extract;
pub(crate) mod framed;
#[cfg(feature = "model")]
pub mod free;
#[cfg(feature = "model")]
pub mod grounded;
mod person;
pub mod question;
#[cfg(feature = "model")]
pub mod read;
#[cfg(feature = "model")]
pub mod rerank;
pub mod retrieve;
pub mod section;
mod short;
pub mod whole;

use serde::Serialize;

use crate::doc::{DocKind, Document, collapse};
use crate::index::{Hit, Index, QueryTerm, tokenize};
use crate::span::Span;

pub use extract::{MIN_COVERAGE, MIN_TYPED_COVERAGE, MIN_WINDOW_COVERAGE};

#[derive(Debug, Clone, Serialize)]
pub struct Citation {
    /// Index into [`Index::passages`].
    pub passage: usize,
    pub page: u32,
    /// The cited text, a span of `Document::text`.
    pub span: Span,
    pub outline_path: Vec<String>,
    /// The cited text supports the answer: always for extractive and grounded answers (the answer
    /// is words of the cited text); checked for each sentence of a free answer.
    pub verified: bool,
}

/// Who wrote the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Rules pick the sentence and the words ([`answer`]).
    Extractive,
    /// The model picks the words among the passages' ([`grounded`]).
    Grounded,
    /// The model writes, citations checked.
    Free,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Extractive => "extractive",
            Mode::Grounded => "grounded",
            Mode::Free => "free",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    /// The answer to show first: the few words that answer the question when they can be
    /// picked out of the cited sentence, else the cited sentence; [`NOT_FOUND`] when not found.
    pub text: String,
    /// Where `text` comes from in the document (None when it is the whole cited text).
    pub short: Option<Span>,
    /// The cited sentences, whitespace collapsed (empty when not found).
    pub quote: String,
    /// False when nothing in the document answers the question ("not found in this document").
    pub found: bool,
    pub citations: Vec<Citation>,
    pub mode: Mode,
    /// The model's confidence (grounded: mean log-probability per answer token), when a model answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    /// How much the passages make the answer likelier to the model (grounded: mean log-probability
    /// per answer token after the reader prompt minus after the question alone).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support: Option<f32>,
    /// Other sections that may answer (see [`see_also`]).
    pub see_also: Vec<Related>,
}

/// A section retrieval ranks high for a question, other than the one its answer cites: where the
/// reader looks next when the answer is not what they wanted. The answer's first citation is in
/// the section a reader wants for 0.72 of the dev manual questions, one of the first three
/// sections retrieval ranks for 0.82 (README).
#[derive(Debug, Clone, Serialize)]
pub struct Related {
    /// Index into [`Index::passages`]: the section's best passage for the question.
    pub passage: usize,
    pub page: u32,
    /// Its sentence that holds the most of the question.
    pub span: Span,
    pub outline_path: Vec<String>,
}

/// How many other sections an answer lists ([`see_also`]); one more when nothing answers.
pub const SEE_ALSO: usize = 2;

impl Answer {
    /// A found answer the rules picked (no model scores).
    pub fn extractive(
        text: String,
        short: Option<Span>,
        quote: String,
        citations: Vec<Citation>,
        see_also: Vec<Related>,
    ) -> Answer {
        Answer {
            text,
            short,
            quote,
            found: true,
            citations,
            mode: Mode::Extractive,
            score: None,
            support: None,
            see_also,
        }
    }
}

pub const NOT_FOUND: &str = "Not found in this document.";

/// How many passages the reader looks at.
pub const READ_PASSAGES: usize = 8;

/// The passages a question retrieves, best first, with the question's analysed terms (see
/// [`retrieve`]: each word with its variants, the outline's titles as a signal).
/// The question is read as meant first (see [`question`]: spoken corrections applied); the
/// returned terms are the meant question's. Words only in what the speaker corrected still help
/// find the passage (they are usually about the same thing), at [`CORRECTED_WEIGHT`].
pub fn retrieve(doc: &Document, index: &Index, question: &str, k: usize) -> (Vec<QueryTerm>, Vec<Hit>) {
    let found = retrieve::run(doc, index, question, k);
    (found.terms(), found.hits)
}

/// Ranking weight of the words a spoken correction took back.
pub const CORRECTED_WEIGHT: f32 = 0.5;

pub fn answer(doc: &Document, index: &Index, question: &str) -> Answer {
    answer_from(doc, index, question, retrieve::run(doc, index, question, READ_PASSAGES))
}

/// [`answer`] over passages already retrieved for `question` (re-ranked by the model, say).
pub fn answer_from(doc: &Document, index: &Index, question: &str, found: retrieve::Retrieved) -> Answer {
    let asked = question::parse(question);
    if let Some(whole) = whole::detect(&asked.text).and_then(|ask| whole::answer(doc, index, &ask)) {
        return whole;
    }
    let retrieve::Retrieved { words, hits } = found;
    let not_found = || Answer {
        text: NOT_FOUND.into(),
        short: None,
        quote: String::new(),
        found: false,
        citations: Vec::new(),
        mode: Mode::Extractive,
        score: None,
        support: None,
        see_also: see_also(doc, index, &words, &hits, None),
    };
    let idf = |t: &str| index.idf(t);
    let fits = |sentence: &str| {
        asked.kind.sought() && short::extract(sentence, &asked, &idf).is_some_and(|(_, typed)| typed)
    };
    // A reader asking how or what, whose words name the title of the section retrieval ranks
    // first better than any other section read, wants that section: its sentences, not a
    // neighbour's that shares more words. (On the dev manual questions, 2026-12-07: 52/72
    // against 51 when no other section read may be named at all, 53 when the first must only be
    // named best, with a synonym naming less than the reader's word: `files` for "check whether
    // a file exists ... read it" beside `read.table`; 50 with any other named title allowed.)
    let named = |h: &Hit| retrieve::title_named(index, &words, h.passage);
    let first = hits
        .first()
        .filter(|top| section::wants_section(index, &asked, top.passage))
        .map(|top| (top, named(top)))
        .filter(|&(_, share)| share > 0.0);
    let read = match first {
        Some((top, share))
            if !hits.iter().any(|h| {
                index.passages[h.passage].path != index.passages[top.passage].path && named(h) >= share
            }) =>
        {
            let path = &index.passages[top.passage].path;
            hits.iter().filter(|h| index.passages[h.passage].path == *path).cloned().collect()
        }
        _ => hits.clone(),
    };
    let Some(best) = extract::best(doc, index, &words, &read, &fits) else {
        return not_found();
    };
    let passage = &index.passages[best.passage];
    // The passage's neighbours in its section may name what it is about.
    let around = (best.passage.saturating_sub(1)..=best.passage + 1)
        .filter_map(|i| index.passages.get(i))
        .filter(|p| p.path == passage.path)
        .fold(passage.span, |s, p| Span::new(s.start.min(p.span.start), s.end.max(p.span.end)));
    let quote_of =
        |b: &extract::Best| b.spans.iter().map(|&s| collapse(doc.slice(s))).collect::<Vec<_>>().join(" ");
    let quote = quote_of(&best);
    let answers = covered(doc, &asked, &words, &best, around, &fits)
        && names_present(&asked.text, doc.slice(around))
        // "Is X enabled by default?" is answered by "X is disabled by default" too.
        && (asked.kind == question::Kind::YesNo || contrary::same_sense(&asked.text, &quote));
    let mut best = match answers {
        true => best,
        // The reader wants the section retrieval ranks first: its best sentence.
        false if hits.first().is_some_and(|h| section::wants_section(index, &asked, h.passage)) => {
            let Some(top) = extract::best(doc, index, &words, &hits[..1], &fits) else { return not_found() };
            top
        }
        false => return not_found(),
    };
    let passage = &index.passages[best.passage];
    // A section's heading says what the section is about, not the answer ("Passing Parameters In
    // URLs" for "How do I pass parameters in URLs?"): its first sentence is cited with it.
    // So is a sentence that announces what follows ("There are restrictions on ..., namely",
    // "Use one of these options:"): the reader wants what it announces.
    let last = best.spans.last().copied().unwrap_or(best.main);
    if ((best.spans.len() == 1 && passage.path.last().is_some_and(|t| same_heading(t, doc.slice(best.main))))
        || announces(doc.slice(last)))
        && let Some(next) = sentence_spans(doc, passage.span).into_iter().find(|s| s.start >= last.end)
    {
        best.spans.push(next);
    }
    let idf = |t: &str| index.idf(t);
    let in_main = short::extract(doc.slice(best.main), &asked, &idf).is_some_and(|(_, typed)| typed);
    // A name found in another sentence (the antecedent, the main person, the full name) is the
    // short answer, and that sentence is cited with the others, in text order.
    let adopt = |best: &mut extract::Best, found: Option<(Span, Span)>| {
        found.map(|(sentence, name)| {
            best.spans.push(sentence);
            best.spans.sort_by_key(|s| s.start);
            best.spans.dedup();
            name
        })
    };
    let antecedent = person::antecedent(doc, index, &asked, &best).filter(|_| !in_main);
    let short = adopt(&mut best, antecedent).or_else(|| short_answer(doc, index, &asked, &best));
    let main = person::main_person(doc, index, &asked, &best, short);
    let short = adopt(&mut best, main).or(short);
    // "What is the full name of ...?" answered "Korff": the section names him in full before.
    let fuller = short.and_then(|name| person::fuller_name(doc, index, &asked, &best, name));
    let short = adopt(&mut best, fuller).or(short);
    // A Markdown heading is quoted as a reader sees it: "Loading the kiln", not "## Loading the kiln".
    if doc.kind == DocKind::Markdown {
        for span in &mut best.spans {
            *span = without_heading_marks(doc, *span);
        }
    }
    let quote = quote_of(&best);
    let citations = best
        .spans
        .iter()
        .map(|&span| Citation {
            passage: best.passage,
            page: doc.page_at(span.start),
            span,
            outline_path: passage.path.clone(),
            verified: true,
        })
        .collect();
    let text = short.map_or_else(|| quote.clone(), |s| collapse(doc.slice(s)));
    let see_also = see_also(doc, index, &words, &hits, Some(&passage.path));
    Answer::extractive(text, short, quote, citations, see_also)
}

/// The sections of `hits` (retrieval's, best first) other than `cited` (the path of the section
/// the answer cites; None when nothing answers), each once, best first: [`SEE_ALSO`] of them, one
/// more when nothing answers. Each is given by its best passage's sentence holding the most of
/// the question's `words`.
pub fn see_also(
    doc: &Document,
    index: &Index,
    words: &[retrieve::Word],
    hits: &[Hit],
    cited: Option<&[String]>,
) -> Vec<Related> {
    let most = if cited.is_some() { SEE_ALSO } else { SEE_ALSO + 1 };
    let mut seen: Vec<&[String]> = cited.into_iter().collect();
    let mut out = Vec::new();
    for hit in hits {
        let passage = &index.passages[hit.passage];
        // A section the cited one lies in is named by the citation's path already.
        let encloses = cited.is_some_and(|c| c.len() > passage.path.len() && c.starts_with(&passage.path));
        if out.len() == most {
            break;
        }
        if encloses || seen.contains(&passage.path.as_slice()) {
            continue;
        }
        seen.push(&passage.path);
        let span = extract::best(doc, index, words, std::slice::from_ref(hit), &|_| false).map_or_else(
            || sentence_spans(doc, passage.span).first().copied().unwrap_or(passage.span),
            |b| b.main,
        );
        out.push(Related {
            passage: hit.passage,
            page: doc.page_at(span.start),
            span,
            outline_path: passage.path.clone(),
        });
    }
    out
}

/// Whether the cited text covers enough of the question to answer it: [`MIN_COVERAGE`] of its
/// weight; [`MIN_TYPED_COVERAGE`] when the best sentence holds an answer of the asked kind (a
/// name for "who", a date for "when"); or, for a question asking how or what (answered by a
/// passage rather than one sentence), when the best sentence's passage with its neighbours in
/// its section holds [`MIN_WINDOW_COVERAGE`] (a reader's "how do I ..." shares some words with
/// each sentence of the answer, few with any one).
fn covered(
    doc: &Document,
    asked: &question::Question,
    words: &[retrieve::Word],
    best: &extract::Best,
    around: Span,
    fits: &dyn Fn(&str) -> bool,
) -> bool {
    if best.coverage >= MIN_COVERAGE {
        return true;
    }
    if !asked.kind.typed() {
        let total: f32 = words.iter().map(|w| w.idf).sum();
        let mut held = vec![false; words.len()];
        tokenize::for_each_token(doc.slice(around), |t, _, _| {
            if let Some(i) = words.iter().position(|w| w.matches(t)) {
                held[i] = true;
            }
        });
        let window: f32 = words.iter().zip(&held).filter(|(_, h)| **h).map(|(w, _)| w.idf).sum();
        return total > 0.0 && window / total >= MIN_WINDOW_COVERAGE;
    }
    best.coverage >= MIN_TYPED_COVERAGE && fits(doc.slice(best.main))
}

/// Whether every name the question mentions (a capitalised word after its first) is in the
/// passage (with its neighbours): a passage about the 1973 crisis does not answer a question about 1979's, nor one
/// about February a passage about March, however many other words they share.
fn names_present(question: &str, passage: &str) -> bool {
    let have: std::collections::HashSet<String> = tokenize::terms(passage).into_iter().collect();
    question
        .split_whitespace()
        .skip(1)
        .filter(|w| {
            w.chars().find(|c| c.is_alphanumeric()).is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        })
        .flat_map(tokenize::terms)
        .filter(|t| !tokenize::is_stopword(t))
        .all(|t| have.contains(&t))
}

/// The sentences of a span of the document, as document spans.
fn sentence_spans(doc: &Document, span: Span) -> Vec<Span> {
    crate::index::sentences::sentences(doc.slice(span))
        .into_iter()
        .map(|(s, e)| Span::new(span.start + s, span.start + e))
        .collect()
}

/// `span` without the `#` marks and space a Markdown heading starts with (the heading as the
/// outline reads it; its end stays).
fn without_heading_marks(doc: &Document, span: Span) -> Span {
    let text = doc.slice(span);
    match crate::outline::text::atx(text) {
        Some((_, title)) => {
            Span::new(span.start + (title.as_ptr() as usize - text.as_ptr() as usize), span.end)
        }
        None => span,
    }
}

/// Whether a sentence announces what follows it: it ends in a colon or in "namely", "as follows",
/// "the following" ("如下").
fn announces(sentence: &str) -> bool {
    let end = sentence.trim_end().trim_end_matches(['.', '\u{3002}']).trim_end();
    let lower = end.to_lowercase();
    end.ends_with([':', '\u{ff1a}'])
        || ["namely", "as follows", "the following", "如下"].iter().any(|w| lower.ends_with(w))
}

/// Whether a sentence is the heading `title` as the text writes it: the same words, with or
/// without its number or Markdown marks ("## 3.2 Reading data" for "Reading data").
fn same_heading(title: &str, sentence: &str) -> bool {
    let words = |t: &str| -> Vec<String> {
        tokenize::terms(t).into_iter().skip_while(|w| w.bytes().all(|b| b.is_ascii_digit())).collect()
    };
    let title = words(title);
    !title.is_empty() && title == words(sentence)
}

/// The short answer inside the cited sentences: the best sentence's first, then a neighbour's.
fn short_answer(
    doc: &Document,
    index: &Index,
    asked: &question::Question,
    best: &extract::Best,
) -> Option<Span> {
    let idf = |t: &str| index.idf(t);
    let order = std::iter::once(best.main).chain(best.spans.iter().copied().filter(|s| *s != best.main));
    let mut fallback = None;
    for span in order {
        if let Some(((s, e), typed)) = short::extract(doc.slice(span), asked, &idf) {
            let found = Span::new(span.start + s, span.start + e);
            if typed {
                return Some(found);
            }
            fallback = fallback.or(Some(found));
        }
    }
    fallback
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outline::Outline;

    fn ask(text: &str, question: &str) -> (Document, Answer) {
        let doc = Document::from_bytes("t.txt", text.as_bytes()).unwrap();
        let index = Index::build(&doc, &Outline::build(&doc, false));
        let answer = answer(&doc, &index, question);
        (doc, answer)
    }

    #[test]
    fn a_markdown_heading_is_quoted_without_its_marks() {
        let text = "# Kiln guide\n\nThis guide covers the kiln.\n\n## Loading the kiln\n\n\
                    Stack shelves on posts of equal height. Keep an inch between pots.\n\n\
                    ## Firing schedule\n\nRaise the heat by a hundred degrees an hour.\n";
        let doc = Document::from_bytes("kiln.md", text.as_bytes()).unwrap();
        let index = Index::build(&doc, &Outline::build(&doc, false));
        let a = answer(&doc, &index, "How do I load the kiln?");
        let quotes: Vec<&str> = a.citations.iter().map(|c| doc.slice(c.span)).collect();
        assert_eq!(quotes, ["Loading the kiln", "Stack shelves on posts of equal height."]);
        assert!(!a.quote.contains('#'), "{}", a.quote);
    }

    #[test]
    fn a_full_name_is_taken_from_where_the_section_names_the_person_in_full() {
        let text = "The harbour town of Kessel lay under snow that winter. Captain Elias Thorne \
            commanded the brig Heron, which had wintered in the bay since October. The ice closed \
            the bay in January. When the storehouse burned, the men of Thorne carried sacks of flour \
            to the fleeing townsfolk. Every person in the town knew his full name after that.";
        let (doc, a) = ask(
            text,
            "What is the full name of the person whose men carried flour to the fleeing townsfolk?",
        );
        assert_eq!(a.text, "Captain Elias Thorne");
        let quotes: Vec<&str> = a.citations.iter().map(|c| doc.slice(c.span)).collect();
        assert!(quotes.iter().any(|q| q.contains("Captain Elias Thorne")), "{quotes:?}");
        assert!(quotes.iter().any(|q| q.contains("sacks of flour")), "{quotes:?}");
        // A first name asked, a last name in the sentence: the first name of the full one.
        let (_, a) = ask(
            text,
            "What is the first name of the person whose men carried flour to the fleeing townsfolk?",
        );
        assert_eq!(a.text, "Elias");
    }

    #[test]
    fn the_person_a_pronoun_stands_for_is_the_one_the_paragraph_is_about() {
        let text = "Chapter 1\n\nThe ferry left at dawn and the gulls followed it out.\n\n\
            Ada Quill was born in Dunmore in 1881. Quill studied drawing in Leeds, where Quill met \
            the critic Tom Hart. In 1910 Quill moved to the coast for good. The light there was hard and \
            clear, and the winters were long and dark. Among her best works are Harbour Light and \
            Winter Reeds, painted in her last years.\n\n\
            The ferry came back at dusk, lighter by a crate of apples.";
        let question = "Who painted Harbour Light and Winter Reeds?";
        let (doc, a) = ask(text, question);
        assert_eq!(a.text, "Quill");
        let quotes: Vec<&str> = a.citations.iter().map(|c| doc.slice(c.span)).collect();
        assert!(quotes.iter().any(|q| q.contains("Among her best works")), "{quotes:?}");
        assert!(quotes.iter().any(|q| q.contains("Quill")), "{quotes:?}");
        // A paragraph naming two people as often names no main person: the sentence answers.
        let even = text.replace(
            "In 1910 Quill moved to the coast for good.",
            "In 1910 Hart moved to the coast, and Hart stayed.",
        );
        let (_, a) = ask(&even, question);
        assert!(a.short.is_none(), "{}", a.text);
    }

    #[test]
    fn a_question_in_the_readers_words_finds_the_manuals_words() {
        let text = "# Quill manual\n\n## Paths\n\nA path names a place on the disk. Paths join with a slash.\n\n\
            ## Making directories\n\nThe mkpath command makes a directory and every missing parent of it.\n\n\
            ## Pausing\n\nThe nap command makes the current job sleep for the given number of seconds.\n";
        let (doc, a) = ask(text, "How can I create a folder together with its missing parent folders?");
        assert!(a.found, "{}", a.text);
        assert!(doc.slice(a.citations[0].span).contains("mkpath"), "{}", a.quote);
        let (doc, a) = ask(text, "How do I pause the current job for two seconds?");
        assert!(doc.slice(a.citations[0].span).contains("nap command"), "{}", a.quote);
    }

    #[test]
    fn a_version_question_is_answered_by_the_version_beside_the_feature() {
        let text = "# Loom manual\n\n## Commands\n\nThe weave command threads the warp through the heddles \
            and beats each row tight. It stops at the end of the pattern. New in version 2.4.\n\n\
            ## Threads\n\nCotton thread suits most patterns; wool needs a looser beat.\n";
        let doc = Document::from_bytes("loom.md", text.as_bytes()).unwrap();
        let index = Index::build(&doc, &Outline::build(&doc, false));
        let a = answer(&doc, &index, "Which version added the weave command?");
        assert_eq!(a.text, "2.4", "{a:?}");
        assert_eq!(a.quote, "New in version 2.4.", "{a:?}");
    }

    const TEXT: &str = "Chapter 1\n\nThe morning was grey. Anne walked to the harbour at Lyme.\n\n\
        Chapter 2\n\nCaptain Wentworth wrote the letter in the White Hart inn. It was short.\n";

    #[test]
    fn a_heading_that_matches_the_question_is_cited_with_its_first_sentence() {
        let text = "# Kettle guide\n\nAbout this kettle.\n\n## Descaling the heating plate\n\n\
            Boil a cup of vinegar in it, then rinse twice. Repeat monthly.\n\n## Cord\n\nWind it under the base.\n";
        let doc = Document::from_bytes("k.md", text.as_bytes()).unwrap();
        let index = Index::build(&doc, &Outline::build(&doc, false));
        let a = answer(&doc, &index, "How do I descale the heating plate?");
        assert!(a.found, "{a:?}");
        assert_eq!(
            a.quote, "Descaling the heating plate Boil a cup of vinegar in it, then rinse twice.",
            "{a:?}"
        );
        assert_eq!(a.citations.len(), 2);
    }

    /// A manual whose section "Safety" shares more of the wick question's words than the section
    /// titled by it.
    const LANTERN: &str = "# Lantern manual\n\n## Trimming the wick\n\nUse the small scissors kept in the lid. \
        Cut straight across, leaving a low dome.\n\n## Safety\n\nNever trim the wick of a lit brass lantern \
        before you let it cool.\n\n## Fuel\n\nThe lantern burns paraffin only.\n";

    #[test]
    fn a_how_question_naming_the_first_sections_title_is_answered_there() {
        let (doc, a) = ask(LANTERN, "How do I trim the wick of my brass lantern?");
        assert!(a.found, "{a:?}");
        let passage = &a.citations[0].outline_path;
        assert_eq!(
            passage.last().map(String::as_str),
            Some("Trimming the wick"),
            "{}",
            doc.slice(a.citations[0].span)
        );
    }

    #[test]
    fn a_sentence_announcing_a_list_is_cited_with_what_follows() {
        let text = "# Printer\n\n## Nozzle\n\nTo clear a blocked nozzle you need the following:\n\n\
                    - a brass pin of 0.4 mm\n\nLet the nozzle cool first.\n\n## Bed\n\nLevel the bed with paper.\n";
        let (_, a) = ask(text, "What do I need to clear a blocked nozzle?");
        assert!(a.found, "{a:?}");
        assert!(a.quote.contains("need the following") && a.quote.contains("brass pin"), "{}", a.quote);
    }

    #[test]
    fn the_section_whose_title_the_question_names_best_answers() {
        // "Weave patterns" is named too, half; "Warp" holds more of the question's words in one
        // sentence. The reader asks about the shuttle, which retrieval ranks first.
        let text = "# Loom manual\n\n## Shuttle\n\nLift the shuttle out and look through the slot in \
                    its side. A bare bobbin means it is empty. The shuttle carries the weft.\n\n\
                    ## Weave patterns\n\nA pattern card holds the pattern you weave.\n\n## Warp\n\n\
                    Before you weave each row of a pattern, tell by its sound whether the bobbin is empty.\n";
        let (doc, a) = ask(text, "How can I tell whether the shuttle is empty before I weave?");
        assert!(a.found, "{a:?}");
        let cited = &a.citations[0];
        assert_eq!(
            cited.outline_path.last().map(String::as_str),
            Some("Shuttle"),
            "{}",
            doc.slice(cited.span)
        );
    }

    #[test]
    fn an_answer_lists_other_sections_that_may_answer_but_not_its_own() {
        let (doc, a) = ask(LANTERN, "How do I trim the wick of my brass lantern?");
        let cited = &a.citations[0].outline_path;
        let also: Vec<&[String]> = a.see_also.iter().map(|r| r.outline_path.as_slice()).collect();
        assert!(!also.is_empty() && also.len() <= SEE_ALSO, "{also:?}");
        assert!(also.iter().all(|p| p != cited && !cited.starts_with(p)), "{also:?} {cited:?}");
        assert_eq!(also[0].last().map(String::as_str), Some("Safety"));
        assert_eq!(
            doc.slice(a.see_also[0].span),
            "Never trim the wick of a lit brass lantern before you let it cool."
        );
        // Nothing answers: the nearest sections, one more.
        let (_, a) = ask(LANTERN, "Who made the brass lantern?");
        assert!(!a.found, "{a:?}");
        assert!(
            a.see_also.iter().any(|r| r.outline_path.last().is_some_and(|t| t == "Safety")),
            "{:?}",
            a.see_also
        );
        assert!(a.see_also.len() <= SEE_ALSO + 1);
    }

    #[test]
    fn cites_the_sentence_that_answers() {
        let (doc, a) = ask(TEXT, "Where did Captain Wentworth write the letter?");
        assert!(a.found);
        assert_eq!(a.text, "White Hart");
        assert_eq!(a.quote, "Captain Wentworth wrote the letter in the White Hart inn.");
        assert_eq!(a.citations.len(), 1);
        assert_eq!(doc.slice(a.citations[0].span), a.quote);
        assert_eq!(a.short.map(|s| doc.slice(s)), Some("White Hart"));
        assert_eq!(a.citations[0].outline_path, ["Chapter 2"]);
        assert_eq!(a.citations[0].page, 1);
    }

    #[test]
    fn a_pronoun_subject_is_answered_by_the_name_before_it() {
        let text = "Chapter 1\n\nIn 1856 Bennett was elected Professor of Music at the University of \
                    Cambridge. He modernised the system of awarding music degrees.\n";
        let (doc, a) = ask(text, "Who modernised the system of awarding music degrees?");
        assert_eq!(a.text, "Bennett");
        assert_eq!(a.citations.len(), 2);
        assert!(doc.slice(a.citations[0].span).starts_with("In 1856 Bennett"));
    }

    #[test]
    fn abstains_when_a_name_of_the_question_is_not_in_the_passage() {
        let (_, a) = ask(TEXT, "Where did Captain Benwick write the letter?");
        assert!(!a.found, "{a:?}");
        let (_, a) = ask(TEXT, "Where did Captain Wentworth write the letter in 1815?");
        assert!(!a.found, "{a:?}");
        assert!(names_present("Who wrote the letter at the White Hart?", "The White Hart inn"));
    }

    #[test]
    fn a_general_noun_of_the_question_is_no_word_the_answer_needs() {
        let doc = Document::from_bytes("t.txt", TEXT.as_bytes()).unwrap();
        let index = Index::build(&doc, &Outline::build(&doc, false));
        let (terms, _) = retrieve(&doc, &index, "What type of letter did Captain Wentworth write?", 5);
        let terms: Vec<&str> = terms.iter().map(|t| t.term.as_str()).collect();
        assert!(terms.contains(&"letter") && !terms.contains(&"type"), "{terms:?}");
    }

    #[test]
    fn a_yes_no_question_is_answered_by_the_sentence_saying_no() {
        // Numbered chapters, as in a novel: no section a reader would want whole.
        let mut text = String::new();
        for n in 1..=9 {
            let said = match n {
                3 => "The parish archive is private and kept in the vestry.",
                _ => "It rained all day on the moor.",
            };
            text += &format!("Chapter {n}\n\n{said}\n\n");
        }
        let text = text.as_str();
        let (_, a) = ask(text, "Is the parish archive public?");
        assert!(a.found, "{a:?}");
        assert_eq!(a.quote, "The parish archive is private and kept in the vestry.");
        let (_, a) = ask(text, "Who keeps the public parish archive?");
        assert!(!a.found, "{a:?}");
    }

    #[test]
    fn abstains_without_citation_when_the_question_is_not_covered() {
        let (_, a) = ask(TEXT, "What is the melting point of tungsten?");
        assert!(!a.found);
        assert_eq!(a.text, NOT_FOUND);
        assert!(a.citations.is_empty());
        assert!(a.quote.is_empty() && a.short.is_none());
        let (_, a) = ask(TEXT, "");
        assert!(!a.found);
    }
}
