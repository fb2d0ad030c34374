//! A prompt opening that many prompts share, read once: its ids and the KV cache they fill. A new
//! session whose prompt starts with those ids gets a copy of that KV and only prefills the rest.
//!
//! The reader's prompts all open with the same chat template and instructions (~50 tokens of ~400),
//! so the page computes that opening once per loaded model and each question skips it.
//!
//! Exact by construction: a position's keys and values depend only on the tokens up to it (causal
//! attention), the CPU forward computes each row the same way whatever the chunk it comes in
//! (tests/model_prefix.rs checks the greedy ids), and what is reused is the longest common run of
//! *token ids*, not of text, so a tokenizer that merges across the opening's end just reuses a
//! token less.

use super::ModelError;
use super::kv_cache::KvCache;
use super::llama::{Llama, Session};

pub struct SharedPrefix {
    /// (n,) the opening's token ids
    ids: Vec<u32>,
    /// KV of those n positions, (n_layer, n, kv_dim)
    kv: KvCache,
}

impl SharedPrefix {
    /// Reads `ids` once through `model`.
    pub fn new(model: &Llama, ids: Vec<u32>) -> Result<SharedPrefix, ModelError> {
        let mut session = model.session(ids.len());
        model.forward(&mut session, &ids)?;
        let kv = std::mem::replace(&mut session.kv, KvCache::new(0, 0, 0));
        Ok(SharedPrefix { ids, kv })
    }

    pub fn ids(&self) -> &[u32] {
        &self.ids
    }

    /// How many leading tokens of `prompt` a session can take from here: the common run of ids,
    /// short of the prompt's last token (it is always fed, for the logits that pick the first answer
    /// token).
    pub fn reusable(&self, prompt: &[u32]) -> usize {
        let common = self.ids.iter().zip(prompt).take_while(|(a, b)| a == b).count();
        common.min(prompt.len().saturating_sub(1)).min(self.kv.len)
    }

    /// A session of `model` with room for `n_ctx` positions that already holds the first
    /// [`SharedPrefix::reusable`] tokens of `prompt`, and that count: feed `prompt[count..]` next.
    pub fn session(&self, model: &Llama, prompt: &[u32], n_ctx: usize) -> (Session, usize) {
        let mut session = model.session(n_ctx);
        session.kv.copy_prefix(&self.kv, self.reusable(prompt));
        let held = session.len();
        (session, held)
    }
}
