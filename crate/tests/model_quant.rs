//! Every quantized dot product (each kernel set this CPU runs) against a plain f32
//! dequantize-then-multiply reference, on random blocks and random activations.

use tome::cpu::Isa;
use tome::cpu::check::{Rng, random_row};
use tome::cpu::f16::f32_to_f16;
use tome::cpu::quant::{BlockQ8, GgmlType, QK, dequantize_q8, dequantize_row, quantize_row_q8};

fn check(ty: GgmlType) {
    let mut rng = Rng::new(ty.block_bytes() as u32);
    for &(rows, tokens, nb) in &[(1, 1, 1), (4, 1, 18), (7, 5, 18), (4, 9, 48), (5, 4, 3)] {
        let n = nb * QK;
        let w: Vec<u8> = (0..rows).flat_map(|_| random_row(ty, nb, &mut rng)).collect();
        let x: Vec<f32> = (0..tokens * n).map(|_| rng.f() * 3.0).collect();
        let mut xq = vec![BlockQ8::default(); tokens * nb];
        for t in 0..tokens {
            quantize_row_q8(&x[t * n..(t + 1) * n], &mut xq[t * nb..(t + 1) * nb]);
        }
        // Plain f32 reference: dequantize both sides, multiply in f64.
        let rb = ty.row_bytes(n).unwrap();
        let mut wf = vec![0.0f32; rows * n];
        for r in 0..rows {
            dequantize_row(ty, &w[r * rb..(r + 1) * rb], &mut wf[r * n..(r + 1) * n]);
        }
        let mut xf = vec![0.0f32; tokens * n];
        dequantize_q8(&xq, &mut xf);
        for isa in Isa::available() {
            for r in 0..rows {
                for t in 0..tokens {
                    let wr = &wf[r * n..(r + 1) * n];
                    let want: f64 =
                        wr.iter().zip(&xf[t * n..(t + 1) * n]).map(|(a, b)| *a as f64 * *b as f64).sum();
                    let scale: f64 =
                        wr.iter().zip(&xf[t * n..]).map(|(a, b)| (*a as f64 * *b as f64).abs()).sum();
                    let mut got = [[0.0f32; 1]; 1];
                    // SAFETY: one row of rb bytes and one token of nb blocks.
                    unsafe { isa.tile::<1, 1>(ty, &w[r * rb..], rb, &xq[t * nb..], nb, &mut got) };
                    // Q8_1's s = d * sum(q) is stored as f16 (as in llama.cpp): budget for its rounding.
                    let s_budget: f64 = (0..nb)
                        .map(|b| {
                            let blk = &w[r * rb + b * ty.block_bytes()..];
                            let d = tome::cpu::f16::f16_to_f32(u16::from_le_bytes([blk[0], blk[1]])) as f64;
                            let m = match ty {
                                GgmlType::Q4_1 => {
                                    tome::cpu::f16::f16_to_f32(u16::from_le_bytes([blk[2], blk[3]])) as f64
                                }
                                GgmlType::Q4_0 => -8.0 * d,
                                _ => 0.0,
                            };
                            (m * xq[t * nb + b].s as f64).abs() / 1024.0
                        })
                        .sum();
                    let mut scalar = [[0.0f32; 1]; 1];
                    unsafe { Isa::Scalar.tile::<1, 1>(ty, &w[r * rb..], rb, &xq[t * nb..], nb, &mut scalar) };
                    let err = (got[0][0] as f64 - want).abs();
                    assert!(
                        err <= 1e-5 * scale + s_budget + 1e-6,
                        "{ty:?} {isa:?} r{r} t{t}: {} vs {want}",
                        got[0][0]
                    );
                    assert!(
                        (got[0][0] - scalar[0][0]).abs() as f64 <= 1e-5 * scale + s_budget + 1e-6,
                        "{ty:?} {isa:?} vs scalar: {} vs {}",
                        got[0][0],
                        scalar[0][0]
                    );
                    // And against the unquantized activations: within the Q8 rounding budget.
                    let exact: f64 =
                        wr.iter().zip(&x[t * n..(t + 1) * n]).map(|(a, b)| *a as f64 * *b as f64).sum();
                    assert!(
                        (got[0][0] as f64 - exact).abs() <= 0.01 * scale + 1e-4,
                        "{ty:?} {isa:?} vs f32 x"
                    );
                }
            }
            // Tiles of several rows and tokens give the same values as 1x1.
            if rows >= 4 && tokens >= 4 {
                let mut o = [[0.0f32; 4]; 4];
                unsafe { isa.tile::<4, 4>(ty, &w, rb, &xq, nb, &mut o) };
                for (r, row) in o.iter().enumerate() {
                    for (t, v) in row.iter().enumerate() {
                        let mut one = [[0.0f32; 1]; 1];
                        unsafe { isa.tile::<1, 1>(ty, &w[r * rb..], rb, &xq[t * nb..], nb, &mut one) };
                        assert!(
                            (v - one[0][0]).abs() <= 1e-4 * one[0][0].abs().max(1.0),
                            "{ty:?} {isa:?} tile"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn q4_1_dot_matches_f32_reference() {
    check(GgmlType::Q4_1);
}

#[test]
fn q4_0_dot_matches_f32_reference() {
    check(GgmlType::Q4_0);
}

#[test]
fn q8_0_dot_matches_f32_reference() {
    check(GgmlType::Q8_0);
}

#[test]
fn q8_activation_quantization_round_trips_within_half_a_step() {
    let mut rng = Rng::new(99);
    let x: Vec<f32> = (0..256).map(|_| rng.f() * 10.0).collect();
    let mut q = vec![BlockQ8::default(); 8];
    quantize_row_q8(&x, &mut q);
    let mut back = vec![0.0; 256];
    dequantize_q8(&q, &mut back);
    for (b, blk) in q.iter().enumerate() {
        let sum: i32 = blk.qs.iter().map(|&v| v as i32).sum();
        assert!((blk.s - blk.d * sum as f32).abs() <= 1e-2 * blk.s.abs().max(1.0));
        for j in 0..QK {
            let i = b * QK + j;
            assert!((back[i] - x[i]).abs() <= blk.d * 0.51 + 1e-3 * x[i].abs(), "{i}");
        }
    }
}

#[test]
fn simd_activation_quantization_is_bit_exact() {
    let mut rng = Rng::new(77);
    let mut x: Vec<f32> = (0..32 * 40).map(|_| rng.f() * 4.0).collect();
    x[5] = 300.0; // an outlier block, as in real activations
    x[40..72].fill(0.0); // an all-zero block
    for v in x[100..110].iter_mut() {
        *v = 0.5 * (*v > 0.0) as i32 as f32 * 127.0 / 64.0; // values on rounding ties
    }
    let mut want = vec![BlockQ8::default(); 40];
    quantize_row_q8(&x, &mut want);
    for isa in Isa::available() {
        let mut got = vec![BlockQ8::default(); 40];
        isa.quantize_q8(&x, &mut got);
        for (g, w) in got.iter().zip(&want) {
            assert_eq!((g.d.to_bits(), g.s.to_bits(), g.qs), (w.d.to_bits(), w.s.to_bits(), w.qs), "{isa:?}");
        }
    }
}

#[test]
fn grouped_attention_matches_scalar() {
    let mut rng = Rng::new(21);
    let (hd, g, len, stride) = (64, 3, 37, 192);
    let k: Vec<u16> = (0..len * stride).map(|_| f32_to_f16(rng.f())).collect();
    let v: Vec<u16> = (0..len * stride).map(|_| f32_to_f16(rng.f())).collect();
    let q: Vec<f32> = (0..g * hd).map(|_| rng.f() * 2.0).collect();
    let run = |isa: Isa| {
        let mut sc = vec![0.0f32; g * 40];
        let mut out = vec![0.0f32; g * hd];
        isa.attend_group(&k, &v, stride, len, &q, hd, g, &mut sc, 40, &mut out);
        out
    };
    let want = run(Isa::Scalar);
    // Probabilities sum to one, so each output is a convex combination of values in [-1, 1].
    assert!(want.iter().all(|x| x.abs() <= 1.0) && want.iter().any(|x| x.abs() > 1e-3));
    for isa in Isa::available() {
        let got = run(isa);
        assert!(got.iter().zip(&want).all(|(a, b)| (a - b).abs() < 1e-5), "{isa:?}");
    }
}

#[test]
fn f16_kernels_match_scalar() {
    let mut rng = Rng::new(5);
    let k: Vec<u16> = (0..64).map(|_| f32_to_f16(rng.f())).collect();
    let q: Vec<f32> = (0..64).map(|_| rng.f()).collect();
    let want = Isa::Scalar.dot_f16_f32(&k, &q);
    for isa in Isa::available() {
        assert!((isa.dot_f16_f32(&k, &q) - want).abs() < 1e-4);
        let mut a = vec![0.5f32; 64];
        let mut b = a.clone();
        isa.axpy_f16(&mut a, 0.3, &k);
        Isa::Scalar.axpy_f16(&mut b, 0.3, &k);
        assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-6));
        let mut h = vec![0u16; 64];
        isa.to_f16(&q, &mut h);
        assert!(h.iter().zip(&q).all(|(&h, &v)| h == f32_to_f16(v)));
        assert!((isa.dot_f32(&q, &q) - Isa::Scalar.dot_f32(&q, &q)).abs() < 1e-4);
        // Grouped-query kernels: 3 heads of 16 against one f16 row.
        let (mut got, mut want) = ([0.0f32; 3], [0.0f32; 3]);
        isa.dot_f16_heads(&k[..16], &q[..48], 16, &mut got);
        Isa::Scalar.dot_f16_heads(&k[..16], &q[..48], 16, &mut want);
        assert!(got.iter().zip(&want).all(|(a, b)| (a - b).abs() < 1e-5));
        for h in 0..3 {
            assert!((want[h] - Isa::Scalar.dot_f16_f32(&k[..16], &q[h * 16..(h + 1) * 16])).abs() < 1e-5);
        }
        let (mut a, mut b) = (q[..48].to_vec(), q[..48].to_vec());
        isa.axpy_f16_heads(&mut a, &[0.1, -0.2, 0.3], &k[..16], 16);
        Isa::Scalar.axpy_f16_heads(&mut b, &[0.1, -0.2, 0.3], &k[..16], 16);
        assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-6));
    }
}
