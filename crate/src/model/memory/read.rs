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

/// Reads windows with one model and one session sized for the longest window and its repeat.
pub struct WindowReader<'a> {
    model: &'a Llama,
    session: Session,
    repeat: Vec<u32>,
    settings: Settings,
    shape: Shape,
}

impl<'a> WindowReader<'a> {
    pub fn new(model: &'a Llama, settings: Settings) -> Result<WindowReader<'a>, ModelError> {
        let repeat = model.tokenizer.encode(REPEAT_PROMPT)?;
        let n_ctx = 2 * settings.window + repeat.len();
        if n_ctx > model.cfg.n_ctx_train {
            return Err(ModelError::ContextFull(model.cfg.n_ctx_train));
        }
        let session = model.session(n_ctx);
        Ok(WindowReader { model, session, repeat, settings, shape: Shape::of(&model.cfg) })
    }

    /// Reads `w` and condenses it.
    pub fn read(&mut self, w: &Window) -> Result<WindowMemory, ModelError> {
        let (model, s) = (self.model, &mut self.session);
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
        let keep = super::condense::kept(n, self.settings.ratio);
        let runs = n_layer * n_kv_head;
        let mut out = WindowMemory {
            span: w.span,
            tokens: n,
            keep,
            pos: Vec::with_capacity(runs * keep),
            score: Vec::with_capacity(runs * keep),
            k: Vec::with_capacity(runs * keep * hd),
            v: Vec::with_capacity(runs * keep * hd),
        };
        let mut angles = vec![(0.0, 0.0); c.rope_dims / 2];
        let (mut k, mut v) = (vec![0.0f32; n * hd], vec![0.0f32; n * hd]);
        for l in 0..n_layer {
            for g in 0..n_kv_head {
                for p in 0..n {
                    let at = s.kv.at(l, p) + g * hd;
                    let (kp, vp) = (&mut k[p * hd..(p + 1) * hd], &mut v[p * hd..(p + 1) * hd]);
                    for (i, x) in kp.iter_mut().enumerate() {
                        *x = f16_to_f32(s.kv.k[at + i]);
                    }
                    for (i, x) in vp.iter_mut().enumerate() {
                        *x = f16_to_f32(s.kv.v[at + i]);
                    }
                    unrotate(kp, hd, p, c.rope_base, c.rope_dims, &mut angles);
                }
                let cond = condense(self.settings.rule, &k, &v, probe.of(l, g), hd, self.settings.ratio);
                out.pos.extend_from_slice(&cond.pos);
                out.score.extend_from_slice(&cond.score);
                out.k.extend(cond.k.iter().map(|&x| f32_to_f16(x)));
                out.v.extend(cond.v.iter().map(|&x| f32_to_f16(x)));
            }
        }
        Ok(out)
    }
}
