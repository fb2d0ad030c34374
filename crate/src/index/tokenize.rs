//! Tokenization for search: text in, normalised terms with their byte ranges out.
//!
//! - Latin and other space-separated scripts: runs of letters and digits, lowercased, common
//!   accents folded (é -> e), apostrophes inside words dropped ("don't" -> "dont") and a
//!   possessive 's removed, then a light plural stemmer (Harman's S-stemmer: "parties" ->
//!   "party", "packages" -> "package", "cats" -> "cat"), which is safe for names and code words.
//! - A lone "?" or "!" (the ? operator, not a question's own mark) is its name's words, so that
//!   "what does the question mark do?" finds it.
//! - CJK (Han, kana, Hangul): overlapping character bigrams of each run ("中文字" -> "中文",
//!   "文字"), a lone character as itself, since these scripts have no spaces between words.
//!
//! The same function tokenizes documents and queries, so they always agree.

/// Calls `f(term, start, end)` for each token of `text`; `start..end` is its byte range.
pub fn for_each_token(text: &str, mut f: impl FnMut(&str, usize, usize)) {
    let mut term = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if is_cjk(c) {
            match chars.peek() {
                Some(&(next_at, next)) if is_cjk(next) => {
                    term.clear();
                    term.push(c);
                    term.push(next);
                    f(&term, start, next_at + next.len_utf8());
                }
                _ => {
                    // A lone character, unless it ended a run already covered by a bigram.
                    let prev = text[..start].chars().next_back();
                    if !prev.is_some_and(is_cjk) {
                        term.clear();
                        term.push(c);
                        f(&term, start, start + c.len_utf8());
                    }
                }
            }
            continue;
        }
        if c == '%'
            && let Some(len) = percent_operator(&text[start..])
        {
            // Skip the operator's other characters.
            while chars.peek().is_some_and(|&(at, _)| at < start + len) {
                chars.next();
            }
            f(&text[start..start + len], start, start + len);
            continue;
        }
        if let Some(name) = lone_symbol_name(text, start, c) {
            for word in name.split(' ') {
                f(word, start, start + c.len_utf8());
            }
            continue;
        }
        if !c.is_alphanumeric() {
            continue;
        }
        term.clear();
        push_folded(&mut term, c);
        let mut end = start + c.len_utf8();
        let mut possessive_at = None;
        while let Some(&(at, next)) = chars.peek() {
            if next.is_alphanumeric() && !is_cjk(next) {
                push_folded(&mut term, next);
                end = at + next.len_utf8();
                chars.next();
            } else if matches!(next, '\'' | '\u{2019}')
                && text[at + next.len_utf8()..]
                    .chars()
                    .next()
                    .is_some_and(|n| n.is_alphanumeric() && !is_cjk(n))
            {
                possessive_at = Some(term.len());
                chars.next();
            } else {
                break;
            }
        }
        if possessive_at.is_some_and(|p| p + 1 == term.len() && term.ends_with('s')) {
            term.pop();
        }
        stem(&mut term);
        f(&term, start, end);
    }
}

/// Longest inside of an operator written between percent signs.
const MAX_OPERATOR: usize = 4;

/// The byte length of an operator written between percent signs at the start of `text` ("%in%",
/// "%*%", "%%", as R and other languages name theirs): code manuals explain them by name, and
/// their letters alone are a function word or nothing at all. Lowercase letters and symbols
/// inside, no space.
fn percent_operator(text: &str) -> Option<usize> {
    let inner = text.strip_prefix('%')?;
    let end = inner.find('%')?;
    let ok = |c: char| c.is_ascii_lowercase() || (c.is_ascii_punctuation() && c != '%');
    (inner[..end].chars().count() <= MAX_OPERATOR && inner[..end].chars().all(ok)).then_some(end + 2)
}

/// Symbols that a manual writes alone when it talks about them ("the ? operator", "the ! type")
/// and a reader names in words ("what does the question mark do?"), with those words. Only
/// these two: the others (`*`, `&`, `~`, `^`) stand alone mostly in code (`a * b`), where their
/// names would only lengthen passages (tried: no manual or site question gained).
const SYMBOL_NAMES: &[(char, &str)] = &[('?', "question mark"), ('!', "exclamation mark")];

/// The name of the symbol `c` at `text[at..]` when it stands alone: nothing but spaces, brackets
/// or quotes on either side (a question's own "?" follows its last word; code's `x?` and `&x`
/// touch their operand). Its name's words are its terms, so the symbol and its name match. Only
/// the neighbouring characters decide, so a passage and each of its sentences agree on its terms;
/// the mark a question ends on after a space ("What year ?") is its own, see [`without_asked_mark`].
fn lone_symbol_name(text: &str, at: usize, c: char) -> Option<&'static str> {
    let name = SYMBOL_NAMES.iter().find(|&&(s, _)| s == c)?.1;
    let before = text[..at].chars().next_back();
    let after = text[at + c.len_utf8()..].chars().next();
    let open = |b: char| b.is_whitespace() || "([{'\"`\u{2018}\u{201C}".contains(b);
    let close = |a: char| a.is_whitespace() || ")]}'\"`\u{2019}\u{201D},.;:".contains(a);
    (before.is_none_or(open) && after.is_none_or(close)).then_some(name)
}

