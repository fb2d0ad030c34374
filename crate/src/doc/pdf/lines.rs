//! Page layout: text runs with positions in, visual lines in reading order out.
//!
//! Runs (pdf_oxide's spans) are grouped into rows by baseline, rows are cut at the column
//! gutters when the page has several columns, and the pieces are ordered: for each band between
//! full-width rows, each column top to bottom, left to right, then the full-width row.
//! Each line also says whether a paragraph break comes before it.

use super::columns::gutters;

/// One run of text in one font, as the PDF draws it.
#[derive(Debug, Clone)]
pub(crate) struct Run {
    pub text: String,
    pub x0: f32,
    pub x1: f32,
    /// Bottom of the run in PDF space (y grows upwards).
    pub y: f32,
    pub size: f32,
    pub bold: bool,
    /// Set in a fixed-pitch (code) font.
    pub mono: bool,
    /// A space-only run came just before this one in the content stream.
    pub space_before: bool,
}

/// One visual line, text already joined.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    pub text: String,
    pub x0: f32,
    pub x1: f32,
    pub y: f32,
    /// Height of the tallest run, for the block's box.
    pub height: f32,
    /// Font size of most of the line's characters.
    pub size: f32,
    /// Most of the line's characters are bold.
    pub bold: bool,
    /// A blank line (paragraph break) goes before this line.
    pub para_break: bool,
}

/// Orders runs into lines. `width` is the page width in points.
pub(crate) fn lines(mut runs: Vec<Run>, width: f32) -> Vec<Line> {
    runs.retain(|r| !r.text.trim().is_empty() && r.size > 0.0 && r.x1.is_finite() && r.y.is_finite());
    if runs.is_empty() {
        return Vec::new();
    }
    let rows = rows(runs);
    let bounds = gutters(&rows, width);
    let full = bounds.len() + 1;
    // Pieces of rows: (column, runs), one per column a row touches; `full` for rows that
    // cross a gutter.
    let column_of = |r: &Run| {
        let c = bounds.partition_point(|&g| g < r.x0 + 1.0);
        let fits = bounds.get(c).is_none_or(|&g| r.x1 <= g + 1.0);
        fits.then_some(c)
    };
    let mut pieces: Vec<(usize, Vec<Run>)> = Vec::new();
    for row in rows {
        if bounds.is_empty() || row.iter().any(|r| column_of(r).is_none()) {
            pieces.push((full, row));
            continue;
        }
        let mut by_column: Vec<Vec<Run>> = vec![Vec::new(); full];
        for r in row {
            let c = column_of(&r).unwrap_or(0);
            by_column[c].push(r);
        }
        pieces.extend(by_column.into_iter().enumerate().filter(|(_, runs)| !runs.is_empty()));
    }
    // Band of a piece = number of full-width rows above it; read each band's columns left to
    // right, each top to bottom, then the full-width row that closes the band.
    let mut band = 0usize;
    let mut keyed: Vec<((usize, usize, usize), Vec<Run>)> = Vec::with_capacity(pieces.len());
    for (i, (column, runs)) in pieces.into_iter().enumerate() {
        keyed.push(((band, column, i), runs));
        if column == full {
            band += 1;
        }
    }
    keyed.sort_by_key(|(k, _)| *k);
    let placed: Vec<((usize, usize), Line)> =
        keyed.into_iter().map(|((b, c, _), runs)| ((b, c), join(runs))).collect();
    // Consecutive full-width rows are one flow (each closes its own band); otherwise a change
    // of column or band is a paragraph break.
    let same_flow = |a: (usize, usize), b: (usize, usize)| a == b || (a.1 == full && b.1 == full);
    let pitch = line_pitch(&placed, same_flow);
    let mut out: Vec<Line> = Vec::with_capacity(placed.len());
    let mut prev_place = None;
    for (place, mut line) in placed {
        line.para_break = match (out.last(), prev_place) {
            (Some(prev), Some(p)) => !same_flow(p, place) || paragraph_gap(prev, &line, pitch),
            _ => false,
        };
        prev_place = Some(place);
        out.push(line);
    }
    out
}

