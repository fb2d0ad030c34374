//! WebGPU in the worker: the device is asked for once (`navigator.gpu` through wgpu's webgpu backend),
//! kept for the life of the wasm instance, and described for the page's backend label. A self-check
//! runs a real kernel on it and compares with the CPU twin, so the page (and the browser test) know
//! the GPU path computes the same numbers in this browser, not only that an adapter exists.
//!
//! Everything here is async: in the browser, GPU work only completes after control returns to the
//! event loop, so the worker awaits these (wasm-bindgen-futures turns them into Promises).

use std::cell::RefCell;
use std::rc::Rc;

use serde::Serialize;

use crate::gpu::buffers::{Staging, bytes_f32, f32_bytes, storage_init, uniform};
use crate::gpu::elementwise::Elementwise;
use crate::gpu::kernel::submit;
use crate::gpu::llama::GpuLlama;
use crate::gpu::{Gpu, GpuError, GpuInfo};

thread_local! {
    static GPU: RefCell<Option<Rc<Gpu>>> = const { RefCell::new(None) };
}

/// The device, created on first use; `NoAdapter` when this browser gives none (then the CPU runs).
pub async fn device() -> Result<Rc<Gpu>, GpuError> {
    if let Some(gpu) = GPU.with(|g| g.borrow().clone()) {
        return Ok(gpu);
    }
    let gpu = Rc::new(Gpu::new().await?);
    GPU.with(|g| *g.borrow_mut() = Some(gpu.clone()));
    Ok(gpu)
}

/// The adapter's description (name, limits, software fallback or not).
pub async fn info() -> Result<GpuInfo, GpuError> {
    Ok(device().await?.info.clone())
}

thread_local! {
    /// The language model on WebGPU (its own device), next to the CPU model of [`super::reading`].
    static MODEL: RefCell<Option<GpuLlama>> = const { RefCell::new(None) };
}

/// What the page shows about the model on the GPU.
#[derive(Debug, Clone, Serialize)]
pub struct GpuModelInfo {
    pub adapter: String,
    pub fallback: bool,
    pub n_ctx: usize,
    /// Bytes of all GPU buffers: weights (quantized), KV cache, activations.
    pub memory_bytes: u64,
}

/// Uploads the loaded CPU model's weights to WebGPU for sessions of `n_ctx` positions. Fails with
/// the GPU's own error (no adapter, too large, out of memory, device lost), so the caller keeps the CPU.
pub async fn load_model(n_ctx: usize) -> crate::Result<GpuModelInfo> {
    let gpu = Gpu::new().await?;
    let (adapter, fallback) = (gpu.info.name.clone(), gpu.info.fallback);
    let model = super::reading::with_model(|m| GpuLlama::new(gpu, m, n_ctx))??;
    let info = GpuModelInfo { adapter, fallback, n_ctx: model.n_ctx(), memory_bytes: model.memory_bytes() };
    LOADED_DEVICE.with(|d| *d.borrow_mut() = Some(model.gpu().device.clone()));
    MODEL.with(|m| *m.borrow_mut() = Some(model));
    Ok(info)
}

pub fn model_loaded() -> bool {
    MODEL.with(|m| m.borrow().is_some())
}

/// Runs `f` on the GPU model, taken out of its slot while the GPU works (the borrow cannot live
/// across an await) and put back afterwards, also on error.
async fn with_gpu_model<R, F>(f: impl FnOnce(GpuLlama) -> F) -> crate::Result<R>
where
    F: std::future::Future<Output = (GpuLlama, crate::Result<R>)>,
{
    let Some(model) = MODEL.with(|m| m.borrow_mut().take()) else {
        return Err(crate::model::ModelError::NotOnGpu.into());
    };
    let (model, out) = f(model).await;
    MODEL.with(|m| *m.borrow_mut() = Some(model));
    out
}

/// The token ids of raw `text` (no chat template) and the next-token logits after them, computed on
/// WebGPU in a fresh session.
pub async fn logits(text: &str) -> crate::Result<(Vec<u32>, Vec<f32>)> {
    let ids = super::reading::with_model(|m| m.tokenizer.encode(text))??;
    with_gpu_model(|mut m| async move {
        m.clear();
        let out = m.forward(&ids).await;
        (m, out.map(|logits| (ids, logits)))
    })
    .await
}

