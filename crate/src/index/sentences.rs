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
        return run_together(para, start, stop, end);
    }
    let next = after.trim_start().chars().next();
    if !next.is_some_and(|n| {
        n.is_uppercase() || n.is_ascii_digit() || matches!(n, '"' | '\'' | '\u{201C}' | '(' | '_')
    }) && !symbol_starts(after.trim_start())
    {
        return false;
    }
    if &para[stop..stop + 1] != "." {
        return true;
    }
    if inside_brackets(para, start, end) {
        return false;
    }
    let word =
        para[start..stop].rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"').next().unwrap_or("");
    const ABBREVIATIONS: &[&str] = &[
        "mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "rev", "col", "capt", "gen", "lt", "sgt", "vs",
        "etc", "e.g", "i.e", "eg", "ie", "ex", "viz", "al", "no", "fig", "vol", "ch", "p", "pp", "cf",
        "approx", "ca", "u.s", "inc", "ltd",
    ];
    let lower = word.to_lowercase();
    let initial = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
    !(initial || ABBREVIATIONS.contains(&lower.as_str()))
}

/// Whether `text` starts with a sign that opens a name or an amount ("#P is a class", "$5 was
/// the fare", "£3 a week"), the sign's word capitalised or a number.
fn symbol_starts(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| matches!(c, '#' | '$' | '£' | '€' | '¥'))
        && chars
            .as_str()
            .trim_start_matches(' ')
            .chars()
            .next()
            .is_some_and(|n| n.is_uppercase() || n.is_ascii_digit())
}

/// How far (in characters) a bracket may run on after a full stop inside it (the stop of "(ex.
/// LaTeX, man pages)" ends no sentence); a bracket left open for longer was never closed.
const BRACKET_REACH: usize = 120;

/// Whether the full stop whose marks end at `end` lies inside round brackets
/// opened in this sentence and closed soon after it, not by the stop's own marks.
fn inside_brackets(para: &str, start: usize, end: usize) -> bool {
    let before = &para[start..end];
    let mut open = before.matches('(').count() as isize - before.matches(')').count() as isize;
    if open <= 0 {
        return false;
    }
    for c in para[end..].chars().take(BRACKET_REACH) {
        match c {
            '(' => open += 1,
            ')' => open -= 1,
            _ => {}
        }
        if open == 0 {
            return true;
        }
    }
    false
}

/// Sentences pasted together without a space ("for dating.In 1945 Libby moved"): a full stop
/// between a lower-case word of two letters or more and a capitalised word or a number.
fn run_together(para: &str, start: usize, stop: usize, end: usize) -> bool {
    if end != stop + 1 || &para[stop..end] != "." {
        return false;
    }
    let word: String = para[start..stop].chars().rev().take_while(|c| c.is_alphabetic()).collect();
    // Not a web or file name: "www.Example.com".
    let next_word = para[end..].split(char::is_whitespace).next().unwrap_or("");
    if next_word.trim_end_matches(['.', ',', ';', ':', '!', '?']).contains('.') {
        return false;
    }
    let mut next = para[end..].chars();
    let (Some(a), Some(b)) = (next.next(), next.next()) else { return false };
    word.chars().count() >= 2
        && word.chars().all(char::is_lowercase)
        && !para[start..stop].ends_with("e.g")
        && !para[start..stop].ends_with("i.e")
        && ((a.is_uppercase() && b.is_lowercase()) || (a.is_ascii_digit() && b.is_ascii_digit()))
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
    fn a_full_stop_inside_brackets_ends_no_sentence() {
        assert_eq!(
            split(
                "Some tools (for one. Others too) pass. Each works (see above.) Then more. A stray ( stays. Next."
            ),
            [
                "Some tools (for one. Others too) pass.",
                "Each works (see above.)",
                "Then more.",
                "A stray ( stays.",
                "Next."
            ]
        );
        // The look ahead counts characters: it never cuts one in two.
        let text = format!("A stray ( stays. {}", "Жжжжж ".repeat(40));
        assert_eq!(split(&text).len(), 2);
    }

    #[test]
    fn sentences_pasted_together_are_split() {
        assert_eq!(
            split("It might date things.In 1945 Libby moved. See www.Example.com and e.g.The rest."),
            ["It might date things.", "In 1945 Libby moved.", "See www.Example.com and e.g.The rest."]
        );
    }

    #[test]
    fn a_sentence_may_start_with_a_sign() {
        assert_eq!(
            split(
                "It counts paths. #P is their class. The fare rose. $5 was too much. Costs fell. # of rows."
            ),
            [
                "It counts paths.",
                "#P is their class.",
                "The fare rose.",
                "$5 was too much.",
                "Costs fell. # of rows."
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
