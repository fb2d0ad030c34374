//! The order and nesting of a site's pages beyond its one table of contents: the navigation
//! lists each page carries (merged where a sidebar expands only the current page's category) and
//! the `rel="up"` tree of Texinfo and DocBook.

use std::collections::{HashMap, HashSet};

use super::page::HtmlPage;

/// The order and depth of the pages by their `rel="up"` links, when most pages have one that
/// names a page of the site: each page right after its parent (the home page's children at the
/// home page's level, as a table of contents lists them), siblings in their `next` chains
/// (Texinfo's `next` is the next sibling), chains and pages outside them in `order`'s order
/// (DocBook's `next` runs through the whole book). Pages whose parent is not found sit below the
/// home page. Also the pages others sit below.
pub(super) fn up_tree(
    read: &[(String, HtmlPage)],
    root: usize,
    order: &[usize],
    next_of: &[Option<usize>],
    lookup: &dyn Fn(&str, &str) -> Option<usize>,
) -> Option<UpTree> {
    let up: Vec<Option<usize>> = read
        .iter()
        .enumerate()
        .map(|(i, (path, p))| p.up.as_deref().and_then(|u| lookup(path, u)).filter(|&u| u != i))
        .collect();
    let with_up = up.iter().filter(|u| u.is_some()).count();
    if with_up * 2 < read.len() || with_up < 2 {
        return None;
    }
    let position: HashMap<usize, usize> = order.iter().enumerate().map(|(k, &i)| (i, k)).collect();
    let rank = |i: usize| position.get(&i).copied().unwrap_or(usize::MAX);
    let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in (0..read.len()).filter(|&i| i != root) {
        children.entry(up[i].unwrap_or(root)).or_default().push(i);
    }
    for kids in children.values_mut() {
        let set: HashSet<usize> = kids.iter().copied().collect();
        let pointed: HashSet<usize> =
            kids.iter().filter_map(|&k| next_of[k]).filter(|n| set.contains(n)).collect();
        let mut heads: Vec<usize> = kids.iter().copied().filter(|k| !pointed.contains(k)).collect();
        heads.sort_by_key(|&k| rank(k));
        let mut sorted = Vec::with_capacity(kids.len());
        let mut seen = HashSet::new();
        for head in heads {
            let mut at = Some(head);
            while let Some(k) = at.filter(|k| set.contains(k) && seen.insert(*k)) {
                sorted.push(k);
                at = next_of[k];
            }
        }
        // Pages on a loop of `next` links no chain reached.
        let mut rest: Vec<usize> = kids.iter().copied().filter(|k| !seen.contains(k)).collect();
        rest.sort_by_key(|&k| rank(k));
        sorted.extend(rest);
        *kids = sorted;
    }
    let mut tree = Vec::with_capacity(read.len());
    let mut depth = HashMap::new();
    let mut seen = HashSet::new();
    // Depth first, without recursion (a site may nest deep); the home page's children at its level.
    let mut stack = vec![(root, 1u32)];
    while let Some((page, d)) = stack.pop() {
        if !seen.insert(page) {
            continue;
        }
        tree.push(page);
        depth.insert(page, d);
        let below = if page == root { d } else { d + 1 };
        for &k in children.get(&page).into_iter().flatten().rev() {
            stack.push((k, below));
        }
    }
    // Pages on a loop of `up` links the walk from the home page never reached.
    let mut rest: Vec<usize> = (0..read.len()).filter(|i| !seen.contains(i)).collect();
    rest.sort_by_key(|&i| rank(i));
    for i in rest {
        depth.insert(i, 1);
        tree.push(i);
    }
    let parents = children.into_keys().filter(|&p| p != root).collect();
    Some(UpTree { order: tree, depth, parents })
}

/// The pages as their `rel="up"` links arrange them (see [`up_tree`]).
pub(super) struct UpTree {
    pub order: Vec<usize>,
    pub depth: HashMap<usize, u32>,
    /// The pages others sit below.
    pub parents: HashSet<usize>,
}

