//! Outline commands: outline, eval outlines, bench ingest.

use std::path::Path;

use tome::Result;

pub fn outline(file: &Path, ignore_bookmarks: bool, json: bool) -> Result<()> {
    let _ = (file, ignore_bookmarks, json);
    Ok(())
}

pub fn eval_outlines(dir: &Path) -> Result<()> {
    let _ = dir;
    Ok(())
}

pub fn bench_ingest(file: &Path, runs: usize) -> Result<()> {
    let _ = (file, runs);
    Ok(())
}
