//! `tome read FILE -o FILE.tome`: a document read into a memory file; `tome ask` and `tome search`
//! take that file as they take the document (see [`tome::model::memory`]).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use tome::Result;
use tome::gpu::llama::{GpuLlama, PrefixForward};
use tome::model::Llama;
use tome::model::memory::book::{self, Progress, ReadOptions};
use tome::model::memory::{Memory, Rule, file, sha256};

use crate::model_cmds::model_path;

#[derive(Args)]
pub struct ReadArgs {
    pub file: PathBuf,
    /// The memory file to write (default: FILE.tome).
    #[arg(short, long)]
    pub out: Option<PathBuf>,
    /// keep: the keys the model attends to most when repeating a window (KVzip); pool: each group
    /// of r tokens averaged by that attention.
    #[arg(long, default_value = "keep")]
    pub rule: String,
    /// A fixed condensing ratio (default: the finest of 4, 8, 16, 32 that fits --budget-mb).
    #[arg(long)]
    pub ratio: Option<usize>,
    #[arg(long, default_value_t = 256)]
    pub budget_mb: usize,
    /// Tokens per window.
    #[arg(long, default_value_t = tome::model::memory::DEFAULT_WINDOW)]
    pub window: usize,
    /// Stop after this many windows (the `.part` file stays; run again to resume).
    #[arg(long)]
    pub stop_after: Option<usize>,
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// One JSON line of figures at the end.
    #[arg(long)]
    pub json: bool,
}

/// Whether `path` is a memory file (by its first bytes).
pub fn is_memory(path: &Path) -> bool {
    let mut head = [0u8; 8];
    std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head)).is_ok()
        && file::is_memory(&head)
}

/// The SHA-256 of the model file.
pub fn model_sha(path: &Path) -> Result<[u8; 32]> {
    let bytes = std::fs::read(path)
        .map_err(|e| tome::Error::io(format!("cannot read the model {}", path.display()), e))?;
    Ok(sha256::sha256(&bytes))
}

/// A memory file, checked against the model at `model`.
pub fn open(path: &Path, model: &Path) -> Result<Memory> {
    let bytes =
        std::fs::read(path).map_err(|e| tome::Error::io(format!("cannot read {}", path.display()), e))?;
    Ok(file::load(&path.display().to_string(), &bytes, &model_sha(model)?)?)
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<f64>().ok()? / 1024.0)
}

pub fn read(args: &ReadArgs) -> Result<()> {
    let rule = Rule::by_name(&args.rule)
        .ok_or_else(|| tome::Error::EvalData(format!("--rule {}: use keep or pool", args.rule)))?;
    let out = args.out.clone().unwrap_or_else(|| {
        let mut p = args.file.as_os_str().to_owned();
        p.push(".tome");
        PathBuf::from(p)
    });
    let bytes = std::fs::read(&args.file)
        .map_err(|e| tome::Error::io(format!("cannot read {}", args.file.display()), e))?;
    let name = args.file.file_name().map_or_else(|| "document".into(), |n| n.to_string_lossy().into_owned());
    let mpath = model_path(&args.model);
    let model = Llama::open(&mpath, args.threads)?;
    let sha = model_sha(&mpath)?;
    let opts = ReadOptions { rule, ratio: args.ratio, budget: args.budget_mb << 20, window: args.window };
    let t0 = Instant::now();
    let tty = std::io::stderr().is_terminal();
    let mut last: Option<Progress> = None;
    let finished = book::read_document(&model, sha, (&name, &bytes), &out, opts, &mut |p| {
        let secs = t0.elapsed().as_secs_f64();
        let read = (p.tokens_done - p.resumed_tokens).max(1);
        let eta = secs / read as f64 * (p.tokens - p.tokens_done) as f64;
        let line = format!(
            "windows {}/{}  tokens {}/{}  {:.0} tok/s  ETA {:.0} s  (ratio {}, {})",
            p.windows_done,
            p.windows,
            p.tokens_done,
            p.tokens,
            read as f64 / secs.max(1e-9),
            eta,
            p.settings.ratio,
            p.settings.rule.name()
        );
        if tty {
            eprint!("\r{line}   ");
        } else if p.windows_done % 10 == 0 || p.windows_done == p.windows {
            eprintln!("{line}");
        }
        last = Some(*p);
        args.stop_after.is_none_or(|n| p.windows_done - p.resumed < n)
    })?;
    if tty {
        eprintln!();
    }
    let secs = t0.elapsed().as_secs_f64();
    let Some(last) = last else {
        emit_summary(&out, true, args.json);
        return Ok(());
    };
    let read_tokens = last.tokens_done - last.resumed_tokens;
    if !finished {
        eprintln!(
            "stopped after {} of {} windows; run the same command again to resume",
            last.windows_done, last.windows
        );
    }
    let size = std::fs::metadata(if finished { out.clone() } else { book::part_path(&out) })
        .map(|m| m.len())
        .unwrap_or(0);
    let summary = serde_json::json!({
        "file": out.display().to_string(),
        "finished": finished,
        "rule": last.settings.rule.name(),
        "ratio": last.settings.ratio,
        "window": last.settings.window,
        "windows": last.windows,
        "tokens": last.tokens,
        "tokens_read_now": read_tokens,
        "seconds": secs,
        "tokens_per_s": read_tokens as f64 / secs.max(1e-9),
        "file_bytes": size,
        "file_bytes_per_1k_tokens": size as f64 / (last.tokens_done.max(1) as f64 / 1000.0),
        "peak_rss_mb": peak_rss_mb(),
        "threads": args.threads,
    });
    if args.json {
        println!("{summary}");
    } else if finished {
        let mut o = std::io::stdout();
        let _ = writeln!(
            o,
            "{}: {} tokens in {} windows, ratio {} ({}), {:.1} MB, {:.0} tok/s",
            out.display(),
            last.tokens,
            last.windows,
            last.settings.ratio,
            last.settings.rule.name(),
            size as f64 / 1e6,
            read_tokens as f64 / secs.max(1e-9)
        );
    }
    Ok(())
}