/// A query without the marks it ends on when they stand apart ("What year ?", "Really !?"): they
/// end the question, they do not name a symbol.
pub fn without_asked_mark(query: &str) -> &str {
    let mut q = query.trim_end();
    while let Some(rest) = q.strip_suffix(['?', '!']) {
        q = rest;
    }
    if (q.len() < query.trim_end().len() && q.ends_with(char::is_whitespace)) || q.is_empty() {
        q.trim_end()
    } else {
        query
    }
}

/// The terms of a text, in order.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(text, |t, _, _| out.push(t.to_string()));
    out
}

/// The distinct terms of a query that carry meaning, in order: function words dropped unless
/// the query has nothing else.
pub fn query_terms(query: &str) -> Vec<String> {
    let mut all = terms(without_asked_mark(query));
    let mut seen = std::collections::HashSet::new();
    all.retain(|t| seen.insert(t.clone()));
    let content: Vec<String> = all.iter().filter(|t| !is_stopword(t)).cloned().collect();
    if content.is_empty() { all } else { content }
}

/// Han ideographs, kana and Hangul: scripts written without spaces between words.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xAC00..=0xD7AF
        | 0x20000..=0x2FA1F)
}

/// Lowercases and folds common Latin accents.
fn push_folded(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    for l in c.to_lowercase() {
        let folded = match l {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
            'ç' | 'č' => 'c',
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
            'ñ' | 'ń' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
            'ù' | 'ú' | 'û' | 'ü' | 'ū' => 'u',
            'ý' | 'ÿ' => 'y',
            'š' => 's',
            'ž' => 'z',
            'æ' => {
                out.push_str("ae");
                continue;
            }
            'œ' => {
                out.push_str("oe");
                continue;
            }
            other => other,
        };
        out.push(folded);
    }
}

/// Harman's S-stemmer, on purely alphabetic ASCII words longer than three letters.
fn stem(term: &mut String) {
    if term.len() <= 3 || !term.bytes().all(|b| b.is_ascii_lowercase()) {
        return;
    }
    if term.ends_with("ies") && !term.ends_with("eies") && !term.ends_with("aies") {
        term.truncate(term.len() - 3);
        term.push('y');
    } else if term.ends_with('s') && !term.ends_with("us") && !term.ends_with("ss") {
        // Harman's "es" -> "e" and "s" -> "" rules both drop the final s.
        term.pop();
    }
}

/// Fewest letters of a root (see [`roots`]): shorter ones join unrelated words ("str", "string").
pub const MIN_ROOT: usize = 4;

/// The roots a (normalised) English term may share with its morphological variants: the term
/// without a derivational or inflectional ending ("-ation", "-ion", "-ing", "-ment", "-ed",
/// "-ied" -> "-y"), then without a final "e" or a doubled last consonant, so that "reading" and
/// "read", "installation" and "install", "generation" and "generate", "copied" and "copy",
/// "stopped" and "stop" share one. Two terms are variants when their roots meet. Terms that are
/// not plain lowercase ASCII words, and roots under [`MIN_ROOT`] letters, give none.
pub fn roots(term: &str) -> Vec<String> {
    if !term.bytes().all(|b| b.is_ascii_lowercase()) {
        return Vec::new();
    }
    const ENDINGS: &[(&str, &str)] =
        &[("ation", ""), ("ion", ""), ("ing", ""), ("ment", ""), ("ied", "y"), ("ed", "")];
    let mut out: Vec<String> = Vec::new();
    let mut push = |base: String| {
        let mut root = base;
        if root.len() > MIN_ROOT && root.ends_with('e') {
            root.pop();
        }
        let b = root.as_bytes();
        if root.len() > MIN_ROOT && b[b.len() - 1] == b[b.len() - 2] && !b"aeiou".contains(&b[b.len() - 1]) {
            root.pop();
        }
        if root.len() >= MIN_ROOT && !out.contains(&root) {
            out.push(root);
        }
    };
    push(term.to_string());
    for (ending, with) in ENDINGS {
        if let Some(base) = term.strip_suffix(ending).filter(|b| b.len() >= MIN_ROOT - 1) {
            push(format!("{base}{with}"));
        }
    }
    out
}

/// The first letters every variant of `term` begins with (see [`variants`]): a reader holding only
/// part of the terms (a pack's shards) loads those that begin so. None when `term` has no root.
pub fn variant_head(term: &str) -> Option<String> {
    let roots = roots(term);
    let head = roots.iter().min_by_key(|r| r.len())?;
    // Every root is a prefix of its term, so variants share the shortest root's first letters.
    Some(head.chars().take(MIN_ROOT).collect())
}

