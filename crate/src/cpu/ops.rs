//! Elementwise and per-row operations of the Llama block: RMSNorm, RoPE, softmax, SiLU gating.

/// x (n,) -> out (n,) = x / sqrt(mean(x^2) + eps) * w. Squares in f32 summed in f64, as ggml does
/// (the quantized path is sensitive to the last bit of its inputs, so we round like llama.cpp).
pub fn rmsnorm(x: &[f32], w: &[f32], eps: f32, out: &mut [f32]) {
    let ss: f64 = x.iter().map(|&v| (v * v) as f64).sum();
    let scale = 1.0 / ((ss / x.len() as f64) as f32 + eps).sqrt();
    for ((o, &v), &g) in out.iter_mut().zip(x).zip(w) {
        *o = v * scale * g;
    }
}

/// cos/sin of every rotary angle for one position: out (dims / 2,) pairs.
/// theta_i = pos * base^(-2i / dims), computed by repeated multiplication in f32 as ggml's rope cache
/// does, so angles round the same way.
pub fn rope_angles(pos: usize, base: f32, dims: usize, out: &mut [(f32, f32)]) {
    let scale = base.powf(-2.0 / dims as f32);
    let mut theta = pos as f32;
    for o in out.iter_mut().take(dims / 2) {
        *o = (theta.cos(), theta.sin());
        theta *= scale;
    }
}

/// Rotates each head of x (n_heads * head_dim,) in place by `angles`, pairing ADJACENT elements
/// (2i, 2i + 1) of every head: ggml's "normal" RoPE, the one GGUF `llama` models need (see llama.rs).
pub fn rope_adjacent(x: &mut [f32], head_dim: usize, angles: &[(f32, f32)]) {
    for head in x.chunks_exact_mut(head_dim) {
        for (pair, &(c, s)) in head.chunks_exact_mut(2).zip(angles) {
            let (a, b) = (pair[0], pair[1]);
            pair[0] = a * c - b * s;
            pair[1] = a * s + b * c;
        }
    }
}

/// In place: x = softmax(x).
pub fn softmax(x: &mut [f32]) {
    let max = x.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
    let mut sum = 0.0f32;
    for v in x.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    let inv = 1.0 / sum;
    for v in x.iter_mut() {
        *v *= inv;
    }
}

/// In place: gate = silu(gate) * up.
pub fn silu_mul(gate: &mut [f32], up: &[f32]) {
    for (g, &u) in gate.iter_mut().zip(up) {
        *g = *g / (1.0 + (-*g).exp()) * u;
    }
}

/// x += y: the residual connection. (Twin of the GPU `add` kernel.)
pub fn add(x: &mut [f32], y: &[f32]) {
    for (a, &b) in x.iter_mut().zip(y) {
        *a += b;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rmsnorm_fixed_case() {
        let mut out = [0.0; 4];
        rmsnorm(&[1.0, -2.0, 3.0, -4.0], &[1.0, 1.0, 2.0, 0.5], 0.0, &mut out);
        let r = (30.0f32 / 4.0).sqrt();
        for (o, e) in out.iter().zip([1.0 / r, -2.0 / r, 6.0 / r, -2.0 / r]) {
            assert!((o - e).abs() < 1e-6, "{out:?}");
        }
    }

    #[test]
    fn rope_rotates_adjacent_pairs_and_keeps_norms() {
        let mut ang = [(0.0, 0.0); 2];
        rope_angles(3, 10000.0, 4, &mut ang);
        assert!((ang[0].0 - 3.0f32.cos()).abs() < 1e-6);
        assert!((ang[1].1 - (3.0f32 / 100.0).sin()).abs() < 1e-6);
        let mut x = [1.0, 0.0, 0.0, 1.0];
        rope_adjacent(&mut x, 4, &ang);
        assert!((x[0] - 3.0f32.cos()).abs() < 1e-6 && (x[1] - 3.0f32.sin()).abs() < 1e-6);
        assert!((x[2] + 0.03f32.sin()).abs() < 1e-6 && (x[3] - 0.03f32.cos()).abs() < 1e-6);
    }

    #[test]
    fn softmax_and_silu() {
        let mut x = [1.0, 2.0, 3.0];
        softmax(&mut x);
        assert!((x.iter().sum::<f32>() - 1.0).abs() < 1e-6 && x[2] > x[1]);
        let mut g = [0.0, 2.0];
        silu_mul(&mut g, &[5.0, 1.0]);
        assert_eq!(g[0], 0.0);
        assert!((g[1] - 2.0 / (1.0 + (-2.0f32).exp())).abs() < 1e-6);
    }
}
