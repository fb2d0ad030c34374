//! The whole model on the GPU (lavapipe in CI) against the CPU reference path of the same precision
//! (Precision::Exact: f32 activations, dequantized weights, f16 KV) and llama.cpp's golden greedy
//! tokens (../shared/golden). Needs the model (scripts/fetch-model.sh) and a Vulkan driver.

mod common;
use common::{cosine, top};
use std::path::PathBuf;

use serde_json::Value;
use tome::gpu::llama::GpuLlama;
use tome::gpu::{Gpu, block_on};
use tome::model::{Llama, Precision};

fn model() -> Llama {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/SmolLM2-135M-Instruct.Q4_1.gguf");
    assert!(p.exists(), "model missing at {}: run scripts/fetch-model.sh first", p.display());
    let mut m = Llama::open(&p, 2).expect("load model");
    m.precision = Precision::Exact;
    m
}

fn golden() -> Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/golden/smollm2-135m-q4_1.tokenize-greedy.llama-cpp.json");
    serde_json::from_str(&std::fs::read_to_string(p).expect("golden file")).expect("golden json")
}

fn gpu_model(m: &Llama, n_ctx: usize) -> GpuLlama {
    let gpu = block_on(Gpu::new()).expect("a GPU adapter (apt-get install mesa-vulkan-drivers libvulkan1)");
    GpuLlama::new(gpu, m, n_ctx).expect("model on the GPU")
}

/// The text of the `i`-th novel of ../shared/eval/docs/novels by name (the last one past the end).
fn novel(i: usize) -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/eval/docs/novels");
    let mut files: Vec<PathBuf> = dir.read_dir().unwrap().filter_map(|e| Some(e.ok()?.path())).collect();
    files.sort();
    std::fs::read_to_string(&files[i.min(files.len() - 1)]).unwrap()
}

fn ids(v: &Value) -> Vec<u32> {
    v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as u32).collect()
}

#[test]
fn gpu_logits_match_the_cpu_exact_path_and_greedy_steps_match_llama_cpp() {
    let m = model();
    let g = golden();
    let prompt = ids(&g["greedy"]["prompt_ids"]);
    assert_eq!(m.tokenizer.encode("The quick brown fox").unwrap(), prompt);
    let mut s = m.session(64);
    let cpu = m.forward(&mut s, &prompt).unwrap().to_vec();

    let mut gm = gpu_model(&m, 64);
    let logits = block_on(gm.forward(&prompt)).unwrap();
    let cos = cosine(&logits, &cpu);
    let max_abs = logits.iter().zip(&cpu).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
    println!("GPU vs CPU exact: cosine {cos:.8}, max abs diff {max_abs:.5}, top-5 {:?}", top(&logits, 5));
    assert!(cos >= 0.9999, "cosine {cos}");
    assert_eq!(top(&logits, 5), top(&cpu, 5));

    // 24 greedy steps, one token at a time (the decode path), against llama.cpp's.
    let mut next = top(&logits, 1)[0];
    for (i, step) in g["greedy"]["steps"].as_array().unwrap().iter().enumerate() {
        assert_eq!(next, step["id"].as_u64().unwrap() as u32, "greedy step {i}");
        let best = block_on(gm.forward_top_k(&[next], 1)).unwrap();
        next = best[0].0;
    }
    assert_eq!(gm.len(), prompt.len() + 24);
}

/// A prompt longer than one chunk (prefill in two chunks, attention across them) gives the CPU's
/// logits, and clearing the session starts over cleanly.
#[test]
fn chunked_prefill_matches_the_cpu_and_clear_restarts() {
    let m = model();
    let text = novel(0);
    let chars: String = text.chars().skip(5000).take(3000).collect();
    let mut tokens = m.tokenizer.encode(&chars).unwrap();
    tokens.truncate(520);
    assert_eq!(tokens.len(), 520);
    let mut s = m.session(600);
    let cpu = m.forward(&mut s, &tokens).unwrap().to_vec();

    let mut gm = gpu_model(&m, 600);
    block_on(gm.forward(&tokens[..10])).unwrap();
    gm.clear();
    let logits = block_on(gm.forward(&tokens)).unwrap();
    let cos = cosine(&logits, &cpu);
    println!("520-token prefill (two chunks): GPU vs CPU exact cosine {cos:.8}");
    assert!(cos >= 0.9999, "cosine {cos}");
    assert_eq!(top(&logits, 5), top(&cpu, 5));
    assert!(block_on(gm.forward(&vec![1; 101])).is_err(), "past n_ctx is an error");
}

