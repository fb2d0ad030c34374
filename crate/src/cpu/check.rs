//! A kernel set against its scalar twin on seeded random inputs, as a report. Natively the unit test
//! below runs it for every set this CPU has; in the browser `Tome.checkKernels(seed)` runs it inside
//! the app's wasm, where the SIMD128 kernels live (tests/web/kernels.test.js reads the report).

use serde::Serialize;

use super::Isa;
use super::f16::f32_to_f16;
use super::quant::{BlockQ8, GgmlType, QK, dequantize_q8, dequantize_row, quantize_row_q8};

/// How far one kernel's outputs are from the scalar twin's.
#[derive(Debug, Clone, Serialize)]
pub struct KernelDiff {
    pub kernel: &'static str,
    /// Output values compared.
    pub compared: usize,
    /// Largest |got - scalar| / magnitude, the magnitude being the sum of the absolute terms
    /// (so summation order alone stays near f32 epsilon).
    pub max_rel_err: f64,
    /// Outputs whose bits differ from the scalar twin's.
    pub bit_mismatches: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct KernelReport {
    pub isa: &'static str,
    pub seed: u32,
    pub kernels: Vec<KernelDiff>,
}

/// xorshift64: the same inputs for a seed on every platform (also the quantized-kernel tests').
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u32) -> Rng {
        Rng(0x9e37_79b9_7f4a_7c15 ^ (((seed as u64) << 1) | 1))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// Uniform in [-1, 1).
    pub fn f(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
    }
}

/// Accumulates one kernel's comparison.
struct Diff(KernelDiff);

impl Diff {
    fn new(kernel: &'static str) -> Diff {
        Diff(KernelDiff { kernel, compared: 0, max_rel_err: 0.0, bit_mismatches: 0 })
    }
    fn add(&mut self, got: f32, want: f32, magnitude: f64) {
        self.0.compared += 1;
        if got.to_bits() != want.to_bits() {
            self.0.bit_mismatches += 1;
            let err = if got.is_finite() {
                (got as f64 - want as f64).abs() / magnitude.max(1e-30)
            } else {
                f64::INFINITY
            };
            self.0.max_rel_err = self.0.max_rel_err.max(err);
        }
    }
}

/// Random weight blocks of type `ty`: random quant bytes, scales like real weights (small, either sign).
pub fn random_row(ty: GgmlType, nb: usize, rng: &mut Rng) -> Vec<u8> {
    let mut row = Vec::with_capacity(nb * ty.block_bytes());
    for _ in 0..nb {
        row.extend(f32_to_f16(rng.f() * 0.05).to_le_bytes());
        if ty == GgmlType::Q4_1 {
            row.extend(f32_to_f16(rng.f() * 0.2).to_le_bytes());
        }
        let n = if ty == GgmlType::Q8_0 { QK } else { QK / 2 };
        row.extend((0..n).map(|_| rng.next_u64() as u8));
    }
    row
}

