//! Heading detection in text: chapter / part / book / volume lines and Markdown headings.
//!
//! A text [`Document`] in, headings (title, level, start) out, all inside `Document::body`.
//! - Novels: an isolated line (blank line before; blank line or a one-line subtitle after) that
//!   *is* a division label: a keyword (volume, book, part, act, chapter, letter, stave, canto,
//!   section, scene, or the
//!   Chinese 第…卷/部/篇/章/回/节) and a number in arabic, roman or English words
//!   ("Chapter 1", "CHAPTER IV", "Chapter the First", "BOOK TWENTY-ONE"), optionally followed by
//!   a title after a separator; without any such line, bare numerals ("I.", "II.") that count
//!   up from 1 at least three times. A line that merely mentions a chapter inside prose is never
//!   isolated, so it is not taken.
//! - Markdown: ATX (`# Title`) and setext (`Title` over `===` / `---`) headings outside code fences.
//!
//! Levels come from the signals found, not a fixed depth: each kind of division present gets
//! one level, containers (volume, book, part; fewer occurrences = higher) above chapters above
//! sections, so Emma's VOLUME > CHAPTER gives two levels and a novel of chapters only gives one.
//! A table of contents listing the same headings is dropped: a heading with no prose before
//! the next heading whose title occurs again later is an entry of a contents list.

use super::Heading;
use crate::doc::{DocKind, Document};

/// Longest line that can be a heading (characters).
const MAX_HEADING_CHARS: usize = 80;

pub(super) fn detect(doc: &Document) -> Vec<Heading> {
    let lines = body_lines(doc);
    if doc.kind == DocKind::Markdown {
        let md = markdown_headings(doc, &lines);
        if !md.is_empty() {
            return md;
        }
    }
    let novel = division_headings(doc, &lines);
    if !novel.is_empty() || doc.kind == DocKind::Markdown {
        return novel;
    }
    // A plain-text file written in Markdown style.
    markdown_headings(doc, &lines)
}

/// One line of the body: byte range without terminator, and its trimmed text.
struct Line<'a> {
    /// Where the line starts, indentation included: a heading's offset is its line's.
    start: usize,
    text: &'a str,
    /// Leading whitespace in bytes (Markdown: 4 or more spaces is an indented code line).
    indent: usize,
}

impl Line<'_> {
    fn blank(&self) -> bool {
        self.text.is_empty()
    }
}

fn body_lines(doc: &Document) -> Vec<Line<'_>> {
    let body = doc.body;
    crate::doc::lines(&doc.text[body.start..body.end])
        .map(|(s, e)| {
            let raw = &doc.text[body.start + s..body.start + e];
            let lead = raw.len() - raw.trim_start().len();
            Line { start: body.start + s, text: raw.trim(), indent: lead }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Novels

/// Kinds of division, in their usual order from outermost to innermost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Division {
    Volume,
    Book,
    Part,
    Chapter,
    Section,
}

fn division_headings(doc: &Document, lines: &[Line]) -> Vec<Heading> {
    let blank_at = |i: usize| lines.get(i).is_none_or(Line::blank);
    let mut found: Vec<(usize, Division)> = Vec::new();
    let mut isolated: Vec<usize> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.blank() || line.text.chars().count() > MAX_HEADING_CHARS {
            continue;
        }
        let before = i == 0 || blank_at(i - 1);
        // Blank after, or a one-line subtitle and then a blank ("CHAPTER I." / "THE PARTING").
        let subtitle = |j: usize| !blank_at(j) && lines[j].text.chars().count() <= MAX_HEADING_CHARS;
        let after = blank_at(i + 1) || (subtitle(i + 1) && blank_at(i + 2));
        if !(before && after) {
            continue;
        }
        isolated.push(i);
        if let Some(division) = parse_division(line.text) {
            found.push((i, division));
        }
    }
    // Chapters numbered without a keyword, alone or under keyword containers ("Book the
    // First" over "I. The Period").
    if found.iter().all(|&(_, d)| d < Division::Chapter) {
        found.extend(numbered_headings(lines, &isolated));
        found.sort_by_key(|&(i, _)| i);
    }
    let found = drop_contents_entries(lines, found);
    let levels = division_levels(&found);
    found
        .into_iter()
        .map(|(i, division)| Heading {
            title: lines[i].text.to_string(),
            level: levels(division),
            start: lines[i].start,
            page: doc.page_at(lines[i].start),
        })
        .collect()
}

