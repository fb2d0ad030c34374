//! The Llama forward pass (SmolLM2 and other Llama-family GGUF models) on the CPU kernels.
//!
//! Per layer: x += Wo · attention(rope(Wq · norm(x)), rope(Wk · norm(x)), Wv · norm(x));
//! x += Wdown · (silu(Wgate · norm(x)) * Wup · norm(x)). Grouped-query attention (each KV head
//! serves n_head / n_kv_head query heads), RMSNorm, the output matrix tied to the embedding when the
//! file has no `output.weight`.
//!
//! RoPE pairing: GGUF `llama` weights need the "normal" (ggml `GGML_ROPE_TYPE_NORM`) rotation, which
//! pairs ADJACENT elements (2i, 2i + 1) of each head. The Hugging Face checkpoint uses the NeoX layout
//! (pairs (i, i + head_dim / 2)), but llama.cpp's converter (convert_hf_to_gguf.py, `LlamaModel.permute`)
//! permutes the rows of Wq and Wk when writing the GGUF so that the adjacent-pair rotation gives the
//! same result. Using the NeoX pairing on these weights silently produces wrong logits. Angles:
//! theta_i = pos * base^(-2i / rope_dims), base = `llama.rope.freq_base` (100000 for SmolLM2).
//!
//! Two precisions: [`Precision::Quantized`] quantizes activations to Q8 blocks before each matmul, as
//! llama.cpp does (fast; cosine ~0.999 to llama.cpp), and [`Precision::Exact`] multiplies
//! dequantized weights with f32 activations (the reference; equals the f32 golden logits).

use super::ModelError;
use super::gguf::{Gguf, TensorInfo};
use super::kv_cache::KvCache;
use super::sparse::{Selection, SparseConfig, SparseState};
use super::tokenizer::Tokenizer;
use crate::cpu::Isa;
use crate::cpu::matmul::{Act, QMatrix, matmul_rows};
use crate::cpu::ops::{rmsnorm, rope_adjacent, rope_angles, silu_mul};
use crate::cpu::pool::{Pool, SharedMut, split};
use crate::cpu::quant::{BlockQ8, GgmlType, QK, dequantize_row};
use crate::cpu::sparse::{Chunk, Heads, Rule, Summaries, gather_blocks, pool_keys, select_chunk};

/// How activations meet the quantized weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    /// Activations quantized to Q8 blocks, integer dot products (llama.cpp's way).
    Quantized,
    /// f32 activations times dequantized weights (the reference path).
    Exact,
}

/// Largest dimensions tome accepts in a model file (far above any model it can run on a CPU or in
/// a browser; they exist so that a damaged file cannot size an allocation).
pub const MAX_D_MODEL: usize = 1 << 16;
pub const MAX_HEADS: usize = 1 << 10;
pub const MAX_LAYERS: usize = 1 << 10;
pub const MAX_D_FF: usize = 1 << 18;
pub const MAX_VOCAB: usize = 1 << 21;
pub const MAX_CONTEXT: usize = 1 << 24;

/// Model hyper-parameters, read from GGUF metadata.
#[derive(Clone, Debug)]
pub struct Config {
    pub n_layer: usize,
    pub d_model: usize,
    pub n_head: usize,
    pub n_kv_head: usize,
    pub head_dim: usize,
    pub d_ff: usize,
    pub vocab: usize,
    pub eps: f32,
    pub rope_base: f32,
    pub rope_dims: usize,
    pub n_ctx_train: usize,
}

impl Config {
    pub fn from_gguf(g: &Gguf) -> Result<Config, ModelError> {
        let arch = g.get_str("general.architecture")?;
        if arch != "llama" {
            return Err(ModelError::Architecture(arch.to_string()));
        }
        let k = |s: &str| format!("{arch}.{s}");
        let d_model = g.get_usize(&k("embedding_length"))?;
        let n_head = g.get_usize(&k("attention.head_count"))?;
        let n_kv_head = g.get_usize(&k("attention.head_count_kv")).unwrap_or(n_head);
        if n_head == 0 || n_kv_head == 0 || d_model % n_head != 0 || n_head % n_kv_head != 0 {
            return Err(ModelError::BadKey(k("attention.head_count"), "a divisor of the embedding length"));
        }
        let head_dim = d_model / n_head;
        let vocab = match g.get_usize(&k("vocab_size")) {
            Ok(v) => v,
            Err(_) => g.get_array("tokenizer.ggml.tokens")?.len(),
        };
        let cfg = Config {
            n_layer: g.get_usize(&k("block_count"))?,
            d_model,
            n_head,
            n_kv_head,
            head_dim,
            d_ff: g.get_usize(&k("feed_forward_length"))?,
            vocab,
            eps: g.get_f32(&k("attention.layer_norm_rms_epsilon"))?,
            rope_base: g.get_f32(&k("rope.freq_base")).unwrap_or(10000.0),
            rope_dims: g.get_usize(&k("rope.dimension_count")).unwrap_or(head_dim),
            n_ctx_train: g.get_usize(&k("context_length"))?,
        };
        if !cfg.head_dim.is_multiple_of(8) || cfg.rope_dims > cfg.head_dim || !cfg.rope_dims.is_multiple_of(2)
        {
            return Err(ModelError::BadKey(k("rope.dimension_count"), "an even number up to the head size"));
        }
        cfg.check_bounds(&k)?;
        Ok(cfg)
    }

