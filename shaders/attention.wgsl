// Causal grouped-query attention over the layer's f16 KV cache. Twin: cpu::Isa::attend_group.
//
// q (n_tokens, n_head * head_dim) f32, after RoPE; kc, vc: (n_ctx, kv_dim) f16 pairs packed in u32
// (element e in word e / 2, low half = even e); out (n_tokens, n_head * head_dim) f32.
// Query t (position pos0 + t) attends keys 0..=pos0 + t. One workgroup per (query token, KV head):
// the `group` query heads that share the KV head are processed together, so each key and value is
// read once per token. Keys are walked in tiles of 64 with an online softmax: thread j scores key j of
// the tile for every head, then thread i accumulates the value pair (2i, 2i + 1) of every head.
// Limits (checked on the Rust side): group <= 8, head_dim <= 128 and even.

struct Step {
    n_tokens: u32,
    pos0: u32,
    kv_len: u32,
    _pad: u32,
}

struct Params {
    n_head: u32,
    n_kv_head: u32,
    head_dim: u32,
    kv_dim: u32,
    scale: f32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

const TILE: u32 = 64u;
const MAX_GROUP: u32 = 8u;
// Below every real score; exp(NEG - m) is 0 without an infinity in sight.
const NEG: f32 = -3.0e38;

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> kc: array<u32>;
@group(0) @binding(2) var<storage, read> vc: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;
@group(0) @binding(5) var<uniform> step: Step;

// (group, head_dim) queries of this token's group of heads.
var<workgroup> qs: array<f32, 1024>;
// (group, TILE) scores of the current tile, then their probabilities.
var<workgroup> sc: array<f32, 512>;

@compute @workgroup_size(64)
fn attention(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let t = wg.x;
    let g = wg.y;
    if t >= step.n_tokens {
        return;
    }
    let group = p.n_head / p.n_kv_head;
    let hd = p.head_dim;
    let hd2 = hd / 2u;
    let kv2 = p.kv_dim / 2u;
    let width = p.n_head * hd;
    let q0 = t * width + g * group * hd;
    for (var i = lid; i < group * hd; i += 64u) {
        qs[i] = q[q0 + i];
    }
    workgroupBarrier();

    let pos = step.pos0 + t;
    var m: array<f32, MAX_GROUP>;
    var l: array<f32, MAX_GROUP>;
    var acc: array<vec2<f32>, MAX_GROUP>;
    var s: array<f32, MAX_GROUP>;
    var alpha: array<f32, MAX_GROUP>;
    for (var h = 0u; h < group; h++) {
        m[h] = NEG;
        l[h] = 0.0;
        acc[h] = vec2<f32>(0.0);
    }

    for (var k0 = 0u; k0 <= pos; k0 += TILE) {
        // Scores: thread lid takes key k0 + lid.
        let j = k0 + lid;
        for (var h = 0u; h < group; h++) {
            s[h] = 0.0;
        }
        if j <= pos {
            let kb = j * kv2 + g * hd2;
            for (var w = 0u; w < hd2; w++) {
                let k = unpack2x16float(kc[kb + w]);
                for (var h = 0u; h < group; h++) {
                    s[h] += k.x * qs[h * hd + 2u * w] + k.y * qs[h * hd + 2u * w + 1u];
                }
            }
            for (var h = 0u; h < group; h++) {
                sc[h * TILE + lid] = s[h] * p.scale;
            }
        } else {
            for (var h = 0u; h < group; h++) {
                sc[h * TILE + lid] = NEG;
            }
        }
        workgroupBarrier();

        // Every thread finds each head's running maximum (the same value everywhere).
        for (var h = 0u; h < group; h++) {
            var tm = NEG;
            for (var jj = 0u; jj < TILE; jj++) {
                tm = max(tm, sc[h * TILE + jj]);
            }
            let nm = max(m[h], tm);
            alpha[h] = exp(m[h] - nm);
            m[h] = nm;
        }
        workgroupBarrier();
        for (var h = 0u; h < group; h++) {
            let i = h * TILE + lid;
            sc[i] = select(0.0, exp(sc[i] - m[h]), j <= pos);
        }
        workgroupBarrier();

        // Values: thread lid owns the pair (2 lid, 2 lid + 1) of every head.
        let nk = min(TILE, pos + 1u - k0);
        for (var h = 0u; h < group; h++) {
            l[h] *= alpha[h];
            acc[h] *= alpha[h];
        }
        for (var jj = 0u; jj < nk; jj++) {
            var v = vec2<f32>(0.0);
            if lid < hd2 {
                v = unpack2x16float(vc[(k0 + jj) * kv2 + g * hd2 + lid]);
            }
            for (var h = 0u; h < group; h++) {
                let pj = sc[h * TILE + jj];
                l[h] += pj;
                acc[h] += pj * v;
            }
        }
        workgroupBarrier();
    }

    if lid < hd2 {
        for (var h = 0u; h < group; h++) {
            let o = acc[h] / l[h];
            let at = q0 + h * hd + 2u * lid;
            out[at] = o.x;
            out[at + 1u] = o.y;
        }
    }
}
