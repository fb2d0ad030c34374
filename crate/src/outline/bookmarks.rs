//! A PDF's own bookmarks as the outline: titles, levels and pages exactly, spans resolved.
//!
//! A bookmark's section starts at its title's line on its target page when that line can be
//! found (compared without case and whitespace), else at the start of that page.
//!
//! Each page's lines are squashed once and exact titles found through a map, so thousands of
//! bookmarks over thousands of lines cost their sum, not their product; the looser matches scan
//! lines within a budget, past which a bookmark not found exactly starts at its page.

use std::collections::HashMap;

use super::layout::patterns::label_depth;
use super::{Heading, OutlineNode, tree};
use crate::doc::{Bookmark, Document};

pub(super) fn outline(doc: &Document, marks: &[Bookmark]) -> Vec<OutlineNode> {
    let mut headings: Vec<Heading> = Vec::with_capacity(marks.len());
    // Bookmarks without a destination inherit the previous one's page, so sections stay in order.
    let mut last_page = doc.pages.first().map_or(1, |p| p.number);
    let mut lines = Lines { doc, pages: HashMap::new(), budget: LOOSE_BUDGET };
    for mark in marks {
        let page = mark.page.unwrap_or(last_page);
        last_page = page;
        // Several bookmarks on one page: look for each title after the previous one's line.
        let from = headings.last().filter(|h| h.page == page).map_or(0, |h| h.start);
        let start =
            lines.title_line(page, &mark.title, from).unwrap_or_else(|| page_start(doc, page).max(from));
        headings.push(Heading { title: mark.title.clone(), level: mark.level, start, page });
    }
    tree(doc, headings)
}

fn page_start(doc: &Document, page: u32) -> usize {
    let i = doc.pages.partition_point(|p| p.number < page);
    doc.pages.get(i).or(doc.pages.last()).map_or(0, |p| p.span.start)
}

/// Line comparisons the loose matches may spend on one document.
const LOOSE_BUDGET: usize = 4_000_000;

/// One line of a page: squashed text, start offset, whether it opens with a section label,
/// whether it is the page's first or last (where running heads sit).
struct Line {
    squashed: String,
    start: usize,
    labelled: bool,
    edge: bool,
}

#[derive(Default)]
struct PageLines {
    lines: Vec<Line>,
    /// Squashed text → indices into `lines`, in order.
    exact: HashMap<String, Vec<usize>>,
}

/// The document's lines, squashed a page at a time as bookmarks ask for them.
struct Lines<'a> {
    doc: &'a Document,
    pages: HashMap<u32, PageLines>,
    budget: usize,
}

impl Lines<'_> {
    fn page(&mut self, page: u32) -> &PageLines {
        let doc = self.doc;
        self.pages.entry(page).or_insert_with(|| {
            let first = doc.blocks.partition_point(|b| b.page < page);
            let mut p = PageLines::default();
            let blocks = doc.blocks[first..].iter().take_while(|b| b.page == page);
            let n = blocks.clone().count();
            for (i, b) in blocks.enumerate() {
                let text = doc.slice(b.span);
                let squashed = squash(text);
                p.exact.entry(squashed.clone()).or_default().push(p.lines.len());
                let (labelled, edge) = (label_depth(text).is_some(), i == 0 || i + 1 == n);
                p.lines.push(Line { squashed, start: b.span.start, labelled, edge });
            }
            p
        })
    }

    /// Byte offset of the line on `page` (at or after `from`) that best matches `title`:
    /// the same text, else the title after a section label ("7.1 The read.table() function":
    /// the bookmark often drops the number the page shows), else a line that starts the title or
    /// that the title starts with, else a line containing it (a mention in prose ranks last).
    fn title_line(&mut self, page: u32, title: &str, from: usize) -> Option<usize> {
        let want = squash(title);
        if want.is_empty() {
            return None;
        }
        let mut budget = self.budget;
        let p = self.page(page);
        let exact = p.exact.get(&want).into_iter().flatten().map(|&i| p.lines[i].start).find(|&s| s >= from);
        if exact.is_some() {
            return exact;
        }
        let mut best: Option<(u8, usize)> = None;
        for line in p.lines.iter().filter(|l| l.start >= from) {
            if budget == 0 {
                break;
            }
            budget -= 1;
            let have = &line.squashed;
            let rank = if line.edge && running_head(have, &want) {
                // "600 strsplit" atop the page whose "strsplit  Split the Elements of ..." opens
                // the section: the title's own line, when the page has one, comes first; a mention
                // in prose comes after it.
                3
            } else if have.ends_with(&want) && line.labelled {
                1
            } else if line.labelled && wraps(have, &want) {
                // "2.7 Index vectors; selecting and modifying subsets of a data" / "set".
                2
            } else if have.chars().count() >= 3
                && (want.starts_with(have.as_str()) || have.starts_with(&want))
            {
                2
            } else if have.contains(&want) {
                3
            } else {
                continue;
            };
            if best.is_none_or(|(r, _)| rank < r) {
                best = Some((rank, line.start));
            }
        }
        self.budget = budget;
        best.map(|(_, start)| start)
    }
}

/// Whether a page's first or last line (squashed) is a running head naming `want`: the title
/// with the page's number before or after it.
fn running_head(have: &str, want: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.len() <= 5 && s.chars().all(|c| c.is_ascii_digit());
    have.strip_suffix(want).is_some_and(digits) || have.strip_prefix(want).is_some_and(digits)
}

