//! tome: read a long document, outline it, search it, answer questions about it with citations.
//!
//! The data flow, one module per stage:
//! bytes --[`doc`]--> [`Document`] --[`outline`]--> [`Outline`] --[`index`]--> passages + BM25
//! question --[`qa`]--> [`Answer`] with citations (spans into `Document::text`).
//! The language model lives in [`model`] (GGUF, tokenizer, Llama forward) with its CPU kernels in [`cpu`]
//! and their WGSL twins on WebGPU / Vulkan / Metal in [`gpu`].
//! The browser reaches all of it through one wasm-bindgen type, [`web::Tome`].

pub mod cpu;
pub mod doc;
pub mod error;
// Scoring reads the eval files from disk: native only.
#[cfg(not(target_family = "wasm"))]
pub mod eval;
pub mod gpu;
pub mod index;
pub mod model;
pub mod outline;
pub mod qa;
pub mod span;
pub mod web;

pub use doc::{Block, DocKind, Document, Page};
pub use error::{Error, Result};
pub use index::{Index, Passage};
pub use outline::{Outline, OutlineNode, OutlineSource};
pub use qa::{Answer, Citation};
pub use span::Span;
