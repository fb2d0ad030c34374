//! Weight matrix @ activations for a slice of output rows (one thread's share).
//!
//! `W (rows, cols) @ X (n_tok, cols) -> Y (n_tok, ld)`, writing Y[t][r] for the given rows only, so
//! threads can fill disjoint row ranges of one output. Two paths:
//! - quantized: X as Q8 blocks, integer dot products (what llama.cpp does; fast);
//! - exact: X in f32, each weight row dequantized to f32 first (the reference).

use super::Isa;
use super::pool::SharedMut;
use super::quant::{BlockQ8, GgmlType, QK, dequantize_row};

/// A weight matrix in its file layout: `rows` rows of `cols` values of type `ty`, row-major.
#[derive(Clone, Copy, Debug)]
pub struct QMatrix<'a> {
    pub ty: GgmlType,
    pub data: &'a [u8],
    pub rows: usize,
    pub cols: usize,
}

impl<'a> QMatrix<'a> {
    pub fn row_bytes(&self) -> usize {
        self.cols / self.ty.block_len() * self.ty.block_bytes()
    }
    pub fn row(&self, r: usize) -> &'a [u8] {
        let rb = self.row_bytes();
        &self.data[r * rb..(r + 1) * rb]
    }
}

/// Activations for a matmul: always f32 (n_tok, cols); also Q8 blocks (n_tok, cols / 32) on the
/// quantized path.
#[derive(Clone, Copy)]
pub struct Act<'a> {
    pub f32: &'a [f32],
    pub q8: Option<&'a [BlockQ8]>,
}

/// Tokens per chunk on the quantized path: the chunk's activations stay in L2 while rows stream by.
const TOK_CHUNK: usize = 64;

/// Y[t * ld + r] = W[r] . X[t] for r in `r0..r1`, t in 0..n_tok.
/// `scratch` (cols,) holds a dequantized row on the exact path.
///
/// # Safety
/// `out` must point to n_tok * ld floats, and no other thread may write rows r0..r1 meanwhile.
#[allow(clippy::too_many_arguments)]
pub unsafe fn matmul_rows(
    isa: Isa,
    w: &QMatrix<'_>,
    x: Act<'_>,
    n_tok: usize,
    out: SharedMut<f32>,
    ld: usize,
    r0: usize,
    r1: usize,
    scratch: &mut [f32],
) {
    let put = |t: usize, r: usize, v: f32| unsafe { *out.get().add(t * ld + r) = v };
    match x.q8 {
        Some(q8) if w.ty.is_quantized() => {
            let nb = w.cols / QK;
            let rb = w.row_bytes();
            let mut t0 = 0;
            while t0 < n_tok {
                let tn = (n_tok - t0).min(TOK_CHUNK);
                let xs = &q8[t0 * nb..(t0 + tn) * nb];
                let mut r = r0;
                while r < r1 {
                    if r + 4 <= r1 {
                        let wr = &w.data[r * rb..];
                        let mut t = 0;
                        while t + 4 <= tn {
                            let mut o = [[0.0f32; 4]; 4];
                            unsafe { isa.tile::<4, 4>(w.ty, wr, rb, &xs[t * nb..], nb, &mut o) };
                            for (i, row) in o.iter().enumerate() {
                                for (j, v) in row.iter().enumerate() {
                                    put(t0 + t + j, r + i, *v);
                                }
                            }
                            t += 4;
                        }
                        while t < tn {
                            let mut o = [[0.0f32; 1]; 4];
                            unsafe { isa.tile::<4, 1>(w.ty, wr, rb, &xs[t * nb..], nb, &mut o) };
                            for (i, v) in o.iter().enumerate() {
                                put(t0 + t, r + i, v[0]);
                            }
                            t += 1;
                        }
                        r += 4;
                    } else {
                        for t in 0..tn {
                            let mut o = [[0.0f32; 1]; 1];
                            unsafe {
                                isa.tile::<1, 1>(w.ty, &w.data[r * rb..], rb, &xs[t * nb..], nb, &mut o)
                            };
                            put(t0 + t, r, o[0][0]);
                        }
                        r += 1;
                    }
                }
                t0 += tn;
            }
        }
        _ => {
            let cols = w.cols;
            let row = &mut scratch[..cols];
            for r in r0..r1 {
                dequantize_row(w.ty, w.row(r), row);
                for t in 0..n_tok {
                    put(t, r, isa.dot_f32(row, &x.f32[t * cols..(t + 1) * cols]));
                }
            }
        }
    }
}

/// `W (rows, cols) @ X (n_tok, cols) -> Y (n_tok, rows)` on the exact path, plainly: each weight row
/// dequantized to f32, then an f32 dot in order. The twin of the GPU matmul kernels (`gpu::matmul`).
pub fn matmul_exact(w: &QMatrix<'_>, x: &[f32], n_tok: usize) -> Vec<f32> {
    let mut y = vec![0.0f32; n_tok * w.rows];
    let mut row = vec![0.0f32; w.cols];
    for r in 0..w.rows {
        dequantize_row(w.ty, w.row(r), &mut row);
        for (t, xt) in x.chunks_exact(w.cols).take(n_tok).enumerate() {
            y[t * w.rows + r] = row.iter().zip(xt).map(|(a, b)| a * b).sum();
        }
    }
    y
}
