//! `tome bench sparse`: block-sparse against dense attention on long prompts of real text (JSON out).
//!
//! In: the evaluation folder (novels for long prompts, qa.jsonl for needle passages and questions) and one
//! or more sparse settings. Out, per setting and prompt length: next-token KL(dense || sparse) averaged
//! over the last positions and at the last one, top-1 agreement, evidence recall on needle prompts (share
//! of the needle's key blocks that the question's query blocks keep, over layers and KV heads), the share
//! of causal block pairs skipped, and the prefill time ratio sparse / dense on the CPU.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use serde_json::{Value, json};
use tome::model::Llama;
use tome::model::sparse::{BlockScore, Budget, SparseConfig};
use tome::{Error, Result};

#[derive(Args)]
pub struct BenchSparseArgs {
    /// The evaluation folder (docs/novels, qa.jsonl).
    #[arg(long, default_value = "../shared/eval")]
    pub eval: PathBuf,
    /// Prompt lengths in tokens.
    #[arg(long, value_delimiter = ',', default_value = "4096,8192")]
    pub tokens: Vec<usize>,
    /// Novel prompts per length (KL, agreement, time).
    #[arg(long, default_value_t = 2)]
    pub prompts: usize,
    /// Needle prompts per length (evidence recall, KL at the question).
    #[arg(long, default_value_t = 3)]
    pub needles: usize,
    /// Positions at the end of each novel prompt whose next-token distributions are compared.
    #[arg(long, default_value_t = 128)]
    pub last: usize,
    /// Settings to compare (lists run every combination); unset ones take the defaults.
    #[arg(long, value_delimiter = ',')]
    pub window: Vec<usize>,
    #[arg(long, value_delimiter = ',')]
    pub top_k: Vec<usize>,
    /// Block score: mean (mean-pooled keys) or minmax (Quest's per-channel bound).
    #[arg(long, value_delimiter = ',')]
    pub score: Vec<ScoreArg>,
    #[arg(long, value_delimiter = ',')]
    pub dense_layers: Vec<usize>,
    /// Attention-mass shares tau for the mass budget (0: the fixed top-k rule); `--top-k` is then the
    /// most middle blocks kept. Unset: the default budget.
    #[arg(long, value_delimiter = ',')]
    pub tau: Vec<f32>,
    /// Tokens at each forward's end whose query blocks keep every block (0: none). Unset: the default.
    #[arg(long, value_delimiter = ',')]
    pub dense_tail: Vec<usize>,
    #[arg(long)]
    pub block: Option<usize>,
    #[arg(long)]
    pub sink: Option<usize>,
    #[arg(long)]
    pub dense_below: Option<usize>,
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Instead of the model on the CPU: time one layer's prefill attention with the GPU kernels, the
    /// setting against the same kernels keeping every block (dense), on SmolLM2's shapes.
    #[arg(long)]
    pub gpu: bool,
    #[arg(long)]
    pub model: Option<PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ScoreArg {
    Mean,
    Minmax,
}

fn configs(a: &BenchSparseArgs) -> Vec<SparseConfig> {
    let d = SparseConfig::default();
    let or = |v: &Vec<usize>, x: usize| if v.is_empty() { vec![x] } else { v.clone() };
    let scores: Vec<BlockScore> = if a.score.is_empty() {
        vec![d.score]
    } else {
        a.score
            .iter()
            .map(|s| match s {
                ScoreArg::Mean => BlockScore::MeanPool,
                ScoreArg::Minmax => BlockScore::MinMax,
            })
            .collect()
    };
    let budgets: Vec<Budget> = if a.tau.is_empty() {
        vec![d.budget]
    } else {
        a.tau.iter().map(|&tau| if tau > 0.0 { Budget::Mass { tau } } else { Budget::TopK }).collect()
    };
    let tails = or(&a.dense_tail, d.dense_tail_tokens);
    let mut out = Vec::new();
    for &score in &scores {
        for &dense_layers in &or(&a.dense_layers, d.dense_layers) {
            for &window_blocks in &or(&a.window, d.window_blocks) {
                for &top_k_blocks in &or(&a.top_k, d.top_k_blocks) {
                    for (&budget, &dense_tail_tokens) in
                        budgets.iter().flat_map(|b| tails.iter().map(move |t| (b, t)))
                    {
                        out.push(SparseConfig {
                            block: a.block.unwrap_or(d.block),
                            sink_blocks: a.sink.unwrap_or(d.sink_blocks),
                            window_blocks,
                            top_k_blocks,
                            dense_below_tokens: a.dense_below.unwrap_or(d.dense_below_tokens),
                            dense_layers,
                            score,
                            budget,
                            dense_tail_tokens,
                        });
                    }
                }
            }
        }
    }
    out
}

pub fn log_softmax(x: &[f32]) -> Vec<f32> {
    let m = x.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b)) as f64;
    let z = (x.iter().map(|&v| (v as f64 - m).exp()).sum::<f64>().ln() + m) as f32;
    x.iter().map(|&v| v - z).collect()
}

