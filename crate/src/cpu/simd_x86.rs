//! x86-64 kernels (AVX2 + FMA + F16C, optionally AVX-512 VNNI): quantized dot-product tiles, f32 and
//! f16 vector helpers. The same kernel text is compiled twice by `kernels!`, once per feature set,
//! so each copy inlines its own integer dot instruction; callers pick one at run time.
//!
//! Tile contract: W rows r0..r0+R (quantized, `row_bytes` apart) @ X tokens t0..t0+T (Q8 blocks,
//! `nb` per token) -> out[r][t] (f32). Q4_0 and Q4_1 share the unsigned kernel: nibbles (0..15) times
//! signed activations, plus an offset term m * s (Q4_0's offset is -8 * d). Q8_0 uses |w| and
//! sign(a, w) so the unsigned-by-signed instructions apply.
//!
//! # Safety
//! Every function here is `unsafe` for one reason: the CPU must have the module's features
//! ([`detect`] says so) and pointer arguments must cover the lengths given. [`super::Isa`] is the
//! safe entry point that checks both.
#![allow(clippy::missing_safety_doc)]

macro_rules! kernels {
    ($features:literal) => {
        use super::super::quant::BlockQ8;

        #[inline]
        #[target_feature(enable = $features)]
        unsafe fn hsum(v: __m256) -> f32 {
            let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
            let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
            let s = _mm_add_ss(s, _mm_movehdup_ps(s));
            _mm_cvtss_f32(s)
        }

        /// One block's weights as 32 bytes, its scale d and offset m (Q8_0: signed bytes, m = 0).
        /// K: 0 = Q4_0, 1 = Q4_1, 2 = Q8_0.
        #[inline]
        #[target_feature(enable = $features)]
        unsafe fn load_block<const K: u8>(p: *const u8) -> (__m256i, f32, f32) {
            unsafe {
                if K == 2 {
                    let dv = _mm_cvtph_ps(_mm_cvtsi32_si128((p as *const u16).read_unaligned() as i32));
                    return (_mm256_loadu_si256(p.add(2) as *const __m256i), _mm_cvtss_f32(dv), 0.0);
                }
                let qs = if K == 1 { 4 } else { 2 };
                let x = _mm_loadu_si128(p.add(qs) as *const __m128i);
                let mask = _mm_set1_epi8(0x0f);
                let lo = _mm_and_si128(x, mask);
                let hi = _mm_and_si128(_mm_srli_epi16(x, 4), mask);
                let q = _mm256_set_m128i(hi, lo);
                if K == 1 {
                    let dm = _mm_cvtph_ps(_mm_cvtsi32_si128((p as *const i32).read_unaligned()));
                    (q, _mm_cvtss_f32(dm), _mm_cvtss_f32(_mm_movehdup_ps(dm)))
                } else {
                    let dv = _mm_cvtph_ps(_mm_cvtsi32_si128((p as *const u16).read_unaligned() as i32));
                    let d = _mm_cvtss_f32(dv);
                    (q, d, -8.0 * d)
                }
            }
        }

        /// See the module doc. K: 0 = Q4_0, 1 = Q4_1, 2 = Q8_0; T <= 4.
        #[inline]
        #[target_feature(enable = $features)]
        pub unsafe fn tile<const K: u8, const R: usize, const T: usize>(
            w: *const u8,
            row_bytes: usize,
            x: *const BlockQ8,
            nb: usize,
            out: &mut [[f32; T]; R],
        ) {
            unsafe {
                let bb = match K {
                    0 => 18,
                    1 => 20,
                    _ => 34,
                };
                let mut acc = [[_mm256_setzero_ps(); T]; R];
                // m * s terms, lanes = tokens
                let mut macc = [_mm_setzero_ps(); R];
                for b in 0..nb {
                    let mut wq = [_mm256_setzero_si256(); R];
                    let mut dw = [_mm256_setzero_ps(); R];
                    let mut mw = [_mm_setzero_ps(); R];
                    for r in 0..R {
                        let (q, d, m) = load_block::<K>(w.add(r * row_bytes + b * bb));
                        wq[r] = q;
                        dw[r] = _mm256_set1_ps(d);
                        mw[r] = _mm_set1_ps(m);
                    }
                    let mut sv = [0.0f32; 4];
                    for t in 0..T {
                        let a = &*x.add(t * nb + b);
                        sv[t] = a.s;
                        let av = _mm256_loadu_si256(a.qs.as_ptr() as *const __m256i);
                        let ad = _mm256_set1_ps(a.d);
                        for r in 0..R {
                            let isum = if K == 2 {
                                idot(_mm256_abs_epi8(wq[r]), _mm256_sign_epi8(av, wq[r]))
                            } else {
                                idot(wq[r], av)
                            };
                            let scale = _mm256_mul_ps(dw[r], ad);
                            acc[r][t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), scale, acc[r][t]);
                        }
                    }
                    if K != 2 {
                        let s4 = _mm_loadu_ps(sv.as_ptr());
                        for r in 0..R {
                            macc[r] = _mm_fmadd_ps(mw[r], s4, macc[r]);
                        }
                    }
                }
                for r in 0..R {
                    let mut m = [0.0f32; 4];
                    _mm_storeu_ps(m.as_mut_ptr(), macc[r]);
                    for t in 0..T {
                        out[r][t] = hsum(acc[r][t]) + m[t];
                    }
                }
            }
        }

        /// x (n,) -> Q8 blocks, exactly as llama.cpp's AVX2 quantize_row_q8_1 (see quant.rs).
        #[inline]
        #[target_feature(enable = $features)]
        pub unsafe fn quantize_q8(x: &[f32], out: &mut [BlockQ8]) {
            unsafe {
                for (xb, ob) in x.chunks_exact(32).zip(out.iter_mut()) {
                    let p = xb.as_ptr();
                    let v = [
                        _mm256_loadu_ps(p),
                        _mm256_loadu_ps(p.add(8)),
                        _mm256_loadu_ps(p.add(16)),
                        _mm256_loadu_ps(p.add(24)),
                    ];
                    let sign = _mm256_set1_ps(-0.0);
                    let mut m = _mm256_andnot_ps(sign, v[0]);
                    for vi in &v[1..] {
                        m = _mm256_max_ps(m, _mm256_andnot_ps(sign, *vi));
                    }
                    let mut m4 = _mm_max_ps(_mm256_extractf128_ps(m, 1), _mm256_castps256_ps128(m));
                    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
                    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
                    let amax = _mm_cvtss_f32(m4);
                    let d = amax / 127.0;
                    let id = _mm256_set1_ps(if amax != 0.0 { 127.0 / amax } else { 0.0 });
                    let mut q = [_mm256_setzero_si256(); 4];
                    for i in 0..4 {
                        let r = _mm256_round_ps::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(
                            _mm256_mul_ps(v[i], id),
                        );
                        q[i] = _mm256_cvtps_epi32(r);
                    }
                    let s8 = _mm256_add_epi32(_mm256_add_epi32(q[0], q[1]), _mm256_add_epi32(q[2], q[3]));
                    let s4 = _mm_add_epi32(_mm256_castsi256_si128(s8), _mm256_extracti128_si256(s8, 1));
                    let s2 = _mm_add_epi32(s4, _mm_unpackhi_epi64(s4, s4));
                    let sum = _mm_cvtsi128_si32(_mm_add_epi32(s2, _mm_shuffle_epi32(s2, 1)));
                    let a = _mm256_packs_epi32(q[0], q[1]);
                    let b = _mm256_packs_epi32(q[2], q[3]);
                    let packed = _mm256_packs_epi16(a, b);
                    let fixed =
                        _mm256_permutevar8x32_epi32(packed, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
                    _mm256_storeu_si256(ob.qs.as_mut_ptr() as *mut __m256i, fixed);
                    let ds = _mm_cvtph_ps(_mm_cvtps_ph::<_MM_FROUND_TO_NEAREST_INT>(_mm_setr_ps(
                        d,
                        d * sum as f32,
                        0.0,
                        0.0,
                    )));
                    ob.d = _mm_cvtss_f32(ds);
                    ob.s = _mm_cvtss_f32(_mm_movehdup_ps(ds));
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

        /// For G = out.len() heads of q (G, hd): out[h] = k (hd,) f16 . q[h]; hd a multiple of 8, G <= 8.
        /// Each slice of k is converted once and used by every head of the group.
        #[inline]
        #[target_feature(enable = $features)]
        pub unsafe fn dot_f16_heads(k: &[u16], q: &[f32], hd: usize, out: &mut [f32]) {
            unsafe {
                let g = out.len().min(8);
                let mut acc = [_mm256_setzero_ps(); 8];
                let mut i = 0;
                while i + 8 <= hd {
                    let kv = _mm256_cvtph_ps(_mm_loadu_si128(k.as_ptr().add(i) as *const __m128i));
                    for h in 0..g {
                        acc[h] = _mm256_fmadd_ps(kv, _mm256_loadu_ps(q.as_ptr().add(h * hd + i)), acc[h]);
                    }
                    i += 8;
                }
                for h in 0..g {
                    out[h] = hsum(acc[h]);
                }
            }
        }

        /// For G = p.len() heads: out[h] (hd,) += p[h] * v (hd,) f16; hd a multiple of 8, G <= 8.
        #[inline]
        #[target_feature(enable = $features)]
        pub unsafe fn axpy_f16_heads(out: &mut [f32], p: &[f32], v: &[u16], hd: usize) {
            unsafe {
                let g = p.len().min(8);
                let mut pv = [_mm256_setzero_ps(); 8];
                for h in 0..g {
                    pv[h] = _mm256_set1_ps(p[h]);
                }
                let mut i = 0;
                while i + 8 <= hd {
                    let vv = _mm256_cvtph_ps(_mm_loadu_si128(v.as_ptr().add(i) as *const __m128i));
                    for h in 0..g {
                        let o = out.as_mut_ptr().add(h * hd + i);
                        _mm256_storeu_ps(o, _mm256_fmadd_ps(vv, pv[h], _mm256_loadu_ps(o)));
                    }
                    i += 8;
                }
            }
        }

        /// Attention scores of G = `g` query heads q (g, hd) against `len` cached f16 keys starting at
        /// `k`, `stride` apart: sc[h * sc_stride + j] = scale * k_j . q_h. hd a multiple of 8, g <= 8.
        #[inline]
        #[target_feature(enable = $features)]
        #[allow(clippy::too_many_arguments)]
        pub unsafe fn attn_scores(
            k: *const u16,
            stride: usize,
            len: usize,
            q: *const f32,
            hd: usize,
            g: usize,
            scale: f32,
            sc: *mut f32,
            sc_stride: usize,
        ) {
            unsafe {
                for j in 0..len {
                    let kp = k.add(j * stride);
                    let mut acc = [_mm256_setzero_ps(); 8];
                    let mut i = 0;
                    while i + 8 <= hd {
                        let kv = _mm256_cvtph_ps(_mm_loadu_si128(kp.add(i) as *const __m128i));
                        for h in 0..g {
                            acc[h] = _mm256_fmadd_ps(kv, _mm256_loadu_ps(q.add(h * hd + i)), acc[h]);
                        }
                        i += 8;
                    }
                    for h in 0..g {
                        *sc.add(h * sc_stride + j) = hsum(acc[h]) * scale;
                    }
                }
            }
        }

        /// out (g, hd) = sum_j p[h * p_stride + j] * v_j for `len` cached f16 values `stride` apart.
        #[inline]
        #[target_feature(enable = $features)]
        #[allow(clippy::too_many_arguments)]
        pub unsafe fn attn_values(
            v: *const u16,
            stride: usize,
            len: usize,
            p: *const f32,
            p_stride: usize,
            hd: usize,
            g: usize,
            out: *mut f32,
        ) {
            unsafe {
                let mut i = 0;
                // Columns of 16 values at a time, accumulated in registers over all positions.
                while i + 16 <= hd {
                    let mut acc = [[_mm256_setzero_ps(); 2]; 8];
                    for j in 0..len {
                        let vp = v.add(j * stride + i);
                        let v0 = _mm256_cvtph_ps(_mm_loadu_si128(vp as *const __m128i));
                        let v1 = _mm256_cvtph_ps(_mm_loadu_si128(vp.add(8) as *const __m128i));
                        for h in 0..g {
                            let ph = _mm256_set1_ps(*p.add(h * p_stride + j));
                            acc[h][0] = _mm256_fmadd_ps(v0, ph, acc[h][0]);
                            acc[h][1] = _mm256_fmadd_ps(v1, ph, acc[h][1]);
                        }
                    }
                    for h in 0..g {
                        _mm256_storeu_ps(out.add(h * hd + i), acc[h][0]);
                        _mm256_storeu_ps(out.add(h * hd + i + 8), acc[h][1]);
                    }
                    i += 16;
                }
                while i + 8 <= hd {
                    let mut acc = [_mm256_setzero_ps(); 8];
                    for j in 0..len {
                        let v0 = _mm256_cvtph_ps(_mm_loadu_si128(v.add(j * stride + i) as *const __m128i));
                        for h in 0..g {
                            acc[h] = _mm256_fmadd_ps(v0, _mm256_set1_ps(*p.add(h * p_stride + j)), acc[h]);
                        }
                    }
                    for h in 0..g {
                        _mm256_storeu_ps(out.add(h * hd + i), acc[h]);
                    }
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
