//! Attention on the GPU (`shaders/attention.wgsl`, `shaders/kv_store.wgsl`): the f16 KV cache, writing
//! a chunk's keys and values into it, and dense causal grouped-query attention over it.
//! Twins: [`crate::cpu::Isa::to_f16`] into [`crate::model::kv_cache::KvCache`], and
//! [`crate::cpu::Isa::attend_group`].
//!
//! # Buffer layout (shared with block-sparse attention)
//! - KV cache: per layer one K and one V buffer, `array<u32>` of f16 pairs (`pack2x16float`: element
//!   `e` is in word `e / 2`, the low half holds the even `e`). Element (pos, kv_head, d) is at index
//!   `pos * kv_dim + kv_head * head_dim + d` (kv_dim = n_kv_head * head_dim), the same as one layer of
//!   the CPU `KvCache`, so the bytes are identical to its `Vec<u16>` in little-endian order.
//!   Keys are stored after RoPE.
//! - q: f32 (n_tokens, n_head * head_dim) after RoPE; out: f32 of the same shape.
//! - Query `t` has position `pos0 + t` and attends keys `0..=pos0 + t` (causal).
//! - GQA: query head `h` uses KV head `h / (n_head / n_kv_head)`; scores are scaled by 1/sqrt(head_dim).
//! - Positions and counts come from the shared [`super::Step`] uniform (n_tokens, pos0, kv_len).

use super::buffers::{storage, uniform};
use super::kernel::MAX_GROUPS_X;
use super::kernel::{Kernel, grid_1d};
use super::{Gpu, GpuError};

pub const SOURCE: &str = include_str!("../../../shaders/attention.wgsl");
pub const STORE_SOURCE: &str = include_str!("../../../shaders/kv_store.wgsl");
/// The query-tiled rows both prefill attention kernels share (dense here, block-sparse in
/// [`super::block_sparse`]).
pub const TILE_SOURCE: &str = include_str!("../../../shaders/attention_tile.wgsl");

/// `source` after the shared tiled rows, compiled for heads of `head_dim`.
pub fn with_tile(source: &str, head_dim: usize) -> String {
    format!("{}\n{source}", TILE_SOURCE.replace("{{HEAD_DIM}}", &head_dim.to_string()))
}

/// The largest number of query heads per KV head and head size the attention shader handles.
pub const MAX_GROUP: usize = 8;
pub const MAX_HEAD_DIM: usize = 128;

/// Shapes of one model's attention.
#[derive(Clone, Copy, Debug)]
pub struct AttnShape {
    pub n_head: usize,
    pub n_kv_head: usize,
    pub head_dim: usize,
}

impl AttnShape {
    pub fn kv_dim(&self) -> usize {
        self.n_kv_head * self.head_dim
    }
    pub fn q_dim(&self) -> usize {
        self.n_head * self.head_dim
    }
}

/// The GPU KV cache of a session: per layer one K and one V buffer, each (n_ctx, kv_dim) f16.
pub struct KvBuffers {
    /// per layer: (n_ctx, kv_dim) f16 pairs in u32
    pub k: Vec<wgpu::Buffer>,
    /// per layer: (n_ctx, kv_dim) f16 pairs in u32
    pub v: Vec<wgpu::Buffer>,
    pub n_ctx: usize,
    pub kv_dim: usize,
}

impl KvBuffers {
    pub fn new(gpu: &Gpu, n_layer: usize, n_ctx: usize, kv_dim: usize) -> Result<KvBuffers, GpuError> {
        let bytes = (n_ctx * kv_dim * 2) as u64;
        let mut k = Vec::with_capacity(n_layer);
        let mut v = Vec::with_capacity(n_layer);
        for l in 0..n_layer {
            k.push(storage(gpu, &format!("k cache {l}"), bytes)?);
            v.push(storage(gpu, &format!("v cache {l}"), bytes)?);
        }
        Ok(KvBuffers { k, v, n_ctx, kv_dim })
    }

    pub fn bytes(&self) -> u64 {
        self.k.iter().chain(&self.v).map(|b| b.size()).sum()
    }
}

