//! Block-sparse attention kernels (training-free, MInference block-sparse / Quest style): the CPU path
//! and the twins of `shaders/block_select.wgsl` and `shaders/attention_sparse.wgsl`.
//!
//! Keys and queries are cut into blocks of `block` positions by absolute position. For each query block
//! and KV head, [`select_blocks`] keeps the sink blocks, the local window (ending with the diagonal
//! block) and the top-k other causal blocks by a cheap score of the block-mean query against a key-block
//! summary ([`pool_keys`]: mean, and per-channel min / max for Quest's upper bound). The query blocks
//! holding a forward's last `Keep::tail` tokens keep every causal block: where a reader's question
//! ends a prompt, a block score that misses the far evidence would lose the answer, and those few
//! blocks cost little (MInference likewise reads its last 64 queries densely). Attention then runs
//! over the kept blocks only ([`attention_sparse`]), with the causal mask inside the diagonal block.
//!
//! Cache layout as the dense path: f16 bits, element (pos, kv_head, d) at `pos * kv_dim + kv_head * hd + d`.

use super::f16::f16_to_f32;

/// How a key block is scored against a query block's mean query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockScore {
    /// q̄ · k̄: mean-pooled queries against mean-pooled keys (MInference's block-sparse estimate).
    MeanPool,
    /// Σ_d max(q̄_d · kmax_d, q̄_d · kmin_d): Quest's upper bound of any key's dot product in the block.
    MinMax,
}

impl BlockScore {
    pub fn id(self) -> u32 {
        match self {
            BlockScore::MeanPool => 0,
            BlockScore::MinMax => 1,
        }
    }
}

/// How many of the middle key blocks (neither sink nor window) a query block keeps.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Budget {
    /// The best `Keep::top_k` by score (MInference's block-sparse, Quest).
    TopK,
    /// In order of estimated attention mass until the kept blocks, sink and window included, hold `tau`
    /// of the query block's estimated mass, at most `Keep::top_k` of them (XAttention, FlexPrefill).
    /// A block's mass for one query head is the softmax over the causal blocks of
    /// score / sqrt(hd) + ln(keys in the block); the KV head's is the mean over its query heads.
    Mass { tau: f32 },
}

impl Budget {
    /// The rule's number in the shaders' params (0 top-k, 1 mass) and its threshold (0 for top-k).
    pub fn id(self) -> (u32, f32) {
        match self {
            Budget::TopK => (0, 0.0),
            Budget::Mass { tau } => (1, tau),
        }
    }
}

/// Which blocks every query block keeps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Keep {
    /// Blocks 0..sink (attention sinks).
    pub sink: usize,
    /// The last `window` causal blocks, the diagonal one included.
    pub window: usize,
    /// Most of the remaining causal blocks kept (exactly this many, when there are, under TopK).
    pub top_k: usize,
    pub budget: Budget,
    /// A forward's last this many tokens: their query blocks keep every causal block (0: none).
    pub tail: usize,
    /// The first query block of the current forward's tail ([`Keep::ending_at`]); `usize::MAX` when
    /// none is known (every block selected).
    pub dense_from: usize,
}

impl Keep {
    /// Most blocks one query block can keep when it selects.
    pub fn max_blocks(&self) -> usize {
        self.sink + self.window.max(1) + self.top_k
    }

    /// Selection slots one query block needs in a cache of `n_kb` key blocks: a tail block keeps them all.
    pub fn slots(&self, n_kb: usize) -> usize {
        if self.tail > 0 { self.max_blocks().max(n_kb) } else { self.max_blocks() }
    }

    /// This rule for a forward whose cache ends at position `end` (exclusive) with blocks of `block`.
    pub fn ending_at(self, end: usize, block: usize) -> Keep {
        let dense_from =
            if self.tail == 0 { usize::MAX } else { end.saturating_sub(self.tail) / block.max(1) };
        Keep { dense_from, ..self }
    }
}

