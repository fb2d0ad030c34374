//! Printed tables of contents: a PDF's own contents pages in, headings at the body lines they
//! point to out (used when the PDF has no bookmarks, or they are ignored).
//!
//! - Contents pages: a run of pages near the front whose rows mostly end in a page number
//!   (arabic, or roman for the front matter), with or without dot leaders, possibly opened by a
//!   "Contents" / "Table of Contents" / "目录" header. A "List of Figures" header ends the run.
//! - Hierarchy: the entry's distance from the page's right edge (where page numbers align),
//!   so odd and even pages with different margins agree; ranks of those indents are levels.
//! - Printed numbers to PDF pages: the offset most entries agree on when their titles are
//!   looked up among the body's lines (one offset for arabic numbers, one for roman).
//! - Each entry then resolves to its title's line on that page, as a bookmark does.

use std::collections::HashMap;

use super::bookmarks::squash;
use super::layout::furniture;
use super::layout::patterns::{caption, label_depth};
use crate::doc::{Block, Bookmark, Document};

/// A table of contents starts within the first this many pages (or the first twentieth).
const FRONT_PAGES: u32 = 16;
/// And runs for at most this many pages.
const MAX_TOC_PAGES: u32 = 120;
/// A contents page has at least this many entry rows (fewer when under a contents header)...
const MIN_ENTRIES: usize = 4;
/// ...making up at least this share (in percent) of its rows.
const MIN_ENTRY_SHARE: usize = 50;
/// Indents closer than this (points) are one level.
const INDENT_SLACK: f32 = 4.0;
/// Body lines longer than this are prose, not headings: not looked up.
const MAX_HEADING_CHARS: usize = 160;

/// The contents header's text and page, when the contents open with one.
type Header = Option<(String, u32)>;

/// A row of a contents page parsed as an entry.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    title: String,
    printed: Printed,
    /// Distance (points) from the row's left edge to the right edge of the page's rows.
    from_right: f32,
    /// PDF page of the contents row.
    toc_page: u32,
    /// The first or last row of its page (where running heads sit).
    edge: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Printed {
    Arabic(u32),
    Roman(u32),
}

/// The printed table of contents as bookmarks (title, level, PDF page), or None when the
/// document has no contents pages or their numbers cannot be tied to its pages.
pub(super) fn bookmarks(doc: &Document) -> Option<Vec<Bookmark>> {
    let (header, entries) = contents(doc)?;
    let toc_pages = page_range(&header, &entries)?;
    let levels = levels(&entries);
    let arabic = offset(doc, &entries, toc_pages, false)?;
    let roman = offset(doc, &entries, toc_pages, true).unwrap_or(0);
    let pages = doc.pages.len() as i64;
    // The contents page itself is not listed: it is not a section of the body.
    let mut marks: Vec<Bookmark> = Vec::with_capacity(entries.len());
    for (e, level) in entries.into_iter().zip(levels) {
        let page = match e.printed {
            Printed::Arabic(n) => n as i64 + arabic,
            Printed::Roman(n) => n as i64 + roman,
        };
        if (1..=pages).contains(&page) {
            marks.push(Bookmark { title: e.title, level, page: Some(page as u32) });
        }
    }
    (marks.len() >= MIN_ENTRIES).then_some(marks)
}

/// The PDF pages (first, last) of the printed table of contents, if there is one: their lines
/// are entries, never headings of the body.
pub(super) fn contents_pages(doc: &Document) -> Option<(u32, u32)> {
    let (header, entries) = contents(doc)?;
    page_range(&header, &entries)
}

fn page_range(header: &Header, entries: &[Entry]) -> Option<(u32, u32)> {
    let first = header.as_ref().map(|(_, p)| *p).or(entries.first().map(|e| e.toc_page))?;
    Some((first, entries.last().map_or(first, |e| e.toc_page)))
}

/// The contents pages' header (its text and page) and entries, in order.
fn contents(doc: &Document) -> Option<(Header, Vec<Entry>)> {
    let last_start = FRONT_PAGES.max(doc.pages.len() as u32 / 20);
    let mut header = None;
    let mut entries: Vec<Entry> = Vec::new();
    let mut first_page: Option<u32> = None;
    for (page, blocks) in pages(doc) {
        let Some(first) = first_page else {
            if page > last_start {
                return None;
            }
            if let Some((found, head)) = contents_page(doc, page, &blocks) {
                first_page = Some(page);
                header = head.map(|h| (h, page));
                entries = found;
            }
            continue;
        };
        if page > first + MAX_TOC_PAGES {
            break;
        }
        // A continuation page may repeat the header as a running head.
        match contents_page(doc, page, &blocks) {
            Some((found, _)) => entries.extend(found),
            None => break,
        }
    }
    // A running head that ends in the page number ("Debian Reference iii") is not an entry: the
    // same title at the edge of several contents pages.
    let mut at_edges: HashMap<String, usize> = HashMap::new();
    for e in entries.iter().filter(|e| e.edge) {
        *at_edges.entry(squash(&e.title)).or_default() += 1;
    }
    entries.retain(|e| !e.edge || at_edges.get(&squash(&e.title)).is_none_or(|n| *n < 2));
    (entries.len() >= MIN_ENTRIES).then_some((header, entries))
}

