//! tome: read a long document, outline it, search it, answer questions about it with citations.
//!
//! The data flow, one module per stage:
//! bytes --[`doc`]--> [`Document`] --[`outline`]--> [`Outline`] --[`index`]--> passages + BM25
//! question --[`qa`]--> [`Answer`] with citations (spans into `Document::text`).
//! The language model lives in [`model`] (GGUF, tokenizer, Llama forward) with its CPU kernels in [`cpu`]
//! and their WGSL twins on WebGPU / Vulkan / Metal in [`gpu`].
//! The browser reaches all of it through one wasm-bindgen type, [`web::Tome`]; a documentation
//! site's widget reads a [`pack`] (a whole site as static files) through [`pack::web::TomePack`],
//! in a lean build without default features (no PDF reader, no model).

#[cfg(feature = "model")]
pub mod cpu;
pub mod doc;
pub mod error;
#[doc(hidden)]
pub mod fuzz;
// Scoring reads the eval files from disk: native only.
#[cfg(all(not(target_family = "wasm"), feature = "full"))]
pub mod eval;
#[cfg(feature = "model")]
pub mod gpu;
pub mod index;
#[cfg(feature = "model")]
pub mod model;
pub mod outline;
pub mod pack;
pub mod qa;
pub mod span;
// The document reader's boundary needs the PDF reader and the model; a pack has its own (`pack::web`).
#[cfg(all(feature = "pdf", feature = "model"))]
pub mod web;

pub use doc::{Block, DocKind, Document, Page};
pub use error::{Error, Result};
pub use index::{Index, Passage};
pub use outline::{Outline, OutlineNode, OutlineSource};
pub use qa::{Answer, Citation};
pub use span::Span;