/// A reading that found every window already read (a finished `.part`): nothing to measure.
fn emit_summary(out: &Path, finished: bool, json: bool) {
    if json {
        println!("{}", serde_json::json!({ "file": out.display().to_string(), "finished": finished }));
    } else {
        println!("{}: done", out.display());
    }
}

/// Answers from a memory file: the cache [sink | condensed windows] assembled on the CPU, then the
/// reading pipeline (its retrieved passages at full resolution, the question) over it, on the CPU
/// or, with `--backend gpu` (or `auto` and a hardware GPU), on the GPU with the assembled cache
/// copied there once. The extractive mode (no model) answers from the stored document alone, so the
/// memory's answers come from the grounded or free mode: `extractive` and `auto` mean grounded here.
pub fn ask(file: &Path, question: &str, json: bool, reading: &crate::ask_cmds::ReadingArgs) -> Result<()> {
    use tome::model::memory::assemble::{MemoryForward, READ_ROOM, for_reading};
    use tome::qa::ask::{Ask, Reader};
    let mpath = model_path(&reading.model);
    let memory = open(file, &mpath)?;
    let (doc, index) = crate::ask_cmds::load(file)?;
    let model = Llama::open(&mpath, reading.threads)?;
    let ask = match reading.mode.ask() {
        Ask::Free => Ask::Free,
        _ => Ask::Grounded,
    };
    let (mut session, prefix) = for_reading(&model, &memory, &doc)?;
    let (mut gpu_model, mut on_gpu, mut on_cpu);
    let forward: &mut dyn tome::model::Forward = match crate::model_cmds::pick_backend(reading.backend)? {
        Some(gpu) => {
            gpu_model = GpuLlama::new(gpu, &model, prefix + READ_ROOM)?;
            gpu_model.load_memory(&session.kv, prefix, 0)?;
            drop(session);
            on_gpu = PrefixForward { model: &mut gpu_model, prefix };
            &mut on_gpu
        }
        None => {
            on_cpu = MemoryForward { model: &model, session: &mut session, prefix };
            &mut on_cpu
        }
    };
    let mut reader = Reader { tokenizer: &model.tokenizer, forward };
    let answer = tome::qa::ask::answer(&doc, &index, question, ask, Some(&mut reader))?;
    crate::ask_cmds::print_answer(&doc, &answer, file, question, json);
    Ok(())
}

