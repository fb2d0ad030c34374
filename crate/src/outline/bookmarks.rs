//! A PDF's own bookmarks as the outline: titles, levels and pages exactly, spans resolved.
//!
//! A bookmark's section starts at its title's line on its target page when that line can be
//! found (compared without case and whitespace), else at the start of that page.

use super::layout::patterns::label_depth;
use super::{Heading, OutlineNode, tree};
use crate::doc::{Bookmark, Document};

pub(super) fn outline(doc: &Document, marks: &[Bookmark]) -> Vec<OutlineNode> {
    let mut headings: Vec<Heading> = Vec::with_capacity(marks.len());
    // Bookmarks without a destination inherit the previous one's page, so sections stay in order.
    let mut last_page = doc.pages.first().map_or(1, |p| p.number);
    for mark in marks {
        let page = mark.page.unwrap_or(last_page);
        last_page = page;
        // Several bookmarks on one page: look for each title after the previous one's line.
        let from = headings.last().filter(|h| h.page == page).map_or(0, |h| h.start);
        let start =
            title_line(doc, page, &mark.title, from).unwrap_or_else(|| page_start(doc, page).max(from));
        headings.push(Heading { title: mark.title.clone(), level: mark.level, start, page });
    }
    tree(doc, headings)
}

fn page_start(doc: &Document, page: u32) -> usize {
    let i = doc.pages.partition_point(|p| p.number < page);
    doc.pages.get(i).or(doc.pages.last()).map_or(0, |p| p.span.start)
}

/// Byte offset of the line on `page` (at or after `from`) that best matches `title`:
/// the same text, else the title after a section label ("7.1 The read.table() function": the
/// bookmark often drops the number the page shows), else a line that starts the title or that
/// the title starts with, else a line containing it (a mention in prose ranks last).
fn title_line(doc: &Document, page: u32, title: &str, from: usize) -> Option<usize> {
    let want = squash(title);
    if want.is_empty() {
        return None;
    }
    let first = doc.blocks.partition_point(|b| b.page < page);
    let lines = doc.blocks[first..].iter().take_while(|b| b.page == page).filter(|b| b.span.start >= from);
    let mut best: Option<(u8, usize)> = None;
    for b in lines {
        let have = squash(doc.slice(b.span));
        let rank = if have == want {
            0
        } else if have.ends_with(&want) && label_depth(doc.slice(b.span)).is_some() {
            1
        } else if have.chars().count() >= 3 && (want.starts_with(&have) || have.starts_with(&want)) {
            2
        } else if have.contains(&want) {
            3
        } else {
            continue;
        };
        if best.is_none_or(|(r, _)| rank < r) {
            best = Some((rank, b.span.start));
        }
    }
    best.map(|(_, start)| start)
}

/// Lower case without any whitespace: titles and lines compare equal across line breaks.
pub(super) fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}
