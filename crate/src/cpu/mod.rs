//! Reference kernels in plain Rust: the CPU backend, and the twin of every GPU kernel.
//!
//! - [`quant`]: block formats, dequantization, activation quantization, scalar dot products.
//! - [`matmul`]: quantized weight matrix @ activations, split over a [`pool::Pool`].
//! - [`ops`]: RMSNorm, RoPE, softmax, SiLU.
//! - [`sparse`]: block-sparse attention (key-block summaries, block selection, sparse attention).
//! - [`f16`]: half-float conversion.
//! - [`check`]: a kernel set against the scalar twin on random inputs (also run in the browser).
//!
//! [`Isa`] picks the fastest kernel set this CPU runs (AVX-512 VNNI, AVX2, or scalar) at run time;
//! in wasm the set is fixed at build time (SIMD128 when built with it, see scripts/build-web.sh).
//! Every set computes the same values up to float summation order; the scalar set sums in the order
//! of a 4-lane vector loop, and SIMD128 (no fused multiply-add) repeats it, so those two give the
//! same bits and the same greedy tokens.

pub mod check;
pub mod f16;
pub mod matmul;
pub mod ops;
pub mod pool;
pub mod quant;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod simd_wasm;
#[cfg(target_arch = "x86_64")]
pub mod simd_x86;
pub mod sparse;

use quant::{BlockQ8, GgmlType};

/// A kernel set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    Scalar,
    /// x86-64 AVX2 + FMA + F16C.
    Avx2,
    /// Avx2 plus AVX-512 VNNI (vpdpbusd) on 256-bit vectors.
    Vnni,
    /// wasm SIMD128 (`simd_wasm`), in builds with `-C target-feature=+simd128`.
    Simd128,
}

impl Isa {
    /// The best kernel set for this CPU.
    pub fn detect() -> Isa {
        #[cfg(target_arch = "x86_64")]
        {
            match simd_x86::detect() {
                Some(simd_x86::X86Level::Vnni) => return Isa::Vnni,
                Some(simd_x86::X86Level::Avx2) => return Isa::Avx2,
                None => {}
            }
        }
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        return Isa::Simd128;
        #[allow(unreachable_code)]
        Isa::Scalar
    }

    /// Every kernel set this CPU can run (for tests that compare them).
    pub fn available() -> Vec<Isa> {
        match Isa::detect() {
            Isa::Vnni => vec![Isa::Scalar, Isa::Avx2, Isa::Vnni],
            Isa::Avx2 => vec![Isa::Scalar, Isa::Avx2],
            Isa::Simd128 => vec![Isa::Scalar, Isa::Simd128],
            Isa::Scalar => vec![Isa::Scalar],
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Isa::Scalar => "scalar",
            Isa::Avx2 => "avx2",
            Isa::Vnni => "avx512-vnni",
            Isa::Simd128 => "simd128",
        }
    }

    /// The kernel set called `name` (as [`Isa::name`] writes it), if this CPU runs it.
    pub fn by_name(name: &str) -> Option<Isa> {
        Isa::available().into_iter().find(|i| i.name() == name)
    }

    /// a (n,) . b (n,)
    #[inline]
    pub fn dot_f32(self, a: &[f32], b: &[f32]) -> f32 {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        if self == Isa::Simd128 {
            return simd_wasm::dot_f32(a, b);
        }
        #[cfg(target_arch = "x86_64")]
        // SAFETY: Avx2/Vnni are only produced by detect() on CPUs that have those features.
        unsafe {
            match self {
                Isa::Vnni => return simd_x86::vnni::dot_f32(a, b),
                Isa::Avx2 => return simd_x86::avx2::dot_f32(a, b),
                _ => {}
            }
        }
        dot_f32_lanes(a, b)
    }

    /// k (n,) as f16 bits . q (n,); n a multiple of 8.
    #[inline]
    pub fn dot_f16_f32(self, k: &[u16], q: &[f32]) -> f32 {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        if self == Isa::Simd128 {
            return simd_wasm::dot_f16_f32(k, q);
        }
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as in dot_f32.
        unsafe {
            match self {
                Isa::Vnni => return simd_x86::vnni::dot_f16_f32(k, q),
                Isa::Avx2 => return simd_x86::avx2::dot_f16_f32(k, q),
                _ => {}
            }
        }
        dot_f16_lanes(k, q)
    }

