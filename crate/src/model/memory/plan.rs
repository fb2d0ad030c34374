//! What reading a whole document will do, before any window is read: its windows (cut at paragraph
//! ends and at the outline's section starts), the ratio the byte budget allows, and the memory
//! file's head. The CLI ([`super::book`], a file) and the page (`web::memory`, IndexedDB) read the
//! same plan window by window, so a memory made in either is the same bytes.

use super::file::{self, Head};
use super::windows::{Window, cut};
use super::{Rule, Settings, Shape};
use crate::model::Llama;
use crate::{Document, Outline};

/// How to read.
#[derive(Clone, Copy, Debug)]
pub struct ReadOptions {
    pub rule: Rule,
    /// A fixed ratio; None: the finest of [`super::RATIOS`] that fits `budget`.
    pub ratio: Option<usize>,
    /// Bytes the condensed memory may take.
    pub budget: usize,
    /// Tokens per window.
    pub window: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            rule: Rule::Keep,
            ratio: None,
            budget: super::DEFAULT_BUDGET,
            window: super::DEFAULT_WINDOW,
        }
    }
}

/// Where a reading stands, after each window.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Progress {
    pub windows_done: usize,
    pub windows: usize,
    pub tokens_done: usize,
    pub tokens: usize,
    /// Windows kept from an earlier, interrupted reading (not read again), and their tokens.
    pub resumed: usize,
    pub resumed_tokens: usize,
    #[serde(skip)]
    pub settings: Settings,
}

/// The windows of a document, cut at paragraph ends and at its outline's section starts.
pub fn plan(model: &Llama, doc: &Document, window: usize) -> crate::Result<Vec<Window>> {
    let outline = Outline::build(doc, false);
    let mut starts = Vec::new();
    let mut stack: Vec<&crate::OutlineNode> = outline.nodes.iter().collect();
    while let Some(n) = stack.pop() {
        starts.push(n.span.start);
        stack.extend(n.children.iter());
    }
    starts.sort_unstable();
    starts.dedup();
    Ok(cut(&doc.text, doc.body, &starts, &model.tokenizer, window)?)
}

/// A document's reading, planned.
pub struct Plan {
    pub windows: Vec<Window>,
    pub settings: Settings,
    /// Tokens of all windows.
    pub tokens: usize,
    /// The memory file's first records (magic, `HEAD`, `DOCU`): a stored reading whose bytes
    /// start with these is a reading of this plan, resumable.
    pub head: Vec<u8>,
}

impl Plan {
    /// Plans the reading of `doc` (`doc_name`, `doc_bytes`) by the model whose file has SHA-256
    /// `model_sha256`; an error when the document does not fit the budget at any ratio.
    pub fn new(
        model: &Llama,
        model_sha256: [u8; 32],
        doc: &Document,
        (doc_name, doc_bytes): (&str, &[u8]),
        opts: ReadOptions,
    ) -> crate::Result<Plan> {
        let windows = plan(model, doc, opts.window)?;
        let shape = Shape::of(&model.cfg);
        let tokens: usize = windows.iter().map(|w| w.tokens.len()).sum();
        let ratio = match opts.ratio {
            Some(r) => r.max(1),
            None => shape.ratio_for(tokens, opts.window, opts.budget).ok_or_else(|| {
                file::MemoryError::TooLong {
                    name: doc_name.to_string(),
                    tokens,
                    budget_mb: opts.budget >> 20,
                }
            })?,
        };
        let settings = Settings { rule: opts.rule, ratio, window: opts.window };
        let head = file::head_bytes(&Head {
            model_sha256,
            doc_sha256: super::sha256::sha256(doc_bytes),
            shape,
            settings,
            planned: windows.len(),
            doc_name,
            doc_bytes,
        });
        Ok(Plan { windows, settings, tokens, head })
    }

    /// Where a reading stands once the first `done` windows are in, `resumed` of them kept from
    /// an earlier reading.
    pub fn progress(&self, done: usize, resumed: usize) -> Progress {
        let tokens_of =
            |n: usize| self.windows[..n.min(self.windows.len())].iter().map(|w| w.tokens.len()).sum();
        Progress {
            windows_done: done,
            windows: self.windows.len(),
            tokens_done: tokens_of(done),
            tokens: self.tokens,
            resumed,
            resumed_tokens: tokens_of(resumed),
            settings: self.settings,
        }
    }
}
