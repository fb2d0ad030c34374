//! One entry for every answer path: a question and the wanted [`Ask`] mode in, an [`Answer`] out,
//! saying which mode answered. The CLI, the eval and the page call this.

use super::{Answer, Mode};
use crate::doc::Document;
use crate::index::Index;
use crate::model::{Forward, Tokenizer};

/// The mode a user asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    Extractive,
    Grounded,
    Free,
    /// The most reliable mode, as measured on the dev needle set (README): the extractive one
    /// today (answer F1 0.417 against grounded 0.236 and free 0.002, 168 questions, 2026-12-07).
    Auto,
}

impl Ask {
    /// The mode that answers (a model mode without a model is an error).
    pub fn resolve(self) -> Mode {
        match self {
            Ask::Extractive => Mode::Extractive,
            Ask::Grounded => Mode::Grounded,
            Ask::Free => Mode::Free,
            Ask::Auto => Mode::Extractive,
        }
    }
}

/// The model a reading mode runs on: its tokenizer and a forward pass on some backend.
pub struct Reader<'a> {
    pub tokenizer: &'a Tokenizer,
    pub forward: &'a mut dyn Forward,
}

/// Answers `question` in the `ask` mode; a model mode without a `reader` is an error that says
/// how to get one.
pub fn answer(
    doc: &Document,
    index: &Index,
    question: &str,
    ask: Ask,
    reader: Option<&mut Reader<'_>>,
) -> crate::Result<Answer> {
    answer_streaming(doc, index, question, ask, reader, &mut |_| true)
}

/// [`answer`], with the model's text handed to `on_text` as it is written (grounded: the answer's
/// tokens; free: the draft, before its marks are checked; return false to stop a free answer).
pub fn answer_streaming(
    doc: &Document,
    index: &Index,
    question: &str,
    ask: Ask,
    reader: Option<&mut Reader<'_>>,
    on_text: &mut dyn FnMut(&str) -> bool,
) -> crate::Result<Answer> {
    let mode = ask.resolve();
    // Retrieved once: the model reads these passages, the extractive answer (its fallback and
    // check) comes from them, and so does the "see also" under the model's answer.
    let found = super::retrieve::run(doc, index, question, super::READ_PASSAGES);
    let mut answer = match (mode, reader) {
        (Mode::Extractive, _) => return Ok(super::answer_from(doc, index, question, found)),
        (Mode::Grounded, Some(r)) => {
            super::grounded::answer(doc, index, question, &found, r.tokenizer, r.forward, on_text)?
        }
        (Mode::Free, Some(r)) => {
            super::free::answer(doc, index, question, &found, r.tokenizer, r.forward, on_text)?
        }
        (_, None) => return Err(crate::Error::NeedsModel { mode: mode.as_str() }),
    };
    let cited = answer.citations.first().map(|c| c.outline_path.as_slice()).filter(|_| answer.found);
    answer.see_also = super::see_also(doc, index, &found.words, &found.hits, cited);
    Ok(answer)
}