    /// out (n,) += p * v (n,) with v as f16 bits; n a multiple of 8.
    #[inline]
    pub fn axpy_f16(self, out: &mut [f32], p: f32, v: &[u16]) {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        if self == Isa::Simd128 {
            return simd_wasm::axpy_f16(out, p, v);
        }
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as in dot_f32.
        unsafe {
            match self {
                Isa::Vnni => return simd_x86::vnni::axpy_f16(out, p, v),
                Isa::Avx2 => return simd_x86::avx2::axpy_f16(out, p, v),
                _ => {}
            }
        }
        for (o, &h) in out.iter_mut().zip(v) {
            *o += p * f16::f16_to_f32(h);
        }
    }

    /// For the G = out.len() query heads sharing one KV head: out[h] = k (hd,) f16 . q[h] (q is (G, hd)).
    #[inline]
    pub fn dot_f16_heads(self, k: &[u16], q: &[f32], hd: usize, out: &mut [f32]) {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        if self == Isa::Simd128
            && out.len() <= 8
            && hd.is_multiple_of(8)
            && k.len() >= hd
            && q.len() >= out.len() * hd
        {
            // SAFETY: the lengths the kernel reads are checked just above.
            return unsafe { simd_wasm::dot_f16_heads(k, q, hd, out) };
        }
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as in dot_f32; the kernels handle G <= 8 heads, hd a multiple of 8.
        unsafe {
            // The kernels read k[..hd] and q[..G * hd] unchecked: only slices that hold them.
            if out.len() <= 8 && hd.is_multiple_of(8) && k.len() >= hd && q.len() >= out.len() * hd {
                match self {
                    Isa::Vnni => return simd_x86::vnni::dot_f16_heads(k, q, hd, out),
                    Isa::Avx2 => return simd_x86::avx2::dot_f16_heads(k, q, hd, out),
                    _ => {}
                }
            }
        }
        for (h, o) in out.iter_mut().enumerate() {
            *o = dot_f16_lanes(&k[..hd], &q[h * hd..(h + 1) * hd]);
        }
    }

    /// For G = p.len() heads: out[h] (hd,) += p[h] * v (hd,) f16 (out is (G, hd)).
    #[inline]
    pub fn axpy_f16_heads(self, out: &mut [f32], p: &[f32], v: &[u16], hd: usize) {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        if self == Isa::Simd128
            && p.len() <= 8
            && hd.is_multiple_of(8)
            && v.len() >= hd
            && out.len() >= p.len() * hd
        {
            // SAFETY: the lengths the kernel touches are checked just above.
            return unsafe { simd_wasm::axpy_f16_heads(out, p, v, hd) };
        }
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as in dot_f16_heads.
        unsafe {
            // The kernels touch out[..G * hd] and v[..hd] unchecked: only slices that hold them.
            if p.len() <= 8 && hd.is_multiple_of(8) && v.len() >= hd && out.len() >= p.len() * hd {
                match self {
                    Isa::Vnni => return simd_x86::vnni::axpy_f16_heads(out, p, v, hd),
                    Isa::Avx2 => return simd_x86::avx2::axpy_f16_heads(out, p, v, hd),
                    _ => {}
                }
            }
        }
        for (h, &ph) in p.iter().enumerate() {
            for (o, &x) in out[h * hd..(h + 1) * hd].iter_mut().zip(&v[..hd]) {
                *o += ph * f16::f16_to_f32(x);
            }
        }
    }