/// The document's blocks page by page, running heads and footers left out.
fn pages(doc: &Document) -> impl Iterator<Item = (u32, Vec<&Block>)> {
    let furniture = furniture(doc);
    let mut at = 0;
    std::iter::from_fn(move || {
        let page = doc.blocks.get(at)?.page;
        let n = doc.blocks[at..].iter().take_while(|b| b.page == page).count();
        let kept =
            (at..at + n).filter(|k| !furniture.contains(&(page, *k))).map(|k| &doc.blocks[k]).collect();
        at += n;
        Some((page, kept))
    })
}

/// A page's entries when it is a contents page, with its header when it opens with one. A
/// page that opens with another list's header ("List of Figures") ends the contents.
fn contents_page(doc: &Document, page: u32, blocks: &[&Block]) -> Option<(Vec<Entry>, Option<String>)> {
    let rows = rows(doc, blocks);
    let mut header = None;
    let mut parsed: Vec<(Option<(String, Printed)>, &Row)> = Vec::new();
    let mut counted = 0;
    for row in &rows {
        let text = row.text.trim();
        if header.is_none() && parsed.iter().all(|(e, _)| e.is_none()) {
            match list_header(text) {
                Some(true) => {
                    header = Some(text.to_string());
                    continue;
                }
                Some(false) => return None,
                None => {}
            }
        } else if list_header(text) == Some(false) {
            break;
        }
        // Page numbers and running heads alone on a row are furniture.
        if page_number(text).is_some() {
            continue;
        }
        counted += 1;
        parsed.push((entry(text), row));
    }
    let found = parsed.iter().filter(|(e, _)| e.is_some()).count();
    let enough = if header.is_some() { 2 } else { MIN_ENTRIES };
    if found < enough || found * 100 < counted * MIN_ENTRY_SHARE {
        return None;
    }
    let right_edge = right_edges(parsed.iter().filter(|(e, _)| e.is_some()).map(|(_, r)| r.x1).collect());
    let mut entries = Vec::new();
    // A title wrapped over two rows: the row without a number joins the entry after it, which
    // keeps the first row's indent.
    let mut pending: Option<(String, f32)> = None;
    let last = parsed.len().saturating_sub(1);
    for (k, (e, row)) in parsed.into_iter().enumerate() {
        match e {
            Some((title, printed)) => {
                let (title, x0) = match pending.take() {
                    // Not when this row starts its own numbered entry.
                    Some((head, x0)) if x0 <= row.x0 + INDENT_SLACK && label_depth(&title).is_none() => {
                        (format!("{head} {title}"), x0)
                    }
                    _ => (title, row.x0),
                };
                if !caption(&title) {
                    let from_right = right_edge.unwrap_or(row.x1) - x0;
                    let edge = k == 0 || k == last;
                    entries.push(Entry { title, printed, from_right, toc_page: page, edge });
                }
            }
            None if !entries.is_empty() || header.is_some() => {
                pending = Some((row.text.trim().to_string(), row.x0));
            }
            None => {}
        }
    }
    Some((entries, header))
}

/// Where indents are measured from: None when the entries' page numbers are right-aligned
/// (each row's own right end is its column's edge, so two-column contents work), else the
/// rightmost end of the page's entries.
fn right_edges(mut ends: Vec<f32>) -> Option<f32> {
    ends.sort_unstable_by(f32::total_cmp);
    let mut clusters: Vec<usize> = Vec::new();
    for (k, x) in ends.iter().enumerate() {
        match clusters.last_mut() {
            Some(n) if k > 0 && x - ends[k - 1] <= INDENT_SLACK => *n += 1,
            _ => clusters.push(1),
        }
    }
    clusters.sort_unstable_by(|a, b| b.cmp(a));
    let aligned: usize = clusters.iter().take(2).sum();
    if aligned * 10 >= ends.len() * 7 { None } else { ends.last().copied() }
}

/// Some(true) for a contents header, Some(false) for the header of another list that may
/// follow the contents (figures, tables), None for anything else.
fn list_header(text: &str) -> Option<bool> {
    // A running head may set the header twice on one row ("Contents  Contents").
    let words: Vec<&str> = text.split_whitespace().collect();
    let text = match words.as_slice() {
        [first, rest @ ..] if !rest.is_empty() && rest.iter().all(|w| w == first) => first,
        _ => text,
    };
    let t: String = text.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect();
    match t.as_str() {
        "contents" | "tableofcontents" | "目录" | "目錄" | "inhalt" | "inhaltsverzeichnis" | "sommaire"
        | "índice" | "indice" => Some(true),
        "listoffigures" | "listoftables" | "figures" | "tables" | "插图清单" | "插图" | "附表清单"
        | "表格" => Some(false),
        _ => None,
    }
}

