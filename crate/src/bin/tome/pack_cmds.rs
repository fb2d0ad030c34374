//! Site commands: `tome pack` (a built documentation site into a pack, optionally with the
//! widget put into its pages), and `tome search` / `tome ask` on a pack folder.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use tome::doc::html::{Limits, read_site_with};
use tome::pack::read::DirPack;
use tome::{Error, Result};

/// Whether `path` is a pack folder (it holds the manifest).
pub fn is_pack(path: &Path) -> bool {
    path.join(tome::pack::MANIFEST).is_file()
}

pub fn pack(site: &Path, out: &Path, inject: bool, json: bool) -> Result<()> {
    let t0 = Instant::now();
    let bar = Bar::new();
    let read = read_site_with(site, Limits::default(), &mut |done, total| bar.show("reading pages", done, total))?;
    let stats = tome::pack::write::write(&read, out, &mut |stage, done, total| {
        bar.show(if stage == "index" { "indexing" } else { "writing shards" }, done, total)
    })?;
    bar.clear();
    let injected = if inject { Some(inject_widget(site, out)?) } else { None };
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
        if let Some(n) = injected {
            println!("tome: the widget is in {n} pages, its files in {}; serve {} as it is", out.display(), site.display());
        }
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

/// The widget's files, from the built web app (scripts/build-web.sh), as (from, to) under the
/// pack folder; the service worker goes to the site folder.
const WIDGET_FILES: &[&str] =
    &["js/tome-reader.js", "js/pack-widget.js", "pack-widget.css", "pkg/pack/tome_pack.js", "pkg/pack/tome_pack_bg.wasm"];
const MARK_OPEN: &str = "<!-- tome widget (tome pack --inject) -->";
const MARK_CLOSE: &str = "<!-- /tome widget -->";

/// Copies the widget into the pack folder and adds it to every page of the site (before
/// `</body>`, once: a page injected before gets the new snippet instead). Returns the page count.
fn inject_widget(site: &Path, out: &Path) -> Result<usize> {
    let web = crate::serve_cmds::app_root();
    let io = |what: String| move |e| Error::io(what, e);
    if !web.join("pkg/pack/tome_pack_bg.wasm").is_file() {
        return Err(Error::io(
            format!("the widget is not built in {}; run scripts/build-web.sh first", web.display()),
            std::io::Error::from(std::io::ErrorKind::NotFound),
        ));
    }
    let out_abs = out.canonicalize().map_err(io(format!("cannot find {}", out.display())))?;
    let site_abs = site.canonicalize().map_err(io(format!("cannot find {}", site.display())))?;
    let Ok(pack_rel) = out_abs.strip_prefix(&site_abs) else {
        return Err(Error::io(
            format!("--inject needs the pack inside the site folder; {} is outside {}", out.display(), site.display()),
            std::io::Error::from(std::io::ErrorKind::InvalidInput),
        ));
    };
    let pack_rel: Vec<String> = pack_rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    for f in WIDGET_FILES {
        let to = out.join(f);
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(io(format!("cannot create {}", dir.display())))?;
        }
        std::fs::copy(web.join(f), &to).map_err(io(format!("cannot copy {f} into {}", out.display())))?;
    }
    std::fs::copy(web.join("tome-sw.js"), site.join("tome-sw.js"))
        .map_err(io(format!("cannot copy tome-sw.js into {}", site.display())))?;
    let mut pages = Vec::new();
    html_files(site, &mut pages, 0);
    let mut count = 0;
    for page in pages {
        if page.starts_with(out) {
            continue;
        }
        let Ok(html) = std::fs::read_to_string(&page) else { continue };
        let depth = page.strip_prefix(site).map_or(0, |r| r.components().count().saturating_sub(1));
        let root = "../".repeat(depth);
        let pack = format!("{root}{}/", pack_rel.join("/"));
        let snippet = format!(
            "{MARK_OPEN}<script type=\"module\" src=\"{pack}js/tome-reader.js\"></script>\
             <tome-reader pack=\"{pack}\" offline style=\"display:block;max-width:48em;margin:2em auto\"></tome-reader>{MARK_CLOSE}"
        );
        let clean = match (html.find(MARK_OPEN), html.find(MARK_CLOSE)) {
            (Some(a), Some(b)) if a < b => format!("{}{}", &html[..a], &html[b + MARK_CLOSE.len()..]),
            _ => html,
        };
        let Some(at) = clean.rfind("</body>") else { continue };
        let new = format!("{}{snippet}\n{}", &clean[..at], &clean[at..]);
        std::fs::write(&page, new).map_err(io(format!("cannot write {}", page.display())))?;
        count += 1;
    }
    Ok(count)
}

fn html_files(dir: &Path, out: &mut Vec<std::path::PathBuf>, depth: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        let Ok(kind) = e.file_type() else { continue };
        if name.starts_with('.') || kind.is_symlink() {
            continue;
        }
        if kind.is_dir() && depth < 32 {
            html_files(&path, out, depth + 1);
        } else if kind.is_file() && (name.ends_with(".html") || name.ends_with(".htm")) {
            out.push(path);
        }
    }
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
