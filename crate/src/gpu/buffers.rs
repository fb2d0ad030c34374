//! GPU buffers: storage tensors created once at load, and read-back through a staging buffer that is
//! also created once (a forward pass allocates nothing).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use super::{Gpu, GpuError};

/// A storage buffer the kernels read and write (`COPY_SRC | COPY_DST` so tests and read-back can reach it).
pub fn storage(gpu: &Gpu, label: &str, bytes: u64) -> Result<wgpu::Buffer, GpuError> {
    if bytes > gpu.max_binding() {
        return Err(GpuError::TooLarge { what: label.to_string(), bytes, limit: gpu.max_binding() });
    }
    Ok(gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        // wgpu rejects zero-sized bindings; round up to a word.
        size: bytes.max(4).next_multiple_of(4),
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    }))
}

/// A storage buffer holding `data` (weights, test inputs).
pub fn storage_init(gpu: &Gpu, label: &str, data: &[u8]) -> Result<wgpu::Buffer, GpuError> {
    let buf = storage(gpu, label, data.len() as u64)?;
    write(gpu, &buf, 0, data);
    Ok(buf)
}

/// Writes bytes at `offset`, padding the tail to a multiple of 4 as wgpu requires.
pub fn write(gpu: &Gpu, buf: &wgpu::Buffer, offset: u64, data: &[u8]) {
    if data.len().is_multiple_of(4) {
        gpu.queue.write_buffer(buf, offset, data);
    } else {
        let mut padded = data.to_vec();
        padded.resize(data.len().next_multiple_of(4), 0);
        gpu.queue.write_buffer(buf, offset, &padded);
    }
}

/// A small uniform buffer for a kernel's parameters (sizes, positions), rewritten before each pass.
pub fn uniform(gpu: &Gpu, label: &str, words: &[u32]) -> wgpu::Buffer {
    let mut padded = words.to_vec();
    padded.resize(words.len().next_multiple_of(4).max(4), 0);
    let buf = gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: (padded.len() * 4) as u64,
        usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    gpu.queue.write_buffer(&buf, 0, &words_bytes(&padded));
    buf
}

pub fn words_bytes(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

pub fn f32_bytes(x: &[f32]) -> Vec<u8> {
    x.iter().flat_map(|v| v.to_le_bytes()).collect()
}

pub fn bytes_f32(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

pub fn bytes_u32(b: &[u8]) -> Vec<u32> {
    b.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

/// A mappable buffer for bringing results back to the CPU; reused across reads.
pub struct Staging {
    buf: wgpu::Buffer,
    size: u64,
}

impl Staging {
    pub fn new(gpu: &Gpu, size: u64) -> Staging {
        let size = size.max(4).next_multiple_of(4);
        let buf = gpu.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("staging"),
            size,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Staging { buf, size }
    }

    /// Copies `size` bytes of `src` from `offset` and returns them once the GPU has finished all work
    /// submitted before. Device errors seen meanwhile (out of memory, loss) come back as errors.
    pub async fn read(
        &self,
        gpu: &Gpu,
        src: &wgpu::Buffer,
        offset: u64,
        size: u64,
    ) -> Result<Vec<u8>, GpuError> {
        let size = size.next_multiple_of(4);
        if size > self.size {
            return Err(GpuError::Internal(format!(
                "read of {size} bytes into a {}-byte staging buffer",
                self.size
            )));
        }
        let mut enc =
            gpu.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("read") });
        enc.copy_buffer_to_buffer(src, offset, &self.buf, 0, size);
        gpu.queue.submit([enc.finish()]);

        let (tx, rx) = oneshot();
        self.buf.map_async(wgpu::MapMode::Read, 0..size, move |r| tx.send(r));
        #[cfg(not(target_family = "wasm"))]
        {
            // A wedged device must not hang the caller forever.
            let wait = wgpu::PollType::Wait {
                submission_index: None,
                timeout: Some(std::time::Duration::from_secs(600)),
            };
            if let Err(e) = gpu.device.poll(wait) {
                gpu.check()?;
                return Err(GpuError::DeviceLost(e.to_string()));
            }
        }
        let mapped = rx.await;
        gpu.check()?;
        // WebGPU rejects a read-back map when the device is lost or destroyed; its lost callback may
        // only fire later, so `check` above does not see it yet.
        mapped.map_err(|e| GpuError::DeviceLost(format!("reading results back failed: {e}")))?;
        let out = match self.buf.get_mapped_range(0..size) {
            Ok(view) => view.to_vec(),
            Err(e) => return Err(GpuError::Internal(format!("mapped range: {e}"))),
        };
        self.buf.unmap();
        Ok(out)
    }
}

/// A one-value channel whose receiver is a future: map callbacks fire on another thread natively and
/// from the event loop in the browser.
struct Shared<T> {
    value: Option<T>,
    waker: Option<Waker>,
}

struct Sender<T>(Arc<Mutex<Shared<T>>>);
struct Receiver<T>(Arc<Mutex<Shared<T>>>);

fn oneshot<T>() -> (Sender<T>, Receiver<T>) {
    let s = Arc::new(Mutex::new(Shared { value: None, waker: None }));
    (Sender(s.clone()), Receiver(s))
}

impl<T> Sender<T> {
    fn send(self, v: T) {
        if let Ok(mut s) = self.0.lock() {
            s.value = Some(v);
            if let Some(w) = s.waker.take() {
                w.wake();
            }
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match self.0.lock() {
            Ok(mut s) => match s.value.take() {
                Some(v) => Poll::Ready(v),
                None => {
                    s.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            },
            // Poisoned only if a callback panicked; nothing will ever arrive.
            Err(_) => Poll::Pending,
        }
    }
}
