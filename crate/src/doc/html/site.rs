//! A built documentation site: a folder of HTML pages in, one [`Document`] out (a Page per HTML
//! page, in the order of the site's table of contents) with the pages' paths.
//!
//! Order: the navigation list that names the most pages of the site (mdBook's sidebar in
//! `toc.html`, Sphinx's toctree on its root page), depth from its list nesting; pages it does not
//! name follow the page whose `rel="next"` names them, the rest by path. Pages that do not want to
//! be found (`noindex`: mdBook's `print.html` and `toc.html`, redirect stubs) are left out, and so
//! is a page outside the table of contents whose paragraphs mostly repeat other pages (mdBook's
//! `index.html` copy of the first chapter, search and index pages), so a copy never shadows the
//! page it copies.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use super::order::{merge_navigations, navigation, up_tree};
use super::page::{self, HtmlPage};
use super::title::{banner, drop_opening, names_alike, page_title, shared_bracket, site_name};
use super::{SiteError, decode};
use crate::doc::collapse;
use crate::doc::{DocKind, Document, MarkupHeading, Page};
use crate::span::Span;

/// Bounds on what a site may hold, so a wrong folder fails fast instead of eating memory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest page read; a bigger one is left out with a warning.
    pub page_bytes: u64,
    pub pages: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // The largest pages of the Python and Rust docs are under 1 MB; a 10,000-page site is big.
        Limits { page_bytes: 8 << 20, pages: 50_000 }
    }
}

/// One HTML page of a site, as a reader reaches it.
#[derive(Debug, Clone)]
pub struct SitePage {
    /// Path from the site root, `/`-separated (`ch04-01-what-is-ownership.html`).
    pub path: String,
    pub title: String,
    /// Depth in the table of contents (1 = top level).
    pub depth: u32,
}

#[derive(Debug, Clone)]
pub struct Site {
    /// The site's name: what its pages' `<title>`s add after the page's own ("The Rust
    /// Programming Language"), else the first page's title.
    pub title: String,
    /// The pages' text; `doc.pages[i]` is `pages[i]`; `doc.markup` holds each page's title (at
    /// the page's depth) and its headings (below it).
    pub doc: Document,
    pub pages: Vec<SitePage>,
}

/// Reads every HTML page under `dir`.
pub fn read_site(dir: &Path, limits: Limits) -> Result<Site, SiteError> {
    read_site_with(dir, limits, &mut |_, _| {})
}

/// As [`read_site`], calling `progress(pages read, pages found)` as it goes.
pub fn read_site_with(
    dir: &Path,
    limits: Limits,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Site, SiteError> {
    if !dir.is_dir() {
        return Err(SiteError::NotAFolder(dir.to_path_buf()));
    }
    let mut files = Vec::new();
    find_pages(dir, dir, &mut files, 0)?;
    files.sort();
    if files.is_empty() {
        return Err(SiteError::NoPages(dir.to_path_buf()));
    }
    if files.len() > limits.pages {
        return Err(SiteError::TooManyPages {
            dir: dir.to_path_buf(),
            found: files.len(),
            limit: limits.pages,
        });
    }
    let mut warnings = Vec::new();
    let mut read: Vec<(String, HtmlPage)> = Vec::with_capacity(files.len());
    let total = files.len();
    for (i, rel) in files.into_iter().enumerate() {
        progress(i, total);
        let full = dir.join(&rel);
        let size = std::fs::metadata(&full).map(|m| m.len()).unwrap_or(0);
        if size > limits.page_bytes {
            warnings.push(format!(
                "{rel}: {} MB, over the {} MB a page may have; left out",
                size >> 20,
                limits.page_bytes >> 20
            ));
            continue;
        }
        let bytes = match std::fs::read(&full) {
            Ok(b) => b,
            Err(e) => {
                warnings.push(format!("{rel}: cannot be read ({e}); left out"));
                continue;
            }
        };
        match decode(&bytes) {
            Ok(html) => read.push((rel, page::read(&html))),
            Err(e) => warnings.push(format!("{rel}: {e}; left out")),
        }
    }
    progress(total, total);
    let site = assemble(read, &mut warnings)?;
    let mut site = site.ok_or_else(|| SiteError::NoText(dir.to_path_buf()))?;
    site.doc.warnings = warnings;
    Ok(site)
}

/// `.html` files under `dir` (following symlinked files, not symlinked folders; no dot-folders,
/// no Sphinx `_sources`), as `/`-separated paths relative to `root`.
fn find_pages(root: &Path, dir: &Path, out: &mut Vec<String>, depth: usize) -> Result<(), SiteError> {
    if depth > 32 {
        return Ok(());
    }
    let entries =
        std::fs::read_dir(dir).map_err(|source| SiteError::Io { path: dir.to_path_buf(), source })?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "_sources" || name == "node_modules" {
            continue;
        }
        let Ok(kind) = entry.file_type() else { continue };
        let path = entry.path();
        if kind.is_dir() {
            find_pages(root, &path, out, depth + 1)?;
        } else if (kind.is_file() || (kind.is_symlink() && path.is_file()))
            && (name.ends_with(".html") || name.ends_with(".htm"))
            && let Ok(rel) = path.strip_prefix(root)
        {
            let rel: Vec<String> =
                rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            out.push(rel.join("/"));
        }
    }
    Ok(())
}

