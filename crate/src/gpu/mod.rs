//! The GPU backend: wgpu natively (Vulkan / Metal / DX12; Mesa lavapipe in CI) and the page's WebGPU
//! in the browser, running our own WGSL kernels from `shaders/` (one file per kernel family).
//!
//! - [`context`]: the device, created once from the adapter with the adapter's limits; error capture.
//! - [`kernel`]: a compiled compute pipeline and the plumbing to bind buffers and dispatch it.
//! - [`buffers`]: storage / uniform buffers and reading results back.
//! - one module per kernel family (e.g. [`elementwise`], [`norm`], [`rope`], [`attention`], [`matmul`]);
//!   each has a CPU twin in [`crate::cpu`] and a test that runs both on random shapes and values.
//! - [`block_sparse`]: block selection and block-sparse attention for long prefills.
//! - [`llama`]: the whole model forward pass built from those kernels ([`llama::GpuLlama`]).
//!
//! Everything that waits for the GPU is `async`: in the browser a read-back can only finish after control
//! returns to the event loop. Natively, [`block_on`] drives those futures (polling the device).

pub mod attention;
pub mod block_sparse;
pub mod buffers;
pub mod context;
pub mod elementwise;
pub mod embedding;
pub mod kernel;
pub mod llama;
pub mod matmul;
pub mod norm;
pub mod rope;
pub mod sample;
pub mod weights;

pub use context::{Gpu, GpuInfo};
pub use kernel::Kernel;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum GpuError {
    #[error(
        "no GPU adapter is available ({0}); use the CPU backend (`--backend cpu`), or on Linux install a Vulkan driver (mesa-vulkan-drivers)"
    )]
    NoAdapter(String),

    #[error("the GPU refused to create a device ({0}); use the CPU backend")]
    Device(String),

    #[error(
        "the GPU ran out of memory ({0}); close other GPU programs, use a smaller context, or use the CPU backend"
    )]
    OutOfMemory(String),

    #[error(
        "the GPU device was lost ({0}); it may have been reset by the driver; use the CPU backend or retry"
    )]
    DeviceLost(String),

    #[error("GPU error: {0}; this is a bug in tome, please report it (the CPU backend still works)")]
    Internal(String),

    #[error(
        "{what} needs {bytes} bytes in one GPU buffer, more than this GPU allows ({limit}); use the CPU backend"
    )]
    TooLarge { what: String, bytes: u64, limit: u64 },
}

/// The per-submission uniform that the kernels of one forward pass share, written once before each
/// submission. WGSL: `struct Step { n_tokens: u32, pos0: u32, kv_len: u32, _pad: u32 }`.
/// `pos0` is the position of the chunk's first token; query `t` attends keys `0..=pos0 + t`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Step {
    pub n_tokens: u32,
    pub pos0: u32,
}

impl Step {
    pub fn words(&self) -> [u32; 4] {
        [self.n_tokens, self.pos0, self.pos0 + self.n_tokens, 0]
    }
}

/// Drives a future to completion on the native side, polling the device while it waits.
/// (In the browser, await the future instead: the event loop delivers WebGPU callbacks.)
#[cfg(not(target_family = "wasm"))]
pub fn block_on<F: std::future::Future>(fut: F) -> F::Output {
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};

    struct ThreadWaker(std::thread::Thread);
    impl Wake for ThreadWaker {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut fut = std::pin::pin!(fut);
    loop {
        match fut.as_mut().poll(&mut cx) {
            Poll::Ready(v) => return v,
            // Map callbacks fire from `Device::poll`, which our read-back futures call themselves;
            // the timeout only guards against a lost wake-up.
            Poll::Pending => std::thread::park_timeout(std::time::Duration::from_millis(1)),
        }
    }
}

/// Test support: one shared device for all kernel tests, and a seeded random source.
#[cfg(all(test, not(target_family = "wasm")))]
pub(crate) mod testing {
    use super::{Gpu, block_on};
    use std::sync::OnceLock;

    /// The test device. A machine without any GPU driver fails here with the install hint rather than
    /// skipping: the kernel tests are the only check of the GPU code (CI has Mesa lavapipe).
    pub fn gpu() -> &'static Gpu {
        static GPU: OnceLock<Gpu> = OnceLock::new();
        GPU.get_or_init(|| match block_on(Gpu::new()) {
            Ok(g) => g,
            Err(e) => panic!(
                "GPU kernel tests need a Vulkan driver (apt-get install mesa-vulkan-drivers libvulkan1): {e}"
            ),
        })
    }

    /// splitmix64: reproducible inputs without a dependency.
    pub struct Rng(u64);

    impl Rng {
        pub fn new(seed: u64) -> Rng {
            Rng(seed)
        }
        pub fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        /// Uniform in [-scale, scale).
        pub fn f32(&mut self, scale: f32) -> f32 {
            ((self.next_u64() >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * scale
        }
        pub fn vec(&mut self, n: usize, scale: f32) -> Vec<f32> {
            (0..n).map(|_| self.f32(scale)).collect()
        }
        #[allow(dead_code)] // used by the kernel tests that pick random shapes
        pub fn below(&mut self, n: usize) -> usize {
            (self.next_u64() % n as u64) as usize
        }
    }
}