/// A page's navigation links as (page, list depth), each page once, in order.
pub(super) fn navigation(
    path: &str,
    page: &HtmlPage,
    lookup: &dyn Fn(&str, &str) -> Option<usize>,
) -> Vec<(usize, u32)> {
    let mut seen = HashSet::new();
    let mut list = Vec::new();
    // The link (without a fragment) each page was first named by, and where.
    let mut named: HashMap<usize, (&str, usize)> = HashMap::new();
    // The category level and its pages' level, once a category was seen to list its own link.
    let mut levels: Option<(u32, u32)> = None;
    for link in &page.toc {
        let Some(target) = lookup(path, &link.href) else { continue };
        if seen.insert(target) {
            if !link.href.contains('#') {
                named.insert(target, (link.href.as_str(), list.len()));
            }
            list.push((target, link.depth));
        } else if let Some(&(href, at)) = named.get(&target)
            && href == link.href
            && list[at].1 < link.depth
        {
            // A category that links one of its pages, then lists it among the others
            // (Docusaurus): the page sits with its siblings, where they list it.
            levels.get_or_insert((list[at].1, link.depth));
            list.remove(at);
            for (_, (_, i)) in named.iter_mut() {
                if *i > at {
                    *i -= 1;
                }
            }
            named.insert(target, (href, list.len()));
            list.push((target, link.depth));
        }
    }
    // The other categories, folded, show only the link to their first page: that page sits at
    // its pages' level too.
    if let Some((category, pages)) = levels {
        for entry in list.iter_mut().filter(|e| e.1 == category) {
            entry.1 = pages;
        }
    }
    list
}

/// Adds to the table of contents `toc` the pages other pages' navigations name where it does not:
/// a sidebar expands only the current page's category (Docusaurus, themes that collapse the
/// rest), so each category's pages are listed only on its own pages. A navigation is used when
/// its page is in the contents and it names at least two of the contents' pages, in the
/// contents' order but for one step back (rustdoc's per-module sidebars do not); each new page goes after the page it follows there (as its first child, or
/// after the entries below it), at the depth it has there relative to that page.
pub(super) fn merge_navigations(toc: &mut Vec<(usize, u32)>, lists: &[Vec<(usize, u32)>]) {
    if toc.len() < 2 {
        return;
    }
    let mut at: HashMap<usize, usize> = toc.iter().enumerate().map(|(k, &(i, _))| (i, k)).collect();
    // Only the navigations of pages the contents name: a page outside them (a source listing,
    // an index) may carry another site's sidebar.
    let named: Vec<usize> = toc.iter().map(|t| t.0).collect();
    for list in named.into_iter().filter_map(|page| lists.get(page)) {
        let known: Vec<usize> = list.iter().filter_map(|(i, _)| at.get(i).copied()).collect();
        // One step back is allowed: a page's "Previous" link (Docusaurus' pagination) ends it.
        let back = known.windows(2).filter(|w| w[0] > w[1]).count();
        if known.len() < 2 || known.len() == list.len() || back > 1 {
            continue;
        }
        let mut prev: Option<(usize, u32)> = None; // (position in toc, depth in list)
        for &(page, d) in list {
            if let Some(&k) = at.get(&page) {
                prev = Some((k, d));
                continue;
            }
            let Some((k, prev_depth)) = prev else { continue };
            let base = toc[k].1;
            let depth = (base + d).saturating_sub(prev_depth).max(1);
            // Below the previous page: first among its children; beside it or higher: after the
            // entries below it.
            let mut insert = k + 1;
            if depth <= base {
                while insert < toc.len() && toc[insert].1 > depth {
                    insert += 1;
                }
            }
            toc.insert(insert, (page, depth));
            at = toc.iter().enumerate().map(|(k, &(i, _))| (i, k)).collect();
            prev = Some((insert, d));
        }
    }
}
