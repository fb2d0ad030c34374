//! Block-sparse attention in the real model on real text (../shared/eval/docs/novels): with every block
//! kept it gives dense attention's logits; with the default settings it stays close to them.
//! Needs the model: scripts/fetch-model.sh.

use std::path::PathBuf;

use tome::model::Llama;
use tome::model::sparse::{BlockScore, SparseConfig};

fn model() -> Llama {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/SmolLM2-135M-Instruct.Q4_1.gguf");
    assert!(p.exists(), "model missing at {}: run scripts/fetch-model.sh first", p.display());
    Llama::open(&p, 2).expect("model loads")
}

fn novel_tokens(m: &Llama, n: usize) -> Vec<u32> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/eval/docs/novels/persuasion.txt");
    let text = std::fs::read_to_string(p).expect("novel");
    let start = text.len() / 3;
    let start = (start..text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    let ids = m.tokenizer.encode(&text[start..start + 8 * n]).expect("tokenize");
    ids[..n].to_vec()
}

fn logits(m: &Llama, tokens: &[u32], sparse: Option<SparseConfig>) -> (Vec<f32>, f64) {
    let mut s = m.session(tokens.len());
    m.set_sparse(&mut s, sparse);
    let out = m.forward(&mut s, tokens).expect("forward").to_vec();
    (out, s.sparse.as_ref().map_or(0.0, |sp| sp.skipped()))
}

fn kl(p_logits: &[f32], q_logits: &[f32]) -> f64 {
    let lsm = |x: &[f32]| {
        let m = x.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b)) as f64;
        let z = x.iter().map(|&v| (v as f64 - m).exp()).sum::<f64>().ln() + m;
        x.iter().map(|&v| v as f64 - z).collect::<Vec<f64>>()
    };
    let (p, q) = (lsm(p_logits), lsm(q_logits));
    p.iter().zip(&q).map(|(a, b)| a.exp() * (a - b)).sum()
}

#[test]
fn sparse_keeping_every_block_equals_dense() {
    let m = model();
    // Odd length: the last query block and the last chunk are partial.
    let tokens = novel_tokens(&m, 700);
    let (dense, _) = logits(&m, &tokens, None);
    for score in [BlockScore::MeanPool, BlockScore::MinMax] {
        let all = SparseConfig { top_k_blocks: 64, dense_below_tokens: 0, score, ..SparseConfig::default() };
        let (sparse, skipped) = logits(&m, &tokens, Some(all));
        assert_eq!(skipped, 0.0);
        let diff = dense.iter().zip(&sparse).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        assert!(diff < 1e-4, "{score:?}: max logit difference {diff}");
    }
}

#[test]
fn sparse_skips_work_and_stays_close_to_dense() {
    let m = model();
    let tokens = novel_tokens(&m, 1500);
    let (dense, _) = logits(&m, &tokens, None);
    // The selection alone, without a dense tail.
    let cfg = SparseConfig {
        window_blocks: 4,
        top_k_blocks: 4,
        dense_below_tokens: 0,
        dense_tail_tokens: 0,
        ..SparseConfig::default()
    };
    let (sparse, skipped) = logits(&m, &tokens, Some(cfg));
    assert!(skipped > 0.3, "skipped {skipped}");
    let d = kl(&dense, &sparse);
    assert!(d < 0.1, "KL(dense || sparse) = {d}");
    eprintln!("skipped {skipped:.3}, KL {d:.4}");
    // The dense model's next token stays among the sparse model's five best.
    let best = (0..dense.len()).max_by(|&a, &b| dense[a].total_cmp(&dense[b])).unwrap_or(0);
    assert!(sparse.iter().filter(|&&x| x > sparse[best]).count() < 5);
}

/// Layer `l`'s key-block summaries in the session equal those pooled afresh from its KV cache, for
/// every block the cache holds (none left at zero because a dense pass or decode steps wrote it).
fn assert_summaries_match_cache(m: &Llama, s: &tome::model::Session, cfg: &SparseConfig, what: &str) {
    let kv_dim = m.cfg.kv_dim();
    let len = s.kv.len;
    let n_kb = len.div_ceil(cfg.block);
    let sp = s.sparse.as_ref().expect("sparse state");
    for l in cfg.dense_layers..m.cfg.n_layer {
        assert_eq!(sp.pooled_len(l), len, "{what}: layer {l} pooled");
        let k = &s.kv.k[s.kv.at(l, 0)..s.kv.at(l, len)];
        let (mut mean, mut min, mut max) =
            (vec![0.0; n_kb * kv_dim], vec![0.0; n_kb * kv_dim], vec![0.0; n_kb * kv_dim]);
        tome::cpu::sparse::pool_keys(k, kv_dim, len, cfg.block, 0..n_kb, &mut mean, &mut min, &mut max);
        let (gm, gmin, gmax) = sp.summaries(l);
        for (name, want, got) in [("mean", &mean, gm), ("min", &min, gmin), ("max", &max, gmax)] {
            for (i, (a, b)) in want.iter().zip(got).enumerate() {
                assert!(
                    (a - b).abs() <= 1e-6 * a.abs().max(1.0),
                    "{what}: layer {l} {name} of block {} [{}]: session {b} vs cache {a}",
                    i / kv_dim,
                    i % kv_dim
                );
            }
        }
    }
}

