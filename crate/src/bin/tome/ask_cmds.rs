//! Question commands: search, ask, eval qa.
//!
//! Offsets printed here are Unicode code point offsets into the document text (what the web page
//! and other tools index by), converted from the library's byte spans.

use std::io::{IsTerminal, Write};
use std::path::Path;

use serde::Serialize;
use tome::index::Hit;
use tome::{Document, Index, Outline, Result, Span};

fn load(file: &Path) -> Result<(Document, Index)> {
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

pub fn ask(file: &Path, question: &str, json: bool) -> Result<()> {
    let (doc, index) = load(file)?;
    let answer = tome::qa::answer(&doc, &index, question);
    if json {
        let citations = answer
            .citations
            .iter()
            .map(|c| CitationJson {
                page: c.page,
                start: doc.char_offset(c.span.start),
                end: doc.char_offset(c.span.end),
                path: &c.outline_path,
            })
            .collect();
        print_json(&AnswerJson {
            answer: &answer.text,
            found: answer.found,
            citations,
            quote: &answer.quote,
            answer_span: answer.short.map(|s| [doc.char_offset(s.start), doc.char_offset(s.end)]),
        });
        return Ok(());
    }
    emit(&crate::term::safe(&ask_human(&doc, &answer, file, question, std::io::stdout().is_terminal())));
    Ok(())
}

/// The answer first, then each cited sentence as a quote with the answer marked in it, then
/// where it is: page (for paged documents), section path, character span.
fn ask_human(doc: &Document, answer: &tome::qa::Answer, file: &Path, question: &str, bold: bool) -> String {
    if !answer.found {
        return format!(
            "{}\nNo passage covers enough of the question. The passages that share its words:\n  \
             tome search {} \"{}\"\n",
            answer.text,
            file.display(),
            question.trim()
        );
    }
    let (open, close) = if bold { ("\x1b[1m", "\x1b[0m") } else { ("", "") };
    let (mark_open, mark_close) = if bold { ("\x1b[1m", "\x1b[0m") } else { ("[", "]") };
    let mut out = String::new();
    if answer.short.is_some() {
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
        let quote = quote.split_whitespace().collect::<Vec<_>>().join(" ");
        let label = if numbered { format!("[{}] ", i + 1) } else { String::new() };
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

pub fn eval_qa(file: &Path, limit: Option<usize>, details: bool) -> Result<()> {
    let report = tome::eval::qa::run(file, limit, details)?;
    print_json(&report);
    Ok(())
}

/// `tome ask --json`: the documented fields first; `answer` is the short answer when one was
/// picked out (its code point span is `answer_span`), `quote` the cited sentences.
#[derive(Serialize)]
struct AnswerJson<'a> {
    answer: &'a str,
    found: bool,
    citations: Vec<CitationJson<'a>>,
    quote: &'a str,
    answer_span: Option<[usize; 2]>,
}

#[derive(Serialize)]
struct CitationJson<'a> {
    page: u32,
    start: usize,
    end: usize,
    path: &'a [String],
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
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}
