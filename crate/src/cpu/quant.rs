//! GGUF/ggml block formats: layouts, dequantization, activation quantization and the scalar
//! dot products that every SIMD kernel (and every GPU kernel) is checked against.
//!
//! Weight blocks hold 32 values each:
//! - Q4_0: `d: f16, qs: [u8; 16]`, value = (nibble - 8) * d                (18 bytes)
//! - Q4_1: `d: f16, m: f16, qs: [u8; 16]`, value = nibble * d + m           (20 bytes)
//! - Q8_0: `d: f16, qs: [i8; 32]`, value = q * d                            (34 bytes)
//!
//! Nibble order (ggml's): byte j holds element j in its low nibble and element j + 16 in its high one.
//!
//! Activations are quantized to [`BlockQ8`] the way llama.cpp quantizes them before its integer dot
//! products (Q8_1 for Q4_0/Q4_1 weights, Q8_0 for Q8_0 weights): d = max|x| / 127, q = round(x / d),
//! d rounded to f16, and s = d * sum(q) (also rounded to f16), which carries Q4_1's offset term.

use super::f16::{f16_to_f32, f32_to_f16};

/// Values per quantization block.
pub const QK: usize = 32;

/// Tensor element types this crate reads (ggml type ids in [`GgmlType::from_id`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GgmlType {
    F32,
    F16,
    Q4_0,
    Q4_1,
    Q8_0,
}

impl GgmlType {
    /// The ggml type id, or None for a type this crate does not support.
    pub fn from_id(id: u32) -> Option<Self> {
        Some(match id {
            0 => Self::F32,
            1 => Self::F16,
            2 => Self::Q4_0,
            3 => Self::Q4_1,
            8 => Self::Q8_0,
            _ => return None,
        })
    }

    /// ggml's name for a type id (for error messages about unsupported types).
    pub fn id_name(id: u32) -> &'static str {
        const NAMES: [&str; 42] = [
            "F32",
            "F16",
            "Q4_0",
            "Q4_1",
            "Q4_2",
            "Q4_3",
            "Q5_0",
            "Q5_1",
            "Q8_0",
            "Q8_1",
            "Q2_K",
            "Q3_K",
            "Q4_K",
            "Q5_K",
            "Q6_K",
            "Q8_K",
            "IQ2_XXS",
            "IQ2_XS",
            "IQ3_XXS",
            "IQ1_S",
            "IQ4_NL",
            "IQ3_S",
            "IQ2_S",
            "IQ4_XS",
            "I8",
            "I16",
            "I32",
            "I64",
            "F64",
            "IQ1_M",
            "BF16",
            "Q4_0_4_4",
            "Q4_0_4_8",
            "Q4_0_8_8",
            "TQ1_0",
            "TQ2_0",
            "IQ4_NL_4_4",
            "IQ4_NL_4_8",
            "IQ4_NL_8_8",
            "MXFP4",
            "NVFP4",
            "Q1_0",
        ];
        NAMES.get(id as usize).copied().unwrap_or("unknown")
    }

    /// Elements per block (1 for the float types).
    pub fn block_len(self) -> usize {
        match self {
            Self::F32 | Self::F16 => 1,
            _ => QK,
        }
    }

    /// Bytes per block.
    pub fn block_bytes(self) -> usize {
        match self {
            Self::F32 => 4,
            Self::F16 => 2,
            Self::Q4_0 => 18,
            Self::Q4_1 => 20,
            Self::Q8_0 => 34,
        }
    }

    /// Bytes of a row of `n` elements, or None when `n` is not a whole number of blocks.
    pub fn row_bytes(self, n: usize) -> Option<usize> {
        n.is_multiple_of(self.block_len()).then(|| n / self.block_len() * self.block_bytes())
    }

    pub fn is_quantized(self) -> bool {
        !matches!(self, Self::F32 | Self::F16)
    }
}

/// One block of 32 activations quantized to i8: value ~= q * d; `s` = d * sum(q).
#[derive(Clone, Copy, Debug, Default)]
#[repr(C)]
pub struct BlockQ8 {
    pub d: f32,
    pub s: f32,
    pub qs: [i8; QK],
}

#[inline]
fn f16_at(b: &[u8], i: usize) -> f32 {
    f16_to_f32(u16::from_le_bytes([b[i], b[i + 1]]))
}

#[inline]
fn round_f16(x: f32) -> f32 {
    f16_to_f32(f32_to_f16(x))
}

