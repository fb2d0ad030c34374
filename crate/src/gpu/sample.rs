//! Top-k / argmax over the logits on the GPU (`shaders/sample.wgsl`): a row of `vocab` f32 logits in,
//! the k (<= 64) best (id, logit) pairs out, best first, so decoding reads back a few numbers per token
//! instead of the whole vocabulary. Twin: [`crate::model::sample::top_k`] (f32::total_cmp order, ties
//! to the lower id).

use super::buffers::{self, Staging};
use super::kernel::{Kernel, MAX_GROUPS_X};
use super::{Gpu, GpuError};

const SOURCE: &str = include_str!("../../../shaders/sample.wgsl");

/// The most candidates one call returns.
pub const MAX_K: usize = 64;
/// Logits per `local_top` workgroup (must match the shader).
const CHUNK: usize = 1024;

pub struct TopK {
    local: Kernel,
    merge: Kernel,
}

/// One logits buffer bound with its candidate, output and staging buffers, made at load.
pub struct TopKBind {
    local: wgpu::BindGroup,
    merge: wgpu::BindGroup,
    /// [vocab, k, row offset, groups]
    params: wgpu::Buffer,
    /// (MAX_K, 2) u32: id, logit bits
    out: wgpu::Buffer,
    staging: Staging,
    _cand: wgpu::Buffer,
    vocab: usize,
    groups: u32,
    logits_len: usize,
    k: usize,
}

impl TopK {
    pub fn new(gpu: &Gpu) -> TopK {
        TopK {
            local: Kernel::new(gpu, "local_top", SOURCE, "local_top"),
            merge: Kernel::new(gpu, "merge_top", SOURCE, "merge_top"),
        }
    }

    /// Binds `logits`, which holds one or more rows of `vocab` floats; k = 1 and row 0 until [`Self::set`].
    pub fn bind(&self, gpu: &Gpu, logits: &wgpu::Buffer, vocab: usize) -> Result<TopKBind, GpuError> {
        let groups = vocab.div_ceil(CHUNK);
        if vocab == 0 || groups > MAX_GROUPS_X as usize {
            return Err(GpuError::Internal(format!("top-k over a vocabulary of {vocab} logits")));
        }
        let groups = groups as u32;
        let cand = buffers::storage(gpu, "top-k candidates", groups as u64 * MAX_K as u64 * 8)?;
        let out = buffers::storage(gpu, "top-k", MAX_K as u64 * 8)?;
        let params = buffers::uniform(gpu, "top-k params", &[vocab as u32, 1, 0, groups]);
        // Each stage's layout holds only the bindings it uses: local (0, 1, 3), merge (1, 2, 3).
        let local = self.local.bind_entries(gpu, &[entry(0, logits), entry(1, &cand), entry(3, &params)]);
        let merge = self.merge.bind_entries(gpu, &[entry(1, &cand), entry(2, &out), entry(3, &params)]);
        Ok(TopKBind {
            local,
            merge,
            params,
            out,
            staging: Staging::new(gpu, MAX_K as u64 * 8),
            _cand: cand,
            vocab,
            groups,
            logits_len: (logits.size() / 4) as usize,
            k: 1,
        })
    }

    /// Picks k (1..=64) and the row: the logits at float offset `row_offset`.
    pub fn set(&self, gpu: &Gpu, bind: &mut TopKBind, k: usize, row_offset: usize) -> Result<(), GpuError> {
        if !(1..=MAX_K).contains(&k) || row_offset + bind.vocab > bind.logits_len {
            return Err(GpuError::Internal(format!(
                "top-{k} of {} logits at offset {row_offset} in a buffer of {}",
                bind.vocab, bind.logits_len
            )));
        }
        bind.k = k;
        let words = [bind.vocab as u32, k as u32, row_offset as u32, bind.groups];
        gpu.queue.write_buffer(&bind.params, 0, &buffers::words_bytes(&words));
        Ok(())
    }

    /// Encodes both stages; the result lands in the bind's output buffer.
    pub fn encode(&self, pass: &mut wgpu::ComputePass<'_>, bind: &TopKBind) {
        self.local.dispatch(pass, &bind.local, [bind.groups, 1, 1]);
        self.merge.dispatch(pass, &bind.merge, [1, 1, 1]);
    }

    /// The k best (id, logit), best first (fewer when the vocabulary is smaller than k), once the GPU
    /// has run everything submitted so far.
    pub async fn read(&self, gpu: &Gpu, bind: &TopKBind) -> Result<Vec<(u32, f32)>, GpuError> {
        let bytes = bind.staging.read(gpu, &bind.out, 0, bind.k as u64 * 8).await?;
        let words = buffers::bytes_u32(&bytes);
        Ok(words
            .chunks_exact(2)
            .take_while(|p| (p[0] as usize) < bind.vocab)
            .map(|p| (p[0], f32::from_bits(p[1])))
            .collect())
    }
}

