// Element-wise kernels over flat f32 tensors. Twins: crate/src/cpu/ops.rs (`add`, `silu_mul`).
// Grids larger than 65535 workgroups fold into y; the flat index is rebuilt from both.

struct Params {
    n: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

// x += y (the residual connection).
@compute @workgroup_size(256)
fn add(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if i < p.n {
        x[i] = x[i] + y[i];
    }
}

// x = silu(x) * y = x / (1 + exp(-x)) * y (SwiGLU: x the gate, y the up projection). Twin: silu_mul.
@compute @workgroup_size(256)
fn silu_mul(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if i < p.n {
        let g = x[i];
        x[i] = g / (1.0 + exp(-g)) * y[i];
    }
}
