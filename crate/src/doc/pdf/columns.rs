//! Column gutters of a page: its rows of runs in, the x positions between columns of running
//! text out (none for a single column, a table, or a page too sparse to tell).

use std::collections::HashMap;

use super::lines::Run;

/// The x positions of column gutters, left to right (empty for a single column): vertical
/// strips that few rows cross, separating columns that each hold a good share of the text.
pub(super) fn gutters(rows: &[Vec<Run>], width: f32) -> Vec<f32> {
    if width.is_nan() || width <= 0.0 || rows.len() < 8 {
        return Vec::new();
    }
    let segments = segments(rows);
    let total: usize = segments.iter().map(|s| s.2).sum();
    let lo = segments.iter().map(|s| s.0).fold(f32::INFINITY, f32::min);
    let hi = segments.iter().map(|s| s.1).fold(f32::NEG_INFINITY, f32::max);
    if total == 0 || hi - lo < 0.3 * width {
        return Vec::new();
    }
    let crossing =
        |x: f32| -> usize { segments.iter().filter(|s| s.0 < x - 1.0 && s.1 > x + 1.0).map(|s| s.2).sum() };
    // Sample the middle of the text area; gutters are runs of x where (almost) the fewest
    // characters cross, and no more than a fifth of them (titles, figures across columns).
    let xs: Vec<f32> = (0..)
        .map(|i| lo + 0.1 * (hi - lo) + 1.5 * i as f32)
        .take_while(|&x| x <= hi - 0.1 * (hi - lo))
        .collect();
    let counts: Vec<usize> = xs.iter().map(|&x| crossing(x)).collect();
    let Some(&min) = counts.iter().min() else { return Vec::new() };
    if min * 5 > total {
        return Vec::new();
    }
    let ceiling = min + total / 40;
    let mut bounds = Vec::new();
    let mut run_start: Option<f32> = None;
    for (i, (&x, &c)) in xs.iter().zip(&counts).enumerate() {
        let low = c <= ceiling;
        if low && run_start.is_none() {
            run_start = Some(x);
        }
        let ends = !low || i + 1 == xs.len();
        if let (true, Some(from)) = (ends, run_start) {
            let to = if low { x } else { x - 1.5 };
            if to - from >= 3.0 {
                bounds.push((from + to) / 2.0);
            }
            run_start = None;
        }
    }
    // Drop gutters that leave a column with too little text (a table's gap, an indent).
    loop {
        let weak = weakest_column(&segments, &bounds, (lo, hi));
        match weak {
            None => return bounds,
            Some(_) if bounds.is_empty() => return bounds,
            Some(c) => {
                bounds.remove(c.min(bounds.len() - 1));
            }
        }
    }
}

/// Each row's runs merged at word-sized gaps, as (x0, x1, chars, row): per-word runs of one
/// line of a single column still make one segment crossing the middle.
fn segments(rows: &[Vec<Run>]) -> Vec<(f32, f32, usize, usize)> {
    let mut segments: Vec<(f32, f32, usize, usize)> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let mut cur: Option<(f32, f32, usize, f32)> = None;
        for r in row {
            let chars = r.text.chars().count();
            cur = match cur {
                Some((x0, x1, n, size)) if r.x0 - x1 <= 0.8 * size.max(r.size) => {
                    Some((x0, x1.max(r.x1), n + chars, size.max(r.size)))
                }
                Some((x0, x1, n, _)) => {
                    segments.push((x0, x1, n, i));
                    Some((r.x0, r.x1, chars, r.size))
                }
                None => Some((r.x0, r.x1, chars, r.size)),
            };
        }
        if let Some((x0, x1, n, _)) = cur {
            segments.push((x0, x1, n, i));
        }
    }
    segments
}

/// The first column (between consecutive bounds) that is not a column of running text: under
/// 12% of the characters, fewer than 6 rows, or rows that mostly leave the column half empty
/// or stop short of its right edge (the cells of a table, not a column of text).
fn weakest_column(
    segments: &[(f32, f32, usize, usize)],
    bounds: &[f32],
    (lo, hi): (f32, f32),
) -> Option<usize> {
    let total: usize = segments.iter().map(|s| s.2).sum();
    (0..=bounds.len()).find(|&c| {
        let left = if c == 0 { f32::NEG_INFINITY } else { bounds[c - 1] - 1.0 };
        let right = bounds.get(c).map_or(f32::INFINITY, |g| g + 1.0);
        let inside: Vec<_> = segments.iter().filter(|s| s.0 >= left && s.1 <= right).collect();
        let chars: usize = inside.iter().map(|s| s.2).sum();
        // The column's slot: from the gutter (or the text's edge) to the next gutter.
        let x0 = if c == 0 { lo } else { bounds[c - 1] };
        let x1 = bounds.get(c).copied().unwrap_or(hi);
        // Fill per row: the span from the row's first to its last piece inside the column.
        let mut extent: HashMap<usize, (f32, f32)> = HashMap::new();
        for s in &inside {
            let e = extent.entry(s.3).or_insert((s.0, s.1));
            *e = (e.0.min(s.0), e.1.max(s.1));
        }
        let mut fill: Vec<f32> = extent.values().map(|(a, b)| (b - a) / (x1 - x0).max(1.0)).collect();
        fill.sort_by(f32::total_cmp);
        let median_fill = fill.get(fill.len() / 2).copied().unwrap_or(0.0);
        // Running text (justified, or leaders out to page numbers) reaches the column's right
        // edge on most rows; table cells of varying length do not.
        let right_edge = extent.values().map(|e| e.1).fold(f32::NEG_INFINITY, f32::max);
        let at_edge = extent.values().filter(|e| e.1 >= right_edge - 0.08 * (x1 - x0)).count();
        chars * 100 < total * 12
            || extent.len() < 6
            || median_fill < 0.45
            || at_edge * 100 < extent.len() * 28
    })
}
