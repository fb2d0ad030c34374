//! Weight matmuls on the GPU (`shaders/matmul.wgsl` after a block decoder `shaders/matmul_<type>.wgsl`):
//! `W (rows, cols) @ X (n, cols) -> Y (n, rows)`, f32 activations, weights dequantized on the fly
//! (the exact precision path). Twin: [`crate::cpu::matmul::matmul_exact`].
//!
//! Decode (n = 1, and up to [`MATVEC_MAX_TOKENS`]) uses `matvec`: a few lanes per row (32 on GPUs, 4 on
//! software rasterizers) striding each row, many rows per workgroup, one grid layer per token.
//! Prefill uses `matmul`: 64 x 64 output tiles, weights dequantized once per tile into workgroup memory.
//! `n` comes from the forward pass's [`super::Step`] uniform; rows and cols from a per-bind uniform.

use super::kernel::{Kernel, MAX_GROUPS_X, grid_1d};
use super::weights::QTensor;
use super::{Gpu, GpuError, buffers};
use crate::cpu::quant::{GgmlType, QK};

const KERNELS: &str = include_str!("../../../shaders/matmul.wgsl");

/// The block decoder of a weight type, prepended to a kernel family that reads weights (also used by
/// the embedding lookup).
pub fn decoder(ty: GgmlType) -> Option<&'static str> {
    match ty {
        GgmlType::Q4_1 => Some(include_str!("../../../shaders/matmul_q4_1.wgsl")),
        GgmlType::Q8_0 => Some(include_str!("../../../shaders/matmul_q8_0.wgsl")),
        GgmlType::F32 => Some(include_str!("../../../shaders/matmul_f32.wgsl")),
        GgmlType::F16 => Some(include_str!("../../../shaders/matmul_f16.wgsl")),
        GgmlType::Q4_0 => None,
    }
}

/// The `matmul` tile edge (must match the shader).
const TILE: u32 = 64;
/// Up to this many tokens `matvec` (once per token) beats a mostly empty 64-token tile (on lavapipe
/// the tile costs as much as ~15 matvecs; on GPUs the repeated weight reads hit the cache).
pub const MATVEC_MAX_TOKENS: u32 = 8;

/// The two kernels for one weight type.
struct Pair {
    ty: GgmlType,
    matvec: Kernel,
    matmul: Kernel,
}

/// The compiled matmul kernels for every weight type the GPU reads.
pub struct Matmul {
    pairs: Vec<Pair>,
    /// `matvec` rows per workgroup: 256 / lanes per row.
    mv_rows: u32,
}

/// One weight matrix bound to its input and output buffers, made at load.
pub struct MatmulBind {
    ty: GgmlType,
    rows: u32,
    matvec: wgpu::BindGroup,
    matmul: wgpu::BindGroup,
    /// [rows, cols, cols / 32, 0]
    _dims: wgpu::Buffer,
}

impl Matmul {
    pub fn new(gpu: &Gpu) -> Matmul {
        // Software rasterizers run 32 lanes per row several times slower than 4 (measured on lavapipe).
        Matmul::with_matvec_lanes(gpu, if gpu.info.fallback { 4 } else { 32 })
    }

    /// `lanes`: invocations per row in `matvec`, a power of two from 1 to 32.
    pub fn with_matvec_lanes(gpu: &Gpu, lanes: u32) -> Matmul {
        let lanes = lanes.clamp(1, 32).next_power_of_two();
        let types = [GgmlType::Q4_1, GgmlType::Q8_0, GgmlType::F16, GgmlType::F32];
        let pairs = types
            .into_iter()
            .filter_map(|ty| {
                let src = format!("const MV_LANES: u32 = {lanes}u;\n{}\n{KERNELS}", decoder(ty)?);
                Some(Pair {
                    ty,
                    matvec: Kernel::new(gpu, "matvec", &src, "matvec"),
                    matmul: Kernel::new(gpu, "matmul", &src, "matmul"),
                })
            })
            .collect();
        Matmul { pairs, mv_rows: 256 / lanes }
    }