    /// Attention for the `g` query heads q (g, hd) that share one KV head, over `len` cached positions:
    /// keys and values are f16 rows `stride` apart starting at element 0 of `k` / `v`.
    /// `sc` (g, sc_stride) receives the probabilities; out (g, hd) the weighted sum of values.
    #[allow(clippy::too_many_arguments)]
    pub fn attend_group(
        self,
        k: &[u16],
        v: &[u16],
        stride: usize,
        len: usize,
        q: &[f32],
        hd: usize,
        g: usize,
        sc: &mut [f32],
        sc_stride: usize,
        out: &mut [f32],
    ) {
        let scale = 1.0 / (hd as f32).sqrt();
        assert!(len >= 1 && k.len() >= (len - 1) * stride + hd && v.len() >= (len - 1) * stride + hd);
        assert!(
            q.len() >= g * hd
                && out.len() >= g * hd
                && sc_stride >= len
                && sc.len() >= (g - 1) * sc_stride + len
        );
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        if g <= 8 && hd.is_multiple_of(8) && self == Isa::Simd128 {
            // SAFETY: bounds asserted above.
            unsafe {
                let (kp, vp, qp, sp) = (k.as_ptr(), v.as_ptr(), q.as_ptr(), sc.as_mut_ptr());
                simd_wasm::attn_scores(kp, stride, len, qp, hd, g, scale, sp, sc_stride);
                for h in 0..g {
                    ops::softmax(&mut sc[h * sc_stride..h * sc_stride + len]);
                }
                simd_wasm::attn_values(vp, stride, len, sc.as_ptr(), sc_stride, hd, g, out.as_mut_ptr());
                return;
            }
        }
        #[cfg(target_arch = "x86_64")]
        if g <= 8 && hd.is_multiple_of(8) && matches!(self, Isa::Avx2 | Isa::Vnni) {
            // SAFETY: features as in dot_f32; bounds asserted above.
            unsafe {
                let (kp, vp, qp, sp) = (k.as_ptr(), v.as_ptr(), q.as_ptr(), sc.as_mut_ptr());
                if self == Isa::Vnni {
                    simd_x86::vnni::attn_scores(kp, stride, len, qp, hd, g, scale, sp, sc_stride);
                } else {
                    simd_x86::avx2::attn_scores(kp, stride, len, qp, hd, g, scale, sp, sc_stride);
                }
                for h in 0..g {
                    ops::softmax(&mut sc[h * sc_stride..h * sc_stride + len]);
                }
                let sp = sc.as_ptr();
                if self == Isa::Vnni {
                    simd_x86::vnni::attn_values(vp, stride, len, sp, sc_stride, hd, g, out.as_mut_ptr());
                } else {
                    simd_x86::avx2::attn_values(vp, stride, len, sp, sc_stride, hd, g, out.as_mut_ptr());
                }
                return;
            }
        }
        for h in 0..g {
            let qh = &q[h * hd..(h + 1) * hd];
            let row = &mut sc[h * sc_stride..h * sc_stride + len];
            for (j, s) in row.iter_mut().enumerate() {
                *s = self.dot_f16_f32(&k[j * stride..j * stride + hd], qh) * scale;
            }
            ops::softmax(row);
            let o = &mut out[h * hd..(h + 1) * hd];
            o.fill(0.0);
            for (j, &p) in row.iter().enumerate() {
                self.axpy_f16(o, p, &v[j * stride..j * stride + hd]);
            }
        }
    }

    /// x (n,) -> f16 bits; n a multiple of 8.
    #[inline]
    pub fn to_f16(self, x: &[f32], out: &mut [u16]) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as in dot_f32.
        unsafe {
            match self {
                Isa::Vnni => return simd_x86::vnni::to_f16(x, out),
                Isa::Avx2 => return simd_x86::avx2::to_f16(x, out),
                _ => {}
            }
        }
        for (o, &v) in out.iter_mut().zip(x) {
            *o = f16::f32_to_f16(v);
        }
    }

    /// W rows [0, R) of `w` (each `row_bytes` long, `nb` blocks) @ tokens [0, T) of `x` (each `nb`
    /// blocks) -> out[r][t]. `ty` is Q4_0, Q4_1 or Q8_0; R <= 4, T <= 4.
    ///
    /// # Safety
    /// `w` must hold R rows of `row_bytes` and `x` must hold T * nb blocks.
    #[inline]
    pub unsafe fn tile<const R: usize, const T: usize>(
        self,
        ty: GgmlType,
        w: &[u8],
        row_bytes: usize,
        x: &[BlockQ8],
        nb: usize,
        out: &mut [[f32; T]; R],
    ) {
        debug_assert!(w.len() >= (R - 1) * row_bytes + nb * ty.block_bytes());
        debug_assert!(x.len() >= T * nb && T <= 4);
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        // SAFETY: bounds checked by the caller (asserted above in debug).
        unsafe {
            let (w, x) = (w.as_ptr(), x.as_ptr());
            match (self, ty) {
                (Isa::Simd128, GgmlType::Q4_1) => {
                    return simd_wasm::tile::<1, R, T>(w, row_bytes, x, nb, out);
                }
                (Isa::Simd128, GgmlType::Q8_0) => {
                    return simd_wasm::tile::<2, R, T>(w, row_bytes, x, nb, out);
                }
                (Isa::Simd128, GgmlType::Q4_0) => {
                    return simd_wasm::tile::<0, R, T>(w, row_bytes, x, nb, out);
                }
                _ => {}
            }
        }
        #[cfg(target_arch = "x86_64")]
        // SAFETY: features as in dot_f32; bounds checked by the caller (asserted above in debug).
        unsafe {
            use simd_x86::{avx2, vnni};
            let (w, x) = (w.as_ptr(), x.as_ptr());
            match (self, ty) {
                (Isa::Vnni, GgmlType::Q4_1) => return vnni::tile::<1, R, T>(w, row_bytes, x, nb, out),
                (Isa::Vnni, GgmlType::Q8_0) => return vnni::tile::<2, R, T>(w, row_bytes, x, nb, out),
                (Isa::Vnni, GgmlType::Q4_0) => return vnni::tile::<0, R, T>(w, row_bytes, x, nb, out),
                (Isa::Avx2, GgmlType::Q4_1) => return avx2::tile::<1, R, T>(w, row_bytes, x, nb, out),
                (Isa::Avx2, GgmlType::Q8_0) => return avx2::tile::<2, R, T>(w, row_bytes, x, nb, out),
                (Isa::Avx2, GgmlType::Q4_0) => return avx2::tile::<0, R, T>(w, row_bytes, x, nb, out),
                _ => {}
            }
        }
        for (r, o) in out.iter_mut().enumerate() {
            let row = &w[r * row_bytes..r * row_bytes + nb * ty.block_bytes()];
            for (t, v) in o.iter_mut().enumerate() {
                *v = quant::vec_dot_q8_scalar(ty, row, &x[t * nb..(t + 1) * nb]);
            }
        }
    }

    /// x (n,) -> Q8 blocks (n / 32,), as [`quant::quantize_row_q8`].
    #[inline]
    pub fn quantize_q8(self, x: &[f32], out: &mut [BlockQ8]) {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        if self == Isa::Simd128 {
            return simd_wasm::quantize_q8(x, out);
        }
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as in dot_f32.
        unsafe {
            match self {
                Isa::Vnni => return simd_x86::vnni::quantize_q8(x, out),
                Isa::Avx2 => return simd_x86::avx2::quantize_q8(x, out),
                _ => {}
            }
        }
        quant::quantize_row_q8(x, out);
    }
}