    /// Every dimension within what a model tome can run has, before anything is sized by it: a
    /// zero or absurd value in a damaged file is an error here, not a panic or a huge allocation
    /// later. (The tensors' shapes, checked against the file's size, then bound them further.)
    fn check_bounds(&self, k: &dyn Fn(&str) -> String) -> Result<(), ModelError> {
        let bounds: [(&str, usize, usize, usize); 7] = [
            ("embedding_length", self.d_model, 8, MAX_D_MODEL),
            ("attention.head_count", self.n_head, 1, MAX_HEADS),
            ("block_count", self.n_layer, 1, MAX_LAYERS),
            ("feed_forward_length", self.d_ff, 1, MAX_D_FF),
            ("vocab_size", self.vocab, 1, MAX_VOCAB),
            ("context_length", self.n_ctx_train, 1, MAX_CONTEXT),
            ("rope.dimension_count", self.rope_dims, 2, MAX_D_MODEL),
        ];
        for (key, value, min, max) in bounds {
            if !(min..=max).contains(&value) {
                return Err(ModelError::OutOfRange { key: k(key), value, min, max });
            }
        }
        if !(self.eps.is_finite() && self.eps > 0.0) {
            return Err(ModelError::BadKey(k("attention.layer_norm_rms_epsilon"), "a small positive number"));
        }
        if !(self.rope_base.is_finite() && self.rope_base > 0.0) {
            return Err(ModelError::BadKey(k("rope.freq_base"), "a positive number"));
        }
        Ok(())
    }

    pub fn kv_dim(&self) -> usize {
        self.n_kv_head * self.head_dim
    }
}

/// The bytes of the model file: memory-mapped natively, owned on wasm.
pub enum Bytes {
    #[cfg(not(target_family = "wasm"))]
    Mmap(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            #[cfg(not(target_family = "wasm"))]
            Bytes::Mmap(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}

/// A weight matrix: where it lies in the file.
#[derive(Clone, Copy, Debug)]
struct Weight {
    ty: GgmlType,
    offset: usize,
    size: usize,
    rows: usize,
    cols: usize,
}

struct Layer {
    attn_norm: Vec<f32>,
    wq: Weight,
    wk: Weight,
    wv: Weight,
    wo: Weight,
    ffn_norm: Vec<f32>,
    gate: Weight,
    up: Weight,
    down: Weight,
}

/// One layer's weights as another backend sees them: matrices (rows = outputs) and norm vectors.
pub struct LayerWeights<'a> {
    /// (d,)
    pub attn_norm: &'a [f32],
    /// (d, d), (kv_dim, d), (kv_dim, d), (d, d)
    pub wq: QMatrix<'a>,
    pub wk: QMatrix<'a>,
    pub wv: QMatrix<'a>,
    pub wo: QMatrix<'a>,
    /// (d,)
    pub ffn_norm: &'a [f32],
    /// (d_ff, d), (d_ff, d), (d, d_ff)
    pub gate: QMatrix<'a>,
    pub up: QMatrix<'a>,
    pub down: QMatrix<'a>,
}

/// A loaded model: weights (in the file's bytes), tokenizer, kernels and threads.
pub struct Llama {
    pub cfg: Config,
    pub tokenizer: Tokenizer,
    pub precision: Precision,
    pub isa: Isa,
    bytes: Bytes,
    tok_embd: Weight,
    output: Weight,
    output_norm: Vec<f32>,
    layers: Vec<Layer>,
    pool: Pool,
}

fn matrix(g: &Gguf, name: &str, cols: usize, rows: usize) -> Result<Weight, ModelError> {
    let t = g.tensor(name)?;
    if t.dims != [cols, rows] {
        return Err(ModelError::BadShape {
            tensor: name.into(),
            got: t.dims.clone(),
            want: vec![cols, rows],
        });
    }
    if t.ty.is_quantized() && !cols.is_multiple_of(QK) {
        return Err(ModelError::BadShape {
            tensor: name.into(),
            got: t.dims.clone(),
            want: vec![cols, rows],
        });
    }
    Ok(Weight { ty: t.ty, offset: t.offset, size: t.size, rows, cols })
}

fn vector(g: &Gguf, bytes: &[u8], name: &str, n: usize) -> Result<Vec<f32>, ModelError> {
    let t: &TensorInfo = g.tensor(name)?;
    if t.dims != [n] {
        return Err(ModelError::BadShape { tensor: name.into(), got: t.dims.clone(), want: vec![n] });
    }
    let mut v = vec![0.0; n];
    dequantize_row(t.ty, &bytes[t.offset..t.offset + t.size], &mut v);
    Ok(v)
}

impl Llama {
    /// Loads a model file (memory-mapped: the weights are not copied).
    #[cfg(not(target_family = "wasm"))]
    pub fn open(path: &std::path::Path, threads: usize) -> crate::Result<Llama> {
        let file = std::fs::File::open(path).map_err(|e| {
            crate::Error::io(
                format!(
                    "cannot open the model {} (run scripts/fetch-model.sh to download it)",
                    path.display()
                ),
                e,
            )
        })?;
        // SAFETY: the mapping is read-only; a file changed under us could change weights, not memory safety
        // of our code paths (all reads are bounds-checked slices of the map).
        let map = unsafe { memmap2::Mmap::map(&file) }
            .map_err(|e| crate::Error::io(format!("cannot map the model {}", path.display()), e))?;
        Ok(Llama::from_bytes(Bytes::Mmap(map), threads)?)
    }

