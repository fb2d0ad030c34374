//! The library's errors: each says what went wrong and what the person can do about it.

use thiserror::Error;

pub use crate::doc::DocError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Error)]
pub enum Error {
    /// Anything wrong with the document itself (see [`DocError`]).
    #[error(transparent)]
    Doc(#[from] DocError),

    #[error(
        "the {mode} mode needs the language model: put it at assets/SmolLM2-135M-Instruct.Q4_1.gguf (scripts/fetch-model.sh) or load it, or ask in the extractive mode"
    )]
    NeedsModel { mode: &'static str },

    #[cfg(feature = "model")]
    #[error("{0}")]
    Model(#[from] crate::model::ModelError),

    #[cfg(feature = "model")]
    #[error("{0}")]
    Gpu(#[from] crate::gpu::GpuError),

    #[cfg(feature = "model")]
    #[error("{0}")]
    Memory(#[from] crate::model::memory::file::MemoryError),

    #[cfg(feature = "html")]
    #[error("{0}")]
    Site(#[from] crate::doc::html::SiteError),

    #[error("{0}")]
    Pack(#[from] crate::pack::PackError),

    /// The eval files (native scoring only) are not in the expected shape.
    #[error("eval data: {0}")]
    EvalData(String),

    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io { context: context.into(), source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_error_keeps_its_own_message_and_kind() {
        let err: Error = crate::Document::from_bytes("notes.txt", b"").map(|_| ()).unwrap_err().into();
        assert!(matches!(err, Error::Doc(DocError::Empty)), "{err:?}");
        assert_eq!(err.to_string(), DocError::Empty.to_string());
        assert!(err.to_string().starts_with("the file is empty"), "{err}");
    }
}
