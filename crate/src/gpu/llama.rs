//! The whole Llama forward pass on the GPU: a loaded [`crate::model::Llama`] in, next-token logits
//! (or just the best few of them) out. Mirrors `model/llama.rs` at [`crate::model::Precision::Exact`]:
//! f32 activations, weights kept quantized and dequantized on the fly, f16 KV cache.
//!
//! Everything is created at load: weights (uploaded once), pipelines, activation buffers for a chunk
//! of [`MAX_CHUNK`] tokens, the KV cache for `n_ctx` positions, every bind group, and the [`Step`]
//! uniforms. A forward pass writes the token ids and the uniforms, encodes one compute pass per
//! chunk, submits it and checks the device for errors (out of memory, device lost), so nothing is
//! allocated while it runs. Only the logits (or the top-k pairs) come back.

use super::attention::{Attention, AttnBind, AttnShape, KvBuffers, KvStore, TILED_MIN_TOKENS};
use super::block_sparse::{BlockSparse, SparseParams};
use super::buffers::{Staging, bytes_f32, f32_bytes, storage, storage_init, uniform, words_bytes};
use super::elementwise::Elementwise;
use super::embedding::{Embedding, EmbeddingBind};
use super::matmul::{Matmul, MatmulBind};
use super::norm::RmsNorm;
use super::rope::{Rope, angle_table};
use super::sample::{MAX_K, TopK, TopKBind};
use super::weights::{QTensor, upload};
use super::{Gpu, GpuError, Step};
use crate::cpu::matmul::QMatrix;
use crate::cpu::sparse::Heads;
use crate::model::ModelError;
use crate::model::llama::{Config, Llama};
use crate::model::sparse::SparseConfig;

/// Tokens per forward chunk (prompts longer than this are prefilled chunk by chunk).
pub const MAX_CHUNK: usize = 512;
/// Chunks shorter than this take the per-token attention kernel (its partials are sized for them).
const TILED_MIN: usize = TILED_MIN_TOKENS as usize - 1;

/// One layer's bind groups, made at load.
struct LayerBinds {
    attn_norm: wgpu::BindGroup,
    wq: MatmulBind,
    wk: MatmulBind,
    wv: MatmulBind,
    store: wgpu::BindGroup,
    attention: AttnBind,
    wo: MatmulBind,
    ffn_norm: wgpu::BindGroup,
    gate: MatmulBind,
    up: MatmulBind,
    down: MatmulBind,
}

/// The compiled kernels (one pipeline per family and shape).
struct Kernels {
    embed: Embedding,
    matmul: Matmul,
    norm: RmsNorm,
    norm_last: RmsNorm,
    rope_q: Rope,
    rope_k: Rope,
    store: KvStore,
    attention: Attention,
    ew: Elementwise,
    top: TopK,
}

/// Activation buffers for one chunk of B = max_chunk tokens.
struct Acts {
    /// (B,) u32 token ids
    tokens: wgpu::Buffer,
    /// (B, d) residual stream
    x: wgpu::Buffer,
    /// (B, d) normed input of a matmul
    xn: wgpu::Buffer,
    /// (B, n_head * hd) queries
    q: wgpu::Buffer,
    /// (B, kv_dim) keys and values of the chunk
    k: wgpu::Buffer,
    v: wgpu::Buffer,
    /// (B, d) attention output
    att: wgpu::Buffer,
    /// (B, d) matmul output before the residual add
    tmp: wgpu::Buffer,
    /// (B, d_ff) FFN gate (then silu(gate) * up) and up
    gate: wgpu::Buffer,
    up: wgpu::Buffer,
    /// (1, d) the last token, normed
    last: wgpu::Buffer,
    /// (vocab,) logits of the last token
    logits: wgpu::Buffer,
}

/// Uniforms rewritten before each chunk.
struct Uniforms {
    /// [`Step`] of the chunk
    step: wgpu::Buffer,
    /// [`Step`] of the chunk's last token alone (n_tokens = 1), for the logits matmul
    step_last: wgpu::Buffer,
    /// [n * d] for the residual adds
    n_d: wgpu::Buffer,
    /// [n * d_ff] for the SwiGLU gate
    n_ff: wgpu::Buffer,
}

