//! Block-sparse attention on the GPU: key-block summaries and block selection
//! (`shaders/block_select.wgsl`), then attention over the selected blocks (`shaders/attention_sparse.wgsl`).
//! Twins: [`crate::cpu::sparse`] (`pool_keys`, `select_chunk`, `attention_sparse`).
//!
//! Buffers (per layer, created at load by the caller):
//! - k, v: `// (n_ctx, n_kv_head * hd) f16 pairs` (element e in word e / 2, low half = even e)
//! - q: `// (n_tokens, n_head * hd) f32`, out the same shape
//! - pooled: `// [mean | min | max], each (n_kb_cap, n_kv_head * hd) f32`
//! - sel: `// (n_qb_cap, n_kv_head, s_max) u32`, sel_len: `// (n_qb_cap, n_kv_head) u32`
//!
//! The shared [`super::Step`] uniform gives the chunk (n_tokens, pos0, kv_len = pos0 + n_tokens).

use super::attention::{self, TILED_MIN_TOKENS, with_tile};
use super::kernel::{Kernel, grid_1d};
use super::{Gpu, Step};
use crate::cpu::sparse::{Heads, Keep, Rule};

pub const SELECT_SOURCE: &str = include_str!("../../../shaders/block_select.wgsl");
pub const ATTEND_SOURCE: &str = include_str!("../../../shaders/attention_sparse.wgsl");

/// Largest head size and (group * head size) the shaders hold in workgroup memory, and the most key
/// blocks one query block may score.
pub const MAX_HEAD_DIM: usize = 256;
pub const MAX_GROUP_WIDTH: usize = 1024;
pub const MAX_KEY_BLOCKS: usize = 1024;

/// The `Params` uniform of both shaders (WGSL `struct Params`, same field order).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SparseParams {
    pub block: u32,
    pub sink: u32,
    pub window: u32,
    pub top_k: u32,
    pub score: u32,
    pub n_head: u32,
    pub n_kv_head: u32,
    pub head_dim: u32,
    pub s_max: u32,
    pub n_kb_cap: u32,
    /// 0: top-k, 1: attention-mass share `tau` ([`crate::cpu::sparse::Budget`]).
    pub budget: u32,
    pub tau: f32,
    /// First key block the pool kernel (re)computes: the first whose summary is not current.
    pub pool_from: u32,
    /// The current forward's first tail query block, which keeps every block on
    /// ([`crate::cpu::sparse::Keep::dense_from`]); u32::MAX when none.
    pub dense_from: u32,
    pub _pad: [u32; 2],
}

impl SparseParams {
    /// Checks the shapes the shaders can hold; None when the model or setting is out of their range.
    pub fn new(rule: &Rule, heads: Heads, n_ctx: usize) -> Option<SparseParams> {
        let (block, keep) = (rule.block, rule.keep);
        let (n_head, n_kv_head, head_dim) = (heads.n_head, heads.n_kv_head, heads.hd);
        let n_kb = n_ctx.div_ceil(block.max(1));
        let ok = block > 0
            && n_kv_head > 0
            && n_head.is_multiple_of(n_kv_head)
            && head_dim <= MAX_HEAD_DIM
            && head_dim.is_multiple_of(2)
            && (n_head / n_kv_head) * head_dim <= MAX_GROUP_WIDTH
            && n_kb <= MAX_KEY_BLOCKS;
        let (budget, tau) = keep.budget.id();
        ok.then_some(SparseParams {
            block: block as u32,
            sink: keep.sink as u32,
            window: keep.window.max(1) as u32,
            top_k: keep.top_k as u32,
            score: rule.score.id(),
            n_head: n_head as u32,
            n_kv_head: n_kv_head as u32,
            head_dim: head_dim as u32,
            s_max: keep.slots(n_kb) as u32,
            n_kb_cap: n_kb as u32,
            budget,
            tau,
            pool_from: 0,
            dense_from: u32::MAX,
            _pad: [0; 2],
        })
    }