fn e(binding: u32, b: &wgpu::Buffer) -> wgpu::BindGroupEntry<'_> {
    wgpu::BindGroupEntry { binding, resource: b.as_entire_binding() }
}

/// Writes a chunk's keys and values into one layer's cache.
pub struct KvStore {
    kernel: Kernel,
    params: wgpu::Buffer,
    kv_dim: usize,
}

impl KvStore {
    pub fn new(gpu: &Gpu, kv_dim: usize) -> Result<KvStore, GpuError> {
        if !kv_dim.is_multiple_of(2) {
            return Err(GpuError::Internal(format!("kv_dim {kv_dim} must be even")));
        }
        Ok(KvStore {
            kernel: Kernel::new(gpu, "store_kv", STORE_SOURCE, "store_kv"),
            params: uniform(gpu, "store_kv params", &[kv_dim as u32]),
            kv_dim,
        })
    }

    /// k, v (n, kv_dim) f32 -> kc, vc at positions step.pos0.. (see the module doc for the layout).
    pub fn bind(
        &self,
        gpu: &Gpu,
        k: &wgpu::Buffer,
        v: &wgpu::Buffer,
        kc: &wgpu::Buffer,
        vc: &wgpu::Buffer,
        step: &wgpu::Buffer,
    ) -> wgpu::BindGroup {
        self.kernel.bind(gpu, &[k, v, kc, vc, &self.params, step])
    }

    pub fn encode(&self, pass: &mut wgpu::ComputePass<'_>, bind: &wgpu::BindGroup, n_tokens: u32) {
        let pairs = n_tokens * (self.kv_dim / 2) as u32;
        self.kernel.dispatch(pass, bind, grid_1d(pairs.div_ceil(256)));
    }
}

/// Chunks of at least this many tokens use the query-tiled kernel.
pub const TILED_MIN_TOKENS: u32 = 16;
/// Workgroups that share one (token, KV head) on the per-token kernel (`SPLITS` in the shader).
const SPLITS: u32 = 16;

/// Dense causal attention: q (n, n_head * hd) over the cache -> out (n, n_head * hd).
pub struct Attention {
    kernel: Kernel,
    combine: Kernel,
    tiled: Kernel,
    params: wgpu::Buffer,
    shape: AttnShape,
}

/// The buffers of one layer bound to both attention kernels.
pub struct AttnBind {
    rows: wgpu::BindGroup,
    combine: wgpu::BindGroup,
    tiled: wgpu::BindGroup,
    /// (max_rows, n_kv_head, SPLITS, group, head_dim + 2) f32: the per-token kernel's partial results
    _part: wgpu::Buffer,
    /// Chunks up to this many tokens may use the per-token kernel.
    max_rows: u32,
}

impl Attention {
    pub fn new(gpu: &Gpu, shape: AttnShape) -> Result<Attention, GpuError> {
        let AttnShape { n_head, n_kv_head, head_dim } = shape;
        if n_kv_head == 0
            || !n_head.is_multiple_of(n_kv_head)
            || n_head / n_kv_head > MAX_GROUP
            || head_dim > MAX_HEAD_DIM
            || !head_dim.is_multiple_of(2)
        {
            return Err(GpuError::Internal(format!(
                "attention shape {shape:?} is outside what the shader handles (at most {MAX_GROUP} query heads per KV head, head size even and at most {MAX_HEAD_DIM})"
            )));
        }
        let scale = 1.0 / (head_dim as f32).sqrt();
        let words =
            [n_head as u32, n_kv_head as u32, head_dim as u32, shape.kv_dim() as u32, scale.to_bits()];
        let source = with_tile(SOURCE, head_dim);
        Ok(Attention {
            kernel: Kernel::new(gpu, "attention", &source, "attention"),
            combine: Kernel::new(gpu, "attention_combine", &source, "attention_combine"),
            tiled: Kernel::new(gpu, "attention_tiled", &source, "attention_tiled"),
            params: uniform(gpu, "attention params", &words),
            shape,
        })
    }