/// Block-sparse attention on the GPU, set up by [`GpuLlama::set_sparse`]: kernels, the params uniform,
/// per-layer key-block summaries (kept across chunks), the selection shared by the layers (each layer
/// selects then attends before the next one runs) and per-layer bind groups.
struct SparseGpu {
    cfg: SparseConfig,
    params: SparseParams,
    kernels: BlockSparse,
    /// (n_layer - dense_layers) bind groups, from layer `dense_layers` on
    binds: Vec<super::block_sparse::SparseBinds>,
    /// params uniform; per layer [mean | min | max] (n_kb_cap, kv_dim) f32; sel; sel_len
    buffers: Vec<wgpu::Buffer>,
    /// Whether the current forward runs sparse (its context passes the threshold).
    active: bool,
    /// The summaries describe the cache's positions 0..pooled (all sparse layers alike: they run
    /// together); the next sparse chunk pools from there, whatever wrote the cache after it.
    pooled: u32,
    /// `params` for the chunk being encoded (its `pool_from`), as written to the uniform.
    chunk: SparseParams,
}

/// The model on the GPU with one session's KV cache.
pub struct GpuLlama {
    pub cfg: Config,
    gpu: Gpu,
    k: Kernels,
    layers: Vec<LayerBinds>,
    embed: EmbeddingBind,
    rope_q: wgpu::BindGroup,
    rope_k: wgpu::BindGroup,
    add: wgpu::BindGroup,
    silu: wgpu::BindGroup,
    final_norm: wgpu::BindGroup,
    head: MatmulBind,
    top: TopKBind,
    acts: Acts,
    u: Uniforms,
    kv: KvBuffers,
    staging: Staging,
    /// Weights, norms and the RoPE table: held so they live as long as the bind groups that use them.
    _held: Vec<wgpu::Buffer>,
    _weights: Vec<QTensor>,
    sparse: Option<SparseGpu>,
    max_chunk: usize,
    len: usize,
    /// The tag and length of the prefix [`Self::load_prefix`] put in the cache, while it is still there.
    prefix: Option<(u64, usize)>,
    bytes: u64,
    weight_bytes: u64,
    /// The last logits read back, for the blocking [`crate::model::Forward`] interface (native).
    #[cfg(not(target_family = "wasm"))]
    host_logits: Vec<f32>,
}

fn up_matrix(gpu: &Gpu, name: &str, m: &QMatrix<'_>) -> Result<QTensor, GpuError> {
    upload(gpu, name, m.ty, m.data, m.rows, m.cols)
}