/// Attention heads of one layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Heads {
    pub n_head: usize,
    pub n_kv_head: usize,
    /// Head size.
    pub hd: usize,
}

impl Heads {
    /// Query row width (n_head * hd).
    pub fn width(&self) -> usize {
        self.n_head * self.hd
    }
    /// Key / value row width (n_kv_head * hd).
    pub fn kv_dim(&self) -> usize {
        self.n_kv_head * self.hd
    }
    /// Query heads per KV head.
    pub fn group(&self) -> usize {
        self.n_head / self.n_kv_head.max(1)
    }
}

/// A forward chunk: `n` queries at positions pos0..pos0 + n, after which the cache holds pos0 + n keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    pub pos0: usize,
    pub n: usize,
}

impl Chunk {
    pub fn kv_len(&self) -> usize {
        self.pos0 + self.n
    }
    /// The first query block the chunk touches, and how many it touches (n >= 1).
    pub fn query_blocks(&self, block: usize) -> (usize, usize) {
        let qb0 = self.pos0 / block;
        (qb0, (self.kv_len() - 1) / block - qb0 + 1)
    }
}

/// How key blocks are chosen: block size, score and what is kept.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rule {
    pub block: usize,
    pub score: BlockScore,
    pub keep: Keep,
}

/// Key-block summaries, each (n_key_blocks, kv_dim): mean, and per-channel min / max.
#[derive(Clone, Copy, Debug)]
pub struct Summaries<'a> {
    pub mean: &'a [f32],
    pub min: &'a [f32],
    pub max: &'a [f32],
}

/// The kept key blocks of the query blocks one chunk touches, for every KV head.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub qb0: usize,
    pub n_qb: usize,
    /// Slots per (query block, KV head).
    pub s_max: usize,
    /// (n_qb, n_kv_head, s_max)
    pub blocks: Vec<u32>,
    /// (n_qb, n_kv_head)
    pub len: Vec<u32>,
}

impl Selection {
    /// Room for `n_qb` query blocks of `n_kv_head` heads with `s_max` slots each.
    pub fn new(n_qb: usize, n_kv_head: usize, s_max: usize) -> Selection {
        Selection {
            qb0: 0,
            n_qb: 0,
            s_max,
            blocks: vec![0; n_qb * n_kv_head * s_max],
            len: vec![0; n_qb * n_kv_head],
        }
    }

    /// The kept key blocks of query block `qb` (absolute index) for KV head `g`.
    pub fn of(&self, qb: usize, g: usize, n_kv_head: usize) -> &[u32] {
        let item = (qb - self.qb0) * n_kv_head + g;
        &self.blocks[item * self.s_max..item * self.s_max + self.len[item] as usize]
    }
}

/// Scratch rows of [`select_chunk`], grown on demand.
#[derive(Clone, Debug, Default)]
pub struct SelectScratch {
    /// (n_qb, n_head * hd) mean query per query block
    pub qpool: Vec<f32>,
    /// (group, n_key_blocks) per-head block scores
    pub head_scores: Vec<f32>,
    /// (n_key_blocks,) what the selection ranks: best head's score (top-k) or mass (mass budget)
    pub scores: Vec<f32>,
}

/// Key-block summaries of blocks [b0, b1): k (kv_len, kv_dim) f16 -> mean, min, max rows (n_blocks, kv_dim).
/// The last block may be partial (it ends at `kv_len`); its mean is over the positions it has.
#[allow(clippy::too_many_arguments)]
pub fn pool_keys(
    k: &[u16],
    kv_dim: usize,
    kv_len: usize,
    block: usize,
    blocks: std::ops::Range<usize>,
    mean: &mut [f32],
    min: &mut [f32],
    max: &mut [f32],
) {
    for b in blocks {
        let (start, end) = (b * block, ((b + 1) * block).min(kv_len));
        let row = b * kv_dim..(b + 1) * kv_dim;
        let (mean, min, max) = (&mut mean[row.clone()], &mut min[row.clone()], &mut max[row]);
        mean.fill(0.0);
        min.fill(f32::INFINITY);
        max.fill(f32::NEG_INFINITY);
        for p in start..end {
            for (e, &h) in k[p * kv_dim..(p + 1) * kv_dim].iter().enumerate() {
                let x = f16_to_f32(h);
                mean[e] += x;
                min[e] = min[e].min(x);
                max[e] = max[e].max(x);
            }
        }
        let inv = 1.0 / (end - start).max(1) as f32;
        mean.iter_mut().for_each(|m| *m *= inv);
    }
}

