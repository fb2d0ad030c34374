//! The `tome` command line: the same core as the web app, on files.

mod ask_cmds;
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
    /// Show a document's outline (its bookmarks, or detected headings).
    Outline {
        file: PathBuf,
        /// Detect headings even when the PDF has bookmarks.
        #[arg(long)]
        ignore_bookmarks: bool,
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
    },
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
    /// Needle QA: retrieval hit@5, EM/F1, citation precision, abstention.
    Qa {
        file: PathBuf,
        #[arg(long)]
        limit: Option<usize>,
        /// Add each question's answer, quote and score.
        #[arg(long)]
        details: bool,
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
    /// Prefill and decode speed, peak memory, optionally against llama-bench.
    Model(model_cmds::BenchModelArgs),
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
        Command::Outline { file, ignore_bookmarks, json } => {
            outline_cmds::outline(&file, ignore_bookmarks, json)
        }
        Command::Pack { site, out, inject, json } => {
            let out = out.unwrap_or_else(|| site.join("tome"));
            pack_cmds::pack(&site, &out, inject, json)
        }
        Command::Search { file, query, k, json } if pack_cmds::is_pack(&file) => {
            pack_cmds::search(&file, &query, k, json)
        }
        Command::Search { file, query, k, json } => ask_cmds::search(&file, &query, k, json),
        Command::Ask { file, question, json } if pack_cmds::is_pack(&file) => {
            pack_cmds::ask(&file, &question, json)
        }
        Command::Ask { file, question, json } => ask_cmds::ask(&file, &question, json),
        Command::Eval(EvalCommand::Outlines { dir }) => outline_cmds::eval_outlines(&dir),
        Command::Eval(EvalCommand::Qa { file, limit, details }) => ask_cmds::eval_qa(&file, limit, details),
        Command::Bench(BenchCommand::Ingest { file, runs }) => outline_cmds::bench_ingest(&file, runs),
        Command::Bench(BenchCommand::Model(args)) => model_cmds::bench_model(&args),
        Command::Bench(BenchCommand::Sparse(args)) => sparse_cmds::bench_sparse(&args),
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