impl GpuLlama {
    /// Uploads `model`'s weights and sets up everything for a session of `n_ctx` positions (capped at
    /// the trained context). Fails with the GPU's error (too large, out of memory, ...) so the caller
    /// can fall back to the CPU.
    pub fn new(gpu: Gpu, model: &Llama, n_ctx: usize) -> Result<GpuLlama, GpuError> {
        let c = model.cfg.clone();
        let n_ctx = n_ctx.clamp(1, c.n_ctx_train);
        let b = MAX_CHUNK.min(n_ctx);
        let (d, kv_dim, ff) = (c.d_model, c.kv_dim(), c.d_ff);
        let shape = AttnShape { n_head: c.n_head, n_kv_head: c.n_kv_head, head_dim: c.head_dim };
        let k = Kernels {
            embed: Embedding::new(&gpu),
            matmul: Matmul::new(&gpu),
            norm: RmsNorm::new(&gpu, d, c.eps, false),
            norm_last: RmsNorm::new(&gpu, d, c.eps, true),
            rope_q: Rope::new(&gpu, shape.q_dim(), c.head_dim, c.rope_dims),
            rope_k: Rope::new(&gpu, kv_dim, c.head_dim, c.rope_dims),
            store: KvStore::new(&gpu, kv_dim)?,
            attention: Attention::new(&gpu, shape)?,
            ew: Elementwise::new(&gpu),
            top: TopK::new(&gpu),
        };
        let f = 4u64;
        let bu = b as u64;
        let acts = Acts {
            tokens: storage(&gpu, "tokens", bu * 4)?,
            x: storage(&gpu, "x", bu * d as u64 * f)?,
            xn: storage(&gpu, "xn", bu * d as u64 * f)?,
            q: storage(&gpu, "q", bu * shape.q_dim() as u64 * f)?,
            k: storage(&gpu, "k", bu * kv_dim as u64 * f)?,
            v: storage(&gpu, "v", bu * kv_dim as u64 * f)?,
            att: storage(&gpu, "att", bu * shape.q_dim() as u64 * f)?,
            tmp: storage(&gpu, "tmp", bu * d as u64 * f)?,
            gate: storage(&gpu, "gate", bu * ff as u64 * f)?,
            up: storage(&gpu, "up", bu * ff as u64 * f)?,
            last: storage(&gpu, "last", d as u64 * f)?,
            logits: storage(&gpu, "logits", c.vocab as u64 * f)?,
        };
        let u = Uniforms {
            step: uniform(&gpu, "step", &Step::default().words()),
            step_last: uniform(&gpu, "step last", &Step::default().words()),
            n_d: uniform(&gpu, "n * d", &[0]),
            n_ff: uniform(&gpu, "n * d_ff", &[0]),
        };
        let kv = KvBuffers::new(&gpu, c.n_layer, n_ctx, kv_dim)?;
        let angles = angle_table(&gpu, n_ctx, c.rope_base, c.rope_dims)?;
        let mut held = vec![];
        let mut weights = vec![];

        let mut layers = Vec::with_capacity(c.n_layer);
        for l in 0..c.n_layer {
            let w = model
                .layer_weights(l)
                .ok_or_else(|| GpuError::Internal(format!("layer {l} missing from the loaded model")))?;
            let name = |s: &str| format!("blk.{l}.{s}");
            let attn_norm = storage_init(&gpu, &name("attn_norm"), &f32_bytes(w.attn_norm))?;
            let ffn_norm = storage_init(&gpu, &name("ffn_norm"), &f32_bytes(w.ffn_norm))?;
            let [wq, wk, wv, wo, gate, up, down] = [
                ("attn_q", &w.wq),
                ("attn_k", &w.wk),
                ("attn_v", &w.wv),
                ("attn_output", &w.wo),
                ("ffn_gate", &w.gate),
                ("ffn_up", &w.up),
                ("ffn_down", &w.down),
            ]
            .map(|(s, m)| up_matrix(&gpu, &name(s), m));
            let (wq, wk, wv, wo, gate, up, down) = (wq?, wk?, wv?, wo?, gate?, up?, down?);
            let a = &acts;
            let mm = &k.matmul;
            layers.push(LayerBinds {
                attn_norm: k.norm.bind(&gpu, &a.x, &attn_norm, &a.xn, &u.step),
                wq: mm.bind(&gpu, &wq, &a.xn, &a.q, &u.step)?,
                wk: mm.bind(&gpu, &wk, &a.xn, &a.k, &u.step)?,
                wv: mm.bind(&gpu, &wv, &a.xn, &a.v, &u.step)?,
                store: k.store.bind(&gpu, &a.k, &a.v, &kv.k[l], &kv.v[l], &u.step),
                attention: k.attention.bind(&gpu, &a.q, &kv.k[l], &kv.v[l], &a.att, &u.step, TILED_MIN)?,
                wo: mm.bind(&gpu, &wo, &a.att, &a.tmp, &u.step)?,
                ffn_norm: k.norm.bind(&gpu, &a.x, &ffn_norm, &a.xn, &u.step),
                gate: mm.bind(&gpu, &gate, &a.xn, &a.gate, &u.step)?,
                up: mm.bind(&gpu, &up, &a.xn, &a.up, &u.step)?,
                down: mm.bind(&gpu, &down, &a.gate, &a.tmp, &u.step)?,
            });
            held.extend([attn_norm, ffn_norm]);
            weights.extend([wq, wk, wv, wo, gate, up, down]);
        }

        let (tok_embd, output, output_norm) = model.head_weights();
        let table = up_matrix(&gpu, "token_embd", &tok_embd)?;
        let output_norm = storage_init(&gpu, "output_norm", &f32_bytes(output_norm))?;
        let embed = k.embed.bind(&gpu, &table, &acts.tokens, &acts.x, &u.step)?;
        // The output matrix is usually the embedding itself (tied): upload it once.
        let head = if std::ptr::eq(output.data, tok_embd.data) {
            k.matmul.bind(&gpu, &table, &acts.last, &acts.logits, &u.step_last)?
        } else {
            let out = up_matrix(&gpu, "output", &output)?;
            let bind = k.matmul.bind(&gpu, &out, &acts.last, &acts.logits, &u.step_last)?;
            weights.push(out);
            bind
        };
        weights.push(table);
        let final_norm = k.norm_last.bind(&gpu, &acts.x, &output_norm, &acts.last, &u.step);
        let rope_q = k.rope_q.bind(&gpu, &acts.q, &angles, &u.step);
        let rope_k = k.rope_k.bind(&gpu, &acts.k, &angles, &u.step);
        let add = k.ew.add.bind(&gpu, &[&acts.x, &acts.tmp, &u.n_d]);
        let silu = k.ew.silu_mul.bind(&gpu, &[&acts.gate, &acts.up, &u.n_ff]);
        held.extend([output_norm, angles]);
        let staging = Staging::new(&gpu, c.vocab as u64 * 4);
        let top = k.top.bind(&gpu, &acts.logits, c.vocab)?;

        let a = &acts;
        let act_bytes: u64 =
            [&a.tokens, &a.x, &a.xn, &a.q, &a.k, &a.v, &a.att, &a.tmp, &a.gate, &a.up, &a.last, &a.logits]
                .iter()
                .map(|b| b.size())
                .sum();
        let weight_bytes = weights.iter().map(|w| w.buf.size()).sum::<u64>();
        let bytes = act_bytes
            + kv.bytes()
            + held.iter().map(|b| b.size()).sum::<u64>()
            + weight_bytes
            + c.vocab as u64 * 4
            // top-k candidates, result and its staging
            + (c.vocab.div_ceil(1024) * MAX_K * 8 + 2 * MAX_K * 8) as u64;
        // Shader compilation and bind-group validation report here, once, not in the first forward.
        gpu.check()?;
        Ok(GpuLlama {
            cfg: c,
            gpu,
            k,
            layers,
            embed,
            rope_q,
            rope_k,
            add,
            silu,
            final_norm,
            head,
            top,
            acts,
            u,
            kv,
            staging,
            _held: held,
            _weights: weights,
            sparse: None,
            max_chunk: b,
            len: 0,
            prefix: None,
            bytes,
            weight_bytes,
            #[cfg(not(target_family = "wasm"))]
            host_logits: Vec::new(),
        })
    }