/// The page's usual baseline-to-baseline distance within a paragraph, relative to font size
/// (the lower quartile over consecutive lines of one flow and size: pitches between paragraphs
/// are larger), if there are enough lines to tell.
fn line_pitch(
    placed: &[((usize, usize), Line)],
    same_flow: impl Fn((usize, usize), (usize, usize)) -> bool,
) -> Option<f32> {
    let mut ratios: Vec<f32> = placed
        .windows(2)
        .filter(|w| same_flow(w[0].0, w[1].0) && (w[0].1.size - w[1].1.size).abs() < 0.3 && w[0].1.size > 0.0)
        .map(|w| (w[0].1.y - w[1].1.y) / w[0].1.size)
        .filter(|r| *r > 0.8 && *r < 2.5)
        .collect();
    if ratios.len() < 4 {
        return None;
    }
    ratios.sort_by(f32::total_cmp);
    Some(ratios[ratios.len() / 4])
}

/// A new paragraph starts when the vertical gap is clearly larger than the page's usual line
/// pitch, or the font size changes (headings).
fn paragraph_gap(prev: &Line, line: &Line, pitch: Option<f32>) -> bool {
    let size = prev.size.max(line.size);
    let gap = prev.y - line.y;
    let limit = pitch.map_or(1.75, |p| (1.15 * p).min(1.75)) * size;
    gap > limit || gap < -0.5 * size || (prev.size - line.size).abs() > 0.9
}

/// Groups runs into rows of (nearly) the same baseline, top to bottom, each row left to right.
fn rows(mut runs: Vec<Run>) -> Vec<Vec<Run>> {
    runs.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x0.total_cmp(&b.x0)));
    let mut rows: Vec<Vec<Run>> = Vec::new();
    let mut row_y = f32::NAN;
    let mut row_size = 0.0f32;
    for run in runs {
        // Sub/superscripts sit a little off the baseline; a new row needs a real step down.
        let tolerance = 0.45 * row_size.min(run.size);
        if rows.is_empty() || (row_y - run.y) > tolerance {
            row_y = run.y;
            row_size = run.size;
            rows.push(vec![run]);
        } else if let Some(row) = rows.last_mut() {
            row_size = row_size.max(run.size);
            row.push(run);
        }
    }
    for row in &mut rows {
        row.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    }
    rows
}

/// Joins one row piece's runs (left to right) into a line.
fn join(runs: Vec<Run>) -> Line {
    let mut text = String::new();
    let mut prev: Option<&Run> = None;
    let mut size_width: Vec<(f32, f32)> = Vec::new();
    let mut bold_chars = 0usize;
    let mut all_chars = 0usize;
    let mut height = 0.0f32;
    let all_mono = runs.iter().all(|r| r.mono);
    for r in &runs {
        let piece = r.text.trim_end();
        let piece = if prev.is_none() { piece.trim_start() } else { piece };
        if let Some(p) = prev {
            let gap = r.x0 - p.x1;
            let em = p.size.max(r.size);
            let last = text.chars().next_back();
            let first = piece.chars().next();
            let cjk = last.is_some_and(is_cjk) && first.is_some_and(is_cjk);
            // The PDF's own spaces (at a run's ends, or as space-only runs) count as much as gaps.
            let spaced = r.space_before
                || p.text.ends_with(char::is_whitespace)
                || r.text.starts_with(char::is_whitespace);
            let wants_space = if cjk { gap > 1.0 * em } else { spaced || gap > 0.12 * em };
            if wants_space
                && !last.is_some_and(char::is_whitespace)
                && !first.is_some_and(char::is_whitespace)
            {
                text.push(' ');
            }
        }
        let n = piece.chars().count();
        text.push_str(piece);
        all_chars += n;
        if r.bold {
            bold_chars += n;
        }
        // The line's size is the one covering most of its width: a CJK character is twice as
        // wide as a Latin one, so counting characters would favour inline code.
        // Code fonts are often scaled up beside CJK text; they only decide for all-code lines.
        let width = (r.x1 - r.x0).max(0.0) * if r.mono && !all_mono { 0.1 } else { 1.0 };
        match size_width.iter_mut().find(|(s, _)| (s - r.size).abs() < 0.25) {
            Some(e) => e.1 += width,
            None => size_width.push((r.size, width)),
        }
        height = height.max(r.size);
        prev = Some(r);
    }
    let size = size_width.iter().max_by(|a, b| a.1.total_cmp(&b.1)).map_or(0.0, |(s, _)| *s);
    Line {
        text: clean(&text),
        x0: runs.iter().map(|r| r.x0).fold(f32::INFINITY, f32::min),
        x1: runs.iter().map(|r| r.x1).fold(f32::NEG_INFINITY, f32::max),
        // The baseline of the longest run: sub- and superscripts do not move the line.
        y: runs.iter().max_by_key(|r| r.text.len()).map_or(0.0, |r| r.y),
        height,
        size,
        bold: bold_chars * 2 > all_chars,
        para_break: false,
    }
}