/// Orders the pages, drops copies, and joins them into one Document.
fn assemble(
    mut read: Vec<(String, HtmlPage)>,
    warnings: &mut Vec<String>,
) -> Result<Option<Site>, SiteError> {
    other_languages_out(&mut read, warnings);
    let index: HashMap<&str, usize> = read.iter().enumerate().map(|(i, (p, _))| (p.as_str(), i)).collect();
    // The page a link opens: its path, or, for a "pretty" link without an extension
    // (Docusaurus' `/docs/intro`), the page a server answers it with.
    let lookup = |from: &str, href: &str| -> Option<usize> {
        let path = resolve(from, href)?;
        let pretty = || [format!("{path}/index.html"), format!("{path}.html")];
        index
            .get(path.as_str())
            .copied()
            .or_else(|| pretty().iter().find_map(|p| index.get(p.as_str()).copied()))
    };
    // The navigation that names the most pages is the table of contents; the others add the
    // pages it leaves out where they name them (see [`merge_navigations`]).
    let lists: Vec<Vec<(usize, u32)>> =
        read.iter().map(|(path, page)| navigation(path, page, &lookup)).collect();
    let most = lists.iter().map(Vec::len).max().unwrap_or(0);
    let mut toc: Vec<(usize, u32)> = lists.iter().find(|l| l.len() == most).cloned().unwrap_or_default();
    merge_navigations(&mut toc, &lists);
    // A navigation naming one page is a link, not a table of contents (rustdoc's sidebar on a
    // module page names its parent): the order then comes from the `next` links and the paths.
    if toc.len() < 2 {
        toc.clear();
    }
    let min_depth = toc.iter().map(|t| t.1).min().unwrap_or(1);
    let mut depth: HashMap<usize, u32> = toc.iter().map(|&(i, d)| (i, d - min_depth + 1)).collect();
    let mut in_toc: HashSet<usize> = toc.iter().map(|t| t.0).collect();
    let next_of: Vec<Option<usize>> =
        read.iter().map(|(path, p)| p.next.as_deref().and_then(|n| lookup(path, n))).collect();
    // The reading order a site's `next` links give, from its root page (Sphinx links every page
    // of its toctrees this way; mdBook every chapter).
    let root = index.get("index.html").copied().filter(|&i| !read[i].1.noindex).or(toc.first().map(|t| t.0));
    let mut chain = Vec::new();
    let mut seen = HashSet::new();
    let mut at = root;
    while let Some(i) = at.filter(|i| seen.insert(*i)) {
        chain.push(i);
        at = next_of[i];
    }
    let mut order: Vec<usize>;
    let mut placed: HashSet<usize>;
    if chain.len() * 5 > toc.len() * 6 {
        // The chain names more: it is the order; table-of-contents pages it misses follow the
        // page before them there.
        order = chain;
        placed = order.iter().copied().collect();
        for w in 0..toc.len() {
            let (page, _) = toc[w];
            if placed.insert(page) {
                let after = toc[..w].iter().rev().find_map(|t| order.iter().position(|&o| o == t.0));
                order.insert(after.map_or(order.len(), |a| a + 1), page);
            }
        }
    } else {
        order = toc.iter().map(|t| t.0).collect();
        placed = order.iter().copied().collect();
        // Pages the table of contents does not name follow the page whose `next` names them.
        let mut i = 0;
        while i < order.len() {
            let mut at = next_of[order[i]];
            let mut insert = i + 1;
            while let Some(n) = at.filter(|n| !placed.contains(n)) {
                placed.insert(n);
                order.insert(insert, n);
                insert += 1;
                at = next_of[n];
            }
            i += 1;
        }
    }
    // The home page opens the site even where the contents leave it out (MkDocs' default theme
    // names it only by its logo's link) or name it last (Docusaurus' mobile menu).
    if let Some(home) = root {
        placed.insert(home);
        order.retain(|&i| i != home);
        order.insert(0, home);
    }
    // The rest by path, each folder's `index.html` before the folder's other pages (rustdoc's
    // `any/index.html` before `any/fn.type_name.html`), so that it is there to hold them below.
    let mut rest: Vec<usize> = (0..read.len()).filter(|i| !placed.contains(i)).collect();
    let folder_first = |path: &str| path.strip_suffix("index.html").unwrap_or(path).to_string();
    rest.sort_by_cached_key(|&i| folder_first(&read[i].0));
    let by_path: HashSet<usize> = rest.iter().copied().collect();
    order.extend(rest);
    // Texinfo and DocBook say where each page sits (`rel="up"`): where most pages do, that tree
    // orders and nests them (Texinfo's `next` is the next sibling, so its chain skips every
    // section, and its pages are all in one folder).
    if let Some(root) = root
        && let Some(tree) = up_tree(&read, root, &order, &next_of, &lookup)
    {
        order = tree.order;
        depth = tree.depth;
        // A page others sit below is their chapter, however much of it is a list of them.
        in_toc.extend(tree.parents);
    }
    // Depth of pages the table of contents does not give: one below the earlier `…/index.html`
    // of the deepest folder that holds them, else the depth of the page before.
    let mut last = 1;
    for (k, &i) in order.iter().enumerate() {
        if let Some(&d) = depth.get(&i) {
            last = d;
            continue;
        }
        let path = &read[i].0;
        // The deepest folder's index, not the nearest page: rustdoc's `alloc/fn.alloc.html`
        // belongs under `alloc/index.html`, not under the crate's `index.html` placed after it.
        let parent = order[..k]
            .iter()
            .filter_map(|&j| {
                let folder = read[j].0.strip_suffix("index.html")?;
                (path.starts_with(folder) && read[j].0 != *path).then_some((folder.len(), j))
            })
            .max_by_key(|&(len, _)| len)
            .map(|(_, j)| {
                // Where the contents stand beside the home page (its top level at its depth), a
                // page placed by its path that only the site's root folder holds (Docusaurus'
                // blog) stands beside them too, not below the last of them.
                let beside_home =
                    by_path.contains(&i) && Some(j) == root && !toc.is_empty() && !read[j].0.contains('/');
                depth.get(&j).copied().unwrap_or(1) + u32::from(!beside_home)
            });
        let d = parent.unwrap_or(last);
        depth.insert(i, d);
        last = d;
    }
    // Copies: a page outside the table of contents whose paragraphs mostly appear in one other
    // page (one of the contents or one kept before it).
    let mut holders: HashMap<u64, Vec<usize>> = HashMap::new();
    let hold = |holders: &mut HashMap<u64, Vec<usize>>, i: usize, hashes: Vec<u64>| {
        for h in hashes {
            let pages = holders.entry(h).or_default();
            if pages.len() < MAX_HOLDERS && pages.last() != Some(&i) {
                pages.push(i);
            }
        }
    };
    for &i in order.iter().filter(|i| in_toc.contains(i)) {
        hold(&mut holders, i, paragraph_hashes(&read[i].1.text));
    }
    let mut kept = Vec::new();
    for &i in &order {
        let (path, page) = &read[i];
        if page.noindex {
            continue;
        }
        if page.text.trim().is_empty() {
            warnings.push(format!("{path}: no text in its main content; left out"));
            continue;
        }
        if !in_toc.contains(&i) && Some(i) != root && is_index_page(path, page) {
            continue;
        }
        if !in_toc.contains(&i) {
            let hashes = paragraph_hashes(&page.text);
            // Three quarters from one page: sibling API pages share a boilerplate paragraph or
            // two (a safety note) and each its summary with a listing, and rustdoc repeats the
            // methods a type reaches through `Deref` on each such type (`Vec` shows most of
            // `ByteStr`'s), and none of them is a copy; a re-export's page is.
            // One pass over the paragraphs' other holders: per page, how many it shares; how many
            // paragraphs another page holds; how many two or more others hold.
            let mut from: HashMap<usize, usize> = HashMap::new();
            let (mut seen, mut common) = (0, 0);
            for h in &hashes {
                let mut others = 0;
                for &o in holders.get(h).into_iter().flatten().filter(|&&o| o != i) {
                    *from.entry(o).or_default() += 1;
                    others += 1;
                }
                seen += usize::from(others > 0);
                common += usize::from(others >= 2);
            }
            let copied = from.values().copied().max().unwrap_or(0);
            // Nothing of its own: a copy, unless it is one paragraph that one other page (a
            // listing) repeats; one that many pages repeat (an include, a "moved" stub) is.
            let nothing_own =
                !hashes.is_empty() && seen == hashes.len() && (seen >= MIN_COPIED || common == hashes.len());
            if nothing_own || copied >= MIN_COPIED && copied * 4 >= hashes.len() * 3 {
                continue;
            }
            hold(&mut holders, i, hashes);
        }
        kept.push(i);
    }
    if kept.is_empty() {
        return Ok(None);
    }
    let mut read: Vec<Option<(String, HtmlPage)>> = read.into_iter().map(Some).collect();
    let pages =
        kept.into_iter().filter_map(|i| read[i].take().map(|p| (p, depth.get(&i).copied().unwrap_or(1))));
    Ok(Some(join(pages)))
}

