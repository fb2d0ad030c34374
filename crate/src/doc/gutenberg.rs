//! Project Gutenberg header and footer boilerplate.
//!
//! Text in, the byte span of the work itself out. The boilerplate is not cut from the text:
//! offsets published for a file (eval ground truth, links people share) count from the file's
//! first character, so the text we show stays the file and the body span marks what outlines
//! and passages may use. Markers recognised (any case, with or without spaces after the stars):
//! `*** START OF THE/THIS PROJECT GUTENBERG EBOOK ... ***` and `*** END OF ...`, plus the older
//! `*END*THE SMALL PRINT!` header end and `End of (the) Project Gutenberg('s) ...` footer start.

use crate::span::Span;

/// The span of `text` between the Gutenberg header and footer, or the whole text without them.
pub fn body(text: &str) -> Span {
    let mut start = 0;
    let mut end = text.len();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        // Cheap pre-filter: every marker begins with '*' or "End".
        if !matches!(line.trim_start().as_bytes().first(), Some(b'*' | b'E' | b'e')) {
            continue;
        }
        let upper = line.trim().to_ascii_uppercase();
        let squashed: String = upper.chars().filter(|c| !c.is_whitespace()).collect();
        let is_start = squashed.starts_with("***STARTOF") && squashed.contains("PROJECTGUTENBERG")
            || squashed.starts_with("*END*THESMALLPRINT");
        let is_end = squashed.starts_with("***ENDOF") && squashed.contains("PROJECTGUTENBERG")
            || upper.starts_with("END OF THE PROJECT GUTENBERG")
            || upper.starts_with("END OF PROJECT GUTENBERG");
        if is_start && start == 0 && end == text.len() {
            start = offset;
        } else if is_end && line_start >= start && end == text.len() {
            end = line_start;
        }
    }
    Span::new(start, end.max(start))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOOK: &str = "The Project Gutenberg eBook of Emma, by Jane Austen\n\
        This eBook is for the use of anyone anywhere.\n\
        \n\
        *** START OF THE PROJECT GUTENBERG EBOOK EMMA ***\n\
        \n\
        VOLUME I\n\nCHAPTER I\n\nEmma Woodhouse, handsome, clever, and rich.\n\
        \n\
        *** END OF THE PROJECT GUTENBERG EBOOK EMMA ***\n\
        Updated editions will replace the previous one.\n";

    #[test]
    fn strips_header_and_footer() {
        let span = body(BOOK);
        let work = &BOOK[span.start..span.end];
        assert!(work.trim_start().starts_with("VOLUME I"), "{work:?}");
        assert!(work.trim_end().ends_with("rich."), "{work:?}");
    }

    #[test]
    fn older_markers() {
        let text = "Legal small print\n*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*\n\
            Chapter 1\n\nText.\n\nEnd of the Project Gutenberg EBook of Something\nmore legal text\n";
        let span = body(text);
        assert_eq!(&text[span.start..span.end], "Chapter 1\n\nText.\n\n");
    }

    #[test]
    fn text_without_boilerplate_is_all_body() {
        let text = "Chapter 1\n\nIt is a truth universally acknowledged.\n";
        assert_eq!(body(text), Span::new(0, text.len()));
    }
}