    /// Loads a model from its bytes (on wasm: a fetched buffer).
    pub fn from_bytes(bytes: Bytes, threads: usize) -> Result<Llama, ModelError> {
        let g = Gguf::parse(&bytes)?;
        let cfg = Config::from_gguf(&g)?;
        let tokenizer = Tokenizer::from_gguf(&g)?;
        let (d, kv, ff) = (cfg.d_model, cfg.kv_dim(), cfg.d_ff);
        let mut layers = Vec::with_capacity(cfg.n_layer);
        for l in 0..cfg.n_layer {
            let n = |s: &str| format!("blk.{l}.{s}.weight");
            layers.push(Layer {
                attn_norm: vector(&g, &bytes, &n("attn_norm"), d)?,
                wq: matrix(&g, &n("attn_q"), d, d)?,
                wk: matrix(&g, &n("attn_k"), d, kv)?,
                wv: matrix(&g, &n("attn_v"), d, kv)?,
                wo: matrix(&g, &n("attn_output"), d, d)?,
                ffn_norm: vector(&g, &bytes, &n("ffn_norm"), d)?,
                gate: matrix(&g, &n("ffn_gate"), d, ff)?,
                up: matrix(&g, &n("ffn_up"), d, ff)?,
                down: matrix(&g, &n("ffn_down"), ff, d)?,
            });
        }
        let tok_embd = matrix(&g, "token_embd.weight", d, cfg.vocab)?;
        let output = match g.tensor("output.weight") {
            Ok(_) => matrix(&g, "output.weight", d, cfg.vocab)?,
            Err(_) => tok_embd,
        };
        let output_norm = vector(&g, &bytes, "output_norm.weight", d)?;
        Ok(Llama {
            cfg,
            tokenizer,
            precision: Precision::Quantized,
            isa: Isa::detect(),
            bytes,
            tok_embd,
            output,
            output_norm,
            layers,
            pool: Pool::new(threads),
        })
    }

    /// The model file's bytes (a memory of a document is tied to their hash).
    pub fn file_bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn threads(&self) -> usize {
        self.pool.threads()
    }

    fn mat(&self, w: &Weight) -> QMatrix<'_> {
        QMatrix { ty: w.ty, data: &self.bytes[w.offset..w.offset + w.size], rows: w.rows, cols: w.cols }
    }

