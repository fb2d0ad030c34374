//! Page layout: text runs with positions in, visual lines in reading order out.
//!
//! Runs (pdf_oxide's spans) are grouped into rows by baseline, rows are cut at a column gutter
//! when the page has two columns, and the pieces are ordered: for each band between full-width
//! rows, the left column top to bottom, then the right column, then the full-width row.
//! Each line also says whether a paragraph break comes before it.

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

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Side {
    Left,
    Right,
    Full,
}

/// Orders runs into lines. `width` is the page width in points.
pub(crate) fn lines(mut runs: Vec<Run>, width: f32) -> Vec<Line> {
    runs.retain(|r| !r.text.trim().is_empty() && r.size > 0.0 && r.x1.is_finite() && r.y.is_finite());
    if runs.is_empty() {
        return Vec::new();
    }
    let rows = rows(runs);
    let gutter = gutter(&rows, width);
    // Pieces of rows: (side, runs), one per column a row touches.
    let mut pieces: Vec<(Side, Vec<Run>)> = Vec::new();
    for row in rows {
        match gutter {
            Some(g) if !row.iter().any(|r| r.x0 < g - 1.0 && r.x1 > g + 1.0) => {
                let (left, right): (Vec<Run>, Vec<Run>) = row.into_iter().partition(|r| r.x1 <= g);
                if !left.is_empty() {
                    pieces.push((Side::Left, left));
                }
                if !right.is_empty() {
                    pieces.push((Side::Right, right));
                }
            }
            _ => pieces.push((Side::Full, row)),
        }
    }
    // Band of a piece = number of full-width rows above it; read each band's left column,
    // then its right column, then the full-width row that closes it.
    let mut band = 0usize;
    let mut keyed: Vec<((usize, Side, usize), Vec<Run>)> = Vec::with_capacity(pieces.len());
    for (i, (side, runs)) in pieces.into_iter().enumerate() {
        keyed.push(((band, side, i), runs));
        if side == Side::Full {
            band += 1;
        }
    }
    keyed.sort_by_key(|(k, _)| *k);
    let mut out: Vec<Line> = Vec::with_capacity(keyed.len());
    let mut prev_side = None;
    for ((band, side, _), runs) in keyed {
        let mut line = join(runs);
        line.para_break = match (out.last(), prev_side) {
            (None, _) => false,
            (Some(prev), Some(ps)) => ps != (band, side) || paragraph_gap(prev, &line),
            (Some(_), None) => true,
        };
        prev_side = Some((band, side));
        out.push(line);
    }
    out
}

/// A new paragraph starts when the vertical gap is clearly larger than the line spacing,
/// or the font size changes (headings).
fn paragraph_gap(prev: &Line, line: &Line) -> bool {
    let size = prev.size.max(line.size);
    let gap = prev.y - line.y;
    gap > 1.75 * size || gap < -0.5 * size || (prev.size - line.size).abs() > 0.9
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

/// The x of a two-column gutter, if the page has one: a vertical strip near the middle that
/// few rows cross, with substantial text on both sides.
fn gutter(rows: &[Vec<Run>], width: f32) -> Option<f32> {
    if width.is_nan() || width <= 0.0 || rows.len() < 8 {
        return None;
    }
    // Merge each row's runs into segments at word-sized gaps so that per-word runs of a
    // single-column line still cross the middle.
    let mut segments: Vec<(f32, f32, usize)> = Vec::new();
    for row in rows {
        let mut cur: Option<(f32, f32, usize, f32)> = None;
        for r in row {
            let chars = r.text.chars().count();
            cur = match cur {
                Some((x0, x1, n, size)) if r.x0 - x1 <= 1.5 * size.max(r.size) => {
                    Some((x0, x1.max(r.x1), n + chars, size.max(r.size)))
                }
                Some((x0, x1, n, _)) => {
                    segments.push((x0, x1, n));
                    Some((r.x0, r.x1, chars, r.size))
                }
                None => Some((r.x0, r.x1, chars, r.size)),
            };
        }
        if let Some((x0, x1, n, _)) = cur {
            segments.push((x0, x1, n));
        }
    }
    let total: usize = segments.iter().map(|s| s.2).sum();
    // The gutter is the middle of the strip (first to last x) where the fewest characters cross.
    let mut best: Option<(usize, f32, f32)> = None;
    let mut x = 0.3 * width;
    while x <= 0.7 * width {
        let crossing: usize = segments.iter().filter(|s| s.0 < x - 1.0 && s.1 > x + 1.0).map(|s| s.2).sum();
        best = match best {
            Some((c, from, _)) if crossing == c => Some((c, from, x)),
            Some((c, ..)) if crossing > c => best,
            _ => Some((crossing, x, x)),
        };
        x += 2.0;
    }
    let (crossing, from, to) = best?;
    let g = (from + to) / 2.0;
    let left: usize = segments.iter().filter(|s| s.1 <= g).map(|s| s.2).sum();
    let right: usize = segments.iter().filter(|s| s.0 >= g).map(|s| s.2).sum();
    let left_rows = segments.iter().filter(|s| s.1 <= g).count();
    let right_rows = segments.iter().filter(|s| s.0 >= g).count();
    let two_columns =
        crossing * 5 <= total && left * 4 >= total && right * 4 >= total && left_rows >= 6 && right_rows >= 6;
    two_columns.then_some(g)
}

/// Joins one row piece's runs (left to right) into a line.
fn join(runs: Vec<Run>) -> Line {
    let mut text = String::new();
    let mut prev: Option<&Run> = None;
    let mut size_chars: Vec<(f32, usize)> = Vec::new();
    let mut bold_chars = 0usize;
    let mut all_chars = 0usize;
    let mut height = 0.0f32;
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
        match size_chars.iter_mut().find(|(s, _)| (s - r.size).abs() < 0.25) {
            Some(e) => e.1 += n,
            None => size_chars.push((r.size, n)),
        }
        height = height.max(r.size);
        prev = Some(r);
    }
    let size = size_chars.iter().max_by_key(|(_, n)| *n).map_or(0.0, |(s, _)| *s);
    Line {
        text: clean(&text),
        x0: runs.iter().map(|r| r.x0).fold(f32::INFINITY, f32::min),
        x1: runs.iter().map(|r| r.x1).fold(f32::NEG_INFINITY, f32::max),
        y: runs.iter().map(|r| r.y).fold(f32::INFINITY, f32::min),
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
        Run { text: text.into(), x0, x1, y, size: 10.0, bold: false, space_before: false }
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
        let text: Vec<String> = lines(runs, 612.0).into_iter().map(|l| l.text).collect();
        assert_eq!(text[0], "Title across the page");
        assert_eq!(text[1], "left 0");
        assert_eq!(text[10], "left 9");
        assert_eq!(text[11], "right 0");
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
        assert!(out[0].text.starts_with("word word word"));
    }
}