/// One baseline of a page: its blocks joined left to right.
struct Row {
    text: String,
    x0: f32,
    x1: f32,
}

/// Blocks that share a baseline form one row (a page number the layout set apart joins its title).
fn rows(doc: &Document, blocks: &[&Block]) -> Vec<Row> {
    let mut rows: Vec<(f32, Row)> = Vec::new();
    for b in blocks {
        let text = doc.slice(b.span);
        match rows.last_mut() {
            // Not after a complete entry: two columns of contents share baselines.
            Some((y, row))
                if (b.bbox[3] - *y).abs() < 2.0 && b.bbox[0] >= row.x1 && entry(&row.text).is_none() =>
            {
                row.text.push(' ');
                row.text.push_str(text);
                row.x1 = b.bbox[2];
            }
            _ => rows.push((b.bbox[3], Row { text: text.to_string(), x0: b.bbox[0], x1: b.bbox[2] })),
        }
    }
    rows.into_iter().map(|(_, r)| r).collect()
}

/// A contents row: a title with letters, then (after optional dot leaders) a page number.
fn entry(text: &str) -> Option<(String, Printed)> {
    let by_space = text.trim_end().rsplit_once(char::is_whitespace);
    let (head, printed) = match by_space.and_then(|(head, last)| Some((head, page_number(last)?))) {
        Some(found) => found,
        None => split_glued(text).and_then(|(head, last)| Some((head, page_number(last)?)))?,
    };
    let title =
        head.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '.' | '·' | '…' | '․' | '‥'));
    // The leaders took an abbreviation's period with them ("Options, etc. . . . 5").
    let title = match head[title.len()..].starts_with('.') && ends_in_abbreviation(title) {
        true => &head[..title.len() + 1],
        false => title,
    };
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    // A title has words; "Fig. 3 12" or "2019 14" are not entries.
    if !title.chars().any(|c| c.is_alphabetic()) {
        return None;
    }
    Some((title, printed))
}

/// "etc", "al" ("et al."), "vs", "cf": words always written with a period.
fn ends_in_abbreviation(title: &str) -> bool {
    let last = title.rsplit(|c: char| !c.is_alphabetic()).next().unwrap_or("");
    ["etc", "al", "vs", "cf"].contains(&last)
}

/// "Preface.......7": dot leaders glued to the number and the title.
fn split_glued(text: &str) -> Option<(&str, &str)> {
    let t = text.trim_end();
    let head = t.trim_end_matches(|c: char| c.is_ascii_digit() || matches!(c, 'i' | 'v' | 'x' | 'l' | 'c'));
    (head.len() < t.len() && head.ends_with(['.', '·', '…'])).then(|| (head, &t[head.len()..]))
}

/// A printed page number: arabic up to 5 digits, or a lower-case roman numeral.
fn page_number(text: &str) -> Option<Printed> {
    let t = text.trim();
    if !t.is_empty() && t.len() <= 5 && t.chars().all(|c| c.is_ascii_digit()) {
        return t.parse().ok().filter(|n| *n > 0).map(Printed::Arabic);
    }
    roman(t).map(Printed::Roman)
}

fn roman(t: &str) -> Option<u32> {
    if t.is_empty() || t.len() > 8 {
        return None;
    }
    let value = |c: char| match c {
        'i' => Some(1),
        'v' => Some(5),
        'x' => Some(10),
        'l' => Some(50),
        'c' => Some(100),
        _ => None,
    };
    let digits: Vec<u32> = t.chars().map(value).collect::<Option<_>>()?;
    let mut total = 0i64;
    for (k, d) in digits.iter().enumerate() {
        if digits.get(k + 1).is_some_and(|next| next > d) {
            total -= i64::from(*d);
        } else {
            total += i64::from(*d);
        }
    }
    let total = u32::try_from(total).ok()?;
    // Only the canonical spelling: words made of these letters ("civil") are not numbers.
    (total > 0 && to_roman(total) == t).then_some(total)
}

