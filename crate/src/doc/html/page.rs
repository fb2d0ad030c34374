//! One HTML page: its bytes in, its main content as text with headings and anchors out.
//!
//! The page is tokenized by html5gum (a WHATWG tokenizer; it decodes entities and treats
//! `script`/`style`/`title` as raw text) and walked with a small stack of open elements, which
//! is all a generated documentation page needs: unmatched end tags are ignored, unclosed
//! elements close with their parent, as browsers do for the common cases.
//!
//! The main content is the first of: an element with `role="main"` (Sphinx's `div.body`),
//! `<main>` (mdBook, MkDocs, Docusaurus), `<article>`, else `<body>`. Inside it navigation,
//! footers, sidebars, forms, scripts and permalink marks ("¶", "#", "§") are left out, and
//! headers unless the main content was found (then a `<header>` is its own: Docusaurus puts the
//! h1 there); headings stay whatever their class (Docusaurus marks them "anchor").
//! Block elements become paragraphs (a blank line between), `<pre>` keeps its lines, so code
//! blocks stay as they are written.

use std::collections::BTreeMap;

use crate::doc::collapse;
use html5gum::{DefaultEmitter, Token, Tokenizer};

/// A heading of the page's main content.
#[derive(Debug, Clone, PartialEq)]
pub struct PageHeading {
    /// 1 for `h1` … 6 for `h6`.
    pub level: u32,
    pub title: String,
    /// Byte offset in [`HtmlPage::text`].
    pub start: usize,
    /// The `id` a link's fragment jumps to: the heading's own, one inside it, or that of the
    /// element it opens (Sphinx puts the id on the enclosing `<section>`).
    pub anchor: Option<String>,
}

/// A link of the page's navigation (sidebar, table of contents), with its list depth.
#[derive(Debug, Clone, PartialEq)]
pub struct TocLink {
    pub href: String,
    /// Number of enclosing `ol`/`ul` lists inside the navigation (1 = top level).
    pub depth: u32,
}

#[derive(Debug, Clone, Default)]
pub struct HtmlPage {
    /// `<title>`, whitespace collapsed.
    pub title: String,
    /// The main content: paragraphs separated by blank lines.
    pub text: String,
    pub headings: Vec<PageHeading>,
    /// `rel="next"` (a `<link>` or an `<a>`): the page a reader goes to next.
    pub next: Option<String>,
    /// `rel="up"`: the page this one sits below (Texinfo's and DocBook's node above).
    pub up: Option<String>,
    pub toc: Vec<TocLink>,
    /// Bytes of `text` that are link text: an index or a list of contents is mostly links.
    pub link_bytes: usize,
    /// `<meta name="robots" content="noindex">` or a `<meta http-equiv="refresh">` redirect:
    /// a page its site does not want found (mdBook's print.html and toc.html, redirect stubs).
    pub noindex: bool,
    /// `<html lang>`'s language, lower case, without its region ("en" for "en-US").
    pub lang: Option<String>,
}

/// Elements whose content is never text a reader came for.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "button",
    "select", "textarea", "svg", "iframe", "object", "canvas", "head", "title",
];
/// Classes of permalink marks and sidebars (Sphinx, MkDocs, Docusaurus, rustdoc).
const SKIPPED_CLASSES: &[&str] = &[
    "headerlink",
    "hash-link",
    "anchor",
    "permalink",
    "sphinxsidebar",
    "sidebar",
    "related",
    "toc",
    "breadcrumbs",
    "nav-wrapper",
    "mobile-nav-chapters",
    "skip-link",
    "visually-hidden",
    "sr-only",
];
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "pre",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "figure",
    "figcaption",
    "details",
    "summary",
    "hr",
    "br",
    "caption",
    "address",
    "center",
];
const VOID: &[&str] =
    &["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"];

/// What one start tag carries that we look at.
#[derive(Debug, Clone, Default)]
struct Tag {
    name: String,
    attrs: BTreeMap<String, String>,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).map(String::as_str)
    }
    fn has_class(&self, classes: &[&str]) -> bool {
        self.attr("class").is_some_and(|c| c.split_whitespace().any(|c| classes.contains(&c)))
    }
}

