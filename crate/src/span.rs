//! Spans: half-open byte ranges into `Document::text`.
//!
//! Inside the library spans are byte offsets (cheap slicing). Everything shown outside
//! (CLI JSON, the eval, the web page) speaks Unicode code points, converted with [`CharIndex`].

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end);
        Span { start, end }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    pub fn contains(&self, pos: usize) -> bool {
        self.start <= pos && pos < self.end
    }
}

/// Byte offset <-> code point offset conversion for one text, O(log n) per lookup.
///
/// Keeps the code point count at every 256th byte boundary that starts a character.
#[derive(Debug, Clone, Default)]
pub struct CharIndex {
    /// (byte offset, char offset) checkpoints, increasing in both.
    checkpoints: Vec<(usize, usize)>,
}

const STRIDE: usize = 256;

impl CharIndex {
    pub fn new(text: &str) -> Self {
        let mut checkpoints = Vec::with_capacity(text.len() / STRIDE + 1);
        let mut chars = 0;
        let mut next = 0;
        for (byte, _) in text.char_indices() {
            if byte >= next {
                checkpoints.push((byte, chars));
                next = byte + STRIDE;
            }
            chars += 1;
        }
        checkpoints.push((text.len(), chars));
        CharIndex { checkpoints }
    }

    /// Code point offset of a byte offset (which must lie on a char boundary of the text).
    pub fn to_char(&self, text: &str, byte: usize) -> usize {
        let i = self.checkpoints.partition_point(|&(b, _)| b <= byte).saturating_sub(1);
        let Some(&(b, c)) = self.checkpoints.get(i) else {
            return 0;
        };
        c + text.get(b..byte.min(text.len())).map_or(0, |s| s.chars().count())
    }

    /// Byte offset of a code point offset (clamped to the end of the text).
    pub fn to_byte(&self, text: &str, ch: usize) -> usize {
        let i = self.checkpoints.partition_point(|&(_, c)| c <= ch).saturating_sub(1);
        let Some(&(b, c)) = self.checkpoints.get(i) else {
            return 0;
        };
        text[b..].char_indices().nth(ch - c).map_or(text.len(), |(o, _)| b + o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_index_round_trips_on_mixed_scripts() {
        let text = "abc 中文字符 é ".repeat(100) + "end";
        let idx = CharIndex::new(&text);
        for (ci, (bi, _)) in text.char_indices().enumerate() {
            assert_eq!(idx.to_char(&text, bi), ci);
            assert_eq!(idx.to_byte(&text, ci), bi);
        }
        assert_eq!(idx.to_char(&text, text.len()), text.chars().count());
        assert_eq!(idx.to_byte(&text, 1 << 30), text.len());
    }
}
