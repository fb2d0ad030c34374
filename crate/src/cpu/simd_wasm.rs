//! wasm SIMD128 kernels (`core::arch::wasm32`): quantized dot-product tiles, activation quantization,
//! f32 and f16 vector helpers, the twins of `simd_x86`'s. SIMD128 is a compile-time feature in wasm
//! (a module that uses it does not load without it), so there is nothing to detect at run time.
//!
//! Every kernel here gives the scalar twin's bits: the f32 and f16 dot products sum in the lane order
//! the scalar set is written in (see `dot_f32_lanes` in cpu/mod.rs), and the tiles as below.
//!
//! Tile contract as in `simd_x86`. The integer part: weights and activations widened to i16 and
//! multiplied with `i32x4.dot_i16x8_s` (exact); Q4_0's nibbles have 8 subtracted before, so its dot is
//! exact too, not carried by an offset term. The float part repeats the scalar twin's operations in
//! its order — per block `sum += d_w * d_a * isum (+ m * s)`, with f32 lanes over tokens (or rows,
//! for one token) — so a tile's values are bit-identical to [`super::quant::vec_dot_q8_scalar`] and
//! greedy decoding picks the same tokens as the scalar kernels. wasm has no fused multiply-add in
//! plain SIMD128 and Rust never contracts, so both sides round the same products.
//!
//! # Safety
//! The `unsafe` functions take raw pointers that must cover the lengths given; [`super::Isa`] is the
//! safe entry point that checks them.
#![allow(clippy::missing_safety_doc)]

use core::arch::wasm32::*;

use super::f16::{f16_to_f32, f32_to_f16};
use super::quant::BlockQ8;

/// The f16 at p (little-endian) as f32.
#[inline(always)]
unsafe fn f16_at(p: *const u8) -> f32 {
    unsafe { f16_to_f32(u16::from_le_bytes([*p, *p.add(1)])) }
}

/// 32 signed bytes at p as four i16x8 (elements 0..8, 8..16, 16..24, 24..32).
#[inline(always)]
unsafe fn load_i8x32(p: *const u8) -> [v128; 4] {
    unsafe {
        let a = v128_load(p as *const v128);
        let b = v128_load(p.add(16) as *const v128);
        [
            i16x8_extend_low_i8x16(a),
            i16x8_extend_high_i8x16(a),
            i16x8_extend_low_i8x16(b),
            i16x8_extend_high_i8x16(b),
        ]
    }
}

/// One block's 32 weights as four i16x8 (see `load_i8x32`). K: 0 = Q4_0, 1 = Q4_1, 2 = Q8_0.
#[inline(always)]
unsafe fn load_block<const K: u8>(p: *const u8) -> [v128; 4] {
    unsafe {
        if K == 2 {
            return load_i8x32(p.add(2));
        }
        let x = v128_load(p.add(if K == 1 { 4 } else { 2 }) as *const v128);
        let mut lo = v128_and(x, u8x16_splat(0x0f));
        let mut hi = u8x16_shr(x, 4);
        if K == 0 {
            lo = i8x16_sub(lo, i8x16_splat(8));
            hi = i8x16_sub(hi, i8x16_splat(8));
        }
        [
            i16x8_extend_low_i8x16(lo),
            i16x8_extend_high_i8x16(lo),
            i16x8_extend_low_i8x16(hi),
            i16x8_extend_high_i8x16(hi),
        ]
    }
}

/// Sum of the products of 32 widened weights and activations, as four i32 partial sums.
#[inline(always)]
fn idot(w: &[v128; 4], a: &[v128; 4]) -> v128 {
    i32x4_add(
        i32x4_add(i32x4_dot_i16x8(w[0], a[0]), i32x4_dot_i16x8(w[1], a[1])),
        i32x4_add(i32x4_dot_i16x8(w[2], a[2]), i32x4_dot_i16x8(w[3], a[3])),
    )
}

/// [sum(v[0]), sum(v[1]), sum(v[2]), sum(v[3])] of four i32x4.
#[inline(always)]
fn reduce4(v: &[v128; 4]) -> v128 {
    let a01 = i32x4_add(i32x4_shuffle::<0, 4, 1, 5>(v[0], v[1]), i32x4_shuffle::<2, 6, 3, 7>(v[0], v[1]));
    let a23 = i32x4_add(i32x4_shuffle::<0, 4, 1, 5>(v[2], v[3]), i32x4_shuffle::<2, 6, 3, 7>(v[2], v[3]));
    i32x4_add(i32x4_shuffle::<0, 1, 4, 5>(a01, a23), i32x4_shuffle::<2, 3, 6, 7>(a01, a23))
}

