//! RMSNorm on the GPU (`shaders/norm.wgsl`). Twin: [`crate::cpu::ops::rmsnorm`].

use super::Gpu;
use super::buffers::uniform;
use super::kernel::{Kernel, MAX_GROUPS_X};

pub const SOURCE: &str = include_str!("../../../shaders/norm.wgsl");

/// One RMSNorm of width `d`: every row of the chunk, or (`last_only`) just its last row into row 0.
pub struct RmsNorm {
    kernel: Kernel,
    params: wgpu::Buffer,
    last_only: bool,
}

impl RmsNorm {
    pub fn new(gpu: &Gpu, d: usize, eps: f32, last_only: bool) -> RmsNorm {
        RmsNorm {
            kernel: Kernel::new(gpu, "rmsnorm", SOURCE, "rmsnorm"),
            params: uniform(gpu, "rmsnorm params", &[d as u32, eps.to_bits(), last_only as u32]),
            last_only,
        }
    }

    /// x (n, d), w (d,) -> out (n, d) (or (1, d) with `last_only`); n from the `step` uniform.
    pub fn bind(
        &self,
        gpu: &Gpu,
        x: &wgpu::Buffer,
        w: &wgpu::Buffer,
        out: &wgpu::Buffer,
        step: &wgpu::Buffer,
    ) -> wgpu::BindGroup {
        self.kernel.bind(gpu, &[x, w, out, &self.params, step])
    }

    /// One workgroup per row (rows fold into y past 65535).
    pub fn encode(&self, pass: &mut wgpu::ComputePass<'_>, bind: &wgpu::BindGroup, n_tokens: u32) {
        let rows = if self.last_only { 1 } else { n_tokens.max(1) };
        let grid =
            if rows <= MAX_GROUPS_X { [rows, 1, 1] } else { [MAX_GROUPS_X, rows.div_ceil(MAX_GROUPS_X), 1] };
        self.kernel.dispatch(pass, bind, grid);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpu::buffers::{Staging, bytes_f32, f32_bytes, storage, storage_init, uniform};
    use crate::gpu::testing::{Rng, gpu};
    use crate::gpu::{Step, block_on, kernel::submit};

    fn run(d: usize, n: usize, last_only: bool, rng: &mut Rng) -> (Vec<f32>, Vec<f32>) {
        let gpu = gpu();
        let eps = 1e-5;
        let norm = RmsNorm::new(gpu, d, eps, last_only);
        // Rows of very different scales, as the residual stream has.
        let mut x = Vec::with_capacity(n * d);
        for _ in 0..n {
            let s = [0.01, 1.0, 30.0][rng.below(3)];
            x.extend(rng.vec(d, s));
        }
        let w = rng.vec(d, 2.0);
        let xb = storage_init(gpu, "x", &f32_bytes(&x)).unwrap();
        let wb = storage_init(gpu, "w", &f32_bytes(&w)).unwrap();
        let ob = storage(gpu, "out", (n * d * 4) as u64).unwrap();
        let step = uniform(gpu, "step", &Step { n_tokens: n as u32, pos0: 0 }.words());
        let bind = norm.bind(gpu, &xb, &wb, &ob, &step);
        submit(gpu, "rmsnorm", |pass| norm.encode(pass, &bind, n as u32));
        let rows = if last_only { 1 } else { n };
        let staging = Staging::new(gpu, (rows * d * 4) as u64);
        let got = bytes_f32(&block_on(staging.read(gpu, &ob, 0, (rows * d * 4) as u64)).unwrap());
        let mut want = vec![0.0; rows * d];
        for r in 0..rows {
            let src = if last_only { n - 1 } else { r };
            crate::cpu::ops::rmsnorm(&x[src * d..(src + 1) * d], &w, eps, &mut want[r * d..(r + 1) * d]);
        }
        (got, want)
    }

    #[test]
    fn rmsnorm_matches_cpu_twin() {
        let mut rng = Rng::new(3);
        let mut worst = 0.0f32;
        for (d, n, last) in [
            (576usize, 5usize, false),
            (1, 1, false),
            (1536, 3, false),
            (257, 70, false),
            (576, 9, true),
            (64, 1, true),
        ] {
            let (got, want) = run(d, n, last, &mut rng);
            for (i, (a, b)) in got.iter().zip(&want).enumerate() {
                // Relative to the output's size: the scale differs by the f32 vs f64 sum's rounding.
                let err = (a - b).abs() / (b.abs() + 1e-6);
                worst = worst.max(err);
                assert!(err < 2e-6 || (a - b).abs() < 1e-6, "d {d} n {n} at {i}: {a} vs {b}");
            }
        }
        println!("rmsnorm: worst relative error {worst:e}");
    }
}
