//! Page and site titles: the site's name as generators write it into each `<title>` ("Page -
//! Book", "Node (Manual)") or as a banner heading every page opens on, and whether a heading names
//! the page its `<title>` names.

use std::collections::HashMap;

use super::page::HtmlPage;
use crate::index::tokenize;

/// The heading most pages open on, when it is the same on most of them and another heading
/// follows it at once: the site's name as a banner ("The XSLT C library for GNOME" above each
/// page's own h2), not a page's title. ("Synopsis" opening every command's page, with the
/// synopsis below it, is a section.)
pub(super) fn banner<'a>(pages: impl Iterator<Item = &'a HtmlPage>) -> Option<String> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let mut n = 0;
    for page in pages {
        n += 1;
        if let Some(h) = page.headings.first().filter(|h| h.start == 0)
            && page.headings.get(1).is_some_and(|next| next.start == opening_end(page))
        {
            *counts.entry(h.title.as_str()).or_default() += 1;
        }
    }
    let (title, count) = counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))?;
    (count >= 3 && count * 4 >= n * 3).then(|| title.to_string())
}

/// Where the page's first paragraph (its opening heading) ends and the next begins.
fn opening_end(page: &HtmlPage) -> usize {
    page.text.find("\n\n").map_or(page.text.len(), |at| at + 2)
}

/// Takes the page's opening heading `title` out of the page, when another heading follows it.
pub(super) fn drop_opening(page: &mut HtmlPage, title: &str) {
    let cut = opening_end(page);
    if page.headings.first().is_none_or(|h| h.start != 0 || h.title != title)
        || page.headings.get(1).is_none_or(|next| next.start != cut)
    {
        return;
    }
    page.text.drain(..cut);
    page.headings.remove(0);
    page.headings.retain(|h| h.start >= cut);
    for h in &mut page.headings {
        h.start -= cut;
    }
}

/// The bracketed name that ends most pages' titles, as Texinfo names each node "Node (Manual)":
/// the site's name, not the page's ("Installation (Linux)" on one page is the page's own).
pub(super) fn shared_bracket<'a>(titles: impl Iterator<Item = &'a str>) -> Option<String> {
    let titles: Vec<&str> = titles.filter(|t| !t.is_empty()).collect();
    let tail = |t: &str| t.strip_suffix(')').and_then(|_| t.rfind(" (")).map(|at| t[at..].to_string());
    let mut counts: HashMap<String, usize> = HashMap::new();
    for t in &titles {
        if let Some(x) = tail(t) {
            *counts.entry(x).or_default() += 1;
        }
    }
    let (best, n) = counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))?;
    (n >= 2 && n * 4 >= titles.len() * 3).then_some(best)
}

/// Whether a heading and a page's `<title>` name the same thing in other words: most of the
/// title's words begin a word of the heading ("Arrays Unions Enums" and "2.3.4 Arrays, Unions,
/// and Enumerations").
pub(super) fn names_alike(heading: &str, title: &str) -> bool {
    let heading = tokenize::terms(heading);
    let words: Vec<String> =
        tokenize::terms(title).into_iter().filter(|w| !tokenize::is_stopword(w)).collect();
    let begins = |long: &str, short: &str| long == short || (short.len() >= 4 && long.starts_with(short));
    let found = words.iter().filter(|w| heading.iter().any(|h| begins(h, w) || begins(w, h))).count();
    !words.is_empty() && found * 3 >= words.len() * 2
}

const TITLE_SEPARATORS: [&str; 4] = [" — ", " - ", " | ", " – "];

/// The site's part of a `<title>` ("Page - Book" -> "Book"), else the whole title.
pub(super) fn site_name(title: &str) -> String {
    for sep in TITLE_SEPARATORS {
        if let Some((_, site)) = title.rsplit_once(sep) {
            return site.trim().to_string();
        }
    }
    title.trim().to_string()
}

/// A `<title>` without the site name that generators append ("Page - Book", "Page — Project").
pub(super) fn page_title(title: &str) -> String {
    for sep in TITLE_SEPARATORS {
        if let Some((page, _)) = title.rsplit_once(sep) {
            return page.trim().to_string();
        }
    }
    title.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_lose_the_site_name() {
        let texinfo = ["Top (Kiln Manual)", "Firing (Kiln Manual)", "Ramp (Kiln Manual)", "Glazes (Cone 6)"];
        assert_eq!(shared_bracket(texinfo.into_iter()).as_deref(), Some(" (Kiln Manual)"));
        assert_eq!(shared_bracket(["Install (Linux)", "Install (macOS)", "Usage"].into_iter()), None);
        assert!(names_alike("2.3.4 Arrays, Unions, and Enumerations", "Arrays Unions Enums"));
        assert!(!names_alike("Synopsis", "npm-ls"));
        assert_eq!(page_title("Boats - The Harbour Guide"), "Boats");
        assert_eq!(page_title("Knots — Harbour 2.1 documentation"), "Knots");
        assert_eq!(page_title("Plain"), "Plain");
        assert_eq!(page_title("A - B - Guide"), "A - B");
        assert_eq!(site_name("Knots — Harbour 2.1 documentation"), "Harbour 2.1 documentation");
    }
}