#[inline(always)]
fn lanes(v: v128) -> [f32; 4] {
    let mut o = [0.0f32; 4];
    // SAFETY: o holds 16 bytes.
    unsafe { v128_store(o.as_mut_ptr() as *mut v128, v) };
    o
}

#[inline(always)]
fn hsum(v: v128) -> f32 {
    let s = f32x4_add(v, i32x4_shuffle::<2, 3, 0, 1>(v, v));
    f32x4_extract_lane::<0>(f32x4_add(s, i32x4_shuffle::<1, 0, 3, 2>(s, s)))
}

/// See the module doc. K: 0 = Q4_0, 1 = Q4_1, 2 = Q8_0; R <= 4, T <= 4.
#[inline]
pub unsafe fn tile<const K: u8, const R: usize, const T: usize>(
    w: *const u8,
    row_bytes: usize,
    x: *const BlockQ8,
    nb: usize,
    out: &mut [[f32; T]; R],
) {
    let bb = match K {
        0 => 18,
        1 => 20,
        _ => 34,
    };
    unsafe {
        if T == 1 {
            // One token (decoding): lanes over rows.
            let mut acc = f32x4_splat(0.0);
            for b in 0..nb {
                let a = &*x.add(b);
                let av = load_i8x32(a.qs.as_ptr() as *const u8);
                let (mut isum, mut dw, mut mw) = ([i32x4_splat(0); 4], [0.0f32; 4], [0.0f32; 4]);
                for r in 0..R {
                    let p = w.add(r * row_bytes + b * bb);
                    isum[r] = idot(&load_block::<K>(p), &av);
                    dw[r] = f16_at(p);
                    if K == 1 {
                        mw[r] = f16_at(p.add(2));
                    }
                }
                let is = f32x4_convert_i32x4(reduce4(&isum));
                let d = f32x4_mul(v128_load(dw.as_ptr() as *const v128), f32x4_splat(a.d));
                let mut term = f32x4_mul(d, is);
                if K == 1 {
                    term =
                        f32x4_add(term, f32x4_mul(v128_load(mw.as_ptr() as *const v128), f32x4_splat(a.s)));
                }
                acc = f32x4_add(acc, term);
            }
            let o = lanes(acc);
            for r in 0..R {
                out[r][0] = o[r];
            }
            return;
        }
        // Several tokens (prefill): lanes over tokens; each token's activations widened once per block.
        let mut acc = [f32x4_splat(0.0); R];
        for b in 0..nb {
            let mut av = [[i32x4_splat(0); 4]; T];
            let (mut ad, mut asum) = ([0.0f32; 4], [0.0f32; 4]);
            for t in 0..T {
                let a = &*x.add(t * nb + b);
                av[t] = load_i8x32(a.qs.as_ptr() as *const u8);
                ad[t] = a.d;
                asum[t] = a.s;
            }
            let (adv, asv) = (v128_load(ad.as_ptr() as *const v128), v128_load(asum.as_ptr() as *const v128));
            for r in 0..R {
                let p = w.add(r * row_bytes + b * bb);
                let wq = load_block::<K>(p);
                let mut isum = [i32x4_splat(0); 4];
                for t in 0..T {
                    isum[t] = idot(&wq, &av[t]);
                }
                let is = f32x4_convert_i32x4(reduce4(&isum));
                let mut term = f32x4_mul(f32x4_mul(f32x4_splat(f16_at(p)), adv), is);
                if K == 1 {
                    term = f32x4_add(term, f32x4_mul(f32x4_splat(f16_at(p.add(2))), asv));
                }
                acc[r] = f32x4_add(acc[r], term);
            }
        }
        for r in 0..R {
            let o = lanes(acc[r]);
            out[r].copy_from_slice(&o[..T]);
        }
    }
}

