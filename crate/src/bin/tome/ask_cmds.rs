//! Question commands: search, ask, eval qa.

use std::path::Path;

use tome::Result;

pub fn search(file: &Path, query: &str, k: usize, json: bool) -> Result<()> {
    let _ = (file, query, k, json);
    Ok(())
}

pub fn ask(file: &Path, question: &str, json: bool) -> Result<()> {
    let _ = (file, question, json);
    Ok(())
}

pub fn eval_qa(file: &Path, limit: Option<usize>) -> Result<()> {
    let _ = (file, limit);
    Ok(())
}
