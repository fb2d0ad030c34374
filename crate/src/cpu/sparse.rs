//! Block-sparse attention kernels (training-free, MInference block-sparse / Quest style): the CPU path
//! and the twins of `shaders/block_select.wgsl` and `shaders/attention_sparse.wgsl`.
//!
//! Keys and queries are cut into blocks of `block` positions by absolute position. For each query block
//! and KV head, [`select_blocks`] keeps the sink blocks, the local window (ending with the diagonal
//! block) and the top-k other causal blocks by a cheap score of the block-mean query against a key-block
//! summary ([`pool_keys`]: mean, and per-channel min / max for Quest's upper bound). Attention then runs
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

/// Which blocks every query block keeps, whatever the scores say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keep {
    /// Blocks 0..sink (attention sinks).
    pub sink: usize,
    /// The last `window` causal blocks, the diagonal one included.
    pub window: usize,
    /// The best `top_k` of the remaining causal blocks.
    pub top_k: usize,
}

impl Keep {
    /// Most blocks one query block can keep.
    pub fn max_blocks(&self) -> usize {
        self.sink + self.window.max(1) + self.top_k
    }
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

/// Score of one key block for the `group` query heads of one KV head: the best head's score.
/// qg (group, hd) pooled queries; mean / min / max (hd,) the block's summary for this KV head.
pub fn block_score(score: BlockScore, qg: &[f32], hd: usize, mean: &[f32], min: &[f32], max: &[f32]) -> f32 {
    qg.chunks_exact(hd)
        .map(|qh| match score {
            BlockScore::MeanPool => qh.iter().zip(mean).map(|(a, b)| a * b).sum::<f32>(),
            BlockScore::MinMax => {
                qh.iter().zip(min.iter().zip(max)).map(|(&a, (&lo, &hi))| (a * lo).max(a * hi)).sum::<f32>()
            }
        })
        .fold(f32::NEG_INFINITY, f32::max)
}

/// The key blocks query block `qb` attends to, ascending (so the diagonal block `qb` comes last):
/// blocks < `keep.sink`, the window qb+1-window..=qb, and the `top_k` best others by `scores`
/// (qb + 1,) (ties: the earlier block). Returns how many were written to `out`.
pub fn select_blocks(keep: Keep, qb: usize, scores: &[f32], out: &mut [u32]) -> usize {
    let win_start = (qb + 1).saturating_sub(keep.window.max(1));
    let sink = keep.sink.min(win_start);
    let mut n = 0;
    for b in 0..sink {
        out[n] = b as u32;
        n += 1;
    }
    // Top-k of the middle blocks [sink, win_start) by repeated selection: k is small, and this is the
    // order the GPU kernel uses, so both pick the same blocks on ties.
    let first_top = n;
    let mut taken = 0;
    while taken < keep.top_k {
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

/// Selections of the query blocks a chunk touches, for every KV head.
///
/// # Shapes
/// q (n, n_head * hd) at positions pos0.. ; mean / min / max (n_key_blocks, kv_dim);
/// qpool (n_qb, n_head * hd) scratch; scores (n_key_blocks,) scratch;
/// sel (n_qb, n_kv_head, keep.max_blocks()) and sel_len (n_qb, n_kv_head).
#[allow(clippy::too_many_arguments)]
pub fn select_chunk(
    score: BlockScore,
    keep: Keep,
    block: usize,
    q: &[f32],
    n: usize,
    pos0: usize,
    n_head: usize,
    n_kv_head: usize,
    hd: usize,
    mean: &[f32],
    min: &[f32],
    max: &[f32],
    qpool: &mut [f32],
    scores: &mut [f32],
    sel: &mut [u32],
    sel_len: &mut [u32],
) {
    let (width, kv_dim, group, s_max) = (n_head * hd, n_kv_head * hd, n_head / n_kv_head, keep.max_blocks());
    pool_queries(q, n, width, pos0, block, qpool);
    let qb0 = pos0 / block;
    let n_qb = (pos0 + n - 1) / block - qb0 + 1;
    for i in 0..n_qb {
        let qb = qb0 + i;
        for g in 0..n_kv_head {
            let qg = &qpool[i * width + g * group * hd..i * width + (g + 1) * group * hd];
            for (kb, s) in scores[..=qb].iter_mut().enumerate() {
                let r = kb * kv_dim + g * hd..kb * kv_dim + (g + 1) * hd;
                *s = block_score(score, qg, hd, &mean[r.clone()], &min[r.clone()], &max[r]);
            }
            let item = i * n_kv_head + g;
            let len = select_blocks(keep, qb, &scores[..=qb], &mut sel[item * s_max..(item + 1) * s_max]);
            sel_len[item] = len as u32;
        }
    }
}

/// Plain reference of sparse attention (the twin of `attention_sparse.wgsl`; the model's CPU path
/// computes the same with the SIMD kernels).
///
/// # Shapes
/// k, v (kv_len, n_kv_head * hd) f16; q (n, n_head * hd) f32 at positions pos0..pos0+n (after RoPE);
/// sel / sel_len as from [`select_chunk`] with `s_max` slots; out (n, n_head * hd).
/// Query t attends the keys of its selected blocks up to its own position; scale 1/sqrt(hd).
#[allow(clippy::too_many_arguments)]
pub fn attention_sparse(
    k: &[u16],
    v: &[u16],
    q: &[f32],
    n: usize,
    pos0: usize,
    n_head: usize,
    n_kv_head: usize,
    hd: usize,
    block: usize,
    sel: &[u32],
    sel_len: &[u32],
    s_max: usize,
    out: &mut [f32],
) {
    let (width, kv_dim, group) = (n_head * hd, n_kv_head * hd, n_head / n_kv_head);
    let scale = 1.0 / (hd as f32).sqrt();
    let qb0 = pos0 / block;
    let mut p = Vec::new();
    for t in 0..n {
        let pos = pos0 + t;
        for h in 0..n_head {
            let g = h / group;
            let item = (pos / block - qb0) * n_kv_head + g;
            let blocks = &sel[item * s_max..item * s_max + sel_len[item] as usize];
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
            let keep = Keep { sink, window, top_k };
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
            let all = Keep { sink: 1, window: 1, top_k: n_kb };
            let n_qb = (kv_len - 1) / block - pos0 / block + 1;
            let (mut sel, mut sel_len) =
                (vec![0; n_qb * n_kv_head * all.max_blocks()], vec![0; n_qb * n_kv_head]);
            let (mut qpool, mut scores) = (vec![0.0; n_qb * width], vec![0.0; n_kb]);
            for score in [BlockScore::MeanPool, BlockScore::MinMax] {
                select_chunk(
                    score,
                    all,
                    block,
                    &q,
                    n,
                    pos0,
                    n_head,
                    n_kv_head,
                    hd,
                    &mean,
                    &min,
                    &max,
                    &mut qpool,
                    &mut scores,
                    &mut sel,
                    &mut sel_len,
                );
                let mut sparse = vec![0.0; n * width];
                attention_sparse(
                    &k,
                    &v,
                    &q,
                    n,
                    pos0,
                    n_head,
                    n_kv_head,
                    hd,
                    block,
                    &sel,
                    &sel_len,
                    all.max_blocks(),
                    &mut sparse,
                );
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
                attention_sparse(
                    &k,
                    &v,
                    &q,
                    n,
                    pos0,
                    n_head,
                    n_kv_head,
                    hd,
                    block,
                    &sel,
                    &sel_len,
                    all.max_blocks(),
                    &mut again,
                );
                assert_eq!(again, sparse);
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
