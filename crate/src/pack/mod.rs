//! Packs: a whole documentation site as static files served next to its pages, read a shard at
//! a time by the widget (and by `tome search`/`tome ask` natively).
//!
//! A pack folder holds:
//! - `tome-pack.json`, the [`Manifest`]: format and tome version, the site's title and counts,
//!   the first term of every index shard and the first passage of every text shard;
//! - `index-<hash>.tome`: the BM25 index split by term range: per term its document frequency,
//!   its postings (passage, quantized BM25 saturation) and the passages whose outline path
//!   holds it (as runs);
//! - `text-<hash>.tome`: passages in site order: text, outline path, page URL with the anchor of
//!   the nearest heading;
//! - `outline-<hash>.tome`: the site's outline (site → page → sections) as JSON, with URLs.
//!
//! Every file but the manifest is gzip-compressed and named by the hash of its content, so it
//! can be cached forever; the manifest is the one file that changes. A query reads the manifest,
//! the index shards of its terms, then the text shards of the passages it ranks best
//! ([`read::PackReader`] says which files it needs next; [`web::TomePack`] is its browser face).

pub mod codec;
pub mod read;
pub mod web;
#[cfg(all(feature = "html", not(target_family = "wasm")))]
pub mod write;

use serde::{Deserialize, Serialize};

/// Version of the file formats; a reader refuses packs of another.
pub const FORMAT: u32 = 1;
/// Most passages a pack may hold (a large documentation site has tens of thousands); the reader
/// sizes work by it.
pub const MAX_PASSAGES: usize = 10_000_000;
/// The manifest's file name, the one name that is not content-hashed.
pub const MANIFEST: &str = "tome-pack.json";

/// One node of a site's outline (the outline file is a list of them): a page or a section, with
/// the URL that opens it (page path and the anchor of its heading).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutlineEntry {
    pub title: String,
    pub url: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<OutlineEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// The tome version that wrote the pack.
    pub tome: String,
    pub title: String,
    pub pages: usize,
    pub passages: usize,
    /// Mean passage length in tokens (BM25's length normalisation).
    pub avg_len: f32,
    /// (first term, file) of each index shard, in term order.
    pub index: Vec<(String, String)>,
    /// (first passage, file) of each text shard, in passage order.
    pub text: Vec<(u32, String)>,
    /// The first passage of each page, in site order: which page a ranked passage is on,
    /// before its text is fetched.
    pub page_starts: Vec<u32>,
    /// The pages (indices into `page_starts`) that list a project's changes release by release
    /// (a changelog, "What's New", NEWS): they mention everything, so they answer only questions
    /// about releases (see [`read`]'s `DISCOUNTED_WEIGHT`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub release_notes: Vec<u32>,
    /// The pages (indices into `page_starts`) of unstable APIs (rustdoc's "nightly-only
    /// experimental API"): they answer only questions about unstable features.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unstable: Vec<u32>,
    /// The pages (indices into `page_starts`) of deprecated APIs and modules (rustdoc's and
    /// Sphinx's "Deprecated since ..." at the page's top): they answer only questions about them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deprecated: Vec<u32>,
    /// The pages (indices into `page_starts`) of the site's glossary: a line on every term, so
    /// they answer only questions about what a term means.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub glossary: Vec<u32>,
    pub outline: String,
    /// Total bytes of the pack's files (compressed, as served), the manifest excluded.
    pub bytes: u64,
    /// The model the site offers its visitors (`tome pack --model`): an explicit choice in the
    /// widget, never an automatic download. Absent: extractive answers only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<PackModel>,
}

/// A model file in the pack folder, with the engine that runs it in the browser.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackModel {
    /// Its path in the pack folder.
    pub file: String,
    /// Its size: what a visitor who chooses it downloads once.
    pub bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("this is not a tome pack ({0}); point to the folder `tome pack` wrote (it holds tome-pack.json)")]
    NotAPack(String),
    #[error(
        "this pack was written by tome {tome} in format {found}; this tome ({ours}) reads format {FORMAT}: run `tome pack` again with this version"
    )]
    Version { found: u32, tome: String, ours: &'static str },
    #[error(
        "the pack file {0} is damaged or from another build of the pack ({1}); run `tome pack` again and upload all its files"
    )]
    Damaged(String, String),
    #[error("the pack file {0} is not loaded yet; load the files the reader asks for first")]
    NotLoaded(String),
    #[error("cannot read the pack file {0}: {1}")]
    Io(String, String),
}

impl Manifest {
    /// Reads and checks a manifest: its format must be this tome's.
    pub fn parse(bytes: &[u8]) -> Result<Manifest, PackError> {
        let value: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| PackError::NotAPack(format!("the manifest is not JSON: {e}")))?;
        let format = value
            .get("format")
            .and_then(|f| f.as_u64())
            .ok_or_else(|| PackError::NotAPack("the manifest has no format number".into()))?
            as u32;
        if format != FORMAT {
            let tome = value.get("tome").and_then(|t| t.as_str()).unwrap_or("unknown").to_string();
            return Err(PackError::Version { found: format, tome, ours: env!("CARGO_PKG_VERSION") });
        }
        let manifest: Manifest = serde_json::from_value(value)
            .map_err(|e| PackError::NotAPack(format!("the manifest is incomplete: {e}")))?;
        if manifest.passages > MAX_PASSAGES {
            return Err(PackError::NotAPack(format!(
                "the manifest claims {} passages, more than the {MAX_PASSAGES} a pack may hold",
                manifest.passages
            )));
        }
        Ok(manifest)
    }
}

/// FNV-1a, 64 bits: names files by content (not a defence against tampering, a check that a
/// file is the one the manifest means).
pub fn content_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The file name for content of a kind: `index-0123456789abcdef.tome`.
pub fn file_name(kind: &str, content: &[u8]) -> String {
    format!("{kind}-{:016x}.tome", content_hash(content))
}

/// Checks that decompressed content is what its name says.
pub fn check_name(name: &str, content: &[u8]) -> Result<(), PackError> {
    let want = name.rsplit_once('-').and_then(|(_, h)| h.strip_suffix(".tome")).unwrap_or("");
    let got = format!("{:016x}", content_hash(content));
    if want == got {
        Ok(())
    } else {
        Err(PackError::Damaged(name.to_string(), format!("its content hashes to {got}")))
    }
}
