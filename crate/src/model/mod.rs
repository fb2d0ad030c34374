//! The language model: GGUF bytes in, tokens and logits out.
//!
//! - [`gguf`]: the file format (metadata, tensor table).
//! - [`tokenizer`]: byte-level BPE built from the GGUF's own vocabulary; [`chat`]: the ChatML prompt.
//! - [`llama`]: the Llama forward pass over the [`crate::cpu`] kernels, with its [`kv_cache`].
//! - [`sparse`]: block-sparse attention settings and state for long prefills.
//! - [`sample`] and [`generate`]: picking tokens, streaming them, stopping; [`prefix`]: a prompt
//!   opening read once and shared by every session that starts with it.

pub mod chat;
pub mod generate;
pub mod gguf;
pub mod kv_cache;
pub mod llama;
pub mod memory;
pub mod prefix;
pub mod sample;
pub mod sparse;
pub mod tokenizer;

use thiserror::Error;

pub use generate::{CpuForward, Forward, GenerateOptions, Generation, generate, generate_on};
pub use llama::{LayerWeights, Llama, Precision, Probe, Session};
pub use prefix::SharedPrefix;
pub use sample::Sampler;
pub use tokenizer::Tokenizer;

#[derive(Debug, Error)]
pub enum ModelError {
    #[error("model file: {0}")]
    Gguf(String),

    #[error("model file: metadata key `{0}` is missing; the file is not a complete llama.cpp GGUF model")]
    MissingKey(String),

    #[error("model file: metadata key `{0}` is not {1}")]
    BadKey(String, &'static str),

    #[error("model file: tensor `{0}` is missing; the file is not a complete Llama-family GGUF model")]
    MissingTensor(String),

    #[error(
        "model file: tensor `{tensor}` has type {ty}, which tome does not support (F32, F16, Q4_0, Q4_1, Q8_0); use a Q4_1/Q8_0 GGUF"
    )]
    UnsupportedTensorType { tensor: String, ty: String },

    #[error("model file: tensor `{tensor}` has shape {got:?}, expected {want:?}")]
    BadShape { tensor: String, got: Vec<usize>, want: Vec<usize> },

    #[error(
        "model file: metadata key `{key}` is {value}, outside {min}..={max}; the file is damaged or not a model tome can run"
    )]
    OutOfRange { key: String, value: usize, min: usize, max: usize },

    #[error("model architecture `{0}` is not supported; tome runs Llama-family GGUF models")]
    Architecture(String),

    #[error("tokenizer: {0}")]
    Tokenizer(String),

    #[error("the context is full ({0} tokens); start a new session or use a shorter prompt")]
    ContextFull(usize),

    #[error("token id {0} is outside the vocabulary")]
    BadToken(u32),

    // States the caller asked in the wrong order: nothing is wrong with any file.
    #[error("no model is loaded yet: load one first (\"Load model\")")]
    NotLoaded,

    #[error("the model is not on the GPU: load it there first, or use the CPU")]
    NotOnGpu,

    #[error("no reading is running: ask a question first")]
    NoReading,

    #[error("the benchmark's prefill has not run: run it before the decode step")]
    NoPrefill,

    #[error("the document has no index yet: open a document and wait until it is indexed")]
    NotIndexed,

    #[error("the document's memory was forgotten or assembled again during this reading: ask again")]
    MemoryGone,
}