#[derive(Args)]
pub struct BenchMemoryArgs {
    /// A memory file (`tome read`) of a document the QA file asks about.
    pub memory: PathBuf,
    /// Needle questions (e.g. ../shared/eval/qa.jsonl): those about the memory's document are asked.
    pub qa: PathBuf,
    #[arg(long, default_value_t = 12)]
    pub limit: usize,
    /// Every stride-th question of the document (spreads a small subset over its needles).
    #[arg(long, default_value_t = 1)]
    pub stride: usize,
    /// Questions timed to the first answer token (memory vs re-reading the retrieved windows).
    #[arg(long, default_value_t = 3)]
    pub ttft: usize,
    /// Where the first-token readings run (the memory is assembled on the CPU and copied to the
    /// GPU); the answer scores are measured on the CPU.
    #[arg(long, value_enum, default_value_t = crate::model_cmds::Backend::Cpu)]
    pub backend: crate::model_cmds::Backend,
    /// Only the first-token times (the scores take the model ~4 readings per question and context).
    #[arg(long)]
    pub first_token_only: bool,
    /// On the GPU, dense attention over the memory instead of block-sparse (`tome ask`'s).
    #[arg(long)]
    pub dense: bool,
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    #[arg(long)]
    pub model: Option<PathBuf>,
}

/// One way of giving the reading pipeline the document: a prefix of the cache, or none.
fn score(
    name: &str,
    qa: &Path,
    model: &Llama,
    forward: &mut dyn tome::model::Forward,
    prefix_s: f64,
) -> Result<serde_json::Value> {
    let mut reader = tome::qa::ask::Reader { tokenizer: &model.tokenizer, forward };
    let t = Instant::now();
    let r = tome::eval::qa::run_with(qa, None, true, tome::qa::ask::Ask::Grounded, Some(&mut reader))?;
    let items = r.items.as_deref().unwrap_or_default();
    let hit = items.iter().filter(|i| i.cited_evidence).count() as f64 / items.len().max(1) as f64;
    let unanswerable: Vec<_> = items.iter().filter(|i| !i.answerable).collect();
    let abstained = unanswerable.iter().filter(|i| !i.found).count();
    let answered_wrongly = items.iter().filter(|i| i.answerable && !i.found).count();
    Ok(serde_json::json!({
        "context": name,
        "questions": r.n,
        "evidence_hit": hit,
        "f1": r.f1,
        "em": r.em,
        "answer_rate": r.answer_rate,
        "abstained_on_unanswerable": format!("{abstained}/{}", unanswerable.len()),
        "abstained_on_answerable": answered_wrongly,
        "citation_precision": r.citation_precision,
        "prefix_seconds": prefix_s,
        "answer_seconds": t.elapsed().as_secs_f64(),
    }))
}

/// Seconds from `t` (nothing in memory, then a cache prefix built into `forward`) to the first
/// answer token of the grounded reading of `question` after that prefix.
fn first_token_s(
    t: Instant,
    model: &Llama,
    (doc, index): (&tome::Document, &tome::Index),
    question: &str,
    forward: &mut dyn tome::model::Forward,
) -> Result<f64> {
    let mut reader = tome::qa::ask::Reader { tokenizer: &model.tokenizer, forward };
    let mut first = None;
    tome::qa::ask::answer_streaming(
        doc,
        index,
        question,
        tome::qa::ask::Ask::Grounded,
        Some(&mut reader),
        &mut |p| {
            if first.is_none() && !p.is_empty() {
                first = Some(t.elapsed().as_secs_f64());
            }
            true
        },
    )?;
    Ok(first.unwrap_or_else(|| t.elapsed().as_secs_f64()))
}