    /// The same, pooling from the block that holds position `pooled` (the first position whose key
    /// block summary is not current) for the chunk `step`.
    pub fn pooling_from(self, pooled: u32, step: &Step) -> SparseParams {
        SparseParams { pool_from: pooled.min(step.pos0) / self.block, ..self }
    }

    /// The same, for the forward `keep` was set up for ([`Keep::ending_at`]): its tail's first query block.
    pub fn for_forward(self, keep: &Keep) -> SparseParams {
        SparseParams { dense_from: u32::try_from(keep.dense_from).unwrap_or(u32::MAX), ..self }
    }

    /// The uniform's words, in the WGSL struct's order.
    pub fn words(&self) -> [u32; 16] {
        let p = self;
        [
            p.block,
            p.sink,
            p.window,
            p.top_k,
            p.score,
            p.n_head,
            p.n_kv_head,
            p.head_dim,
            p.s_max,
            p.n_kb_cap,
            p.budget,
            p.tau.to_bits(),
            p.pool_from,
            p.dense_from,
            p._pad[0],
            p._pad[1],
        ]
    }

    /// Query blocks a chunk touches.
    pub fn query_blocks(&self, step: &Step) -> u32 {
        (step.pos0 + step.n_tokens - 1) / self.block - step.pos0 / self.block + 1
    }

    /// Key blocks the pool kernel computes for the chunk.
    pub fn pooled_blocks(&self, step: &Step) -> u32 {
        (step.pos0 + step.n_tokens - 1) / self.block - self.pool_from + 1
    }
}

/// One layer's buffers bound to each kernel ([`BlockSparse::bind`]).
pub struct SparseBinds {
    pub pool: wgpu::BindGroup,
    pub select: wgpu::BindGroup,
    pub attend: wgpu::BindGroup,
    pub attend_tiled: Option<wgpu::BindGroup>,
}

pub struct BlockSparse {
    pub pool: Kernel,
    pub select: Kernel,
    pub attend: Kernel,
    /// The query-tiled attention, within the shared rows' limits (the dense kernel's
    /// [`attention::MAX_HEAD_DIM`] and [`attention::MAX_GROUP`]).
    pub attend_tiled: Option<Kernel>,
}

/// Binds `buffers` to the given binding numbers (the entry points of one shader use different subsets).
pub fn bind_at(gpu: &Gpu, kernel: &Kernel, buffers: &[(u32, &wgpu::Buffer)]) -> wgpu::BindGroup {
    let entries: Vec<wgpu::BindGroupEntry> = buffers
        .iter()
        .map(|&(binding, b)| wgpu::BindGroupEntry { binding, resource: b.as_entire_binding() })
        .collect();
    kernel.bind_entries(gpu, &entries)
}

impl BlockSparse {
    /// The kernels for `heads` (whose shape [`SparseParams::new`] accepted).
    pub fn new(gpu: &Gpu, heads: Heads) -> BlockSparse {
        let tiled = heads.hd <= attention::MAX_HEAD_DIM && heads.group() <= attention::MAX_GROUP;
        let source = with_tile(ATTEND_SOURCE, heads.hd.min(attention::MAX_HEAD_DIM));
        BlockSparse {
            pool: Kernel::new(gpu, "pool_keys", SELECT_SOURCE, "pool_keys"),
            select: Kernel::new(gpu, "select_blocks", SELECT_SOURCE, "select_blocks"),
            attend: Kernel::new(gpu, "attention_sparse", &source, "attend"),
            attend_tiled: tiled.then(|| Kernel::new(gpu, "attention_sparse_tiled", &source, "attend_tiled")),
        }
    }

