//! What can be wrong with a document: its readers return these and nothing else, so a document
//! problem is never reported as a model, GPU or pack error (and the other way round).

use thiserror::Error;

pub type Result<T, E = DocError> = std::result::Result<T, E>;

#[derive(Debug, Error)]
pub enum DocError {
    #[error("the file is empty (0 bytes); choose a PDF, text or Markdown file that has content")]
    Empty,

    #[error("this is not a document tome can read ({detail}); tome reads PDF, plain text and Markdown")]
    Unsupported { detail: String },

    #[error(
        "the PDF is encrypted and needs a password; remove the protection (for example `qpdf --decrypt`) and try again"
    )]
    Encrypted,

    #[error(
        "the PDF has no text layer ({pages} {}, scanned images only); OCR is not supported, run an OCR tool such as ocrmypdf first",
        if *pages == 1 { "page" } else { "pages" }
    )]
    NoTextLayer { pages: usize },

    #[error(
        "the document goes past tome's limits ({detail}); tome stops there to stay within memory and time: split it into smaller files, or re-save a PDF with a PDF printer"
    )]
    TooLarge { detail: String },

    #[error("the PDF has no pages")]
    NoPages,

    #[error(
        "the PDF's {pages} {} blank: no text and no images on {}",
        if *pages == 1 { "page is" } else { "pages are" },
        if *pages == 1 { "it" } else { "any of them" }
    )]
    BlankPages { pages: usize },

    #[error(
        "the PDF is an XFA form: its content is form data that only Adobe Reader lays out, not pages; open it in Adobe Reader and print it to a PDF, then try again"
    )]
    XfaForm,

    #[error("the PDF is damaged or truncated ({detail}); try re-downloading or re-saving it")]
    BadPdf { detail: String },

    #[error(
        "tome could not read this file ({detail}); this is a bug in tome, please report it with the file"
    )]
    ReaderFailed { detail: String },

    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}
