// RMSNorm over rows. Twin: cpu::ops::rmsnorm.
// x (n_tokens, d) -> out (n_tokens, d) = x / sqrt(mean(x^2) + eps) * w, w (d,).
// One workgroup per row; squares summed per thread, then a tree over the workgroup (the CPU sums in
// f64, so results agree to f32 rounding, not bit for bit).
// With `last_only`, a single workgroup normalizes row n_tokens - 1 into row 0 (the logits input).

struct Params {
    d: u32,
    eps: f32,
    last_only: u32,
    _pad: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;
@group(0) @binding(4) var<uniform> step: Step;

var<workgroup> partial: array<f32, 256>;

@compute @workgroup_size(256)
fn rmsnorm(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let row = wg.x + wg.y * 65535u;
    if row >= step.n_tokens {
        return;
    }
    var src = row;
    var dst = row;
    if p.last_only != 0u {
        src = step.n_tokens - 1u;
        dst = 0u;
    }
    let base = src * p.d;
    var s = 0.0;
    for (var i = lid; i < p.d; i += 256u) {
        let v = x[base + i];
        s += v * v;
    }
    partial[lid] = s;
    workgroupBarrier();
    for (var half = 128u; half > 0u; half >>= 1u) {
        if lid < half {
            partial[lid] += partial[lid + half];
        }
        workgroupBarrier();
    }
    let scale = 1.0 / sqrt(partial[0] / f32(p.d) + p.eps);
    for (var i = lid; i < p.d; i += 256u) {
        out[dst * p.d + i] = x[base + i] * scale * w[i];
    }
}