/// Leaves out the pages in another language than the home page's (`<html lang>`): a site that
/// ships its translations (mdBook's `es/`, `ja/`, Docusaurus' i18n folders) would otherwise mix
/// them into one outline and one index, and answer an English question with a half-translated
/// copy. Each translation packs on its own from its folder; the warning says which.
fn other_languages_out(read: &mut Vec<(String, HtmlPage)>, warnings: &mut Vec<String>) {
    let Some(home) = read.iter().find(|(p, _)| p == "index.html").and_then(|(_, page)| page.lang.clone())
    else {
        return;
    };
    // Language -> (pages, the folders they open with).
    let mut others: BTreeMap<String, (usize, BTreeSet<String>)> = BTreeMap::new();
    read.retain(|(path, page)| match &page.lang {
        Some(lang) if *lang != home => {
            let entry = others.entry(lang.clone()).or_default();
            entry.0 += 1;
            entry.1.insert(path.split_once('/').map_or(String::new(), |(folder, _)| format!("{folder}/")));
            false
        }
        _ => true,
    });
    if others.is_empty() {
        return;
    }
    let total: usize = others.values().map(|o| o.0).sum();
    let each: Vec<String> = others
        .iter()
        .map(|(lang, (n, folders))| match folders.iter().next() {
            Some(folder) if folders.len() == 1 && !folder.is_empty() => format!("{lang}: {n} in {folder}"),
            _ => format!("{lang}: {n}"),
        })
        .collect();
    warnings.push(format!(
        "left out {total} pages in other languages than the home page's ({home}) — {}; pack a translation on its own from its folder",
        each.join(", ")
    ));
}

/// Pages remembered as holding one paragraph (more hold boilerplate, which any of them shows).
const MAX_HOLDERS: usize = 64;
/// Fewest paragraphs a page must repeat to be a copy: a listing repeats one paragraph of each
/// page it lists (rustdoc's module page, an API item's summary), which makes neither a copy.
const MIN_COPIED: usize = 2;

/// A generator's search page, an index of the site (mostly link text), or a listing of the
/// project's source code (Sphinx's viewcode pages under `_modules/`): the first two repeat the
/// titles of the pages they list, the last the names every API question uses, and both would
/// shadow the pages a reader wants.
fn is_index_page(path: &str, page: &HtmlPage) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(name, "search.html" | "genindex.html" | "py-modindex.html" | "404.html")
        || name.starts_with("genindex-")
        || path.starts_with("_modules/")
        || page.link_bytes * 10 > page.text.len() * 7
}

/// Hashes of a text's paragraphs that are long enough to say something (short ones, "Note",
/// "Example", repeat by nature).
fn paragraph_hashes(text: &str) -> Vec<u64> {
    use std::hash::{Hash, Hasher};
    text.split("\n\n")
        .filter(|p| p.len() >= 40)
        .map(|p| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            collapse(p).hash(&mut h);
            h.finish()
        })
        .collect()
}

