//! The `tome` command line: the same core as the web app, on files.

mod ask_cmds;
mod memory_cmds;
mod model_cmds;
mod outline_cmds;
mod pack_cmds;
mod serve_cmds;
mod sparse_cmds;
mod term;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "tome", version, about = "Outline, search and ask long documents, with citations")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show a document's outline (its bookmarks, its printed table of contents, or detected headings),
    /// or a site's (a pack folder, or a built site's folder of HTML pages): site → page → sections.
    Outline {
        file: PathBuf,
        /// Use the printed table of contents or detected headings even when the PDF has bookmarks.
        #[arg(long)]
        ignore_bookmarks: bool,
        /// Print each section's scope line (the sentence of the section that says what it is about).
        #[arg(long)]
        scopes: bool,
        /// JSON output (always with scope lines).
        #[arg(long)]
        json: bool,
    },
    /// Pack a built documentation site (a folder of HTML pages) into static files the widget reads.
    Pack {
        site: PathBuf,
        /// The pack folder (default: SITE/tome).
        #[arg(short, long)]
        out: Option<PathBuf>,
        /// Also put the widget into every page of the site (its files go into the pack folder).
        #[arg(long)]
        inject: bool,
        /// Also offer visitors the model (an explicit choice in the widget showing its download
        /// size): copies the engine and the model file (98 MB) into the pack folder.
        #[arg(long)]
        model: bool,
        #[arg(long)]
        json: bool,
    },
    /// Search a document or a pack folder; prints the best passages with their pages and sections.
    Search {
        file: PathBuf,
        query: String,
        #[arg(short, default_value_t = 5)]
        k: usize,
        #[arg(long)]
        json: bool,
    },
    /// Answer a question from a document or a pack folder, citing the passages the answer comes from.
    Ask {
        file: PathBuf,
        question: String,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        reading: ask_cmds::ReadingArgs,
    },
    /// Read a whole document with the model once, into a memory file that `tome ask` and
    /// `tome search` take in place of the document (progress with ETA; Ctrl-C leaves FILE.tome.part,
    /// and the same command resumes it).
    Read(memory_cmds::ReadArgs),
    /// Score tome against evaluation data (JSON out).
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Measure speed and memory against a named anchor (JSON out).
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Generate text with the language model.
    Generate(model_cmds::GenerateArgs),
    /// Serve the web app (built by scripts/build-web.sh) on 127.0.0.1 and print its URL.
    Serve {
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// The app folder (default: web/ of this repository).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum EvalCommand {
    /// Outline accuracy against DIR/outlines.json.
    Outlines { dir: PathBuf },
    /// Fit the PDF heading scorer on DIR/outlines.json's bookmarks; leave-one-document-out F1.
    Headings { dir: PathBuf },
    /// Needle QA: retrieval hit@5, EM/F1, citation precision, abstention.
    Qa {
        file: PathBuf,
        #[arg(long)]
        limit: Option<usize>,
        /// Add each question's answer, quote and score.
        #[arg(long)]
        details: bool,
        /// The answer mode to score, or `all` (one report per mode, same questions).
        #[arg(long, value_enum, default_value_t = ask_cmds::EvalMode::Extractive)]
        mode: ask_cmds::EvalMode,
        #[arg(long, value_enum, default_value_t = model_cmds::Backend::Cpu)]
        backend: model_cmds::Backend,
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// The GGUF model (default: assets/SmolLM2-135M-Instruct.Q4_1.gguf).
        #[arg(long)]
        model: Option<PathBuf>,
    },
    /// Manual questions (tests/eval/manual-questions.jsonl): first citation in the gold section.
    Sections {
        file: PathBuf,
        /// Add each question's cited section and the rank of the gold section in retrieval.
        #[arg(long)]
        details: bool,
        /// Re-rank the retrieved passages with the model before answering.
        #[arg(long)]
        rerank: bool,
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// The GGUF model (default: assets/SmolLM2-135M-Instruct.Q4_1.gguf).
        #[arg(long)]
        model: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Ingest + outline + index time against pdftotext on the same file.
    Ingest {
        file: PathBuf,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Answer time per mode (extractive, grounded, free): median seconds per question and to the
    /// first answer token, on the questions of a QA file.
    Qa {
        file: PathBuf,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long, value_enum, default_value_t = model_cmds::Backend::Cpu)]
        backend: model_cmds::Backend,
        #[arg(long, default_value_t = 2)]
        threads: usize,
        #[arg(long)]
        model: Option<PathBuf>,
    },
    /// Prefill and decode speed, peak memory, optionally against llama-bench.
    Model(model_cmds::BenchModelArgs),
    /// A memory file on needle questions: grounded answers over the memory vs the last 8K tokens vs
    /// BM25 retrieve-then-read; first-token time from the file vs re-reading the retrieved windows.
    Memory(memory_cmds::BenchMemoryArgs),
    /// Condensing rules and ratios on windows of a document: KL of the next-token distributions over
    /// the following text, condensed window vs whole window.
    MemoryRules(memory_cmds::BenchRulesArgs),
    /// Block-sparse vs dense attention on long real-text prompts: KL, agreement, needle recall, time.
    Sparse(sparse_cmds::BenchSparseArgs),
    /// `tome pack` against Pagefind on the same site: build time, size, bytes per query, gold pages.
    Pack {
        site: PathBuf,
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Dev questions (tests/eval/site-questions.jsonl) for the browser half.
        #[arg(long)]
        questions: Option<PathBuf>,
        /// The site's name in the questions file (`rust-book`, `sphinx`).
        #[arg(long)]
        name: Option<String>,
        /// The page the browser opens first.
        #[arg(long, default_value = "index.html")]
        start: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Outline { file, json, .. } if file.is_dir() => pack_cmds::outline(&file, json),
        Command::Outline { file, ignore_bookmarks, scopes, json } => {
            outline_cmds::outline(&file, ignore_bookmarks, scopes, json)
        }
        Command::Pack { site, out, inject, model, json } => {
            let out = out.unwrap_or_else(|| site.join("tome"));
            pack_cmds::pack(&site, &out, pack_cmds::PackOptions { inject, model, json })
        }
        Command::Search { file, query, k, json } if pack_cmds::is_pack(&file) => {
            pack_cmds::search(&file, &query, k, json)
        }
        Command::Search { file, query, k, json } => ask_cmds::search(&file, &query, k, json),
        Command::Ask { file, question, json, .. } if pack_cmds::is_pack(&file) => {
            pack_cmds::ask(&file, &question, json)
        }
        Command::Ask { file, question, json, reading } => ask_cmds::ask(&file, &question, json, &reading),
        Command::Eval(EvalCommand::Outlines { dir }) => outline_cmds::eval_outlines(&dir),
        Command::Eval(EvalCommand::Headings { dir }) => outline_cmds::eval_headings(&dir),
        Command::Eval(EvalCommand::Qa { file, limit, details, mode, backend, threads, model }) => {
            let reading =
                ask_cmds::ReadingArgs { mode: ask_cmds::ModeArg::Extractive, backend, threads, model };
            ask_cmds::eval_qa(&file, limit, details, mode, &reading)
        }
        Command::Eval(EvalCommand::Sections { file, details, rerank, threads, model }) => {
            let reading = ask_cmds::ReadingArgs {
                mode: ask_cmds::ModeArg::Grounded,
                backend: model_cmds::Backend::Cpu,
                threads,
                model,
            };
            ask_cmds::eval_sections(&file, details, rerank.then_some(&reading))
        }
        Command::Bench(BenchCommand::Ingest { file, runs }) => outline_cmds::bench_ingest(&file, runs),
        Command::Bench(BenchCommand::Qa { file, limit, backend, threads, model }) => {
            let reading =
                ask_cmds::ReadingArgs { mode: ask_cmds::ModeArg::Grounded, backend, threads, model };
            ask_cmds::bench_qa(&file, limit, &reading)
        }
        Command::Bench(BenchCommand::Model(args)) => model_cmds::bench_model(&args),
        Command::Bench(BenchCommand::Sparse(args)) => sparse_cmds::bench_sparse(&args),
        Command::Bench(BenchCommand::Memory(args)) => memory_cmds::bench(&args),
        Command::Bench(BenchCommand::MemoryRules(args)) => memory_cmds::bench_rules(&args),
        Command::Bench(BenchCommand::Pack { site, runs, questions, name, start }) => {
            pack_cmds::bench_pack(&pack_cmds::BenchPackArgs {
                site: &site,
                runs,
                questions: questions.as_deref(),
                name: name.as_deref(),
                start: &start,
            })
        }
        Command::Generate(args) => model_cmds::generate(&args),
        Command::Read(args) => memory_cmds::read(&args),
        Command::Serve { port, dir } => serve_cmds::serve(port, dir.as_deref()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tome: {}", term::safe(&e.to_string()));
            ExitCode::FAILURE
        }
    }
}