/// x (n,) -> Q8 blocks, bit-identical to [`super::quant::quantize_row_q8`].
#[inline]
pub fn quantize_q8(x: &[f32], out: &mut [BlockQ8]) {
    for (xb, ob) in x.chunks_exact(32).zip(out.iter_mut()) {
        // SAFETY: xb holds 32 floats, ob.qs 32 bytes.
        unsafe {
            let p = xb.as_ptr();
            let mut v = [f32x4_splat(0.0); 8];
            // pmax, not max: a NaN is skipped as f32::max skips it in the scalar twin.
            let mut m = f32x4_splat(0.0);
            for (i, vi) in v.iter_mut().enumerate() {
                *vi = v128_load(p.add(4 * i) as *const v128);
                m = f32x4_pmax(m, f32x4_abs(*vi));
            }
            let amax = lanes(m).iter().fold(0.0f32, |a, &b| a.max(b));
            let d = amax / 127.0;
            let id = f32x4_splat(if amax != 0.0 { 127.0 / amax } else { 0.0 });
            let q: [v128; 8] =
                core::array::from_fn(|i| i32x4_trunc_sat_f32x4(f32x4_nearest(f32x4_mul(v[i], id))));
            let mut s = q[0];
            for qi in &q[1..] {
                s = i32x4_add(s, *qi);
            }
            let s = i32x4_add(s, i32x4_shuffle::<2, 3, 0, 1>(s, s));
            let sum = i32x4_extract_lane::<0>(i32x4_add(s, i32x4_shuffle::<1, 0, 3, 2>(s, s)));
            let lo = i8x16_narrow_i16x8(i16x8_narrow_i32x4(q[0], q[1]), i16x8_narrow_i32x4(q[2], q[3]));
            let hi = i8x16_narrow_i16x8(i16x8_narrow_i32x4(q[4], q[5]), i16x8_narrow_i32x4(q[6], q[7]));
            v128_store(ob.qs.as_mut_ptr() as *mut v128, lo);
            v128_store(ob.qs.as_mut_ptr().add(16) as *mut v128, hi);
            ob.d = f16_to_f32(f32_to_f16(d));
            ob.s = f16_to_f32(f32_to_f16(d * sum as f32));
        }
    }
}

/// a (n,) . b (n,) in f32, in the scalar twin's order (bit-identical).
#[inline]
pub fn dot_f32(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let mut acc = [f32x4_splat(0.0); 4];
    let mut i = 0;
    // SAFETY: i + 16 <= n.
    unsafe {
        while i + 16 <= n {
            for (j, aj) in acc.iter_mut().enumerate() {
                let x = v128_load(pa.add(i + 4 * j) as *const v128);
                *aj = f32x4_add(*aj, f32x4_mul(x, v128_load(pb.add(i + 4 * j) as *const v128)));
            }
            i += 16;
        }
    }
    let mut s = hsum(f32x4_add(f32x4_add(acc[0], acc[1]), f32x4_add(acc[2], acc[3])));
    while i < n {
        s += a[i] * b[i];
        i += 1;
    }
    s
}

/// Four f16 (the low halves of u32 lanes) -> f32x4, exactly: the magnitude bits moved into an f32's
/// place and rescaled by 2^112 (which also normalises subnormals), infinities and NaNs restored, sign
/// copied. Bit-identical to [`super::f16::f16_to_f32`].
#[inline(always)]
fn f16x4_to_f32(h: v128) -> v128 {
    let mag = i32x4_shl(v128_and(h, u32x4_splat(0x7fff)), 13);
    let f = f32x4_mul(mag, f32x4_splat(f32::from_bits(0x7780_0000)));
    let inf_nan = f32x4_ge(f, f32x4_splat(65536.0));
    let f = v128_or(f, v128_and(inf_nan, u32x4_splat(0x7f80_0000)));
    v128_or(f, i32x4_shl(v128_and(h, u32x4_splat(0x8000)), 16))
}

/// Eight f16 at p -> two f32x4.
#[inline(always)]
unsafe fn load_f16x8(p: *const u16) -> [v128; 2] {
    let x = unsafe { v128_load(p as *const v128) };
    [f16x4_to_f32(u32x4_extend_low_u16x8(x)), f16x4_to_f32(u32x4_extend_high_u16x8(x))]
}

/// k (n,) f16 bits . q (n,) f32, in the scalar twin's order (bit-identical).
#[inline]
pub fn dot_f16_f32(k: &[u16], q: &[f32]) -> f32 {
    let n = k.len().min(q.len());
    let mut acc = [f32x4_splat(0.0); 2];
    let mut i = 0;
    // SAFETY: i + 8 <= n.
    unsafe {
        while i + 8 <= n {
            let kv = load_f16x8(k.as_ptr().add(i));
            for (j, aj) in acc.iter_mut().enumerate() {
                *aj = f32x4_add(*aj, f32x4_mul(kv[j], v128_load(q.as_ptr().add(i + 4 * j) as *const v128)));
            }
            i += 8;
        }
    }
    let mut s = hsum(f32x4_add(acc[0], acc[1]));
    while i < n {
        s += f16_to_f32(k[i]) * q[i];
        i += 1;
    }
    s
}

