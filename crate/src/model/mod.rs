//! The language model: GGUF loading, tokenizer, Llama forward pass, KV cache, sampling.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ModelError {
    #[error("model file: {0}")]
    Gguf(String),
}
