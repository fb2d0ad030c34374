// Embedding lookup: token ids (n,) -> rows of the table W (rows, cols) dequantized to f32 (n, cols).
// Twin: dequantize_row in crate/src/cpu/quant.rs, row by row. Prepended by gpu/embedding.rs: the
// table type's block decoder (shaders/matmul_<type>.wgsl). One invocation per 8 values (a block part);
// an id past the table gives a zero row rather than a read out of bounds.

// Eight dequantized weights: block offsets part_offsets(p).x + 0..3 (lo) and .y + 0..3 (hi).
// The forward pass's shared per-submission uniform (gpu::Step).
@group(0) @binding(0) var<storage, read> w: array<u32>;          // W (rows, nb) blocks
@group(0) @binding(1) var<storage, read> ids: array<u32>;        // (n,)
@group(0) @binding(2) var<storage, read_write> out: array<f32>;  // (n, cols)
@group(0) @binding(3) var<uniform> dims: Dims;
@group(0) @binding(4) var<uniform> step: Step;

@compute @workgroup_size(256)
fn embed(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let u = gid.x + gid.y * groups.x * 256u;
    let per_token = dims.nb * 4u;
    let t = u / per_token;
    if t >= step.n_tokens {
        return;
    }
    let kb = (u % per_token) / 4u;
    let p = u % 4u;
    let id = ids[t];
    var part = Part(vec4<f32>(0.0), vec4<f32>(0.0));
    if id < dims.rows {
        part = dq(id * dims.nb + kb, p);
    }
    let o = t * dims.cols + kb * 32u + part_offsets(p);
    for (var i = 0u; i < 4u; i++) {
        out[o.x + i] = part.lo[i];
        out[o.y + i] = part.hi[i];
    }
}
