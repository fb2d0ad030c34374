// Rotary position embedding, in place. Twin: cpu::ops::rope_adjacent with cpu::ops::rope_angles.
// x (n_tokens, n_heads * head_dim): ADJACENT pairs (2i, 2i + 1) of every head (ggml's "normal" RoPE,
// see model/llama.rs) rotate by the angle of pair i at position pos0 + t, read from a table computed on
// the CPU at load so cos/sin round exactly as the CPU path's: angles (n_ctx, rope_dims / 2) (cos, sin).
// Pairs i >= rope_dims / 2 are left as they are.

struct Params {
    width: u32,
    head_dim: u32,
    half: u32,
    _pad: u32,
}

@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<storage, read> angles: array<vec2<f32>>;
@group(0) @binding(2) var<uniform> p: Params;
@group(0) @binding(3) var<uniform> step: Step;

@compute @workgroup_size(256)
fn rope(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    let row_pairs = p.width / 2u;
    let t = i / row_pairs;
    if t >= step.n_tokens {
        return;
    }
    let pair = i % row_pairs;
    let k = pair % (p.head_dim / 2u);
    if k >= p.half {
        return;
    }
    let cs = angles[(step.pos0 + t) * p.half + k];
    let at = t * p.width + 2u * pair;
    let a = x[at];
    let b = x[at + 1u];
    x[at] = a * cs.x - b * cs.y;
    x[at + 1u] = a * cs.y + b * cs.x;
}
