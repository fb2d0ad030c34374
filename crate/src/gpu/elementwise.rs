//! Element-wise kernels (`shaders/elementwise.wgsl`): the residual add and the SwiGLU gate.
//! Twins: [`crate::cpu::ops::add`], [`crate::cpu::ops::silu_mul`].

use super::Gpu;
use super::kernel::{Kernel, grid_1d};

pub const SOURCE: &str = include_str!("../../../shaders/elementwise.wgsl");

pub struct Elementwise {
    pub add: Kernel,
    pub silu_mul: Kernel,
}

impl Elementwise {
    pub fn new(gpu: &Gpu) -> Elementwise {
        Elementwise {
            add: Kernel::new(gpu, "add", SOURCE, "add"),
            silu_mul: Kernel::new(gpu, "silu_mul", SOURCE, "silu_mul"),
        }
    }

    /// `x += y` over `n` floats; `params` is a uniform holding `[n, 0, 0, 0]`.
    pub fn add(&self, pass: &mut wgpu::ComputePass<'_>, bind: &wgpu::BindGroup, n: u32) {
        self.add.dispatch(pass, bind, grid_1d(n.div_ceil(256)));
    }

    /// `gate = silu(gate) * up` over `n` floats; binds (gate, up, params `[n, 0, 0, 0]`).
    pub fn silu_mul(&self, pass: &mut wgpu::ComputePass<'_>, bind: &wgpu::BindGroup, n: u32) {
        self.silu_mul.dispatch(pass, bind, grid_1d(n.div_ceil(256)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpu::buffers::{Staging, bytes_f32, f32_bytes, storage_init, uniform};
    use crate::gpu::testing::{Rng, gpu};
    use crate::gpu::{block_on, kernel::submit};

    #[test]
    fn add_matches_cpu_twin() {
        let gpu = gpu();
        let k = Elementwise::new(gpu);
        let mut rng = Rng::new(7);
        // Odd sizes cross workgroup edges; the largest needs the folded 2-D grid.
        for n in [1usize, 255, 257, 4099, 256 * 65535 + 300] {
            let x = rng.vec(n, 3.0);
            let y = rng.vec(n, 3.0);
            let xb = storage_init(gpu, "x", &f32_bytes(&x)).unwrap();
            let yb = storage_init(gpu, "y", &f32_bytes(&y)).unwrap();
            let pb = uniform(gpu, "p", &[n as u32]);
            let bind = k.add.bind(gpu, &[&xb, &yb, &pb]);
            submit(gpu, "add", |pass| k.add(pass, &bind, n as u32));
            let staging = Staging::new(gpu, (n * 4) as u64);
            let got = bytes_f32(&block_on(staging.read(gpu, &xb, 0, (n * 4) as u64)).unwrap());
            let mut want = x.clone();
            crate::cpu::ops::add(&mut want, &y);
            assert_eq!(got, want, "n = {n}");
        }
    }

    #[test]
    fn silu_mul_matches_cpu_twin() {
        let gpu = gpu();
        let k = Elementwise::new(gpu);
        let mut rng = Rng::new(8);
        let mut worst = 0.0f32;
        for n in [1usize, 300, 1536 * 7 + 5] {
            let g = rng.vec(n, 12.0);
            let u = rng.vec(n, 3.0);
            let gb = storage_init(gpu, "gate", &f32_bytes(&g)).unwrap();
            let ub = storage_init(gpu, "up", &f32_bytes(&u)).unwrap();
            let pb = uniform(gpu, "p", &[n as u32]);
            let bind = k.silu_mul.bind(gpu, &[&gb, &ub, &pb]);
            submit(gpu, "silu_mul", |pass| k.silu_mul(pass, &bind, n as u32));
            let staging = Staging::new(gpu, (n * 4) as u64);
            let got = bytes_f32(&block_on(staging.read(gpu, &gb, 0, (n * 4) as u64)).unwrap());
            let mut want = g.clone();
            crate::cpu::ops::silu_mul(&mut want, &u);
            for (a, b) in got.iter().zip(&want) {
                // exp() may differ from Rust's by a few ulp.
                let err = (a - b).abs() / (b.abs() + 1e-3);
                worst = worst.max(err);
                assert!(err < 1e-5, "n {n}: {a} vs {b}");
            }
        }
        println!("silu_mul: worst relative error {worst:e}");
    }
}
