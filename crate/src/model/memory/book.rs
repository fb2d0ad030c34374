//! Reading a whole document into a memory file: windows planned, read one by one and appended to
//! `OUT.part`, which becomes `OUT` only when every window is in. Run again after an interruption,
//! it keeps the `.part` file's sound windows (same model, document and settings) and reads on.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::file;
use super::plan::Plan;
pub use super::plan::{Progress, ReadOptions, plan};
use super::read::WindowReader;
use crate::Document;
use crate::model::Llama;

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
    let plan = Plan::new(model, model_sha256, &doc, (doc_name, doc_bytes), opts)?;
    let n = plan.windows.len();
    let part = part_path(out);
    let mut resumed = 0;
    if let Ok(old) = std::fs::read(&part)
        && old.starts_with(&plan.head)
        && let Ok(p) = file::parse(&part.display().to_string(), &old)
        && !p.done
    {
        resumed = p.memory.windows.len().min(n);
        let f =
            std::fs::OpenOptions::new().write(true).open(&part).map_err(|e| io("cannot open", &part, e))?;
        f.set_len(p.sound_len as u64).map_err(|e| io("cannot truncate", &part, e))?;
    } else {
        std::fs::write(&part, &plan.head).map_err(|e| io("cannot write", &part, e))?;
    }
    let mut f =
        std::fs::OpenOptions::new().append(true).open(&part).map_err(|e| io("cannot open", &part, e))?;
    let mut reader = WindowReader::new(model, plan.settings)?;
    for (i, w) in plan.windows.iter().enumerate().skip(resumed) {
        let wm = reader.read(model, w)?;
        f.write_all(&file::window_bytes(&wm)).map_err(|e| io("cannot write", &part, e))?;
        if !on_window(&plan.progress(i + 1, resumed)) && i + 1 < n {
            f.flush().map_err(|e| io("cannot write", &part, e))?;
            return Ok(false);
        }
    }
    f.write_all(&file::done_bytes(n)).map_err(|e| io("cannot write", &part, e))?;
    f.sync_all().map_err(|e| io("cannot write", &part, e))?;
    drop(f);
    std::fs::rename(&part, out).map_err(|e| io("cannot rename the finished memory to", out, e))?;
    Ok(true)
}
