//! PDF reading: text lines with positions and fonts, pages, bookmarks.

use super::Document;
use crate::error::{Error, Result};

pub(super) fn looks_like_pdf(bytes: &[u8]) -> bool {
    bytes.iter().take(1024).collect::<Vec<_>>().windows(5).any(|w| w.iter().map(|b| **b).eq(*b"%PDF-"))
}

pub(super) fn read(name: &str, bytes: &[u8]) -> Result<Document> {
    let _ = (name, bytes);
    Err(Error::Unsupported { detail: "PDF reading is not built yet".into() })
}