/// Collapses whitespace runs (tabs, newlines inside runs) to single spaces and drops control
/// characters, so that "\n" in the document text always means a line break.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.trim().chars() {
        if c.is_whitespace() {
            space = true;
        } else if !c.is_control() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

/// Han, kana, hangul and CJK punctuation: scripts written without spaces between words.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF | 0x3000..=0x303F | 0x3040..=0x30FF | 0x3100..=0x31BF | 0x31F0..=0x31FF
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF
        | 0x20000..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, x0: f32, x1: f32, y: f32) -> Run {
        Run { text: text.into(), x0, x1, y, size: 10.0, bold: false, mono: false, space_before: false }
    }

    #[test]
    fn joins_words_with_spaces_and_cjk_without() {
        let line = join(vec![run("Hello", 0.0, 25.0, 0.0), run("world", 28.0, 50.0, 0.0)]);
        assert_eq!(line.text, "Hello world");
        let line = join(vec![run("中文", 0.0, 20.0, 0.0), run("字符", 20.3, 40.0, 0.0)]);
        assert_eq!(line.text, "中文字符");
    }

    #[test]
    fn two_columns_read_left_then_right() {
        let mut runs = vec![run("Title across the page", 100.0, 500.0, 760.0)];
        for i in 0..10 {
            let y = 700.0 - 12.0 * i as f32;
            runs.push(run(&format!("left {i}"), 50.0, 290.0, y));
            runs.push(run(&format!("right {i}"), 320.0, 560.0, y));
        }
        let out = lines(runs, 612.0);
        assert!(out[1].para_break && !out[2].para_break, "a column is one paragraph");
        let text: Vec<String> = out.into_iter().map(|l| l.text).collect();
        assert_eq!(text[0], "Title across the page");
        assert_eq!(text[1], "left 0");
        assert_eq!(text[10], "left 9");
        assert_eq!(text[11], "right 0");
    }

    #[test]
    fn a_table_is_read_row_by_row() {
        // Short names on the left, descriptions on the right: cells, not columns of text.
        let mut runs = Vec::new();
        for i in 0..12 {
            let y = 700.0 - 12.0 * i as f32;
            runs.push(run(&format!("pkg{i}"), 50.0, 80.0, y));
            runs.push(run(&format!("what package {i} does"), 320.0, 420.0 + 10.0 * i as f32, y));
        }
        let out = lines(runs, 612.0);
        assert_eq!(out[1].text, "pkg1 what package 1 does");
    }

    #[test]
    fn single_column_of_word_runs_stays_one_column() {
        let mut runs = Vec::new();
        for i in 0..12 {
            let y = 700.0 - 12.0 * i as f32;
            for w in 0..10 {
                let x = 50.0 + 50.0 * w as f32;
                runs.push(run("word", x, x + 45.0, y));
            }
        }
        let out = lines(runs, 612.0);
        assert_eq!(out.len(), 12);
        assert!(out.iter().skip(1).all(|l| !l.para_break), "evenly spaced lines are one paragraph");
        assert!(out[0].text.starts_with("word word word"));
    }
}
