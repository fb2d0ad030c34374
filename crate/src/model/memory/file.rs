//! The memory file: `TOMEMEM\0`, a u32 format version, then records, each a 4-byte tag, a u64
//! payload length, the payload and the payload's FNV-1a-64 checksum (all little-endian):
//!
//! - `HEAD`: model SHA-256, document SHA-256, shape (layers, KV heads, head size), rule, ratio,
//!   window, windows planned;
//! - `DOCU`: the document's name and bytes;
//! - `WIND`, one per window in order: text span, tokens, entries kept, then positions, scores,
//!   keys and values (see [`super::WindowMemory`]);
//! - `DONE`: the number of windows, written last.
//!
//! A reading appends records to `FILE.part` and renames it to `FILE` after `DONE`, so an
//! interrupted reading never leaves a file that looks whole, and can be resumed: the `.part` file's
//! good records are kept and the rest is read again.

use thiserror::Error;

use super::{Memory, Rule, Settings, Shape, WindowMemory};
use crate::span::Span;

const MAGIC: &[u8; 8] = b"TOMEMEM\0";
pub const VERSION: u32 = 1;

/// Largest window, entry count and document a memory file may claim (bounds allocations from a
/// damaged file).
const MAX_WINDOW: usize = 1 << 16;
const MAX_DOC: usize = 1 << 31;
const MAX_DIM: usize = 1 << 12;

#[derive(Debug, Error)]
pub enum MemoryError {
    #[error("{0} is not a tome memory file (made by `tome read FILE -o FILE.tome`)")]
    NotAMemory(String),

    #[error(
        "{name} is a tome memory file of format {found}; this tome reads format {VERSION}: read the document again"
    )]
    Version { name: String, found: u32 },

    #[error("{name} is damaged ({what}); read the document again with `tome read`")]
    Damaged { name: String, what: String },

    #[error(
        "{name} was read by another model (SHA-256 {file}…, this model {model}…); read the document again with this model"
    )]
    OtherModel { name: String, file: String, model: String },

    #[error(
        "{name}: its {tokens} tokens do not fit {budget_mb} MB of memory even when 1 in 32 is kept; ask it without reading it whole, or read it with `tome read --budget-mb N` and a larger N"
    )]
    TooLong { name: String, tokens: usize, budget_mb: usize },

    #[error("no reading of the whole document is planned: start one (\"Read the whole document\") first")]
    NoPlan,

    #[error("every window of the document is read already: assemble the memory")]
    AllRead,

    #[error(
        "{name} holds {done} of {planned} windows: the reading stopped; run `tome read` again to finish it"
    )]
    Unfinished { name: String, done: usize, planned: usize },
}

/// FNV-1a, 64 bits (the records' checksum: catches damage, not tampering).
fn fnv(bytes: &[u8]) -> u64 {
    crate::pack::content_hash(bytes)
}

/// The first records of a file: everything but the windows.
pub struct Head<'a> {
    pub model_sha256: [u8; 32],
    pub doc_sha256: [u8; 32],
    pub shape: Shape,
    pub settings: Settings,
    pub planned: usize,
    pub doc_name: &'a str,
    pub doc_bytes: &'a [u8],
}

fn record(out: &mut Vec<u8>, tag: &[u8; 4], payload: &[u8]) {
    out.extend_from_slice(tag);
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&fnv(payload).to_le_bytes());
}

fn put(out: &mut Vec<u8>, v: usize) {
    out.extend_from_slice(&(v as u64).to_le_bytes());
}

/// Magic, version, `HEAD` and `DOCU`.
pub fn head_bytes(h: &Head<'_>) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&VERSION.to_le_bytes());
    let mut p = Vec::new();
    p.extend_from_slice(&h.model_sha256);
    p.extend_from_slice(&h.doc_sha256);
    for v in [h.shape.n_layer, h.shape.n_kv_head, h.shape.head_dim] {
        put(&mut p, v);
    }
    put(&mut p, matches!(h.settings.rule, Rule::Pool) as usize);
    for v in [h.settings.ratio, h.settings.window, h.planned] {
        put(&mut p, v);
    }
    record(&mut out, b"HEAD", &p);
    let mut d = Vec::with_capacity(h.doc_bytes.len() + h.doc_name.len() + 16);
    put(&mut d, h.doc_name.len());
    d.extend_from_slice(h.doc_name.as_bytes());
    d.extend_from_slice(h.doc_bytes);
    record(&mut out, b"DOCU", &d);
    out
}