    pub fn gpu(&self) -> &Gpu {
        &self.gpu
    }

    /// Bytes of every GPU buffer this model holds: weights, KV cache, activations, staging (and the
    /// block-sparse buffers when set).
    pub fn memory_bytes(&self) -> u64 {
        self.bytes + self.sparse.as_ref().map_or(0, |sp| sp.buffers.iter().map(|b| b.size()).sum())
    }

    /// Chooses the attention of prefill chunks: dense (`None`, the default) or block-sparse for
    /// forward passes whose context ends past `cfg.dense_below_tokens`, in layers from
    /// `cfg.dense_layers` on. The same rule as the CPU's [`Llama::set_sparse`] (and the same
    /// selection, so both agree): a forward's chunks all run sparse when its end passes the threshold,
    /// single-token steps past it too. Creates the kernels, buffers and bind groups here, once.
    /// Fails when the model's shape or `cfg` is outside what the shaders hold.
    pub fn set_sparse(&mut self, cfg: Option<SparseConfig>) -> Result<(), GpuError> {
        let Some(cfg) = cfg else {
            self.sparse = None;
            return Ok(());
        };
        let cfg = SparseConfig { block: cfg.block.max(1), ..cfg };
        let c = &self.cfg;
        let heads = Heads { n_head: c.n_head, n_kv_head: c.n_kv_head, hd: c.head_dim };
        let params = SparseParams::new(&cfg.rule(), heads, self.kv.n_ctx).ok_or_else(|| {
            GpuError::Internal(format!(
                "block-sparse attention does not fit this model or setting on the GPU (heads {}/{}, \
                         head size {}, {} key blocks of {}); use dense attention or the CPU backend",
                c.n_head,
                c.n_kv_head,
                c.head_dim,
                self.kv.n_ctx.div_ceil(cfg.block),
                cfg.block
            ))
        })?;
        let gpu = &self.gpu;
        let kv_dim = c.kv_dim() as u64;
        let kernels = BlockSparse::new(gpu, heads);
        let params_buf = uniform(gpu, "sparse params", &params.words());
        let n_qb = self.max_chunk.div_ceil(cfg.block) as u64 + 1;
        let s_max = params.s_max as u64;
        let sel = storage(gpu, "sparse sel", n_qb * c.n_kv_head as u64 * s_max * 4)?;
        let sel_len = storage(gpu, "sparse sel_len", n_qb * c.n_kv_head as u64 * 4)?;
        let mut pooled = Vec::new();
        let mut binds = Vec::new();
        for l in cfg.dense_layers.min(c.n_layer)..c.n_layer {
            let p = storage(gpu, &format!("sparse pooled {l}"), 3 * params.n_kb_cap as u64 * kv_dim * 4)?;
            let a = &self.acts;
            binds.push(kernels.bind(
                gpu,
                &self.u.step,
                &params_buf,
                &a.q,
                &self.kv.k[l],
                &self.kv.v[l],
                &p,
                &sel,
                &sel_len,
                &a.att,
            ));
            pooled.push(p);
        }
        gpu.check()?;
        let mut buffers = vec![params_buf, sel, sel_len];
        buffers.extend(pooled);
        self.sparse =
            Some(SparseGpu { cfg, params, kernels, binds, buffers, active: false, pooled: 0, chunk: params });
        Ok(())
    }