/// Chapters numbered without a keyword ("I.", "II. THE RED-HEADED LEAGUE", "3"): isolated
/// numeral lines, taken only when they count up from 1 (restarting at 1 is allowed) at least
/// three times, so a stray year or list number on its own line is not a chapter.
fn numbered_headings(lines: &[Line], isolated: &[usize]) -> Vec<(usize, Division)> {
    let mut found = Vec::new();
    let mut expected = 1;
    for &i in isolated {
        match numeral_heading(lines[i].text) {
            Some(n) if n == expected || n == 1 => {
                found.push((i, Division::Chapter));
                expected = n + 1;
            }
            _ => {}
        }
    }
    if found.len() >= 3 { found } else { Vec::new() }
}

/// The value of a line that is a bare chapter number: an uppercase roman or arabic numeral,
/// optionally with a period, optionally followed by a capitalised title.
fn numeral_heading(line: &str) -> Option<u32> {
    let (word, rest) = split_word(line);
    let bare = word.strip_suffix('.').unwrap_or(word);
    let value = if bare.bytes().all(|b| b.is_ascii_digit()) && !bare.is_empty() && bare.len() <= 3 {
        bare.parse().ok()?
    } else if is_roman(bare) && bare == bare.to_ascii_uppercase() {
        roman_value(bare)
    } else {
        return None;
    };
    let title_ok = rest.trim().is_empty() || (word.ends_with('.') && title_tail_ok(rest));
    title_ok.then_some(value)
}

fn roman_value(s: &str) -> u32 {
    let digit = |c: u8| match c.to_ascii_uppercase() {
        b'I' => 1,
        b'V' => 5,
        b'X' => 10,
        b'L' => 50,
        b'C' => 100,
        b'D' => 500,
        b'M' => 1000,
        _ => 0,
    };
    let b = s.as_bytes();
    (0..b.len())
        .map(|i| {
            let v = digit(b[i]);
            if b.get(i + 1).is_some_and(|&n| digit(n) > v) { -(v as i64) } else { v as i64 }
        })
        .sum::<i64>()
        .max(0) as u32
}

/// Drops contents-list entries: headings followed by no prose before the next heading, whose
/// division and number come back later in the text.
fn drop_contents_entries(lines: &[Line], found: Vec<(usize, Division)>) -> Vec<(usize, Division)> {
    // Keyword and number only: "CHAPTER I. Down the Rabbit-Hole" in a contents list is the
    // "CHAPTER I." of the text.
    let key = |text: &str| {
        let words: Vec<String> =
            text.split_whitespace().map(|w| w.trim_end_matches(['.', ':', ',']).to_lowercase()).collect();
        // "BOOK THE FIRST": the number is the third word.
        let n = if words.get(1).is_some_and(|w| w == "the") { 3 } else { 2 };
        words.into_iter().take(n).collect::<Vec<_>>().join(" ")
    };
    let keys: Vec<String> = found.iter().map(|&(i, _)| key(lines[i].text)).collect();
    let mut last_seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (n, key) in keys.iter().enumerate() {
        last_seen.insert(key, n);
    }
    let keep: Vec<bool> = found
        .iter()
        .enumerate()
        .map(|(n, &(i, _))| {
            let next = found.get(n + 1).map_or(lines.len(), |&(j, _)| j);
            let has_prose = lines[i + 1..next].iter().filter(|l| !l.blank()).count() > 1;
            has_prose || last_seen.get(keys[n].as_str()).is_none_or(|&last| last == n)
        })
        .collect();
    found.into_iter().zip(keep).filter_map(|(h, k)| k.then_some(h)).collect()
}