enum Event {
    Start(Tag),
    End(String),
    Text(String),
}

/// Reads one page. The text is already decoded; nothing here fails (broken markup is read as
/// a browser would read it, as far as text goes).
pub fn read(html: &str) -> HtmlPage {
    let events = tokenize(html);
    let mut page = HtmlPage::default();
    head(&events, &mut page);
    let (start, end, found) = main_region(&events);
    // Inside the main content a <header> is its own (Docusaurus puts the page's h1 in one).
    let mut walker = Walker { content_headers: found, ..Walker::default() };
    let content = &events[start..end];
    walker.walk(content, &bars(content));
    page.text = walker.out.trim_end().to_string();
    page.link_bytes = walker.link_bytes;
    page.headings = walker.headings;
    page.toc = toc_links(&events);
    page
}

fn tokenize(html: &str) -> Vec<Event> {
    let mut emitter = DefaultEmitter::default();
    emitter.naively_switch_states(true);
    let mut events = Vec::new();
    for token in Tokenizer::new_with_emitter(html, emitter).flatten() {
        match token {
            Token::StartTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).to_ascii_lowercase();
                let attrs = tag
                    .attributes
                    .iter()
                    .map(|(k, v)| {
                        (String::from_utf8_lossy(k).into_owned(), String::from_utf8_lossy(v).into_owned())
                    })
                    .collect();
                let void = tag.self_closing || VOID.contains(&name.as_str());
                events.push(Event::Start(Tag { name: name.clone(), attrs }));
                if void {
                    events.push(Event::End(name));
                }
            }
            Token::EndTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).to_ascii_lowercase();
                if !VOID.contains(&name.as_str()) {
                    events.push(Event::End(name));
                }
            }
            Token::String(s) => events.push(Event::Text(String::from_utf8_lossy(&s).into_owned())),
            _ => {}
        }
    }
    events
}

/// Title, `rel="next"`, robots and refresh metadata (these may sit anywhere in the page).
fn head(events: &[Event], page: &mut HtmlPage) {
    let mut in_title = false;
    for e in events {
        match e {
            Event::Start(t) => match t.name.as_str() {
                "title" => in_title = page.title.is_empty(),
                "html" if page.lang.is_none() => {
                    page.lang = t
                        .attr("lang")
                        .map(|l| l.split(['-', '_']).next().unwrap_or("").trim().to_ascii_lowercase())
                        .filter(|l| !l.is_empty());
                }
                "meta" => {
                    let name = t.attr("name").unwrap_or("").to_ascii_lowercase();
                    let content = t.attr("content").unwrap_or("").to_ascii_lowercase();
                    let refresh = t.attr("http-equiv").is_some_and(|h| h.eq_ignore_ascii_case("refresh"))
                        && content.contains("url=");
                    if (name == "robots" && content.contains("noindex")) || refresh {
                        page.noindex = true;
                    }
                }
                "link" | "a" => {
                    let rel = |name: &str| {
                        t.attr("rel").unwrap_or("").split_whitespace().any(|r| r.eq_ignore_ascii_case(name))
                    };
                    if page.next.is_none() && rel("next") {
                        page.next = t.attr("href").map(str::to_string);
                    }
                    if page.up.is_none() && rel("up") {
                        page.up = t.attr("href").map(str::to_string);
                    }
                }
                _ => {}
            },
            Event::End(name) if name == "title" => in_title = false,
            Event::Text(s) if in_title => {
                page.title.push_str(s);
            }
            _ => {}
        }
    }
    page.title = collapse(&page.title);
}

