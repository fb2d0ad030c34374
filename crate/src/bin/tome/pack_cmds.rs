//! Site commands: `tome pack` (a built documentation site into a pack, optionally with the
//! widget put into its pages), and `tome search` / `tome ask` on a pack folder.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use tome::doc::html::{Limits, read_site_with};
use tome::pack::read::DirPack;
use tome::{Error, Result};

/// Whether `path` names a pack (a folder: `tome pack` writes folders; one without a manifest gets
/// the pack reader's message saying so).
pub fn is_pack(path: &Path) -> bool {
    path.is_dir()
}

/// What `tome pack` does besides writing the pack.
pub struct PackOptions {
    /// Put the widget into every page.
    pub inject: bool,
    /// Offer visitors the model (the engine and the model file go into the pack).
    pub model: bool,
    pub json: bool,
}

pub fn pack(site: &Path, out: &Path, options: PackOptions) -> Result<()> {
    let PackOptions { inject, model, json } = options;
    let t0 = Instant::now();
    let bar = Bar::new();
    let read =
        read_site_with(site, Limits::default(), &mut |done, total| bar.show("reading pages", done, total))?;
    let stats = tome::pack::write::write(&read, out, &mut |stage, done, total| {
        bar.show(if stage == "index" { "indexing" } else { "writing shards" }, done, total)
    })?;
    bar.clear();
    // The pack carries the widget's code; without a built web app the pack alone still serves
    // `tome search` / `tome ask`.
    match copy_widget(out) {
        Ok(()) => {}
        Err(e) if !inject => eprintln!("tome: note: {e}; the pack has no widget code"),
        Err(e) => return Err(e),
    }
    if model {
        offer_model(out)?;
    }
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
        println!(
            "{}",
            serde_json::to_string_pretty(&Out {
                stats: &stats,
                seconds: secs,
                out: out.display().to_string()
            })
            .unwrap_or_default()
        );
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
            println!(
                "tome: the widget is in {n} pages, its files in {}; serve {} as it is",
                out.display(),
                site.display()
            );
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
        emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&Out { query, hits: &hits, bytes_read: pack.bytes_read })
                .unwrap_or_default()
        ));
        return Ok(());
    }
    let mut out = String::new();
    if hits.is_empty() {
        out += &format!("No passage matches \"{query}\".\n");
    }
    for (rank, hit) in hits.iter().enumerate() {
        out += &format!("{}. {}  {}  (score {:.2})\n", rank + 1, hit.url, hit.path.join(" › "), hit.score);
        let text = tome::doc::collapse(&hit.text);
        let short: String = text.chars().take(240).collect();
        out += &format!("   {short}{}\n\n", if short.len() < text.len() { "…" } else { "" });
    }
    out += &format!("({} bytes of the pack read)\n", pack.bytes_read);
    emit(&crate::term::safe(&out));
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
        emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&Out { answer: &answer, bytes_read: pack.bytes_read })
                .unwrap_or_default()
        ));
        return Ok(());
    }
    let mut out = String::new();
    if !answer.found {
        out += &format!(
            "{}\nNo passage covers enough of the question; try: tome search {} \"{}\"\n",
            answer.answer,
            dir.display(),
            question.trim()
        );
    } else {
        out += &format!("{}\n\n", answer.answer);
        for (i, c) in answer.citations.iter().enumerate() {
            out += &format!(
                "  [{}] \u{201C}{}\u{201D}\n  \u{2014} {}\n  {}\n",
                i + 1,
                c.text,
                c.path.join(" \u{203A} "),
                c.url
            );
        }
    }
    if !answer.see_also.is_empty() {
        out += if answer.found { "\nSee also:\n" } else { "The nearest sections:\n" };
        for r in &answer.see_also {
            out += &format!("  \u{00B7} {}\n    {}\n", r.path.join(" \u{203A} "), r.url);
        }
    }
    out += &format!("({} bytes of the pack read)\n", pack.bytes_read);
    emit(&crate::term::safe(&out));
    Ok(())
}