    /// Binds one layer's buffers; chunks of up to `max_rows` tokens may take the per-token kernel
    /// (whose partial results need room per token), longer ones always take the tiled one.
    #[allow(clippy::too_many_arguments)]
    pub fn bind(
        &self,
        gpu: &Gpu,
        q: &wgpu::Buffer,
        kc: &wgpu::Buffer,
        vc: &wgpu::Buffer,
        out: &wgpu::Buffer,
        step: &wgpu::Buffer,
        max_rows: usize,
    ) -> Result<AttnBind, GpuError> {
        let AttnShape { n_head, n_kv_head, head_dim } = self.shape;
        let row = n_kv_head * SPLITS as usize * (n_head / n_kv_head) * (head_dim + 2) * 4;
        let part = storage(gpu, "attention partials", (max_rows.max(1) * row) as u64)?;
        let rows = self
            .kernel
            .bind_entries(gpu, &[e(0, q), e(1, kc), e(2, vc), e(4, &self.params), e(5, step), e(6, &part)]);
        let combine =
            self.combine.bind_entries(gpu, &[e(3, out), e(4, &self.params), e(5, step), e(6, &part)]);
        let tiled = self.tiled.bind(gpu, &[q, kc, vc, out, &self.params, step]);
        Ok(AttnBind {
            rows,
            combine,
            tiled,
            _part: part,
            max_rows: max_rows.min(MAX_GROUPS_X as usize) as u32,
        })
    }

    /// The query-tiled kernel for prefill chunks, the per-token one for decode; `n_tokens` <= 65535.
    pub fn encode(&self, pass: &mut wgpu::ComputePass<'_>, bind: &AttnBind, n_tokens: u32) {
        self.encode_with(pass, bind, n_tokens, n_tokens >= TILED_MIN_TOKENS || n_tokens > bind.max_rows);
    }