/// The events of the main content: `[role=main]`, else `<main>`, else `<article>`, else
/// `<body>`, else everything; and whether it is one of the first three (the content, not the
/// whole page).
fn main_region(events: &[Event]) -> (usize, usize, bool) {
    let is = |t: &Tag, rank: usize| match rank {
        0 => t.attr("role") == Some("main"),
        1 => t.name == "main",
        2 => t.name == "article",
        _ => t.name == "body",
    };
    for rank in 0..4 {
        let Some(start) = events.iter().position(|e| matches!(e, Event::Start(t) if is(t, rank))) else {
            continue;
        };
        let Event::Start(open) = &events[start] else { continue };
        // Its end: the matching end tag at the same depth of that element name.
        let mut depth = 0usize;
        let mut end = events.len();
        for (i, e) in events.iter().enumerate().skip(start) {
            match e {
                Event::Start(t) if t.name == open.name => depth += 1,
                Event::End(n) if *n == open.name => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        return (start + 1, end, rank < 3);
    }
    (0, events.len(), false)
}

#[derive(Default)]
struct Walker {
    out: String,
    headings: Vec<PageHeading>,
    /// Open elements: name, whether it hides its content, whether it is a heading.
    stack: Vec<(String, bool)>,
    hidden: usize,
    pre: usize,
    /// A heading being read: its index in `headings`.
    heading: Option<usize>,
    /// The last id opened with no text written since: (id, length of `out` then).
    pending_id: Option<(String, usize)>,
    /// Open `<a href>` elements, and the bytes of text written inside them.
    links: usize,
    link_bytes: usize,
    /// Whether a `<header>` is part of the text (the walk is over the main content).
    content_headers: bool,
}

impl Walker {
    /// Walks `events`, leaving out the elements in `skip` (sorted ranges of event indices).
    fn walk(&mut self, events: &[Event], skip: &[(usize, usize)]) {
        let mut skip = skip.iter().peekable();
        for (i, e) in events.iter().enumerate() {
            while skip.next_if(|r| r.1 < i).is_some() {}
            if skip.peek().is_some_and(|r| r.0 <= i) {
                continue;
            }
            match e {
                Event::Start(t) => self.open(t),
                Event::End(name) => self.close(name),
                Event::Text(s) if self.hidden == 0 => self.text(s),
                Event::Text(_) => {}
            }
        }
        self.finish_heading();
    }

    fn open(&mut self, t: &Tag) {
        // A heading is never a permalink mark, whatever its class (Docusaurus: "anchor").
        let heading = heading_level(&t.name).is_some();
        let hide = (SKIPPED.contains(&t.name.as_str()) && !(t.name == "header" && self.content_headers))
            || (t.has_class(SKIPPED_CLASSES) && !heading)
            || t.attr("role")
                .is_some_and(|r| matches!(r, "navigation" | "search" | "banner" | "contentinfo"))
            || t.attr("aria-hidden") == Some("true")
            || t.attrs.contains_key("hidden");
        // A paragraph or list item left open closes when the next one starts.
        if matches!(t.name.as_str(), "p" | "li" | "dt" | "dd" | "tr")
            && let Some(at) = self.stack.iter().rposition(|(n, _)| n == &t.name)
            && !self.stack[at + 1..].iter().any(|(n, _)| matches!(n.as_str(), "ul" | "ol" | "dl" | "table"))
        {
            self.close(&t.name.clone());
        }
        if self.hidden == 0 {
            if BLOCKS.contains(&t.name.as_str()) {
                self.finish_heading();
                self.paragraph();
            }
            if let Some(level) = heading_level(&t.name) {
                let anchor = t.attr("id").map(str::to_string).or_else(|| {
                    self.pending_id.take().filter(|(_, at)| *at == self.out.len()).map(|(id, _)| id)
                });
                self.headings.push(PageHeading {
                    level,
                    title: String::new(),
                    start: self.out.len(),
                    anchor,
                });
                self.heading = Some(self.headings.len() - 1);
            } else if let Some(id) = t.attr("id").or_else(|| t.attr("name").filter(|_| t.name == "a")) {
                match self.heading.and_then(|h| self.headings.get_mut(h)) {
                    Some(h) if h.anchor.is_none() => h.anchor = Some(id.to_string()),
                    _ => self.pending_id = Some((id.to_string(), self.out.len())),
                }
            }
            if t.name == "pre" {
                self.pre += 1;
            }
            if t.name == "a" && t.attrs.contains_key("href") {
                self.links += 1;
            }
            if matches!(t.name.as_str(), "td" | "th")
                && !self.out.ends_with(['\n', ' '])
                && !self.out.is_empty()
            {
                self.out.push_str(" | ");
            }
        }
        if hide {
            self.hidden += 1;
        }
        self.stack.push((t.name.clone(), hide));
    }

    fn close(&mut self, name: &str) {
        let Some(at) = self.stack.iter().rposition(|(n, _)| n == name) else { return };
        for (n, hide) in self.stack.split_off(at).into_iter().rev() {
            if hide {
                self.hidden -= 1;
            }
            if self.hidden == 0 {
                if n == "pre" {
                    self.pre = self.pre.saturating_sub(1);
                }
                if n == "a" {
                    self.links = self.links.saturating_sub(1);
                }
                if heading_level(&n).is_some() {
                    self.finish_heading();
                }
                if BLOCKS.contains(&n.as_str()) {
                    self.paragraph();
                }
            }
        }
    }

    fn text(&mut self, s: &str) {
        let before = self.out.len();
        self.write(s);
        if self.links > 0 {
            self.link_bytes += self.out.len() - before;
        }
    }

    fn write(&mut self, s: &str) {
        if self.pre > 0 {
            // Code keeps its lines; a blank line inside it would split the block, so it is kept
            // as a line with one space.
            let code = s.replace("\r\n", "\n").replace("\n\n", "\n \n");
            self.out.push_str(&code);
        } else {
            let mut words = s.split_whitespace().peekable();
            if words.peek().is_none() {
                if !s.is_empty() && !self.out.is_empty() && !self.out.ends_with([' ', '\n']) {
                    self.out.push(' ');
                }
                return;
            }
            if s.starts_with(char::is_whitespace) && !self.out.is_empty() && !self.out.ends_with([' ', '\n'])
            {
                self.out.push(' ');
            }
            let joined = words.collect::<Vec<_>>().join(" ");
            self.out.push_str(&joined);
            if s.ends_with(char::is_whitespace) {
                self.out.push(' ');
            }
        }
        self.pending_id = None;
    }

    /// Ends the current paragraph with a blank line (once).
    fn paragraph(&mut self) {
        while self.out.ends_with(' ') {
            self.out.pop();
        }
        if self.out.is_empty() || self.out.ends_with("\n\n") {
            return;
        }
        if self.out.ends_with('\n') {
            self.out.push('\n');
        } else {
            self.out.push_str("\n\n");
        }
        if let Some((_, at)) = &mut self.pending_id {
            *at = self.out.len();
        }
    }

    fn finish_heading(&mut self) {
        let Some(i) = self.heading.take() else { return };
        let start = self.headings[i].start;
        let title = collapse(self.out.get(start..).unwrap_or(""));
        if title.is_empty() {
            self.headings.remove(i);
        } else {
            self.headings[i].title = title;
        }
    }
}

fn heading_level(name: &str) -> Option<u32> {
    match name.as_bytes() {
        [b'h', d @ b'1'..=b'6'] => Some(u32::from(d - b'0')),
        _ => None,
    }
}

/// Most characters of text a navigation bar holds: "Next: Memory Usage, Previous: Using
/// libffi, Up: libffi [Index]" and the titles it names; a section that links to the next page
/// has more.
const MAX_BAR_TEXT: usize = 200;

/// Most characters of text a block with one such link holds to be a bar ("Next: What is
/// libffi? [Index]"): prose that links the next chapter has more.
const MAX_LINK_TEXT: usize = 60;

/// Whether a link moves to the next, previous or parent page (`rel`, or the access keys Texinfo
/// and DocBook give such links).
fn moves(t: &Tag) -> bool {
    let rel = t.attr("rel").unwrap_or("");
    let keyed = t.attr("accesskey").is_some_and(|k| matches!(k, "n" | "p" | "u" | "N" | "P" | "U"));
    t.name == "a"
        && (keyed
            || rel
                .split_whitespace()
                .any(|r| ["next", "prev", "previous", "up"].iter().any(|m| r.eq_ignore_ascii_case(m))))
}

/// The navigation bars of generators that put them in the page's content with no `<nav>`
/// (Texinfo's "Next: …, Previous: …, Up: …" header, DocBook's Prev/Up/Home/Next table): the
/// outermost blocks with no heading that hold two links to the next, previous or parent page
/// and at most [`MAX_BAR_TEXT`] characters of text, or one such link and at most
/// [`MAX_LINK_TEXT`], as sorted ranges of event indices.
fn bars(events: &[Event]) -> Vec<(usize, usize)> {
    struct Open {
        name: String,
        at: usize,
        text: usize,
        moves: usize,
        heading: bool,
    }
    let mut stack: Vec<Open> = Vec::new();
    let mut found: Vec<(usize, usize)> = Vec::new();
    for (i, e) in events.iter().enumerate() {
        match e {
            Event::Start(t) => {
                if let Some(top) = stack.last_mut() {
                    top.moves += usize::from(moves(t));
                    top.heading |= heading_level(&t.name).is_some();
                }
                if !VOID.contains(&t.name.as_str()) {
                    stack.push(Open { name: t.name.clone(), at: i, text: 0, moves: 0, heading: false });
                }
            }
            Event::End(name) => {
                let Some(at) = stack.iter().rposition(|o| o.name == *name) else { continue };
                for o in stack.split_off(at).into_iter().rev() {
                    let bar = !o.heading
                        && (o.moves >= 2 && o.text <= MAX_BAR_TEXT
                            || o.moves == 1 && o.text <= MAX_LINK_TEXT)
                        && matches!(
                            o.name.as_str(),
                            "div" | "table" | "p" | "ul" | "ol" | "td" | "th" | "tr"
                        );
                    if bar {
                        // Inner bars end before their outer one: the outer replaces them.
                        while found.last().is_some_and(|r| r.0 > o.at) {
                            found.pop();
                        }
                        found.push((o.at, i));
                    }
                    if let Some(parent) = stack.last_mut() {
                        parent.text += o.text;
                        parent.moves += o.moves;
                        parent.heading |= o.heading;
                    }
                }
            }
            Event::Text(s) => {
                if let Some(top) = stack.last_mut() {
                    top.text += s.chars().filter(|c| !c.is_whitespace()).count();
                }
            }
        }
    }
    found
}

/// Local links inside the page's navigation (`nav`, sidebars, Sphinx toctrees), in order, with
/// their list depth there. A lone link (outside any list) of another block than the largest that
/// the largest names too is left out: it names a neighbour ("Next topic"), and taken first it puts
/// that page before its place in the contents (Python's `contents.html` named "What's New" in its
/// sidebar first, so its toctree's children followed the index pages the bar names after it).
fn toc_links(events: &[Event]) -> Vec<TocLink> {
    let is_nav = |t: &Tag| {
        t.name == "nav"
            || t.attr("role") == Some("navigation")
            || t.attr("class").is_some_and(|c| {
                c.split_whitespace().any(|c| {
                    c.contains("toctree")
                        || c.contains("sidebar")
                        || c == "toc"
                        // mdBook's <ol class="chapter">; Texinfo's <div class="chapter"> is a chapter.
                        || (c == "chapter" && matches!(t.name.as_str(), "ol" | "ul"))
                        || c.contains("menu")
                })
            })
    };
    // A top bar ("navbar": Docusaurus, Bootstrap themes) links the home page, the docs and the
    // blog beside the contents: only a menu inside it (MkDocs' dropdowns) is contents.
    let is_bar = |t: &Tag| t.attr("class").is_some_and(|c| c.split_whitespace().any(|c| c == "navbar"));
    // Each navigation block's links, each with whether it stands alone, outside any list.
    let mut blocks: Vec<Vec<(TocLink, bool)>> = Vec::new();
    // Stack of (name, is nav, is bar).
    let mut stack: Vec<(String, bool, bool)> = Vec::new();
    let mut navs = 0usize;
    let mut lists = 0u32;
    let mut bars = 0usize;
    // The navigation depth the outermost open bar stands at: links count deeper than it.
    let mut bar_navs = 0usize;
    for e in events {
        match e {
            Event::Start(t) => {
                let nav = is_nav(t);
                if nav {
                    if navs == 0 {
                        blocks.push(Vec::new());
                    }
                    navs += 1;
                }
                let bar = is_bar(t);
                if bar {
                    if bars == 0 {
                        bar_navs = navs;
                    }
                    bars += 1;
                }
                if navs > 0 && matches!(t.name.as_str(), "ol" | "ul") {
                    lists += 1;
                }
                if navs > 0
                    && (bars == 0 || navs > bar_navs)
                    && t.name == "a"
                    && let Some(href) = t.attr("href")
                    && is_local(href)
                    && let Some(block) = blocks.last_mut()
                {
                    block.push((TocLink { href: href.to_string(), depth: lists.max(1) }, lists == 0));
                }
                stack.push((t.name.clone(), nav, bar));
            }
            Event::End(name) => {
                let Some(at) = stack.iter().rposition(|(n, _, _)| n == name) else { continue };
                for (n, nav, bar) in stack.split_off(at) {
                    if navs > 0 && matches!(n.as_str(), "ol" | "ul") {
                        lists = lists.saturating_sub(1);
                    }
                    if nav {
                        navs -= 1;
                    }
                    if bar {
                        bars -= 1;
                    }
                }
            }
            Event::Text(_) => {}
        }
    }
    // The first of the largest (`max_by_key` would take the last) names its pages where it does,
    // not a lone link before it.
    let most = blocks.iter().map(Vec::len).max().unwrap_or(0);
    let Some(main) = blocks.iter().position(|b| b.len() == most) else { return Vec::new() };
    let page = |l: &TocLink| l.href.split('#').next().unwrap_or("").to_string();
    let in_main: std::collections::HashSet<String> = blocks[main].iter().map(|(l, _)| page(l)).collect();
    let mut out = Vec::new();
    for (k, block) in blocks.into_iter().enumerate() {
        out.extend(
            block
                .into_iter()
                .filter(|(l, alone)| k == main || !alone || !in_main.contains(&page(l)))
                .map(|(l, _)| l),
        );
    }
    out
}

/// A link to a page of the same site (no scheme, not protocol-relative, not a bare fragment).
pub fn is_local(href: &str) -> bool {
    let h = href.trim();
    !(h.is_empty() || h.starts_with('#') || h.starts_with("//") || h.contains(':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texinfo's and DocBook's navigation bars sit in the content with no <nav>: left out; a
    /// paragraph that links the next chapter in its prose stays.
    #[test]
    fn navigation_bars_in_the_content_are_left_out() {
        let html = r##"<html><body><div class="chapter"><div class="header"><p>Next: <a href="b.html" accesskey="n" rel="next">Glazes</a>, Up: <a href="index.html" accesskey="u" rel="up">Top</a> [<a href="Index.html">Index</a>]</p></div>
            <table class="nav"><tr><td><a accesskey="p" href="a.html"><img alt="Prev" src="p.png"></a></td><th>Kiln Manual</th></tr></table>
            <h2>3 Firing</h2><p>Fire slowly. The <a href="b.html" rel="next">next chapter</a> covers glazes, and this paragraph says a good deal more than a bar of links ever would about kilns, cones, shelves and posts, so that it is plainly text a reader came for.</p></div></body></html>"##;
        let page = read(html);
        assert!(page.text.starts_with("3 Firing\n\nFire slowly."), "{}", page.text);
        assert_eq!(page.headings[0].start, 0);
        assert_eq!(page.up.as_deref(), Some("index.html"));
    }

    /// Docusaurus: the page's h1 in the article's own <header>, section headings of class
    /// "anchor" holding a "hash-link" permalink, the site's banner in a <header> outside <main>.
    #[test]
    fn an_article_header_and_anchor_headings_are_content() {
        let html = r##"<html><head><title>Kites | Kite Docs</title></head><body>
            <header class="banner">Kite Docs</header>
            <main><article><header><h1>Kites</h1></header>
            <h3 class="anchor anchorTargetStickyNavbar" id="lines">Lines<a href="#lines" class="hash-link">#</a></h3>
            <p>Use a braided line.</p></article></main></body></html>"##;
        let page = read(html);
        assert_eq!(page.text, "Kites\n\nLines\n\nUse a braided line.");
        let titles: Vec<(&str, u32, Option<&str>)> =
            page.headings.iter().map(|h| (h.title.as_str(), h.level, h.anchor.as_deref())).collect();
        assert_eq!(titles, [("Kites", 1, None), ("Lines", 3, Some("lines"))]);
        // Without a main content, a <header> is the site's banner.
        let page = read("<html><body><header>Kite Docs</header><p>Use a braided line.</p></body></html>");
        assert_eq!(page.text, "Use a braided line.");
    }

    #[test]
    fn main_content_with_headings_anchors_and_code() {
        let html = r##"<!DOCTYPE html><html><head><title>Boats &amp; Sails - Harbour Guide</title>
            <link rel="next" href="knots.html"></head><body>
            <nav><ol><li><a href="index.html">Home</a><ol><li><a href="boats.html">Boats</a></li></ol></li></ol></nav>
            <header>Site header</header>
            <main><h1 id="boats"><a class="header" href="#boats">Boats &amp; Sails</a></h1>
            <p>A <em>sloop</em> has one
               mast.<p>A ketch has two.</p>
            <section id="rigging"><h2>Rigging<a class="headerlink" href="#rigging">¶</a></h2>
            <pre><code>tie(bowline);

            pull();</code></pre><script>var x = "<p>not text</p>";</script>
            <ul><li>jib<li>main</ul></section></main>
            <footer>© nobody</footer></body></html>"##;
        let page = read(html);
        assert_eq!(page.title, "Boats & Sails - Harbour Guide");
        assert_eq!(page.next.as_deref(), Some("knots.html"));
        assert_eq!(
            page.text,
            "Boats & Sails\n\nA sloop has one mast.\n\nA ketch has two.\n\nRigging\n\n\
             tie(bowline);\n \n            pull();\n\njib\n\nmain"
        );
        let titles: Vec<(&str, u32, Option<&str>)> =
            page.headings.iter().map(|h| (h.title.as_str(), h.level, h.anchor.as_deref())).collect();
        assert_eq!(titles, [("Boats & Sails", 1, Some("boats")), ("Rigging", 2, Some("rigging"))]);
        assert_eq!(&page.text[page.headings[1].start..][..7], "Rigging");
        assert_eq!(
            page.toc,
            [
                TocLink { href: "index.html".into(), depth: 1 },
                TocLink { href: "boats.html".into(), depth: 2 }
            ]
        );
        assert!(!page.noindex);
    }

    #[test]
    fn role_main_wins_and_sidebars_and_broken_markup_are_survived() {
        let html = r#"<div class="document"><div class="body" role="main"><div class="section" id="s1">
            <h1>Intro</h1><p>Hello <b>world</p></div></div>
            <div class="sphinxsidebar" role="navigation"><p>Sidebar words</p></div></span></i>"#;
        let page = read(html);
        assert_eq!(page.text, "Intro\n\nHello world");
        assert_eq!(page.headings[0].anchor.as_deref(), Some("s1"));
        let page = read("<p>unclosed <a href='x'>link <div>and < stray &bogus; text");
        assert_eq!(page.text, "unclosed link\n\nand < stray &bogus; text");
    }

    #[test]
    fn noindex_and_redirect_pages_are_marked() {
        assert!(read(r#"<meta name="robots" content="noindex,follow"><p>copy</p>"#).noindex);
        assert!(read(r#"<meta http-equiv="refresh" content="0; url=new.html">"#).noindex);
        assert!(!read(r#"<meta name="robots" content="index"><p>x</p>"#).noindex);
    }

    #[test]
    fn only_local_links_count() {
        assert!(is_local("ch01.html") && is_local("../a/b.html#x"));
        assert!(!is_local("https://example.org/") && !is_local("#top") && !is_local("//cdn/x.js"));
        assert!(!is_local("mailto:a@b"));
    }
}
