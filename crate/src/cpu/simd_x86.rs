//! x86-64 kernels (AVX2 + FMA + F16C, optionally AVX-512 VNNI): quantized dot-product tiles, f32 and
//! f16 vector helpers. The same kernel text is compiled twice by `kernels!`, once per feature set,
//! so each copy inlines its own integer dot instruction; callers pick one at run time.
//!
//! Tile contract: W rows r0..r0+R (quantized, `row_bytes` apart) @ X tokens t0..t0+T (Q8 blocks,
//! `nb` per token) -> out[r][t] (f32). Q4_0 and Q4_1 share the unsigned kernel: nibbles (0..15) times
//! signed activations, plus an offset term m * s (Q4_0's offset is -8 * d). Q8_0 uses |w| and
//! sign(a, w) so the unsigned-by-signed instructions apply.

macro_rules! kernels {
    ($features:literal) => {
        use super::super::quant::{BlockQ8, GgmlType};

        #[inline]
        #[target_feature(enable = $features)]
        unsafe fn hsum(v: __m256) -> f32 {
            let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
            let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
            let s = _mm_add_ss(s, _mm_movehdup_ps(s));
            _mm_cvtss_f32(s)
        }

        /// One block's weights as 32 bytes, its scale d and offset m (Q8_0: signed bytes, m = 0).
        #[inline]
        #[target_feature(enable = $features)]
        unsafe fn load_block(ty: GgmlType, p: *const u8) -> (__m256i, f32, f32) {
            unsafe {
                match ty {
                    GgmlType::Q4_1 => {
                        let dm = _mm_cvtph_ps(_mm_cvtsi32_si128((p as *const i32).read_unaligned()));
                        let x = _mm_loadu_si128(p.add(4) as *const __m128i);
                        let mask = _mm_set1_epi8(0x0f);
                        let lo = _mm_and_si128(x, mask);
                        let hi = _mm_and_si128(_mm_srli_epi16(x, 4), mask);
                        let d = _mm_cvtss_f32(dm);
                        let m = _mm_cvtss_f32(_mm_movehdup_ps(dm));
                        (_mm256_set_m128i(hi, lo), d, m)
                    }
                    GgmlType::Q4_0 => {
                        let dv = _mm_cvtph_ps(_mm_cvtsi32_si128((p as *const u16).read_unaligned() as i32));
                        let x = _mm_loadu_si128(p.add(2) as *const __m128i);
                        let mask = _mm_set1_epi8(0x0f);
                        let lo = _mm_and_si128(x, mask);
                        let hi = _mm_and_si128(_mm_srli_epi16(x, 4), mask);
                        let d = _mm_cvtss_f32(dv);
                        (_mm256_set_m128i(hi, lo), d, -8.0 * d)
                    }
                    _ => {
                        let dv = _mm_cvtph_ps(_mm_cvtsi32_si128((p as *const u16).read_unaligned() as i32));
                        (_mm256_loadu_si256(p.add(2) as *const __m256i), _mm_cvtss_f32(dv), 0.0)
                    }
                }
            }
        }

        /// See the module doc. `ty` must be Q4_0, Q4_1 or Q8_0.
        #[inline]
        #[target_feature(enable = $features)]
        pub unsafe fn tile<const R: usize, const T: usize>(
            ty: GgmlType,
            w: *const u8,
            row_bytes: usize,
            x: *const BlockQ8,
            nb: usize,
            out: &mut [[f32; T]; R],
        ) {
            unsafe {
                let bb = ty.block_bytes();
                let signed = ty == GgmlType::Q8_0;
                let mut acc = [[_mm256_setzero_ps(); T]; R];
                let mut macc = [[0.0f32; T]; R];
                for b in 0..nb {
                    let mut wq = [_mm256_setzero_si256(); R];
                    let mut dw = [0.0f32; R];
                    let mut mw = [0.0f32; R];
                    for r in 0..R {
                        let (q, d, m) = load_block(ty, w.add(r * row_bytes + b * bb));
                        wq[r] = q;
                        dw[r] = d;
                        mw[r] = m;
                    }
                    for t in 0..T {
                        let a = &*x.add(t * nb + b);
                        let av = _mm256_loadu_si256(a.qs.as_ptr() as *const __m256i);
                        for r in 0..R {
                            let isum = if signed {
                                idot(_mm256_abs_epi8(wq[r]), _mm256_sign_epi8(av, wq[r]))
                            } else {
                                idot(wq[r], av)
                            };
                            let scale = _mm256_set1_ps(dw[r] * a.d);
                            acc[r][t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), scale, acc[r][t]);
                            macc[r][t] += mw[r] * a.s;
                        }
                    }
                }
                for r in 0..R {
                    for t in 0..T {
                        out[r][t] = hsum(acc[r][t]) + macc[r][t];
                    }
                }
            }
        }

        /// a (n,) . b (n,) in f32.
        #[inline]
        #[target_feature(enable = $features)]
        pub unsafe fn dot_f32(a: &[f32], b: &[f32]) -> f32 {
            unsafe {
                let n = a.len().min(b.len());
                let (pa, pb) = (a.as_ptr(), b.as_ptr());
                let mut acc0 = _mm256_setzero_ps();
                let mut acc1 = _mm256_setzero_ps();
                let mut i = 0;
                while i + 16 <= n {
                    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i)), acc0);
                    acc1 =
                        _mm256_fmadd_ps(_mm256_loadu_ps(pa.add(i + 8)), _mm256_loadu_ps(pb.add(i + 8)), acc1);
                    i += 16;
                }
                let mut s = hsum(_mm256_add_ps(acc0, acc1));
                while i < n {
                    s += a[i] * b[i];
                    i += 1;
                }
                s
            }
        }

        /// k (n,) f16 bits . q (n,) f32; n a multiple of 8.
        #[inline]
        #[target_feature(enable = $features)]
        pub unsafe fn dot_f16_f32(k: &[u16], q: &[f32]) -> f32 {
            unsafe {
                let n = k.len().min(q.len()) / 8 * 8;
                let mut acc = _mm256_setzero_ps();
                let mut i = 0;
                while i < n {
                    let kv = _mm256_cvtph_ps(_mm_loadu_si128(k.as_ptr().add(i) as *const __m128i));
                    acc = _mm256_fmadd_ps(kv, _mm256_loadu_ps(q.as_ptr().add(i)), acc);
                    i += 8;
                }
                hsum(acc)
            }
        }

        /// out (n,) += p * v (n,) with v in f16 bits; n a multiple of 8.
        #[inline]
        #[target_feature(enable = $features)]
        pub unsafe fn axpy_f16(out: &mut [f32], p: f32, v: &[u16]) {
            unsafe {
                let n = out.len().min(v.len()) / 8 * 8;
                let pv = _mm256_set1_ps(p);
                let mut i = 0;
                while i < n {
                    let vv = _mm256_cvtph_ps(_mm_loadu_si128(v.as_ptr().add(i) as *const __m128i));
                    let o = out.as_mut_ptr().add(i);
                    _mm256_storeu_ps(o, _mm256_fmadd_ps(vv, pv, _mm256_loadu_ps(o)));
                    i += 8;
                }
            }
        }

        /// x (n,) f32 -> f16 bits; n a multiple of 8.
        #[inline]
        #[target_feature(enable = $features)]
        pub unsafe fn to_f16(x: &[f32], out: &mut [u16]) {
            unsafe {
                let n = x.len().min(out.len()) / 8 * 8;
                let mut i = 0;
                while i < n {
                    let h = _mm256_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(_mm256_loadu_ps(x.as_ptr().add(i)));
                    _mm_storeu_si128(out.as_mut_ptr().add(i) as *mut __m128i, h);
                    i += 8;
                }
            }
        }
    };
}

