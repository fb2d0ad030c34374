//! Names in code in a sentence: identifiers, options, calls, file paths and addresses.

use super::words::pieces;

/// Byte ranges of the file paths and addresses in a sentence: a word holding a slash that starts
/// as a path does (`~/.npm`, `/etc/hosts`, `./build`, `%AppData%\npm`, `C:\Users`, `$HOME/x`),
/// is an address (`https://...`), or names a file or several folders (`docs/conf.py`,
/// `usr/local/bin`); not "and/or", "TCP/IP", "1/2" or a date.
pub(super) fn paths(sentence: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (start, piece) in pieces(sentence) {
        let (lead, word) = bare(piece, |c| c == '!' || CLOSING.contains(&c));
        if word.is_empty() || !word.contains(['/', '\\']) || !word.chars().any(char::is_alphabetic) {
            continue;
        }
        let b = word.as_bytes();
        let rooted = matches!(b[0], b'~' | b'/' | b'.' | b'%' | b'$' | b'\\')
            || (b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\');
        let tail = word.rsplit(['/', '\\']).next().unwrap_or("");
        let file = tail.rfind('.').is_some_and(|d| d > 0 && d + 1 < tail.len());
        let deep = word.matches(['/', '\\']).count() >= 2;
        if rooted || word.contains("://") || file || deep {
            out.push((start + lead, start + lead + word.len()));
        }
    }
    out
}

/// Marks a word may close on in a sentence (a full stop, a comma, a bracket, a quote).
const CLOSING: &[char] = &['.', ',', ';', ':', '?', ')', '"', '\'', '`', ']', '\u{2019}', '\u{201D}'];

/// A piece of a sentence without the brackets and quotes it opens on and the marks it closes on
/// (`closing`), and where the word starts in it.
fn bare(piece: &str, closing: impl Fn(char) -> bool) -> (usize, &str) {
    let lead =
        piece.len() - piece.trim_start_matches(['(', '"', '\'', '`', '[', '\u{2018}', '\u{201C}']).len();
    (lead, piece[lead..].trim_end_matches(closing))
}

/// Byte ranges of the words in a sentence that are written as code: an identifier joined by `_`,
/// `::` or `.` (`CARGO_PKG_VERSION`, `std::env::var`, `requests.get`), a call or a macro
/// (`len()`, `println!`), an option (`--release`, `-S`), a name with a capital inside
/// (`HashMap`, `HTTPError`) or in capitals (`PATH`), a path or a file (`conf.py`).
pub(super) fn code_words(sentence: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (start, piece) in pieces(sentence) {
        // A macro keeps its "!".
        let (lead, word) = bare(piece, |c| CLOSING.contains(&c));
        // A call keeps its brackets: "len()".
        let rest = &piece[lead + word.len()..];
        let open = word.matches('(').count() > word.matches(')').count();
        let word = if open && rest.starts_with(')') {
            &piece[lead..lead + word.len() + 1]
        } else if rest.starts_with("()") {
            &piece[lead..lead + word.len() + 2]
        } else {
            word
        };
        let letters = word.chars().filter(|c| c.is_alphabetic()).count();
        if letters == 0 {
            continue;
        }
        let inner = |sep: &str| {
            word.split(sep).filter(|p| !p.is_empty()).count() >= 2
                && !word.starts_with(sep)
                && !word.ends_with(sep)
        };
        let joined = inner("_")
            || inner("::")
            || (inner(".") && !word.contains(". ") && letters > 2 && {
                let parts: Vec<&str> = word.split('.').collect();
                // Not "e.g" or "U.S": every part longer than one letter.
                parts.iter().all(|p| p.chars().count() > 1)
            });
        // "len()", "mode(x)", "dpkg(1)".
        let call = word.find('(').is_some_and(|p| {
            p > 0 && word.ends_with(')') && word[..p].chars().all(|c| c.is_alphanumeric() || "_.:-".contains(c))
        })
            // A macro is called ("vec![1]", "println!(") or joined ("assert_eq!"); a lone word
            // with "!" is mostly an exclamation.
            || (word.ends_with('!')
                && word.len() > 1
                && word[..word.len() - 1].chars().all(|c| c.is_alphanumeric() || c == '_')
                && (word.contains('_') || piece[lead + word.len()..].starts_with(['(', '[', '{'])));
        let option = (word.starts_with("--") && word[2..].starts_with(|c: char| c.is_alphabetic()))
            || (word.starts_with('-')
                && word.len() == 2
                && word[1..].starts_with(|c: char| c.is_alphabetic()));
        let inner_capital = word.starts_with(char::is_alphabetic)
            && word.chars().all(|c| c.is_alphanumeric())
            && word.chars().skip(1).any(char::is_uppercase)
            && word.chars().any(char::is_lowercase);
        let capitals =
            letters >= 3 && word.chars().all(|c| c.is_uppercase() || c.is_ascii_digit() || c == '_');
        let generic = word.starts_with(char::is_alphabetic) && word.contains('<') && word.ends_with('>');
        if joined || call || option || inner_capital || capitals || generic || word.contains('/') {
            out.push((start + lead, start + lead + word.len()));
        }
    }
    out
}
