//! Element-wise kernels (`shaders/elementwise.wgsl`): the residual add. Twin: [`crate::cpu::ops::add`].

use super::Gpu;
use super::kernel::{Kernel, grid_1d};

pub const SOURCE: &str = include_str!("../../../shaders/elementwise.wgsl");

pub struct Elementwise {
    pub add: Kernel,
}

impl Elementwise {
    pub fn new(gpu: &Gpu) -> Elementwise {
        Elementwise { add: Kernel::new(gpu, "add", SOURCE, "add") }
    }

    /// `x += y` over `n` floats; `params` is a uniform holding `[n, 0, 0, 0]`.
    pub fn add(&self, pass: &mut wgpu::ComputePass<'_>, bind: &wgpu::BindGroup, n: u32) {
        self.add.dispatch(pass, bind, grid_1d(n.div_ceil(256)));
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
}
