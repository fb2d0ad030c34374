//! Writing a pack: a read [`Site`] in, the pack's files in a folder out (see [`super`]).
//!
//! One pass over the site's passages counts terms and path terms; shards are cut when their
//! content passes a target size, so a query fetches a few small files.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;
use serde::Serialize;

use super::codec::{self, StoredPassage, TermEntry};
use super::{FORMAT, MANIFEST, Manifest, OutlineEntry, file_name};
use crate::doc::html::{Site, SitePage};
use crate::error::{Error, Result};
use crate::index::{Index, Passage, tokenize};
use crate::outline::{Outline, OutlineNode};
use crate::qa;

/// Content bytes (before gzip) at which a shard is closed. Measured on the Rust book and the
/// Sphinx manual (`tome bench pack`): 24 KB index shards (~8 KB gzipped) and 12 KB text shards
/// (~4.5 KB) keep a first answer near 60 KB of shards, and the manifest small.
pub const INDEX_SHARD_BYTES: usize = 24 << 10;
pub const TEXT_SHARD_BYTES: usize = 12 << 10;

/// What `tome pack` reports.
#[derive(Debug, Clone, Serialize)]
pub struct PackStats {
    pub pages: usize,
    pub passages: usize,
    pub terms: usize,
    pub index_shards: usize,
    pub text_shards: usize,
    /// All files as served (compressed), the manifest included.
    pub bytes: u64,
    pub warnings: Vec<String>,
}

/// Stages for a progress bar: ("index" | "write", done, total).
pub type Progress<'a> = &'a mut dyn FnMut(&str, usize, usize);