/// Joins pages into one Document: each page's title is a heading at its table-of-contents
/// depth, its own headings sit below it.
fn join(pages: impl Iterator<Item = ((String, HtmlPage), u32)>) -> Site {
    let mut pages: Vec<((String, HtmlPage), u32)> = pages.collect();
    let shared = shared_bracket(pages.iter().map(|((_, p), _)| p.title.as_str()));
    // " (Kiln Manual)" -> "Kiln Manual".
    let mut site_title = shared
        .as_ref()
        .map(|tail| tail.trim_start().trim_start_matches('(').trim_end_matches(')').to_string());
    if let Some(banner) = banner(pages.iter().map(|((_, p), _)| p)) {
        for ((_, page), _) in &mut pages {
            drop_opening(page, &banner);
        }
    }
    let mut text = String::new();
    let mut doc_pages = Vec::new();
    let mut markup = Vec::new();
    let mut site_pages = Vec::new();
    for (n, ((path, mut page), depth)) in pages.into_iter().enumerate() {
        if let Some(own) = shared.as_deref().and_then(|tail| page.title.strip_suffix(tail)) {
            page.title = own.to_string();
        }
        if site_title.is_none() {
            site_title = Some(site_name(&page.title));
        }
        let number = n as u32 + 1;
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        // The page's own title: its first heading when that opens the page and heads it (the
        // usual h1; a lower one that the <title> names or that no other heading outranks or
        // equals), else its <title> without the site's name (MkDocs' default theme opens a page
        // with no h1 on its first h3, "Synopsis", beside the next, "Description").
        let named = page_title(&page.title);
        let heads = |h: &&page::PageHeading| {
            h.start == 0
                && (h.level == 1
                    || h.title.eq_ignore_ascii_case(&named)
                    || names_alike(&h.title, &named)
                    || page.headings.iter().skip(1).all(|o| o.level > h.level))
        };
        let mut headings = page.headings.iter().peekable();
        let opening = headings.next_if(heads);
        let title = match opening {
            Some(h) => h.title.clone(),
            None => named,
        };
        // A page without an h1 gets its <title> written at its top, as its h1: a passage of its
        // own that a question naming the page finds (rustdoc's h1 follows a path line: it stays).
        let start = text.len();
        if opening.is_none() && !title.is_empty() && page.headings.iter().all(|h| h.level > 1) {
            text.push_str(&title);
            text.push_str("\n\n");
        }
        let body = text.len();
        text.push_str(&page.text);
        doc_pages.push(Page { number, span: Span::new(start, text.len()) });
        // Below a <title>, h1 and h2 sit right below the page's, and a page whose highest
        // headings are lower has them there too.
        let top = opening.map_or_else(
            || page.headings.iter().map(|h| h.level).min().map_or(1, |l| l.saturating_sub(1).max(1)),
            |h| h.level,
        );
        markup.push(MarkupHeading {
            title: title.clone(),
            level: depth,
            start,
            page: number,
            anchor: opening.and_then(|h| h.anchor.clone()),
        });
        for h in headings {
            markup.push(MarkupHeading {
                title: h.title.clone(),
                level: depth + h.level.saturating_sub(top).max(1),
                start: body + h.start,
                page: number,
                anchor: h.anchor.clone(),
            });
        }
        site_pages.push(SitePage { path, title, depth });
    }
    let mut doc = Document::new("site", DocKind::Html, text, doc_pages, Vec::new(), None);
    doc.markup = markup;
    Site { title: site_title.unwrap_or_default(), doc, pages: site_pages }
}

