//! Read once, ask many: a document read by the model window by window, each window's keys and
//! values condensed and kept, so that later questions attend to the whole document without reading
//! it again.
//!
//! - [`windows`]: the document's text cut into windows of at most `window` tokens, at paragraph
//!   ends and, where a section of the outline starts, there.
//! - [`read`]: each window is read from position 0, then read again after a "repeat" prompt; the
//!   attention the repeat gives each of the window's keys is its importance (KVzip). Per layer and
//!   KV head the window is [`condense`]d by a ratio r: keys kept ([`condense::Rule::Keep`]) or
//!   groups pooled ([`condense::Rule::Pool`]); keys are stored un-rotated (RoPE removed).
//! - [`file`]: the memory as a versioned file tied to the model's and the document's SHA-256.
//! - [`assemble`]: a session's cache laid out as [sink | condensed windows]; positions are
//!   given here, never beyond the trained context. The reading pipeline then reads the passages
//!   it retrieves and the question after it ([`assemble::MemoryForward`]).

pub mod assemble;
#[cfg(not(target_family = "wasm"))]
pub mod book;
pub mod condense;
pub mod file;
pub mod plan;
pub mod read;
pub mod sha256;
pub mod windows;

use crate::span::Span;
pub use condense::Rule;

/// The ratios a memory may use, finest first.
pub const RATIOS: [usize; 4] = [4, 8, 16, 32];

/// Default byte budget of a memory's condensed keys and values.
pub const DEFAULT_BUDGET: usize = 256 << 20;

/// Default window: short enough that a window and its repeat (2 × 1024 positions) read at the
/// dense prefill's fast lengths, long enough that a paragraph rarely spans two.
pub const DEFAULT_WINDOW: usize = 1024;

/// The model's cache shape, as the memory stores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub n_layer: usize,
    pub n_kv_head: usize,
    pub head_dim: usize,
}

impl Shape {
    pub fn of(cfg: &crate::model::llama::Config) -> Shape {
        Shape { n_layer: cfg.n_layer, n_kv_head: cfg.n_kv_head, head_dim: cfg.head_dim }
    }

    /// Bytes one kept entry takes in every (layer, KV head): f16 key and value, f32 score, u32 position.
    pub fn entry_bytes(self) -> usize {
        self.n_layer * self.n_kv_head * (4 * self.head_dim + 8)
    }

    /// Bytes of a memory of `tokens` document tokens read in windows of `window` at ratio `r`.
    pub fn bytes(self, tokens: usize, window: usize, r: usize) -> usize {
        let windows = tokens.div_ceil(window.max(1));
        // Each window keeps ceil(n / r); at most one entry more per window than tokens / r.
        (tokens.div_ceil(r) + windows) * self.entry_bytes()
    }

    /// The finest ratio of [`RATIOS`] whose memory fits `budget` bytes, or None.
    pub fn ratio_for(self, tokens: usize, window: usize, budget: usize) -> Option<usize> {
        RATIOS.into_iter().find(|&r| self.bytes(tokens, window, r) <= budget)
    }
}

/// How a memory was made (stored in its file).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    pub rule: Rule,
    pub ratio: usize,
    pub window: usize,
}

/// One window of the document, condensed: for every (layer, KV head) the same number of entries.
#[derive(Clone, Debug, PartialEq)]
pub struct WindowMemory {
    /// The window's text, a span of `Document::text`.
    pub span: Span,
    /// Tokens the window had.
    pub tokens: usize,
    /// Entries kept per (layer, KV head).
    pub keep: usize,
    /// (n_layer, n_kv_head, keep) position in the window of each entry
    pub pos: Vec<u32>,
    /// (n_layer, n_kv_head, keep) the attention each entry carries
    pub score: Vec<f32>,
    /// (n_layer, n_kv_head, keep, head_dim) f16 bits, un-rotated keys
    pub k: Vec<u16>,
    /// (n_layer, n_kv_head, keep, head_dim) f16 bits
    pub v: Vec<u16>,
}

impl WindowMemory {
    /// Index of (layer, KV head) among the window's entry runs.
    pub fn run(&self, shape: Shape, l: usize, g: usize) -> std::ops::Range<usize> {
        let at = (l * shape.n_kv_head + g) * self.keep;
        at..at + self.keep
    }
}

/// A document read into memory.
#[derive(Clone, Debug, PartialEq)]
pub struct Memory {
    /// SHA-256 of the model file that read it: another model cannot use its keys.
    pub model_sha256: [u8; 32],
    /// SHA-256 of the document's bytes.
    pub doc_sha256: [u8; 32],
    pub shape: Shape,
    pub settings: Settings,
    /// The document's file name and bytes: the memory file carries the document (its outline and
    /// index are rebuilt from them on load, in milliseconds).
    pub doc_name: String,
    pub doc_bytes: Vec<u8>,
    pub windows: Vec<WindowMemory>,
}

impl Memory {
    /// Tokens of the document read so far.
    pub fn tokens(&self) -> usize {
        self.windows.iter().map(|w| w.tokens).sum()
    }

    /// Bytes of the condensed keys, values, scores and positions.
    pub fn kv_bytes(&self) -> usize {
        self.windows.iter().map(|w| w.keep).sum::<usize>() * self.shape.entry_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_picks_the_finest_ratio_that_fits() {
        let shape = Shape { n_layer: 30, n_kv_head: 3, head_dim: 64 };
        assert_eq!(shape.entry_bytes(), 30 * 3 * 264);
        let mb = 1 << 20;
        assert_eq!(shape.ratio_for(10_000, 1024, 256 * mb), Some(4));
        assert_eq!(shape.ratio_for(200_000, 1024, 256 * mb), Some(32));
        assert_eq!(shape.ratio_for(5_000_000, 1024, 256 * mb), None);
        for r in RATIOS {
            assert!(shape.bytes(100_000, 1024, r) >= 100_000 / r * shape.entry_bytes());
        }
    }
}