    /// `w (rows, cols) @ x (n, cols) -> y (n, rows)` for any n up to what `x` and `y` hold;
    /// `step` is the pass's [`super::Step`] uniform (its n_tokens is the n the kernels use).
    pub fn bind(
        &self,
        gpu: &Gpu,
        w: &QTensor,
        x: &wgpu::Buffer,
        y: &wgpu::Buffer,
        step: &wgpu::Buffer,
    ) -> Result<MatmulBind, GpuError> {
        let pair = self
            .pairs
            .iter()
            .find(|p| p.ty == w.ty)
            .ok_or_else(|| GpuError::Internal(format!("no GPU matmul kernel for {:?} weights", w.ty)))?;
        if !w.cols.is_multiple_of(QK) || w.rows == 0 {
            return Err(GpuError::Internal(format!(
                "GPU matmul needs a whole number of 32-value blocks per row, got {} x {}",
                w.rows, w.cols
            )));
        }
        if w.rows.div_ceil(TILE as usize) > MAX_GROUPS_X as usize {
            return Err(GpuError::TooLarge {
                what: "matmul rows".into(),
                bytes: w.rows as u64,
                limit: MAX_GROUPS_X as u64 * TILE as u64,
            });
        }
        if x.size() < (w.cols * 4) as u64 || y.size() < (w.rows * 4) as u64 {
            return Err(GpuError::Internal(format!(
                "matmul buffers of {} and {} bytes for a {} x {} matrix",
                x.size(),
                y.size(),
                w.rows,
                w.cols
            )));
        }
        let dims =
            buffers::uniform(gpu, "matmul dims", &[w.rows as u32, w.cols as u32, (w.cols / QK) as u32]);
        let bufs = [&w.buf, x, y, &dims, step];
        Ok(MatmulBind {
            ty: w.ty,
            rows: w.rows as u32,
            matvec: pair.matvec.bind(gpu, &bufs),
            matmul: pair.matmul.bind(gpu, &bufs),
            _dims: dims,
        })
    }

