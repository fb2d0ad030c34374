//! Heading detection in PDFs without bookmarks: the document's lines (blocks with font size
//! and weight) in, headings in reading order with levels out.
//!
//! A line is a heading candidate when it starts a paragraph, is short, and is set larger than
//! the body text or in bold; wrapped headings (following lines in the same style) are joined.
//! Running headers and footers (the same text at the top or bottom of many pages), the printed
//! table of contents' pages, contents and index entries (dot leaders, trailing page numbers) and captions are never headings, nor
//! is a style whose lines are mostly the same few labels ("Note", "Arguments").
//! Levels come from ranking the heading styles by size, then weight, then numbering depth.

use std::collections::{HashMap, HashSet};

pub(super) mod patterns;
pub(super) mod scorer;

use super::Heading;
use crate::doc::{Block, Document};
use patterns::{
    MAX_LINE_CHARS, bare_label, caption, contents_entry, join_line, label_depth, plausible_title,
};
/// A heading wraps onto at most this many lines.
const MAX_HEADING_LINES: usize = 3;

/// Font size (in half points) and weight: the typographic style of a line.
type Style = (i32, bool);

fn style(b: &Block) -> Style {
    ((b.font_size * 2.0).round() as i32, b.bold)
}

/// What every line is checked against: the lines that can never be headings, and the
/// document-wide numbers the scorer's signals are relative to.
struct Gates<'a> {
    doc: &'a Document,
    furniture: HashSet<(u32, usize)>,
    toc_styles: HashMap<u32, Vec<Style>>,
    toc_pages: Option<(u32, u32)>,
    ctx: scorer::Context,
}

