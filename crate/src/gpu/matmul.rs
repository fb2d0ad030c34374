//! Weight matmuls on the GPU (`shaders/matmul.wgsl` after a block decoder `shaders/matmul_<type>.wgsl`):
//! `W (rows, cols) @ X (n, cols) -> Y (n, rows)`, f32 activations, weights dequantized on the fly
//! (the exact precision path). Twin: [`crate::cpu::matmul::matmul_exact`].
//!
//! Decode (n = 1) uses `matvec`: 8 rows per workgroup, 32 lanes striding each row. Prefill uses
//! `matmul`: 64 x 64 output tiles, weights dequantized once per tile into workgroup memory.
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

/// Rows per `matvec` workgroup and the `matmul` tile edge (must match the shader).
const MV_ROWS: u32 = 8;
const TILE: u32 = 64;

/// The two kernels for one weight type.
struct Pair {
    ty: GgmlType,
    matvec: Kernel,
    matmul: Kernel,
}

/// The compiled matmul kernels for every weight type the GPU reads.
pub struct Matmul {
    pairs: Vec<Pair>,
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
        let types = [GgmlType::Q4_1, GgmlType::Q8_0, GgmlType::F16, GgmlType::F32];
        let pairs = types
            .into_iter()
            .filter_map(|ty| {
                let src = format!("{}\n{KERNELS}", decoder(ty)?);
                Some(Pair {
                    ty,
                    matvec: Kernel::new(gpu, "matvec", &src, "matvec"),
                    matmul: Kernel::new(gpu, "matmul", &src, "matmul"),
                })
            })
            .collect();
        Matmul { pairs }
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
        if n_tokens <= 1 {
            let [gx, gy, _] = grid_1d(bind.rows.div_ceil(MV_ROWS));
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

    /// Runs the GPU matmul; returns y (n, rows).
    fn run(ty: GgmlType, data: &[u8], rows: usize, cols: usize, x: &[f32], n: usize) -> Vec<f32> {
        let gpu = gpu();
        let mm = Matmul::new(gpu);
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
    fn compare(ty: GgmlType, data: &[u8], rows: usize, cols: usize, x: &[f32], n: usize, tol: f32) -> f32 {
        let got = run(ty, data, rows, cols, x, n);
        let wm = QMatrix { ty, data, rows, cols };
        let want = matmul_exact(&wm, x, n);
        let mut row = vec![0.0; cols];
        let mut worst = 0.0f32;
        for r in 0..rows {
            dequantize_row(ty, wm.row(r), &mut row);
            for t in 0..n {
                let mag: f32 = row.iter().zip(&x[t * cols..]).map(|(a, b)| (a * b).abs()).sum();
                let (g, c) = (got[t * rows + r], want[t * rows + r]);
                let err = (g - c).abs();
                assert!(
                    err <= tol * mag + 1e-6,
                    "{ty:?} {rows}x{cols} n={n}: y[{t}][{r}] gpu {g} cpu {c} (sum|wx| {mag})"
                );
                worst = worst.max(err / (mag + 1e-30));
            }
        }
        worst
    }

    #[test]
    fn matvec_and_matmul_match_cpu_twin() {
        let mut rng = Rng::new(11);
        for ty in [GgmlType::Q4_1, GgmlType::Q8_0, GgmlType::F16, GgmlType::F32] {
            let mut worst = (0.0f32, 0.0f32);
            // The model's shapes, odd row counts (partial workgroups / tiles), and random ones.
            let mut shapes = vec![(576, 576), (1, 32), (7, 96), (193, 1536), (65, 64)];
            for _ in 0..3 {
                shapes.push((1 + rng.below(300), QK * (1 + rng.below(40))));
            }
            for (rows, cols) in shapes {
                let w = random_weights(&mut rng, ty, rows, cols);
                for n in [1, 2, 63, 65, 1 + rng.below(150)] {
                    let x = rng.vec(n * cols, 2.0);
                    let e = compare(ty, &w, rows, cols, &x, n, 1e-4);
                    let slot = if n == 1 { &mut worst.0 } else { &mut worst.1 };
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

    /// A case worked by hand: one Q8_0 block of q = 0..31 with d = 0.5 against x = 1 gives
    /// 0.5 * (0 + 1 + ... + 31) = 248; a second row with q = -1 and d = 2 gives -64.
    #[test]
    fn q8_0_fixed_case() {
        let mut data = Vec::new();
        data.extend(f32_to_f16(0.5).to_le_bytes());
        data.extend((0..32u8).collect::<Vec<_>>());
        data.extend(f32_to_f16(2.0).to_le_bytes());
        data.extend([0xffu8; 32]);
        assert_eq!(run(GgmlType::Q8_0, &data, 2, 32, &[1.0; 32], 1), vec![248.0, -64.0]);
        assert_eq!(run(GgmlType::Q8_0, &data, 2, 32, &[1.0; 64], 2), vec![248.0, -64.0, 248.0, -64.0]);
    }
}