    /// Layer `l`'s weights in their file layout, for another backend to upload (the GPU).
    pub fn layer_weights(&self, l: usize) -> Option<LayerWeights<'_>> {
        let y = self.layers.get(l)?;
        Some(LayerWeights {
            attn_norm: &y.attn_norm,
            wq: self.mat(&y.wq),
            wk: self.mat(&y.wk),
            wv: self.mat(&y.wv),
            wo: self.mat(&y.wo),
            ffn_norm: &y.ffn_norm,
            gate: self.mat(&y.gate),
            up: self.mat(&y.up),
            down: self.mat(&y.down),
        })
    }

    /// token_embd (vocab, d), output (vocab, d) (the embedding when tied) and output_norm (d,).
    pub fn head_weights(&self) -> (QMatrix<'_>, QMatrix<'_>, &[f32]) {
        (self.mat(&self.tok_embd), self.mat(&self.output), &self.output_norm)
    }

    /// A session with room for `n_ctx` positions (capped at the trained context).
    pub fn session(&self, n_ctx: usize) -> Session {
        Session::new(&self.cfg, n_ctx.clamp(1, self.cfg.n_ctx_train), self.pool.threads())
    }

    /// Chooses the session's attention: dense (`None`, the default) or block-sparse for forward passes
    /// whose context passes `cfg.dense_below_tokens`. Allocates the sparse buffers once, here.
    pub fn set_sparse(&self, s: &mut Session, cfg: Option<SparseConfig>) {
        s.sparse =
            cfg.map(|cfg| SparseState::new(cfg, &self.cfg, s.kv.n_ctx, s.max_batch, self.pool.threads()));
    }

    /// Starts measuring, per layer and KV head, the largest softmax weight each of the keys `0..keys`
    /// receives from the queries at positions `from..` of the next dense forwards (the max over those
    /// queries and over the KV head's query heads). Block-sparse attention is switched off.
    pub fn set_probe(&self, s: &mut Session, from: usize, keys: usize) {
        s.sparse = None;
        s.probe = Some(Probe::new(&self.cfg, from, keys, self.pool.threads()));
    }

    /// Runs `tokens` through the model after what the session has seen, and returns the logits
    /// (vocab,) that predict the token after the last one.
    ///
    /// # Shapes
    /// tokens (n,) -> logits (vocab,); the session's KV cache grows by n positions.
    pub fn forward<'s>(&self, s: &'s mut Session, tokens: &[u32]) -> Result<&'s [f32], ModelError> {
        if s.kv.len + tokens.len() > s.kv.n_ctx {
            return Err(ModelError::ContextFull(s.kv.n_ctx));
        }
        if let Some(&bad) = tokens.iter().find(|&&t| t as usize >= self.cfg.vocab) {
            return Err(ModelError::BadToken(bad));
        }
        let end = s.kv.len + tokens.len();
        if let Some(sp) = s.sparse.as_mut() {
            sp.begin(s.kv.len, end);
        }
        for chunk in tokens.chunks(s.max_batch) {
            self.forward_chunk(s, chunk);
        }
        if !tokens.is_empty() {
            self.logits(s, s.last);
        }
        Ok(&s.logits)
    }

    /// The logits after the token `back` places before the end of the last forwarded chunk (0: the last
    /// token, as [`Llama::forward`] returns); None when the chunk was shorter. For measuring several
    /// positions of one prefill. Overwrites the session's logits.
    pub fn logits_back<'s>(&self, s: &'s mut Session, back: usize) -> Option<&'s [f32]> {
        let t = s.last.checked_sub(back)?;
        if s.is_empty() {
            return None;
        }
        self.logits(s, t);
        Some(&s.logits)
    }

    /// Runs f(t) for t in 0..n over the pool's threads (inline for a single token: a dispatch
    /// costs more than one row of elementwise work).
    fn par_tokens(&self, n: usize, f: &(dyn Fn(usize) + Sync)) {
        if n == 1 {
            f(0);
            return;
        }
        self.pool.run(&|i, nt| {
            let (a, b) = split(n, i, nt, 1);
            for t in a..b {
                f(t);
            }
        });
    }

    /// Several matmuls that read the same activations, split over the threads as one job:
    /// each `(W, out, ld)` computes out[t * ld + r] = W[r] . x[t].
    fn matmuls(&self, s: &Session, jobs: &[(&Weight, SharedMut<f32>, usize)], x: Act<'_>, n: usize) {
        let total: usize = jobs.iter().map(|j| j.0.rows).sum();
        let scratch = SharedMut(s.scratch.as_ptr() as *mut f32);
        let max_cols = s.max_cols;
        self.pool.run(&|i, nt| {
            let (a, b) = split(total, i, nt, 4);
            // SAFETY: each thread has its own scratch row.
            let sc = unsafe { std::slice::from_raw_parts_mut(scratch.get().add(i * max_cols), max_cols) };
            let mut base = 0;
            for (w, out, ld) in jobs {
                let (r0, r1) = (a.max(base) - base, b.min(base + w.rows).saturating_sub(base));
                if r0 < r1 {
                    // SAFETY: disjoint row ranges per thread; buffers sized by Session::new.
                    unsafe { matmul_rows(self.isa, &self.mat(w), x, n, *out, *ld, r0, r1, sc) };
                }
                base += w.rows;
            }
        });
    }

    /// Norm (optional) and, on the quantized path, Q8 quantization of n rows of `src` (n, width)
    /// into `dst_f32` / `dst_q8`.
    fn prepare(
        &self,
        src: *const f32,
        norm: Option<&[f32]>,
        width: usize,
        n: usize,
        dst: *mut f32,
        q8: *mut BlockQ8,
    ) {
        let (src, dst, q8) = (SharedMut(src as *mut f32), SharedMut(dst), SharedMut(q8));
        let quant = self.precision == Precision::Quantized;
        let eps = self.cfg.eps;
        let isa = self.isa;
        self.par_tokens(n, &|t| {
            // SAFETY: rows t are disjoint per call; buffers hold n rows of `width`.
            let (x, out, q) = unsafe {
                (
                    std::slice::from_raw_parts(src.get().add(t * width), width),
                    std::slice::from_raw_parts_mut(dst.get().add(t * width), width),
                    std::slice::from_raw_parts_mut(q8.get().add(t * width / QK), width / QK),
                )
            };
            match norm {
                Some(w) => rmsnorm(x, w, eps, out),
                None => {
                    if !std::ptr::eq(x.as_ptr(), out.as_ptr()) {
                        out.copy_from_slice(x)
                    }
                }
            }
            if quant {
                isa.quantize_q8(out, q);
            }
        });
    }

    fn act<'a>(&self, f: &'a [f32], q: &'a [BlockQ8]) -> Act<'a> {
        Act { f32: f, q8: (self.precision == Precision::Quantized).then_some(q) }
    }

    fn forward_chunk(&self, s: &mut Session, tokens: &[u32]) {
        let c = &self.cfg;
        let n = tokens.len();
        let (d, kv_dim, ff, hd) = (c.d_model, c.kv_dim(), c.d_ff, c.head_dim);
        let pos0 = s.kv.len;

        let emb = self.mat(&self.tok_embd);
        for (t, &tok) in tokens.iter().enumerate() {
            dequantize_row(emb.ty, emb.row(tok as usize), &mut s.x[t * d..(t + 1) * d]);
        }
        let half = c.rope_dims / 2;
        for t in 0..n {
            rope_angles(pos0 + t, c.rope_base, c.rope_dims, &mut s.angles[t * half..(t + 1) * half]);
        }

        for (l, layer) in self.layers.iter().enumerate() {
            // Attention block.
            self.prepare(s.x.as_ptr(), Some(&layer.attn_norm), d, n, s.xn.as_mut_ptr(), s.xq.as_mut_ptr());
            let jobs = [
                (&layer.wq, SharedMut(s.q.as_mut_ptr()), d),
                (&layer.wk, SharedMut(s.k.as_mut_ptr()), kv_dim),
                (&layer.wv, SharedMut(s.v.as_mut_ptr()), kv_dim),
            ];
            self.matmuls(s, &jobs, self.act(&s.xn[..n * d], &s.xq), n);
            for t in 0..n {
                let ang = &s.angles[t * half..(t + 1) * half];
                rope_adjacent(&mut s.q[t * d..(t + 1) * d], hd, ang);
                rope_adjacent(&mut s.k[t * kv_dim..(t + 1) * kv_dim], hd, ang);
                let at = s.kv.at(l, pos0 + t);
                self.isa.to_f16(&s.k[t * kv_dim..(t + 1) * kv_dim], &mut s.kv.k[at..at + kv_dim]);
                self.isa.to_f16(&s.v[t * kv_dim..(t + 1) * kv_dim], &mut s.kv.v[at..at + kv_dim]);
            }
            match s.sparse.as_mut() {
                Some(sp) if sp.active && l >= sp.cfg.dense_layers => self.attention_sparse(s, l, pos0, n),
                Some(sp) if sp.active => {
                    sp.count_dense(pos0, n, c.n_kv_head);
                    self.attention(s, l, pos0, n);
                }
                _ => self.attention(s, l, pos0, n),
            }
            if let Some(p) = s.probe.as_mut() {
                p.reduce_layer(l);
            }
            self.prepare(s.att.as_ptr(), None, d, n, s.att.as_mut_ptr(), s.xq.as_mut_ptr());
            let jobs = [(&layer.wo, SharedMut(s.tmp.as_mut_ptr()), d)];
            self.matmuls(s, &jobs, self.act(&s.att[..n * d], &s.xq), n);
            for (x, y) in s.x[..n * d].iter_mut().zip(&s.tmp[..n * d]) {
                *x += y;
            }

            // Feed-forward block.
            self.prepare(s.x.as_ptr(), Some(&layer.ffn_norm), d, n, s.xn.as_mut_ptr(), s.xq.as_mut_ptr());
            let jobs = [
                (&layer.gate, SharedMut(s.gate.as_mut_ptr()), ff),
                (&layer.up, SharedMut(s.up.as_mut_ptr()), ff),
            ];
            self.matmuls(s, &jobs, self.act(&s.xn[..n * d], &s.xq), n);
            {
                let (gate, up) = (SharedMut(s.gate.as_mut_ptr()), SharedMut(s.up.as_ptr() as *mut f32));
                self.par_tokens(n, &|t| {
                    // SAFETY: token rows are disjoint.
                    let (g, u) = unsafe {
                        (
                            std::slice::from_raw_parts_mut(gate.get().add(t * ff), ff),
                            std::slice::from_raw_parts(up.get().add(t * ff), ff),
                        )
                    };
                    silu_mul(g, u);
                });
            }
            self.prepare(s.gate.as_ptr(), None, ff, n, s.gate.as_mut_ptr(), s.xq.as_mut_ptr());
            let jobs = [(&layer.down, SharedMut(s.tmp.as_mut_ptr()), d)];
            self.matmuls(s, &jobs, self.act(&s.gate[..n * ff], &s.xq), n);
            for (x, y) in s.x[..n * d].iter_mut().zip(&s.tmp[..n * d]) {
                *x += y;
            }
        }
        s.kv.len += n;
        s.last = n - 1;
    }

    /// Causal attention of the chunk's n queries (positions pos0..pos0+n) over the cache of layer `l`.
    /// q (n, n_head * hd) -> att (n, n_head * hd). Work items are (token, KV head): the query heads
    /// that share a KV head are processed together, so each cached key and value is read and
    /// converted from f16 once for the whole group.
    fn attention(&self, s: &mut Session, l: usize, pos0: usize, n: usize) {
        let c = &self.cfg;
        let (hd, d) = (c.head_dim, c.d_model);
        let group = c.n_head / c.n_kv_head;
        let n_ctx = s.kv.n_ctx;
        let (q, att, scores) =
            (SharedMut(s.q.as_mut_ptr()), SharedMut(s.att.as_mut_ptr()), SharedMut(s.scores.as_mut_ptr()));
        let kv = &s.kv;
        let isa = self.isa;
        let items = n * c.n_kv_head;
        let n_head = c.n_head;
        let kv_dim = c.kv_dim();
        // The probe's per-thread rows (threads, n_kv_head, keys), when a memory read measures importance.
        let probe = s.probe.as_mut().map(|p| (p.from, p.keys, SharedMut(p.thread_max.as_mut_ptr())));
        self.pool.run(&|i, nt| {
            // SAFETY: each thread owns its scores rows (group, n_ctx) and its (token, group) outputs.
            let sc = unsafe {
                std::slice::from_raw_parts_mut(scores.get().add(i * n_head * n_ctx), group * n_ctx)
            };
            // Items are dealt out in turn, not in contiguous ranges: later tokens attend to more
            // positions, so contiguous ranges would leave the first thread idle.
            for item in (i..items).step_by(nt) {
                let (t, g) = (item / c.n_kv_head, item % c.n_kv_head);
                let len = pos0 + t + 1;
                let off = t * d + g * group * hd;
                let qg = unsafe { std::slice::from_raw_parts(q.get().add(off), group * hd) };
                let out = unsafe { std::slice::from_raw_parts_mut(att.get().add(off), group * hd) };
                let base = kv.at(l, 0) + g * hd;
                let end = kv.at(l, len - 1) + g * hd + hd;
                isa.attend_group(
                    &kv.k[base..end],
                    &kv.v[base..end],
                    kv_dim,
                    len,
                    qg,
                    hd,
                    group,
                    sc,
                    n_ctx,
                    out,
                );
                if let Some((from, keys, rows)) = probe.as_ref()
                    && pos0 + t >= *from
                {
                    // SAFETY: thread i's own row of the probe; sc holds the softmax weights of the group.
                    let row = unsafe {
                        std::slice::from_raw_parts_mut(rows.get().add((i * c.n_kv_head + g) * keys), *keys)
                    };
                    for h in 0..group {
                        let p = &sc[h * n_ctx..h * n_ctx + len.min(*keys)];
                        for (m, &w) in row.iter_mut().zip(p) {
                            *m = m.max(w);
                        }
                    }
                }
            }
        });
    }

    /// Block-sparse attention of the chunk (see [`super::sparse`]): brings the key-block summaries up to
    /// the chunk's end (from the first block not pooled yet, whatever wrote it), selects key blocks per (query block, KV head), then runs the dense group
    /// kernel over each selection's keys gathered into contiguous rows.
    /// q (n, n_head * hd) -> att (n, n_head * hd), as [`Llama::attention`].
    fn attention_sparse(&self, s: &mut Session, l: usize, pos0: usize, n: usize) {
        let Some(mut sp) = s.sparse.take() else { return self.attention(s, l, pos0, n) };
        let c = &self.cfg;
        let (hd, d, kv_dim, n_kv) = (c.head_dim, c.d_model, c.kv_dim(), c.n_kv_head);
        let group = c.n_head / n_kv;
        let (block, kv_len, n_ctx) = (sp.cfg.block, pos0 + n, s.kv.n_ctx);
        let (base, n_kb) = (s.kv.at(l, 0), n_ctx.div_ceil(block));
        let (k, v) = (&s.kv.k[base..base + kv_len * kv_dim], &s.kv.v[base..base + kv_len * kv_dim]);
        let stats = l * n_kb * kv_dim..(l + 1) * n_kb * kv_dim;
        let (qb0, qb1) = (pos0 / block, (kv_len - 1) / block);
        let from = sp.pooled[l].min(pos0) / block;
        sp.pooled[l] = kv_len;
        pool_keys(
            k,
            kv_dim,
            kv_len,
            block,
            from..qb1 + 1,
            &mut sp.kmean[stats.clone()],
            &mut sp.kmin[stats.clone()],
            &mut sp.kmax[stats.clone()],
        );
        let s_max = sp.sel.s_max;
        let heads = Heads { n_head: c.n_head, n_kv_head: n_kv, hd };
        let sums =
            Summaries { mean: &sp.kmean[stats.clone()], min: &sp.kmin[stats.clone()], max: &sp.kmax[stats] };
        select_chunk(
            &Rule { keep: sp.keep, ..sp.cfg.rule() },
            heads,
            Chunk { pos0, n },
            &s.q[..n * d],
            sums,
            &mut sp.scratch,
            &mut sp.sel,
        );
        let n_qb = qb1 - qb0 + 1;
        for i in 0..n_qb {
            sp.pairs_total += ((qb0 + i + 1) * n_kv) as u64;
            sp.pairs_kept += sp.sel.len[i * n_kv..(i + 1) * n_kv].iter().map(|&x| x as u64).sum::<u64>();
        }
        if let Some(trace) = sp.trace.as_mut() {
            trace.resize(c.n_layer, Selection::default());
            trace[l] = sp.sel.clone();
        }

        let (q, att, scores) =
            (SharedMut(s.q.as_mut_ptr()), SharedMut(s.att.as_mut_ptr()), SharedMut(s.scores.as_mut_ptr()));
        let (gk, gv) = (SharedMut(sp.gk.as_mut_ptr()), SharedMut(sp.gv.as_mut_ptr()));
        let gather_len = s_max * block * hd;
        let sel = &sp.sel;
        let (isa, n_head) = (self.isa, c.n_head);
        self.pool.run(&|i, nt| {
            // SAFETY: each thread owns its scores rows, its gather rows and its (token, group) outputs.
            let (sc, gk, gv) = unsafe {
                (
                    std::slice::from_raw_parts_mut(scores.get().add(i * n_head * n_ctx), group * n_ctx),
                    std::slice::from_raw_parts_mut(gk.get().add(i * gather_len), gather_len),
                    std::slice::from_raw_parts_mut(gv.get().add(i * gather_len), gather_len),
                )
            };
            for item in (i..n_qb * n_kv).step_by(nt) {
                let (qb, g) = (qb0 + item / n_kv, item % n_kv);
                let blocks = sel.of(qb, g, n_kv);
                let before = gather_blocks(k, v, kv_dim, g, hd, block, kv_len, blocks, gk, gv);
                let (ta, tb) = ((qb * block).max(pos0) - pos0, ((qb + 1) * block).min(kv_len) - pos0);
                for t in ta..tb {
                    let len = before + (pos0 + t - qb * block) + 1;
                    let off = t * d + g * group * hd;
                    let qg = unsafe { std::slice::from_raw_parts(q.get().add(off), group * hd) };
                    let out = unsafe { std::slice::from_raw_parts_mut(att.get().add(off), group * hd) };
                    isa.attend_group(gk, gv, hd, len, qg, hd, group, sc, n_ctx, out);
                }
            }
        });
        s.sparse = Some(sp);
    }

    /// Final norm and output matrix for token `t` of the last chunk -> s.logits (vocab,).
    fn logits(&self, s: &mut Session, t: usize) {
        let d = self.cfg.d_model;
        let x = s.x[t * d..(t + 1) * d].as_ptr();
        self.prepare(x, Some(&self.output_norm), d, 1, s.xn.as_mut_ptr(), s.xq.as_mut_ptr());
        let out = SharedMut(s.logits.as_mut_ptr());
        self.matmuls(s, &[(&self.output, out, self.cfg.vocab)], self.act(&s.xn[..d], &s.xq), 1);
    }
}

