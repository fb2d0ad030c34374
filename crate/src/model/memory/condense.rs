//! The two condensing rules, on one (layer, KV head) of one window: n keys and values in, about
//! n / r out, each with the importance it carries. Keys here are un-rotated (RoPE removed), so a
//! kept or pooled key can take any position when the cache is assembled.
//!
//! - [`keep_top`] (KVzip-style): the ceil(n / r) keys that received the most attention when the
//!   model repeated the window, in their original order.
//! - [`pool_groups`]: each run of r consecutive keys becomes one key, the average of its keys
//!   weighted by the attention each received (values likewise).
//!
//! Each rule has a naive twin (`*_reference`) that the tests hold it to on random inputs.

use crate::cpu::ops::{rope_adjacent, rope_angles};

/// How a window's keys and values are condensed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Keep the top 1/r by reconstruction attention (KVzip).
    Keep,
    /// Attention-weighted average of each r-token group.
    Pool,
}

impl Rule {
    pub fn name(self) -> &'static str {
        match self {
            Rule::Keep => "keep",
            Rule::Pool => "pool",
        }
    }

    pub fn by_name(name: &str) -> Option<Rule> {
        match name {
            "keep" => Some(Rule::Keep),
            "pool" => Some(Rule::Pool),
            _ => None,
        }
    }
}

/// One (layer, KV head) of a window, condensed: `count` entries.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Condensed {
    /// (count, hd) un-rotated keys
    pub k: Vec<f32>,
    /// (count, hd) values
    pub v: Vec<f32>,
    /// (count,) the attention each entry carries (a group: the sum of its members')
    pub score: Vec<f32>,
    /// (count,) the window position of the entry (a group: its first member's)
    pub pos: Vec<u32>,
}

/// Entries a window of n positions keeps at ratio r.
pub fn kept(n: usize, r: usize) -> usize {
    n.div_ceil(r.max(1))
}

/// The indices of the `keep` largest scores, in increasing index order; ties go to the earlier
/// index. O(n) selection then a sort of the kept.
pub fn top_indices(scores: &[f32], keep: usize) -> Vec<usize> {
    let keep = keep.min(scores.len());
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    let better = |a: &usize, b: &usize| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b));
    if keep < idx.len() {
        idx.select_nth_unstable_by(keep, better);
        idx.truncate(keep);
    }
    idx.sort_unstable();
    idx
}

/// KVzip's rule: k, v (n, hd), scores (n,) -> the top ceil(n / r) entries.
pub fn keep_top(k: &[f32], v: &[f32], scores: &[f32], hd: usize, r: usize) -> Condensed {
    let idx = top_indices(scores, kept(scores.len(), r));
    let mut out = Condensed::default();
    for &i in &idx {
        out.k.extend_from_slice(&k[i * hd..(i + 1) * hd]);
        out.v.extend_from_slice(&v[i * hd..(i + 1) * hd]);
        out.score.push(scores[i]);
        out.pos.push(i as u32);
    }
    out
}

/// Weights below this count as this: a group nobody attended to still averages to its mean.
const MIN_WEIGHT: f32 = 1e-9;

/// Attention-weighted pooling: k, v (n, hd), scores (n,) -> ceil(n / r) entries, group j averaging
/// positions j*r .. min((j+1)*r, n) with weights max(score, MIN_WEIGHT).
pub fn pool_groups(k: &[f32], v: &[f32], scores: &[f32], hd: usize, r: usize) -> Condensed {
    let (n, r) = (scores.len(), r.max(1));
    let mut out = Condensed {
        k: vec![0.0; kept(n, r) * hd],
        v: vec![0.0; kept(n, r) * hd],
        score: Vec::with_capacity(kept(n, r)),
        pos: Vec::with_capacity(kept(n, r)),
    };
    for (j, start) in (0..n).step_by(r).enumerate() {
        let end = (start + r).min(n);
        let total: f32 = scores[start..end].iter().map(|&s| s.max(MIN_WEIGHT)).sum();
        let (ok, ov) = (&mut out.k[j * hd..(j + 1) * hd], &mut out.v[j * hd..(j + 1) * hd]);
        for i in start..end {
            let w = scores[i].max(MIN_WEIGHT) / total;
            for (o, x) in ok.iter_mut().zip(&k[i * hd..(i + 1) * hd]) {
                *o += w * x;
            }
            for (o, x) in ov.iter_mut().zip(&v[i * hd..(i + 1) * hd]) {
                *o += w * x;
            }
        }
        out.score.push(scores[start..end].iter().sum());
        out.pos.push(start as u32);
    }
    out
}

/// Condenses by `rule` at ratio `r`.
pub fn condense(rule: Rule, k: &[f32], v: &[f32], scores: &[f32], hd: usize, r: usize) -> Condensed {
    match rule {
        Rule::Keep => keep_top(k, v, scores, hd, r),
        Rule::Pool => pool_groups(k, v, scores, hd, r),
    }
}

/// Removes the rotation RoPE gave the keys of one position: x (n_heads * hd,) rotated at `pos` ->
/// the key before RoPE (rotation by -angle; the same adjacent pairing as the model's).
pub fn unrotate(x: &mut [f32], hd: usize, pos: usize, base: f32, dims: usize, angles: &mut [(f32, f32)]) {
    rope_angles(pos, base, dims, angles);
    for a in angles.iter_mut() {
        a.1 = -a.1;
    }
    rope_adjacent(x, hd, angles);
}