/// Writes the pack of `site` into `out` (created if missing; old `.tome` files there removed).
pub fn write(site: &Site, out: &Path, progress: Progress) -> Result<PackStats> {
    let doc = &site.doc;
    progress("index", 0, 1);
    let outline = Outline::build(doc, false);
    let index = Index::build(doc, &outline);
    progress("index", 1, 1);
    let bm25 = index.bm25();
    let avg_len = bm25.avg_len();
    let n = index.passages.len();

    // Postings and path terms of every term, in term order.
    let mut terms: BTreeMap<String, TermEntry> = BTreeMap::new();
    let mut tf: BTreeMap<String, u32> = BTreeMap::new();
    for (i, p) in index.passages.iter().enumerate() {
        tf.clear();
        tokenize::for_each_token(doc.slice(p.span), |t, _, _| *tf.entry(t.to_string()).or_default() += 1);
        let len = bm25.passage_len(i) as f32;
        for (t, &count) in &tf {
            let sat = crate::index::bm25::saturation(count.min(u32::from(u16::MAX)) as f32, len, avg_len);
            let e = terms.entry(t.clone()).or_insert_with(|| TermEntry {
                term: t.clone(),
                df: 0,
                postings: Vec::new(),
                path_runs: Vec::new(),
            });
            e.df += 1;
            e.postings.push((i as u32, codec::quantize(sat)));
        }
        let mut path_terms: Vec<String> = p.path.iter().flat_map(|t| tokenize::terms(t)).collect();
        path_terms.sort();
        path_terms.dedup();
        for t in path_terms {
            let e = terms.entry(t.clone()).or_insert_with(|| TermEntry {
                term: t,
                df: 0,
                postings: Vec::new(),
                path_runs: Vec::new(),
            });
            match e.path_runs.last_mut() {
                Some((s, l)) if *s + *l == i as u32 => *l += 1,
                _ => e.path_runs.push((i as u32, 1)),
            }
        }
    }

    std::fs::create_dir_all(out).map_err(|e| Error::io(format!("cannot create {}", out.display()), e))?;
    clear_old(out)?;
    let total_files = 2 + terms.len() / 500 + n / 40;
    let mut written = 0usize;
    let mut bytes = 0u64;
    let mut put = |kind: &str, content: Vec<u8>, progress: Progress| -> Result<String> {
        let name = file_name(kind, &content);
        let gz = gzip(&content);
        bytes += gz.len() as u64;
        std::fs::write(out.join(&name), gz)
            .map_err(|e| Error::io(format!("cannot write {}", out.display()), e))?;
        written += 1;
        progress("write", written, total_files.max(written));
        Ok(name)
    };

    let mut index_files = Vec::new();
    let mut shard: Vec<TermEntry> = Vec::new();
    let mut size = 0usize;
    let n_terms = terms.len();
    for (_, e) in terms {
        size += e.term.len() + 4 + e.postings.len() * 3 + e.path_runs.len() * 3;
        shard.push(e);
        if size >= INDEX_SHARD_BYTES {
            let first = shard[0].term.clone();
            index_files.push((first, put("index", codec::write_index(&shard), progress)?));
            shard.clear();
            size = 0;
        }
    }
    if !shard.is_empty() {
        let first = shard[0].term.clone();
        index_files.push((first, put("index", codec::write_index(&shard), progress)?));
    }
    // The first shard starts at "" so every term has one.
    if let Some(first) = index_files.first_mut() {
        first.0 = String::new();
    }

    let mut text_files = Vec::new();
    let mut batch: Vec<StoredPassage> = Vec::new();
    let mut first = 0u32;
    let mut size = 0usize;
    for (i, p) in index.passages.iter().enumerate() {
        let stored = StoredPassage {
            url: url_of(site, p.span.start),
            path: p.path.clone(),
            text: doc.slice(p.span).to_string(),
        };
        size += stored.text.len() + stored.url.len() + stored.path.iter().map(|t| t.len()).sum::<usize>();
        batch.push(stored);
        if size >= TEXT_SHARD_BYTES {
            text_files.push((first, put("text", codec::write_text(first, &batch), progress)?));
            batch.clear();
            first = i as u32 + 1;
            size = 0;
        }
    }
    if !batch.is_empty() {
        text_files.push((first, put("text", codec::write_text(first, &batch), progress)?));
    }

    let mut page_starts = Vec::new();
    let mut last_page = 0;
    for (i, p) in index.passages.iter().enumerate() {
        let page = doc.page_at(p.span.start);
        if page != last_page {
            page_starts.push(i as u32);
            last_page = page;
        }
    }
    let mut headings: HashMap<u32, Vec<&str>> = HashMap::new();
    for h in &doc.markup {
        headings.entry(h.page).or_default().push(h.title.as_str());
    }
    // The pages (indices into page_starts) that a test of a page's first passage and its site page
    // picks out; a page's top is its first few passages, where rustdoc's marks stand.
    let pages_where = |keep: &PageTest| -> Vec<u32> {
        (0..page_starts.len())
            .filter(|&k| {
                let p = page_starts[k] as usize;
                let number = doc.page_at(index.passages[p].span.start);
                let page = (number as usize).checked_sub(1).and_then(|i| site.pages.get(i));
                let end = page_starts.get(k + 1).map_or(n, |&e| e as usize).min(p + UNSTABLE_PASSAGES);
                keep(number as usize, page, &index.passages[p..end])
            })
            .map(|k| k as u32)
            .collect()
    };
    let release_notes = pages_where(&|number, page, _| {
        let headings = headings.get(&(number as u32)).map_or(&[][..], Vec::as_slice);
        page.is_some_and(|page| is_release_notes(&page.path, &page.title, headings))
    });
    let glossary = pages_where(&|_, page, _| page.is_some_and(|page| is_glossary(&page.path, &page.title)));
    // An unstable API says so under its name, at the top of its page.
    let unstable = pages_where(&|_, _, top| top.iter().any(|q| doc.slice(q.span).contains(UNSTABLE_BANNER)));
    // A deprecated API or module says so at the top of its page: rustdoc under the item's name
    // and declaration, Sphinx under the title (a mark further down is one option's or method's).
    let near_top = |text: &str, mark: &str, reach: usize| text.find(mark).is_some_and(|at| at < reach);
    let deprecated = pages_where(&|_, _, top| {
        near_top(doc.slice(top[0].span), DEPRECATED_BANNER, DEPRECATED_REACH)
            || top
                .iter()
                .any(|q| near_top(doc.slice(q.span), RUSTDOC_DEPRECATED_BANNER, RUSTDOC_DEPRECATED_REACH))
    });
    let tree = outline_entries(site, &outline.nodes);
    let outline_file = put("outline", serde_json::to_vec(&tree).unwrap_or_default(), progress)?;

    let manifest = Manifest {
        format: FORMAT,
        tome: env!("CARGO_PKG_VERSION").to_string(),
        title: site.title.clone(),
        pages: site.pages.len(),
        passages: n,
        avg_len,
        index: index_files,
        text: text_files,
        page_starts,
        release_notes,
        unstable,
        deprecated,
        glossary,
        outline: outline_file,
        bytes,
        model: None,
    };
    let json = serde_json::to_vec(&manifest).unwrap_or_default();
    let manifest_path = out.join(MANIFEST);
    std::fs::write(&manifest_path, &json)
        .map_err(|e| Error::io(format!("cannot write {}", manifest_path.display()), e))?;
    progress("write", total_files, total_files);
    Ok(PackStats {
        pages: site.pages.len(),
        passages: n,
        terms: n_terms,
        index_shards: manifest.index.len(),
        text_shards: manifest.text.len(),
        bytes: bytes + json.len() as u64,
        warnings: doc.warnings.clone(),
    })
}

