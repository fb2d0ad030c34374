//! Picking the next token from logits: greedy, or temperature with top-k / top-p, with an optional
//! repetition penalty (llama.cpp's: positive logits divided, negative ones multiplied).

/// Sampling settings. `temperature <= 0` means greedy.
#[derive(Clone, Debug)]
pub struct Sampler {
    pub temperature: f32,
    pub top_k: usize,
    pub top_p: f32,
    pub repeat_penalty: f32,
    /// How many of the most recent tokens the penalty looks at.
    pub repeat_last_n: usize,
    rng: u64,
    /// (id, weight) candidates, reused between calls.
    cand: Vec<(u32, f32)>,
}

impl Default for Sampler {
    fn default() -> Self {
        Sampler::greedy()
    }
}

impl Sampler {
    pub fn greedy() -> Sampler {
        Sampler::new(0.0, 0, 1.0, 1.0, 0)
    }

    pub fn new(temperature: f32, top_k: usize, top_p: f32, repeat_penalty: f32, seed: u64) -> Sampler {
        Sampler {
            temperature,
            top_k,
            top_p,
            repeat_penalty,
            repeat_last_n: 64,
            rng: seed ^ 0x9e37_79b9_7f4a_7c15,
            cand: Vec::new(),
        }
    }

    /// splitmix64 -> uniform in [0, 1).
    fn uniform(&mut self) -> f32 {
        self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 40) as f32 / (1u64 << 24) as f32
    }

    /// The next token id given `logits` (vocab,) and the tokens so far (for the penalty).
    pub fn sample(&mut self, logits: &[f32], history: &[u32]) -> u32 {
        let penalize = self.repeat_penalty != 1.0 && !history.is_empty();
        let recent = &history[history.len().saturating_sub(self.repeat_last_n)..];
        let logit = |i: usize| {
            let v = logits[i];
            if penalize && recent.contains(&(i as u32)) {
                if v > 0.0 { v / self.repeat_penalty } else { v * self.repeat_penalty }
            } else {
                v
            }
        };
        if self.temperature <= 0.0 {
            let mut best = (0usize, f32::NEG_INFINITY);
            for i in 0..logits.len() {
                let v = logit(i);
                if v > best.1 {
                    best = (i, v);
                }
            }
            return best.0 as u32;
        }
        let mut cand = std::mem::take(&mut self.cand);
        cand.clear();
        cand.extend((0..logits.len()).map(|i| (i as u32, logit(i) / self.temperature)));
        cand.sort_unstable_by(|a, b| b.1.total_cmp(&a.1));
        if self.top_k > 0 {
            cand.truncate(self.top_k);
        }
        let max = cand.first().map_or(0.0, |c| c.1);
        let mut sum = 0.0;
        for c in cand.iter_mut() {
            c.1 = (c.1 - max).exp();
            sum += c.1;
        }
        if self.top_p < 1.0 {
            let mut acc = 0.0;
            let mut keep = cand.len();
            for (i, c) in cand.iter().enumerate() {
                acc += c.1 / sum;
                if acc >= self.top_p {
                    keep = i + 1;
                    break;
                }
            }
            cand.truncate(keep);
            sum = cand.iter().map(|c| c.1).sum();
        }
        let mut r = self.uniform() * sum;
        let mut pick = cand.last().map_or(0, |c| c.0);
        for c in &cand {
            if r < c.1 {
                pick = c.0;
                break;
            }
            r -= c.1;
        }
        self.cand = cand;
        pick
    }
}

/// The k largest logits, best first (f32::total_cmp order, ties to the lower id): (id, logit).
pub fn top_k(logits: &[f32], k: usize) -> Vec<(u32, f32)> {
    let mut v: Vec<(u32, f32)> = logits.iter().enumerate().map(|(i, &l)| (i as u32, l)).collect();
    let k = k.min(v.len());
    if k == 0 {
        return Vec::new();
    }
    // Ties go to the lower id, so the GPU's top-k (gpu::sample) can match exactly.
    let order = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    v.select_nth_unstable_by(k - 1, order);
    v.truncate(k);
    v.sort_by(order);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_penalty_and_top_k() {
        let logits = [1.0, 3.0, 2.0, -1.0];
        assert_eq!(Sampler::greedy().sample(&logits, &[]), 1);
        let mut s = Sampler::new(0.0, 0, 1.0, 2.0, 0);
        assert_eq!(s.sample(&logits, &[1]), 2); // 3/2 < 2
        assert_eq!(top_k(&logits, 2), vec![(1, 3.0), (2, 2.0)]);
        // top_k = 1 at any temperature is greedy.
        let mut s = Sampler::new(1.5, 1, 1.0, 1.0, 7);
        assert!((0..50).all(|_| s.sample(&logits, &[]) == 1));
        // top_p keeps only the head of the distribution.
        let mut s = Sampler::new(1.0, 0, 0.5, 1.0, 3);
        assert!((0..50).all(|_| s.sample(&[10.0, 0.0, 0.0], &[]) == 0));
        // sampling visits more than one token at high temperature.
        let mut s = Sampler::new(5.0, 0, 1.0, 1.0, 11);
        let seen: std::collections::HashSet<u32> = (0..200).map(|_| s.sample(&logits, &[])).collect();
        assert!(seen.len() > 2);
    }
}