/// Per-conversation state: the KV cache and every buffer a forward pass needs, allocated once.
pub struct Session {
    pub kv: KvCache,
    /// Block-sparse attention state; `None` runs dense attention (set with [`Llama::set_sparse`]).
    pub sparse: Option<SparseState>,
    /// Attention received by the first keys, measured during dense forwards (set with
    /// [`Llama::set_probe`]; a memory read's importance scores).
    pub probe: Option<Probe>,
    max_batch: usize,
    max_cols: usize,
    last: usize,
    /// (B, d) residual stream
    x: Vec<f32>,
    /// (B, d) normed input of a matmul
    xn: Vec<f32>,
    /// (B, max(d, d_ff) / 32) quantized matmul input
    xq: Vec<BlockQ8>,
    /// (B, d) queries
    q: Vec<f32>,
    /// (B, kv_dim) keys and values of the chunk
    k: Vec<f32>,
    v: Vec<f32>,
    /// (B, d) attention output
    att: Vec<f32>,
    /// (B, d) matmul output before the residual add
    tmp: Vec<f32>,
    /// (B, d_ff) FFN gate / up
    gate: Vec<f32>,
    up: Vec<f32>,
    /// (B, rope_dims / 2) cos/sin per token
    angles: Vec<(f32, f32)>,
    /// (threads, n_head, n_ctx) attention scores
    scores: Vec<f32>,
    /// (threads, max(d, d_ff)) dequantized weight row (exact path)
    scratch: Vec<f32>,
    /// (vocab,) logits of the last token
    logits: Vec<f32>,
}

