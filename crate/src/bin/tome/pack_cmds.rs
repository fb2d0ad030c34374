//! Site commands: `tome pack` (a built documentation site into a pack, optionally with the
//! widget put into its pages), and `tome search` / `tome ask` on a pack folder.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use tome::doc::html::{Limits, read_site_with};
use tome::pack::read::DirPack;
use tome::Result;

/// Whether `path` is a pack folder (it holds the manifest).
pub fn is_pack(path: &Path) -> bool {
    path.join(tome::pack::MANIFEST).is_file()
}

pub fn pack(site: &Path, out: &Path, json: bool) -> Result<()> {
    let t0 = Instant::now();
    let bar = Bar::new();
    let read = read_site_with(site, Limits::default(), &mut |done, total| bar.show("reading pages", done, total))?;
    let stats = tome::pack::write::write(&read, out, &mut |stage, done, total| {
        bar.show(if stage == "index" { "indexing" } else { "writing shards" }, done, total)
    })?;
    bar.clear();
    let secs = t0.elapsed().as_secs_f64();
    if json {
        #[derive(Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            stats: &'a tome::pack::write::PackStats,
            seconds: f64,
            out: String,
        }
        println!("{}", serde_json::to_string_pretty(&Out { stats: &stats, seconds: secs, out: out.display().to_string() }).unwrap_or_default());
    } else {
        println!(
            "tome: packed {} pages ({} passages, {} terms) into {} in {secs:.1} s: {} index and {} text shards, {:.1} MB",
            stats.pages,
            stats.passages,
            stats.terms,
            out.display(),
            stats.index_shards,
            stats.text_shards,
            stats.bytes as f64 / 1e6
        );
        for w in stats.warnings.iter().take(20) {
            eprintln!("tome: warning: {w}");
        }
        if stats.warnings.len() > 20 {
            eprintln!("tome: … and {} more warnings", stats.warnings.len() - 20);
        }
    }
    Ok(())
}

pub fn search(dir: &Path, query: &str, k: usize, json: bool) -> Result<()> {
    let mut pack = DirPack::open(dir)?;
    let hits = pack.search(query, k)?;
    if json {
        #[derive(Serialize)]
        struct Out<'a> {
            query: &'a str,
            hits: &'a [tome::pack::read::PackHit],
            bytes_read: u64,
        }
        emit(&format!("{}\n", serde_json::to_string_pretty(&Out { query, hits: &hits, bytes_read: pack.bytes_read }).unwrap_or_default()));
        return Ok(());
    }
    let mut out = String::new();
    if hits.is_empty() {
        out += &format!("No passage matches \"{query}\".\n");
    }
    for (rank, hit) in hits.iter().enumerate() {
        out += &format!("{}. {}  {}  (score {:.2})\n", rank + 1, hit.url, hit.path.join(" › "), hit.score);
        let text: String = hit.text.split_whitespace().collect::<Vec<_>>().join(" ");
        let short: String = text.chars().take(240).collect();
        out += &format!("   {short}{}\n\n", if short.len() < text.len() { "…" } else { "" });
    }
    out += &format!("({} bytes of the pack read)\n", pack.bytes_read);
    emit(&out);
    Ok(())
}

pub fn ask(dir: &Path, question: &str, json: bool) -> Result<()> {
    let mut pack = DirPack::open(dir)?;
    let answer = pack.ask(question)?;
    if json {
        #[derive(Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            answer: &'a tome::pack::read::PackAnswer,
            bytes_read: u64,
        }
        emit(&format!("{}\n", serde_json::to_string_pretty(&Out { answer: &answer, bytes_read: pack.bytes_read }).unwrap_or_default()));
        return Ok(());
    }
    let mut out = String::new();
    if !answer.found {
        out += &format!("{}\nNo passage covers enough of the question; try: tome search {} \"{}\"\n", answer.answer, dir.display(), question.trim());
    } else {
        out += &format!("{}\n\n", answer.answer);
        for (i, c) in answer.citations.iter().enumerate() {
            out += &format!("  [{}] \u{201C}{}\u{201D}\n  \u{2014} {}\n  {}\n", i + 1, c.text, c.path.join(" \u{203A} "), c.url);
        }
    }
    out += &format!("({} bytes of the pack read)\n", pack.bytes_read);
    emit(&out);
    Ok(())
}

fn emit(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// A one-line progress bar on stderr when it is a terminal.
struct Bar {
    on: bool,
}

impl Bar {
    fn new() -> Bar {
        Bar { on: std::io::stderr().is_terminal() }
    }
    fn show(&self, stage: &str, done: usize, total: usize) {
        if !self.on || total == 0 || (done % 16 != 0 && done != total) {
            return;
        }
        let width = 30;
        let filled = done * width / total;
        eprint!("\r{stage:>15} [{}{}] {done}/{total}   ", "#".repeat(filled), " ".repeat(width - filled));
    }
    fn clear(&self) {
        if self.on {
            eprint!("\r{}\r", " ".repeat(70));
        }
    }
}