/// The scalar f32 dot product in the order of a 16-lane vector loop: lane l sums elements i = l mod 16
/// of each whole 16-element block, lanes combine as four 4-lane vectors, pairwise; the tail is added
/// last, in order. SIMD128 sums in exactly this order, so the two give the same bits.
fn dot_f32_lanes(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let mut p = [0.0f32; 16];
    let mut i = 0;
    while i + 16 <= n {
        for (l, pl) in p.iter_mut().enumerate() {
            *pl += a[i + l] * b[i + l];
        }
        i += 16;
    }
    let v: [f32; 4] = std::array::from_fn(|m| (p[m] + p[4 + m]) + (p[8 + m] + p[12 + m]));
    let mut s = (v[0] + v[2]) + (v[1] + v[3]);
    while i < n {
        s += a[i] * b[i];
        i += 1;
    }
    s
}

/// k (f16 bits) . q in the order of an 8-lane vector loop (see [`dot_f32_lanes`]): lane l sums
/// elements i = l mod 8, lanes combine as two 4-lane vectors, then pairwise; the tail last, in order.
fn dot_f16_lanes(k: &[u16], q: &[f32]) -> f32 {
    let n = k.len().min(q.len());
    let mut p = [0.0f32; 8];
    let mut i = 0;
    while i + 8 <= n {
        for (l, pl) in p.iter_mut().enumerate() {
            *pl += f16::f16_to_f32(k[i + l]) * q[i + l];
        }
        i += 8;
    }
    let v: [f32; 4] = std::array::from_fn(|m| p[m] + p[4 + m]);
    let mut s = (v[0] + v[2]) + (v[1] + v[3]);
    while i < n {
        s += f16::f16_to_f32(k[i]) * q[i];
        i += 1;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Short slices never reach the unchecked kernels: the checked path panics (a bug report),
    /// it does not read or write out of bounds.
    #[test]
    fn head_helpers_refuse_short_slices_on_every_isa() {
        for isa in [Isa::detect(), Isa::Scalar] {
            let (hd, g) = (16, 2);
            let k = vec![0x3c00u16; hd - 8];
            let q = vec![1.0f32; g * hd];
            let mut out = vec![0.0f32; g];
            let short_k = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                isa.dot_f16_heads(&k, &q, hd, &mut out);
            }));
            assert!(short_k.is_err(), "{isa:?}: a short key row must not be read past its end");
            let mut short_out = vec![0.0f32; hd];
            let v = vec![0x3c00u16; hd];
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                isa.axpy_f16_heads(&mut short_out, &[1.0, 1.0], &v, hd);
            }));
            assert!(r.is_err(), "{isa:?}: a short output must not be written past its end");
            // Right sizes: the sum of f16 ones.
            let k = vec![0x3c00u16; hd];
            isa.dot_f16_heads(&k, &q, hd, &mut out);
            assert_eq!(out, vec![hd as f32; g]);
        }
    }
}