/// KVzip-style importance: the attention that later queries give to the first `keys` positions.
pub struct Probe {
    /// Queries at positions `from..` are counted.
    pub from: usize,
    pub keys: usize,
    n_kv_head: usize,
    /// (n_layer, n_kv_head, keys) the largest weight each key received
    pub score: Vec<f32>,
    /// (threads, n_kv_head, keys) per-thread maxima of the layer being computed
    thread_max: Vec<f32>,
}

impl Probe {
    fn new(c: &Config, from: usize, keys: usize, threads: usize) -> Probe {
        Probe {
            from,
            keys,
            n_kv_head: c.n_kv_head,
            score: vec![0.0; c.n_layer * c.n_kv_head * keys],
            thread_max: vec![0.0; threads * c.n_kv_head * keys],
        }
    }

    /// Folds the threads' maxima of layer `l` into `score` and clears them for the next layer.
    fn reduce_layer(&mut self, l: usize) {
        let row = self.n_kv_head * self.keys;
        let out = &mut self.score[l * row..(l + 1) * row];
        for part in self.thread_max.chunks_exact_mut(row) {
            for (o, m) in out.iter_mut().zip(part.iter_mut()) {
                *o = o.max(*m);
                *m = 0.0;
            }
        }
    }

    /// Layer `l`, KV head `g`: the scores of keys 0..keys.
    pub fn of(&self, l: usize, g: usize) -> &[f32] {
        let at = (l * self.n_kv_head + g) * self.keys;
        &self.score[at..at + self.keys]
    }
}

