//! Weight tensors on the GPU, kept quantized: GGUF tensor bytes in, one storage buffer in a word-aligned
//! layout out, which the kernels dequantize on the fly (`shaders/matmul_<type>.wgsl` decode it).
//!
//! GPU layouts (u32 words; block = 32 values of one row):
//! - Q4_1: as in the file, 5 words per block: `d | m << 16` (two f16), then 16 bytes of nibbles.
//! - Q8_0: repacked from the file's 34-byte blocks (not word-aligned) to 9 words: `d` as f32 bits,
//!   then the 32 i8 quants, four to a word.
//! - F32: as in the file. F16: as in the file, two to a word (low half first), tail padded.
//!
//! A tensor must fit one storage binding ([`Gpu::max_binding`]); otherwise [`GpuError::TooLarge`].

use super::buffers::storage_init;
use super::{Gpu, GpuError};
use crate::cpu::f16::f16_to_f32;
use crate::cpu::quant::{GgmlType, QK};

/// A weight matrix on the GPU: `rows` rows of `cols` values of type `ty`, row-major.
pub struct QTensor {
    /// The blocks in the layout of the module doc.
    pub buf: wgpu::Buffer,
    pub ty: GgmlType,
    pub rows: usize,
    pub cols: usize,
}

/// u32 words per 32-value block on the GPU.
pub fn block_words(ty: GgmlType) -> Option<usize> {
    match ty {
        GgmlType::Q4_1 => Some(5),
        GgmlType::Q8_0 => Some(9),
        GgmlType::F32 => Some(32),
        GgmlType::F16 => Some(16),
        GgmlType::Q4_0 => None,
    }
}

/// Uploads one GGUF tensor `data` (rows, cols) of type `ty`; `name` labels the buffer and errors.
pub fn upload(
    gpu: &Gpu,
    name: &str,
    ty: GgmlType,
    data: &[u8],
    rows: usize,
    cols: usize,
) -> Result<QTensor, GpuError> {
    if block_words(ty).is_none() {
        return Err(GpuError::Internal(format!("{name}: the GPU kernels do not read {ty:?} tensors")));
    }
    let want = ty.row_bytes(cols).and_then(|rb| rb.checked_mul(rows));
    if want != Some(data.len()) {
        return Err(GpuError::Internal(format!(
            "{name}: {} bytes do not hold a {rows} x {cols} {ty:?} matrix",
            data.len()
        )));
    }
    let gpu_bytes = match ty {
        GgmlType::Q8_0 => (data.len() / 34 * 36) as u64,
        _ => data.len() as u64,
    };
    if gpu_bytes > gpu.max_binding() {
        return Err(GpuError::TooLarge {
            what: name.to_string(),
            bytes: gpu_bytes,
            limit: gpu.max_binding(),
        });
    }
    let buf = match ty {
        GgmlType::Q8_0 => storage_init(gpu, name, &repack_q8_0(data))?,
        _ => storage_init(gpu, name, data)?,
    };
    Ok(QTensor { buf, ty, rows, cols })
}

/// 34-byte Q8_0 blocks (f16 d, 32 x i8) -> 36-byte word-aligned ones (f32 d, 32 x i8).
fn repack_q8_0(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 34 * 36);
    for b in data.chunks_exact(34) {
        let d = f16_to_f32(u16::from_le_bytes([b[0], b[1]]));
        out.extend_from_slice(&d.to_le_bytes());
        out.extend_from_slice(&b[2..2 + QK]);
    }
    out
}

/// Test support: tensors of the real model file (assets/, fetched by scripts/fetch-model.sh).
#[cfg(all(test, not(target_family = "wasm")))]
pub(crate) mod testing {
    use crate::cpu::quant::GgmlType;
    use crate::model::gguf::Gguf;
    use std::sync::OnceLock;

    fn model() -> &'static [u8] {
        static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
        BYTES.get_or_init(|| {
            let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../assets/SmolLM2-135M-Instruct.Q4_1.gguf");
            std::fs::read(&p).unwrap_or_else(|_| {
                panic!("model missing at {}: run scripts/fetch-model.sh first", p.display())
            })
        })
    }

    /// (type, bytes, rows, cols) of a 2-D tensor of the real model.
    pub fn real_tensor(name: &str) -> (GgmlType, &'static [u8], usize, usize) {
        let bytes = model();
        let g = Gguf::parse(bytes).unwrap();
        let t = g.tensor(name).unwrap();
        (t.ty, &bytes[t.offset..t.offset + t.size], t.dims[1], t.dims[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpu::buffers::{Staging, bytes_u32};
    use crate::gpu::testing::gpu;

    /// Q8_0's 34-byte blocks land as 9 words: the f16 scale widened to f32, then the quants verbatim.
    #[test]
    fn q8_0_is_repacked_word_aligned() {
        let gpu = gpu();
        let mut data = Vec::new();
        for b in 0..3u8 {
            data.extend(crate::cpu::f16::f32_to_f16(0.25 * (b + 1) as f32).to_le_bytes());
            data.extend((0..32u8).map(|i| i.wrapping_mul(7).wrapping_add(b)));
        }
        let t = upload(gpu, "q8", GgmlType::Q8_0, &data, 1, 96).unwrap();
        let words =
            bytes_u32(&crate::gpu::block_on(Staging::new(gpu, 108).read(gpu, &t.buf, 0, 108)).unwrap());
        for b in 0..3 {
            assert_eq!(f32::from_bits(words[b * 9]), 0.25 * (b + 1) as f32);
            let q: Vec<u8> = words[b * 9 + 1..b * 9 + 9].iter().flat_map(|w| w.to_le_bytes()).collect();
            assert_eq!(q, &data[b * 34 + 2..b * 34 + 34]);
        }
    }

    #[test]
    fn bad_tensors_are_errors() {
        let gpu = gpu();
        // 20 bytes are one Q4_1 block, not two.
        assert!(upload(gpu, "w", GgmlType::Q4_1, &[0; 20], 2, 32).is_err());
        assert!(upload(gpu, "w", GgmlType::Q4_1, &[0; 20], 1, 31).is_err());
        assert!(upload(gpu, "w", GgmlType::Q4_0, &[0; 18], 1, 32).is_err());
        // A shape whose byte count overflows is an error, not a panic.
        assert!(upload(gpu, "w", GgmlType::F32, &[0; 8], usize::MAX / 2, 2).is_err());
    }
}
