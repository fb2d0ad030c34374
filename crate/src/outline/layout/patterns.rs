//! Text patterns of headings and of lines that are not headings: section labels ("2.3",
//! "Chapter IV", "Appendix A", "第3章"), contents and index entries, captions, list items.

/// A heading line may not be longer than this many characters (a wrapped one, twice this).
pub(super) const MAX_LINE_CHARS: usize = 120;

/// A table-of-contents or index line: dot leaders, or a numbered title ending in a page number.
pub(super) fn contents_entry(text: &str) -> bool {
    if text.contains(". . .") || text.contains("....") || text.contains('…') || text.contains("···") {
        return true;
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let ends_in_number =
        words.last().is_some_and(|w| w.chars().all(|c| c.is_ascii_digit()) || is_lower_roman(w))
            && words.len() >= 3;
    ends_in_number && label_depth(text).is_some()
}

fn is_lower_roman(w: &str) -> bool {
    !w.is_empty() && w.chars().all(|c| matches!(c, 'i' | 'v' | 'x' | 'l' | 'c'))
}

/// Figure, table, listing captions ("Figure 3:", "Table 2.1", "图 1", "表 3-2").
pub(in crate::outline) fn caption(text: &str) -> bool {
    let mut words = text.split_whitespace();
    let first = words.next().unwrap_or("").trim_end_matches([':', '.']).to_lowercase();
    let second = words.next().unwrap_or("");
    let numbered = second.starts_with(|c: char| c.is_ascii_digit());
    let cjk_caption = ["图", "表"].iter().any(|p| text.starts_with(p))
        && text.chars().nth(1).is_some_and(|c| c.is_ascii_digit() || c == ' ');
    cjk_caption
        || (numbered
            && ["figure", "fig", "table", "listing", "algorithm", "example", "equation"]
                .contains(&first.as_str()))
}

/// Headings do not end like a running sentence or a run-in label (":"), and do not start in lower case unless
/// numbered ("1.2 sudo configuration").
pub(super) fn plausible_title(title: &str) -> bool {
    let t = title.trim();
    // List items are not headings.
    if t.chars().count() > 2 * MAX_LINE_CHARS
        || t.ends_with([',', ';', '-', ':'])
        || t.starts_with(['•', '◦', '▪', '‣', '∙', '·', '*', '–', '-'])
    {
        return false;
    }
    let first = t.chars().next().unwrap_or(' ');
    !first.is_lowercase() || label_depth(t).is_some()
}

/// Depth of a leading section label: "3" -> 1, "2.4" -> 2, "A.1.2" -> 3, "Chapter 4" /
/// "Appendix B" / "Part II" -> 1, "第3章" -> 1; None when the title has no label.
pub(in crate::outline) fn label_depth(title: &str) -> Option<usize> {
    let mut words = title.split_whitespace();
    let first = words.next()?;
    let lower = first.to_lowercase();
    if ["chapter", "appendix", "part", "book", "volume", "section"].contains(&lower.as_str()) {
        return words.next().map(|_| 1);
    }
    if first.starts_with('第') && (first.contains('章') || first.contains('部')) {
        return Some(1);
    }
    // A label is followed by a title.
    words.next()?;
    let label = first.trim_end_matches(['.', ':', ')']);
    let parts: Vec<&str> = label.split('.').collect();
    let numeric = |p: &str| !p.is_empty() && p.len() <= 3 && p.chars().all(|c| c.is_ascii_digit());
    let letter = |p: &str| p.len() == 1 && p.chars().all(|c| c.is_ascii_uppercase());
    let ok = parts.iter().enumerate().all(|(k, p)| numeric(p) || (k == 0 && letter(p) && parts.len() > 1));
    ok.then_some(parts.len())
}

/// Appends a wrapped heading line: a space between words, none between CJK characters.
pub(super) fn join_line(title: &mut String, next: &str) {
    let cjk = |c: Option<char>| c.is_some_and(crate::doc::is_cjk);
    if !(cjk(title.chars().next_back()) && cjk(next.chars().next())) {
        title.push(' ');
    }
    title.push_str(next);
}

/// "Chapter 3", "Appendix A", "Part II", "第3章": a label with no title after it.
pub(super) fn bare_label(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        [one] => one.starts_with('第') && (one.ends_with('章') || one.ends_with('部')),
        [keyword, _] => {
            ["chapter", "appendix", "part", "book", "volume"].contains(&keyword.to_lowercase().as_str())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_labels_and_their_depth() {
        assert_eq!(label_depth("1.2.3 Scope"), Some(3));
        assert_eq!(label_depth("4 Results"), Some(1));
        assert_eq!(label_depth("A.1 Proofs"), Some(2));
        assert_eq!(label_depth("Chapter IV"), Some(1));
        assert_eq!(label_depth("Appendix A Tables"), Some(1));
        assert_eq!(label_depth("第3章 方法"), Some(1));
        assert_eq!(label_depth("2024 was a year"), None);
        assert_eq!(label_depth("Introduction"), None);
    }

    #[test]
    fn contents_entries_and_captions() {
        assert!(contents_entry("1.2 Scope . . . . . . . 14"));
        assert!(contents_entry("3 Methods 27"));
        assert!(!contents_entry("3 Methods"));
        assert!(caption("Figure 2: The pipeline"));
        assert!(caption("Table 1.3 Sizes"));
        assert!(!caption("Tables and figures"));
    }
}