/// Benchmark, part 1 (the page times it): a fresh session prefills the bench prompt of `n` tokens
/// (the same ids as the CPU bench); the GPU picks the next token, only it comes back. Returns `n`.
pub async fn bench_prefill(n: usize) -> crate::Result<usize> {
    let ids = super::reading::bench_prompt_ids(n)?;
    with_gpu_model(|mut m| async move {
        m.clear();
        let out = m.forward_top_k(&ids, 1).await;
        BENCH_NEXT.with(|b| b.set(out.as_ref().ok().and_then(|t| t.first()).map(|t| t.0)));
        (m, out.map(|_| ids.len()))
    })
    .await
}

/// Benchmark, part 2: up to `n` greedy decode steps after part 1, argmax on the GPU. Returns the count.
pub async fn bench_decode(n: usize) -> crate::Result<usize> {
    let Some(mut next) = BENCH_NEXT.with(|b| b.get()) else {
        return Err(crate::model::ModelError::NoPrefill.into());
    };
    with_gpu_model(|mut m| async move {
        let n = n.min(m.n_ctx() - m.len());
        for _ in 0..n {
            match m.forward_top_k(&[next], 1).await {
                Ok(top) => next = top.first().map_or(next, |t| t.0),
                Err(e) => return (m, Err(e)),
            }
        }
        (m, Ok(n))
    })
    .await
}

/// One step of the current reading on WebGPU (see [`super::reading::step`], its CPU twin): the
/// reading moves to the GPU model (its context there rebuilt when it comes from elsewhere) and the
/// step's tokens are fed there. An error (device lost, out of memory) leaves the reading in place,
/// with any text not yet shown, so the caller can continue it on the CPU.
pub async fn read_step() -> crate::Result<super::reading::StepView> {
    let mut rd = super::reading::take()?;
    let out = read_step_on(&mut rd).await;
    let view = out.map(|()| super::reading::view(&mut rd));
    super::reading::put_back(rd);
    view
}

async fn read_step_on(rd: &mut super::reading::Reading) -> crate::Result<()> {
    let memory = rd.memory();
    // Moved first: the generator then feeds the whole context again when it comes from elsewhere.
    let moved = rd.move_to_gpu();
    let n_ctx = rd.generator().n_ctx();
    let feed = super::reading::with_model(|m| rd.generator().next(&m.tokenizer))??;
    if feed.is_empty() {
        return Ok(());
    }
    let n = feed.len();
    let logits = with_gpu_model(|mut m| async move {
        let prefix = match (moved, memory) {
            (true, None) => {
                m.clear();
                Ok(0)
            }
            (true, Some(id)) => place_memory(&mut m, id),
            (false, Some(_)) => Ok(m.prefix().map_or(0, |(_, n)| n)),
            (false, None) => Ok(0),
        };
        let prefix = match prefix {
            Ok(p) => p,
            Err(e) => return (m, Err(e)),
        };
        if prefix + n_ctx > m.n_ctx() {
            let e = GpuError::TooLarge {
                what: "reading context (tokens)".into(),
                bytes: (prefix + n_ctx) as u64,
                limit: m.n_ctx() as u64,
            };
            return (m, Err(e.into()));
        }
        let out = m.forward(&feed).await;
        (m, out)
    })
    .await?;
    rd.generator().fed(n, &logits);
    Ok(())
}

/// Positions the GPU model's cache holds, when a model is on the GPU (test hook).
#[cfg(test)]
pub(super) fn cache_len() -> Option<usize> {
    MODEL.with(|m| m.borrow().as_ref().map(GpuLlama::len))
}

/// Makes the GPU cache hold the document's memory of assembly `id` and nothing after it (copied
/// from the CPU's assembled cache once per assembly); returns its positions.
fn place_memory(m: &mut GpuLlama, id: u64) -> crate::Result<usize> {
    if let Some((held, prefix)) = m.prefix()
        && held == id
    {
        m.truncate(prefix);
        return Ok(prefix);
    }
    super::memory::with_assembly(id, |a| {
        m.load_memory(&a.session.kv, a.prefix, id)?;
        Ok(a.prefix)
    })?
}

