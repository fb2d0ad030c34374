//! Heading detection in text: chapter / part / book / volume lines and Markdown headings.

use super::Heading;
use crate::doc::Document;

pub(super) fn detect(doc: &Document) -> Vec<Heading> {
    let _ = doc;
    Vec::new()
}