/// Mean query of each query block a chunk touches: q (n, width) at positions pos0..pos0+n ->
/// out (n_qb, width), row i for query block `pos0 / block + i` (over the chunk's tokens in it).
pub fn pool_queries(q: &[f32], n: usize, width: usize, pos0: usize, block: usize, out: &mut [f32]) {
    let qb0 = pos0 / block;
    let n_qb = (pos0 + n - 1) / block - qb0 + 1;
    out[..n_qb * width].fill(0.0);
    for i in 0..n_qb {
        let a = ((qb0 + i) * block).max(pos0) - pos0;
        let b = ((qb0 + i + 1) * block).min(pos0 + n) - pos0;
        let row = &mut out[i * width..(i + 1) * width];
        for t in a..b {
            for (o, &x) in row.iter_mut().zip(&q[t * width..(t + 1) * width]) {
                *o += x;
            }
        }
        let inv = 1.0 / (b - a) as f32;
        row.iter_mut().for_each(|o| *o *= inv);
    }
}

/// Score of one key block for one query head: qh (hd,) pooled query; mean / min / max (hd,) the block's
/// summary for the head's KV head.
pub fn head_score(score: BlockScore, qh: &[f32], mean: &[f32], min: &[f32], max: &[f32]) -> f32 {
    match score {
        BlockScore::MeanPool => qh.iter().zip(mean).map(|(a, b)| a * b).sum::<f32>(),
        BlockScore::MinMax => {
            qh.iter().zip(min.iter().zip(max)).map(|(&a, (&lo, &hi))| (a * lo).max(a * hi)).sum::<f32>()
        }
    }
}

/// Score of one key block for the `group` query heads of one KV head: the best head's score.
/// qg (group, hd) pooled queries; mean / min / max (hd,) the block's summary for this KV head.
pub fn block_score(score: BlockScore, qg: &[f32], hd: usize, mean: &[f32], min: &[f32], max: &[f32]) -> f32 {
    qg.chunks_exact(hd).map(|qh| head_score(score, qh, mean, min, max)).fold(f32::NEG_INFINITY, f32::max)
}

/// The logit that stands for a whole key block in the mass estimate: its score scaled as attention
/// logits are, plus ln(keys in the block before `end`), as a softmax over the block's keys would count
/// them if they all had the block's score.
pub fn block_logit(score: f32, scale: f32, kb: usize, block: usize, end: usize) -> f32 {
    let keys = (end.min((kb + 1) * block) - kb * block).max(1);
    score * scale + (keys as f32).ln()
}

/// Estimated share of one KV head's attention mass on each causal key block 0..=qb: per query head,
/// softmax over the blocks of [`block_logit`], then the mean over the group's heads.
/// logits (group, stride) with blocks 0..=qb used -> out (qb + 1,). The GPU kernel sums in this order.
pub fn block_mass(logits: &[f32], group: usize, stride: usize, qb: usize, out: &mut [f32]) {
    out[..=qb].fill(0.0);
    let inv_group = 1.0 / group as f32;
    for h in 0..group {
        let row = &logits[h * stride..h * stride + qb + 1];
        let m = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let z: f32 = row.iter().map(|&x| (x - m).exp()).sum();
        let w = inv_group / z;
        for (o, &x) in out[..=qb].iter_mut().zip(row) {
            *o += (x - m).exp() * w;
        }
    }
}