/// Level of each division kind present: containers by how often they occur (fewer = outer,
/// ties by first appearance), then chapters, then sections.
fn division_levels(found: &[(usize, Division)]) -> impl Fn(Division) -> u32 + use<> {
    let mut kinds: Vec<(Division, usize, usize)> = Vec::new(); // (kind, count, first position)
    for (pos, &(_, d)) in found.iter().enumerate() {
        match kinds.iter_mut().find(|(k, _, _)| *k == d) {
            Some(entry) => entry.1 += 1,
            None => kinds.push((d, 1, pos)),
        }
    }
    kinds.sort_by_key(|&(d, count, first)| {
        let container = d < Division::Chapter;
        (!container, if container { count } else { 0 }, d, first)
    });
    let order: Vec<Division> = kinds.into_iter().map(|(d, _, _)| d).collect();
    move |d| order.iter().position(|&k| k == d).map_or(1, |p| p as u32 + 1)
}

/// The division a heading line names, if the line is one.
fn parse_division(line: &str) -> Option<Division> {
    if let Some(d) = parse_cjk_division(line) {
        return Some(d);
    }
    let (word, rest) = split_word(line);
    let division = match word.trim_end_matches('.').to_lowercase().as_str() {
        "volume" | "vol" => Division::Volume,
        "book" => Division::Book,
        "part" | "act" => Division::Part,
        "chapter" | "chap" | "letter" | "stave" | "canto" => Division::Chapter,
        "section" | "scene" => Division::Section,
        _ => return None,
    };
    let rest = parse_number(rest.trim_start())?;
    title_tail_ok(rest).then_some(division)
}

/// What may follow the number: nothing, a separator and a title, or a capitalised title.
fn title_tail_ok(rest: &str) -> bool {
    let rest = rest.trim_start_matches(['.', ':', ')']);
    if rest.trim().is_empty() {
        return true;
    }
    let trimmed = rest.trim_start();
    let Some(first) = trimmed.chars().next() else { return true };
    if matches!(first, '-' | '\u{2013}' | '\u{2014}' | ':' | '.') {
        return true;
    }
    // "CHAPTER IV THE FLIGHT", "Chapter 3 \"Home\"": a title, not a sentence going on.
    rest.len() != trimmed.len() && (first.is_uppercase() || matches!(first, '"' | '\'' | '\u{201C}' | '['))
}

/// Splits off the first word (up to whitespace).
fn split_word(s: &str) -> (&str, &str) {
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    }
}

/// Parses a number at the start of `s` (arabic, roman, English words, "the first"); returns
/// the rest of the line.
fn parse_number(s: &str) -> Option<&str> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 {
        let rest = &s[digits..];
        // "1", "1.", but not "1st" glued to letters or "1,000".
        return (!rest.starts_with(|c: char| c.is_alphanumeric() || c == ',')).then_some(rest);
    }
    let (bare, rest) = leading_word(s);
    if bare.is_empty() {
        return None;
    }
    if is_roman(bare) && !rest.starts_with(',') {
        return Some(rest);
    }
    // "the First", "the Twenty-First"
    if bare.eq_ignore_ascii_case("the") {
        let (word, rest) = leading_word(rest.trim_start());
        return number_words(word).then_some(rest);
    }
    if number_words(bare) {
        return Some(rest);
    }
    // "Twenty One" as two words.
    let (second, after) = leading_word(rest.trim_start());
    let spaced = rest.starts_with(char::is_whitespace);
    (spaced && !second.is_empty() && number_words(&format!("{bare}-{second}"))).then_some(after)
}

/// The leading run of letters and digits, with single hyphens inside ("twenty-one"), and the
/// rest ("First--Recalled" gives "First" and "--Recalled").
fn leading_word(s: &str) -> (&str, &str) {
    let mut end = 0;
    for (i, c) in s.char_indices() {
        if c.is_alphanumeric() {
            end = i + c.len_utf8();
        } else if !(c == '-' && i == end && i > 0 && s[i + 1..].starts_with(char::is_alphabetic)) {
            break;
        }
    }
    (&s[..end], &s[end..])
}