    fn encode_with(&self, pass: &mut wgpu::ComputePass<'_>, bind: &AttnBind, n_tokens: u32, tiled: bool) {
        let kv_heads = self.shape.n_kv_head as u32;
        if tiled {
            let per = (64 / (self.shape.n_head / self.shape.n_kv_head)) as u32;
            self.tiled.dispatch(pass, &bind.tiled, [n_tokens.div_ceil(per).max(1), kv_heads, 1]);
        } else {
            self.kernel.dispatch(pass, &bind.rows, [n_tokens.max(1), kv_heads, SPLITS]);
            self.combine.dispatch(pass, &bind.combine, [n_tokens.max(1), kv_heads, 1]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::Isa;
    use crate::cpu::f16::f32_to_f16;
    use crate::gpu::buffers::{Staging, bytes_f32, bytes_u32, f32_bytes, storage_init, uniform};
    use crate::gpu::testing::{Rng, gpu};
    use crate::gpu::{Step, block_on, kernel::submit};

    fn u16_bytes(x: &[u16]) -> Vec<u8> {
        x.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    #[test]
    fn store_kv_writes_f16_rows_at_their_positions() {
        let gpu = gpu();
        let mut rng = Rng::new(11);
        for (kv_dim, n_ctx, pos0, n) in
            [(192usize, 40usize, 0usize, 7usize), (6, 9, 5, 4), (128, 300, 17, 283)]
        {
            let store = KvStore::new(gpu, kv_dim).unwrap();
            let k = rng.vec(n * kv_dim, 4.0);
            let v = rng.vec(n * kv_dim, 4.0);
            let (kb, vb) = (
                storage_init(gpu, "k", &f32_bytes(&k)).unwrap(),
                storage_init(gpu, "v", &f32_bytes(&v)).unwrap(),
            );
            let cache = KvBuffers::new(gpu, 1, n_ctx, kv_dim).unwrap();
            let step = uniform(gpu, "step", &Step { n_tokens: n as u32, pos0: pos0 as u32 }.words());
            let bind = store.bind(gpu, &kb, &vb, &cache.k[0], &cache.v[0], &step);
            submit(gpu, "store", |pass| store.encode(pass, &bind, n as u32));
            let staging = Staging::new(gpu, cache.k[0].size());
            for (src, buf) in [(&k, &cache.k[0]), (&v, &cache.v[0])] {
                let words = bytes_u32(&block_on(staging.read(gpu, buf, 0, buf.size())).unwrap());
                let halves: Vec<u16> = words.iter().flat_map(|w| [*w as u16, (*w >> 16) as u16]).collect();
                let mut want = vec![0u16; n_ctx * kv_dim];
                for (i, &x) in src.iter().enumerate() {
                    want[pos0 * kv_dim + i] = f32_to_f16(x);
                }
                assert_eq!(halves, want, "kv_dim {kv_dim} pos0 {pos0} n {n}");
            }
        }
    }

    /// Both GPU attention kernels against the CPU twin on random shapes (GQA groups 1..4, odd
    /// lengths, chunks starting mid-cache, single-token decode, tiles cut by n).
    #[test]
    fn attention_matches_cpu_twin() {
        let gpu = gpu();
        let mut rng = Rng::new(5);
        let cases = [
            (9usize, 3usize, 64usize, 0usize, 4usize),
            (9, 3, 64, 130, 1),
            (4, 4, 32, 0, 70),
            (8, 2, 128, 63, 66),
            (6, 3, 16, 200, 5),
            (2, 1, 64, 1000, 1),
            (9, 3, 64, 37, 100),
            (5, 5, 64, 0, 13),
        ];
        let mut worst = 0.0f32;
        for (n_head, n_kv_head, hd, pos0, n) in cases {
            let shape = AttnShape { n_head, n_kv_head, head_dim: hd };
            let attn = Attention::new(gpu, shape).unwrap();
            let (kv_dim, qd) = (shape.kv_dim(), shape.q_dim());
            let n_ctx = pos0 + n + rng.below(5);
            let len = pos0 + n;
            let kc: Vec<u16> = (0..n_ctx * kv_dim).map(|_| f32_to_f16(rng.f32(2.0))).collect();
            let vc: Vec<u16> = (0..n_ctx * kv_dim).map(|_| f32_to_f16(rng.f32(2.0))).collect();
            let q = rng.vec(n * qd, 2.0);
            let kb = storage_init(gpu, "kc", &u16_bytes(&kc)).unwrap();
            let vb = storage_init(gpu, "vc", &u16_bytes(&vc)).unwrap();
            let qb = storage_init(gpu, "q", &f32_bytes(&q)).unwrap();
            let ob = storage(gpu, "out", (n * qd * 4) as u64).unwrap();
            let step = uniform(gpu, "step", &Step { n_tokens: n as u32, pos0: pos0 as u32 }.words());
            let bind = attn.bind(gpu, &qb, &kb, &vb, &ob, &step, n).unwrap();
            let staging = Staging::new(gpu, (n * qd * 4) as u64);
            let run = |tiled: bool| {
                submit(gpu, "attention", |pass| attn.encode_with(pass, &bind, n as u32, tiled));
                bytes_f32(&block_on(staging.read(gpu, &ob, 0, (n * qd * 4) as u64)).unwrap())
            };
            let (rows, tiled) = (run(false), run(true));

            let group = n_head / n_kv_head;
            let mut want = vec![0.0f32; n * qd];
            let mut sc = vec![0.0f32; group * len];
            for t in 0..n {
                for g in 0..n_kv_head {
                    let off = t * qd + g * group * hd;
                    Isa::Scalar.attend_group(
                        &kc[g * hd..],
                        &vc[g * hd..],
                        kv_dim,
                        pos0 + t + 1,
                        &q[off..off + group * hd],
                        hd,
                        group,
                        &mut sc,
                        len,
                        &mut want[off..off + group * hd],
                    );
                }
            }
            for (name, got) in [("per-token", rows), ("tiled", tiled)] {
                let err = got.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
                worst = worst.max(err);
                // Outputs are convex combinations of f16 values in [-2, 2]; summation order differs.
                assert!(err < 2e-5, "{name} {shape:?} pos0 {pos0} n {n}: max abs error {err}");
            }
        }
        println!("attention: worst max abs error {worst:e}");
    }
}
