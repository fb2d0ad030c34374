//! Text from a document made safe to print on a terminal.
//!
//! A document can hold escape sequences (retitle the window, clear the screen, rewrite what was
//! printed before) and other control characters; printed raw they act on the person's terminal.
//! They are shown as `�` instead. tome's own bold on and off (`ESC[1m`, `ESC[0m`) is kept.

use std::borrow::Cow;

const OURS: [&str; 2] = ["\x1b[1m", "\x1b[0m"];

pub fn safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(ours) = OURS.iter().find(|o| rest.starts_with(**o)) {
            out.push_str(ours);
            rest = &rest[ours.len()..];
            continue;
        }
        out.push(if is_control(c) { '\u{FFFD}' } else { c });
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

/// C0 controls but newline and tab, DEL, C1 controls (an 8-bit CSI is U+009B).
fn is_control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || ('\u{80}'..='\u{9f}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_from_documents_are_neutralised_ours_kept() {
        assert_eq!(safe("plain\ttext\n"), "plain\ttext\n");
        assert_eq!(safe("a\x1b]0;title\x07b"), "a\u{FFFD}]0;title\u{FFFD}b");
        assert_eq!(safe("\x1b[2Jgone\rover\u{9b}31m"), "\u{FFFD}[2Jgone\u{FFFD}over\u{FFFD}31m");
        assert_eq!(safe("\x1b[1mbold\x1b[0m"), "\x1b[1mbold\x1b[0m");
    }
}