    /// The block-sparse setting, when set.
    pub fn sparse(&self) -> Option<SparseConfig> {
        self.sparse.as_ref().map(|sp| sp.cfg)
    }

    /// Bytes of the weight matrices (still quantized).
    pub fn weight_bytes(&self) -> u64 {
        self.weight_bytes
    }

    /// Bytes of the KV cache alone.
    pub fn kv_bytes(&self) -> u64 {
        self.kv.bytes()
    }

    /// Positions used so far.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn n_ctx(&self) -> usize {
        self.kv.n_ctx
    }

    /// Forget the conversation (the cache memory is kept).
    pub fn clear(&mut self) {
        self.truncate(0);
    }

    /// Keep only the first `len` positions (e.g. a shared prompt prefix).
    pub fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
        if self.prefix.is_some_and(|(_, n)| n > self.len) {
            self.prefix = None;
        }
    }

    /// The prefix [`Self::load_prefix`] loaded with `tag`, if the cache still holds it: (tag, positions).
    pub fn prefix(&self) -> Option<(u64, usize)> {
        self.prefix
    }

    /// A document's memory assembled on the CPU ([`Self::load_prefix`]), read with block-sparse
    /// attention from then on (the default [`SparseConfig`], unless one is set): a reading's
    /// passages attend to the memory's sink, its recent blocks and its best-scoring ones, the
    /// question at the prompt's end to all of it (the dense tail). A reading's context alone stays
    /// under the dense threshold, so readings without a memory are as before.
    pub fn load_memory(
        &mut self,
        kv: &crate::model::kv_cache::KvCache,
        len: usize,
        tag: u64,
    ) -> Result<(), GpuError> {
        if self.sparse.is_none() {
            self.set_sparse(Some(SparseConfig::default()))?;
        }
        self.load_prefix(kv, len, tag)
    }

    /// Makes the cache hold the first `len` positions of the CPU cache `kv` (of this model; the
    /// layouts match: per layer (n_ctx, kv_dim) f16) and nothing after them: a document's memory
    /// assembled on the CPU, read from here on the GPU. `tag` names it for [`Self::prefix`].
    pub fn load_prefix(
        &mut self,
        kv: &crate::model::kv_cache::KvCache,
        len: usize,
        tag: u64,
    ) -> Result<(), GpuError> {
        let kv_dim = self.kv.kv_dim;
        if kv.kv_dim != kv_dim || kv.n_layer != self.kv.k.len() || len > kv.len {
            return Err(GpuError::Internal("the CPU cache is not of this model's shape".into()));
        }
        if len > self.kv.n_ctx {
            return Err(GpuError::TooLarge {
                what: "memory (cache positions)".into(),
                bytes: len as u64,
                limit: self.kv.n_ctx as u64,
            });
        }
        let bytes = |half: &[u16]| half.iter().flat_map(|h| h.to_le_bytes()).collect::<Vec<u8>>();
        // What was there is overwritten from here on, whether or not the copy succeeds.
        self.clear();
        for l in 0..kv.n_layer {
            let at = kv.at(l, 0);
            super::buffers::write(&self.gpu, &self.kv.k[l], 0, &bytes(&kv.k[at..at + len * kv_dim]));
            super::buffers::write(&self.gpu, &self.kv.v[l], 0, &bytes(&kv.v[at..at + len * kv_dim]));
        }
        self.gpu.check()?;
        self.len = len;
        self.prefix = Some((tag, len));
        if let Some(sp) = self.sparse.as_mut() {
            // Its key-block summaries described what was there before.
            sp.pooled = 0;
        }
        Ok(())
    }

    /// Runs `tokens` after what the session has seen and returns the logits (vocab,) that predict the
    /// token after the last one.
    ///
    /// # Shapes
    /// tokens (n,) -> logits (vocab,); the KV cache grows by n positions.
    pub async fn forward(&mut self, tokens: &[u32]) -> crate::Result<Vec<f32>> {
        self.run(tokens, false)?;
        let bytes = self.staging.read(&self.gpu, &self.acts.logits, 0, self.cfg.vocab as u64 * 4).await?;
        Ok(bytes_f32(&bytes))
    }

    /// Like [`Self::forward`], but the GPU picks the `k` (1..=64) largest logits and only those come
    /// back: (id, logit), best first. k = 1 is greedy decoding.
    pub async fn forward_top_k(&mut self, tokens: &[u32], k: usize) -> crate::Result<Vec<(u32, f32)>> {
        self.k.top.set(&self.gpu, &mut self.top, k, 0)?;
        self.run(tokens, true)?;
        Ok(self.k.top.read(&self.gpu, &self.top).await?)
    }

    /// Encodes and submits the passes for `tokens`; the logits are left in `acts.logits` (and their
    /// top-k in the top-k output with `top`).
    fn run(&mut self, tokens: &[u32], top: bool) -> crate::Result<()> {
        if tokens.is_empty() {
            return Err(GpuError::Internal("forward needs at least one token".into()).into());
        }
        if self.len + tokens.len() > self.kv.n_ctx {
            return Err(ModelError::ContextFull(self.kv.n_ctx).into());
        }
        if let Some(&bad) = tokens.iter().find(|&&t| t as usize >= self.cfg.vocab) {
            return Err(ModelError::BadToken(bad).into());
        }
        let end = self.len + tokens.len();
        if let Some(sp) = self.sparse.as_mut() {
            sp.active = end > sp.cfg.dense_below_tokens;
            sp.pooled = sp.pooled.min(self.len as u32);
        }
        let n_chunks = tokens.len().div_ceil(self.max_chunk);
        for (i, chunk) in tokens.chunks(self.max_chunk).enumerate() {
            if let Some(sp) = self.sparse.as_mut().filter(|sp| sp.active) {
                let step = Step { n_tokens: chunk.len() as u32, pos0: self.len as u32 };
                let keep = sp.cfg.keep().ending_at(end, sp.cfg.block);
                sp.chunk = sp.params.pooling_from(sp.pooled, &step).for_forward(&keep);
                self.gpu.queue.write_buffer(&sp.buffers[0], 0, &words_bytes(&sp.chunk.words()));
                sp.pooled = (self.len + chunk.len()) as u32;
            }
            self.submit_chunk(chunk, i + 1 == n_chunks, top);
            self.gpu.check()?;
            self.len += chunk.len();
        }
        Ok(())
    }

    fn submit_chunk(&self, chunk: &[u32], last: bool, top: bool) {
        let gpu = &self.gpu;
        let n = chunk.len() as u32;
        let pos0 = self.len as u32;
        let (d, ff) = (self.cfg.d_model as u32, self.cfg.d_ff as u32);
        let q = &gpu.queue;
        q.write_buffer(&self.acts.tokens, 0, &words_bytes(chunk));
        q.write_buffer(&self.u.step, 0, &words_bytes(&Step { n_tokens: n, pos0 }.words()));
        q.write_buffer(&self.u.step_last, 0, &words_bytes(&Step { n_tokens: 1, pos0: pos0 + n - 1 }.words()));
        q.write_buffer(&self.u.n_d, 0, &words_bytes(&[n * d, 0, 0, 0]));
        q.write_buffer(&self.u.n_ff, 0, &words_bytes(&[n * ff, 0, 0, 0]));

        let mut enc =
            gpu.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("forward") });
        {
            let pass = &mut enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("forward"),
                timestamp_writes: None,
            });
            let k = &self.k;
            k.embed.encode(pass, &self.embed, n);
            let sparse = self.sparse.as_ref().filter(|sp| sp.active);
            let step = Step { n_tokens: n, pos0 };
            for (i, l) in self.layers.iter().enumerate() {
                k.norm.encode(pass, &l.attn_norm, n);
                k.matmul.encode(pass, &l.wq, n);
                k.matmul.encode(pass, &l.wk, n);
                k.matmul.encode(pass, &l.wv, n);
                k.rope_q.encode(pass, &self.rope_q, n);
                k.rope_k.encode(pass, &self.rope_k, n);
                k.store.encode(pass, &l.store, n);
                match sparse {
                    Some(sp) if i >= sp.cfg.dense_layers => {
                        let binds = &sp.binds[i - sp.cfg.dense_layers];
                        sp.kernels.encode(pass, binds, &sp.chunk, &step);
                    }
                    _ => k.attention.encode(pass, &l.attention, n),
                }
                k.matmul.encode(pass, &l.wo, n);
                k.ew.add(pass, &self.add, n * d);
                k.norm.encode(pass, &l.ffn_norm, n);
                k.matmul.encode(pass, &l.gate, n);
                k.matmul.encode(pass, &l.up, n);
                k.ew.silu_mul(pass, &self.silu, n * ff);
                k.matmul.encode(pass, &l.down, n);
                k.ew.add(pass, &self.add, n * d);
            }
            if last {
                k.norm_last.encode(pass, &self.final_norm, n);
                k.matmul.encode(pass, &self.head, 1);
                if top {
                    k.top.encode(pass, &self.top);
                }
            }
        }
        gpu.queue.submit([enc.finish()]);
    }
}

