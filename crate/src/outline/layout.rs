//! Heading detection in PDFs without bookmarks: font size, weight, numbering, isolated lines.

use super::Heading;
use crate::doc::Document;

pub(super) fn detect(doc: &Document) -> Vec<Heading> {
    let _ = doc;
    Vec::new()
}
