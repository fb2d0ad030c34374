//! The GPU device: asked for once, with the adapter's own limits (a device otherwise gets WebGPU's
//! small defaults: 128 MiB storage bindings, 16 KiB workgroup memory), and with errors captured
//! instead of wgpu's default handler, which panics.

use std::sync::{Arc, Mutex};

use super::GpuError;

/// What the adapter is, for `tome bench` and the page's backend label.
#[derive(Clone, Debug, serde::Serialize)]
pub struct GpuInfo {
    pub name: String,
    pub backend: String,
    pub driver: String,
    pub device_type: String,
    /// A software rasterizer (lavapipe, SwiftShader): correct but slow; times mean little.
    pub fallback: bool,
    pub max_storage_binding: u64,
    pub max_buffer: u64,
    pub max_workgroup_storage: u32,
    pub max_invocations: u32,
    pub shader_f16: bool,
}

/// The device, its queue and limits, and the first error the device reported since it was last checked.
pub struct Gpu {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub limits: wgpu::Limits,
    pub info: GpuInfo,
    errors: Arc<Mutex<Option<GpuError>>>,
}

impl Gpu {
    /// Asks the platform for a GPU: natively Vulkan/Metal/DX12 (lavapipe counts), in the browser
    /// `navigator.gpu`. Fails with [`GpuError::NoAdapter`] when there is none, so callers fall back to CPU.
    pub async fn new() -> Result<Gpu, GpuError> {
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor {
            backends: wgpu::Backends::PRIMARY,
            ..wgpu::InstanceDescriptor::new_without_display_handle()
        });
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                ..Default::default()
            })
            .await
            .map_err(|e| GpuError::NoAdapter(e.to_string()))?;
        let a = adapter.get_info();
        let limits = adapter.limits();
        let features = adapter.features() & wgpu::Features::SHADER_F16;
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("tome"),
                required_features: features,
                required_limits: limits.clone(),
                ..Default::default()
            })
            .await
            .map_err(|e| GpuError::Device(e.to_string()))?;

        let errors: Arc<Mutex<Option<GpuError>>> = Arc::new(Mutex::new(None));
        let sink = errors.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            let err = match e {
                wgpu::Error::OutOfMemory { .. } => GpuError::OutOfMemory(e.to_string()),
                other => GpuError::Internal(other.to_string()),
            };
            if let Ok(mut slot) = sink.lock() {
                slot.get_or_insert(err);
            }
        }));
        let sink = errors.clone();
        device.set_device_lost_callback(move |reason, message| {
            if let Ok(mut slot) = sink.lock() {
                slot.get_or_insert(GpuError::DeviceLost(format!("{reason:?}: {message}")));
            }
        });

        let info = GpuInfo {
            name: a.name.clone(),
            backend: format!("{:?}", a.backend),
            driver: format!("{} {}", a.driver, a.driver_info).trim().to_string(),
            device_type: format!("{:?}", a.device_type),
            fallback: a.device_type == wgpu::DeviceType::Cpu || a.name.contains("SwiftShader"),
            max_storage_binding: limits.max_storage_buffer_binding_size,
            max_buffer: limits.max_buffer_size,
            max_workgroup_storage: limits.max_compute_workgroup_storage_size,
            max_invocations: limits.max_compute_invocations_per_workgroup,
            shader_f16: features.contains(wgpu::Features::SHADER_F16),
        };
        Ok(Gpu { device, queue, limits, info, errors })
    }

    /// Returns (and clears) the first error the device reported: out of memory, device lost, or a bug.
    /// Called after each submission so a failed pass becomes an error instead of garbage numbers.
    pub fn check(&self) -> Result<(), GpuError> {
        match self.errors.lock() {
            Ok(mut slot) => slot.take().map_or(Ok(()), Err),
            Err(_) => Err(GpuError::Internal("error slot poisoned".into())),
        }
    }

    /// The largest buffer one binding may see; bigger tensors must be split or bound in ranges.
    pub fn max_binding(&self) -> u64 {
        self.limits.max_storage_buffer_binding_size.min(self.limits.max_buffer_size)
    }
}
