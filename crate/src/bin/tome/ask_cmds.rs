//! Question commands: search, ask, eval qa, eval sections.
//!
//! Offsets printed here are Unicode code point offsets into the document text (what the web page
//! and other tools index by), converted from the library's byte spans.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use serde::Serialize;
use tome::gpu::llama::GpuLlama;
use tome::index::Hit;
use tome::model::{CpuForward, Forward, Llama};
use tome::qa::ask::{Ask, Reader};
use tome::{Document, Index, Outline, Result, Span};

use crate::model_cmds::{Backend, model_path, pick_backend};

/// `--mode` of `tome ask`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// Rules pick the sentence and the words (no model).
    Extractive,
    /// The model picks the answer among the words of the passages (verbatim, cited by construction).
    Grounded,
    /// The model writes sentences with [n] marks; each mark is checked against its passage.
    Free,
    /// The most reliable mode as measured on the dev needle set (README): extractive today.
    Auto,
}

impl ModeArg {
    pub fn ask(self) -> Ask {
        match self {
            ModeArg::Extractive => Ask::Extractive,
            ModeArg::Grounded => Ask::Grounded,
            ModeArg::Free => Ask::Free,
            ModeArg::Auto => Ask::Auto,
        }
    }
}

/// `--mode` of `tome eval qa`: one mode, or all of them on the same questions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EvalMode {
    Extractive,
    Grounded,
    Free,
    All,
}

/// How a question is read: the mode and, for the model's modes, where the model runs.
#[derive(Args)]
pub struct ReadingArgs {
    #[arg(long, value_enum, default_value_t = ModeArg::Extractive)]
    pub mode: ModeArg,
    /// Where the model runs: cpu, gpu, or auto (a hardware GPU when there is one).
    #[arg(long, value_enum, default_value_t = Backend::Auto)]
    pub backend: Backend,
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// The GGUF model (default: assets/SmolLM2-135M-Instruct.Q4_1.gguf).
    #[arg(long)]
    pub model: Option<PathBuf>,
}

/// Positions of a reading session: the reader prompt (qa::read::PROMPT_TOKENS) and the answer.
const READ_CTX: usize = 1024;

