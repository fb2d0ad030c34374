//! Paragraph and sentence boundaries: text in, trimmed byte ranges out.
//!
//! Paragraphs are separated by blank lines. A sentence ends at `.`, `!` or `?` (plus closing
//! quotes or brackets) followed by whitespace and a capital, digit or opening quote, unless the
//! word before is a common abbreviation ("Mr.", "e.g.") or a single initial ("J."), and at
//! CJK full stops (。！？), which need no space; a blank line ends one too.

/// Paragraphs of `text` as trimmed byte ranges.
pub fn paragraphs(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    for (s, e) in crate::doc::lines(text) {
        if text[s..e].trim().is_empty() {
            if let Some(st) = start.take() {
                out.push((st, end));
            }
        } else {
            if start.is_none() {
                start = Some(s + (text[s..e].len() - text[s..e].trim_start().len()));
            }
            end = s + text[s..e].trim_end().len();
        }
    }
    if let Some(st) = start {
        out.push((st, end));
    }
    out
}

/// Sentences of `text` as trimmed byte ranges, in order.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (ps, pe) in paragraphs(text) {
        let para = &text[ps..pe];
        let mut start = 0;
        let mut iter = para.char_indices().peekable();
        while let Some((i, c)) = iter.next() {
            let cut = match c {
                '。' | '！' | '？' => Some(i + c.len_utf8()),
                '.' | '!' | '?' => {
                    // Swallow closing quotes and brackets after the stop.
                    let mut end = i + 1;
                    while let Some(&(j, q)) = iter.peek() {
                        if matches!(q, '"' | '\'' | ')' | ']' | '\u{201D}' | '\u{2019}' | '.' | '!' | '?') {
                            end = j + q.len_utf8();
                            iter.next();
                        } else {
                            break;
                        }
                    }
                    (ends_sentence(para, start, i, end)).then_some(end)
                }
                _ => None,
            };
            if let Some(end) = cut {
                push_trimmed(&mut out, para, ps, start, end);
                start = end;
            }
        }
        push_trimmed(&mut out, para, ps, start, para.len());
    }
    out
}

/// Whether the stop at `stop` (its marks running to `end`) ends a sentence.
fn ends_sentence(para: &str, start: usize, stop: usize, end: usize) -> bool {
    let after = &para[end..];
    let Some(ws) = after.chars().next() else { return false };
    if !ws.is_whitespace() {
        return false;
    }
    let next = after.trim_start().chars().next();
    if !next.is_some_and(|n| {
        n.is_uppercase() || n.is_ascii_digit() || matches!(n, '"' | '\'' | '\u{201C}' | '(' | '_')
    }) {
        return false;
    }
    if &para[stop..stop + 1] != "." {
        return true;
    }
    let word =
        para[start..stop].rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"').next().unwrap_or("");
    const ABBREVIATIONS: &[&str] = &[
        "mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "rev", "col", "capt", "gen", "lt", "sgt", "vs",
        "etc", "e.g", "i.e", "no", "fig", "vol", "ch", "p", "pp", "cf", "approx", "ca", "u.s", "inc", "ltd",
    ];
    let lower = word.to_lowercase();
    let initial = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
    !(initial || ABBREVIATIONS.contains(&lower.as_str()))
}

fn push_trimmed(out: &mut Vec<(usize, usize)>, para: &str, base: usize, start: usize, end: usize) {
    let piece = &para[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trimmed = piece.trim();
    if !trimmed.is_empty() {
        out.push((base + start + lead, base + start + lead + trimmed.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        sentences(text).into_iter().map(|(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn sentences_respect_abbreviations_quotes_and_paragraphs() {
        let text = "Mr. Bennet replied that he had not. \"But it is,\" returned she.\nShe said so!\n\n\
                    J. R. Smith won in 1999. Then (e.g. later) he left.";
        assert_eq!(
            split(text),
            [
                "Mr. Bennet replied that he had not.",
                "\"But it is,\" returned she.",
                "She said so!",
                "J. R. Smith won in 1999.",
                "Then (e.g. later) he left."
            ]
        );
    }

    #[test]
    fn cjk_full_stops_end_sentences() {
        assert_eq!(split("第一句。第二句！第三"), ["第一句。", "第二句！", "第三"]);
    }

    #[test]
    fn paragraphs_are_trimmed() {
        let text = "  one\ntwo  \n\n\n three\n";
        let got: Vec<&str> = paragraphs(text).into_iter().map(|(s, e)| &text[s..e]).collect();
        assert_eq!(got, ["one\ntwo", "three"]);
    }
}