/// A link's target page as a site path, from the page `from` that holds it.
pub fn resolve(from: &str, href: &str) -> Option<String> {
    if !page::is_local(href) {
        return None;
    }
    let href = href.split(['#', '?']).next().unwrap_or("");
    if href.is_empty() {
        return None;
    }
    let mut parts: Vec<&str> =
        if href.starts_with('/') { Vec::new() } else { from.split('/').collect::<Vec<_>>() };
    if !href.starts_with('/') {
        parts.pop();
    }
    for seg in href.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut path = parts.join("/");
    if href.ends_with('/') || path.is_empty() {
        path = if path.is_empty() { "index.html".into() } else { format!("{path}/index.html") };
    }
    Some(percent_decode(&path))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_against_the_page_that_holds_them() {
        assert_eq!(resolve("a/b.html", "c.html#x").as_deref(), Some("a/c.html"));
        assert_eq!(resolve("a/b.html", "../d.html").as_deref(), Some("d.html"));
        assert_eq!(resolve("a/b.html", "/e/").as_deref(), Some("e/index.html"));
        assert_eq!(resolve("index.html", "sub%20dir/f.html").as_deref(), Some("sub dir/f.html"));
        assert_eq!(resolve("index.html", "../../x.html"), None);
        assert_eq!(resolve("index.html", "https://x.org/a.html"), None);
    }

    fn page(title: &str, body: &str, next: Option<&str>) -> String {
        let next = next.map_or(String::new(), |n| format!("<link rel=\"next\" href=\"{n}\">"));
        format!("<html><head><title>{title} - Harbour Guide</title>{next}</head><body>{body}</body></html>")
    }

    fn paths_and_depths(site: &Site) -> Vec<(&str, u32)> {
        site.pages.iter().map(|p| (p.path.as_str(), p.depth)).collect()
    }

    fn write_files(dir: &Path, files: impl IntoIterator<Item = (&'static str, String)>) {
        for (name, html) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, html).unwrap();
        }
    }

    /// A small invented site: a sidebar naming two pages, a third reached by `next`, a copy of
    /// the first page outside the sidebar, a print-all page marked noindex, an index of links, a
    /// page of source code.
    fn harbour(dir: &Path) {
        let nav = r#"<nav><ol><li><a href="boats.html">Boats</a><ol><li><a href="sub/knots.html">Knots</a></li></ol></li></ol></nav>"#;
        let boats = format!(
            "{nav}<main><h1 id=\"boats\">Boats</h1><p>A sloop has a single mast and a mainsail with a jib.</p>\
             <h2 id=\"hulls\">Hulls</h2><p>Catamarans have two hulls joined by a deck between them.</p></main>"
        );
        let files = [
            ("boats.html", page("Boats", &boats, Some("sub/knots.html"))),
            (
                "sub/knots.html",
                page(
                    "Knots",
                    &format!(
                        "{nav}<main><h1>Knots</h1><p>The bowline makes a fixed loop at the end of a line.</p></main>"
                    ),
                    Some("tides.html"),
                ),
            ),
            (
                "sub/tides.html",
                page(
                    "Tides",
                    "<main><h1>Tides</h1><p>Spring tides come with the new and the full moon each month.</p></main>",
                    None,
                ),
            ),
            ("index.html", page("Boats", &boats, None)),
            ("print.html", format!("<meta name=\"robots\" content=\"noindex\">{boats}")),
            (
                "_modules/rigging.html",
                page(
                    "rigging",
                    "<main><h1>Source code for rigging</h1><pre>def hoist(sail):\n    return sail.up()</pre></main>",
                    None,
                ),
            ),
            (
                "genindex.html",
                page(
                    "Index",
                    "<main><h1>Index</h1><p><a href=\"boats.html\">sloop, the boat with a single mast and two sails</a></p></main>",
                    None,
                ),
            ),
        ];
        write_files(dir, files);
    }

    /// MkDocs' default theme: a navbar of dropdown menus (no `<nav>`) that names every page but the
    /// home page, pages whose Markdown has no h1 (their title is in the front matter) and opens on
    /// h3 sections side by side.
    #[test]
    fn pages_without_a_heading_of_their_own_take_their_title_and_the_home_page_comes_first() {
        let dir = std::env::temp_dir().join(format!("tome-site-h3-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let bar = r#"<div class="navbar"><ul class="dropdown-menu"><li><a href="cli/plot/index.html">plot</a></li><li><a href="cli/trace/index.html">trace</a></li></ul></div>"#;
        let command = |name: &str, what: &str| {
            format!(
                "{bar}<div role=\"main\"><h3 id=\"synopsis\">Synopsis</h3><p>{name} FILE</p>\
                 <h3 id=\"options\">Options</h3><h4 id=\"width\">width</h4><p>{what}</p></div>"
            )
        };
        write_files(
            &dir,
            [
                (
                    "index.html",
                    page(
                        "Plotter",
                        &format!(
                            "{bar}<div role=\"main\"><h1 id=\"plotter\">Plotter</h1><p>Pen plotter docs.</p></div>"
                        ),
                        None,
                    ),
                ),
                ("cli/plot/index.html", page("plot", &command("plot", "Line width in millimetres."), None)),
                ("cli/trace/index.html", page("trace", &command("trace", "Trace width in pixels."), None)),
            ],
        );
        let site = read_site(&dir, Limits::default()).unwrap();
        let marks: Vec<(&str, u32)> = site.doc.markup.iter().map(|h| (h.title.as_str(), h.level)).collect();
        assert_eq!(
            marks,
            [
                ("Plotter", 1),
                ("plot", 1),
                ("Synopsis", 2),
                ("Options", 2),
                ("width", 3),
                ("trace", 1),
                ("Synopsis", 2),
                ("Options", 2),
                ("width", 3)
            ]
        );
        // The title the <title> gave is the page's first line, as an h1 would be.
        let plot = &site.doc.markup[1];
        assert!(
            site.doc.text[plot.start..].starts_with("plot\n\nSynopsis\n\nplot FILE"),
            "{}",
            site.doc.text
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Texinfo's HTML: every page in one folder, titled "Node (Manual)", its "Next: … Up: …" bar in
    /// the content, `next` naming the next sibling (so a chapter's chain skips its sections) and
    /// `up` the node above; a chapter page that only lists its sections.
    #[test]
    fn pages_that_name_the_page_above_them_nest_below_it_in_sibling_order() {
        let dir = std::env::temp_dir().join(format!("tome-site-up-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let node = |title: &str, up: Option<&str>, next: Option<&str>, body: &str| {
            let link = |rel: &str, to: Option<&str>| {
                to.map_or(String::new(), |t| format!("<link href=\"{t}\" rel=\"{rel}\">"))
            };
            let bar = |rel: &str, key: &str, to: Option<&str>| {
                to.map_or(String::new(), |t| {
                    format!("{rel}: <a href=\"{t}\" accesskey=\"{key}\" rel=\"{rel}\">{t}</a>, ")
                })
            };
            format!(
                "<html><head><title>{title} (Kiln Manual)</title>{}{}</head><body><div class=\"chapter\">\
                 <div class=\"header\"><p>{}{}[<a href=\"Index.html\">Index</a>]</p></div><hr>{body}</div></body></html>",
                link("up", up),
                link("next", next),
                bar("next", "n", next),
                bar("up", "u", up),
            )
        };
        write_files(
            &dir,
            [
                (
                    "index.html",
                    node(
                        "Top",
                        None,
                        Some("Loading.html"),
                        "<h1 class=\"top\">Kiln Manual</h1><p>How to run the kiln.</p>",
                    ),
                ),
                (
                    "Loading.html",
                    node(
                        "Loading",
                        Some("index.html"),
                        Some("Firing.html"),
                        "<h2>1 Loading the kiln</h2><p>Stack shelves on posts of equal height.</p>",
                    ),
                ),
                (
                    "Firing.html",
                    node(
                        "Firing",
                        Some("index.html"),
                        None,
                        "<h2>2 Firing</h2><ul class=\"section-toc\"><li><a href=\"Ramp.html\">Ramp</a></li><li><a href=\"Cooling.html\">Cooling</a></li></ul>",
                    ),
                ),
                (
                    "Ramp.html",
                    node(
                        "Ramp",
                        Some("Firing.html"),
                        Some("Cooling.html"),
                        "<h3>2.1 Ramp</h3><p>Raise the heat by a hundred degrees an hour.</p>",
                    ),
                ),
                (
                    "Cooling.html",
                    node(
                        "Cooling",
                        Some("Firing.html"),
                        None,
                        "<h3>2.2 Cooling and unloading</h3><p>Open the lid only below two hundred degrees.</p>",
                    ),
                ),
            ],
        );
        let site = read_site(&dir, Limits::default()).unwrap();
        assert_eq!(site.title, "Kiln Manual");
        assert_eq!(
            paths_and_depths(&site),
            [
                ("index.html", 1),
                ("Loading.html", 1),
                ("Firing.html", 1),
                ("Ramp.html", 2),
                ("Cooling.html", 2)
            ]
        );
        let titles: Vec<&str> = site.pages.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(
            titles,
            ["Kiln Manual", "1 Loading the kiln", "2 Firing", "2.1 Ramp", "2.2 Cooling and unloading"]
        );
        assert!(!site.doc.text.contains("Next:") && !site.doc.text.contains("Index]"), "{}", site.doc.text);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// An old hand-written site: every page opens on the project's name as its h1, its own title
    /// an h2 below it.
    #[test]
    fn a_heading_every_page_opens_on_is_the_sites_banner() {
        let dir = std::env::temp_dir().join(format!("tome-site-banner-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let body =
            |title: &str, text: &str| format!("<h1>The Kiln Library</h1><h2>{title}</h2><p>{text}</p>");
        write_files(
            &dir,
            [
                ("index.html", page("Kiln", &body("Kiln", "A library for kiln controllers."), None)),
                ("api.html", page("The API", &body("The API", "Functions start with kiln_."), None)),
                ("faq.html", page("FAQ", &body("FAQ", "Cones melt at set temperatures."), None)),
                ("news.html", page("News", &body("News", "Version 2 reads thermocouples."), None)),
            ],
        );
        let site = read_site(&dir, Limits::default()).unwrap();
        let titles: Vec<&str> = site.pages.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["Kiln", "The API", "FAQ", "News"]);
        assert!(!site.doc.text.contains("The Kiln Library"), "{}", site.doc.text);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A book that ships its translation in `es/`: the home page's language is packed, the
    /// other left out with a warning that names it.
    #[test]
    fn translations_in_other_languages_are_left_out_and_named() {
        let dir = std::env::temp_dir().join(format!("tome-site-lang-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let page = |lang: &str, title: &str, text: &str| {
            format!(
                "<html lang=\"{lang}\"><head><title>{title}</title></head><body><main><h1>{title}</h1><p>{text}</p></main></body></html>"
            )
        };
        write_files(
            &dir,
            [
                ("index.html", page("en-US", "Knots", "Tie knots that hold.")),
                ("bowline.html", page("en", "Bowline", "A fixed loop at the end of a line.")),
                ("es/index.html", page("es", "Nudos", "Nudos que aguantan.")),
                ("es/bowline.html", page("es", "As de guía", "Un lazo fijo al final de un cabo.")),
            ],
        );
        let site = read_site(&dir, Limits::default()).unwrap();
        let paths: Vec<&str> = site.pages.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["index.html", "bowline.html"]);
        assert!(
            site.doc
                .warnings
                .iter()
                .any(|w| w.contains("2 pages in other languages") && w.contains("es: 2 in es/")),
            "{:?}",
            site.doc.warnings
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Docusaurus: the sidebar expands only the current page's category; the others show as a
    /// link to their first page. A pagination bar ends each page with a "Previous" link.
    #[test]
    fn collapsed_categories_are_read_from_their_own_pages() {
        let dir = std::env::temp_dir().join(format!("tome-site-collapsed-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let sidebar = |open: char| {
            let category = |c: char, first: &str, items: &[&str]| {
                if c == open {
                    let list: String =
                        items.iter().map(|i| format!("<li><a href=\"/docs/{i}\">{i}</a></li>")).collect();
                    format!("<li><a href=\"/docs/{first}\">{c}</a><ul>{list}</ul></li>")
                } else {
                    format!("<li><a href=\"/docs/{first}\">{c}</a></li>")
                }
            };
            format!(
                "<nav class=\"menu\"><ul>{}{}</ul></nav>",
                category('A', "anchors", &["anchors", "buoys"]),
                category('B', "knots", &["knots", "ropes", "splices"])
            )
        };
        let doc = |title: &str, open: char| {
            page(
                title,
                &format!(
                    "{}<main><article><h1>{title}</h1><p>All about {title}.</p></article></main>\
                     <nav class=\"pagination-nav\"><a href=\"/docs/anchors\">Previous</a></nav>",
                    sidebar(open)
                ),
                None,
            )
        };
        write_files(
            &dir,
            [
                ("index.html", page("Harbour", "<main><h1>Harbour</h1><p>Welcome aboard.</p></main>", None)),
                ("docs/anchors/index.html", doc("anchors", 'A')),
                ("docs/buoys/index.html", doc("buoys", 'A')),
                ("docs/knots/index.html", doc("knots", 'B')),
                ("docs/ropes/index.html", doc("ropes", 'B')),
                ("docs/splices/index.html", doc("splices", 'B')),
            ],
        );
        let site = read_site(&dir, Limits::default()).unwrap();
        let paths: Vec<&str> = site.pages.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "index.html",
                "docs/anchors/index.html",
                "docs/buoys/index.html",
                "docs/knots/index.html",
                "docs/ropes/index.html",
                "docs/splices/index.html"
            ]
        );
        let depth = |i: usize| site.pages[i].depth;
        assert!(
            depth(1) == depth(2) && depth(3) == depth(4) && depth(4) == depth(5),
            "{:?}",
            paths_and_depths(&site)
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Docusaurus: the sidebar lists the docs beside the home page; the blog is in no contents.
    #[test]
    fn a_page_only_the_root_folder_holds_stands_beside_the_contents() {
        let dir = std::env::temp_dir().join(format!("tome-site-blog-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let sidebar = "<nav class=\"menu\"><ul><li><a href=\"/docs/knots\">Knots</a></li>\
            <li><a href=\"/docs/ropes\">Ropes</a><ul><li><a href=\"/docs/splices\">Splices</a></li></ul></li></ul></nav>";
        let doc = |title: &str| {
            page(title, &format!("{sidebar}<main><h1>{title}</h1><p>All about {title}.</p></main>"), None)
        };
        write_files(
            &dir,
            [
                ("index.html", page("Harbour", "<main><h1>Harbour</h1><p>Welcome aboard.</p></main>", None)),
                ("docs/knots/index.html", doc("Knots")),
                ("docs/ropes/index.html", doc("Ropes")),
                ("docs/splices/index.html", doc("Splices")),
                (
                    "blog/index.html",
                    page("Blog", "<main><h1>Blog</h1><p>News from the harbour.</p></main>", None),
                ),
            ],
        );
        let site = read_site(&dir, Limits::default()).unwrap();
        let depth = |path: &str| site.pages.iter().find(|p| p.path == path).unwrap().depth;
        assert_eq!(depth("blog/index.html"), depth("docs/knots/index.html"), "{:?}", paths_and_depths(&site));
        assert!(
            depth("docs/splices/index.html") > depth("docs/ropes/index.html"),
            "{:?}",
            paths_and_depths(&site)
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Sphinx's classic theme on a contents page: the sidebar's "Next topic" names the first
    /// chapter before the body's toctree lists every chapter with its pages, and the bar names
    /// the general index between them.
    #[test]
    fn a_next_topic_link_does_not_move_a_chapter_away_from_its_pages() {
        let dir = std::env::temp_dir().join(format!("tome-site-next-topic-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let toctree = "<div class=\"toctree-wrapper\"><ul>\
            <li><a href=\"news/index.html\">News</a><ul><li><a href=\"news/two.html\">Two</a></li>\
            <li><a href=\"news/one.html\">One</a></li></ul></li>\
            <li><a href=\"guide.html\">Guide</a></li></ul></div>";
        let contents = format!(
            "<div class=\"sphinxsidebar\" role=\"navigation\"><h4>Next topic</h4>\
             <p class=\"topless\"><a href=\"news/index.html\">News</a></p></div>\
             <div class=\"related\" role=\"navigation\"><ul><li><a href=\"genindex.html\">index</a></li>\
             </ul></div><div role=\"main\"><h1>Contents</h1>{toctree}</div>"
        );
        let doc = |title: &str| {
            page(title, &format!("<div role=\"main\"><h1>{title}</h1><p>All about {title}.</p></div>"), None)
        };
        write_files(
            &dir,
            [
                ("index.html", page("Home", "<div role=\"main\"><h1>Home</h1><p>Welcome.</p></div>", None)),
                ("contents.html", page("Contents", &contents, None)),
                (
                    "genindex.html",
                    page("Index", "<div role=\"main\"><h1>Index</h1><p>A to Z.</p></div>", None),
                ),
                ("news/index.html", doc("News")),
                ("news/one.html", doc("One")),
                ("news/two.html", doc("Two")),
                ("guide.html", doc("Guide")),
            ],
        );
        let site = read_site(&dir, Limits::default()).unwrap();
        let at = |path: &str| site.pages.iter().position(|p| p.path == path).unwrap();
        let (news, two, one) = (at("news/index.html"), at("news/two.html"), at("news/one.html"));
        assert!(news + 1 == two && two + 1 == one, "{:?}", paths_and_depths(&site));
        assert!(site.pages[two].depth > site.pages[news].depth, "{:?}", paths_and_depths(&site));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Docusaurus: a top bar linking the home page, the first doc and the blog; a sidebar menu of
    /// the docs in its own order, under a category that links its first doc; "pretty" links
    /// without an extension (`/docs/tides`).
    #[test]
    fn pretty_links_name_pages_and_a_top_bar_is_not_the_contents() {
        let dir = std::env::temp_dir().join(format!("tome-site-pretty-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let chrome = r#"<nav class="navbar"><a href="/">Home</a><a href="/docs/tides">Docs</a><a href="/blog">Blog</a></nav>
            <nav class="menu"><ul><li><a href="/docs/tides">Sea</a><ul><li><a href="/docs/tides">Tides</a></li><li><a href="/docs/knots">Knots</a></li></ul></li></ul></nav>"#;
        let doc = |title: &str, text: &str| {
            page(
                title,
                &format!("{chrome}<main><article><h1>{title}</h1><p>{text}</p></article></main>"),
                None,
            )
        };
        write_files(
            &dir,
            [
                ("index.html", doc("Harbour", "Welcome aboard.")),
                ("blog/index.html", doc("Blog", "News from the quay.")),
                ("docs/knots/index.html", doc("Knots", "The bowline makes a fixed loop.")),
                ("docs/tides/index.html", doc("Tides", "Spring tides follow the new moon.")),
            ],
        );
        let site = read_site(&dir, Limits::default()).unwrap();
        let paths = paths_and_depths(&site);
        assert_eq!(
            paths,
            [
                ("index.html", 1),
                ("docs/tides/index.html", 1),
                ("docs/knots/index.html", 1),
                // The blog, outside the contents, beside them (below the home page, which stands
                // beside them too, it would read as a part of the last doc).
                ("blog/index.html", 1)
            ]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_site_is_its_pages_in_contents_order_without_copies() {
        let dir = std::env::temp_dir().join(format!("tome-site-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        harbour(&dir);
        let site = read_site(&dir, Limits::default()).unwrap();
        let paths = paths_and_depths(&site);
        assert_eq!(paths, [("boats.html", 1), ("sub/knots.html", 2), ("sub/tides.html", 2)]);
        assert_eq!(site.title, "Harbour Guide");
        let marks: Vec<(&str, u32, Option<&str>)> =
            site.doc.markup.iter().map(|h| (h.title.as_str(), h.level, h.anchor.as_deref())).collect();
        assert_eq!(
            marks,
            [
                ("Boats", 1, Some("boats")),
                ("Hulls", 2, Some("hulls")),
                ("Knots", 2, None),
                ("Tides", 2, None)
            ]
        );
        let hulls = &site.doc.markup[1];
        assert!(site.doc.text[hulls.start..].starts_with("Hulls\n\nCatamarans"));
        assert_eq!(site.doc.page_at(hulls.start), 1);
        std::fs::write(dir.join("huge.html"), vec![b'a'; 2048]).unwrap();
        let small = Limits { page_bytes: 1024, pages: 100 };
        let site = read_site(&dir, small).unwrap();
        assert!(
            site.doc.warnings.iter().any(|w| w.starts_with("huge.html") && w.contains("left out")),
            "{:?}",
            site.doc.warnings
        );
        let few = Limits { page_bytes: 1 << 20, pages: 3 };
        assert!(read_site(&dir, few).unwrap_err().to_string().contains("more than the 3"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// An invented API reference laid out as rustdoc does: the crate's page, a page per module
    /// listing its items with their summaries, a page per item, a re-export's copy at the root,
    /// a note that item pages include, and navigation that names only the page above.
    fn kitchen(dir: &Path) {
        let up = |href: &str| format!("<nav><ul><li><a href=\"{href}\">up</a></li></ul></nav>");
        let shared = "<p>Implements the heating contract shared by every vessel that sits on the stove.</p>\
             <p>Each vessel reports its temperature in degrees and refuses to boil when it is empty.</p>\
             <p>Vessels compare by volume, and two vessels of the same volume are equal to each other.</p>";
        let kettle = format!(
            "{}<main><h1>Struct Kettle</h1><p>A kettle with a whistle that sounds when the water boils.</p>\
             <p>Fill it through the lid; the spout pours without dripping when tilted slowly.</p>{shared}</main>",
            up("index.html")
        );
        let files = [
            (
                "index.html",
                "<main><h1>Crate kitchen</h1><p>Pots, kettles and the stove they sit on, for cooks.</p>\
                 <ul><li><a href=\"kettle/index.html\">kettle</a></li><li><a href=\"pot/index.html\">pot</a></li></ul></main>"
                    .to_string(),
            ),
            (
                "kettle/index.html",
                format!(
                    "{}<main><h1>Module kettle</h1><p>Kettles and what they do, from boiling water to descaling.</p>\
                     <p><a href=\"fn.descale.html\">descale</a> Removes the white scale from inside a kettle with vinegar.</p>\
                     <p><a href=\"struct.Kettle.html\">Kettle</a> A kettle with a whistle that sounds when the water boils.</p></main>",
                    up("../index.html")
                ),
            ),
            (
                "kettle/fn.descale.html",
                format!(
                    "{}<main><h1>Function descale</h1><p>Removes the white scale from inside a kettle with vinegar.</p></main>",
                    up("index.html")
                ),
            ),
            ("kettle/struct.Kettle.html", kettle.clone()),
            ("struct.Kettle.html", kettle),
            (
                "pot/index.html",
                format!(
                    "{}<main><h1>Module pot</h1><p>Pots for soups and stews, with lids that fit them.</p></main>",
                    up("../index.html")
                ),
            ),
            (
                "pot/struct.Pot.html",
                format!(
                    "{}<main><h1>Struct Pot</h1><p>A heavy pot with two handles and a lid that fits it.</p>\
                     <p>Stews simmer in it for hours on the smallest ring of the stove.</p>{shared}</main>",
                    up("index.html")
                ),
            ),
            (
                "vessels/note.html",
                "<main><p>Each vessel reports its temperature in degrees and refuses to boil when it is empty.</p></main>"
                    .to_string(),
            ),
        ];
        write_files(dir, files);
    }

    #[test]
    fn an_api_reference_nests_by_folder_and_keeps_pages_that_share_paragraphs() {
        let dir = std::env::temp_dir().join(format!("tome-site-api-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        kitchen(&dir);
        let site = read_site(&dir, Limits::default()).unwrap();
        let paths = paths_and_depths(&site);
        // Each module under the crate, each item under its module; the item whose one paragraph
        // is its summary in the module's list and the pot that shares most of its text with the
        // kettle are kept; the root's copy of the kettle (a re-export) and a note that two pages
        // include are not.
        assert_eq!(
            paths,
            [
                ("index.html", 1),
                ("kettle/index.html", 2),
                ("kettle/fn.descale.html", 3),
                ("kettle/struct.Kettle.html", 3),
                ("pot/index.html", 2),
                ("pot/struct.Pot.html", 3),
            ]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn folders_without_a_site_say_so() {
        let dir = std::env::temp_dir().join(format!("tome-site-empty-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(read_site(&dir, Limits::default()).unwrap_err().to_string().starts_with("no HTML pages in"));
        std::fs::write(dir.join("a.html"), "<meta http-equiv=\"refresh\" content=\"0; url=b.html\">")
            .unwrap();
        assert!(read_site(&dir, Limits::default()).unwrap_err().to_string().contains("hold no text"));
        std::fs::write(dir.join("a.html"), b"\x00\x01\x02\x03binary\x00\x00\xff\xfe\x00").unwrap();
        assert!(read_site(&dir, Limits::default()).is_err());
        assert!(
            read_site(&dir.join("a.html"), Limits::default())
                .unwrap_err()
                .to_string()
                .contains("is not a folder")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