/// Lower case without any whitespace and quote marks, typographic dashes as ASCII ones: titles
/// and lines compare equal across line breaks, and a bookmark's 'The "$PATH" variable' finds the
/// page's 'The ”$PATH” variable', its "The ... argument" the page's "The ‘...’ argument", its
/// "The ``Teaser Figure''" the page's "The “Teaser Figure”".
pub(super) fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !is_quote(*c))
        .map(|c| if matches!(c, '\u{2010}'..='\u{2015}' | '\u{2212}') { '-' } else { c })
        .flat_map(char::to_lowercase)
        .collect()
}

/// A quote mark, ASCII or typographic (a bookmark and its page often write them differently).
fn is_quote(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '`'
            | '\u{201C}'
            | '\u{201D}'
            | '\u{201E}'
            | '\u{201F}'
            | '\u{2033}'
            | '\u{00AB}'
            | '\u{00BB}'
            | '\u{2018}'
            | '\u{2019}'
            | '\u{201A}'
            | '\u{201B}'
            | '\u{2032}'
    )
}

/// Fewest characters of a title's first line for a wrapped title to be found by it.
const MIN_WRAPPED: usize = 12;

/// Whether a labelled line (squashed) is the first line of `want` wrapped over two: after a short
/// label ("2.7", "A.1") the line is the start of the title, and at least half of it.
fn wraps(have: &str, want: &str) -> bool {
    have.char_indices().take_while(|&(i, _)| i <= MAX_LABEL).any(|(i, _)| {
        let rest = &have[i..];
        rest.len() >= MIN_WRAPPED.max(want.len() / 2) && rest.len() < want.len() && want.starts_with(rest)
    })
}

/// Longest section label before a title on its line, in bytes squashed ("10.4", "A.12.3").
const MAX_LABEL: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(titles: &[String]) -> Vec<Bookmark> {
        titles.iter().map(|t| Bookmark { title: t.clone(), level: 1, page: Some(1) }).collect()
    }

    #[test]
    fn a_title_with_straight_quotes_finds_its_line_with_curly_ones() {
        assert_eq!(squash("The \"$PATH\" variable"), squash("The \u{201D}$PATH\u{201D} variable"));
        assert_eq!(squash("Don't \u{2013} stop"), squash("Don\u{2019}t - stop"));
        assert_eq!(squash("The ``Teaser Figure''"), squash("The \u{201C}Teaser Figure\u{201D}"));
        assert_ne!(squash("The $PATH variable"), squash("The $HOME variable"));
    }

    #[test]
    fn a_title_wrapped_over_two_lines_is_found_by_its_first() {
        let want = squash("Index tables; reading and writing parts of a table");
        assert!(wraps(&squash("2.7 Index tables; reading and writing parts of a"), &want));
        assert!(!wraps(&squash("2.7 Index tables"), &want));
        assert!(!wraps(&squash("see Index tables; reading and writing parts of a table in 2.7"), &want));
    }

    #[test]
    fn many_bookmarks_on_one_page_each_find_their_line() {
        // 20,000 lines on one page, a bookmark for every line: found exactly, in order.
        let titles: Vec<String> = (0..20_000).map(|i| format!("Harbour log entry {i}")).collect();
        let text = titles.join("\n");
        let doc = Document::from_bytes("log.txt", text.as_bytes()).unwrap();
        let nodes = outline(&doc, &marks(&titles));
        assert_eq!(nodes.len(), titles.len());
        for (node, title) in nodes.iter().zip(&titles) {
            assert!(doc.slice(node.span).starts_with(title.as_str()), "{title}");
        }
    }

    #[test]
    fn a_running_head_naming_the_section_yields_to_its_heading_line() {
        let title = ["tidepool".to_string()];
        // The running head "412 tidepool" tops a page that ends the previous entry first.
        let text = "412 tidepool\nExamples\nharbour(2)\ntidepool  Measure the Tide Pools\nDescription\n";
        let doc = Document::from_bytes("t.txt", text.as_bytes()).unwrap();
        let nodes = outline(&doc, &marks(&title));
        assert!(doc.slice(nodes[0].span).starts_with("tidepool  Measure"));
        // With no heading line on the page, the running head still starts the section, before a
        // mention in prose.
        let text = "412 tidepool\nExamples\nharbour(2) calls the tidepool function\n";
        let doc = Document::from_bytes("t.txt", text.as_bytes()).unwrap();
        assert_eq!(outline(&doc, &marks(&title))[0].span.start, 0);
        assert!(running_head("tidepool413", "tidepool"));
        assert!(!running_head("7.16other7implementation", "7.16other"));
    }

    #[test]
    fn loose_matches_still_found_and_missing_titles_start_their_page() {
        let text = "Intro\n7.1 The tide tables\nA line that mentions the Ferry Schedule in passing\n";
        let doc = Document::from_bytes("t.txt", text.as_bytes()).unwrap();
        let titles = ["The tide tables".to_string(), "ferry schedule".into(), "Not on the page".into()];
        let nodes = outline(&doc, &marks(&titles));
        let starts: Vec<usize> = nodes.iter().map(|n| n.span.start).collect();
        assert_eq!(starts[0], text.find("7.1").unwrap());
        assert_eq!(starts[1], text.find("A line").unwrap());
        // Not found: the page's start, kept after the previous bookmark.
        assert_eq!(starts[2], starts[1]);
    }
}
