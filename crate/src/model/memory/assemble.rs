//! A session's cache laid out from a memory: [sink | condensed windows], then whatever the reading
//! pipeline feeds (its retrieved passages at full resolution, the question, the answer).
//!
//! Positions are given here: the sink at 0.., the chosen entries at the next positions in
//! document order, each key rotated for its new position. When the memory holds more entries than
//! the room left, each (layer, KV head) keeps its highest-scoring ones, so the positions never
//! pass the room (and the room never passes the trained context: the session is capped there).

use super::condense::{rotate, top_indices};
use super::{Memory, Shape};
use crate::cpu::f16::{f16_to_f32, f32_to_f16};
use crate::model::generate::Forward;
use crate::model::{Llama, ModelError, Session};

/// Document tokens fed fresh at the start of an assembled cache: the attention sink a context
/// normally has at its first positions (condensed windows' own first tokens were read at 0 too).
pub const SINK_TOKENS: usize = 4;

/// Positions a question's reading gets after the memory: its prompt (passages and question) and
/// the answer, as a plain reading session has.
pub const READ_ROOM: usize = 1024;

/// A session of the model's trained context holding `mem` after the sink of `doc`, with
/// [`READ_ROOM`] positions left for a reading; returns it and the positions the memory fills.
pub fn for_reading(
    model: &Llama,
    mem: &Memory,
    doc: &crate::Document,
) -> Result<(Session, usize), ModelError> {
    let mut session = model.session(model.cfg.n_ctx_train);
    let sink = sink_tokens(model, doc)?;
    let room = session.n_ctx().saturating_sub(READ_ROOM + sink.len());
    let prefix = assemble(model, mem, &sink, &mut session, room)?;
    Ok((session, prefix))
}

/// The first tokens of the document's body: the attention sink of an assembled cache.
pub fn sink_tokens(model: &Llama, doc: &crate::Document) -> Result<Vec<u32>, ModelError> {
    let body = &doc.text[doc.body.start..doc.body.end];
    let head: String = body.chars().take(64).collect();
    let mut ids = model.tokenizer.encode(&head)?;
    ids.truncate(SINK_TOKENS);
    Ok(ids)
}

/// Per (layer, KV head), the entries that go into the cache as (window, index in its run), in
/// document order, at most `room` and the same count for every (layer, KV head).
pub fn choose(mem: &Memory, room: usize) -> Vec<Vec<(u32, u32)>> {
    let Shape { n_layer, n_kv_head, .. } = mem.shape;
    let mut out = Vec::with_capacity(n_layer * n_kv_head);
    for l in 0..n_layer {
        for g in 0..n_kv_head {
            let mut all = Vec::new();
            let mut scores = Vec::new();
            for (wi, w) in mem.windows.iter().enumerate() {
                let run = w.run(mem.shape, l, g);
                for (i, &s) in w.score[run].iter().enumerate() {
                    all.push((wi as u32, i as u32));
                    scores.push(s);
                }
            }
            if all.len() > room {
                all = top_indices(&scores, room).into_iter().map(|i| all[i]).collect();
            }
            out.push(all);
        }
    }
    out
}

/// Clears `s`, feeds the `sink` tokens, then writes the memory's chosen entries after them, at most
/// `room` positions more. Returns the positions used (the prefix every later feed comes after).
pub fn assemble(
    model: &Llama,
    mem: &Memory,
    sink: &[u32],
    s: &mut Session,
    room: usize,
) -> Result<usize, ModelError> {
    let c = &model.cfg;
    if super::Shape::of(c) != mem.shape {
        return Err(ModelError::Gguf("the memory was made by a model of another shape".into()));
    }
    s.clear();
    s.sparse = None;
    s.probe = None;
    if !sink.is_empty() {
        model.forward(s, sink)?;
    }
    let base = s.len();
    let room = room.min(s.n_ctx().saturating_sub(base));
    let chosen = choose(mem, room);
    let count = chosen.first().map_or(0, Vec::len);
    let hd = c.head_dim;
    let mut angles = vec![(0.0, 0.0); c.rope_dims / 2];
    let mut key = vec![0.0f32; hd];
    for l in 0..c.n_layer {
        for g in 0..c.n_kv_head {
            for (slot, &(wi, i)) in chosen[l * c.n_kv_head + g].iter().enumerate() {
                let w = &mem.windows[wi as usize];
                let e = w.run(mem.shape, l, g).start + i as usize;
                let src = e * hd..(e + 1) * hd;
                for (x, &h) in key.iter_mut().zip(&w.k[src.clone()]) {
                    *x = f16_to_f32(h);
                }
                rotate(&mut key, hd, base + slot, c.rope_base, c.rope_dims, &mut angles);
                let at = s.kv.at(l, base + slot) + g * hd;
                for (o, &x) in s.kv.k[at..at + hd].iter_mut().zip(&key) {
                    *o = f32_to_f16(x);
                }
                s.kv.v[at..at + hd].copy_from_slice(&w.v[src]);
            }
        }
    }
    s.kv.len = base + count;
    Ok(s.kv.len)
}

/// The CPU model over an assembled cache: to the reading pipeline a fresh context of the positions
/// after the memory; a reset goes back to the memory, not to nothing.
pub struct MemoryForward<'a> {
    pub model: &'a Llama,
    pub session: &'a mut Session,
    /// Positions the memory fills.
    pub prefix: usize,
}

impl Forward for MemoryForward<'_> {
    fn feed(&mut self, tokens: &[u32]) -> crate::Result<&[f32]> {
        Ok(self.model.forward(self.session, tokens)?)
    }
    fn len(&self) -> usize {
        self.session.len() - self.prefix
    }
    fn n_ctx(&self) -> usize {
        self.session.n_ctx() - self.prefix
    }
    fn reset(&mut self) {
        self.session.kv.truncate(self.prefix);
    }
}