/// AVX2 + FMA + F16C: integer dots via maddubs (u8 x i8 -> i16 pairs, no overflow for these ranges).
pub mod avx2 {
    use std::arch::x86_64::*;
    #[inline]
    #[target_feature(enable = "avx2,fma,f16c")]
    unsafe fn idot(u: __m256i, s: __m256i) -> __m256i {
        _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1))
    }
    kernels!("avx2,fma,f16c");
}

/// AVX2 + AVX-512 VNNI on 256-bit vectors: one vpdpbusd per block.
pub mod vnni {
    use std::arch::x86_64::*;
    #[inline]
    #[target_feature(enable = "avx2,fma,f16c,avx512f,avx512vl,avx512vnni")]
    unsafe fn idot(u: __m256i, s: __m256i) -> __m256i {
        _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, s)
    }
    kernels!("avx2,fma,f16c,avx512f,avx512vl,avx512vnni");
}

/// Which x86 kernel set this CPU runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum X86Level {
    Avx2,
    Vnni,
}

pub fn detect() -> Option<X86Level> {
    let avx2 = is_x86_feature_detected!("avx2")
        && is_x86_feature_detected!("fma")
        && is_x86_feature_detected!("f16c");
    if !avx2 {
        return None;
    }
    let vnni = is_x86_feature_detected!("avx512f")
        && is_x86_feature_detected!("avx512vl")
        && is_x86_feature_detected!("avx512vnni");
    Some(if vnni { X86Level::Vnni } else { X86Level::Avx2 })
}
