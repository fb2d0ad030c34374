//! Document commands: outline, search, ask, eval, bench ingest.

use std::path::Path;

use tome::Result;

pub fn outline(file: &Path, ignore_bookmarks: bool, json: bool) -> Result<()> {
    let _ = (file, ignore_bookmarks, json);
    Ok(())
}

pub fn search(file: &Path, query: &str, k: usize, json: bool) -> Result<()> {
    let _ = (file, query, k, json);
    Ok(())
}

pub fn ask(file: &Path, question: &str, json: bool) -> Result<()> {
    let _ = (file, question, json);
    Ok(())
}

pub fn eval_outlines(dir: &Path) -> Result<()> {
    let _ = dir;
    Ok(())
}

pub fn eval_qa(file: &Path, limit: Option<usize>) -> Result<()> {
    let _ = (file, limit);
    Ok(())
}

pub fn bench_ingest(file: &Path, runs: usize) -> Result<()> {
    let _ = (file, runs);
    Ok(())
}