/// Runs `f` with the model the mode needs (none for extractive, nor for auto without a model file).
fn with_reader<R>(
    reading: &ReadingArgs,
    ask: Ask,
    f: impl FnOnce(Option<&mut Reader<'_>>) -> Result<R>,
) -> Result<R> {
    let path = model_path(&reading.model);
    if ask.resolve() == tome::qa::Mode::Extractive {
        return f(None);
    }
    let model = Llama::open(&path, reading.threads)?;
    let mut session;
    let mut gpu_model;
    let forward: &mut dyn Forward = match pick_backend(reading.backend)? {
        Some(gpu) => {
            gpu_model = GpuLlama::new(gpu, &model, READ_CTX)?;
            &mut gpu_model
        }
        None => {
            session = model.session(READ_CTX);
            &mut CpuForward { model: &model, session: &mut session }
        }
    };
    f(Some(&mut Reader { tokenizer: &model.tokenizer, forward }))
}

pub fn load(file: &Path) -> Result<(Document, Index)> {
    if crate::memory_cmds::is_memory(file) {
        // A memory file carries its document: search and the extractive mode read that.
        let bytes =
            std::fs::read(file).map_err(|e| tome::Error::io(format!("cannot read {}", file.display()), e))?;
        let parsed = tome::model::memory::file::parse(&file.display().to_string(), &bytes)?;
        let doc = Document::from_bytes(&parsed.memory.doc_name, &parsed.memory.doc_bytes)?;
        let index = Index::build(&doc, &Outline::build(&doc, false));
        return Ok((doc, index));
    }
    let doc = Document::open(file)?;
    let index = Index::build(&doc, &Outline::build(&doc, false));
    Ok((doc, index))
}

pub fn search(file: &Path, query: &str, k: usize, json: bool) -> Result<()> {
    let (doc, index) = load(file)?;
    let hits = index.search(&doc, query, k);
    if json {
        let hits = hits.iter().map(|h| hit_json(&doc, &index, h)).collect();
        print_json(&SearchJson { query, hits });
        return Ok(());
    }
    let mut out = String::new();
    if hits.is_empty() {
        out += &format!("No passage matches \"{query}\".\n");
    }
    let bold = std::io::stdout().is_terminal();
    for (rank, hit) in hits.iter().enumerate() {
        let p = &index.passages[hit.passage];
        out += &format!("{}. p. {}  {}  (score {:.2})\n", rank + 1, p.page, path_label(&p.path), hit.score);
        out += &format!("   {}\n\n", snippet(&doc, p.span, &hit.matches, bold));
    }
    emit(&crate::term::safe(&out));
    Ok(())
}

pub fn ask(file: &Path, question: &str, json: bool, reading: &ReadingArgs) -> Result<()> {
    if crate::memory_cmds::is_memory(file) {
        return crate::memory_cmds::ask(file, question, json, reading);
    }
    let (doc, index) = load(file)?;
    let ask = reading.mode.ask();
    // The free mode's draft streams as the model writes it; the checked answer follows.
    let stream = !json && ask == Ask::Free;
    let mut out = std::io::stdout();
    let answer = with_reader(reading, ask, |reader| {
        tome::qa::ask::answer_streaming(&doc, &index, question, ask, reader, &mut |piece| {
            if stream {
                let _ = out.write_all(piece.as_bytes());
                let _ = out.flush();
            }
            true
        })
    })?;
    if stream {
        emit("\n\nChecked against the passages:\n");
    }
    print_answer(&doc, &answer, file, question, json);
    Ok(())
}

/// Prints an answer: JSON, or the answer and its quotes for a person.
pub fn print_answer(doc: &Document, answer: &tome::qa::Answer, file: &Path, question: &str, json: bool) {
    if json {
        let citations = answer
            .citations
            .iter()
            .map(|c| CitationJson {
                page: c.page,
                start: doc.char_offset(c.span.start),
                end: doc.char_offset(c.span.end),
                path: &c.outline_path,
                verified: c.verified,
            })
            .collect();
        print_json(&AnswerJson {
            mode: answer.mode.as_str(),
            answer: &answer.text,
            found: answer.found,
            citations,
            quote: &answer.quote,
            answer_span: answer.short.map(|s| [doc.char_offset(s.start), doc.char_offset(s.end)]),
            see_also: answer
                .see_also
                .iter()
                .map(|r| RelatedJson {
                    page: r.page,
                    start: doc.char_offset(r.span.start),
                    end: doc.char_offset(r.span.end),
                    path: &r.outline_path,
                    text: tome::doc::collapse(doc.slice(r.span)),
                })
                .collect(),
        });
        return;
    }
    emit(&crate::term::safe(&ask_human(doc, answer, file, question, std::io::stdout().is_terminal())));
}

/// The answer first, then each cited sentence as a quote with the answer marked in it, then
/// where it is: page (for paged documents), section path, character span.
fn ask_human(doc: &Document, answer: &tome::qa::Answer, file: &Path, question: &str, bold: bool) -> String {
    if !answer.found {
        let why = match answer.mode {
            tome::qa::Mode::Free => "No sentence the model wrote is supported by the passage it cites.",
            _ => "No passage covers enough of the question.",
        };
        let mut out = format!("{}\n{why}", answer.text);
        if !answer.see_also.is_empty() {
            out += " The nearest sections:\n";
            out += &related(doc, &answer.see_also);
            out += "All";
        } else {
            out += " The";
        }
        out += &format!(
            " passages that share its words:\n  tome search {} \"{}\"\n",
            file.display(),
            question.trim()
        );
        return out;
    }
    let (open, close) = if bold { ("\x1b[1m", "\x1b[0m") } else { ("", "") };
    let (mark_open, mark_close) = if bold { ("\x1b[1m", "\x1b[0m") } else { ("[", "]") };
    let mut out = String::new();
    if answer.short.is_some() || answer.mode == tome::qa::Mode::Free {
        out += &format!("{open}{}{close}\n\n", answer.text);
    }
    let numbered = answer.citations.len() > 1;
    for (i, c) in answer.citations.iter().enumerate() {
        // The quote, with the short answer marked when it lies in this sentence.
        let mut quote = String::new();
        match answer.short.filter(|s| c.span.start <= s.start && s.end <= c.span.end) {
            Some(s) => {
                quote += &doc.text[c.span.start..s.start];
                quote += mark_open;
                quote += doc.slice(s);
                quote += mark_close;
                quote += &doc.text[s.end..c.span.end];
            }
            None => quote += doc.slice(c.span),
        }
        let quote = tome::doc::collapse(&quote);
        let mut label = if numbered { format!("[{}] ", i + 1) } else { String::new() };
        if !c.verified {
            label += "(not verified) ";
        }
        let lines = wrap(&format!("{label}\u{201C}{quote}\u{201D}"), 88);
        for line in lines {
            out += &format!("  {line}\n");
        }
        let mut place = Vec::new();
        if doc.pages.len() > 1 {
            place.push(format!("p. {}", c.page));
        }
        if !c.outline_path.is_empty() {
            place.push(c.outline_path.join(" \u{203A} "));
        }
        place.push(format!(
            "characters {}\u{2013}{}",
            doc.char_offset(c.span.start),
            doc.char_offset(c.span.end)
        ));
        out += &format!("  \u{2014} {}\n", place.join(", "));
        if i + 1 < answer.citations.len() {
            out.push('\n');
        }
    }
    if !answer.see_also.is_empty() {
        out += "\nSee also:\n";
        out += &related(doc, &answer.see_also);
    }
    out
}

/// Other sections, a line each: where, then the start of their sentence nearest the question.
fn related(doc: &Document, sections: &[tome::qa::Related]) -> String {
    let mut out = String::new();
    for r in sections {
        let mut place = Vec::new();
        if doc.pages.len() > 1 {
            place.push(format!("p. {}", r.page));
        }
        place.push(if r.outline_path.is_empty() {
            "(before the first heading)".to_string()
        } else {
            r.outline_path.join(" \u{203A} ")
        });
        let text = tome::doc::collapse(doc.slice(r.span));
        // The sentence's first words, up to 80 characters.
        let (mut short, mut more) = (String::new(), "");
        for word in text.split(' ') {
            if short.chars().count() + word.chars().count() + 1 > 80 {
                more = "\u{2026}";
                break;
            }
            if !short.is_empty() {
                short.push(' ');
            }
            short += word;
        }
        let line = format!("\u{00B7} {}: \u{201C}{short}{more}\u{201D}", place.join(", "));
        for (i, part) in wrap(&line, 88).into_iter().enumerate() {
            out += if i == 0 { "  " } else { "    " };
            out += &part;
            out.push('\n');
        }
    }
    out
}

/// Greedy word wrap at `width` characters (escape codes counted, which only shortens lines).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

pub fn eval_qa(
    file: &Path,
    limit: Option<usize>,
    details: bool,
    mode: EvalMode,
    reading: &ReadingArgs,
) -> Result<()> {
    let asks: &[Ask] = match mode {
        EvalMode::Extractive => &[Ask::Extractive],
        EvalMode::Grounded => &[Ask::Grounded],
        EvalMode::Free => &[Ask::Free],
        EvalMode::All => &[Ask::Extractive, Ask::Grounded, Ask::Free],
    };
    let needs_model = asks.iter().any(|a| *a != Ask::Extractive);
    let reports =
        with_reader(reading, if needs_model { Ask::Grounded } else { Ask::Extractive }, |mut reader| {
            asks.iter()
                .map(|&ask| tome::eval::qa::run_with(file, limit, details, ask, reader.as_deref_mut()))
                .collect::<Result<Vec<_>>>()
        })?;
    match reports.as_slice() {
        [one] => print_json(one),
        all => print_json(&all),
    }
    Ok(())
}

pub fn eval_sections(file: &Path, details: bool, rerank: Option<&ReadingArgs>) -> Result<()> {
    let report = match rerank {
        Some(reading) => with_reader(reading, Ask::Grounded, |reader| {
            tome::eval::sections::run_with(file, details, reader)
        })?,
        None => tome::eval::sections::run(file, details)?,
    };
    print_json(&report);
    Ok(())
}

/// `tome ask --json`: the documented fields first; `answer` is the short answer when one was
/// picked out (its code point span is `answer_span`), `quote` the cited sentences.
#[derive(Serialize)]
struct AnswerJson<'a> {
    /// Which mode answered (`extractive`, `grounded`).
    mode: &'a str,
    answer: &'a str,
    found: bool,
    citations: Vec<CitationJson<'a>>,
    quote: &'a str,
    answer_span: Option<[usize; 2]>,
    /// Other sections that may answer, best first (their sentence nearest the question).
    see_also: Vec<RelatedJson<'a>>,
}