/// A valid roman numeral (any case, not mixed), 1..=3999.
pub(crate) fn is_roman(s: &str) -> bool {
    if s.is_empty() || !(s == s.to_ascii_uppercase() || s == s.to_ascii_lowercase()) {
        return false;
    }
    let u = s.to_ascii_uppercase();
    let mut rest = u.as_str();
    // Each decimal place: (one, five, ten) symbols, matched as ten-form, nine, five-form, four.
    for (one, five, ten) in [('M', ' ', ' '), ('C', 'D', 'M'), ('X', 'L', 'C'), ('I', 'V', 'X')] {
        rest = roman_place(rest, one, five, ten);
    }
    rest.is_empty()
}

fn roman_place(s: &str, one: char, five: char, ten: char) -> &str {
    let b = s.as_bytes();
    let at = |i: usize| b.get(i).map(|&c| c as char);
    if five != ' ' && at(0) == Some(one) && (at(1) == Some(ten) || at(1) == Some(five)) {
        return &s[2..];
    }
    let mut i = 0;
    if five != ' ' && at(0) == Some(five) {
        i = 1;
    }
    let mut ones = 0;
    while at(i) == Some(one) && ones < 3 {
        i += 1;
        ones += 1;
    }
    &s[i..]
}

/// One to nineteen in words, in order (the value is the index plus one).
pub const CARDINALS: [&str; 19] = [
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
/// Twenty to ninety in words, in order.
pub const TENS: [&str; 8] = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
/// First to nineteenth, in order.
const ORDINALS: [&str; 19] = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
];
/// Twentieth to ninetieth, in order.
const ORDINAL_TENS: [&str; 8] =
    ["twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth", "seventieth", "eightieth", "ninetieth"];

/// The value of a cardinal from one to ninety-nine in words ("seven", "twenty-one"; lower case).
pub fn cardinal_value(word: &str) -> Option<u32> {
    let at = |list: &[&str], w: &str| list.iter().position(|x| *x == w).map(|i| i as u32 + 1);
    match word.split_once('-') {
        Some((tens, unit)) => Some(at(&TENS, tens)? * 10 + 10 + at(&CARDINALS[..9], unit)?),
        None => at(&CARDINALS, word).or_else(|| at(&TENS, word).map(|t| t * 10 + 10)),
    }
}

/// English number words, cardinal or ordinal, one to ninety-nine (hyphenated compounds),
/// plus hundred.
fn number_words(s: &str) -> bool {
    let lower = s.to_lowercase();
    let unit = |w: &str| CARDINALS[..9].contains(&w) || ORDINALS[..9].contains(&w);
    match lower.split_once('-') {
        Some((tens, rest)) => TENS.contains(&tens) && unit(rest),
        None => {
            let w = lower.as_str();
            CARDINALS.contains(&w)
                || ORDINALS.contains(&w)
                || TENS.contains(&w)
                || ORDINAL_TENS.contains(&w)
                || matches!(w, "hundred" | "hundredth")
        }
    }
}

