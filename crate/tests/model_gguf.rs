//! GGUF parsing of the real model file, and damaged copies of it: truncated or corrupt files are
//! errors that say what is wrong, never panics. Needs the model: scripts/fetch-model.sh.

use std::path::PathBuf;

use tome::cpu::quant::GgmlType;
use tome::model::gguf::Gguf;
use tome::model::llama::{Bytes, Config};
use tome::model::{Llama, ModelError};

fn model_bytes() -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/SmolLM2-135M-Instruct.Q4_1.gguf");
    std::fs::read(&p)
        .unwrap_or_else(|_| panic!("model missing at {}: run scripts/fetch-model.sh first", p.display()))
}

#[test]
fn reads_the_real_file() {
    let b = model_bytes();
    assert_eq!(b.len(), 98_362_432);
    let g = Gguf::parse(&b).unwrap();
    assert_eq!(g.version, 3);
    assert_eq!(g.get_str("general.architecture").unwrap(), "llama");
    assert_eq!(g.get_str("tokenizer.ggml.pre").unwrap(), "smollm");
    assert_eq!(g.get_array("tokenizer.ggml.tokens").unwrap().len(), 49152);
    assert_eq!(g.get_array("tokenizer.ggml.merges").unwrap().len(), 48900);
    assert!(g.get_str("tokenizer.chat_template").unwrap().contains("<|im_start|>"));
    assert_eq!(g.tensors.len(), 272);
    let count = |ty| g.tensors.iter().filter(|t| t.ty == ty).count();
    assert_eq!((count(GgmlType::Q4_1), count(GgmlType::Q8_0), count(GgmlType::F32)), (210, 1, 61));
    let emb = g.tensor("token_embd.weight").unwrap();
    assert_eq!((emb.dims.as_slice(), emb.ty), ([576, 49152].as_slice(), GgmlType::Q8_0));
    assert!(matches!(g.tensor("output.weight"), Err(ModelError::MissingTensor(_))));

    let c = Config::from_gguf(&g).unwrap();
    assert_eq!((c.n_layer, c.d_model, c.n_head, c.n_kv_head, c.head_dim), (30, 576, 9, 3, 64));
    assert_eq!((c.d_ff, c.vocab, c.rope_dims, c.n_ctx_train), (1536, 49152, 64, 8192));
    assert_eq!(c.rope_base, 100000.0);
    assert!((c.eps - 1e-5).abs() < 1e-9);
}

#[test]
fn truncated_and_corrupt_files_are_errors() {
    let b = model_bytes();
    // Cuts in the header, the vocabulary, the tensor table and the tensor data.
    for cut in [0, 3, 4, 8, 23, 24, 100, 5_000, 500_000, 1_785_000, 1_785_700, 30_000_000, b.len() - 1] {
        let err = Llama::from_bytes(Bytes::Owned(b[..cut].to_vec()), 1);
        assert!(err.is_err(), "cut at {cut} loaded");
    }
    // A metadata array length of 2^62 must not allocate.
    let mut bad = b.clone();
    let pos = b.windows(22).position(|w| w == b"tokenizer.ggml.tokens\x09").unwrap();
    // key bytes, then u32 type 9, then u32 element type, then u64 count.
    let count_at = pos + 21 + 4 + 4;
    bad[count_at..count_at + 8].copy_from_slice(&(1u64 << 62).to_le_bytes());
    assert!(Gguf::parse(&bad).is_err());
    // An unsupported tensor type is named with the tensor.
    let mut bad = b.clone();
    let name = b"token_embd.weight";
    let at = b.windows(name.len()).rposition(|w| w == name).unwrap() + name.len();
    let type_at = at + 4 + 2 * 8;
    bad[type_at..type_at + 4].copy_from_slice(&12u32.to_le_bytes()); // Q4_K
    let msg = Gguf::parse(&bad).unwrap_err().to_string();
    assert!(msg.contains("token_embd.weight") && msg.contains("Q4_K"), "{msg}");
    // Not a GGUF at all.
    assert!(Gguf::parse(b"%PDF-1.7 not a model").unwrap_err().to_string().contains("not a GGUF"));
}