/// x (n,) -> out (n / 32,) blocks; n must be a multiple of 32.
pub fn quantize_row_q8(x: &[f32], out: &mut [BlockQ8]) {
    debug_assert_eq!(x.len(), out.len() * QK);
    for (xb, ob) in x.chunks_exact(QK).zip(out.iter_mut()) {
        let amax = xb.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        let d = amax / 127.0;
        // 127 / amax rather than 1 / d: llama.cpp's rounding, so the same values land on the same q.
        let id = if amax != 0.0 { 127.0 / amax } else { 0.0 };
        let mut sum = 0i32;
        for (q, &v) in ob.qs.iter_mut().zip(xb) {
            // round half to even, as llama.cpp's SIMD quantizers do
            *q = (v * id).round_ties_even() as i8;
            sum += *q as i32;
        }
        ob.d = round_f16(d);
        ob.s = round_f16(d * sum as f32);
    }
}

/// Blocks -> f32 values (the inverse of [`quantize_row_q8`], up to its rounding).
pub fn dequantize_q8(blocks: &[BlockQ8], out: &mut [f32]) {
    for (b, o) in blocks.iter().zip(out.chunks_exact_mut(QK)) {
        for (v, &q) in o.iter_mut().zip(&b.qs) {
            *v = q as f32 * b.d;
        }
    }
}

/// A row of `out.len()` elements of type `ty` (raw bytes) -> f32.
pub fn dequantize_row(ty: GgmlType, row: &[u8], out: &mut [f32]) {
    match ty {
        GgmlType::F32 => {
            for (o, c) in out.iter_mut().zip(row.chunks_exact(4)) {
                *o = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
            }
        }
        GgmlType::F16 => {
            for (o, c) in out.iter_mut().zip(row.chunks_exact(2)) {
                *o = f16_to_f32(u16::from_le_bytes([c[0], c[1]]));
            }
        }
        GgmlType::Q4_0 => {
            for (b, o) in row.chunks_exact(18).zip(out.chunks_exact_mut(QK)) {
                let d = f16_at(b, 0);
                for j in 0..16 {
                    o[j] = ((b[2 + j] & 0xf) as i32 - 8) as f32 * d;
                    o[j + 16] = ((b[2 + j] >> 4) as i32 - 8) as f32 * d;
                }
            }
        }
        GgmlType::Q4_1 => {
            for (b, o) in row.chunks_exact(20).zip(out.chunks_exact_mut(QK)) {
                let (d, m) = (f16_at(b, 0), f16_at(b, 2));
                for j in 0..16 {
                    o[j] = (b[4 + j] & 0xf) as f32 * d + m;
                    o[j + 16] = (b[4 + j] >> 4) as f32 * d + m;
                }
            }
        }
        GgmlType::Q8_0 => {
            for (b, o) in row.chunks_exact(34).zip(out.chunks_exact_mut(QK)) {
                let d = f16_at(b, 0);
                for j in 0..QK {
                    o[j] = b[2 + j] as i8 as f32 * d;
                }
            }
        }
    }
}

/// Scalar dot product of one weight row with Q8 activations (the reference for the SIMD kernels).
/// Float rows (which the model multiplies in f32) are dequantized here, so this is only for tests.
pub fn vec_dot_q8_scalar(ty: GgmlType, row: &[u8], x: &[BlockQ8]) -> f32 {
    let mut sum = 0.0f32;
    match ty {
        GgmlType::Q4_0 => {
            for (b, a) in row.chunks_exact(18).zip(x) {
                let mut isum = 0i32;
                for j in 0..16 {
                    isum += ((b[2 + j] & 0xf) as i32 - 8) * a.qs[j] as i32;
                    isum += ((b[2 + j] >> 4) as i32 - 8) * a.qs[j + 16] as i32;
                }
                sum += f16_at(b, 0) * a.d * isum as f32;
            }
        }
        GgmlType::Q4_1 => {
            for (b, a) in row.chunks_exact(20).zip(x) {
                let mut isum = 0i32;
                for j in 0..16 {
                    isum += (b[4 + j] & 0xf) as i32 * a.qs[j] as i32;
                    isum += (b[4 + j] >> 4) as i32 * a.qs[j + 16] as i32;
                }
                sum += f16_at(b, 0) * a.d * isum as f32 + f16_at(b, 2) * a.s;
            }
        }
        GgmlType::Q8_0 => {
            for (b, a) in row.chunks_exact(34).zip(x) {
                let mut isum = 0i32;
                for j in 0..QK {
                    isum += b[2 + j] as i8 as i32 * a.qs[j] as i32;
                }
                sum += f16_at(b, 0) * a.d * isum as f32;
            }
        }
        GgmlType::F32 | GgmlType::F16 => {
            let mut w = vec![0.0f32; x.len() * QK];
            let mut v = vec![0.0f32; x.len() * QK];
            dequantize_row(ty, row, &mut w);
            dequantize_q8(x, &mut v);
            sum = w.iter().zip(&v).map(|(a, b)| a * b).sum();
        }
    }
    sum
}