#[derive(Serialize)]
struct RelatedJson<'a> {
    page: u32,
    start: usize,
    end: usize,
    path: &'a [String],
    text: String,
}

#[derive(Serialize)]
struct CitationJson<'a> {
    page: u32,
    start: usize,
    end: usize,
    path: &'a [String],
    /// The cited text supports the answer (by construction for extractive and grounded answers).
    verified: bool,
}

/// `tome search --json`: one hit; `matches` are [start, end] code point pairs.
#[derive(Serialize)]
struct HitJson<'a> {
    passage: usize,
    score: f32,
    page: u32,
    start: usize,
    end: usize,
    path: &'a [String],
    text: &'a str,
    matches: Vec<[usize; 2]>,
}

#[derive(Serialize)]
struct SearchJson<'a> {
    query: &'a str,
    hits: Vec<HitJson<'a>>,
}

fn hit_json<'a>(doc: &'a Document, index: &'a Index, hit: &Hit) -> HitJson<'a> {
    let p = &index.passages[hit.passage];
    HitJson {
        passage: hit.passage,
        score: hit.score,
        page: p.page,
        start: doc.char_offset(p.span.start),
        end: doc.char_offset(p.span.end),
        path: &p.path,
        text: doc.slice(p.span),
        matches: hit.matches.iter().map(|m| [doc.char_offset(m.start), doc.char_offset(m.end)]).collect(),
    }
}

