//! One compiled compute pipeline: WGSL source in, something to bind buffers to and dispatch.
//! Kernels are compiled once at load; bind groups are made once per set of buffers (also at load).

use super::Gpu;

/// Most GPUs (and WebGPU) allow at most 65535 workgroups per grid dimension; larger launches are
/// folded into a 2-D grid and the shader recovers the flat index as `id.x + id.y * groups_x * size`.
pub const MAX_GROUPS_X: u32 = 65535;

/// Structs several shaders share (`Step`, `Dims`, `Part`, `SparseParams`), prepended to every shader.
pub const COMMON: &str = include_str!("../../../shaders/common.wgsl");

pub struct Kernel {
    pub name: &'static str,
    pipeline: wgpu::ComputePipeline,
    layout: wgpu::BindGroupLayout,
}

impl Kernel {
    /// Compiles `entry` of `source` after [`COMMON`] (so compile errors count its lines too). Compile
    /// errors surface through [`Gpu::check`].
    pub fn new(gpu: &Gpu, name: &'static str, source: &str, entry: &str) -> Kernel {
        let module = gpu.device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(name),
            source: wgpu::ShaderSource::Wgsl(format!("{COMMON}\n{source}").into()),
        });
        let pipeline = gpu.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(name),
            layout: None,
            module: &module,
            entry_point: Some(entry),
            compilation_options: Default::default(),
            cache: None,
        });
        let layout = pipeline.get_bind_group_layout(0);
        Kernel { name, pipeline, layout }
    }

    /// Binds whole buffers to bindings 0, 1, 2, ... in order.
    pub fn bind(&self, gpu: &Gpu, buffers: &[&wgpu::Buffer]) -> wgpu::BindGroup {
        let entries: Vec<wgpu::BindGroupEntry> = buffers
            .iter()
            .enumerate()
            .map(|(i, b)| wgpu::BindGroupEntry { binding: i as u32, resource: b.as_entire_binding() })
            .collect();
        self.bind_entries(gpu, &entries)
    }

    /// Binds explicit resources (buffer ranges, for tensors split across bindings).
    pub fn bind_entries(&self, gpu: &Gpu, entries: &[wgpu::BindGroupEntry]) -> wgpu::BindGroup {
        gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(self.name),
            layout: &self.layout,
            entries,
        })
    }

    pub fn dispatch(&self, pass: &mut wgpu::ComputePass<'_>, bind: &wgpu::BindGroup, groups: [u32; 3]) {
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, bind, &[]);
        pass.dispatch_workgroups(groups[0], groups[1], groups[2]);
    }
}

/// The grid for `n_groups` workgroups of a flat 1-D kernel: (x, y) with x <= [`MAX_GROUPS_X`].
pub fn grid_1d(n_groups: u32) -> [u32; 3] {
    if n_groups <= MAX_GROUPS_X {
        [n_groups.max(1), 1, 1]
    } else {
        [MAX_GROUPS_X, n_groups.div_ceil(MAX_GROUPS_X), 1]
    }
}

/// Runs one encoder's worth of passes and submits it.
pub fn submit(gpu: &Gpu, label: &str, encode: impl FnOnce(&mut wgpu::ComputePass<'_>)) {
    let mut enc = gpu.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some(label) });
    {
        let mut pass = enc
            .begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some(label), timestamp_writes: None });
        encode(&mut pass);
    }
    gpu.queue.submit([enc.finish()]);
}