/// A reading after the first `prefix` positions of the cache (a memory [`GpuLlama::load_prefix`]
/// placed, or tokens fed before): the reader counts from there, and a reset goes back to them, not
/// to an empty cache. The GPU twin of `model::memory::assemble::MemoryForward`.
#[cfg(not(target_family = "wasm"))]
pub struct PrefixForward<'a> {
    pub model: &'a mut GpuLlama,
    pub prefix: usize,
}

#[cfg(not(target_family = "wasm"))]
impl crate::model::Forward for PrefixForward<'_> {
    fn feed(&mut self, tokens: &[u32]) -> crate::Result<&[f32]> {
        crate::model::Forward::feed(self.model, tokens)
    }
    fn len(&self) -> usize {
        self.model.len - self.prefix
    }
    fn n_ctx(&self) -> usize {
        self.model.kv.n_ctx - self.prefix
    }
    fn reset(&mut self) {
        self.model.truncate(self.prefix);
    }
}

/// Generation natively: each forward waits for the GPU (in the browser, await [`GpuLlama::forward`]).
#[cfg(not(target_family = "wasm"))]
impl crate::model::Forward for GpuLlama {
    fn feed(&mut self, tokens: &[u32]) -> crate::Result<&[f32]> {
        self.host_logits = super::block_on(self.forward(tokens))?;
        Ok(&self.host_logits)
    }
    fn len(&self) -> usize {
        self.len
    }
    fn n_ctx(&self) -> usize {
        self.kv.n_ctx
    }
    fn reset(&mut self) {
        self.clear();
    }
}