/// The key blocks query block `qb` attends to, ascending (so the diagonal block `qb` comes last):
/// blocks < `keep.sink`, the window qb+1-window..=qb, and of the others by `scores` (qb + 1,) the best
/// `top_k` (TopK) or the best until the kept ones' scores (masses) sum to `tau` (Mass, at most `top_k`);
/// ties go to the earlier block. A tail block (`qb >= keep.dense_from`) keeps every block 0..=qb.
/// Returns how many were written to `out`.
pub fn select_blocks(keep: Keep, qb: usize, scores: &[f32], out: &mut [u32]) -> usize {
    if qb >= keep.dense_from {
        for (b, o) in out[..=qb].iter_mut().enumerate() {
            *o = b as u32;
        }
        return qb + 1;
    }
    let win_start = (qb + 1).saturating_sub(keep.window.max(1));
    let sink = keep.sink.min(win_start);
    let tau = match keep.budget {
        Budget::TopK => None,
        Budget::Mass { tau } => Some(tau),
    };
    // Mass already held by the forced blocks, summed in the order the GPU kernel uses.
    let mut held = 0.0f32;
    if tau.is_some() {
        for b in (0..sink).chain(win_start..=qb) {
            held += scores[b];
        }
    }
    let mut n = 0;
    for b in 0..sink {
        out[n] = b as u32;
        n += 1;
    }
    // The middle blocks by repeated selection: k is small, and this is the order the GPU kernel uses,
    // so both pick the same blocks on ties.
    let first_top = n;
    let mut taken = 0;
    while taken < keep.top_k && tau.is_none_or(|t| held < t) {
        let mut best: Option<usize> = None;
        for b in sink..win_start {
            if out[first_top..n].contains(&(b as u32)) {
                continue;
            }
            if best.is_none_or(|x| scores[b] > scores[x]) {
                best = Some(b);
            }
        }
        match best {
            Some(b) => {
                out[n] = b as u32;
                n += 1;
                taken += 1;
                held += scores[b];
            }
            None => break,
        }
    }
    out[first_top..n].sort_unstable();
    for b in win_start..=qb {
        out[n] = b as u32;
        n += 1;
    }
    n
}