/// Grounded answers to the questions of `qa` with the document given three ways: (a) its last
/// tokens at full resolution, (b) none (BM25 retrieve-then-read alone), (c) the memory; one JSON row
/// each.
fn contexts(
    model: &Llama,
    memory: &Memory,
    doc: &tome::Document,
    qa: &Path,
    sink: &[u32],
    room: usize,
) -> Result<Vec<serde_json::Value>> {
    use tome::model::memory::assemble::{MemoryForward, READ_ROOM, assemble};
    let mut rows = Vec::new();
    // (a) The last 8K: the document's last tokens at full resolution, read once for all questions.
    let body = &doc.text[doc.body.start..doc.body.end];
    let ids = model.tokenizer.encode(body)?;
    let tail = &ids[ids.len().saturating_sub(room + sink.len())..];
    let mut session = model.session(model.cfg.n_ctx_train);
    let t = Instant::now();
    model.forward(&mut session, tail)?;
    let prefix_s = t.elapsed().as_secs_f64();
    let mut f = MemoryForward { model, session: &mut session, prefix: tail.len() };
    rows.push(score("last_8k", qa, model, &mut f, prefix_s)?);
    eprintln!("{}", rows[rows.len() - 1]);

    // (b) BM25 retrieve-then-read alone: a fresh reading session per question.
    let mut plain = model.session(READ_ROOM);
    let mut f = tome::model::CpuForward { model, session: &mut plain };
    rows.push(score("bm25_read", qa, model, &mut f, 0.0)?);
    eprintln!("{}", rows[rows.len() - 1]);

    // (c) The memory, assembled once for all questions.
    let t = Instant::now();
    let prefix = assemble(model, memory, sink, &mut session, room)?;
    let prefix_s = t.elapsed().as_secs_f64();
    let mut f = MemoryForward { model, session: &mut session, prefix };
    rows.push(score("memory", qa, model, &mut f, prefix_s)?);
    eprintln!("{}", rows[rows.len() - 1]);
    Ok(rows)
}

