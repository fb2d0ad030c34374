//! Block-sparse attention in the whole GPU model (lavapipe in CI) against the CPU model's block-sparse
//! path (`Llama::set_sparse`, Precision::Exact) on a real-text prompt: same selection rule, so the same
//! logits; and a setting that keeps every block gives the dense logits. Needs the model
//! (scripts/fetch-model.sh) and a Vulkan driver.

mod common;
use common::{cosine, top};
use std::path::PathBuf;

use tome::gpu::llama::GpuLlama;
use tome::gpu::{Gpu, block_on};
use tome::model::sparse::{BlockScore, Budget, SparseConfig};
use tome::model::{Llama, Precision};

#[test]
fn gpu_block_sparse_prefill_matches_the_cpu_sparse_path_and_keeping_every_block_is_dense() {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/SmolLM2-135M-Instruct.Q4_1.gguf");
    assert!(p.exists(), "model missing at {}: run scripts/fetch-model.sh first", p.display());
    let mut m = Llama::open(&p, 2).expect("load model");
    m.precision = Precision::Exact;
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/eval/docs/novels");
    let mut files: Vec<PathBuf> = dir.read_dir().unwrap().filter_map(|e| Some(e.ok()?.path())).collect();
    files.sort();
    let text = std::fs::read_to_string(&files[0]).unwrap();
    let chars: String = text.chars().skip(20_000).take(4000).collect();
    let mut tokens = m.tokenizer.encode(&chars).unwrap();
    tokens.truncate(600);
    assert_eq!(tokens.len(), 600);

    // 600 tokens = 10 blocks of 64 (two chunks of 512 + 88 on both backends): query blocks 5..=8 keep
    // 1 sink + 2 window + 2 top-k of their 6..=9 causal blocks, the last one (the tail) all 10.
    let cfg = SparseConfig {
        block: 64,
        sink_blocks: 1,
        window_blocks: 2,
        top_k_blocks: 2,
        dense_below_tokens: 256,
        dense_layers: 0,
        score: BlockScore::MinMax,
        budget: Budget::TopK,
        // The last query block (the forward's last 16 tokens) keeps every block on both backends.
        dense_tail_tokens: 16,
    };
    let mut s = m.session(600);
    m.set_sparse(&mut s, Some(cfg));
    let cpu = m.forward(&mut s, &tokens).unwrap().to_vec();
    let skipped = s.sparse.as_ref().unwrap().skipped();

    let gpu = block_on(Gpu::new()).expect("a GPU adapter (apt-get install mesa-vulkan-drivers libvulkan1)");
    let mut gm = GpuLlama::new(gpu, &m, 600).expect("model on the GPU");
    let dense = block_on(gm.forward(&tokens)).unwrap();
    gm.clear();
    gm.set_sparse(Some(cfg)).unwrap();
    let sparse = block_on(gm.forward(&tokens)).unwrap();
    let cos = cosine(&sparse, &cpu);
    let vs_dense = cosine(&sparse, &dense);
    println!(
        "600-token prefill, block-sparse ({:.2} of block pairs skipped): GPU vs CPU cosine {cos:.8}, \
         top-5 {:?}; sparse vs dense on the GPU cosine {vs_dense:.6}",
        skipped,
        top(&sparse, 5)
    );
    assert!(skipped > 0.15, "the setting must skip blocks: skipped {skipped}");
    assert!(cos >= 0.9999, "GPU sparse vs CPU sparse cosine {cos}");
    assert_eq!(top(&sparse, 5), top(&cpu, 5));
    assert!(sparse != dense, "the sparse run must differ from the dense one (blocks were skipped)");

    // Top-k large enough for every earlier block: sparse attention sees every key, as dense does.
    gm.clear();
    gm.set_sparse(Some(SparseConfig { top_k_blocks: 16, ..cfg })).unwrap();
    let all = block_on(gm.forward(&tokens)).unwrap();
    let cos_all = cosine(&all, &dense);
    println!("every block kept: GPU sparse vs GPU dense cosine {cos_all:.8}");
    assert!(cos_all >= 0.99999, "cosine {cos_all}");
    assert_eq!(top(&all, 5), top(&dense, 5));
}