    /// Bind groups for one layer. pool: step, params, k, pooled; select: step, params, pooled, q, sel,
    /// sel_len; attend: step, params, q, k, v, sel, sel_len, out.
    #[allow(clippy::too_many_arguments)]
    pub fn bind(
        &self,
        gpu: &Gpu,
        step: &wgpu::Buffer,
        params: &wgpu::Buffer,
        q: &wgpu::Buffer,
        k: &wgpu::Buffer,
        v: &wgpu::Buffer,
        pooled: &wgpu::Buffer,
        sel: &wgpu::Buffer,
        sel_len: &wgpu::Buffer,
        out: &wgpu::Buffer,
    ) -> SparseBinds {
        let attend = [(0, step), (1, params), (2, q), (3, k), (4, v), (5, sel), (6, sel_len), (7, out)];
        SparseBinds {
            pool: bind_at(gpu, &self.pool, &[(0, step), (1, params), (2, k), (3, pooled)]),
            select: bind_at(
                gpu,
                &self.select,
                &[(0, step), (1, params), (3, pooled), (4, q), (5, sel), (6, sel_len)],
            ),
            attend: bind_at(gpu, &self.attend, &attend),
            attend_tiled: self.attend_tiled.as_ref().map(|t| bind_at(gpu, t, &attend)),
        }
    }

    /// Pools the key blocks from `p.pool_from` to the chunk's end, selects blocks per (query block, KV head), attends.
    /// `binds` from [`BlockSparse::bind`]; `step` must be the values in the step uniform.
    pub fn encode(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        binds: &SparseBinds,
        p: &SparseParams,
        step: &Step,
    ) {
        if step.n_tokens == 0 {
            return;
        }
        let n_qb = p.query_blocks(step);
        let kv_dim = p.n_kv_head * p.head_dim;
        self.pool.dispatch(pass, &binds.pool, grid_1d((p.pooled_blocks(step) * kv_dim).div_ceil(64)));
        self.select.dispatch(pass, &binds.select, [n_qb * p.n_kv_head, 1, 1]);
        self.encode_attention(pass, binds, p, step);
    }

