//! Block-sparse attention for long prefills: the configuration, and the per-session state the CPU forward
//! pass keeps (key-block summaries, selections, gather buffers). Kernels: [`crate::cpu::sparse`].
//!
//! Training-free, after MInference's block-sparse pattern and Quest: each query block of `block` tokens
//! attends to the sink block(s), its local window (ending with its own, causally masked, block) and the
//! `top_k_blocks` other earlier blocks whose summary scores highest against the block's mean query. The
//! query blocks holding a forward's last `dense_tail_tokens` keep every block: a reader's question ends
//! its prompt, and its answer must see evidence however far back. A forward pass whose context stays
//! below `dense_below_tokens` runs dense attention; the first `dense_layers` layers always run dense.
//! Decode steps are a forward's tail, so they read the whole cache.

use super::llama::Config;
pub use crate::cpu::sparse::{BlockScore, Budget, Selection};
use crate::cpu::sparse::{Keep, Rule, SelectScratch};

/// The block-sparse settings (printed by `tome bench`).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct SparseConfig {
    /// Tokens per query / key block.
    pub block: usize,
    /// Leading key blocks always kept (attention sinks).
    pub sink_blocks: usize,
    /// Most recent key blocks always kept, the query's own (diagonal) block included.
    pub window_blocks: usize,
    /// Most other earlier key blocks kept, the best by `score` (exactly this many under `Budget::TopK`).
    pub top_k_blocks: usize,
    /// How many of those are kept: a fixed count, or until a share of the estimated attention mass.
    pub budget: Budget,
    /// Forward passes whose context ends at or below this many tokens run dense attention.
    pub dense_below_tokens: usize,
    /// The first layers stay dense (Quest does so for two: their attention is the least sparse).
    pub dense_layers: usize,
    pub score: BlockScore,
    /// The query blocks holding each forward's last this many tokens keep every block (0: none).
    pub dense_tail_tokens: usize,
}

impl Default for SparseConfig {
    /// Chosen on `tome bench sparse` (novel prompts, KL over the last 64 positions): at 4K, window 4 ->
    /// 8 blocks took KL 0.104 -> 0.064, two dense layers -> 0.059, and min/max scores beat mean-pooled
    /// ones (0.059 vs 0.134). At 8K this setting skips 60% of the block pairs (KL 0.11, last position 0.023).
    fn default() -> Self {
        SparseConfig {
            block: 64,
            sink_blocks: 1,
            window_blocks: 8,
            top_k_blocks: 16,
            dense_below_tokens: 2048,
            dense_layers: 2,
            score: BlockScore::MinMax,
            budget: Budget::TopK,
            dense_tail_tokens: 64,
        }
    }
}

impl SparseConfig {
    pub fn keep(&self) -> Keep {
        Keep {
            sink: self.sink_blocks,
            window: self.window_blocks,
            top_k: self.top_k_blocks,
            budget: self.budget,
            tail: self.dense_tail_tokens,
            dense_from: usize::MAX,
        }
    }

    pub fn rule(&self) -> Rule {
        Rule { block: self.block, score: self.score, keep: self.keep() }
    }
}

/// Buffers for sparse attention in a session, allocated once when the mode is chosen.
pub struct SparseState {
    pub cfg: SparseConfig,
    /// Whether the current forward runs sparse (its context passes the threshold).
    pub(crate) active: bool,
    /// The current forward's selection rule (its tail's first query block set).
    pub(crate) keep: Keep,
    /// (n_layer, n_key_blocks, kv_dim) key-block mean, min and max
    pub(crate) kmean: Vec<f32>,
    pub(crate) kmin: Vec<f32>,
    pub(crate) kmax: Vec<f32>,
    /// Per layer: the summaries describe the cache's positions 0..pooled[l]. Whatever wrote the cache
    /// after that (a dense prefill below the threshold, decode steps, a second turn, a rewind) is
    /// pooled by the next sparse attention of that layer before it selects.
    pub(crate) pooled: Vec<usize>,
    /// Pooled queries and block scores of the selection.
    pub(crate) scratch: SelectScratch,
    /// The current layer's selection.
    pub(crate) sel: Selection,
    /// (threads, s_max * block * hd) gathered keys / values of one (query block, KV head)
    pub(crate) gk: Vec<u16>,
    pub(crate) gv: Vec<u16>,
    /// Every layer's selection of the last chunk, kept when `trace` is on (for evidence recall).
    pub trace: Option<Vec<Selection>>,
    /// Causal (query block, key block) pairs seen and computed, summed over layers and KV heads.
    pub pairs_total: u64,
    pub pairs_kept: u64,
}

