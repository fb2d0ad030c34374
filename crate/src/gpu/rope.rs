//! RoPE on the GPU (`shaders/rope.wgsl`), adjacent pairs, angles from a table computed on the CPU.
//! Twin: [`crate::cpu::ops::rope_adjacent`] with [`crate::cpu::ops::rope_angles`].

use super::buffers::{f32_bytes, storage_init, uniform};
use super::kernel::{Kernel, grid_1d};
use super::{Gpu, GpuError};

pub const SOURCE: &str = include_str!("../../../shaders/rope.wgsl");

/// The (cos, sin) table for positions 0..n_ctx: (n_ctx, rope_dims / 2) pairs of f32, by
/// [`crate::cpu::ops::rope_angles`] so the GPU rotates by exactly the CPU's values.
pub fn angle_table(gpu: &Gpu, n_ctx: usize, base: f32, rope_dims: usize) -> Result<wgpu::Buffer, GpuError> {
    let half = rope_dims / 2;
    let mut pairs = vec![(0.0f32, 0.0f32); n_ctx * half];
    for (pos, row) in pairs.chunks_exact_mut(half.max(1)).enumerate() {
        crate::cpu::ops::rope_angles(pos, base, rope_dims, row);
    }
    let flat: Vec<f32> = pairs.iter().flat_map(|&(c, s)| [c, s]).collect();
    storage_init(gpu, "rope angles", &f32_bytes(&flat))
}

/// Rotates one tensor x (n, width) whose rows are heads of `head_dim`.
pub struct Rope {
    kernel: Kernel,
    params: wgpu::Buffer,
    width: usize,
}

impl Rope {
    pub fn new(gpu: &Gpu, width: usize, head_dim: usize, rope_dims: usize) -> Rope {
        let words = [width as u32, head_dim as u32, (rope_dims / 2) as u32];
        Rope {
            kernel: Kernel::new(gpu, "rope", SOURCE, "rope"),
            params: uniform(gpu, "rope params", &words),
            width,
        }
    }

    /// x (n, width) in place; angles from [`angle_table`]; positions from `step` (pos0 + t).
    pub fn bind(
        &self,
        gpu: &Gpu,
        x: &wgpu::Buffer,
        angles: &wgpu::Buffer,
        step: &wgpu::Buffer,
    ) -> wgpu::BindGroup {
        self.kernel.bind(gpu, &[x, angles, &self.params, step])
    }

    pub fn encode(&self, pass: &mut wgpu::ComputePass<'_>, bind: &wgpu::BindGroup, n_tokens: u32) {
        let pairs = n_tokens * (self.width / 2) as u32;
        self.kernel.dispatch(pass, bind, grid_1d(pairs.div_ceil(256)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::ops::{rope_adjacent, rope_angles};
    use crate::gpu::buffers::{Staging, bytes_f32};
    use crate::gpu::testing::{Rng, gpu};
    use crate::gpu::{Step, block_on, kernel::submit};

    #[test]
    fn rope_matches_cpu_twin() {
        let gpu = gpu();
        let mut rng = Rng::new(9);
        let mut worst = 0.0f32;
        // (heads, head_dim, rope_dims, pos0, n): SmolLM2's q and k, partial rotation, late positions.
        for (heads, hd, dims, pos0, n) in [
            (9usize, 64usize, 64usize, 0usize, 5usize),
            (3, 64, 64, 8000, 3),
            (5, 16, 8, 7, 33),
            (1, 2, 2, 100, 1),
        ] {
            let width = heads * hd;
            let n_ctx = pos0 + n;
            let base = 100000.0;
            let table = angle_table(gpu, n_ctx, base, dims).unwrap();
            let rope = Rope::new(gpu, width, hd, dims);
            let x = rng.vec(n * width, 3.0);
            let xb = storage_init(gpu, "x", &f32_bytes(&x)).unwrap();
            let step = uniform(gpu, "step", &Step { n_tokens: n as u32, pos0: pos0 as u32 }.words());
            let bind = rope.bind(gpu, &xb, &table, &step);
            submit(gpu, "rope", |pass| rope.encode(pass, &bind, n as u32));
            let staging = Staging::new(gpu, (n * width * 4) as u64);
            let got = bytes_f32(&block_on(staging.read(gpu, &xb, 0, (n * width * 4) as u64)).unwrap());
            let mut want = x.clone();
            let mut ang = vec![(0.0, 0.0); dims / 2];
            for t in 0..n {
                rope_angles(pos0 + t, base, dims, &mut ang);
                rope_adjacent(&mut want[t * width..(t + 1) * width], hd, &ang);
            }
            let err = got.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
            worst = worst.max(err);
            // Same inputs and angles; only a fused multiply-add may round differently.
            assert!(err <= 1e-6, "heads {heads} hd {hd} dims {dims} pos0 {pos0}: {err}");
        }
        println!("rope: worst max abs error {worst:e}");
    }
}
