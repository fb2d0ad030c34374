//! Plain text and Markdown: decoding, Project Gutenberg boilerplate, lines as blocks.

use super::Document;
use crate::error::{Error, Result};

pub(super) fn read(name: &str, bytes: &[u8], markdown: bool) -> Result<Document> {
    let _ = (name, bytes, markdown);
    Err(Error::Unsupported { detail: "text reading is not built yet".into() })
}