/// Removes the `.tome` files and manifest of an earlier pack in `out` (nothing else).
fn clear_old(out: &Path) -> Result<()> {
    let entries =
        std::fs::read_dir(out).map_err(|e| Error::io(format!("cannot list {}", out.display()), e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".tome") || name == MANIFEST {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(())
}

fn gzip(content: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(content);
    enc.finish().unwrap_or_default()
}

/// The URL of the text at byte `at`: its page's path and the anchor of the nearest heading
/// before it on that page.
fn url_of(site: &Site, at: usize) -> String {
    let doc = &site.doc;
    let page = doc.page_at(at);
    let path = site.pages.get(page as usize - 1).map_or("", |p| p.path.as_str());
    let i = doc.markup.partition_point(|h| h.start <= at);
    let anchor =
        doc.markup[..i].iter().rev().take_while(|h| h.page == page).find_map(|h| h.anchor.as_deref());
    match anchor {
        Some(a) => format!("{path}#{a}"),
        None => path.to_string(),
    }
}

/// The site's outline (site → page → sections) as the pack's outline file holds it.
pub fn site_outline(site: &Site) -> Vec<OutlineEntry> {
    outline_entries(site, &Outline::build(&site.doc, false).nodes)
}

fn outline_entries(site: &Site, nodes: &[OutlineNode]) -> Vec<OutlineEntry> {
    nodes
        .iter()
        .map(|n| OutlineEntry {
            title: n.title.clone(),
            url: url_of(site, n.span.start),
            children: outline_entries(site, &n.children),
        })
        .collect()
}

/// A test of one page of a pack: its page number, its site page, its top passages.
type PageTest<'a> = dyn Fn(usize, Option<&SitePage>, &[Passage]) -> bool + 'a;

/// rustdoc's mark of an unstable item, under the item's name.
const UNSTABLE_BANNER: &str = "This is a nightly-only experimental API";
/// How many passages from a page's top its mark may stand in (the name, the declaration, the mark).
const UNSTABLE_PASSAGES: usize = 3;
/// rustdoc's mark of a deprecated item ("👎Deprecated since 1.6.0: replaced by ..."), and Sphinx's
/// of a deprecated module ("Deprecated since version 3.6, will be removed in ...").
const DEPRECATED_BANNER: &str = "Deprecated since";
/// rustdoc's mark, which stands under the declaration (the page's second or third passage).
const RUSTDOC_DEPRECATED_BANNER: &str = "\u{1F44E}Deprecated since";
/// How far into a page's first passage the mark stands when it is the page's (bytes: the title
/// and the source link before it); further down it is one function's or option's ("Deprecated
/// since version 3.3: the cElementTree module ..." in ElementTree's introduction).
const DEPRECATED_REACH: usize = 200;
/// How far into one of the page's first passages rustdoc's mark stands: under the declaration,
/// which may be a long signature.
const RUSTDOC_DEPRECATED_REACH: usize = 400;

/// Files and folders that hold a list of changes release by release.
const RELEASE_NOTES_FILES: &[&str] =
    &["changelog", "changes", "news", "whatsnew", "releases", "releasenotes", "history"];

/// Whether a page is the site's glossary (a file named so, or a page titled so): a line or two on
/// each term, which the page about the term explains.
fn is_glossary(path: &str, title: &str) -> bool {
    let stem = |part: &str| part.split('.').next().unwrap_or(part).to_lowercase();
    title.trim().to_lowercase().starts_with("glossary")
        || path.split('/').filter(|p| !p.is_empty()).any(|part| stem(part) == "glossary")
}

/// Whether a page lists a project's changes release by release: its title or its file or folder
/// says so ("Changelog", "What's New In 3.9", "2. NEWS", `whatsnew/3.9.html`), or most of its (at
/// least four) headings begin with a version number ("2.1.0 (2013-12-05)", "Release 3.22",
/// "Version 1.2"). Not "Recording changes to the repository".
fn is_release_notes(path: &str, title: &str, headings: &[&str]) -> bool {
    let titled = qa::aside::titles_release_notes(title);
    let filed = path.split('/').any(|part| {
        let stem = part.split('.').next().unwrap_or(part).to_lowercase().replace(['-', '_'], "");
        RELEASE_NOTES_FILES.contains(&stem.as_str())
    });
    // "2.1.0 (2013-12-05)", "Release 3.22", "v1.2.3": a version alone or with a date; not a
    // section number ("2.1. Getting started", "3.1 Using Python").
    let versioned = |h: &&str| {
        let mut words = h.split_whitespace();
        let first = words.next().unwrap_or("").to_lowercase();
        let number =
            if matches!(first.as_str(), "release" | "version") { words.next().unwrap_or("") } else { &first };
        let rest: Vec<&str> = words.collect();
        let mut parts = number.trim_start_matches(['v', 'V']).split('.');
        parts.next().is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            && parts.next().is_some_and(|p| p.bytes().next().is_some_and(|b| b.is_ascii_digit()))
            && !number.ends_with('.')
            && (rest.is_empty() || rest.iter().any(|w| w.contains(|c: char| c.is_ascii_digit())))
    };
    let by_version =
        headings.len() >= 4 && headings.iter().filter(|h| versioned(h)).count() * 2 >= headings.len();
    titled || filed || by_version
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_notes_are_told_by_title_file_or_version_headings() {
        assert!(is_release_notes("changes.html", "Changes in Kiln 2.0", &[]));
        assert!(is_release_notes("whatsnew/2.1.html", "Kiln 2.1 highlights", &[]));
        assert!(is_release_notes("dist.news.html", "2. NEWS", &[]));
        assert!(is_release_notes(
            "community/updates.html",
            "Community Updates",
            &["2.1.0 (2024-03-01)", "2.0.1", "Release 2.0", "1.9.0 (2023-01-02)"]
        ));
        assert!(!is_release_notes("git/recording.html", "Recording changes to the repository", &[]));
        assert!(!is_release_notes(
            "guide.html",
            "Guide",
            &["2.1. Loading", "2.2. Firing", "2.3 Cooling down", "2.4 Glazes"]
        ));
    }
}