    /// Only the attention, over selections already in `sel` / `sel_len` (e.g. written by the host).
    pub fn encode_attention(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        binds: &SparseBinds,
        p: &SparseParams,
        step: &Step,
    ) {
        if step.n_tokens == 0 {
            return;
        }
        match (&self.attend_tiled, &binds.attend_tiled) {
            (Some(tiled), Some(bind)) if step.n_tokens >= TILED_MIN_TOKENS => {
                let per = 64 / (p.n_head / p.n_kv_head);
                let tiles = p.block.div_ceil(per);
                tiled.dispatch(pass, bind, [p.query_blocks(step) * tiles, p.n_kv_head, 1]);
            }
            _ => self.attend.dispatch(pass, &binds.attend, grid_1d(step.n_tokens * p.n_head)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::f16::f32_to_f16;
    use crate::cpu::sparse::{
        BlockScore, Budget, Chunk, Keep, SelectScratch, Selection, Summaries, attention_sparse, pool_keys,
        select_chunk,
    };
    use crate::gpu::buffers::{Staging, bytes_f32, bytes_u32, f32_bytes, storage, storage_init, uniform};
    use crate::gpu::testing::{Rng, gpu};
    use crate::gpu::{block_on, kernel::submit};

    fn u16_bytes(x: &[u16]) -> Vec<u8> {
        x.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    /// One random case on the GPU and the CPU twins: pooled tables, selections and outputs. Summaries of
    /// positions before `pooled` are uploaded (pooled by earlier passes); the kernel pools the rest.
    fn case(rng: &mut Rng, heads: Heads, rule: Rule, chunk: Chunk, pooled_len: usize) {
        let gpu = gpu();
        let kernels = BlockSparse::new(gpu, heads);
        let (pos0, n, block) = (chunk.pos0, chunk.n, rule.block);
        let (n_head, n_kv_head, hd) = (heads.n_head, heads.n_kv_head, heads.hd);
        let kv_len = chunk.kv_len();
        let n_ctx = kv_len + 7;
        let (kv_dim, width) = (heads.kv_dim(), heads.width());
        let step = Step { n_tokens: n as u32, pos0: pos0 as u32 };
        let p = SparseParams::new(&rule, heads, n_ctx).unwrap().pooling_from(pooled_len as u32, &step);
        let rule = Rule { keep: rule.keep.ending_at(kv_len, block), ..rule };
        let p = p.for_forward(&rule.keep);
        let (cap, s_max) = (p.n_kb_cap as usize, p.s_max as usize);
        let k: Vec<u16> = (0..n_ctx * kv_dim).map(|_| f32_to_f16(rng.f32(2.0))).collect();
        let v: Vec<u16> = (0..n_ctx * kv_dim).map(|_| f32_to_f16(rng.f32(2.0))).collect();
        let q = rng.vec(n * width, 1.5);

        // CPU twins over summaries of every block.
        let (mut mean, mut min, mut max) =
            (vec![0.0; cap * kv_dim], vec![0.0; cap * kv_dim], vec![0.0; cap * kv_dim]);
        pool_keys(&k, kv_dim, kv_len, block, 0..kv_len.div_ceil(block), &mut mean, &mut min, &mut max);
        let n_qb = p.query_blocks(&step) as usize;
        let mut cpu_sel = Selection::new(n_qb, n_kv_head, s_max);
        let sums = Summaries { mean: &mean, min: &min, max: &max };
        select_chunk(&rule, heads, chunk, &q, sums, &mut SelectScratch::default(), &mut cpu_sel);
        let (sel, sel_len) = (&cpu_sel.blocks, &cpu_sel.len);
        let mut want = vec![0.0; n * width];
        attention_sparse(&k, &v, &q, heads, chunk, block, &cpu_sel, &mut want);

        // GPU: the summaries of blocks before pool_from uploaded, the others pooled by the kernel.
        let kb0 = p.pool_from as usize;
        let mut pooled = vec![0.0f32; 3 * cap * kv_dim];
        for (i, t) in [&mean, &min, &max].into_iter().enumerate() {
            pooled[i * cap * kv_dim..i * cap * kv_dim + kb0 * kv_dim].copy_from_slice(&t[..kb0 * kv_dim]);
        }
        let sb = uniform(gpu, "step", &step.words());
        let pb = uniform(gpu, "params", &p.words());
        let qb = storage_init(gpu, "q", &f32_bytes(&q)).unwrap();
        let kb = storage_init(gpu, "k", &u16_bytes(&k)).unwrap();
        let vb = storage_init(gpu, "v", &u16_bytes(&v)).unwrap();
        let pooled_b = storage_init(gpu, "pooled", &f32_bytes(&pooled)).unwrap();
        let selb = storage(gpu, "sel", (sel.len() * 4) as u64).unwrap();
        let lenb = storage(gpu, "sel_len", (sel_len.len() * 4) as u64).unwrap();
        let outb = storage(gpu, "out", (want.len() * 4) as u64).unwrap();
        let binds = kernels.bind(gpu, &sb, &pb, &qb, &kb, &vb, &pooled_b, &selb, &lenb, &outb);
        submit(gpu, "block_sparse", |pass| kernels.encode(pass, &binds, &p, &step));
        let staging = Staging::new(gpu, (pooled.len().max(want.len()).max(sel.len()) * 4) as u64);
        let read =
            |b: &wgpu::Buffer, len: usize| block_on(staging.read(gpu, b, 0, (len * 4) as u64)).unwrap();
        gpu.check().unwrap();

        let got_pooled = bytes_f32(&read(&pooled_b, pooled.len()));
        for (i, t) in [&mean, &min, &max].into_iter().enumerate() {
            for (j, (a, b)) in
                got_pooled[i * cap * kv_dim..].iter().zip(&t[..kv_len.div_ceil(block) * kv_dim]).enumerate()
            {
                assert!((a - b).abs() <= 1e-5 * b.abs().max(1.0), "pooled table {i} [{j}]: {a} vs {b}");
            }
        }
        let ctx =
            format!("heads {n_head}/{n_kv_head} hd {hd} {rule:?} pos0 {pos0} n {n} pooled {pooled_len}");
        let got_len = bytes_u32(&read(&lenb, sel_len.len()));
        assert_eq!(&got_len[..], &sel_len[..n_qb * n_kv_head], "{ctx}");
        let got_sel = bytes_u32(&read(&selb, sel.len()));
        for (item, &len) in sel_len[..n_qb * n_kv_head].iter().enumerate() {
            let r = item * s_max..item * s_max + len as usize;
            assert_eq!(got_sel[r.clone()], sel[r], "{ctx}: item {item}");
        }
        let got = bytes_f32(&read(&outb, want.len()));
        for (i, (a, b)) in got.iter().zip(&want).enumerate() {
            assert!((a - b).abs() <= 2e-4 * b.abs().max(1.0), "{ctx}: out[{i}] {a} vs {b}");
        }
    }

    #[test]
    fn block_sparse_matches_cpu_twins() {
        let mut rng = Rng::new(17);
        let top = |block, score, sink, window, top_k| Rule {
            block,
            score,
            keep: Keep { sink, window, top_k, budget: Budget::TopK, tail: 0, dense_from: usize::MAX },
        };
        let mass = |block, score, sink, window, top_k, tau| Rule {
            block,
            score,
            keep: Keep { sink, window, top_k, budget: Budget::Mass { tau }, tail: 0, dense_from: usize::MAX },
        };
        // The forward's last `t` tokens keep every block.
        let tail = |r: Rule, t| Rule { keep: Keep { tail: t, ..r.keep }, ..r };
        let h = |n_head, n_kv_head, hd| Heads { n_head, n_kv_head, hd };
        let c = |pos0, n| Chunk { pos0, n };
        use BlockScore::{MeanPool, MinMax};
        // Odd sizes: partial query and key blocks, chunks that start inside a block, blocks larger than a
        // workgroup, a single decode token, SmolLM2's shape (9 heads over 3 KV heads of 64); summaries
        // pooled up to the chunk, or none before it (a dense prefill or decode steps wrote those blocks).
        case(&mut rng, h(9, 3, 64), top(64, MeanPool, 1, 2, 3), c(384, 200), 384);
        case(&mut rng, h(9, 3, 64), top(64, MinMax, 1, 2, 3), c(0, 333), 0);
        case(&mut rng, h(4, 2, 24), top(16, MeanPool, 2, 1, 4), c(37, 91), 37);
        case(&mut rng, h(6, 1, 40), top(96, MinMax, 1, 3, 2), c(500, 150), 500);
        case(&mut rng, h(2, 2, 8), top(8, MeanPool, 0, 1, 5), c(250, 1), 250);
        case(&mut rng, h(4, 4, 128), top(32, MinMax, 1, 1, 2), c(100, 60), 100);
        case(&mut rng, h(9, 3, 64), top(64, MinMax, 1, 2, 3), c(700, 1), 0);
        case(&mut rng, h(4, 2, 24), top(16, MeanPool, 1, 2, 4), c(300, 40), 130);
        // Mass budget: caps that bind and thresholds that bind, both scores.
        case(&mut rng, h(9, 3, 64), mass(64, MeanPool, 1, 2, 6, 0.9), c(640, 300), 640);
        case(&mut rng, h(9, 3, 64), mass(64, MinMax, 1, 2, 3, 0.95), c(0, 700), 0);
        case(&mut rng, h(4, 2, 24), mass(16, MeanPool, 2, 1, 30, 0.5), c(37, 291), 0);
        case(&mut rng, h(2, 2, 8), mass(8, MinMax, 0, 1, 40, 0.8), c(250, 1), 250);
        // A dense tail: the chunk's last query blocks (or a decode token) keep every causal block.
        case(&mut rng, h(9, 3, 64), tail(top(64, MinMax, 1, 2, 3), 64), c(384, 200), 384);
        case(&mut rng, h(4, 2, 24), tail(mass(16, MeanPool, 2, 1, 30, 0.5), 40), c(37, 291), 0);
        case(&mut rng, h(9, 3, 64), tail(top(64, MinMax, 1, 2, 3), 64), c(700, 1), 0);
        case(&mut rng, h(4, 2, 24), tail(top(16, MeanPool, 1, 2, 4), 100), c(300, 40), 130);
    }
}