/// A cache built on the CPU (a document's assembled memory) and copied to the GPU: a reading after
/// it gives the CPU's logits, counts its positions from the prefix, and a reset goes back to the
/// prefix (so each of a book's questions reads after the same memory).
#[test]
fn a_reading_after_a_prefix_copied_from_the_cpu_matches_the_cpu() {
    use tome::gpu::llama::PrefixForward;
    use tome::model::Forward;
    use tome::model::memory::assemble::MemoryForward;
    let m = model();
    let memory =
        m.tokenizer.encode("The keeper of the mill wrote every barge's name in a green ledger.").unwrap();
    let question = m.tokenizer.encode(" Question: what colour was the ledger? Answer:").unwrap();
    let mut s = m.session(128);
    m.forward(&mut s, &memory).unwrap();
    let mut on_cpu = MemoryForward { model: &m, session: &mut s, prefix: memory.len() };
    let want = on_cpu.feed(&question).unwrap().to_vec();

    let mut gm = gpu_model(&m, 128);
    block_on(gm.forward(&question)).unwrap();
    gm.load_prefix(&s.kv, memory.len(), 7).unwrap();
    assert_eq!(gm.prefix(), Some((7, memory.len())));
    let mut on_gpu = PrefixForward { model: &mut gm, prefix: memory.len() };
    assert_eq!(on_gpu.len(), 0);
    assert_eq!(on_gpu.n_ctx(), 128 - memory.len());
    for round in 0..2 {
        let got = on_gpu.feed(&question).unwrap().to_vec();
        let cos = cosine(&got, &want);
        assert!(cos >= 0.9999, "round {round}: cosine {cos}");
        assert_eq!(top(&got, 5), top(&want, 5), "round {round}");
        assert_eq!(on_gpu.len(), question.len());
        on_gpu.reset();
        assert_eq!(on_gpu.len(), 0);
    }
    assert_eq!(gm.prefix(), Some((7, memory.len())), "a reset keeps the prefix");
}

/// A memory long enough for block-sparse attention (past its dense threshold), read on the GPU as
/// `tome ask FILE.tome --backend gpu` reads it: a reading's first tokens attend to the memory's
/// selected blocks, its last ones (the question) to all of it; the next token is the dense CPU's.
#[test]
fn a_long_memory_is_read_block_sparse_on_the_gpu_and_agrees_with_the_dense_cpu() {
    use tome::gpu::llama::PrefixForward;
    use tome::model::Forward;
    use tome::model::memory::assemble::MemoryForward;
    let m = model();
    let text = novel(usize::MAX);
    let chars: String = text.chars().skip(20_000).take(16_000).collect();
    let mut tokens = m.tokenizer.encode(&chars).unwrap();
    let reading = tokens.split_off(2600);
    let reading = &reading[..200];
    let n_ctx = 2600 + 256;
    let mut s = m.session(n_ctx);
    m.forward(&mut s, &tokens).unwrap();
    let want =
        MemoryForward { model: &m, session: &mut s, prefix: tokens.len() }.feed(reading).unwrap().to_vec();

    let mut gm = gpu_model(&m, n_ctx);
    gm.load_memory(&s.kv, tokens.len(), 1).unwrap();
    let sparse = gm.sparse().expect("a memory is read block-sparse");
    assert!(
        tokens.len() + reading.len() > sparse.dense_below_tokens && reading.len() > sparse.dense_tail_tokens
    );
    let got = PrefixForward { model: &mut gm, prefix: tokens.len() }.feed(reading).unwrap().to_vec();
    let cos = cosine(&got, &want);
    println!("200 tokens after a 2,600-token memory, GPU block-sparse vs CPU dense: cosine {cos:.6}");
    assert!(cos >= 0.999, "cosine {cos}");
    assert_eq!(top(&got, 1), top(&want, 1));
}

/// `tome generate --backend gpu` writes the same greedy tokens as the CPU's exact path, and says which
/// backend ran.
#[test]
fn cli_generate_on_the_gpu_matches_the_cpu_exact_path() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tome"))
            .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."))
            .args(["generate", "--prompt", "The quick brown fox", "-n", "8", "--json"])
            .args(args)
            .output()
            .expect("run tome");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).expect("json");
        (ids(&v["generated_ids"]), String::from_utf8_lossy(&out.stderr).to_string())
    };
    let (gpu, gpu_log) = run(&["--backend", "gpu"]);
    let (cpu, cpu_log) = run(&["--backend", "cpu", "--exact"]);
    assert!(gpu_log.contains("backend: gpu"), "{gpu_log}");
    assert!(cpu_log.contains("backend: cpu"), "{cpu_log}");
    assert_eq!(gpu.len(), 8);
    assert_eq!(gpu, cpu);
}
