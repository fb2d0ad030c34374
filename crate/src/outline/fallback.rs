//! Sections for documents with no detectable structure: page ranges or fixed-size chunks,
//! titled by their first line.

use super::Heading;
use crate::doc::Document;

pub(super) fn sections(doc: &Document) -> Vec<Heading> {
    let _ = doc;
    Vec::new()
}