fn print_json(value: &impl Serialize) {
    emit(&format!("{}\n", serde_json::to_string_pretty(value).unwrap_or_default()));
}

/// Writes to stdout; a closed pipe (`tome search ... | head`) is not an error worth a panic.
fn emit(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn path_label(path: &[String]) -> String {
    if path.is_empty() { "(before the first heading)".into() } else { path.join(" > ") }
}

/// About 240 characters of the passage around its first match, whitespace collapsed, matches
/// in bold on a terminal and in [brackets] otherwise.
fn snippet(doc: &Document, passage: Span, matches: &[Span], bold: bool) -> String {
    const WIDTH: usize = 240;
    let text = doc.slice(passage);
    let first = matches.first().map_or(0, |m| m.start - passage.start);
    let mut start = first.saturating_sub(WIDTH / 3);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let (open, close) = if bold { ("\x1b[1m", "\x1b[0m") } else { ("[", "]") };
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut shown = 0;
    let mut at = passage.start + start;
    for m in matches {
        if m.start < at {
            continue;
        }
        out.push_str(&doc.text[at..m.start]);
        out.push_str(open);
        out.push_str(doc.slice(*m));
        out.push_str(close);
        shown += m.end - at;
        at = m.end;
        if shown > WIDTH {
            break;
        }
    }
    let tail_end = (at + WIDTH.saturating_sub(shown)).min(passage.end);
    let mut tail_end = tail_end.max(at);
    while !doc.text.is_char_boundary(tail_end) {
        tail_end += 1;
    }
    out.push_str(&doc.text[at..tail_end]);
    if tail_end < passage.end {
        out.push('…');
    }
    tome::doc::collapse(&out)
}

/// `tome bench qa`: per mode, the median seconds per question and to the answer's first token
/// (the first text the reader sees: the whole answer for the extractive mode), on the questions of
/// a QA file, documents read and indexed beforehand.
pub fn bench_qa(file: &Path, limit: usize, reading: &ReadingArgs) -> Result<()> {
    let items = tome::eval::qa::load(file, Some(limit))?;
    let base = file.parent().unwrap_or(Path::new("."));
    let mut docs = std::collections::HashMap::new();
    for item in &items {
        if !docs.contains_key(&item.doc) {
            docs.insert(item.doc.clone(), load(&base.join(&item.doc))?);
        }
    }
    let modes = [Ask::Extractive, Ask::Grounded, Ask::Free];
    let rows = with_reader(reading, Ask::Grounded, |mut reader| {
        let mut rows = Vec::new();
        for ask in modes {
            let (mut total, mut first) = (Vec::new(), Vec::new());
            for item in &items {
                let Some((doc, index)) = docs.get(&item.doc) else { continue };
                let started = std::time::Instant::now();
                let mut first_at = None;
                let mut on_text = |piece: &str| {
                    if first_at.is_none() && !piece.is_empty() {
                        first_at = Some(started.elapsed().as_secs_f64());
                    }
                    true
                };
                let r = reader.as_deref_mut();
                tome::qa::ask::answer_streaming(doc, index, &item.question, ask, r, &mut on_text)?;
                let secs = started.elapsed().as_secs_f64();
                total.push(secs);
                first.push(first_at.unwrap_or(secs));
            }
            rows.push(serde_json::json!({
                "mode": ask.resolve().as_str(),
                "questions": total.len(),
                "median_s": median(total),
                "median_first_token_s": median(first),
            }));
        }
        Ok(rows)
    })?;
    print_json(
        &serde_json::json!({ "file": file.display().to_string(), "threads": reading.threads, "modes": rows }),
    );
    Ok(())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}