/// One `WIND` record.
pub fn window_bytes(w: &WindowMemory) -> Vec<u8> {
    let mut p = Vec::with_capacity(24 + w.pos.len() * 8 + (w.k.len() + w.v.len()) * 2);
    for v in [w.span.start, w.span.end, w.tokens, w.keep] {
        put(&mut p, v);
    }
    w.pos.iter().for_each(|x| p.extend_from_slice(&x.to_le_bytes()));
    w.score.iter().for_each(|x| p.extend_from_slice(&x.to_le_bytes()));
    w.k.iter().for_each(|x| p.extend_from_slice(&x.to_le_bytes()));
    w.v.iter().for_each(|x| p.extend_from_slice(&x.to_le_bytes()));
    let mut out = Vec::with_capacity(p.len() + 20);
    record(&mut out, b"WIND", &p);
    out
}

/// The closing `DONE` record.
pub fn done_bytes(windows: usize) -> Vec<u8> {
    let mut p = Vec::new();
    put(&mut p, windows);
    let mut out = Vec::new();
    record(&mut out, b"DONE", &p);
    out
}

/// The whole file of a complete memory.
pub fn to_bytes(m: &Memory) -> Vec<u8> {
    let mut out = head_bytes(&Head {
        model_sha256: m.model_sha256,
        doc_sha256: m.doc_sha256,
        shape: m.shape,
        settings: m.settings,
        planned: m.windows.len(),
        doc_name: &m.doc_name,
        doc_bytes: &m.doc_bytes,
    });
    for w in &m.windows {
        out.extend_from_slice(&window_bytes(w));
    }
    out.extend_from_slice(&done_bytes(m.windows.len()));
    out
}

/// A file's contents as far as they are sound.
pub struct Parsed {
    pub memory: Memory,
    /// Windows the reading planned.
    pub planned: usize,
    /// Whether the `DONE` record closed the file.
    pub done: bool,
    /// Bytes up to the end of the last sound record (where a resumed reading appends).
    pub sound_len: usize,
}

struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
    name: &'a str,
}

impl<'a> Cursor<'a> {
    fn damaged(&self, what: impl Into<String>) -> MemoryError {
        MemoryError::Damaged { name: self.name.to_string(), what: what.into() }
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], MemoryError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or_else(|| self.damaged("it ends early"))?;
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u64(&mut self) -> Result<u64, MemoryError> {
        let s = self.take(8)?;
        Ok(u64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]]))
    }
    fn size(&mut self, max: usize, what: &str) -> Result<usize, MemoryError> {
        let v = self.u64()?;
        usize::try_from(v)
            .ok()
            .filter(|&v| v <= max)
            .ok_or_else(|| self.damaged(format!("{what} {v} is out of range")))
    }
    /// The next record: (tag, payload), its checksum verified.
    fn record(&mut self) -> Result<([u8; 4], &'a [u8]), MemoryError> {
        let t = self.take(4)?;
        let tag = [t[0], t[1], t[2], t[3]];
        let len = self.size(self.b.len(), "a record length")?;
        let payload = self.take(len)?;
        let sum = self.u64()?;
        if sum != fnv(payload) {
            return Err(self.damaged(format!(
                "the checksum of a {} record does not match",
                String::from_utf8_lossy(&tag)
            )));
        }
        Ok((tag, payload))
    }
}

fn words<T>(
    c: &mut Cursor<'_>,
    n: usize,
    size: usize,
    f: impl Fn(&[u8]) -> T,
) -> Result<Vec<T>, MemoryError> {
    Ok(c.take(n.checked_mul(size).ok_or_else(|| c.damaged("a count overflows"))?)?
        .chunks_exact(size)
        .map(f)
        .collect())
}

fn parse_window(c: &mut Cursor<'_>, shape: Shape, doc_len: usize) -> Result<WindowMemory, MemoryError> {
    let (start, end) = (c.size(doc_len, "a span start")?, c.size(doc_len, "a span end")?);
    let tokens = c.size(MAX_WINDOW, "a window's tokens")?;
    let keep = c.size(tokens, "a window's kept entries")?;
    if start > end {
        return Err(c.damaged("a window's span is reversed"));
    }
    let runs = shape.n_layer * shape.n_kv_head * keep;
    let pos = words(c, runs, 4, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))?;
    let score = words(c, runs, 4, |b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))?;
    let k = words(c, runs * shape.head_dim, 2, |b| u16::from_le_bytes([b[0], b[1]]))?;
    let v = words(c, runs * shape.head_dim, 2, |b| u16::from_le_bytes([b[0], b[1]]))?;
    if c.at != c.b.len() {
        return Err(c.damaged("a window record has bytes left over"));
    }
    if pos.iter().any(|&p| p as usize >= tokens) {
        return Err(c.damaged("an entry's position is outside its window"));
    }
    Ok(WindowMemory { span: Span::new(start, end), tokens, keep, pos, score, k, v })
}