impl<'a> Gates<'a> {
    fn new(doc: &'a Document) -> Gates<'a> {
        Gates {
            doc,
            furniture: furniture(doc),
            toc_styles: contents_styles(doc),
            toc_pages: super::toc::contents_pages(doc),
            ctx: scorer::Context::new(doc, body_size(doc)),
        }
    }

    fn para_start(&self, i: usize) -> bool {
        let blocks = &self.doc.blocks;
        let b = &blocks[i];
        i == 0
            || blocks[i - 1].page != b.page
            || self.doc.text.get(b.span.start.saturating_sub(2)..b.span.start) == Some("\n\n")
    }

    /// A line that may be a heading: it starts a paragraph, is short, has letters, and is not
    /// a running head, a contents or index entry, or a caption.
    fn open(&self, i: usize) -> bool {
        let b = &self.doc.blocks[i];
        let text = self.doc.slice(b.span);
        let on_toc_page = self.toc_pages.is_some_and(|(first, last)| (first..=last).contains(&b.page));
        self.para_start(i)
            && text.chars().count() <= MAX_LINE_CHARS
            && text.chars().any(char::is_alphabetic)
            && !self.furniture.contains(&(b.page, i))
            && !on_toc_page
            && !self.toc_styles.get(&b.page).is_some_and(|s| s.contains(&style(b)))
            && !contents_entry(text)
            && !caption(text)
    }

    fn features(&self, i: usize) -> [f32; scorer::FEATURES] {
        let blocks = &self.doc.blocks;
        let j = i + 1;
        let ends = j >= blocks.len()
            || blocks[j].page != blocks[i].page
            || self.para_start(j)
            || style(&blocks[j]) != style(&blocks[i]);
        scorer::features(self.doc, &self.ctx, i, ends)
    }
}

/// The scorer's signals of every line that may be a heading, with `is_heading(text, page)`
/// as its label (for fitting the weights).
pub(in crate::outline) fn samples(
    doc: &Document,
    is_heading: impl Fn(&str, u32) -> bool,
) -> Vec<([f32; scorer::FEATURES], bool)> {
    let gates = Gates::new(doc);
    (0..doc.blocks.len())
        .filter(|&i| gates.open(i))
        .map(|i| {
            let b = &doc.blocks[i];
            (gates.features(i), is_heading(doc.slice(b.span), b.page))
        })
        .collect()
}

pub(super) fn detect(doc: &Document) -> Vec<Heading> {
    detect_with(doc, &scorer::IN_USE)
}

/// Headings by the scorer with weights `w`.
pub(in crate::outline) fn detect_with(doc: &Document, w: &scorer::Weights) -> Vec<Heading> {
    let blocks = &doc.blocks;
    if blocks.is_empty() {
        return Vec::new();
    }
    let gates = Gates::new(doc);
    let body = gates.ctx.body;
    let para_start = |i: usize| gates.para_start(i);

    let mut found: Vec<(Heading, Style, bool)> = Vec::new();
    let mut i = 0;
    while i < blocks.len() {
        let b = &blocks[i];
        let text = doc.slice(b.span);
        let st = style(b);
        if !(gates.open(i) && scorer::score(w, &gates.features(i)) > 0.0) {
            i += 1;
            continue;
        }
        // A bare label ("Chapter 3", "Appendix A") takes the title on the next line with it,
        // whatever its style.
        let mut j = i + 1;
        let mut title = text.to_string();
        if bare_label(text) && j < blocks.len() && blocks[j].page == b.page {
            let next = doc.slice(blocks[j].span);
            if next.chars().count() <= MAX_LINE_CHARS
                && !contents_entry(next)
                && (blocks[j].bold || blocks[j].font_size >= body + 0.8)
            {
                join_line(&mut title, next);
                j += 1;
            }
        }
        let st = if j > i + 1 { style(&blocks[j - 1]) } else { st };
        // Join the heading's wrapped lines: same page and style, no paragraph break between.
        while j < blocks.len()
            && j - i < MAX_HEADING_LINES
            && blocks[j].page == b.page
            && style(&blocks[j]) == st
            && !para_start(j)
        {
            join_line(&mut title, doc.slice(blocks[j].span));
            j += 1;
        }
        // A heading ends its paragraph or its style does; a style run that keeps going is a
        // bold paragraph.
        let isolated = j >= blocks.len() || para_start(j) || style(&blocks[j]) != st;
        if isolated && plausible_title(&title) {
            let numbered = label_depth(&title).is_some();
            found.push((Heading { title, level: 1, start: b.span.start, page: b.page }, st, numbered));
        }
        i = j;
    }
    drop_label_styles(&mut found);
    drop_repeated(&mut found);
    drop_unnumbered_in_numbered_styles(&mut found);
    drop_title_block(&mut found, doc.pages.len());
    assign_levels(found)
}

/// The font size (to half a point) carrying the most text.
fn body_size(doc: &Document) -> f32 {
    let mut chars: HashMap<i32, usize> = HashMap::new();
    for b in &doc.blocks {
        *chars.entry((b.font_size * 2.0).round() as i32).or_default() += b.span.len();
    }
    chars.into_iter().max_by_key(|&(size, n)| (n, size)).map_or(0.0, |(size, _)| size as f32 / 2.0)
}

/// Running headers and footers: among the first two and last two lines of each page, those
/// whose text (digits aside) recurs on at least 3 pages and a tenth of them. Keyed by
/// (page, block index).
pub(super) fn furniture(doc: &Document) -> HashSet<(u32, usize)> {
    let blocks = &doc.blocks;
    let mut edges: Vec<(u32, usize, String)> = Vec::new();
    let mut start = 0;
    while start < blocks.len() {
        let page = blocks[start].page;
        let end = start + blocks[start..].iter().take_while(|b| b.page == page).count();
        let mut picks: Vec<usize> = (start..end.min(start + 2)).collect();
        picks.extend(end.saturating_sub(2).max(start + 2)..end);
        for k in picks {
            let text = doc.slice(blocks[k].span);
            // Page numbers vary, so digits are ignored, except in a bare "Chapter 7" that
            // opens a chapter at the top of its page.
            let keep_digits = bare_label(text);
            let key: String = text
                .chars()
                .filter(|c| !c.is_whitespace() && (keep_digits || !c.is_ascii_digit()))
                .flat_map(char::to_lowercase)
                .collect();
            edges.push((page, k, key));
        }
        start = end;
    }
    let mut pages_of: HashMap<&str, Vec<u32>> = HashMap::new();
    for (page, _, key) in &edges {
        let pages = pages_of.entry(key.as_str()).or_default();
        if pages.last() != Some(page) {
            pages.push(*page);
        }
    }
    let threshold = 3.max(doc.pages.len() / 10);
    edges
        .iter()
        .filter(|(_, _, key)| pages_of.get(key.as_str()).is_some_and(|p| p.len() >= threshold))
        .map(|(page, k, _)| (*page, *k))
        .collect()
}

/// For pages that look like a table of contents or an index (3 or more entry lines), the
/// styles of those entries: other lines in the same style there are entries too.
fn contents_styles(doc: &Document) -> HashMap<u32, Vec<Style>> {
    let mut entries: HashMap<u32, Vec<Style>> = HashMap::new();
    for b in &doc.blocks {
        if contents_entry(doc.slice(b.span)) {
            entries.entry(b.page).or_default().push(style(b));
        }
    }
    entries.retain(|_, styles| styles.len() >= 3);
    for styles in entries.values_mut() {
        styles.sort_unstable();
        styles.dedup();
    }
    entries
}

/// Drops unnumbered headings whose text occurs three times or more: recurring labels such as
/// "Note" or "Examples" mark blocks, not sections.
fn drop_repeated(found: &mut Vec<(Heading, Style, bool)>) {
    let mut count: HashMap<String, usize> = HashMap::new();
    for (h, _, _) in found.iter() {
        *count.entry(h.title.to_lowercase()).or_default() += 1;
    }
    found.retain(|(h, _, numbered)| *numbered || count.get(&h.title.to_lowercase()).is_none_or(|n| *n < 3));
}

/// Below the top numbered level, a style whose headings are mostly numbered ("2.3 Methods")
/// makes its unnumbered lines run-in sub-headings or labels, not sections. The top level keeps
/// them: "Preface", "Contents", "References" are chapters without numbers.
fn drop_unnumbered_in_numbered_styles(found: &mut Vec<(Heading, Style, bool)>) {
    let mut stats: HashMap<Style, (usize, usize)> = HashMap::new();
    for (_, st, numbered) in found.iter() {
        let e = stats.entry(*st).or_default();
        e.0 += 1;
        e.1 += usize::from(*numbered);
    }
    let mostly_numbered = |st: &Style| stats.get(st).is_some_and(|&(n, k)| n >= 3 && k * 5 >= n * 3);
    let Some(top) = stats.keys().filter(|st| mostly_numbered(st)).max().copied() else { return };
    found.retain(|(_, st, numbered)| *numbered || *st >= top || !mostly_numbered(st));
}

/// The title block of a paper or book (title, authors, affiliations) is set in styles used on
/// that one early page only; those lines are not sections. Only for documents long enough to
/// tell (a two-page note keeps all its headings).
fn drop_title_block(found: &mut Vec<(Heading, Style, bool)>, pages: usize) {
    if pages < 4 {
        return;
    }
    let mut pages_of: HashMap<Style, Vec<u32>> = HashMap::new();
    for (h, st, _) in found.iter() {
        let p = pages_of.entry(*st).or_default();
        if !p.contains(&h.page) {
            p.push(h.page);
        }
    }
    found.retain(|(h, st, numbered)| *numbered || h.page > 3 || pages_of.get(st).is_none_or(|p| p.len() > 1));
}

/// Drops the unnumbered headings of styles that mostly repeat a few texts: admonition labels
/// ("Note", "Warning") and reference-page parts ("Arguments", "Value") are not sections.
fn drop_label_styles(found: &mut Vec<(Heading, Style, bool)>) {
    let mut by_style: HashMap<Style, (usize, Vec<String>)> = HashMap::new();
    for (h, st, _) in found.iter() {
        let entry = by_style.entry(*st).or_default();
        entry.0 += 1;
        entry.1.push(h.title.to_lowercase());
    }
    let labels: Vec<Style> = by_style
        .into_iter()
        .filter_map(|(st, (n, mut titles))| {
            titles.sort_unstable();
            titles.dedup();
            (n >= 6 && titles.len() * 10 < n * 3).then_some(st)
        })
        .collect();
    found.retain(|(_, st, numbered)| *numbered || !labels.contains(st));
}

/// Levels from both signals: the rank of the heading's style among all heading styles (larger
/// first, bold before regular at the same size), then, inside one style, the depth of its
/// numbering ("2.1" above "2.1.3" when both are set alike). Levels are the dense ranks of
/// those (style rank, extra depth) pairs, nested without gaps.
fn assign_levels(found: Vec<(Heading, Style, bool)>) -> Vec<Heading> {
    let mut styles: Vec<Style> = found.iter().map(|(_, st, _)| *st).collect();
    styles.sort_unstable_by(|a, b| b.cmp(a));
    styles.dedup();
    let rank = |st: &Style| styles.iter().position(|s| s == st).unwrap_or(0);
    let mut shallowest: HashMap<Style, usize> = HashMap::new();
    for (h, st, _) in &found {
        if let Some(d) = label_depth(&h.title) {
            let e = shallowest.entry(*st).or_insert(d);
            *e = (*e).min(d);
        }
    }
    let key = |h: &Heading, st: &Style| {
        let extra = label_depth(&h.title).zip(shallowest.get(st)).map_or(0, |(d, min)| d - min);
        (rank(st), extra)
    };
    let mut keys: Vec<(usize, usize)> = found.iter().map(|(h, st, _)| key(h, st)).collect();
    keys.sort_unstable();
    keys.dedup();
    // A heading's level is one below the nearest earlier heading of a higher rank, so that a
    // style used only in the front matter does not leave a gap in every chapter.
    let mut open: Vec<usize> = Vec::new();
    found
        .iter()
        .map(|(h, st, _)| {
            let k = key(h, st);
            let rank = keys.iter().position(|x| *x == k).unwrap_or(0);
            while open.last().is_some_and(|&r| r >= rank) {
                open.pop();
            }
            open.push(rank);
            Heading { level: open.len() as u32, ..h.clone() }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_from_style_then_numbering_depth() {
        let h =
            |title: &str, st: Style| (Heading { title: title.into(), level: 0, start: 0, page: 1 }, st, true);
        let big = (30, true);
        let bold = (22, true);
        let found = vec![
            h("Front matter", (20, true)),
            h("1 Intro", big),
            h("1.1 Scope", bold),
            h("1.1.1 Detail", bold),
            h("1.2 Plan", bold),
            h("2 Methods", big),
        ];
        let levels: Vec<u32> = assign_levels(found).into_iter().map(|h| h.level).collect();
        assert_eq!(levels, vec![1, 1, 2, 3, 2, 1]);
    }
}