/// The terms among `terms` (term, passages holding it) that are morphological variants of `term`
/// (their [`roots`] meet: "read" -> "reading", "install" -> "installation"), most frequent first.
pub fn variants<'a>(term: &str, terms: impl Iterator<Item = (&'a str, usize)>) -> Vec<(String, usize)> {
    let Some(head) = variant_head(term) else { return Vec::new() };
    let roots = roots(term);
    let mut out: Vec<(String, usize)> = terms
        .filter(|(t, _)| *t != term && t.starts_with(&head))
        .filter(|(t, _)| self::roots(t).iter().any(|r| roots.contains(r)))
        .map(|(t, df)| (t.to_string(), df))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// English function words: not searched for unless a query has nothing else.
pub fn is_stopword(term: &str) -> bool {
    const STOP: &[&str] = &[
        "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been",
        "before", "being", "but", "by", "can", "could", "did", "do", "doe", "does", "doing", "for", "from",
        "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in",
        "into", "is", "it", "its", "me", "my", "no", "nor", "not", "of", "on", "or", "our", "out", "over",
        "she", "should", "so", "some", "than", "that", "the", "their", "them", "then", "there", "these",
        "they", "thi", "this", "those", "to", "too", "under", "up", "upon", "was", "we", "were", "what",
        "when", "where", "which", "while", "who", "whom", "whose", "why", "will", "with", "would", "you",
        "your", "uh", "um", "umm", "er", "rather",
    ];
    STOP.contains(&term)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<(String, &str)> {
        let mut out = Vec::new();
        for_each_token(text, |t, s, e| out.push((t.to_string(), &text[s..e])));
        out
    }

    #[test]
    fn english_words_are_lowercased_folded_and_lightly_stemmed() {
        assert_eq!(
            terms("The Parties' packages: Café, don't, Austen's cats; R-3.2 glass"),
            ["the", "party", "package", "cafe", "dont", "austen", "cat", "r", "3", "2", "glass"]
        );
    }

    #[test]
    fn variants_share_a_root_and_unrelated_words_do_not() {
        let meet = |a: &str, b: &str| roots(a).iter().any(|r| roots(b).contains(r));
        for (a, b) in [
            ("read", "reading"),
            ("install", "installation"),
            ("install", "installing"),
            ("generate", "generation"),
            ("copy", "copied"),
            ("stop", "stopped"),
            ("remove", "removing"),
            ("delete", "deletion"),
            ("manage", "management"),
            ("order", "ordered"),
        ] {
            assert!(meet(a, b), "{a} / {b}");
        }
        for (a, b) in [("str", "string"), ("ready", "reading"), ("station", "stay"), ("file", "filter")] {
            assert!(!meet(a, b), "{a} / {b}");
        }
        assert!(roots("3d").is_empty() && roots("论文").is_empty());
    }

    #[test]
    fn operators_between_percent_signs_are_terms() {
        assert_eq!(terms("x %in% y, A %*% B, 7 %% 2"), ["x", "%in%", "y", "a", "%*%", "b", "7", "%%", "2"]);
        // A percentage is a number and a sign, not an operator.
        assert_eq!(terms("50% of 30% of the Days"), ["50", "of", "30", "of", "the", "day"]);
        assert_eq!(spans("a %o% b")[1], ("%o%".to_string(), "%o%"));
    }

    #[test]
    fn a_symbol_standing_alone_is_searched_by_its_name() {
        assert_eq!(terms("the ? operator"), terms("the question mark operator"));
        assert_eq!(terms("end it with `!` then"), ["end", "it", "with", "exclamation", "mark", "then"]);
        assert_eq!(spans("a ! b")[1], ("exclamation".to_string(), "!"));
        // A question's own mark, code's operators and plain punctuation are not names.
        assert_eq!(terms("Why? x? &y a*b - c"), ["why", "x", "y", "a", "b", "c"]);
        assert_eq!(query_terms("What year is it ?!"), ["year"]);
        assert_eq!(query_terms("What does ? do?"), ["question", "mark"]);
    }

    #[test]
    fn cjk_runs_become_bigrams_with_spans() {
        let got = spans("清华大学 thesis 论");
        let want = [("清华", "清华"), ("华大", "华大"), ("大学", "大学"), ("thesi", "thesis"), ("论", "论")];
        let want: Vec<(String, &str)> = want.iter().map(|&(t, s)| (t.to_string(), s)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn spans_cover_the_original_word() {
        let text = "Mr. Darcy’s carriages";
        let got = spans(text);
        assert_eq!(got[1], ("darcy".to_string(), "Darcy’s"));
        assert_eq!(got[2], ("carriage".to_string(), "carriages"));
    }
}