/// Selections of the query blocks a chunk touches, for every KV head, into `sel` (whose `s_max` must
/// be at least `rule.keep.max_blocks()` and whose rows hold the chunk's query blocks).
///
/// # Shapes
/// q (n, n_head * hd) at positions pos0.. ; summaries (n_key_blocks, kv_dim) with a row for every
/// block up to the chunk's end.
pub fn select_chunk(
    rule: &Rule,
    heads: Heads,
    chunk: Chunk,
    q: &[f32],
    sums: Summaries<'_>,
    scratch: &mut SelectScratch,
    sel: &mut Selection,
) {
    let (width, kv_dim, group, hd) = (heads.width(), heads.kv_dim(), heads.group(), heads.hd);
    let block = rule.block;
    let (qb0, n_qb) = chunk.query_blocks(block);
    let n_kb = qb0 + n_qb;
    let grow = |v: &mut Vec<f32>, len: usize| {
        if v.len() < len {
            v.resize(len, 0.0);
        }
    };
    grow(&mut scratch.qpool, n_qb * width);
    grow(&mut scratch.head_scores, group * n_kb);
    grow(&mut scratch.scores, n_kb);
    pool_queries(q, chunk.n, width, chunk.pos0, block, &mut scratch.qpool);
    let scale = 1.0 / (hd as f32).sqrt();
    sel.qb0 = qb0;
    sel.n_qb = n_qb;
    for i in 0..n_qb {
        let qb = qb0 + i;
        let end = ((qb + 1) * block).min(chunk.kv_len());
        // A tail block keeps every block: nothing to score.
        let scored = qb < rule.keep.dense_from;
        for g in 0..heads.n_kv_head {
            let qg = &scratch.qpool[i * width + g * group * hd..i * width + (g + 1) * group * hd];
            if scored {
                for kb in 0..=qb {
                    let r = kb * kv_dim + g * hd..kb * kv_dim + (g + 1) * hd;
                    let (mean, min, max) = (&sums.mean[r.clone()], &sums.min[r.clone()], &sums.max[r]);
                    for (h, qh) in qg.chunks_exact(hd).enumerate() {
                        let sc = head_score(rule.score, qh, mean, min, max);
                        scratch.head_scores[h * n_kb + kb] = match rule.keep.budget {
                            Budget::TopK => sc,
                            Budget::Mass { .. } => block_logit(sc, scale, kb, block, end),
                        };
                    }
                }
                match rule.keep.budget {
                    Budget::TopK => {
                        for (kb, s) in scratch.scores[..=qb].iter_mut().enumerate() {
                            *s = (0..group)
                                .map(|h| scratch.head_scores[h * n_kb + kb])
                                .fold(f32::NEG_INFINITY, f32::max);
                        }
                    }
                    Budget::Mass { .. } => {
                        block_mass(&scratch.head_scores, group, n_kb, qb, &mut scratch.scores)
                    }
                }
            }
            let item = i * heads.n_kv_head + g;
            let s_max = sel.s_max;
            let len = select_blocks(
                rule.keep,
                qb,
                &scratch.scores[..=qb],
                &mut sel.blocks[item * s_max..(item + 1) * s_max],
            );
            sel.len[item] = len as u32;
        }
    }
}

/// Plain reference of sparse attention (the twin of `attention_sparse.wgsl`; the model's CPU path
/// computes the same with the SIMD kernels).
///
/// # Shapes
/// k, v (kv_len, n_kv_head * hd) f16; q (n, n_head * hd) f32 at the chunk's positions (after RoPE);
/// `sel` from [`select_chunk`] for this chunk; out (n, n_head * hd).
/// Query t attends the keys of its selected blocks up to its own position; scale 1/sqrt(hd).
#[allow(clippy::too_many_arguments)]
pub fn attention_sparse(
    k: &[u16],
    v: &[u16],
    q: &[f32],
    heads: Heads,
    chunk: Chunk,
    block: usize,
    sel: &Selection,
    out: &mut [f32],
) {
    let (width, kv_dim, group, hd) = (heads.width(), heads.kv_dim(), heads.group(), heads.hd);
    let scale = 1.0 / (hd as f32).sqrt();
    let mut p = Vec::new();
    for t in 0..chunk.n {
        let pos = chunk.pos0 + t;
        for h in 0..heads.n_head {
            let g = h / group;
            let blocks = sel.of(pos / block, g, heads.n_kv_head);
            let qh = &q[t * width + h * hd..t * width + (h + 1) * hd];
            let keys: Vec<usize> = blocks
                .iter()
                .flat_map(|&b| b as usize * block..((b as usize + 1) * block).min(pos + 1))
                .collect();
            p.clear();
            p.extend(keys.iter().map(|&j| {
                let kr = &k[j * kv_dim + g * hd..j * kv_dim + (g + 1) * hd];
                kr.iter().zip(qh).map(|(&a, b)| f16_to_f32(a) * b).sum::<f32>() * scale
            }));
            super::ops::softmax(&mut p);
            let o = &mut out[t * width + h * hd..t * width + (h + 1) * hd];
            o.fill(0.0);
            for (&j, &pj) in keys.iter().zip(&p) {
                for (x, &vv) in o.iter_mut().zip(&v[j * kv_dim + g * hd..j * kv_dim + (g + 1) * hd]) {
                    *x += pj * f16_to_f32(vv);
                }
            }
        }
    }
}