/// `tome outline DIR`: a pack folder's outline (from its outline file), or a built site's, read
/// from its pages (the outline its pack would hold): site → page → sections, each with its URL.
pub fn outline(dir: &Path, json: bool) -> Result<()> {
    let (title, pages, entries) = if dir.join(tome::pack::MANIFEST).is_file() {
        let mut pack = DirPack::open(dir)?;
        let entries = pack.outline()?;
        (pack.reader.manifest.title.clone(), pack.reader.manifest.pages, entries)
    } else {
        let site = read_site_with(dir, Limits::default(), &mut |_, _| {})?;
        (site.title.clone(), site.pages.len(), tome::pack::write::site_outline(&site))
    };
    if json {
        let out = serde_json::json!({ "title": title, "pages": pages, "nodes": entries });
        emit(&format!("{out}\n"));
        return Ok(());
    }
    fn lines(out: &mut String, entries: &[tome::pack::OutlineEntry], depth: usize) {
        for e in entries {
            *out += &format!("{}{}  ({})\n", "  ".repeat(depth), e.title, e.url);
            lines(out, &e.children, depth + 1);
        }
    }
    let mut out = format!("{title} \u{2014} {pages} pages\n");
    lines(&mut out, &entries, 0);
    emit(&crate::term::safe(&out));
    Ok(())
}

/// The widget's files, from the built web app (scripts/build-web.sh), as (from, to) under the
/// pack folder; the service worker goes to the site folder.
const WIDGET_FILES: &[&str] = &[
    "js/tome-loader.js",
    "js/tome-reader.js",
    "js/pack-widget.js",
    "pack-widget.css",
    "pkg/pack/tome_pack.js",
    "pkg/pack/tome_pack_bg.wasm.gz",
    "tome-sw.js",
];
/// The full engine the widget loads when a visitor chooses the model (the app's worker and wasm,
/// as the PDF widget runs them, and every module the worker imports), as under the built web app.
const ENGINE_FILES: &[&str] = &[
    "js/client.js",
    "js/protocol.js",
    "js/worker.js",
    "js/store.js",
    "js/model.js",
    "js/threads.js",
    "pkg/tome.js",
    "pkg/tome_bg.wasm",
];
/// The engine's threaded build, used by a site that is served cross-origin isolated (COOP/COEP);
/// copied when built (scripts/build-web.sh without TOME_SKIP_MT), else the widget runs on one thread.
const ENGINE_MT_FILES: &[&str] = &["js/pool-worker.js", "pkg/mt/tome_mt.js", "pkg/mt/tome_mt_bg.wasm"];
/// The model file, beside the web app in assets/ (scripts/fetch-model.sh); in the pack under
/// `model/`, where js/model.js looks for it.
const MODEL_FILE: &str = "SmolLM2-135M-Instruct.Q4_1.gguf";

/// Puts the engine and the model into the pack folder and names the model in the manifest, so the
/// widget can offer it with its size.
fn offer_model(out: &Path) -> Result<()> {
    let web = crate::serve_cmds::app_root();
    let io = |what: String| move |e| Error::io(what, e);
    for f in ENGINE_FILES {
        let (from, to) = (web.join(f), out.join(f));
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(io(format!("cannot create {}", dir.display())))?;
        }
        std::fs::copy(&from, &to)
            .map_err(io(format!("cannot copy {} (run scripts/build-web.sh first)", from.display())))?;
    }
    if ENGINE_MT_FILES.iter().all(|f| web.join(f).is_file()) {
        for f in ENGINE_MT_FILES {
            let (from, to) = (web.join(f), out.join(f));
            if let Some(dir) = to.parent() {
                std::fs::create_dir_all(dir).map_err(io(format!("cannot create {}", dir.display())))?;
            }
            std::fs::copy(&from, &to).map_err(io(format!("cannot copy {}", from.display())))?;
        }
    }
    let from = web.join("../assets").join(MODEL_FILE);
    let to = out.join("model").join(MODEL_FILE);
    std::fs::create_dir_all(out.join("model"))
        .map_err(io(format!("cannot create {}/model", out.display())))?;
    let _ = std::fs::remove_file(&to);
    // A hard link when the pack is on the same disk: 98 MB need not be copied.
    if std::fs::hard_link(&from, &to).is_err() {
        std::fs::copy(&from, &to)
            .map_err(io(format!("cannot copy {} (run scripts/fetch-model.sh first)", from.display())))?;
    }
    let bytes = std::fs::metadata(&to).map_err(io(format!("cannot read {}", to.display())))?.len();
    let path = out.join(tome::pack::MANIFEST);
    let text = std::fs::read(&path).map_err(io(format!("cannot read {}", path.display())))?;
    let mut manifest: tome::pack::Manifest = serde_json::from_slice(&text)
        .map_err(|e| io(format!("cannot read {}", path.display()))(std::io::Error::other(e)))?;
    manifest.model = Some(tome::pack::PackModel { file: format!("model/{MODEL_FILE}"), bytes });
    let json = serde_json::to_vec(&manifest)
        .map_err(|e| io(format!("cannot write {}", path.display()))(std::io::Error::other(e)))?;
    std::fs::write(&path, json).map_err(io(format!("cannot write {}", path.display())))
}