/// R x T tiles of `ty` (rows `rows`, tokens `tokens`, nb blocks each) through `isa` and the scalar twin.
fn check_tiles(isa: Isa, ty: GgmlType, rng: &mut Rng, diff: &mut Diff) {
    for nb in [1, 3, 18] {
        let n = nb * QK;
        let (rows, tokens) = (4, 4);
        let w: Vec<u8> = (0..rows).flat_map(|_| random_row(ty, nb, rng)).collect();
        let rb = nb * ty.block_bytes();
        let x: Vec<f32> = (0..tokens * n).map(|_| rng.f() * 3.0).collect();
        let mut xq = vec![BlockQ8::default(); tokens * nb];
        quantize_row_q8(&x, &mut xq);
        // Magnitudes: sum of |w_i * x_i| over the dequantized values.
        let (mut wf, mut xf) = (vec![0.0f32; rows * n], vec![0.0f32; tokens * n]);
        dequantize_row(ty, &w, &mut wf);
        dequantize_q8(&xq, &mut xf);
        let mag = |r: usize, t: usize| -> f64 {
            let (wr, xt) = (&wf[r * n..(r + 1) * n], &xf[t * n..(t + 1) * n]);
            wr.iter().zip(xt).map(|(a, b)| (*a as f64 * *b as f64).abs()).sum::<f64>() + 1e-12
        };
        let mut want = [[0.0f32; 4]; 4];
        // SAFETY: w holds `rows` rows of rb bytes, xq `tokens` tokens of nb blocks (here and below).
        unsafe { Isa::Scalar.tile::<4, 4>(ty, &w, rb, &xq, nb, &mut want) };
        let mut got = [[0.0f32; 4]; 4];
        unsafe { isa.tile::<4, 4>(ty, &w, rb, &xq, nb, &mut got) };
        for r in 0..rows {
            for t in 0..tokens {
                diff.add(got[r][t], want[r][t], mag(r, t));
            }
        }
        // Four rows of one token (the decode shape), and one row of one token.
        for t in 0..tokens {
            let mut got = [[0.0f32; 1]; 4];
            unsafe { isa.tile::<4, 1>(ty, &w, rb, &xq[t * nb..], nb, &mut got) };
            for r in 0..rows {
                diff.add(got[r][0], want[r][t], mag(r, t));
            }
            let mut one = [[0.0f32; 1]; 1];
            unsafe { isa.tile::<1, 1>(ty, &w[rb..], rb, &xq[t * nb..], nb, &mut one) };
            diff.add(one[0][0], want[1][t], mag(1, t));
        }
    }
}