/// `tome bench memory`: on the needle questions of the memory's document, grounded answers with
/// (a) the last 8K tokens of the document before the reading prompt, (b) BM25 retrieve-then-read
/// alone, (c) the memory before the reading prompt; then the time to the first answer token from
/// the memory file on disk vs re-reading the retrieved windows from scratch.
pub fn bench(args: &BenchMemoryArgs) -> Result<()> {
    use tome::model::memory::assemble::{MemoryForward, READ_ROOM, SINK_TOKENS, assemble, sink_tokens};
    use tome::model::memory::book::plan;
    let mpath = model_path(&args.model);
    let model = Llama::open(&mpath, args.threads)?;
    let memory = open(&args.memory, &mpath)?;
    let (doc, index) = crate::ask_cmds::load(&args.memory)?;

    // The questions about this document, with the document's path made absolute.
    let base = args.qa.parent().unwrap_or(Path::new(".")).to_path_buf();
    let text = std::fs::read_to_string(&args.qa)
        .map_err(|e| tome::Error::io(format!("cannot read {}", args.qa.display()), e))?;
    let mut lines = Vec::new();
    let mut seen = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut v: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| tome::Error::EvalData(format!("{}: {e}", args.qa.display())))?;
        let d = v["doc"].as_str().unwrap_or_default().to_string();
        if Path::new(&d).file_name().is_none_or(|n| n.to_string_lossy() != memory.doc_name) {
            continue;
        }
        seen += 1;
        if (seen - 1) % args.stride.max(1) == 0 && lines.len() < args.limit {
            v["doc"] = serde_json::Value::String(base.join(&d).display().to_string());
            lines.push(v.to_string());
        }
    }
    if lines.is_empty() {
        return Err(tome::Error::EvalData(format!(
            "{} has no question about {}",
            args.qa.display(),
            memory.doc_name
        )));
    }
    let qa = std::env::temp_dir().join(format!("tome-bench-memory-{}.jsonl", std::process::id()));
    std::fs::write(&qa, lines.join("\n"))
        .map_err(|e| tome::Error::io("cannot write the question list", e))?;
    let questions: Vec<String> = tome::eval::qa::load(&qa, None)?.into_iter().map(|i| i.question).collect();

    let sink = sink_tokens(&model, &doc)?;
    let room = model.cfg.n_ctx_train - READ_ROOM - sink.len().min(SINK_TOKENS);
    let rows =
        if args.first_token_only { Vec::new() } else { contexts(&model, &memory, &doc, &qa, &sink, room)? };

    // Time to first answer token: from the file on disk (load, check, assemble; on the GPU, copy
    // there) vs re-reading the windows that hold the question's retrieved passages. The model is
    // loaded (and on the GPU) before either clock starts.
    let mut gpu_model = match crate::model_cmds::pick_backend(args.backend)? {
        Some(gpu) => Some(GpuLlama::new(gpu, &model, model.cfg.n_ctx_train)?),
        None => None,
    };
    let windows = plan(&model, &doc, memory.settings.window)?;
    let (mut from_memory, mut reread, mut reread_tokens) = (Vec::new(), Vec::new(), Vec::new());
    let mut positions = 0;
    for q in questions.iter().take(args.ttft) {
        let t = Instant::now();
        let m = open(&args.memory, &mpath)?;
        let mut session = model.session(model.cfg.n_ctx_train);
        let prefix = assemble(&model, &m, &sink, &mut session, room)?;
        positions = prefix;
        from_memory.push(match gpu_model.as_mut() {
            Some(g) => {
                match args.dense {
                    true => g.load_prefix(&session.kv, prefix, 0)?,
                    false => g.load_memory(&session.kv, prefix, 0)?,
                }
                drop(session);
                first_token_s(t, &model, (&doc, &index), q, &mut PrefixForward { model: g, prefix })?
            }
            None => {
                let mut f = MemoryForward { model: &model, session: &mut session, prefix };
                first_token_s(t, &model, (&doc, &index), q, &mut f)?
            }
        });

        let (_, hits) = tome::qa::retrieve(&doc, &index, q, 3);
        let mut chosen: Vec<usize> = hits
            .iter()
            .filter_map(|h| {
                let span = index.passages[h.passage].span;
                windows.iter().position(|w| w.span.overlaps(&span))
            })
            .collect();
        chosen.sort_unstable();
        chosen.dedup();
        let tokens: Vec<u32> = chosen.iter().flat_map(|&w| windows[w].tokens.iter().copied()).collect();
        let tokens = &tokens[..tokens.len().min(room)];
        reread_tokens.push(tokens.len());
        let t = Instant::now();
        reread.push(match gpu_model.as_mut() {
            Some(g) => {
                g.clear();
                tome::model::Forward::feed(g, tokens)?;
                first_token_s(
                    t,
                    &model,
                    (&doc, &index),
                    q,
                    &mut PrefixForward { model: g, prefix: tokens.len() },
                )?
            }
            None => {
                let mut session = model.session(model.cfg.n_ctx_train);
                model.forward(&mut session, tokens)?;
                let mut f = MemoryForward { model: &model, session: &mut session, prefix: tokens.len() };
                first_token_s(t, &model, (&doc, &index), q, &mut f)?
            }
        });
        eprintln!(
            "first token: memory {:.1} s, re-reading {} tokens {:.1} s",
            from_memory[from_memory.len() - 1],
            tokens.len(),
            reread[reread.len() - 1]
        );
    }
    std::fs::remove_file(&qa).ok();
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    println!(
        "{}",
        serde_json::json!({
            "memory": args.memory.display().to_string(),
            "document": memory.doc_name,
            "tokens": memory.tokens(),
            "rule": memory.settings.rule.name(),
            "ratio": memory.settings.ratio,
            "memory_positions": positions,
            "threads": args.threads,
            "first_token_backend": gpu_model.as_ref().map_or("cpu".to_string(), |g| g.gpu().info.name.clone()),
            "gpu_attention": gpu_model.as_ref().map(|g| if g.sparse().is_some() { "block-sparse" } else { "dense" }),
            "contexts": rows,
            "first_token": {
                "questions": from_memory.len(),
                "from_memory_file_median_s": median(from_memory.clone()),
                "rereading_retrieved_windows_median_s": median(reread.clone()),
                "from_memory_file_s": from_memory,
                "rereading_s": reread,
                "rereading_tokens": reread_tokens,
            },
        })
    );
    Ok(())
}

#[derive(Args)]
pub struct BenchRulesArgs {
    /// A long text document (e.g. a novel).
    pub file: PathBuf,
    /// Windows measured, spread over the document.
    #[arg(long, default_value_t = 4)]
    pub windows: usize,
    /// Tokens of the following text scored after each window.
    #[arg(long, default_value_t = 64)]
    pub continuation: usize,
    #[arg(long, default_value_t = tome::model::memory::DEFAULT_WINDOW)]
    pub window: usize,
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    #[arg(long)]
    pub model: Option<PathBuf>,
}