/// out (n,) += p * v (n,) with v in f16 bits; n a multiple of 8. Bit-identical to the scalar twin.
#[inline]
pub fn axpy_f16(out: &mut [f32], p: f32, v: &[u16]) {
    let n = out.len().min(v.len()) / 8 * 8;
    let pv = f32x4_splat(p);
    let mut i = 0;
    // SAFETY: i + 8 <= n.
    unsafe {
        while i < n {
            let vv = load_f16x8(v.as_ptr().add(i));
            for (j, vj) in vv.iter().enumerate() {
                let o = out.as_mut_ptr().add(i + 4 * j) as *mut v128;
                v128_store(o, f32x4_add(v128_load(o), f32x4_mul(pv, *vj)));
            }
            i += 8;
        }
    }
}

/// For G = out.len() heads of q (G, hd): out[h] = k (hd,) f16 . q[h]; hd a multiple of 8, G <= 8.
#[inline]
pub unsafe fn dot_f16_heads(k: &[u16], q: &[f32], hd: usize, out: &mut [f32]) {
    unsafe {
        let g = out.len().min(8);
        let mut acc = [[f32x4_splat(0.0); 2]; 8];
        let mut i = 0;
        while i + 8 <= hd {
            let kv = load_f16x8(k.as_ptr().add(i));
            for (h, ah) in acc.iter_mut().enumerate().take(g) {
                let qp = q.as_ptr().add(h * hd + i);
                ah[0] = f32x4_add(ah[0], f32x4_mul(kv[0], v128_load(qp as *const v128)));
                ah[1] = f32x4_add(ah[1], f32x4_mul(kv[1], v128_load(qp.add(4) as *const v128)));
            }
            i += 8;
        }
        for h in 0..g {
            out[h] = hsum(f32x4_add(acc[h][0], acc[h][1]));
        }
    }
}

/// For G = p.len() heads: out[h] (hd,) += p[h] * v (hd,) f16; hd a multiple of 8, G <= 8.
/// Bit-identical to the scalar twin.
#[inline]
pub unsafe fn axpy_f16_heads(out: &mut [f32], p: &[f32], v: &[u16], hd: usize) {
    unsafe {
        let g = p.len().min(8);
        let mut i = 0;
        while i + 8 <= hd {
            let vv = load_f16x8(v.as_ptr().add(i));
            for (h, &ph) in p.iter().enumerate().take(g) {
                let pv = f32x4_splat(ph);
                for (j, vj) in vv.iter().enumerate() {
                    let o = out.as_mut_ptr().add(h * hd + i + 4 * j) as *mut v128;
                    v128_store(o, f32x4_add(v128_load(o), f32x4_mul(pv, *vj)));
                }
            }
            i += 8;
        }
    }
}

/// Attention scores of G = `g` query heads q (g, hd) against `len` cached f16 keys starting at `k`,
/// `stride` apart: sc[h * sc_stride + j] = scale * k_j . q_h. hd a multiple of 8, g <= 8.
#[inline]
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
            let mut acc = [[f32x4_splat(0.0); 2]; 8];
            let mut i = 0;
            while i + 8 <= hd {
                let kv = load_f16x8(kp.add(i));
                for (h, ah) in acc.iter_mut().enumerate().take(g) {
                    let qp = q.add(h * hd + i);
                    ah[0] = f32x4_add(ah[0], f32x4_mul(kv[0], v128_load(qp as *const v128)));
                    ah[1] = f32x4_add(ah[1], f32x4_mul(kv[1], v128_load(qp.add(4) as *const v128)));
                }
                i += 8;
            }
            for h in 0..g {
                *sc.add(h * sc_stride + j) = hsum(f32x4_add(acc[h][0], acc[h][1])) * scale;
            }
        }
    }
}

/// out (g, hd) = sum_j p[h * p_stride + j] * v_j for `len` cached f16 values `stride` apart, summed
/// over j in order from zero, as the scalar twin does (bit-identical). hd a multiple of 8, g <= 8.
#[inline]
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
        // Columns of 8 values at a time, accumulated in registers over all positions.
        while i + 8 <= hd {
            let mut acc = [[f32x4_splat(0.0); 2]; 8];
            for j in 0..len {
                let vv = load_f16x8(v.add(j * stride + i));
                for (h, ah) in acc.iter_mut().enumerate().take(g) {
                    let ph = f32x4_splat(*p.add(h * p_stride + j));
                    ah[0] = f32x4_add(ah[0], f32x4_mul(ph, vv[0]));
                    ah[1] = f32x4_add(ah[1], f32x4_mul(ph, vv[1]));
                }
            }
            for (h, ah) in acc.iter().enumerate().take(g) {
                v128_store(out.add(h * hd + i) as *mut v128, ah[0]);
                v128_store(out.add(h * hd + i + 4) as *mut v128, ah[1]);
            }
            i += 8;
        }
    }
}
