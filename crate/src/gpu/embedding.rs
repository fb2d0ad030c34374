//! Token embedding lookup on the GPU (`shaders/embedding.wgsl` after the table's block decoder):
//! ids (n,) u32 -> X (n, cols) f32, the table kept quantized (the model's is Q8_0; Q4_1, F16 and F32
//! tables work too). Twin: [`crate::cpu::quant::dequantize_row`] of each id's row.

use super::kernel::{Kernel, grid_1d};
use super::matmul::decoder;
use super::weights::QTensor;
use super::{Gpu, GpuError, buffers};
use crate::cpu::quant::{GgmlType, QK};

const KERNEL: &str = include_str!("../../../shaders/embedding.wgsl");

/// The compiled lookup kernel for every table type the GPU reads.
pub struct Embedding {
    kernels: Vec<(GgmlType, Kernel)>,
}

/// A table bound to its id and output buffers, made at load.
pub struct EmbeddingBind {
    ty: GgmlType,
    /// invocations per token: one per 8 values
    per_token: u32,
    group: wgpu::BindGroup,
    /// [rows, cols, cols / 32, 0]
    _dims: wgpu::Buffer,
}

impl Embedding {
    pub fn new(gpu: &Gpu) -> Embedding {
        let types = [GgmlType::Q8_0, GgmlType::Q4_1, GgmlType::F16, GgmlType::F32];
        let kernels = types
            .into_iter()
            .filter_map(|ty| {
                Some((ty, Kernel::new(gpu, "embed", &format!("{}\n{KERNEL}", decoder(ty)?), "embed")))
            })
            .collect();
        Embedding { kernels }
    }

    /// `table (rows, cols)[ids (n,)] -> out (n, cols)`; `step` is the pass's [`super::Step`] uniform
    /// (its n_tokens is the n the kernel uses). Ids past the table give zero rows.
    pub fn bind(
        &self,
        gpu: &Gpu,
        table: &QTensor,
        ids: &wgpu::Buffer,
        out: &wgpu::Buffer,
        step: &wgpu::Buffer,
    ) -> Result<EmbeddingBind, GpuError> {
        let k = self.kernel(table.ty).ok_or_else(|| {
            GpuError::Internal(format!("no GPU embedding kernel for {:?} tables", table.ty))
        })?;
        if !table.cols.is_multiple_of(QK) {
            return Err(GpuError::Internal(format!(
                "GPU embedding needs rows of whole 32-value blocks, got {} values",
                table.cols
            )));
        }
        let nb = (table.cols / QK) as u32;
        let dims = buffers::uniform(gpu, "embedding dims", &[table.rows as u32, table.cols as u32, nb]);
        Ok(EmbeddingBind {
            ty: table.ty,
            per_token: nb * 4,
            group: k.bind(gpu, &[&table.buf, ids, out, &dims, step]),
            _dims: dims,
        })
    }

    /// Encodes the lookup of `n_tokens` ids (the value the pass's Step holds).
    pub fn encode(&self, pass: &mut wgpu::ComputePass<'_>, bind: &EmbeddingBind, n_tokens: u32) {
        if let Some(k) = self.kernel(bind.ty) {
            k.dispatch(pass, &bind.group, grid_1d((n_tokens * bind.per_token).div_ceil(256)));
        }
    }

    fn kernel(&self, ty: GgmlType) -> Option<&Kernel> {
        self.kernels.iter().find(|(t, _)| *t == ty).map(|(_, k)| k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::quant::dequantize_row;
    use crate::gpu::buffers::{Staging, bytes_f32, storage, storage_init, uniform, words_bytes};
    use crate::gpu::matmul::tests::random_weights;
    use crate::gpu::testing::{Rng, gpu};
    use crate::gpu::weights::{testing::real_tensor, upload};
    use crate::gpu::{Step, block_on, kernel::submit};

    /// GPU lookup of `ids`; returns (n, cols).
    fn run(e: &Embedding, table: &QTensor, ids: &[u32]) -> Vec<f32> {
        let gpu = gpu();
        let n = ids.len();
        let idb = storage_init(gpu, "ids", &words_bytes(ids)).unwrap();
        let bytes = (n * table.cols * 4) as u64;
        let out = storage(gpu, "out", bytes).unwrap();
        let step = uniform(gpu, "step", &Step { n_tokens: n as u32, pos0: 0 }.words());
        let bind = e.bind(gpu, table, &idb, &out, &step).unwrap();
        submit(gpu, "embed", |pass| e.encode(pass, &bind, n as u32));
        bytes_f32(&block_on(Staging::new(gpu, bytes).read(gpu, &out, 0, bytes)).unwrap())
    }

    /// The twin: each id's row dequantized; ids past the table give zeros.
    fn twin(ty: GgmlType, data: &[u8], rows: usize, cols: usize, ids: &[u32]) -> Vec<f32> {
        let rb = ty.row_bytes(cols).unwrap();
        let mut out = vec![0.0; ids.len() * cols];
        for (o, &id) in out.chunks_exact_mut(cols).zip(ids) {
            if (id as usize) < rows {
                dequantize_row(ty, &data[id as usize * rb..(id as usize + 1) * rb], o);
            }
        }
        out
    }

    #[test]
    fn lookup_matches_cpu_twin() {
        let gpu = gpu();
        let e = Embedding::new(gpu);
        let mut rng = Rng::new(21);
        for ty in [GgmlType::Q8_0, GgmlType::Q4_1, GgmlType::F16, GgmlType::F32] {
            for (rows, cols) in
                [(1, 32), (37, 96), (301, 576), (1 + rng.below(500), QK * (1 + rng.below(20)))]
            {
                let data = random_weights(&mut rng, ty, rows, cols);
                let table = upload(gpu, "table", ty, &data, rows, cols).unwrap();
                for n in [1, 7, 1 + rng.below(300)] {
                    // A few ids past the table: zero rows, no out-of-bounds reads.
                    let ids: Vec<u32> = (0..n).map(|_| rng.below(rows + 2) as u32).collect();
                    let (got, want) = (run(&e, &table, &ids), twin(ty, &data, rows, cols, &ids));
                    if ty == GgmlType::Q4_1 {
                        // q * d + m: a GPU may fuse it into one rounding; within an ulp of the row's scale.
                        for (g, w) in got.chunks(cols).zip(want.chunks(cols)) {
                            let scale = w.iter().fold(0.0f32, |m, v| m.max(v.abs()));
                            assert!(
                                g.iter().zip(w).all(|(a, b)| (a - b).abs() <= 1e-6 * scale),
                                "{rows}x{cols}"
                            );
                        }
                    } else {
                        // One product (or none) per value: bit-exact.
                        assert_eq!(got, want, "{ty:?} {rows}x{cols}");
                    }
                }
            }
        }
    }

    /// The real model's Q8_0 table (49152 x 576, 32 MB on the GPU) with ids from both ends.
    #[test]
    fn real_q8_0_table() {
        let gpu = gpu();
        let e = Embedding::new(gpu);
        let (ty, data, rows, cols) = real_tensor("token_embd.weight");
        assert_eq!((ty, rows, cols), (GgmlType::Q8_0, 49152, 576));
        let table = upload(gpu, "token_embd", ty, data, rows, cols).unwrap();
        let ids = [0u32, 1, 2, 504, 17_000, 49_151, 42];
        assert_eq!(run(&e, &table, &ids), twin(ty, data, rows, cols, &ids));
    }
}
