//! The model's answers do not depend on how many CPU threads run it: every thread count computes each
//! output row with the same kernel in the same order, so logits are bit-identical and greedy ids equal.
//! The browser's threaded build runs this same pool with Web Workers (tests/web/threads.test.js).
//! Needs the model: scripts/fetch-model.sh.

use std::path::PathBuf;

use tome::model::{Llama, Sampler};

fn model_path() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/SmolLM2-135M-Instruct.Q4_1.gguf");
    assert!(p.exists(), "model missing at {}: run scripts/fetch-model.sh first", p.display());
    p
}

/// The prompt's last logits and `n` greedy ids after it.
fn run(model: &Llama, prompt: &str, n: usize) -> (Vec<f32>, Vec<u32>) {
    let ids = model.tokenizer.encode(prompt).expect("tokenize");
    let mut session = model.session(ids.len() + n + 1);
    let mut logits = model.forward(&mut session, &ids).expect("prefill").to_vec();
    let first = logits.clone();
    let mut sampler = Sampler::greedy();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let next = sampler.sample(&logits, &out);
        out.push(next);
        logits.copy_from_slice(model.forward(&mut session, &[next]).expect("decode"));
    }
    (first, out)
}

#[test]
fn greedy_ids_and_logits_are_identical_on_one_two_and_three_threads() {
    // Long enough for the batched prefill tiles, odd-sized so the thread splits are uneven.
    let prompt = "The canal boats were painted in red and green, and every spring the lock keeper \
                  counted them as they passed under the old stone bridge near the mill, noting";
    let one = Llama::open(&model_path(), 1).expect("load model");
    assert_eq!(one.threads(), 1);
    let (logits1, ids1) = run(&one, prompt, 24);
    drop(one);
    for n in [2, 3] {
        let model = Llama::open(&model_path(), n).expect("load model");
        assert_eq!(model.threads(), n);
        let (logits, ids) = run(&model, prompt, 24);
        assert_eq!(ids, ids1, "greedy ids on {n} threads");
        let differ = logits.iter().zip(&logits1).filter(|(a, b)| a.to_bits() != b.to_bits()).count();
        assert_eq!(differ, 0, "prompt logits differ in {differ} places on {n} threads");
    }
}
