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
    let cfg =
        SparseConfig { window_blocks: 4, top_k_blocks: 4, dense_below_tokens: 0, ..SparseConfig::default() };
    let (sparse, skipped) = logits(&m, &tokens, Some(cfg));
    assert!(skipped > 0.3, "skipped {skipped}");
    let d = kl(&dense, &sparse);
    assert!(d < 0.1, "KL(dense || sparse) = {d}");
    eprintln!("skipped {skipped:.3}, KL {d:.4}");
    // The dense model's next token stays among the sparse model's five best.
    let best = (0..dense.len()).max_by(|&a, &b| dense[a].total_cmp(&dense[b])).unwrap_or(0);
    assert!(sparse.iter().filter(|&&x| x > sparse[best]).count() < 5);
}