fn to_roman(mut n: u32) -> String {
    let mut out = String::new();
    for (value, digits) in
        [(100, "c"), (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

/// Levels from indents: entries set further from the right edge are higher; indents within
/// [`INDENT_SLACK`] of each other share a level.
fn levels(entries: &[Entry]) -> Vec<u32> {
    let mut indents: Vec<f32> = entries.iter().map(|e| e.from_right).collect();
    indents.sort_unstable_by(|a, b| b.total_cmp(a));
    let mut tiers: Vec<f32> = Vec::new();
    for x in indents {
        if tiers.last().is_none_or(|t| t - x > INDENT_SLACK) {
            tiers.push(x);
        }
    }
    entries
        .iter()
        .map(|e| {
            let tier = tiers.iter().position(|t| t - e.from_right <= INDENT_SLACK).unwrap_or(0);
            tier as u32 + 1
        })
        .collect()
}

/// The offset from printed to PDF page numbers that most entries agree on: each entry's title
/// is looked up among the short lines outside the contents pages (a line equal to it, or
/// starting with it), and each page where it is found votes for its offset. None when no
/// offset gets two votes.
fn offset(doc: &Document, entries: &[Entry], toc_pages: (u32, u32), want_roman: bool) -> Option<i64> {
    let wanted: Vec<(String, u32)> = entries
        .iter()
        .filter_map(|e| match (e.printed, want_roman) {
            (Printed::Arabic(n), false) | (Printed::Roman(n), true) => Some((squash(&e.title), n)),
            _ => None,
        })
        .filter(|(t, _)| !t.is_empty())
        .collect();
    if wanted.is_empty() {
        return None;
    }
    // Body lines by their first word, so each title is checked against a few lines only.
    let mut by_word: HashMap<String, Vec<(u32, String)>> = HashMap::new();
    let on_toc = |page: u32| (toc_pages.0..=toc_pages.1).contains(&page);
    for b in doc.blocks.iter().filter(|b| !on_toc(b.page)) {
        let text = doc.slice(b.span);
        if text.len() > MAX_HEADING_CHARS {
            continue;
        }
        let Some(word) = text.split_whitespace().next() else { continue };
        by_word.entry(word.to_lowercase()).or_default().push((b.page, squash(text)));
    }
    let mut votes: HashMap<i64, usize> = HashMap::new();
    for ((title, printed), e) in wanted.iter().zip(entries.iter().filter(|e| {
        matches!((e.printed, want_roman), (Printed::Arabic(_), false) | (Printed::Roman(_), true))
    })) {
        let Some(word) = e.title.split_whitespace().next() else { continue };
        let Some(lines) = by_word.get(&word.to_lowercase()) else { continue };
        let mut seen: Vec<i64> = Vec::new();
        for (page, line) in lines {
            let d = *page as i64 - *printed as i64;
            if line.starts_with(title.as_str()) && !seen.contains(&d) {
                seen.push(d);
                *votes.entry(d).or_default() += 1;
            }
        }
    }
    let (best, n) = votes.into_iter().max_by_key(|&(d, n)| (n, -d.abs()))?;
    (n >= 2).then_some(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_rows_with_leaders_and_numbers() {
        let e = entry;
        assert_eq!(
            e("2.3 Reading data . . . . . . . . 27"),
            Some(("2.3 Reading data".into(), Printed::Arabic(27)))
        );
        assert_eq!(e("Preface.......vii"), Some(("Preface".into(), Printed::Roman(7))));
        assert_eq!(e("Summary of options 112"), Some(("Summary of options".into(), Printed::Arabic(112))));
        assert_eq!(e("In 2019 we saw"), None);
        assert_eq!(e("1998 2004"), None);
        assert_eq!(e("Options, etc. . . . . . 5"), Some(("Options, etc.".into(), Printed::Arabic(5))));
        assert_eq!(e("The window system. . . . 3"), Some(("The window system".into(), Printed::Arabic(3))));
        assert_eq!(e("Acknowledgements ........41"), Some(("Acknowledgements".into(), Printed::Arabic(41))));
    }

    #[test]
    fn roman_numbers() {
        assert_eq!(roman("iv"), Some(4));
        assert_eq!(roman("xii"), Some(12));
        assert_eq!(roman("xl"), Some(40));
        assert_eq!(roman("index"), None);
        assert_eq!(roman("civil"), None);
        assert_eq!(roman("iiii"), None);
    }

    #[test]
    fn contents_headers() {
        assert_eq!(list_header("Table of Contents"), Some(true));
        assert_eq!(list_header("目 录"), Some(true));
        assert_eq!(list_header("目录 目录"), Some(true));
        assert_eq!(list_header("List of Figures"), Some(false));
        assert_eq!(list_header("Introduction"), None);
    }

    #[test]
    fn levels_from_indent_across_margins() {
        let at = |from_right: f32| Entry {
            title: "x".into(),
            printed: Printed::Arabic(1),
            from_right,
            toc_page: 1,
            edge: false,
        };
        // Chapter at 400 pt from the right edge, sections 15 pt in, subsections 30 pt in, with
        // a point of jitter.
        let entries = [at(400.0), at(385.0), at(370.5), at(384.0), at(399.0)];
        assert_eq!(levels(&entries), vec![1, 2, 3, 2, 1]);
    }
}
