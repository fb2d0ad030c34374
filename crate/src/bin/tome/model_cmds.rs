//! Model commands: `tome generate` (text from a prompt, streamed) and `tome bench model` (speed and
//! memory, optionally side by side with llama.cpp's llama-bench), on the CPU or the GPU (`--backend`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, ValueEnum};
use serde_json::json;
use tome::gpu::llama::GpuLlama;
use tome::gpu::{Gpu, block_on};
use tome::model::chat::user_prompt;
use tome::model::{CpuForward, Forward, GenerateOptions, Llama, Precision, Sampler, generate_on};
use tome::{Error, Result};

/// Where the model runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    Cpu,
    /// WebGPU via wgpu (Vulkan / Metal / DX12); always the exact precision (f32 activations).
    Gpu,
    /// The GPU when a hardware adapter exists, else the CPU.
    Auto,
}

/// Resolves `--backend`: the GPU device for `gpu` (an error when there is none) and for `auto` when one
/// exists; `None` means the CPU. Says on stderr which one runs and why.
pub fn pick_backend(b: Backend) -> Result<Option<Gpu>> {
    if b == Backend::Cpu {
        eprintln!("backend: cpu");
        return Ok(None);
    }
    match block_on(Gpu::new()) {
        // A software rasterizer (lavapipe, SwiftShader) is far slower than the CPU path: auto skips it.
        Ok(gpu) if b == Backend::Auto && gpu.info.fallback => {
            eprintln!(
                "backend: cpu (the only GPU adapter, {}, is a software rasterizer; --backend gpu uses it anyway)",
                gpu.info.name
            );
            Ok(None)
        }
        Ok(gpu) => {
            let i = &gpu.info;
            let soft = if i.fallback { ", software: slow" } else { "" };
            eprintln!("backend: gpu ({}, {}{soft})", i.name, i.backend);
            Ok(Some(gpu))
        }
        Err(e) if b == Backend::Auto => {
            eprintln!("backend: cpu ({e})");
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

const MODEL_FILE: &str = "SmolLM2-135M-Instruct.Q4_1.gguf";

#[derive(Args)]
pub struct GenerateArgs {
    /// The prompt text.
    #[arg(long)]
    pub prompt: String,
    /// Wrap the prompt in the model's chat template (ChatML).
    #[arg(long)]
    pub chat: bool,
    /// Maximum number of new tokens.
    #[arg(short = 'n', long = "max-tokens", default_value_t = 128)]
    pub max_tokens: usize,
    /// Print one JSON object (prompt ids, generated ids, text) instead of streaming text.
    #[arg(long)]
    pub json: bool,
    /// Include the top K next-token logits after the prompt in the JSON.
    #[arg(long, default_value_t = 0)]
    pub top_logits: usize,
    /// Sampling temperature; 0 is greedy.
    #[arg(long, default_value_t = 0.0)]
    pub temperature: f32,
    #[arg(long, default_value_t = 40)]
    pub top_k: usize,
    #[arg(long, default_value_t = 0.95)]
    pub top_p: f32,
    #[arg(long, default_value_t = 1.0)]
    pub repeat_penalty: f32,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// f32 activations and dequantized weights (the reference path) instead of Q8 activations (CPU; the
    /// GPU always runs this precision).
    #[arg(long)]
    pub exact: bool,
    /// cpu, gpu, or auto (the GPU when a hardware adapter exists, else the CPU).
    #[arg(long, value_enum, default_value_t = Backend::Auto)]
    pub backend: Backend,
    /// The GGUF model (default: assets/SmolLM2-135M-Instruct.Q4_1.gguf).
    #[arg(long)]
    pub model: Option<PathBuf>,
}

#[derive(Args)]
pub struct BenchModelArgs {
    /// Also measure prefill at 8192 tokens (CPU; the GPU measures it by default).
    #[arg(long)]
    pub long: bool,
    /// Prefill sizes in tokens, e.g. `512,2048` (default: 512,2048 on the CPU, 512,2048,8192 on the GPU).
    #[arg(long, value_delimiter = ',')]
    pub sizes: Option<Vec<usize>>,
    /// cpu (default, comparable with llama-bench), gpu, or auto.
    #[arg(long, value_enum, default_value_t = Backend::Cpu)]
    pub backend: Backend,
    /// Path to llama.cpp's llama-bench, run with -t 2 on the same model for comparison.
    #[arg(long)]
    pub llama_bench: Option<PathBuf>,
    /// Repetitions of each measurement (the median is reported).
    #[arg(long, default_value_t = 3)]
    pub reps: usize,
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    #[arg(long)]
    pub model: Option<PathBuf>,
}

pub fn model_path(arg: &Option<PathBuf>) -> PathBuf {
    if let Some(p) = arg {
        return p.clone();
    }
    let local = Path::new("assets").join(MODEL_FILE);
    if local.exists() {
        return local;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets").join(MODEL_FILE)
}

pub fn generate(args: &GenerateArgs) -> Result<()> {
    let mut model = Llama::open(&model_path(&args.model), args.threads)?;
    if args.exact {
        model.precision = Precision::Exact;
    }
    let text = if args.chat { user_prompt(&args.prompt) } else { args.prompt.clone() };
    let prompt_ids = model.tokenizer.encode(&text)?;
    let n_ctx = prompt_ids.len() + args.max_tokens;
    let mut session;
    let mut gpu_model;
    let forward: &mut dyn Forward = match pick_backend(args.backend)? {
        Some(gpu) => {
            gpu_model = GpuLlama::new(gpu, &model, n_ctx)?;
            &mut gpu_model
        }
        None => {
            session = model.session(n_ctx);
            &mut CpuForward { model: &model, session: &mut session }
        }
    };
    let sampler = Sampler::new(args.temperature, args.top_k, args.top_p, args.repeat_penalty, args.seed);
    let mut opts = GenerateOptions { max_new_tokens: args.max_tokens, sampler, top_logits: args.top_logits };
    let stream = !args.json;
    let mut out = std::io::stdout();
    let start = Instant::now();
    let g = generate_on(&model.tokenizer, forward, &prompt_ids, &mut opts, &mut |_, piece| {
        if stream {
            let _ = out.write_all(piece.as_bytes());
            let _ = out.flush();
        }
        true
    })?;
    let secs = start.elapsed().as_secs_f64();
    if args.json {
        let top: Vec<_> = g
            .prompt_top_logits
            .iter()
            .map(|&(id, logit)| json!({"id": id, "logit": logit, "piece": model.tokenizer.decode(&[id]).unwrap_or_default()}))
            .collect();
        let mut v = json!({
            "prompt_ids": prompt_ids,
            "generated_ids": g.ids,
            "text": g.text,
            "stop": g.stop.as_str(),
            "seconds": secs,
        });
        if args.top_logits > 0 {
            v["top_logits"] = json!(top);
        }
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        println!();
    }
    Ok(())
}

/// Peak resident memory of a process in KiB (VmHWM), from /proc.
fn peak_rss_kib(pid: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Deterministic prompt tokens (ordinary vocabulary ids) for prefill timing.
fn bench_tokens(n: usize) -> Vec<u32> {
    (0..n).map(|i| 300 + ((i as u32).wrapping_mul(2_654_435_761) % 40_000)).collect()
}

pub fn bench_model(args: &BenchModelArgs) -> Result<()> {
    let path = model_path(&args.model);
    let model = Llama::open(&path, args.threads)?;
    let reps = args.reps.max(1);
    if let Some(gpu) = pick_backend(args.backend)? {
        return bench_gpu(args, &path, &model, gpu);
    }
    let mut sizes = args.sizes.clone().unwrap_or_else(|| vec![512, 2048]);
    if args.long && !sizes.contains(&8192) {
        sizes.push(8192);
    }
    let mut prefill = serde_json::Map::new();
    for &n in &sizes {
        let tokens = bench_tokens(n);
        let mut session = model.session(n);
        let mut runs = Vec::new();
        for _ in 0..reps {
            session.clear();
            let t = Instant::now();
            model.forward(&mut session, &tokens)?;
            runs.push(n as f64 / t.elapsed().as_secs_f64());
        }
        eprintln!("prefill {n}: {runs:.1?} tok/s");
        prefill.insert(format!("pp{n}"), json!(median(runs)));
    }
    let mut session = model.session(129);
    let mut runs = Vec::new();
    for _ in 0..reps {
        session.clear();
        let mut next = 1u32;
        let t = Instant::now();
        for _ in 0..128 {
            let logits = model.forward(&mut session, &[next])?;
            next = tome::model::sample::top_k(logits, 1).first().map_or(1, |x| x.0);
        }
        runs.push(128.0 / t.elapsed().as_secs_f64());
    }
    eprintln!("decode 128: {runs:.1?} tok/s");
    let decode = median(runs);
    let rss = peak_rss_kib("self").unwrap_or(0);
    let mut v = json!({
        "model": path.display().to_string(),
        "threads": model.threads(),
        "kernels": model.isa.name(),
        "tome": {"prefill_tok_s": prefill, "tg128_tok_s": decode, "peak_rss_mib": rss as f64 / 1024.0},
    });
    if let Some(lb) = &args.llama_bench {
        let p: Vec<String> = sizes.iter().map(|n| n.to_string()).collect();
        let mut child = std::process::Command::new(lb)
            .args(["-m", &path.display().to_string(), "-t", &args.threads.to_string(), "-p", &p.join(",")])
            .args(["-n", "128", "-r", &reps.to_string(), "-o", "json"])
            // Repacking selects ggml's AMX kernels on CPUs that report AMX, and those crash in
            // this VM (SIGSEGV in ggml_backend_amx_mul_mat); the plain kernels are llama.cpp's usual path.
            .args(["--repack", "0"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| Error::io(format!("cannot run {}", lb.display()), e))?;
        let pid = child.id().to_string();
        let mut hwm = 0;
        let mut stdout = child.stdout.take();
        let reader = std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(o) = stdout.as_mut() {
                let _ = std::io::Read::read_to_string(o, &mut s);
            }
            s
        });
        loop {
            if let Some(k) = peak_rss_kib(&pid) {
                hwm = hwm.max(k);
            }
            match child.try_wait() {
                Ok(Some(_)) | Err(_) => break,
                Ok(None) => std::thread::sleep(std::time::Duration::from_millis(20)),
            }
        }
        let out = reader.join().unwrap_or_default();
        let rows: serde_json::Value = serde_json::from_str(&out).unwrap_or(json!([]));
        let mut lp = serde_json::Map::new();
        let mut ltg = 0.0;
        for r in rows.as_array().into_iter().flatten() {
            let (np, ng, ts) = (
                r["n_prompt"].as_u64().unwrap_or(0),
                r["n_gen"].as_u64().unwrap_or(0),
                r["avg_ts"].as_f64().unwrap_or(0.0),
            );
            if ng == 0 {
                lp.insert(format!("pp{np}"), json!(ts));
            } else {
                ltg = ts;
            }
        }
        let ratios: serde_json::Map<String, serde_json::Value> = prefill
            .iter()
            .filter_map(|(k, t)| Some((k.clone(), json!(t.as_f64()? / lp.get(k)?.as_f64()?))))
            .collect();
        v["llama_cpp"] =
            json!({"prefill_tok_s": lp, "tg128_tok_s": ltg, "peak_rss_mib": hwm as f64 / 1024.0});
        v["ratio"] = json!({
            "prefill": ratios,
            "tg128": if ltg > 0.0 { decode / ltg } else { 0.0 },
            "peak_rss": if hwm > 0 { rss as f64 / hwm as f64 } else { 0.0 },
        });
    }
    println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    Ok(())
}

/// `tome bench model --backend gpu`: the adapter, dense prefill at each size, greedy decode with the
/// top-1 picked on the GPU, and the bytes of every GPU buffer.
fn bench_gpu(args: &BenchModelArgs, path: &Path, model: &Llama, gpu: Gpu) -> Result<()> {
    let reps = args.reps.max(1);
    let sizes = args.sizes.clone().unwrap_or_else(|| vec![512, 2048, 8192]);
    let decode_len = 128;
    let n_ctx = sizes.iter().copied().max().unwrap_or(0).max(decode_len + 1).min(model.cfg.n_ctx_train);
    let info = gpu.info.clone();
    let t = Instant::now();
    let mut m = GpuLlama::new(gpu, model, n_ctx)?;
    let load_s = t.elapsed().as_secs_f64();
    // Dense, then block-sparse attention (the default setting) at the same sizes, in one session.
    let sparse_cfg = tome::model::sparse::SparseConfig::default();
    let mut prefill = [serde_json::Map::new(), serde_json::Map::new()];
    for (mode, out) in prefill.iter_mut().enumerate() {
        m.set_sparse((mode == 1).then_some(sparse_cfg))?;
        let name = ["dense", "block-sparse"][mode];
        for &n in &sizes {
            if n > m.n_ctx() {
                eprintln!("prefill {n}: skipped (the model's context is {})", m.n_ctx());
                continue;
            }
            let tokens = bench_tokens(n);
            let mut runs = Vec::new();
            for _ in 0..reps {
                m.clear();
                let t = Instant::now();
                block_on(m.forward(&tokens))?;
                runs.push(n as f64 / t.elapsed().as_secs_f64());
            }
            eprintln!("gpu prefill {n} ({name}): {runs:.1?} tok/s");
            out.insert(format!("pp{n}"), json!(median(runs)));
        }
    }
    // The block-sparse buffers (key-block summaries, selections) on top of the dense model's.
    let sparse_bytes = m.memory_bytes();
    m.set_sparse(None)?;
    let sparse_bytes = sparse_bytes.saturating_sub(m.memory_bytes());
    let [dense, sparse] = prefill;
    // Time ratio sparse / dense at each size (tok/s dense over tok/s sparse).
    let ratio: serde_json::Map<String, serde_json::Value> = dense
        .iter()
        .filter_map(|(k, d)| Some((k.clone(), json!(d.as_f64()? / sparse.get(k)?.as_f64()?))))
        .collect();
    let mut runs = Vec::new();
    for _ in 0..reps {
        m.clear();
        let mut next = 1u32;
        let t = Instant::now();
        for _ in 0..decode_len {
            next = block_on(m.forward_top_k(&[next], 1))?.first().map_or(1, |x| x.0);
        }
        runs.push(decode_len as f64 / t.elapsed().as_secs_f64());
    }
    eprintln!("gpu decode {decode_len}: {runs:.1?} tok/s");
    let v = json!({
        "model": path.display().to_string(),
        "backend": "gpu",
        "adapter": info,
        "tome_gpu": {
            "load_s": load_s,
            "n_ctx": m.n_ctx(),
            "prefill_tok_s": {
                "dense": dense,
                "block_sparse": sparse,
            },
            "block_sparse_config": sparse_cfg,
            "prefill_time_ratio_sparse_over_dense": ratio,
            format!("tg{decode_len}_tok_s"): median(runs),
            "gpu_memory_bytes": {
                "total": m.memory_bytes(),
                "weights": m.weight_bytes(),
                "kv_cache": m.kv_bytes(),
                "block_sparse_extra": sparse_bytes,
            },
        },
    });
    println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    Ok(())
}