/// Drops the model from WebGPU (after a GPU error the reading continues on the CPU).
pub fn unload_model() {
    MODEL.with(|m| m.borrow_mut().take());
    LOADED_DEVICE.with(|d| d.borrow_mut().take());
}

thread_local! {
    /// The GPU model's device, also while the model is out of its slot during a step (test hook).
    static LOADED_DEVICE: RefCell<Option<wgpu::Device>> = const { RefCell::new(None) };
}

/// Test hook: destroys the GPU model's device (WebGPU's `GPUDevice.destroy()`), which makes it lost
/// for real, so the fallback to the CPU can be tested. Returns false when no model is on the GPU.
pub fn destroy_device() -> bool {
    LOADED_DEVICE.with(|d| d.borrow().as_ref().map(|d| d.destroy()).is_some())
}

thread_local! {
    static BENCH_NEXT: std::cell::Cell<Option<u32>> = const { std::cell::Cell::new(None) };
}

/// The outcome of running one kernel on the GPU and its CPU twin on the same random input.
#[derive(Debug, Clone, Serialize)]
pub struct KernelCheck {
    pub kernel: &'static str,
    pub n: usize,
    /// Largest |gpu - cpu| over all elements (0 when they agree exactly).
    pub max_abs_diff: f32,
    /// Elements that differ at all.
    pub mismatches: usize,
    pub adapter: String,
}

/// Runs the residual-add kernel (`x += y`) on `n` random floats from `seed` on the GPU and with
/// [`crate::cpu::ops::add`], and compares element by element.
pub async fn check_add(n: usize, seed: u64) -> Result<KernelCheck, GpuError> {
    check_add_on(&*device().await?, n, seed).await
}

async fn check_add_on(gpu: &Gpu, n: usize, seed: u64) -> Result<KernelCheck, GpuError> {
    let mut rng = SplitMix(seed);
    let x: Vec<f32> = (0..n).map(|_| rng.f32(3.0)).collect();
    let y: Vec<f32> = (0..n).map(|_| rng.f32(3.0)).collect();
    let k = Elementwise::new(gpu);
    let xb = storage_init(gpu, "x", &f32_bytes(&x))?;
    let yb = storage_init(gpu, "y", &f32_bytes(&y))?;
    let pb = uniform(gpu, "p", &[n as u32]);
    let bind = k.add.bind(gpu, &[&xb, &yb, &pb]);
    submit(gpu, "add", |pass| k.add(pass, &bind, n as u32));
    let staging = Staging::new(gpu, (n * 4) as u64);
    let got = bytes_f32(&staging.read(gpu, &xb, 0, (n * 4) as u64).await?);
    let mut want = x;
    crate::cpu::ops::add(&mut want, &y);
    let mut check =
        KernelCheck { kernel: "add", n, max_abs_diff: 0.0, mismatches: 0, adapter: gpu.info.name.clone() };
    if got.len() != want.len() {
        return Err(GpuError::Internal(format!("read {} values back, expected {}", got.len(), want.len())));
    }
    for (g, w) in got.iter().zip(&want) {
        if g.to_bits() != w.to_bits() {
            check.mismatches += 1;
            check.max_abs_diff = check.max_abs_diff.max((g - w).abs());
        }
    }
    Ok(check)
}

/// splitmix64: reproducible test input without a dependency.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [-scale, scale).
    fn f32(&mut self, scale: f32) -> f32 {
        ((self.next() >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * scale
    }
}

#[cfg(all(test, not(target_family = "wasm")))]
mod tests {
    use super::*;

    /// The same check natively (Mesa lavapipe), so the code the browser runs is exercised by `cargo test`.
    /// (On the shared test device: a device kept in a thread-local would be dropped at thread exit,
    /// which wgpu does not survive natively; in the browser the instance never drops it.)
    #[test]
    fn add_check_agrees_with_the_cpu_twin_natively() {
        let check = crate::gpu::block_on(check_add_on(crate::gpu::testing::gpu(), 4099, 11))
            .expect("a GPU device (lavapipe)");
        assert_eq!(check.n, 4099);
        assert_eq!(check.mismatches, 0, "{check:?}");
    }
}
