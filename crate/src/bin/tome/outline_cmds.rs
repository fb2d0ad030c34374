//! Outline commands: `tome outline`, `tome eval outlines`, `tome bench ingest`.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use serde::Serialize;
use serde_json::json;
use tome::outline::scope::scopes;
use tome::{Document, Index, Outline, Result};

pub fn outline(file: &Path, ignore_bookmarks: bool, with_scopes: bool, json: bool) -> Result<()> {
    let doc = Document::open(file)?;
    for w in &doc.warnings {
        eprintln!("tome: warning: {}", crate::term::safe(w));
    }
    let outline = Outline::build(&doc, ignore_bookmarks);
    let nodes = outline.flatten();
    let scopes = if with_scopes || json { scopes(&doc, &outline) } else { Vec::new() };
    if json {
        let nodes: Vec<_> = nodes
            .iter()
            .zip(&scopes)
            .map(|((n, _), scope)| {
                json!({
                    "title": n.title,
                    "level": n.level,
                    "page": n.page,
                    "start": doc.char_offset(n.span.start),
                    "end": doc.char_offset(n.span.end),
                    "scope": {
                        "text": scope.text,
                        "start": doc.char_offset(scope.span.start),
                        "end": doc.char_offset(scope.span.end),
                    },
                })
            })
            .collect();
        let out = json!({ "pages": doc.pages.len(), "source": outline.source, "nodes": nodes });
        println!("{out}");
    } else {
        let source = serde_json::to_value(outline.source).ok();
        let source = source.as_ref().and_then(|s| s.as_str()).unwrap_or("");
        let mut out = format!("{} — {} pages, outline from {source}\n", doc.name, doc.pages.len());
        for (i, (n, _)) in nodes.iter().enumerate() {
            let indent = "  ".repeat(n.level.saturating_sub(1) as usize);
            out += &format!("{indent}{}  (p. {})\n", n.title, n.page);
            if let Some(scope) = scopes.get(i) {
                out += &format!("{indent}  \u{2014} {}\n", scope.text);
            }
        }
        print!("{}", crate::term::safe(&out));
    }
    Ok(())
}

pub fn eval_headings(dir: &Path) -> Result<()> {
    let report = tome::eval::outlines::fit_headings(dir)?;
    println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    Ok(())
}

pub fn eval_outlines(dir: &Path) -> Result<()> {
    let report = tome::eval::outlines::evaluate(dir)?;
    println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    Ok(())
}

#[derive(Serialize)]
struct Bench {
    pages: usize,
    chars: usize,
    /// Median seconds for our ingest + outline + index.
    seconds: f64,
    /// Median seconds for `pdftotext FILE /dev/null` on the same file in the same run.
    pdftotext_seconds: Option<f64>,
    /// seconds / pdftotext_seconds.
    ratio: Option<f64>,
    /// Peak resident memory of this process (our runs only; pdftotext runs in a child).
    peak_rss_mb: Option<f64>,
    runs: usize,
    /// How the binary was built: measurements from a dev build (deps at opt-level 3) differ from release.
    profile: &'static str,
}

pub fn bench_ingest(file: &Path, runs: usize) -> Result<()> {
    let runs = runs.max(1);
    let bytes =
        std::fs::read(file).map_err(|e| tome::Error::io(format!("cannot read {}", file.display()), e))?;
    let name =
        file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
    let mut ours = Vec::with_capacity(runs);
    let mut theirs = Vec::with_capacity(runs);
    let mut pages = 0;
    let mut chars = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let doc = Document::from_bytes(&name, &bytes)?;
        let outline = Outline::build(&doc, false);
        let index = Index::build(&doc, &outline);
        ours.push(t.elapsed().as_secs_f64());
        pages = doc.pages.len();
        chars = doc.text.chars().count();
        drop((index, outline, doc));
        theirs.push(pdftotext_seconds(file));
    }
    let seconds = median(&mut ours);
    let pdftotext: Option<Vec<f64>> = theirs.into_iter().collect();
    let pdftotext_seconds = pdftotext.map(|mut v| median(&mut v));
    let out = Bench {
        pages,
        chars,
        seconds,
        pdftotext_seconds,
        ratio: pdftotext_seconds.filter(|p| *p > 0.0).map(|p| seconds / p),
        peak_rss_mb: peak_rss_mb(),
        runs,
        profile: if cfg!(debug_assertions) { "dev" } else { "release" },
    };
    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    Ok(())
}

/// Wall time of `pdftotext FILE /dev/null`, or None when poppler-utils is not installed or fails.
fn pdftotext_seconds(file: &Path) -> Option<f64> {
    let t = Instant::now();
    let status = Command::new("pdftotext").arg(file).arg("/dev/null").status().ok()?;
    status.success().then(|| t.elapsed().as_secs_f64())
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// VmHWM from /proc (Linux); None elsewhere.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
