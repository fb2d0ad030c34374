//! The heading scorer: a line's layout and text signals in, a logistic score out (a heading
//! when above zero). `tome eval headings` fits its weights on the dev PDFs' bookmarks (logistic
//! regression, each document weighted equally) and checks them leave-one-document-out against
//! the weights in use ([`IN_USE`]); nothing is tuned per file.

use std::collections::HashMap;

use super::patterns::label_depth;
use crate::doc::{Block, Document};

/// Number of signals, the bias included.
pub const FEATURES: usize = 17;
pub type Weights = [f32; FEATURES];

/// What each weight multiplies, in order.
pub const FEATURE_NAMES: [&str; FEATURES] = [
    "bias",
    "size_above_body",
    "larger_than_body",
    "larger_or_bold",
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
    "first_or_last_on_page",
    "starts_lower_case",
    "repeats",
];

/// The weights in use: the larger-or-bold rule, not a fit. `tome eval headings ../shared/eval`
/// (2026-12-06; dev PDFs with bookmarks: R-intro, acmart-sample-sigconf, debian-reference,
/// fullrefman, thuthesis; each weighted equally; 3000 steps of gradient descent, L2 1e-3) fit
/// [-5.27, 0.33, 1.45, 1.42, 2.28, 2.74, -0.08, -0.15, 0.63, 0.92, -0.38, -0.38, -0.66, 0.52,
/// 0.51, -1.21, -1.65], but left one document out that fit scored title+page F1 0.993 / 0.906 /
/// 0.998 / 0.019 / 0.699 (mean 0.723) where this rule scores 0.993 / 0.967 / 0.998 / 0.021 /
/// 0.943 (mean 0.784): on five documents the fit does not generalize better, so the rule stays
/// until the command says otherwise on more documents.
pub const IN_USE: Weights = LARGER_OR_BOLD;

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
        flag(b.font_size >= ctx.body + 0.8),
        flag(b.font_size >= ctx.body + 0.8 || (b.bold && b.font_size >= 0.75 * ctx.body)),
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
        flag(first_on_page || below.is_none_or(|l| l.page != b.page)),
        flag(text.starts_with(char::is_lowercase)),
        (repeats.ln() / 3.0).min(3.0),
    ]
}

/// The rule the scorer replaced, as weights: a heading is set larger than the body, or bold.
pub const LARGER_OR_BOLD: Weights = {
    let mut w = [0.0; FEATURES];
    w[0] = -0.5;
    w[3] = 1.0;
    w
};

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
            x[4] = if bold { 1.0 } else { 0.0 };
            samples.push((x, bold && k != 8, 1.0));
        }
        let w = fit(&samples);
        let mut bold = [0.0; FEATURES];
        bold[0] = 1.0;
        bold[4] = 1.0;
        let mut plain = [0.0; FEATURES];
        plain[0] = 1.0;
        assert!(score(&w, &bold) > 0.0 && score(&w, &plain) < 0.0, "{w:?}");
    }
}