/// Parses a memory file (`name` is for messages) as far as it is sound. A damaged header is an
/// error; a damaged or cut-off window record ends the sound part (`done` false).
pub fn parse(name: &str, bytes: &[u8]) -> Result<Parsed, MemoryError> {
    if bytes.len() < 12 || &bytes[..8] != MAGIC {
        return Err(MemoryError::NotAMemory(name.to_string()));
    }
    let found = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if found != VERSION {
        return Err(MemoryError::Version { name: name.to_string(), found });
    }
    let mut c = Cursor { b: bytes, at: 12, name };
    let (tag, head) = c.record()?;
    if &tag != b"HEAD" {
        return Err(c.damaged("the HEAD record is missing"));
    }
    let mut h = Cursor { b: head, at: 0, name };
    let mut sha = || -> Result<[u8; 32], MemoryError> {
        let mut d = [0u8; 32];
        d.copy_from_slice(h.take(32)?);
        Ok(d)
    };
    let (model_sha256, doc_sha256) = (sha()?, sha()?);
    let shape = Shape {
        n_layer: h.size(MAX_DIM, "the layer count")?,
        n_kv_head: h.size(MAX_DIM, "the KV head count")?,
        head_dim: h.size(MAX_DIM, "the head size")?,
    };
    let rule = if h.size(1, "the rule")? == 1 { Rule::Pool } else { Rule::Keep };
    let settings = Settings {
        rule,
        ratio: h.size(1 << 10, "the ratio")?.max(1),
        window: h.size(MAX_WINDOW, "the window")?,
    };
    let planned = h.size(MAX_DOC, "the planned windows")?;
    let (tag, docu) = c.record()?;
    if &tag != b"DOCU" {
        return Err(c.damaged("the DOCU record is missing"));
    }
    let mut d = Cursor { b: docu, at: 0, name };
    let name_len = d.size(docu.len(), "the document name's length")?;
    let doc_name = String::from_utf8(d.take(name_len)?.to_vec())
        .map_err(|_| d.damaged("the document name is not UTF-8"))?;
    let doc_bytes = docu[d.at..].to_vec();
    // Spans index the document's text, which may be longer than its bytes (a PDF's is not); bound them loosely.
    let doc_len = doc_bytes.len().saturating_mul(4).min(MAX_DOC);
    let mut memory =
        Memory { model_sha256, doc_sha256, shape, settings, doc_name, doc_bytes, windows: Vec::new() };
    let mut sound_len = c.at;
    let mut done = false;
    while c.at < bytes.len() {
        let Ok((tag, payload)) = c.record() else { break };
        match &tag {
            b"WIND" => {
                let mut w = Cursor { b: payload, at: 0, name };
                let Ok(window) = parse_window(&mut w, shape, doc_len) else { break };
                memory.windows.push(window);
            }
            b"DONE" => {
                let mut w = Cursor { b: payload, at: 0, name };
                done = w.size(MAX_DOC, "the window count")? == memory.windows.len();
                if !done {
                    return Err(c.damaged("the window count does not match the windows"));
                }
            }
            _ => break,
        }
        sound_len = c.at;
        if done {
            break;
        }
    }
    if done && c.at != bytes.len() {
        return Err(c.damaged("bytes follow the end"));
    }
    Ok(Parsed { memory, planned, done, sound_len })
}

/// Whether `bytes` begin as a memory file does.
pub fn is_memory(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// A complete memory from a file's bytes, checked against the model that will use it.
pub fn load(name: &str, bytes: &[u8], model_sha256: &[u8; 32]) -> Result<Memory, MemoryError> {
    let memory = complete(name, bytes)?;
    check_model(name, &memory, model_sha256)?;
    Ok(memory)
}

/// A complete memory from a file's bytes (any model's).
pub fn complete(name: &str, bytes: &[u8]) -> Result<Memory, MemoryError> {
    let p = parse(name, bytes)?;
    if !p.done {
        let damaged = p.sound_len < bytes.len();
        if damaged && p.memory.windows.len() >= p.planned {
            return Err(MemoryError::Damaged {
                name: name.to_string(),
                what: "its last record is cut off".into(),
            });
        }
        if damaged {
            return Err(MemoryError::Damaged {
                name: name.to_string(),
                what: format!("a record after window {} is cut off or altered", p.memory.windows.len()),
            });
        }
        return Err(MemoryError::Unfinished {
            name: name.to_string(),
            done: p.memory.windows.len(),
            planned: p.planned,
        });
    }
    Ok(p.memory)
}

/// Whether the model whose file has SHA-256 `model_sha256` made `memory` (another one cannot use its keys).
pub fn check_model(name: &str, memory: &Memory, model_sha256: &[u8; 32]) -> Result<(), MemoryError> {
    if &memory.model_sha256 != model_sha256 {
        return Err(MemoryError::OtherModel {
            name: name.to_string(),
            file: super::sha256::hex(&memory.model_sha256[..6]),
            model: super::sha256::hex(&model_sha256[..6]),
        });
    }
    Ok(())
}
