//! Reading a whole document into a memory file: windows planned, read one by one and appended to
//! `OUT.part`, which becomes `OUT` only when every window is in. Run again after an interruption,
//! it keeps the `.part` file's sound windows (same model, document and settings) and reads on.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::file::{self, Head};
use super::read::WindowReader;
use super::windows::{Window, cut};
use super::{Rule, Settings, Shape};
use crate::model::Llama;
use crate::{Document, Outline};

/// How to read.
#[derive(Clone, Copy, Debug)]
pub struct ReadOptions {
    pub rule: Rule,
    /// A fixed ratio; None: the finest of [`super::RATIOS`] that fits `budget`.
    pub ratio: Option<usize>,
    /// Bytes the condensed memory may take.
    pub budget: usize,
    /// Tokens per window.
    pub window: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            rule: Rule::Keep,
            ratio: None,
            budget: super::DEFAULT_BUDGET,
            window: super::DEFAULT_WINDOW,
        }
    }
}

/// Where a reading stands, after each window.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    pub windows_done: usize,
    pub windows: usize,
    pub tokens_done: usize,
    pub tokens: usize,
    /// Windows found in a `.part` file and kept (not read again), and their tokens.
    pub resumed: usize,
    pub resumed_tokens: usize,
    pub settings: Settings,
}

/// The windows of a document, cut at paragraph ends and at its outline's section starts.
pub fn plan(model: &Llama, doc: &Document, window: usize) -> crate::Result<Vec<Window>> {
    let outline = Outline::build(doc, false);
    let mut starts = Vec::new();
    let mut stack: Vec<&crate::OutlineNode> = outline.nodes.iter().collect();
    while let Some(n) = stack.pop() {
        starts.push(n.span.start);
        stack.extend(n.children.iter());
    }
    starts.sort_unstable();
    starts.dedup();
    Ok(cut(&doc.text, doc.body, &starts, &model.tokenizer, window)?)
}

/// The `.part` file a reading of `out` appends to.
pub fn part_path(out: &Path) -> PathBuf {
    let mut p = out.as_os_str().to_owned();
    p.push(".part");
    PathBuf::from(p)
}

fn io(what: &str, path: &Path, e: std::io::Error) -> crate::Error {
    crate::Error::io(format!("{what} {}", path.display()), e)
}

/// Reads the document (`doc_name`, `doc_bytes`) into the memory file `out`. `on_window` hears the
/// progress after each window and may stop the reading by returning false (the `.part` file stays,
/// for a later run to resume). Returns true when `out` is complete.
pub fn read_document(
    model: &Llama,
    model_sha256: [u8; 32],
    (doc_name, doc_bytes): (&str, &[u8]),
    out: &Path,
    opts: ReadOptions,
    on_window: &mut dyn FnMut(&Progress) -> bool,
) -> crate::Result<bool> {
    let doc = Document::from_bytes(doc_name, doc_bytes)?;
    let windows = plan(model, &doc, opts.window)?;
    let shape = Shape::of(&model.cfg);
    let tokens: usize = windows.iter().map(|w| w.tokens.len()).sum();
    let ratio = match opts.ratio {
        Some(r) => r.max(1),
        None => shape.ratio_for(tokens, opts.window, opts.budget).ok_or_else(|| {
            file::MemoryError::TooLong { name: doc_name.to_string(), tokens, budget_mb: opts.budget >> 20 }
        })?,
    };
    let settings = Settings { rule: opts.rule, ratio, window: opts.window };
    let head = file::head_bytes(&Head {
        model_sha256,
        doc_sha256: super::sha256::sha256(doc_bytes),
        shape,
        settings,
        planned: windows.len(),
        doc_name,
        doc_bytes,
    });

    let part = part_path(out);
    let mut resumed = 0;
    if let Ok(old) = std::fs::read(&part)
        && old.starts_with(&head)
        && let Ok(p) = file::parse(&part.display().to_string(), &old)
        && !p.done
    {
        resumed = p.memory.windows.len().min(windows.len());
        let f =
            std::fs::OpenOptions::new().write(true).open(&part).map_err(|e| io("cannot open", &part, e))?;
        f.set_len(p.sound_len as u64).map_err(|e| io("cannot truncate", &part, e))?;
    } else {
        std::fs::write(&part, &head).map_err(|e| io("cannot write", &part, e))?;
    }
    let mut f =
        std::fs::OpenOptions::new().append(true).open(&part).map_err(|e| io("cannot open", &part, e))?;
    let mut reader = WindowReader::new(model, settings)?;
    let resumed_tokens = windows[..resumed].iter().map(|w| w.tokens.len()).sum();
    let mut progress = Progress {
        windows_done: resumed,
        windows: windows.len(),
        tokens_done: resumed_tokens,
        tokens,
        resumed,
        resumed_tokens,
        settings,
    };
    for w in &windows[resumed..] {
        let wm = reader.read(w)?;
        f.write_all(&file::window_bytes(&wm)).map_err(|e| io("cannot write", &part, e))?;
        progress.windows_done += 1;
        progress.tokens_done += w.tokens.len();
        if !on_window(&progress) && progress.windows_done < windows.len() {
            f.flush().map_err(|e| io("cannot write", &part, e))?;
            return Ok(false);
        }
    }
    f.write_all(&file::done_bytes(windows.len())).map_err(|e| io("cannot write", &part, e))?;
    f.sync_all().map_err(|e| io("cannot write", &part, e))?;
    drop(f);
    std::fs::rename(&part, out).map_err(|e| io("cannot rename the finished memory to", out, e))?;
    Ok(true)
}