/// Copies the keys and values of one KV head's selected blocks into contiguous rows (n_keys, hd), so the
/// dense group kernel runs over them unchanged. Returns how many keys precede the diagonal block (the
/// last one), whose keys follow: a query at offset `o` inside it attends `before + o + 1` keys.
#[allow(clippy::too_many_arguments)]
pub fn gather_blocks(
    k: &[u16],
    v: &[u16],
    kv_dim: usize,
    g: usize,
    hd: usize,
    block: usize,
    kv_len: usize,
    blocks: &[u32],
    gk: &mut [u16],
    gv: &mut [u16],
) -> usize {
    let mut n = 0;
    let mut before = 0;
    for (i, &b) in blocks.iter().enumerate() {
        if i + 1 == blocks.len() {
            before = n;
        }
        for p in b as usize * block..((b as usize + 1) * block).min(kv_len) {
            let src = p * kv_dim + g * hd;
            gk[n * hd..(n + 1) * hd].copy_from_slice(&k[src..src + hd]);
            gv[n * hd..(n + 1) * hd].copy_from_slice(&v[src..src + hd]);
            n += 1;
        }
    }
    before
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::f16::f32_to_f16;

    struct Rng(u64);
    impl Rng {
        fn f32(&mut self) -> f32 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((self.0 >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        }
        fn vec(&mut self, n: usize) -> Vec<f32> {
            (0..n).map(|_| self.f32()).collect()
        }
    }

    #[test]
    fn selection_keeps_sink_and_window_and_never_a_future_block() {
        let mut rng = Rng(3);
        for &(sink, window, top_k) in &[(1, 1, 0), (1, 3, 2), (2, 4, 5), (0, 1, 3)] {
            let keep = Keep { sink, window, top_k, budget: Budget::TopK, tail: 0, dense_from: usize::MAX };
            for qb in 0..40 {
                let scores = rng.vec(qb + 1);
                let mut out = vec![u32::MAX; keep.max_blocks()];
                let n = select_blocks(keep, qb, &scores, &mut out);
                let got = &out[..n];
                assert!(got.windows(2).all(|w| w[0] < w[1]), "ascending, no repeats: {got:?}");
                assert!(got.iter().all(|&b| b as usize <= qb), "no future block: {got:?}");
                assert_eq!(*got.last().unwrap() as usize, qb, "diagonal block last");
                for b in 0..=qb {
                    let forced = b < sink || b + window.max(1) > qb;
                    if forced {
                        assert!(got.contains(&(b as u32)), "qb {qb}: block {b} missing from {got:?}");
                    }
                }
                let forced = (0..=qb).filter(|&b| b < sink || b + window.max(1) > qb).count();
                assert_eq!(n, (forced + top_k).min(qb + 1), "qb {qb}: {got:?}");
                // The chosen middle blocks score at least as high as every middle block left out.
                let chosen: Vec<usize> = (0..=qb).filter(|b| got.contains(&(*b as u32))).collect();
                let worst = chosen.iter().filter(|&&b| b >= sink && b + window.max(1) <= qb);
                let worst = worst.map(|&b| scores[b]).fold(f32::INFINITY, f32::min);
                for b in (0..=qb).filter(|b| !chosen.contains(b)) {
                    assert!(scores[b] <= worst, "qb {qb}: left out {b} scores {} > {worst}", scores[b]);
                }
            }
        }
    }

    #[test]
    fn tail_blocks_keep_every_block_and_the_others_select() {
        let keep =
            Keep { sink: 1, window: 2, top_k: 1, budget: Budget::TopK, tail: 100, dense_from: usize::MAX };
        // A forward ending at position 1000 in blocks of 64: its last 100 tokens start in block 14.
        let keep = keep.ending_at(1000, 64);
        assert_eq!(keep.dense_from, 14);
        assert_eq!(Keep { tail: 0, ..keep }.ending_at(1000, 64).dense_from, usize::MAX);
        assert_eq!(keep.slots(16), 16);
        let scores: Vec<f32> = (0..16).map(|b| b as f32).collect();
        let mut out = vec![u32::MAX; keep.slots(16)];
        for qb in [14, 15] {
            let n = select_blocks(keep, qb, &scores[..=qb], &mut out);
            assert_eq!(&out[..n], &(0..=qb as u32).collect::<Vec<_>>()[..], "tail block {qb}");
        }
        let n = select_blocks(keep, 13, &scores[..=13], &mut out);
        assert_eq!(&out[..n], &[0, 11, 12, 13], "block 13 selects: sink, the best other, the window");
    }

    fn cache(rng: &mut Rng, len: usize, kv_dim: usize) -> Vec<u16> {
        (0..len * kv_dim).map(|_| f32_to_f16(rng.f32() * 2.0)).collect()
    }

    #[test]
    fn sparse_with_every_block_equals_dense_and_ignores_future_keys() {
        let mut rng = Rng(11);
        let (n_head, n_kv_head, hd, block) = (6, 2, 16, 8);
        let (kv_dim, width) = (n_kv_head * hd, n_head * hd);
        for &(pos0, n) in &[(0usize, 37usize), (21, 30), (64, 1)] {
            let kv_len = pos0 + n;
            let mut k = cache(&mut rng, kv_len + 20, kv_dim);
            let v = cache(&mut rng, kv_len + 20, kv_dim);
            let q = rng.vec(n * width);
            let n_kb = kv_len.div_ceil(block);
            let (mut mean, mut min, mut max) =
                (vec![0.0; n_kb * kv_dim], vec![0.0; n_kb * kv_dim], vec![0.0; n_kb * kv_dim]);
            pool_keys(&k, kv_dim, kv_len, block, 0..n_kb, &mut mean, &mut min, &mut max);
            let heads = Heads { n_head, n_kv_head, hd };
            let chunk = Chunk { pos0, n };
            let sums = Summaries { mean: &mean, min: &min, max: &max };
            for (score, budget) in [
                (BlockScore::MeanPool, Budget::TopK),
                (BlockScore::MinMax, Budget::TopK),
                (BlockScore::MeanPool, Budget::Mass { tau: 1.01 }),
            ] {
                let rule = Rule {
                    block,
                    score,
                    keep: Keep { sink: 1, window: 1, top_k: n_kb, budget, tail: 0, dense_from: usize::MAX },
                };
                let mut sel = Selection::new(n_kb, n_kv_head, rule.keep.max_blocks());
                select_chunk(&rule, heads, chunk, &q, sums, &mut SelectScratch::default(), &mut sel);
                let mut sparse = vec![0.0; n * width];
                attention_sparse(&k, &v, &q, heads, chunk, block, &sel, &mut sparse);
                // Dense reference: the existing group kernel over all causal keys.
                let mut dense = vec![0.0; n * width];
                let mut sc = vec![0.0; 3 * kv_len];
                for t in 0..n {
                    for g in 0..n_kv_head {
                        let off = t * width + g * 3 * hd;
                        crate::cpu::Isa::Scalar.attend_group(
                            &k[g * hd..],
                            &v[g * hd..],
                            kv_dim,
                            pos0 + t + 1,
                            &q[off..off + 3 * hd],
                            hd,
                            3,
                            &mut sc,
                            kv_len,
                            &mut dense[off..off + 3 * hd],
                        );
                    }
                }
                for (a, b) in sparse.iter().zip(&dense) {
                    assert!((a - b).abs() < 1e-5, "pos0 {pos0} n {n}: {a} vs {b}");
                }
                // Keys after the last query may hold anything: the result must not change.
                for x in &mut k[kv_len * kv_dim..] {
                    *x = f32_to_f16(1e3);
                }
                let mut again = vec![0.0; n * width];
                attention_sparse(&k, &v, &q, heads, chunk, block, &sel, &mut again);
                assert_eq!(again, sparse);
            }
        }
    }

    #[test]
    fn mass_budget_keeps_the_heaviest_blocks_until_tau_and_no_more() {
        let mut rng = Rng(5);
        for &(sink, window, top_k, tau) in
            &[(1, 2, 6, 0.9f32), (0, 1, 40, 0.5), (2, 3, 3, 0.99), (1, 1, 40, 0.9)]
        {
            let keep =
                Keep { sink, window, top_k, budget: Budget::Mass { tau }, tail: 0, dense_from: usize::MAX };
            for qb in 0..40 {
                // Masses of a softmax: positive, summing to 1.
                let group = 3;
                let logits: Vec<f32> = (0..group * (qb + 1)).map(|_| rng.f32() * 6.0).collect();
                let mut mass = vec![0.0; qb + 1];
                block_mass(&logits, group, qb + 1, qb, &mut mass);
                let total: f32 = mass.iter().sum();
                assert!((total - 1.0).abs() < 1e-5, "masses sum to {total}");
                let mut out = vec![u32::MAX; keep.max_blocks()];
                let n = select_blocks(keep, qb, &mass, &mut out);
                let got = &out[..n];
                assert!(got.windows(2).all(|w| w[0] < w[1]), "ascending, no repeats: {got:?}");
                assert_eq!(*got.last().unwrap() as usize, qb, "diagonal block last");
                let win_start = (qb + 1).saturating_sub(window);
                let forced = |b: usize| b < sink.min(win_start) || b >= win_start;
                let middle: Vec<usize> = got.iter().map(|&b| b as usize).filter(|&b| !forced(b)).collect();
                assert!(middle.len() <= top_k);
                let held: f32 = got.iter().map(|&b| mass[b as usize]).sum();
                let left_out: Vec<usize> = (0..=qb).filter(|&b| !forced(b) && !middle.contains(&b)).collect();
                // Enough: tau reached, or the cap or the blocks ran out.
                assert!(
                    held >= tau - 1e-6 || middle.len() == top_k || left_out.is_empty(),
                    "qb {qb}: held {held}"
                );
                // No more than needed: without the lightest kept middle block, tau was not reached.
                if let Some(&light) = middle.iter().min_by(|&&a, &&b| mass[a].total_cmp(&mass[b])) {
                    assert!(
                        held - mass[light] < tau + 1e-6,
                        "qb {qb}: {held} - {} already >= {tau}",
                        mass[light]
                    );
                }
                // The heaviest: every left-out middle block weighs at most the lightest kept one.
                let lightest = middle.iter().map(|&b| mass[b]).fold(f32::INFINITY, f32::min);
                assert!(left_out.iter().all(|&b| mass[b] <= lightest), "qb {qb}");
            }
        }
    }

    #[test]
    fn pooled_keys_fixed_case() {
        let k: Vec<u16> = [1.0, -2.0, 3.0, 4.0, -5.0, 0.5].iter().map(|&x| f32_to_f16(x)).collect();
        let (mut mean, mut min, mut max) = (vec![0.0; 4], vec![0.0; 4], vec![0.0; 4]);
        // kv_dim 2, 3 positions, blocks of 2: block 0 = rows 0..2, block 1 = row 2 (partial).
        pool_keys(&k, 2, 3, 2, 0..2, &mut mean, &mut min, &mut max);
        assert_eq!(mean, [2.0, 1.0, -5.0, 0.5]);
        assert_eq!(min, [1.0, -2.0, -5.0, 0.5]);
        assert_eq!(max, [3.0, 4.0, -5.0, 0.5]);
        let q = [1.0, -1.0];
        assert_eq!(block_score(BlockScore::MeanPool, &q, 2, &mean[..2], &min[..2], &max[..2]), 1.0);
        assert_eq!(block_score(BlockScore::MinMax, &q, 2, &mean[..2], &min[..2], &max[..2]), 3.0 + 2.0);
    }
}