pub fn kl(p: &[f32], q: &[f32]) -> f64 {
    p.iter().zip(q).map(|(&a, &b)| (a as f64).exp() * (a - b) as f64).sum()
}

fn argmax(x: &[f32]) -> usize {
    (0..x.len()).max_by(|&a, &b| x[a].total_cmp(&x[b])).unwrap_or(0)
}

/// One prefill: (seconds, log-probabilities at the last `last` positions, last first, skipped share).
fn prefill(
    m: &Llama,
    s: &mut tome::model::Session,
    parts: &[&[u32]],
    cfg: Option<SparseConfig>,
    last: usize,
    trace: bool,
) -> Result<(f64, Vec<Vec<f32>>, f64)> {
    s.clear();
    m.set_sparse(s, cfg);
    let t = Instant::now();
    for (i, p) in parts.iter().enumerate() {
        if trace
            && i + 1 == parts.len()
            && let Some(sp) = s.sparse.as_mut()
        {
            sp.trace = Some(Vec::new());
        }
        m.forward(s, p)?;
    }
    let secs = t.elapsed().as_secs_f64();
    let skipped = s.sparse.as_ref().map_or(0.0, |sp| sp.skipped());
    let mut lp = Vec::new();
    for back in 0..last {
        match m.logits_back(s, back) {
            Some(l) => lp.push(log_softmax(l)),
            None => break,
        }
    }
    Ok((secs, lp, skipped))
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::io(format!("cannot read {}", path.display()), e))
}

/// `n` tokens of a novel starting at the first paragraph after `frac` of its text.
fn novel_tokens(m: &Llama, text: &str, frac: f64, n: usize) -> Result<Vec<u32>> {
    let mut at = ((text.len() as f64 * frac) as usize).min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    let start = text[at..].find("\n\n").map_or(at, |i| at + i + 2);
    let mut bytes = n * 6;
    loop {
        let mut end = (start + bytes).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let ids = m.tokenizer.encode(text[start..end].trim_start())?;
        if ids.len() >= n || end == text.len() {
            return Ok(ids[..n.min(ids.len())].to_vec());
        }
        bytes *= 2;
    }
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 }
}

/// Per setting: sums over prompts of one length.
#[derive(Default)]
struct Tally {
    kl_mean: Vec<f64>,
    kl_last: Vec<f64>,
    /// Over the last 64 positions (the measure, whatever `--last` is).
    kl_64: Vec<f64>,
    /// Over the measured positions before the dense tail: what the block selection alone gives.
    kl_before_tail: Vec<f64>,
    top1: Vec<f64>,
    skipped: Vec<f64>,
    dense_s: f64,
    sparse_s: f64,
    recall: Vec<f64>,
    chance: Vec<f64>,
    needle_kl: Vec<f64>,
    needle_top1: Vec<f64>,
    /// (depth, recall, KL at the question) per needle prompt
    by_depth: Vec<(f64, f64, f64)>,
}

/// Mean KL over the measured positions (last first) before the last `tail` ones; None when none is.
fn kl_before(dense: &[Vec<f32>], sparse: &[Vec<f32>], tail: usize) -> Option<f64> {
    let kls: Vec<f64> = dense.iter().zip(sparse).skip(tail).map(|(p, q)| kl(p, q)).collect();
    (!kls.is_empty()).then(|| mean(&kls))
}