/// Gives un-rotated keys of one position their rotation at `pos` (what the model's forward does).
pub fn rotate(x: &mut [f32], hd: usize, pos: usize, base: f32, dims: usize, angles: &mut [(f32, f32)]) {
    rope_angles(pos, base, dims, angles);
    rope_adjacent(x, hd, angles);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::check::Rng;

    /// Naive twin of [`keep_top`]: sort every (score, index) pair, take the first, re-sort by index.
    fn keep_top_reference(k: &[f32], v: &[f32], scores: &[f32], hd: usize, r: usize) -> Condensed {
        let mut pairs: Vec<(f32, usize)> = scores.iter().copied().zip(0..).collect();
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut keep: Vec<usize> = pairs.iter().take(kept(scores.len(), r)).map(|p| p.1).collect();
        keep.sort();
        let mut out = Condensed::default();
        for i in keep {
            for d in 0..hd {
                out.k.push(k[i * hd + d]);
                out.v.push(v[i * hd + d]);
            }
            out.score.push(scores[i]);
            out.pos.push(i as u32);
        }
        out
    }

    /// Naive twin of [`pool_groups`]: each output element as its own weighted sum over the group.
    fn pool_groups_reference(k: &[f32], v: &[f32], scores: &[f32], hd: usize, r: usize) -> Condensed {
        let n = scores.len();
        let mut out = Condensed::default();
        let mut g = 0;
        while g * r < n {
            let members: Vec<usize> = (g * r..((g + 1) * r).min(n)).collect();
            let w: Vec<f32> = members.iter().map(|&i| scores[i].max(1e-9)).collect();
            let total: f32 = w.iter().sum();
            for d in 0..hd {
                out.k.push(members.iter().zip(&w).map(|(&i, w)| w / total * k[i * hd + d]).sum());
                out.v.push(members.iter().zip(&w).map(|(&i, w)| w / total * v[i * hd + d]).sum());
            }
            out.score.push(members.iter().map(|&i| scores[i]).sum());
            out.pos.push((g * r) as u32);
            g += 1;
        }
        out
    }

    fn random(rng: &mut Rng, n: usize) -> Vec<f32> {
        (0..n).map(|_| rng.f()).collect()
    }

    fn close(a: &[f32], b: &[f32]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 1e-5 * (1.0 + y.abs()))
    }

    #[test]
    fn rules_match_their_naive_twins_on_random_keys() {
        let mut rng = Rng::new(13);
        for case in 0..60 {
            let hd = [8, 16, 64][case % 3];
            let n = 1 + (rng.next_u64() % 300) as usize;
            let r = [4, 8, 16, 32][case % 4];
            let (k, v) = (random(&mut rng, n * hd), random(&mut rng, n * hd));
            // Attention weights: non-negative, some ties (quantized) and some zeros.
            let scores: Vec<f32> = (0..n).map(|_| ((rng.f() + 1.0) * 8.0).floor().max(0.0) / 16.0).collect();
            let got = keep_top(&k, &v, &scores, hd, r);
            assert_eq!(got, keep_top_reference(&k, &v, &scores, hd, r), "keep n={n} r={r} hd={hd}");
            assert_eq!(got.pos.len(), n.div_ceil(r));
            let got = pool_groups(&k, &v, &scores, hd, r);
            let want = pool_groups_reference(&k, &v, &scores, hd, r);
            assert_eq!(got.pos, want.pos);
            assert!(close(&got.k, &want.k) && close(&got.v, &want.v) && close(&got.score, &want.score));
        }
    }

    #[test]
    fn keep_prefers_the_attended_keys_and_keeps_their_order() {
        let scores = [0.1, 0.9, 0.0, 0.5, 0.7, 0.2, 0.0, 0.3];
        let k: Vec<f32> = (0..8).map(|i| i as f32).collect();
        let got = keep_top(&k, &k, &scores, 1, 4);
        assert_eq!(got.pos, vec![1, 4]);
        assert_eq!(got.k, vec![1.0, 4.0]);
    }

    #[test]
    fn pooling_leans_to_the_attended_key() {
        let k = [0.0, 10.0, 1.0, 1.0];
        let got = pool_groups(&k, &k, &[0.0, 1.0, 0.5, 0.5], 1, 2);
        assert!((got.k[0] - 10.0).abs() < 1e-6 && (got.k[1] - 1.0).abs() < 1e-6);
        assert_eq!(got.score, vec![1.0, 1.0]);
    }

    #[test]
    fn unrotate_undoes_rope_and_rotate_moves_a_key_to_a_new_position() {
        let mut rng = Rng::new(7);
        let (hd, dims, base) = (64, 64, 100000.0);
        let mut angles = vec![(0.0, 0.0); dims / 2];
        let plain = random(&mut rng, 3 * hd);
        let mut x = plain.clone();
        rotate(&mut x, hd, 1234, base, dims, &mut angles);
        assert!(!close(&x, &plain));
        unrotate(&mut x, hd, 1234, base, dims, &mut angles);
        assert!(close(&x, &plain));
        // The dot product of two rotated keys depends on their distance only.
        let (mut a, mut b, mut c, mut d) = (plain.clone(), plain.clone(), plain.clone(), plain.clone());
        rotate(&mut a, hd, 10, base, dims, &mut angles);
        rotate(&mut b, hd, 30, base, dims, &mut angles);
        rotate(&mut c, hd, 5010, base, dims, &mut angles);
        rotate(&mut d, hd, 5030, base, dims, &mut angles);
        let dot = |p: &[f32], q: &[f32]| p.iter().zip(q).map(|(x, y)| x * y).sum::<f32>();
        assert!((dot(&a, &b) - dot(&c, &d)).abs() < 1e-3 * dot(&a, &b).abs().max(1.0));
    }
}