/// 第 + number + 卷/部/篇/章/回/节/節, optionally followed by a title.
fn parse_cjk_division(line: &str) -> Option<Division> {
    let rest = line.strip_prefix('第')?;
    let numeral = |c: char| c.is_ascii_digit() || "〇零一二三四五六七八九十百千两".contains(c);
    let n = rest.chars().take_while(|&c| numeral(c)).count();
    if n == 0 {
        return None;
    }
    match rest.chars().nth(n)? {
        '卷' => Some(Division::Volume),
        '部' => Some(Division::Book),
        '篇' => Some(Division::Part),
        '章' | '回' => Some(Division::Chapter),
        '节' | '節' => Some(Division::Section),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Markdown

fn markdown_headings(doc: &Document, lines: &[Line]) -> Vec<Heading> {
    let mut raw: Vec<(usize, u32)> = Vec::new(); // (line index, level)
    let mut titles: Vec<String> = Vec::new();
    let mut fence: Option<&str> = None;
    for (i, line) in lines.iter().enumerate() {
        let t = line.text;
        if let Some(marker) = fence {
            if t.starts_with(marker) {
                fence = None;
            }
            continue;
        }
        if t.starts_with("```") || t.starts_with("~~~") {
            fence = Some(&t[..3]);
            continue;
        }
        if line.indent >= 4 {
            continue;
        }
        if let Some((level, title)) = atx(t) {
            raw.push((i, level));
            titles.push(plain_title(title));
            continue;
        }
        let underline = lines.get(i + 1).map(|l| l.text).unwrap_or("");
        let setext_level = if !underline.is_empty() && underline.bytes().all(|b| b == b'=') {
            Some(1)
        } else if underline.len() >= 2 && underline.bytes().all(|b| b == b'-') {
            Some(2)
        } else {
            None
        };
        let starts_paragraph = i == 0 || lines[i - 1].blank();
        if let Some(level) =
            setext_level.filter(|_| !line.blank() && starts_paragraph && !t.starts_with(['-', '*', '>']))
        {
            raw.push((i, level));
            titles.push(plain_title(t));
        }
    }
    // Levels present, renumbered from 1 so a document of `##` and `###` gets levels 1 and 2.
    let mut present: Vec<u32> = raw.iter().map(|&(_, l)| l).collect();
    present.sort_unstable();
    present.dedup();
    raw.into_iter()
        .zip(titles)
        .map(|((i, level), title)| Heading {
            title,
            level: present.iter().position(|&l| l == level).map_or(1, |p| p as u32 + 1),
            start: lines[i].start,
            page: doc.page_at(lines[i].start),
        })
        .collect()
}

/// A Markdown heading's text as a reader sees it: links become their text, images and badges
/// go, emphasis and code marks go, `&nbsp;`-style entities become spaces.
fn plain_title(md: &str) -> String {
    let title = strip_markup(md).split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() { md.trim().to_string() } else { title }
}

fn strip_markup(md: &str) -> String {
    let mut out = String::new();
    let mut rest = md;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("![") {
            // An image: drop its alt text and target.
            let end = closing_bracket(after);
            rest = skip_link_target(after.get(end + 1..).unwrap_or(""));
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = closing_bracket(after);
            out.push_str(&strip_markup(&after[..end]));
            rest = skip_link_target(after.get(end + 1..).unwrap_or(""));
        } else if c == '&'
            && rest[1..].find(';').is_some_and(|i| i <= 8 && rest[1..=i].chars().all(char::is_alphanumeric))
        {
            out.push(' ');
            rest = &rest[rest.find(';').map_or(rest.len(), |i| i + 1)..];
        } else {
            if !matches!(c, '*' | '`')
                && !(c == '_'
                    && (out.is_empty()
                        || out.ends_with(' ')
                        || rest[1..].starts_with([' ', '_'])
                        || rest.len() == 1))
            {
                out.push(c);
            }
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Index of the `]` closing a `[` already consumed (nested brackets allowed), or the end.
fn closing_bracket(s: &str) -> usize {
    let mut depth = 1;
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    s.len()
}

/// Skips a link target right after `]`: `(url)` or `[ref]`.
fn skip_link_target(s: &str) -> &str {
    let close = if s.starts_with('(') {
        ')'
    } else if s.starts_with('[') {
        ']'
    } else {
        return s;
    };
    s.find(close).map_or("", |i| &s[i + 1..])
}

/// `# Title`, `## Title ##`: level and title.
pub(crate) fn atx(line: &str) -> Option<(u32, &str)> {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &line[hashes..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let title = rest.trim().trim_end_matches('#').trim_end();
    (!title.is_empty()).then_some((hashes as u32, title))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headings(text: &str, markdown: bool) -> Vec<(String, u32)> {
        let name = if markdown { "a.md" } else { "a.txt" };
        let doc = Document::from_bytes(name, text.as_bytes()).unwrap();
        detect(&doc).into_iter().map(|h| (h.title, h.level)).collect()
    }

    fn titles(text: &str) -> Vec<String> {
        headings(text, false).into_iter().map(|(t, _)| t).collect()
    }

    const PROSE: &str = "Some prose that runs on for a while.\nAnd another line of it.\n\n";

    #[test]
    fn number_words_have_their_values_and_ordinals_none() {
        assert_eq!(cardinal_value("seven"), Some(7));
        assert_eq!(cardinal_value("nineteen"), Some(19));
        assert_eq!(cardinal_value("twenty"), Some(20));
        assert_eq!(cardinal_value("twenty-one"), Some(21));
        assert_eq!(cardinal_value("ninety-nine"), Some(99));
        assert_eq!(cardinal_value("first"), None);
        assert_eq!(cardinal_value("twenty-first"), None);
        assert_eq!(cardinal_value("twenty-twelve"), None);
        assert!(number_words("Twenty-First") && number_words("hundredth") && !number_words("twenty-twelve"));
    }

    #[test]
    fn chapter_patterns_in_any_case_and_numbering() {
        for line in [
            "Chapter 1",
            "CHAPTER IV",
            "chapter xii.",
            "Chapter the First",
            "CHAPTER TWENTY-ONE",
            "Chapter Twenty One",
            "BOOK THE SECOND",
            "Book the First--Recalled to Life",
            "Part 2: The Return",
            "CHAPTER I. THE PERIOD",
            "Letter 4",
            "第三章 归来",
        ] {
            let text = format!("{PROSE}{line}\n\n{PROSE}");
            assert_eq!(titles(&text), [line], "{line}");
        }
    }

    #[test]
    fn centred_heading_starts_at_its_line() {
        let text = format!("{PROSE}           CHAPTER I\n\n{PROSE}");
        let doc = Document::from_bytes("a.txt", text.as_bytes()).unwrap();
        let found = detect(&doc);
        assert_eq!(found[0].title, "CHAPTER I");
        assert_eq!(found[0].start, PROSE.len());
    }

    #[test]
    fn mentions_in_prose_are_not_headings() {
        for text in [
            "He had read\nChapter 4\nof the book twice.\n\n",
            "She turned to the next page.\n\nChapter 3 was the one she liked best.\n\n",
            "Part of the afternoon was spent walking.\n\n",
            "Book 1,000 copies.\n\n",
            "Chapter and verse.\n\n",
        ] {
            assert!(titles(&format!("{PROSE}{text}{PROSE}")).is_empty(), "{text:?}");
        }
    }

    #[test]
    fn volume_over_chapter_gives_two_levels_with_restarting_numbers() {
        let text = format!(
            "EMMA\n\nVOLUME I\n\nCHAPTER I\n\n{PROSE}CHAPTER II\n\n{PROSE}VOLUME II\n\nCHAPTER I\n\n{PROSE}"
        );
        let the = format!("BOOK THE FIRST\n\nCHAPTER I\n\n{PROSE}BOOK THE SECOND\n\nCHAPTER I\n\n{PROSE}");
        let levels: Vec<u32> = headings(&the, false).into_iter().map(|(_, l)| l).collect();
        assert_eq!(levels, [1, 2, 1, 2]);
        let got = headings(&text, false);
        let want: Vec<(String, u32)> =
            [("VOLUME I", 1), ("CHAPTER I", 2), ("CHAPTER II", 2), ("VOLUME II", 1), ("CHAPTER I", 2)]
                .into_iter()
                .map(|(t, l)| (t.to_string(), l))
                .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn contents_list_is_not_taken_for_headings() {
        let text =
            format!("CONTENTS\n\nChapter 1\n\nChapter 2\n\n\n\nChapter 1\n\n{PROSE}Chapter 2\n\n{PROSE}");
        let doc = Document::from_bytes("a.txt", text.as_bytes()).unwrap();
        let found = detect(&doc);
        assert_eq!(found.len(), 2);
        assert_eq!(&doc.text[found[0].start..found[0].start + 9], "Chapter 1");
        assert!(found[0].start > text.find("\n\n\n\n").unwrap());
    }

    #[test]
    fn bare_numbered_chapters_need_a_counting_sequence() {
        let text = format!(
            "{PROSE}I.\n\n{PROSE}II. THE LEAGUE\n\n{PROSE}III\n\n{PROSE}1999\n\n{PROSE}IV.\n\n{PROSE}"
        );
        assert_eq!(titles(&text), ["I.", "II. THE LEAGUE", "III", "IV."]);
        // Two numbers, or numbers that do not count up, are not chapters.
        assert!(titles(&format!("{PROSE}I.\n\n{PROSE}II.\n\n{PROSE}")).is_empty());
        assert!(titles(&format!("{PROSE}3\n\n{PROSE}7\n\n{PROSE}12\n\n{PROSE}")).is_empty());
        assert_eq!(roman_value("MCMXCIX"), 1999);
    }

    #[test]
    fn numbered_chapters_under_books() {
        let text = format!(
            "Book the First--Recalled to Life\n\nI. The Period\n\n{PROSE}II. The Mail\n\n{PROSE}\
             Book the Second--the Golden Thread\n\nI. Five Years Later\n\n{PROSE}II. A Sight\n\n{PROSE}"
        );
        let levels: Vec<u32> = headings(&text, false).into_iter().map(|(_, l)| l).collect();
        assert_eq!(levels, [1, 2, 2, 1, 2, 2]);
    }

    #[test]
    fn plays_give_acts_over_scenes() {
        let text = format!("ACT I\n\nSCENE 1\n\n{PROSE}SCENE 2\n\n{PROSE}ACT II\n\nSCENE 1\n\n{PROSE}");
        let levels: Vec<u32> = headings(&text, false).into_iter().map(|(_, l)| l).collect();
        assert_eq!(levels, [1, 2, 2, 1, 2]);
    }

    #[test]
    fn contents_list_with_titles_is_not_taken_for_headings() {
        let text = format!(
            "CONTENTS\n\nCHAPTER I. Down the Rabbit-Hole\n\nCHAPTER II. The Pool of Tears\n\n\n\n\
             CHAPTER I.\nDown the Rabbit-Hole\n\n{PROSE}CHAPTER II.\nThe Pool of Tears\n\n{PROSE}"
        );
        assert_eq!(titles(&text), ["CHAPTER I.", "CHAPTER II."]);
        let doc = Document::from_bytes("a.txt", text.as_bytes()).unwrap();
        assert!(detect(&doc)[0].start > text.find("\n\n\n\n").unwrap());
    }

    #[test]
    fn markdown_titles_lose_their_markup() {
        assert_eq!(plain_title("[2.0.1](https://x.org/compare) - 2025-06-09"), "2.0.1 - 2025-06-09");
        assert_eq!(plain_title("Serde &emsp; [![Build Status]][actions] [![msrv]](https://b)"), "Serde");
        assert_eq!(plain_title("The **`snake_case`** _rule_"), "The snake_case rule");
        assert_eq!(plain_title("[]()"), "[]()");
    }

    #[test]
    fn roman_numerals_are_validated() {
        for ok in ["I", "iv", "XLII", "MCMXCIX", "xix"] {
            assert!(is_roman(ok), "{ok}");
        }
        for bad in ["", "IIII", "VX", "IC", "Mix", "civil", "did"] {
            assert!(!is_roman(bad), "{bad}");
        }
    }

    #[test]
    fn markdown_atx_and_setext_outside_code() {
        let text = "Intro\n=====\n\nText.\n\n## Install\n\n```sh\n# not a heading\n```\n\n    # indented code\n\n\
                    Usage\n-----\n\n### Flags ###\n";
        let got = headings(text, true);
        let want: Vec<(String, u32)> = [("Intro", 1), ("Install", 2), ("Usage", 2), ("Flags", 3)]
            .into_iter()
            .map(|(t, l)| (t.to_string(), l))
            .collect();
        assert_eq!(got, want);
    }
}
