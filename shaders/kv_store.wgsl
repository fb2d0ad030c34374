// The chunk's keys and values into the layer's f16 cache. Twin: cpu::Isa::to_f16 into KvCache.
// k, v (n_tokens, kv_dim) f32 -> kc, vc (n_ctx, kv_dim) f16 pairs in u32 at positions pos0..pos0 + n:
// word (pos * kv_dim + e) / 2 holds elements e (low half) and e + 1, e even. Values beyond the f16
// range are clamped to +-65504 (WGSL leaves their packing undefined).

struct Params {
    kv_dim: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<storage, read> k: array<f32>;
@group(0) @binding(1) var<storage, read> v: array<f32>;
@group(0) @binding(2) var<storage, read_write> kc: array<u32>;
@group(0) @binding(3) var<storage, read_write> vc: array<u32>;
@group(0) @binding(4) var<uniform> p: Params;
@group(0) @binding(5) var<uniform> step: Step;

const F16_MAX: f32 = 65504.0;

fn half2(a: f32, b: f32) -> u32 {
    return pack2x16float(clamp(vec2<f32>(a, b), vec2<f32>(-F16_MAX), vec2<f32>(F16_MAX)));
}

@compute @workgroup_size(256)
fn store_kv(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    let kv2 = p.kv_dim / 2u;
    let t = i / kv2;
    if t >= step.n_tokens {
        return;
    }
    let e = i % kv2;
    let src = t * p.kv_dim + 2u * e;
    let dst = (step.pos0 + t) * kv2 + e;
    kc[dst] = half2(k[src], k[src + 1u]);
    vc[dst] = half2(v[src], v[src + 1u]);
}