fn compare(dense: &[Vec<f32>], sparse: &[Vec<f32>]) -> (f64, f64, f64) {
    let kls: Vec<f64> = dense.iter().zip(sparse).map(|(p, q)| kl(p, q)).collect();
    let agree: Vec<f64> =
        dense.iter().zip(sparse).map(|(p, q)| (argmax(p) == argmax(q)) as u8 as f64).collect();
    (mean(&kls), kls.first().copied().unwrap_or(0.0), mean(&agree))
}

pub fn bench_sparse(args: &BenchSparseArgs) -> Result<()> {
    if args.gpu {
        return bench_sparse_gpu(args);
    }
    let model = Llama::open(&crate::model_cmds::model_path(&args.model), args.threads)?;
    let cfgs = configs(args);
    let novels_dir = args.eval.join("docs/novels");
    let mut novels: Vec<PathBuf> = std::fs::read_dir(&novels_dir)
        .map_err(|e| Error::io(format!("cannot list {}", novels_dir.display()), e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    novels.sort();
    if novels.is_empty() {
        let none = std::io::Error::new(std::io::ErrorKind::NotFound, "no .txt files");
        return Err(Error::io(format!("no novels to build prompts from in {}", novels_dir.display()), none));
    }
    let texts: Vec<String> = novels.iter().map(|p| read(p)).collect::<Result<_>>()?;
    let items: Vec<_> = tome::eval::qa::load(&args.eval.join("qa.jsonl"), None)?
        .into_iter()
        .filter(|q| q.answerable)
        .collect();
    let empty = model.tokenizer.encode("")?.len();
    let mut tallies: Vec<Vec<Tally>> = Vec::new();
    for &n in &args.tokens {
        let mut t: Vec<Tally> = cfgs.iter().map(|_| Tally::default()).collect();
        let mut s = model.session(n);
        for i in 0..args.prompts {
            let text = &texts[i % texts.len()];
            let tokens = novel_tokens(&model, text, 0.15 + 0.6 * i as f64 / args.prompts.max(1) as f64, n)?;
            let (dense_s, dense, _) = prefill(&model, &mut s, &[&tokens], None, args.last, false)?;
            for (cfg, tal) in cfgs.iter().zip(&mut t) {
                let (secs, sparse, skipped) =
                    prefill(&model, &mut s, &[&tokens], Some(*cfg), args.last, false)?;
                let (km, kl_last, top1) = compare(&dense, &sparse);
                let kb = kl_before(&dense, &sparse, cfg.dense_tail_tokens);
                tal.kl_64.push(compare(&dense[..dense.len().min(64)], &sparse[..sparse.len().min(64)]).0);
                eprintln!(
                    "{n} tokens, novel {i}: k={} w={} dl={} tail={} {:?} {:?}: KL {km:.4} (last {kl_last:.4}, before the tail {:.4}), top-1 {top1:.3}, skipped {skipped:.3}, {secs:.1}s vs dense {dense_s:.1}s",
                    cfg.top_k_blocks,
                    cfg.window_blocks,
                    cfg.dense_layers,
                    cfg.dense_tail_tokens,
                    cfg.score,
                    cfg.budget,
                    kb.unwrap_or(f64::NAN)
                );
                if let Some(kb) = kb {
                    tal.kl_before_tail.push(kb);
                }
                tal.kl_mean.push(km);
                tal.kl_last.push(kl_last);
                tal.top1.push(top1);
                tal.skipped.push(skipped);
                tal.dense_s += dense_s;
                tal.sparse_s += secs;
            }
        }
        for j in 0..args.needles.min(items.len()) {
            let item = &items[j * items.len() / args.needles.min(items.len())];
            let doc = read(&args.eval.join(&item.doc))?;
            let evidence: String =
                doc.chars().skip(item.evidence.start).take(item.evidence.end - item.evidence.start).collect();
            let strip = |ids: Vec<u32>| ids[empty.min(ids.len())..].to_vec();
            let needle = strip(model.tokenizer.encode(&format!("\n\n{}\n\n", evidence.trim()))?);
            let question =
                strip(model.tokenizer.encode(&format!("\n\nQuestion: {}\nAnswer:", item.question))?);
            let room = n.saturating_sub(needle.len() + question.len());
            let filler = novel_tokens(&model, &texts[(j + 1) % texts.len()], 0.3, room)?;
            let depth = 0.1 + 0.8 * j as f64 / (args.needles.max(2) - 1) as f64;
            let a = (filler.len() as f64 * depth) as usize;
            let mut tokens = filler[..a].to_vec();
            tokens.extend(&needle);
            tokens.extend(&filler[a..]);
            let q_start = tokens.len();
            tokens.extend(&question);
            let (n0, n1) = (a, a + needle.len());
            // The question goes in its own forward starting at a block boundary, so one chunk holds
            // all its query blocks and the trace keeps their selections.
            let block = cfgs.first().map_or(64, |c| c.block);
            let split = q_start / block * block;
            let parts: [&[u32]; 2] = [&tokens[..split], &tokens[split..]];
            let (_, dense, _) = prefill(&model, &mut s, &parts, None, 1, false)?;
            for (cfg, tal) in cfgs.iter().zip(&mut t) {
                let (_, sparse, _) = prefill(&model, &mut s, &parts, Some(*cfg), 1, true)?;
                let (kld, _, top1) = compare(&dense, &sparse);
                let (recall, chance) = evidence_recall(&model, &s, cfg, n0, n1, q_start, tokens.len());
                eprintln!(
                    "{n} tokens, needle {j} at {depth:.2}: k={} w={} tail={} {:?} {:?}: recall {recall:.3} (chance {chance:.3}), KL {kld:.4}, top-1 {top1}",
                    cfg.top_k_blocks, cfg.window_blocks, cfg.dense_tail_tokens, cfg.score, cfg.budget
                );
                tal.by_depth.push((depth, recall, kld));
                tal.recall.push(recall);
                tal.chance.push(chance);
                tal.needle_kl.push(kld);
                tal.needle_top1.push(top1);
            }
        }
        tallies.push(t);
    }
    let results: Vec<Value> = cfgs
        .iter()
        .enumerate()
        .map(|(c, cfg)| {
            let per: serde_json::Map<String, Value> = args
                .tokens
                .iter()
                .zip(&tallies)
                .map(|(n, t)| {
                    let t = &t[c];
                    (
                        n.to_string(),
                        json!({
                            "kl_mean_last_positions": mean(&t.kl_mean),
                            "kl_last": mean(&t.kl_last),
                            "kl_mean_last_64": mean(&t.kl_64),
                            "kl_mean_before_tail": (!t.kl_before_tail.is_empty()).then(|| mean(&t.kl_before_tail)),
                            "top1_agreement": mean(&t.top1),
                            "skipped": mean(&t.skipped),
                            "time_ratio_sparse_dense": if t.dense_s > 0.0 { t.sparse_s / t.dense_s } else { 0.0 },
                            "dense_prefill_s": t.dense_s,
                            "sparse_prefill_s": t.sparse_s,
                            "evidence_recall": mean(&t.recall),
                            "evidence_recall_by_chance": mean(&t.chance),
                            "needle_kl": mean(&t.needle_kl),
                            "needle_top1_agreement": mean(&t.needle_top1),
                            "needles_by_depth": t.by_depth.iter().map(|&(d, r, k)| json!({"depth": d, "evidence_recall": r, "kl": k})).collect::<Vec<_>>(),
                        }),
                    )
                })
                .collect();
            json!({"config": cfg, "by_tokens": per})
        })
        .collect();
    let v = json!({
        "threads": model.threads(),
        "kernels": model.isa.name(),
        "novel_prompts": args.prompts,
        "needle_prompts": args.needles,
        "last_positions": args.last,
        "results": results,
    });
    println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    Ok(())
}

/// Share of the needle's key blocks [n0, n1) kept by the question's query blocks [q0, end), over every
/// layer and KV head (from the last forward's trace); and what keeping as many of the middle blocks
/// (neither sink nor window) at random would give.
fn evidence_recall(
    m: &Llama,
    s: &tome::model::Session,
    cfg: &SparseConfig,
    n0: usize,
    n1: usize,
    q0: usize,
    end: usize,
) -> (f64, f64) {
    let Some(trace) = s.sparse.as_ref().and_then(|sp| sp.trace.as_ref()) else { return (0.0, 0.0) };
    let b = cfg.block;
    let needle: Vec<u32> = (n0 / b..=(n1 - 1) / b).map(|x| x as u32).collect();
    let n_kv = m.cfg.n_kv_head;
    let (mut kept, mut total, mut chance) = (0usize, 0usize, Vec::new());
    for sel in trace {
        for qb in q0 / b..=(end - 1) / b {
            if qb < sel.qb0 || qb >= sel.qb0 + sel.n_qb {
                continue;
            }
            let forced = (cfg.sink_blocks + cfg.window_blocks).min(qb + 1);
            let middle = qb + 1 - forced;
            for g in 0..n_kv {
                let blocks = sel.of(qb, g, n_kv);
                kept += needle.iter().filter(|x| blocks.contains(x)).count();
                total += needle.len();
                let kept_middle = blocks.len().saturating_sub(forced);
                chance.push(if middle == 0 { 1.0 } else { kept_middle as f64 / middle as f64 });
            }
        }
    }
    (if total == 0 { 0.0 } else { kept as f64 / total as f64 }, mean(&chance))
}

/// The GPU bench times the chunks holding the last this many prompt tokens (the long-context part;
/// software adapters take minutes for a whole 8K prefill).
const GPU_TIMED: usize = 1024;

/// GPU prefill attention of one layer, chunk by chunk (512 tokens), sparse vs every block kept; random
/// activations (the work done depends only on how many blocks are kept).
fn bench_sparse_gpu(args: &BenchSparseArgs) -> Result<()> {
    use tome::gpu::block_sparse::{BlockSparse, SparseParams};
    use tome::gpu::buffers::{Staging, storage, storage_init, uniform, words_bytes, write};
    use tome::gpu::{Gpu, Step, block_on, kernel::submit};

    let gpu = block_on(Gpu::new())?;
    let (n_head, n_kv_head, hd, chunk) = (9usize, 3usize, 64usize, 512usize);
    let kernels = BlockSparse::new(&gpu, tome::cpu::sparse::Heads { n_head, n_kv_head, hd });
    let (width, kv_dim) = (n_head * hd, n_kv_head * hd);
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut rnd = |n: usize| -> Vec<f32> {
        (0..n)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
            })
            .collect()
    };
    let mut results = Vec::new();
    for &n in &args.tokens {
        let f16s = |x: Vec<f32>| -> Vec<u8> {
            x.iter().flat_map(|&v| tome::cpu::f16::f32_to_f16(v).to_le_bytes()).collect()
        };
        let k = storage_init(&gpu, "k", &f16s(rnd(n * kv_dim)))?;
        let v = storage_init(&gpu, "v", &f16s(rnd(n * kv_dim)))?;
        let q = storage_init(&gpu, "q", &tome::gpu::buffers::f32_bytes(&rnd(chunk * width)))?;
        let out = storage(&gpu, "out", (chunk * width * 4) as u64)?;
        let step_b = uniform(&gpu, "step", &[0; 4]);
        let staging = Staging::new(&gpu, 4);
        let time = |cfg: &SparseConfig, all: bool| -> Result<f64> {
            let keep = if all {
                tome::cpu::sparse::Keep {
                    sink: 0,
                    window: 1,
                    top_k: n.div_ceil(cfg.block),
                    budget: Budget::TopK,
                    tail: 0,
                    dense_from: usize::MAX,
                }
            } else {
                cfg.keep()
            };
            let rule = tome::cpu::sparse::Rule { keep, ..cfg.rule() };
            let heads = tome::cpu::sparse::Heads { n_head, n_kv_head, hd };
            let none = || {
                tome::gpu::GpuError::Internal(format!(
                    "{n} tokens in blocks of {} is outside the sparse kernels' range",
                    cfg.block
                ))
            };
            let p = SparseParams::new(&rule, heads, n).ok_or_else(none)?;
            let n_qb = chunk.div_ceil(cfg.block) + 1;
            let params = uniform(&gpu, "params", &p.words());
            let pooled = storage(&gpu, "pooled", (3 * p.n_kb_cap as usize * kv_dim * 4) as u64)?;
            let sel = storage(&gpu, "sel", (n_qb * n_kv_head * p.s_max as usize * 4) as u64)?;
            let sel_len = storage(&gpu, "sel_len", (n_qb * n_kv_head * 4) as u64)?;
            let binds = kernels.bind(&gpu, &step_b, &params, &q, &k, &v, &pooled, &sel, &sel_len, &out);
            let mut secs = 0.0;
            for pos0 in (0..n).step_by(chunk) {
                let t = Instant::now();
                let step = Step { n_tokens: chunk.min(n - pos0) as u32, pos0: pos0 as u32 };
                let p = p.pooling_from(pos0 as u32, &step).for_forward(&keep.ending_at(n, cfg.block));
                write(&gpu, &step_b, 0, &words_bytes(&step.words()));
                write(&gpu, &params, 0, &words_bytes(&p.words()));
                if all {
                    // Dense: every causal block, written by the host, so no selection is timed.
                    let (s_max, qb0) = (p.s_max as usize, pos0 / cfg.block);
                    let n_qb = p.query_blocks(&step) as usize;
                    let mut blocks = vec![0u32; n_qb * n_kv_head * s_max];
                    let mut lens = vec![0u32; n_qb * n_kv_head];
                    for item in 0..n_qb * n_kv_head {
                        let qb = qb0 + item / n_kv_head;
                        lens[item] = qb as u32 + 1;
                        for b in 0..=qb {
                            blocks[item * s_max + b] = b as u32;
                        }
                    }
                    write(&gpu, &sel, 0, &words_bytes(&blocks));
                    write(&gpu, &sel_len, 0, &words_bytes(&lens));
                    submit(&gpu, "dense", |pass| kernels.encode_attention(pass, &binds, &p, &step));
                } else {
                    submit(&gpu, "sparse", |pass| kernels.encode(pass, &binds, &p, &step));
                }
                // Wait for each chunk, as a prefill whose next layer needs this one's output would.
                block_on(staging.read(&gpu, &out, 0, 4))?;
                if pos0 + GPU_TIMED >= n {
                    secs += t.elapsed().as_secs_f64();
                }
            }
            Ok(secs)
        };
        // The dense attention kernel of the model's dense prefill (query-tiled), on the same cache.
        let dense_kernel = {
            use tome::gpu::attention::{Attention, AttnShape};
            let attn = Attention::new(&gpu, AttnShape { n_head, n_kv_head, head_dim: hd })?;
            let bind = attn.bind(&gpu, &q, &k, &v, &out, &step_b, chunk)?;
            let mut secs = 0.0;
            for pos0 in (0..n).step_by(chunk) {
                let t = Instant::now();
                let step = Step { n_tokens: chunk.min(n - pos0) as u32, pos0: pos0 as u32 };
                write(&gpu, &step_b, 0, &words_bytes(&step.words()));
                submit(&gpu, "dense kernel", |pass| attn.encode(pass, &bind, step.n_tokens));
                block_on(staging.read(&gpu, &out, 0, 4))?;
                if pos0 + GPU_TIMED >= n {
                    secs += t.elapsed().as_secs_f64();
                }
            }
            secs
        };
        for cfg in configs(args) {
            let dense = time(&cfg, true)?;
            let sparse = time(&cfg, false)?;
            eprintln!(
                "GPU {n} tokens, k={} w={} tail={}: sparse {sparse:.2}s, every block kept {dense:.2}s, dense kernel {dense_kernel:.2}s",
                cfg.top_k_blocks, cfg.window_blocks, cfg.dense_tail_tokens
            );
            results.push(json!({
                "tokens": n,
                "config": cfg,
                "dense_s": dense,
                "sparse_s": sparse,
                "dense_kernel_s": dense_kernel,
                "time_ratio_sparse_dense": sparse / dense,
                "time_ratio_sparse_dense_kernel": sparse / dense_kernel,
            }));
        }
    }
    let v = json!({"adapter": gpu.info, "what": format!("one layer's prefill attention, GPU kernels, time of the chunks (512 tokens) holding the last {GPU_TIMED} tokens: sparse, the sparse kernels keeping every block, and the dense (query-tiled) attention kernel"), "results": results});
    println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    Ok(())
}