fn entry(binding: u32, b: &wgpu::Buffer) -> wgpu::BindGroupEntry<'_> {
    wgpu::BindGroupEntry { binding, resource: b.as_entire_binding() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpu::buffers::{f32_bytes, storage_init};
    use crate::gpu::testing::{Rng, gpu};
    use crate::gpu::{block_on, kernel::submit};
    use crate::model::sample::top_k;

    fn run(t: &TopK, logits: &[f32], vocab: usize, row: usize, k: usize) -> Vec<(u32, f32)> {
        let gpu = gpu();
        let buf = storage_init(gpu, "logits", &f32_bytes(logits)).unwrap();
        let mut bind = t.bind(gpu, &buf, vocab).unwrap();
        t.set(gpu, &mut bind, k, row * vocab).unwrap();
        submit(gpu, "top-k", |pass| t.encode(pass, &bind));
        block_on(t.read(gpu, &bind)).unwrap()
    }

    /// Compares ids and logit bits (so -0.0 and 0.0 count as different, as total_cmp orders them).
    fn same(a: &[(u32, f32)], b: &[(u32, f32)]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.0 == y.0 && x.1.to_bits() == y.1.to_bits())
    }

    #[test]
    fn top_k_matches_cpu_twin() {
        let t = TopK::new(gpu());
        let mut rng = Rng::new(31);
        for vocab in [1usize, 5, 1023, 1025, 3000, 49152, 1 + rng.below(100_000)] {
            for k in [1, 2, 5, 40, 64] {
                let rows = 3;
                let mut logits = rng.vec(rows * vocab, 20.0);
                if vocab > 10 {
                    // Ties (to the lower id), signed zeros, and infinities.
                    let max = logits.iter().fold(f32::MIN, |m, &v| m.max(v));
                    for _ in 0..5 {
                        let i = rng.below(rows * vocab);
                        logits[i] = max;
                    }
                    logits[rng.below(rows * vocab)] = -0.0;
                    logits[rng.below(rows * vocab)] = 0.0;
                    logits[rng.below(rows * vocab)] = f32::NEG_INFINITY;
                    logits[rng.below(rows * vocab)] = f32::INFINITY;
                }
                // Coarse values make many ties inside the top k.
                if k == 40 {
                    logits.iter_mut().for_each(|v| *v = v.round());
                }
                let row = rng.below(rows);
                let got = run(&t, &logits, vocab, row, k);
                let want = top_k(&logits[row * vocab..(row + 1) * vocab], k);
                assert!(same(&got, &want), "vocab {vocab} k {k}: gpu {got:?} cpu {want:?}");
            }
        }
    }

    #[test]
    fn fixed_case_and_bad_k() {
        let t = TopK::new(gpu());
        let logits = [1.0, 3.0, 2.0, 3.0, -1.0];
        assert_eq!(run(&t, &logits, 5, 0, 1), vec![(1, 3.0)]);
        assert_eq!(run(&t, &logits, 5, 0, 3), vec![(1, 3.0), (3, 3.0), (2, 2.0)]);
        assert_eq!(run(&t, &logits, 5, 0, 64).len(), 5);
        let gpu = gpu();
        let buf = storage_init(gpu, "logits", &f32_bytes(&logits)).unwrap();
        let mut bind = t.bind(gpu, &buf, 5).unwrap();
        assert!(t.set(gpu, &mut bind, 0, 0).is_err());
        assert!(t.set(gpu, &mut bind, 65, 0).is_err());
        assert!(t.set(gpu, &mut bind, 1, 1).is_err());
    }

    /// Time per top-k over the model's vocabulary on this adapter (lavapipe: only ratios mean much).
    /// `cargo test --lib gpu::sample::tests::bench -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn bench() {
        let gpu = gpu();
        let t = TopK::new(gpu);
        let vocab = 49152;
        let buf = storage_init(gpu, "logits", &f32_bytes(&Rng::new(3).vec(vocab, 10.0))).unwrap();
        let mut bind = t.bind(gpu, &buf, vocab).unwrap();
        for k in [1, 40, 64] {
            t.set(gpu, &mut bind, k, 0).unwrap();
            submit(gpu, "warm-up", |pass| t.encode(pass, &bind));
            block_on(t.read(gpu, &bind)).unwrap();
            let reps = 10;
            let t0 = std::time::Instant::now();
            submit(gpu, "bench", |pass| (0..reps).for_each(|_| t.encode(pass, &bind)));
            block_on(t.read(gpu, &bind)).unwrap();
            eprintln!("top-{k} of {vocab}: {:.3} ms", t0.elapsed().as_secs_f64() * 1e3 / reps as f64);
        }
    }
}