impl SparseState {
    pub(crate) fn new(
        cfg: SparseConfig,
        c: &Config,
        n_ctx: usize,
        max_batch: usize,
        threads: usize,
    ) -> SparseState {
        let (n_layer, kv_dim, width, n_kv_head, hd) =
            (c.n_layer, c.kv_dim(), c.d_model, c.n_kv_head, c.head_dim);
        let block = cfg.block.max(1);
        let cfg = SparseConfig { block, ..cfg };
        let n_kb = n_ctx.div_ceil(block);
        let n_qb = max_batch.div_ceil(block) + 1;
        let s_max = cfg.keep().slots(n_kb);
        SparseState {
            cfg,
            active: false,
            keep: cfg.keep(),
            kmean: vec![0.0; n_layer * n_kb * kv_dim],
            kmin: vec![0.0; n_layer * n_kb * kv_dim],
            kmax: vec![0.0; n_layer * n_kb * kv_dim],
            pooled: vec![0; n_layer],
            scratch: SelectScratch {
                qpool: vec![0.0; n_qb * width],
                head_scores: vec![0.0; (c.n_head / n_kv_head.max(1)) * n_kb],
                scores: vec![0.0; n_kb],
            },
            sel: Selection::new(n_qb, n_kv_head, s_max),
            gk: vec![0; threads * s_max * block * hd],
            gv: vec![0; threads * s_max * block * hd],
            trace: None,
            pairs_total: 0,
            pairs_kept: 0,
        }
    }

    /// A forward from cache length `len` to `end` begins: summaries past `len` are stale (a rewind),
    /// and the forward's tail ends at `end`.
    pub(crate) fn begin(&mut self, len: usize, end: usize) {
        self.active = end > self.cfg.dense_below_tokens;
        self.keep = self.cfg.keep().ending_at(end, self.cfg.block);
        self.pooled.iter_mut().for_each(|p| *p = (*p).min(len));
    }

    /// Layer `l`'s key-block summaries (mean, min, max), each (n_key_blocks, kv_dim) for the
    /// session's n_ctx; rows of blocks past what the layer has pooled are not meaningful.
    pub fn summaries(&self, l: usize) -> (&[f32], &[f32], &[f32]) {
        let n = self.kmean.len() / self.pooled.len().max(1);
        let r = l * n..(l + 1) * n;
        (&self.kmean[r.clone()], &self.kmin[r.clone()], &self.kmax[r])
    }

    /// Positions of the cache that layer `l`'s summaries describe.
    pub fn pooled_len(&self, l: usize) -> usize {
        self.pooled.get(l).copied().unwrap_or(0)
    }

    /// Counts a layer that ran dense over the chunk at pos0..pos0+n (all its causal block pairs kept).
    pub(crate) fn count_dense(&mut self, pos0: usize, n: usize, n_kv_head: usize) {
        let b = self.cfg.block;
        let pairs: usize = (pos0 / b..=(pos0 + n - 1) / b).map(|qb| (qb + 1) * n_kv_head).sum();
        self.pairs_total += pairs as u64;
        self.pairs_kept += pairs as u64;
    }

    /// Share of causal block pairs not computed since the counters were last reset.
    pub fn skipped(&self) -> f64 {
        if self.pairs_total == 0 { 0.0 } else { 1.0 - self.pairs_kept as f64 / self.pairs_total as f64 }
    }
}