    /// Encodes `y = x @ w^T` for `n_tokens` tokens (the value the pass's Step holds).
    pub fn encode(&self, pass: &mut wgpu::ComputePass<'_>, bind: &MatmulBind, n_tokens: u32) {
        let Some(pair) = self.pairs.iter().find(|p| p.ty == bind.ty) else { return };
        if n_tokens <= MATVEC_MAX_TOKENS {
            let [gx, gy, _] = grid_1d(bind.rows.div_ceil(self.mv_rows));
            pair.matvec.dispatch(pass, &bind.matvec, [gx, gy, n_tokens.max(1)]);
        } else {
            pair.matmul.dispatch(pass, &bind.matmul, [bind.rows.div_ceil(TILE), n_tokens.div_ceil(TILE), 1]);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::cpu::f16::f32_to_f16;
    use crate::cpu::matmul::{QMatrix, matmul_exact};
    use crate::cpu::quant::dequantize_row;
    use crate::gpu::buffers::{Staging, bytes_f32, f32_bytes, storage, storage_init, uniform};
    use crate::gpu::testing::{Rng, gpu};
    use crate::gpu::weights::upload;
    use crate::gpu::{Step, block_on, kernel::submit};

    /// Random weights of type `ty` in the file layout, with finite, normal f16 scales.
    pub(crate) fn random_weights(rng: &mut Rng, ty: GgmlType, rows: usize, cols: usize) -> Vec<u8> {
        let f16 = |rng: &mut Rng, s: f32| {
            let v = rng.f32(s);
            f32_to_f16(if v.abs() < 1e-3 { 1e-3 } else { v }).to_le_bytes()
        };
        let mut out = Vec::new();
        match ty {
            GgmlType::Q4_1 | GgmlType::Q8_0 | GgmlType::Q4_0 => {
                for _ in 0..rows * cols / QK {
                    out.extend(f16(rng, 0.05));
                    if ty == GgmlType::Q4_1 {
                        out.extend(f16(rng, 0.2));
                    }
                    let nq = if ty == GgmlType::Q8_0 { QK } else { QK / 2 };
                    out.extend((0..nq).map(|_| rng.next_u64() as u8));
                }
            }
            GgmlType::F16 => (0..rows * cols).for_each(|_| out.extend(f16(rng, 1.0))),
            GgmlType::F32 => (0..rows * cols).for_each(|_| out.extend(rng.f32(1.0).to_le_bytes())),
        }
        out
    }

    /// The kernels with 4 and with 32 matvec lanes per row (both variants run everywhere), compiled
    /// once for all tests.
    fn kernels(lanes: u32) -> &'static Matmul {
        static MM: [std::sync::OnceLock<Matmul>; 2] =
            [std::sync::OnceLock::new(), std::sync::OnceLock::new()];
        MM[(lanes == 32) as usize].get_or_init(|| Matmul::with_matvec_lanes(gpu(), lanes))
    }

    /// Runs the GPU matmul; returns y (n, rows).
    fn run(
        mm: &Matmul,
        ty: GgmlType,
        data: &[u8],
        rows: usize,
        cols: usize,
        x: &[f32],
        n: usize,
    ) -> Vec<f32> {
        let gpu = gpu();
        let w = upload(gpu, "w", ty, data, rows, cols).unwrap();
        let xb = storage_init(gpu, "x", &f32_bytes(x)).unwrap();
        let yb = storage(gpu, "y", (n * rows * 4) as u64).unwrap();
        let step = uniform(gpu, "step", &Step { n_tokens: n as u32, pos0: 0 }.words());
        let bind = mm.bind(gpu, &w, &xb, &yb, &step).unwrap();
        submit(gpu, "matmul", |pass| mm.encode(pass, &bind, n as u32));
        let staging = Staging::new(gpu, (n * rows * 4) as u64);
        bytes_f32(&block_on(staging.read(gpu, &yb, 0, (n * rows * 4) as u64)).unwrap())
    }

    /// Largest |gpu - cpu| / (sum |w * x| of that output), asserting each is within `tol` of it.
    /// Matvec (n <= 8) runs both lane variants.
    fn compare(ty: GgmlType, data: &[u8], rows: usize, cols: usize, x: &[f32], n: usize, tol: f32) -> f32 {
        let wm = QMatrix { ty, data, rows, cols };
        let want = matmul_exact(&wm, x, n);
        let mut mag = vec![0.0f32; n * rows];
        let mut row = vec![0.0; cols];
        for r in 0..rows {
            dequantize_row(ty, wm.row(r), &mut row);
            for t in 0..n {
                mag[t * rows + r] = row.iter().zip(&x[t * cols..]).map(|(a, b)| (a * b).abs()).sum();
            }
        }
        let mut worst = 0.0f32;
        let variants: &[u32] = if n as u32 <= MATVEC_MAX_TOKENS { &[4, 32] } else { &[4] };
        for &lanes in variants {
            let got = run(kernels(lanes), ty, data, rows, cols, x, n);
            for (i, ((g, c), m)) in got.iter().zip(&want).zip(&mag).enumerate() {
                let err = (g - c).abs();
                assert!(
                    err <= tol * m + 1e-6,
                    "{ty:?} {rows}x{cols} n={n} lanes={lanes}: y[{}][{}] gpu {g} cpu {c} (sum|wx| {m})",
                    i / rows,
                    i % rows
                );
                worst = worst.max(err / (m + 1e-30));
            }
        }
        worst
    }

    #[test]
    fn matvec_and_matmul_match_cpu_twin() {
        let mut rng = Rng::new(11);
        for ty in [GgmlType::Q4_1, GgmlType::Q8_0, GgmlType::F16, GgmlType::F32] {
            let mut worst = (0.0f32, 0.0f32); // (matvec, matmul)
            // The model's shapes, odd row counts (partial workgroups / tiles), and random ones.
            let mut shapes = vec![(576, 576), (1, 32), (7, 96), (193, 1536), (65, 64)];
            for _ in 0..3 {
                shapes.push((1 + rng.below(300), QK * (1 + rng.below(40))));
            }
            for (rows, cols) in shapes {
                let w = random_weights(&mut rng, ty, rows, cols);
                for n in [1, 2, 8, 9, 63, 65, 1 + rng.below(150)] {
                    let x = rng.vec(n * cols, 2.0);
                    let e = compare(ty, &w, rows, cols, &x, n, 1e-4);
                    let slot = if n as u32 <= MATVEC_MAX_TOKENS { &mut worst.0 } else { &mut worst.1 };
                    *slot = slot.max(e);
                }
            }
            eprintln!("{ty:?}: worst |gpu - cpu| / sum|wx|: matvec {:.2e}, matmul {:.2e}", worst.0, worst.1);
        }
    }

    #[test]
    fn matmul_prefill_512_tokens() {
        let mut rng = Rng::new(12);
        let (rows, cols, n) = (1536, 576, 512);
        let w = random_weights(&mut rng, GgmlType::Q4_1, rows, cols);
        let x = rng.vec(n * cols, 1.0);
        let e = compare(GgmlType::Q4_1, &w, rows, cols, &x, n, 1e-4);
        eprintln!("Q4_1 {rows}x{cols} n={n}: worst |gpu - cpu| / sum|wx| {e:.2e}");
    }

    /// Cases worked by hand, x = 1 everywhere. Q8_0: q = 0..31 with d = 0.5 gives
    /// 0.5 * (0 + 1 + ... + 31) = 248; q = -1 with d = 2 gives -64. Q4_1: bytes 0x21 (low nibble 1,
    /// high nibble 2) with d = 1 and m = -8 give 16 * (1 - 8) + 16 * (2 - 8) = -208.
    #[test]
    fn fixed_cases() {
        let mut q8 = Vec::new();
        q8.extend(f32_to_f16(0.5).to_le_bytes());
        q8.extend((0..32u8).collect::<Vec<_>>());
        q8.extend(f32_to_f16(2.0).to_le_bytes());
        q8.extend([0xffu8; 32]);
        let mut q4 = Vec::new();
        q4.extend(f32_to_f16(1.0).to_le_bytes());
        q4.extend(f32_to_f16(-8.0).to_le_bytes());
        q4.extend([0x21u8; 16]);
        // n = 1 and 2 take matvec (both lane variants), n = 9 the tiled matmul.
        for (lanes, n) in [(4, 1), (32, 1), (32, 2), (4, 9)] {
            let x = vec![1.0; n * 32];
            assert_eq!(run(kernels(lanes), GgmlType::Q8_0, &q8, 2, 32, &x, n), [248.0, -64.0].repeat(n));
            assert_eq!(run(kernels(lanes), GgmlType::Q4_1, &q4, 1, 32, &x, n), [-208.0].repeat(n));
        }
    }

    /// Buffers too small for the weights' shape are refused at bind, not read out of bounds.
    #[test]
    fn short_buffers_are_errors() {
        let gpu = gpu();
        let w = upload(gpu, "w", GgmlType::Q4_1, &[0; 80], 2, 64).unwrap();
        let (x, y) = (storage(gpu, "x", 64 * 4).unwrap(), storage(gpu, "y", 2 * 4).unwrap());
        let step = uniform(gpu, "step", &Step { n_tokens: 1, pos0: 0 }.words());
        assert!(kernels(4).bind(gpu, &w, &x, &y, &step).is_ok());
        assert!(kernels(4).bind(gpu, &w, &y, &y, &step).is_err());
        assert!(kernels(4).bind(gpu, &w, &x, &storage(gpu, "y1", 4).unwrap(), &step).is_err());
    }

    /// The real model's weights: a Q4_1 projection each way and the tied Q8_0 output matrix, against
    /// a real (Q8_0-dequantized) embedding row as input, for decode and a short prefill.
    #[test]
    fn real_weights_match_cpu_twin() {
        use crate::gpu::weights::testing::real_tensor;
        let (ety, emb, _, d) = real_tensor("token_embd.weight");
        let erb = ety.row_bytes(d).unwrap();
        let mut x = vec![0.0f32; 9 * 1536];
        for (t, xt) in x.chunks_exact_mut(1536).enumerate() {
            // Token rows of the embedding, repeated to fill the FFN width.
            for (j, part) in xt.chunks_exact_mut(d).enumerate() {
                let id = 1000 + 97 * t + 13 * j;
                dequantize_row(ety, &emb[id * erb..(id + 1) * erb], part);
            }
        }
        for name in
            ["blk.0.attn_q.weight", "blk.7.ffn_up.weight", "blk.29.ffn_down.weight", "token_embd.weight"]
        {
            let (ty, data, rows, cols) = real_tensor(name);
            for n in [1, 5, 9] {
                let e = compare(ty, data, rows, cols, &x[..n * cols], n, 1e-4);
                eprintln!("{name} ({ty:?} {rows}x{cols}) n={n}: worst |gpu - cpu| / sum|wx| {e:.2e}");
            }
        }
    }

    /// Throughput on this machine's adapter (lavapipe in CI: a software rasterizer, so only the
    /// order of magnitude means anything). `cargo test --lib gpu::matmul::tests::bench -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn bench() {
        let gpu = gpu();
        let mut rng = Rng::new(5);
        eprintln!("adapter: {} ({})", gpu.info.name, gpu.info.backend);
        for (ty, rows, cols) in
            [(GgmlType::Q4_1, 1536, 576), (GgmlType::Q4_1, 576, 1536), (GgmlType::Q8_0, 49152, 576)]
        {
            let data = random_weights(&mut rng, ty, rows, cols);
            let w = upload(gpu, "w", ty, &data, rows, cols).unwrap();
            let wbytes = w.buf.size() as f64;
            for (n, lanes) in [(1usize, 4), (1, 32), (8, 4), (9, 4), (64, 4), (512, 4)] {
                let mm = kernels(lanes);
                let xb = storage_init(gpu, "x", &f32_bytes(&rng.vec(n * cols, 1.0))).unwrap();
                let yb = storage(gpu, "y", (n * rows * 4) as u64).unwrap();
                let step = uniform(gpu, "step", &Step { n_tokens: n as u32, pos0: 0 }.words());
                let bind = mm.bind(gpu, &w, &xb, &yb, &step).unwrap();
                let staging = Staging::new(gpu, 4);
                let sync = || block_on(staging.read(gpu, &yb, 0, 4)).unwrap();
                submit(gpu, "warm-up", |pass| mm.encode(pass, &bind, n as u32));
                sync();
                let reps = if n == 1 { 50 } else { 3 };
                let t0 = std::time::Instant::now();
                submit(gpu, "bench", |pass| (0..reps).for_each(|_| mm.encode(pass, &bind, n as u32)));
                sync();
                let s = t0.elapsed().as_secs_f64() / reps as f64;
                let path = if n as u32 <= MATVEC_MAX_TOKENS {
                    format!("matvec, {lanes} lanes")
                } else {
                    "matmul".into()
                };
                eprintln!(
                    "{ty:?} {rows}x{cols} n={n:3} ({path:16}): {:8.3} ms  {:6.2} GB/s of weights  {:7.2} GFLOP/s",
                    s * 1e3,
                    wbytes / s / 1e9,
                    2.0 * (rows * cols * n) as f64 / s / 1e9
                );
            }
        }
    }
}
