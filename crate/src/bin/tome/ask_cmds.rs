//! Question commands: search, ask, eval qa.

use std::path::Path;

use tome::{Document, Index, Outline, Result};

pub fn search(file: &Path, query: &str, k: usize, json: bool) -> Result<()> {
    let _ = (file, query, k, json);
    Ok(())
}

pub fn ask(file: &Path, question: &str, json: bool) -> Result<()> {
    let _ = (file, question, json);
    let _ = (Document::open(file)?, Index::default(), Outline::build);
    Ok(())
}

pub fn eval_qa(file: &Path, limit: Option<usize>) -> Result<()> {
    let report = tome::eval::qa::run(file, limit)?;
    println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    Ok(())
}