/// Logits (vocab,) at each of `cont`'s positions, fed after what `s` holds.
fn continuation_logits(model: &Llama, s: &mut tome::model::Session, cont: &[u32]) -> Result<Vec<Vec<f32>>> {
    model.forward(s, cont)?;
    let mut out = Vec::with_capacity(cont.len());
    for back in (0..cont.len()).rev() {
        let l = model
            .logits_back(s, back)
            .ok_or_else(|| tome::Error::EvalData("continuation longer than a chunk".into()))?;
        out.push(l.to_vec());
    }
    Ok(out)
}

/// `tome bench memory-rules`: how well each rule and ratio stands in for a whole window, query-agnostic:
/// the KL divergence (full window || condensed window) of the next-token distributions over the text
/// that follows the window, and top-1 agreement; no context at all as the scale.
pub fn bench_rules(args: &BenchRulesArgs) -> Result<()> {
    use tome::model::memory::assemble::assemble;
    use tome::model::memory::read::WindowReader;
    use tome::model::memory::{RATIOS, Settings, Shape};
    let mpath = model_path(&args.model);
    let model = Llama::open(&mpath, args.threads)?;
    let doc = tome::Document::open(&args.file)?;
    let windows = book::plan(&model, &doc, args.window)?;
    let cont_len = args.continuation.clamp(1, 512);
    let usable: Vec<usize> =
        (0..windows.len().saturating_sub(1)).filter(|&i| windows[i + 1].tokens.len() >= cont_len).collect();
    let picks: Vec<usize> = (0..args.windows.min(usable.len()))
        .map(|j| usable[(2 * j + 1) * usable.len() / (2 * args.windows.max(1))])
        .collect();
    let configs: Vec<(Rule, usize)> =
        [Rule::Keep, Rule::Pool].into_iter().flat_map(|r| RATIOS.into_iter().map(move |x| (r, x))).collect();
    let mut sums = vec![(0.0f64, 0usize, 0usize); configs.len() + 1];
    let settings = Settings { rule: Rule::Keep, ratio: 1, window: args.window };
    let mut reader = WindowReader::new(&model, settings)?;
    let mut s = model.session(args.window + cont_len + 8);
    for &i in &picks {
        let cont = &windows[i + 1].tokens[..cont_len];
        s.clear();
        model.forward(&mut s, &windows[i].tokens)?;
        let full = continuation_logits(&model, &mut s, cont)?;
        let raw = reader.read_raw(&model, &windows[i])?;
        for (c, slot) in configs.iter().map(Some).chain([None]).zip(0..) {
            s.clear();
            if let Some(&(rule, ratio)) = c {
                let mem = Memory {
                    model_sha256: [0; 32],
                    doc_sha256: [0; 32],
                    shape: Shape::of(&model.cfg),
                    settings: Settings { rule, ratio, window: args.window },
                    doc_name: String::new(),
                    doc_bytes: Vec::new(),
                    windows: vec![raw.condense(Settings { rule, ratio, window: args.window })],
                };
                assemble(&model, &mem, &[], &mut s, usize::MAX)?;
            }
            let got = continuation_logits(&model, &mut s, cont)?;
            for (f, g) in full.iter().zip(&got) {
                use crate::sparse_cmds::{kl, log_softmax};
                sums[slot].0 += kl(&log_softmax(f), &log_softmax(g));
                // Ids only: the two runs' logit values differ even when they agree.
                let top1 = |x: &[f32]| tome::model::sample::top_k(x, 1).first().map(|t| t.0);
                sums[slot].1 += usize::from(top1(f) == top1(g));
                sums[slot].2 += 1;
            }
        }
        eprintln!("window {i} done");
    }
    let row = |(kl, agree, n): (f64, usize, usize)| serde_json::json!({ "kl": kl / n.max(1) as f64, "top1_agreement": agree as f64 / n.max(1) as f64 });
    let mut rows: Vec<serde_json::Value> = configs
        .iter()
        .zip(&sums)
        .map(|(&(rule, ratio), &s)| {
            let mut r = row(s);
            r["rule"] = rule.name().into();
            r["ratio"] = ratio.into();
            r
        })
        .collect();
    let mut none = row(sums[configs.len()]);
    none["rule"] = "no context".into();
    rows.push(none);
    println!(
        "{}",
        serde_json::json!({
            "file": args.file.display().to_string(),
            "windows": picks,
            "window_tokens": args.window,
            "continuation": cont_len,
            "results": rows,
        })
    );
    Ok(())
}