/// Every kernel of `isa` against the scalar twin on inputs drawn from `seed`.
pub fn check_kernels(isa: Isa, seed: u32) -> KernelReport {
    let mut rng = Rng::new(seed);
    let mut kernels = Vec::new();
    for (name, ty) in
        [("tile_q4_0", GgmlType::Q4_0), ("tile_q4_1", GgmlType::Q4_1), ("tile_q8_0", GgmlType::Q8_0)]
    {
        let mut d = Diff::new(name);
        check_tiles(isa, ty, &mut rng, &mut d);
        kernels.push(d.0);
    }

    // Activation quantization, with an outlier and an all-zero block as real activations have.
    let mut x: Vec<f32> = (0..QK * 24).map(|_| rng.f() * 4.0).collect();
    x[5] = 300.0;
    x[QK..2 * QK].fill(0.0);
    let (mut want, mut got) = (vec![BlockQ8::default(); 24], vec![BlockQ8::default(); 24]);
    Isa::Scalar.quantize_q8(&x, &mut want);
    isa.quantize_q8(&x, &mut got);
    let mut d = Diff::new("quantize_q8");
    for (g, w) in got.iter().zip(&want) {
        d.add(g.d, w.d, w.d.abs() as f64);
        d.add(g.s, w.s, w.s.abs() as f64);
        for (&a, &b) in g.qs.iter().zip(&w.qs) {
            d.add(a as f32, b as f32, 127.0);
        }
    }
    kernels.push(d.0);

    // f32 and f16 vector helpers, on lengths with and without a tail.
    let (mut df32, mut df16, mut daxpy) =
        (Diff::new("dot_f32"), Diff::new("dot_f16_f32"), Diff::new("axpy_f16"));
    for n in [8, 64, 200, 576] {
        let a: Vec<f32> = (0..n).map(|_| rng.f()).collect();
        let b: Vec<f32> = (0..n).map(|_| rng.f()).collect();
        let h: Vec<u16> = (0..n).map(|_| f32_to_f16(rng.f() * 2.0)).collect();
        let mag: f64 = a.iter().zip(&b).map(|(x, y)| (*x as f64 * *y as f64).abs()).sum();
        df32.add(isa.dot_f32(&a, &b), Isa::Scalar.dot_f32(&a, &b), mag);
        let mag16: f64 = a.iter().map(|x| x.abs() as f64 * 2.0).sum();
        df16.add(isa.dot_f16_f32(&h, &a), Isa::Scalar.dot_f16_f32(&h, &a), mag16);
        let (mut o1, mut o2) = (b.clone(), b.clone());
        isa.axpy_f16(&mut o1, 0.37, &h);
        Isa::Scalar.axpy_f16(&mut o2, 0.37, &h);
        for (x, y) in o1.iter().zip(&o2) {
            daxpy.add(*x, *y, y.abs() as f64 + 1.0);
        }
    }
    kernels.extend([df32.0, df16.0, daxpy.0]);

    // Grouped-query helpers and whole-group attention (SmolLM2's shape: 3 heads per KV head, hd 64).
    let (hd, g, len, stride) = (64, 3, 37, 192);
    let k: Vec<u16> = (0..len * stride).map(|_| f32_to_f16(rng.f())).collect();
    let v: Vec<u16> = (0..len * stride).map(|_| f32_to_f16(rng.f())).collect();
    let q: Vec<f32> = (0..g * hd).map(|_| rng.f() * 2.0).collect();
    let (mut dh, mut ah) = (Diff::new("dot_f16_heads"), Diff::new("axpy_f16_heads"));
    let (mut o1, mut o2) = ([0.0f32; 3], [0.0f32; 3]);
    isa.dot_f16_heads(&k[..hd], &q, hd, &mut o1);
    Isa::Scalar.dot_f16_heads(&k[..hd], &q, hd, &mut o2);
    for (x, y) in o1.iter().zip(&o2) {
        dh.add(*x, *y, 2.0 * hd as f64);
    }
    let (mut o1, mut o2) = (q.clone(), q.clone());
    isa.axpy_f16_heads(&mut o1, &[0.1, -0.2, 0.3], &v[..hd], hd);
    Isa::Scalar.axpy_f16_heads(&mut o2, &[0.1, -0.2, 0.3], &v[..hd], hd);
    for (x, y) in o1.iter().zip(&o2) {
        ah.add(*x, *y, y.abs() as f64 + 1.0);
    }
    let run = |isa: Isa| {
        let mut sc = vec![0.0f32; g * 40];
        let mut out = vec![0.0f32; g * hd];
        isa.attend_group(&k, &v, stride, len, &q, hd, g, &mut sc, 40, &mut out);
        out
    };
    let mut da = Diff::new("attend_group");
    // Outputs are convex combinations of values in [-1, 1].
    for (x, y) in run(isa).iter().zip(&run(Isa::Scalar)) {
        da.add(*x, *y, 1.0);
    }
    kernels.extend([dh.0, ah.0, da.0]);
    KernelReport { isa: isa.name(), seed, kernels }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kernel_set_is_near_the_scalar_twin() {
        for isa in Isa::available() {
            for seed in [1, 2] {
                let report = check_kernels(isa, seed);
                assert_eq!(report.kernels.len(), 10);
                for k in &report.kernels {
                    assert!(k.compared >= 3, "{isa:?} {}: nothing compared", k.kernel);
                    // x86's Q4 tiles carry the offset through Q8_1's f16-rounded sum (2^-11 relative,
                    // up to twice the magnitude); everything else differs by summation order only.
                    let tol = if k.kernel.starts_with("tile_q4") { 2e-3 } else { 1e-5 };
                    assert!(k.max_rel_err <= tol, "{isa:?} {}: {k:?}", k.kernel);
                    if isa == Isa::Scalar {
                        assert_eq!(k.bit_mismatches, 0, "{}", k.kernel);
                    }
                }
            }
        }
    }

    /// The report does see a wrong kernel: a perturbed output counts as a mismatch with its error.
    #[test]
    fn a_diff_records_mismatches() {
        let mut d = Diff::new("x");
        d.add(1.0, 1.0, 1.0);
        d.add(1.001, 1.0, 10.0);
        assert_eq!((d.0.compared, d.0.bit_mismatches), (2, 1));
        assert!((d.0.max_rel_err - 1e-4).abs() < 1e-6);
    }
}