const MARK_OPEN: &str = "<!-- tome widget (tome pack --inject) -->";
const MARK_CLOSE: &str = "<!-- /tome widget -->";

/// Copies the widget's files into the pack folder (from the web app scripts/build-web.sh built).
fn copy_widget(out: &Path) -> Result<()> {
    let web = crate::serve_cmds::app_root();
    let io = |what: String| move |e| Error::io(what, e);
    if !web.join("pkg/pack/tome_pack_bg.wasm.gz").is_file() {
        return Err(Error::io(
            format!("the widget is not built in {}; run scripts/build-web.sh first", web.display()),
            std::io::Error::from(std::io::ErrorKind::NotFound),
        ));
    }
    for f in WIDGET_FILES {
        let to = out.join(f);
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(io(format!("cannot create {}", dir.display())))?;
        }
        std::fs::copy(web.join(f), &to).map_err(io(format!("cannot copy {f} into {}", out.display())))?;
    }
    Ok(())
}

/// Adds the widget to every page of the site (before `</body>`, once: a page injected before gets
/// the new snippet instead), with its service worker in the site folder. Returns the page count.
fn inject_widget(site: &Path, out: &Path) -> Result<usize> {
    let io = |what: String| move |e| Error::io(what, e);
    let out_abs = out.canonicalize().map_err(io(format!("cannot find {}", out.display())))?;
    let site_abs = site.canonicalize().map_err(io(format!("cannot find {}", site.display())))?;
    let Ok(pack_rel) = out_abs.strip_prefix(&site_abs) else {
        return Err(Error::io(
            format!(
                "--inject needs the pack inside the site folder; {} is outside {}",
                out.display(),
                site.display()
            ),
            std::io::Error::from(std::io::ErrorKind::InvalidInput),
        ));
    };
    let pack_rel: Vec<String> =
        pack_rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    std::fs::copy(out.join("tome-sw.js"), site.join("tome-sw.js"))
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
        let snippet =
            format!("{MARK_OPEN}<script src=\"{pack}js/tome-loader.js\" data-offline></script>{MARK_CLOSE}");
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
        if !self.on || total == 0 || (!done.is_multiple_of(16) && done != total) {
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

/// `tome bench pack`: tome and Pagefind on the same copy of a site, in the same run.
pub struct BenchPackArgs<'a> {
    pub site: &'a Path,
    pub runs: usize,
    /// Dev questions (JSONL with `site`, `question`, `gold`) and the site's name in them.
    pub questions: Option<&'a Path>,
    pub name: Option<&'a str>,
    /// The page the browser opens first.
    pub start: &'a str,
}

/// Times `tome pack` against `pagefind` (alternating, medians), compares their sizes, then has
/// scripts/bench-pack.mjs measure bytes per query and gold-page hits in Chromium. Prints JSON.
pub fn bench_pack(args: &BenchPackArgs) -> Result<()> {
    let repo = crate::serve_cmds::app_root().join("..");
    let pagefind = repo.join("node_modules/.bin/pagefind");
    if !pagefind.is_file() {
        return Err(Error::io(
            format!("{} is missing; run `npm ci` (pagefind is a devDependency)", pagefind.display()),
            std::io::Error::from(std::io::ErrorKind::NotFound),
        ));
    }
    let tmp = std::env::temp_dir().join(format!("tome-bench-pack-{}", std::process::id()));
    let site = tmp.join("site");
    let _ = std::fs::remove_dir_all(&tmp);
    copy_site(args.site, &site, 0)
        .map_err(|e| Error::io(format!("cannot copy {} to {}", args.site.display(), site.display()), e))?;
    let out = site.join("tome");
    let pf_out = site.join("pagefind");
    let mut tome_s = Vec::new();
    let mut pf_s = Vec::new();
    let mut pages = 0;
    for _ in 0..args.runs.max(1) {
        let t0 = Instant::now();
        let read = read_site_with(&site, Limits::default(), &mut |_, _| {})?;
        tome::pack::write::write(&read, &out, &mut |_, _, _| {})?;
        tome_s.push(t0.elapsed().as_secs_f64());
        pages = read.pages.len();
        let _ = std::fs::remove_dir_all(&pf_out);
        let t0 = Instant::now();
        let status = std::process::Command::new(&pagefind)
            .args(["--site"])
            .arg(&site)
            .args(["--output-subdir", "pagefind"])
            .stdout(std::process::Stdio::null())
            .status()
            .map_err(|e| Error::io("cannot run pagefind", e))?;
        pf_s.push(t0.elapsed().as_secs_f64());
        if !status.success() {
            return Err(Error::io("pagefind failed", std::io::Error::other(status.to_string())));
        }
    }
    let (tome_bytes, tome_files) = folder_size(&out);
    let (pf_bytes, pf_files) = folder_size(&pf_out);
    copy_widget(&out)?;
    inject_widget(&site, &out)?;
    std::fs::write(
        site.join("pagefind-bench.html"),
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Pagefind</title>\
         <link href=\"/pagefind/pagefind-ui.css\" rel=\"stylesheet\"><script src=\"/pagefind/pagefind-ui.js\"></script>\
         </head><body><div id=\"search\"></div><script>window.addEventListener('DOMContentLoaded', () => \
         new PagefindUI({ element: '#search', showSubResults: true }));</script></body></html>",
    )
    .map_err(|e| Error::io("cannot write the Pagefind page", e))?;
    let browser = match (args.questions, args.name) {
        (Some(q), Some(name)) => {
            let run = std::process::Command::new("node")
                .arg(repo.join("scripts/bench-pack.mjs"))
                .arg(&site)
                .arg(q)
                .arg(name)
                .arg(args.start)
                .output()
                .map_err(|e| Error::io("cannot run node scripts/bench-pack.mjs", e))?;
            if !run.status.success() {
                return Err(Error::io(
                    format!("scripts/bench-pack.mjs failed: {}", String::from_utf8_lossy(&run.stderr)),
                    std::io::Error::other("browser bench"),
                ));
            }
            serde_json::from_slice::<serde_json::Value>(&run.stdout).unwrap_or(serde_json::Value::Null)
        }
        _ => serde_json::Value::Null,
    };
    let _ = std::fs::remove_dir_all(&tmp);
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (t, p) = (median(&mut tome_s), median(&mut pf_s));
    let ratio = |a: &serde_json::Value, b: &serde_json::Value| match (a.as_f64(), b.as_f64()) {
        (Some(a), Some(b)) if b > 0.0 => serde_json::json!(a / b),
        _ => serde_json::Value::Null,
    };
    let report = serde_json::json!({
        "site": args.site.display().to_string(),
        "pages_packed": pages,
        "runs": args.runs.max(1),
        "tome": { "build_s": t, "build_runs_s": tome_s, "pack_bytes": tome_bytes, "pack_files": tome_files },
        "pagefind": { "build_s": p, "build_runs_s": pf_s, "bundle_bytes": pf_bytes, "bundle_files": pf_files },
        "ratios_tome_over_pagefind": {
            "build_time": t / p,
            "size": tome_bytes as f64 / pf_bytes.max(1) as f64,
            "first_query_bytes": ratio(&browser["tome"]["first_query_bytes"], &browser["pagefind"]["first_query_bytes"]),
            "second_query_bytes": ratio(&browser["tome"]["second_query_bytes"], &browser["pagefind"]["second_query_bytes"]),
        },
        "browser": browser,
    });
    println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    Ok(())
}

/// Copies a site folder, following symlinks (Debian's docs link to shared scripts), skipping
/// dot-files.
fn copy_site(from: &Path, to: &Path, depth: usize) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)?.flatten() {
        let name = e.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = e.path();
        if path.is_dir() && depth < 32 {
            copy_site(&path, &to.join(&name), depth + 1)?;
        } else if path.is_file() {
            std::fs::copy(&path, to.join(&name))?;
        }
    }
    Ok(())
}

/// Bytes and files under a folder.
fn folder_size(dir: &Path) -> (u64, usize) {
    let mut bytes = 0;
    let mut files = 0;
    let Ok(entries) = std::fs::read_dir(dir) else { return (0, 0) };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            let (b, f) = folder_size(&path);
            bytes += b;
            files += f;
        } else if let Ok(m) = e.metadata() {
            bytes += m.len();
            files += 1;
        }
    }
    (bytes, files)
}