#[test]
fn summaries_cover_blocks_written_by_dense_prefill_decode_steps_and_later_turns() {
    let m = model();
    let tokens = novel_tokens(&m, 700);
    let cfg = SparseConfig {
        block: 32,
        window_blocks: 2,
        top_k_blocks: 2,
        dense_below_tokens: 300,
        dense_layers: 2,
        // Decode steps select from the summaries (a dense tail would keep every block for them).
        dense_tail_tokens: 0,
        ..SparseConfig::default()
    };
    let mut s = m.session(700);
    m.set_sparse(&mut s, Some(cfg));
    // A short prompt: dense, below the threshold (no sparse layer runs, nothing pooled yet).
    m.forward(&mut s, &tokens[..250]).expect("prompt");
    // Decode steps (teacher-forced) past the threshold: the first sparse step must select from the
    // summaries of the prompt's blocks, not from zeros.
    for t in 250..320 {
        m.forward(&mut s, &tokens[t..t + 1]).expect("decode step");
        if t + 1 > cfg.dense_below_tokens {
            assert_summaries_match_cache(&m, &s, &cfg, &format!("decode to {}", t + 1));
        }
    }
    // A second turn, as one chunk.
    m.forward(&mut s, &tokens[320..500]).expect("second turn");
    assert_summaries_match_cache(&m, &s, &cfg, "second turn");
    let incremental = s.logits().to_vec();

    // Rewind into the second turn and write other tokens there: the rewritten blocks are pooled again.
    s.kv.truncate(400);
    m.forward(&mut s, &tokens[550..650]).expect("rewritten turn");
    assert_summaries_match_cache(&m, &s, &cfg, "after a rewind");

    // The same history with a fresh sparse state before the second turn (pooled from the cache in one
    // go) gives the same logits: catching up block by block is the same as pooling everything.
    let mut r = m.session(700);
    m.set_sparse(&mut r, Some(cfg));
    m.forward(&mut r, &tokens[..250]).expect("prompt");
    for t in 250..320 {
        m.forward(&mut r, &tokens[t..t + 1]).expect("decode step");
    }
    m.set_sparse(&mut r, Some(cfg));
    m.forward(&mut r, &tokens[320..500]).expect("second turn");
    assert_eq!(r.logits(), &incremental[..]);
}

/// A question at the end of a long prompt whose evidence is far back: with a dense tail, the question's
/// query blocks keep every key block in every sparse layer and KV head (whatever the block scores say),
/// the blocks before it still skip most of theirs, and the next token after the question is closer to
/// dense attention's than with the selection alone.
#[test]
fn a_dense_tail_keeps_every_block_for_the_question_at_the_prompt_end() {
    let m = model();
    let filler = novel_tokens(&m, 1800);
    // An invented fact early in the prompt and a question about it at the end.
    let fact =
        m.tokenizer.encode("\n\nThe lighthouse keeper's parrot was called Marzipan.\n\n").expect("tokenize");
    let question = m
        .tokenizer
        .encode("\n\nQuestion: What was the lighthouse keeper's parrot called?\nAnswer:")
        .expect("tokenize");
    let mut tokens = filler[..200].to_vec();
    tokens.extend(&fact);
    tokens.extend(&filler[200..]);
    tokens.extend(&question);
    let (dense, _) = logits(&m, &tokens, None);
    let base =
        SparseConfig { window_blocks: 4, top_k_blocks: 4, dense_below_tokens: 0, ..SparseConfig::default() };
    let mut kls = Vec::new();
    for tail in [0, 64] {
        let cfg = SparseConfig { dense_tail_tokens: tail, ..base };
        let mut s = m.session(tokens.len());
        m.set_sparse(&mut s, Some(cfg));
        // The last chunk in its own forward, traced: its query blocks' selections are kept.
        let split = tokens.len() - 100;
        m.forward(&mut s, &tokens[..split]).expect("forward");
        if let Some(sp) = s.sparse.as_mut() {
            sp.trace = Some(Vec::new());
        }
        let sparse = m.forward(&mut s, &tokens[split..]).expect("forward").to_vec();
        let sp = s.sparse.as_ref().expect("sparse state");
        assert!(sp.skipped() > 0.3, "tail {tail}: skipped {}", sp.skipped());
        let trace = sp.trace.as_ref().expect("trace");
        let (block, n_kv) = (cfg.block, m.cfg.n_kv_head);
        let last_qb = (tokens.len() - 1) / block;
        for (l, sel) in trace.iter().enumerate().skip(cfg.dense_layers) {
            for g in 0..n_kv {
                let kept = sel.of(last_qb, g, n_kv).len();
                if tail > 0 {
                    assert_eq!(kept, last_qb + 1, "layer {l} head {g}: the tail block keeps every block");
                } else {
                    assert!(kept < last_qb + 1, "layer {l} head {g}: without a tail the last block selects");
                }
            }
        }
        kls.push(kl(&dense, &sparse));
    }
    eprintln!("KL at the question: selection alone {:.4}, dense tail {:.4}", kls[0], kls[1]);
    assert!(kls[1] < kls[0], "the dense tail brings the answer's first token closer to dense: {kls:?}");
}