/// Tokens per forward chunk: prompts are processed in chunks of this many.
pub const MAX_BATCH: usize = 512;

impl Session {
    fn new(c: &Config, n_ctx: usize, threads: usize) -> Session {
        let b = MAX_BATCH.min(n_ctx);
        let (d, kv, ff) = (c.d_model, c.kv_dim(), c.d_ff);
        let max_cols = d.max(ff);
        Session {
            kv: KvCache::new(c.n_layer, n_ctx, kv),
            sparse: None,
            probe: None,
            max_batch: b,
            max_cols,
            last: 0,
            x: vec![0.0; b * d],
            xn: vec![0.0; b * d],
            xq: vec![BlockQ8::default(); b * max_cols / QK],
            q: vec![0.0; b * d],
            k: vec![0.0; b * kv],
            v: vec![0.0; b * kv],
            att: vec![0.0; b * d],
            tmp: vec![0.0; b * d],
            gate: vec![0.0; b * ff],
            up: vec![0.0; b * ff],
            angles: vec![(0.0, 0.0); b * c.rope_dims / 2],
            scores: vec![0.0; threads * c.n_head * n_ctx],
            scratch: vec![0.0; threads * max_cols],
            logits: vec![0.0; c.vocab],
        }
    }

    /// Positions used so far.
    pub fn len(&self) -> usize {
        self.kv.len
    }

    pub fn is_empty(&self) -> bool {
        self.kv.len == 0
    }

    pub fn n_ctx(&self) -> usize {
        self.kv.n_ctx
    }

    /// The logits from the last forward.
    pub fn logits(&self) -> &[f32] {
        &self.logits
    }

    /// Forget the conversation (keeps the memory).
    pub fn clear(&mut self) {
        self.kv.clear();
    }
}
