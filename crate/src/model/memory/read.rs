//! Reading one window into memory: the window from position 0, then a repeat prompt and the window
//! again; the attention the repeat's queries give each of the window's keys (max over queries and
//! the KV head's query heads) is that key's importance, as in KVzip (arXiv 2505.23416). Keys are
//! taken from the cache, un-rotated, and condensed per (layer, KV head).

use super::condense::{condense, unrotate};
use super::windows::Window;
use super::{Settings, Shape, WindowMemory};
use crate::cpu::f16::{f16_to_f32, f32_to_f16};
use crate::model::{Llama, ModelError, Session};

/// What the model is asked between a window and its repeat.
pub const REPEAT_PROMPT: &str = "\n\nRepeat the text above exactly.\n\n";

/// Reads windows with one session sized for the longest window and its repeat; the model is given
/// per window (the page keeps it in a slot of its own between windows).
pub struct WindowReader {
    session: Session,
    repeat: Vec<u32>,
    settings: Settings,
    shape: Shape,
}

impl WindowReader {
    pub fn new(model: &Llama, settings: Settings) -> Result<WindowReader, ModelError> {
        let repeat = model.tokenizer.encode(REPEAT_PROMPT)?;
        let n_ctx = 2 * settings.window + repeat.len();
        if n_ctx > model.cfg.n_ctx_train {
            return Err(ModelError::ContextFull(model.cfg.n_ctx_train));
        }
        let session = model.session(n_ctx);
        Ok(WindowReader { session, repeat, settings, shape: Shape::of(&model.cfg) })
    }

    /// Reads `w` with `model` (the one the reader was made for) and condenses it.
    pub fn read(&mut self, model: &Llama, w: &Window) -> Result<WindowMemory, ModelError> {
        Ok(self.read_raw(model, w)?.condense(self.settings))
    }

    /// Reads `w`: its un-rotated keys, values and importance, before condensing (so that several
    /// rules and ratios can be compared on one reading).
    pub fn read_raw(&mut self, model: &Llama, w: &Window) -> Result<RawWindow, ModelError> {
        if Shape::of(&model.cfg) != self.shape {
            return Err(ModelError::Gguf("the window reader was made for a model of another shape".into()));
        }
        let s = &mut self.session;
        let n = w.tokens.len();
        if n == 0 || n > self.settings.window {
            return Err(ModelError::ContextFull(self.settings.window));
        }
        s.clear();
        model.set_probe(s, n, n);
        model.forward(s, &w.tokens)?;
        let mut again = self.repeat.clone();
        again.extend_from_slice(&w.tokens);
        model.forward(s, &again)?;
        let Some(probe) = s.probe.take() else { return Err(ModelError::NoReading) };

        let Shape { n_layer, n_kv_head, head_dim: hd } = self.shape;
        let c = &model.cfg;
        let mut angles = vec![(0.0, 0.0); c.rope_dims / 2];
        let runs = n_layer * n_kv_head;
        let (mut k, mut v) = (vec![0.0f32; runs * n * hd], vec![0.0f32; runs * n * hd]);
        let mut score = Vec::with_capacity(runs * n);
        for l in 0..n_layer {
            for g in 0..n_kv_head {
                let run = (l * n_kv_head + g) * n * hd;
                for p in 0..n {
                    let at = s.kv.at(l, p) + g * hd;
                    let dst = run + p * hd..run + (p + 1) * hd;
                    for (x, &h) in k[dst.clone()].iter_mut().zip(&s.kv.k[at..at + hd]) {
                        *x = f16_to_f32(h);
                    }
                    for (x, &h) in v[dst.clone()].iter_mut().zip(&s.kv.v[at..at + hd]) {
                        *x = f16_to_f32(h);
                    }
                    unrotate(&mut k[dst], hd, p, c.rope_base, c.rope_dims, &mut angles);
                }
                score.extend_from_slice(probe.of(l, g));
            }
        }
        Ok(RawWindow { span: w.span, n, shape: self.shape, k, v, score })
    }
}

/// A window as read, before condensing.
pub struct RawWindow {
    pub span: crate::span::Span,
    pub n: usize,
    pub shape: Shape,
    /// (n_layer, n_kv_head, n, head_dim) un-rotated keys
    pub k: Vec<f32>,
    /// (n_layer, n_kv_head, n, head_dim) values
    pub v: Vec<f32>,
    /// (n_layer, n_kv_head, n) importance (reconstruction attention)
    pub score: Vec<f32>,
}

impl RawWindow {
    /// The window condensed by `settings`' rule and ratio.
    pub fn condense(&self, settings: Settings) -> WindowMemory {
        let Shape { n_layer, n_kv_head, head_dim: hd } = self.shape;
        let n = self.n;
        let keep = super::condense::kept(n, settings.ratio);
        let runs = n_layer * n_kv_head;
        let mut out = WindowMemory {
            span: self.span,
            tokens: n,
            keep,
            pos: Vec::with_capacity(runs * keep),
            score: Vec::with_capacity(runs * keep),
            k: Vec::with_capacity(runs * keep * hd),
            v: Vec::with_capacity(runs * keep * hd),
        };
        for r in 0..runs {
            let (kv, sc) = (r * n * hd..(r + 1) * n * hd, r * n..(r + 1) * n);
            let cond = condense(
                settings.rule,
                &self.k[kv.clone()],
                &self.v[kv],
                &self.score[sc],
                hd,
                settings.ratio,
            );
            out.pos.extend_from_slice(&cond.pos);
            out.score.extend_from_slice(&cond.score);
            out.k.extend(cond.k.iter().map(|&x| f32_to_f16(x)));
            out.v.extend(cond.v.iter().map(|&x| f32_to_f16(x)));
        }
        out
    }
}
