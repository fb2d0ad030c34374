// Causal grouped-query attention over the layer's f16 KV cache. Twin: cpu::Isa::attend_group.
//
// q (n_tokens, n_head * head_dim) f32, after RoPE; kc, vc: (n_ctx, kv_dim) f16 pairs packed in u32
// (element e in word e / 2, low half = even e); out (n_tokens, n_head * head_dim) f32.
// Query t (position pos0 + t) attends keys 0..=pos0 + t. Keys are walked in tiles with an online
// softmax. Two entry points over the same bindings:
// - `attention` (decode, short chunks): one workgroup per (query token, KV head, split of the keys);
//   the `group` query heads sharing the KV head go together. Thread j scores key j of a 64-key tile
//   for every head, then thread i accumulates the value pair (2i, 2i + 1) of every head. Each of the
//   SPLITS workgroups of a (token, KV head) walks its own share of the tiles and leaves (max, sum,
//   weighted values) in `part`; `attention_combine` merges the shares (flash-decoding), so a single
//   token still spreads over many workgroups.
// - `attention_tiled` (prefill): one workgroup per (64 / group query tokens, KV head), one thread per
//   (token, head) row holding its query and output in registers; each key tile is loaded into
//   workgroup memory once for all the rows (the rows and tiles: attention_tile.wgsl, prepended).
// Limits (checked on the Rust side): group <= 8, head_dim <= 128 and even. HEAD_DIM is filled in at load.

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
// (n_tokens, n_kv_head, SPLITS, group, head_dim + 2): per share max, sum, then the weighted values.
@group(0) @binding(6) var<storage, read_write> part: array<f32>;

const SPLITS: u32 = 16u;

// (group, head_dim) queries of this token's group of heads.
var<workgroup> qs: array<f32, 1024>;
// (group, TILE) scores of the current tile, then their probabilities.
var<workgroup> sc: array<f32, 512>;

@compute @workgroup_size(64)
fn attention(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let t = wg.x;
    let g = wg.y;
    let z = wg.z;
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

    // This workgroup's share of the key tiles: [k_begin, k_end).
    let per_split = (pos / TILE + SPLITS) / SPLITS;
    let k_begin = z * per_split * TILE;
    let k_end = min(k_begin + per_split * TILE, pos + 1u);
    for (var k0 = k_begin; k0 < k_end; k0 += TILE) {
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

    let stride = hd + 2u;
    let row0 = ((t * p.n_kv_head + g) * SPLITS + z) * group;
    for (var h = 0u; h < group; h++) {
        let b = (row0 + h) * stride;
        if lid == 0u {
            part[b] = m[h];
            part[b + 1u] = l[h];
        }
        if lid < hd2 {
            part[b + 2u + 2u * lid] = acc[h].x;
            part[b + 3u + 2u * lid] = acc[h].y;
        }
    }
}

// Merges the SPLITS shares of each (token, KV head): out = sum_z e^(m_z - M) acc_z / sum_z e^(m_z - M) l_z.
@compute @workgroup_size(64)
fn attention_combine(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let t = wg.x;
    let g = wg.y;
    let group = p.n_head / p.n_kv_head;
    let hd = p.head_dim;
    if t >= step.n_tokens || lid >= hd / 2u {
        return;
    }
    let stride = hd + 2u;
    let q0 = t * p.n_head * hd + g * group * hd;
    let row0 = (t * p.n_kv_head + g) * SPLITS * group;
    for (var h = 0u; h < group; h++) {
        var mx = NEG;
        for (var z = 0u; z < SPLITS; z++) {
            mx = max(mx, part[(row0 + z * group + h) * stride]);
        }
        var sum = 0.0;
        var a = vec2<f32>(0.0);
        for (var z = 0u; z < SPLITS; z++) {
            let b = (row0 + z * group + h) * stride;
            let w = exp(part[b] - mx);
            sum += part[b + 1u] * w;
            a += w * vec2<f32>(part[b + 2u + 2u * lid], part[b + 3u + 2u * lid]);
        }
        let at = q0 + h * hd + 2u * lid;
        out[at] = a.x / sum;
        out[at + 1u] = a.y / sum;
    }
}

@compute @workgroup_size(64)
fn attention_tiled(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let group = p.n_head / p.n_kv_head;
    let per = 64u / group;
    let g = wg.y;
    let t0 = wg.x * per;
    if t0 >= step.n_tokens {
        return;
    }
    let kv2 = p.kv_dim / 2u;
    let width = p.n_head * HD;
    let t = t0 + lid / group;
    let live = lid < per * group && t < step.n_tokens;
    let pos = step.pos0 + t;
    let at = t * width + (g * group + lid % group) * HD;

    var row = row_start(live, at);
    // The last key any row of this workgroup attends.
    let last = step.pos0 + min(t0 + per, step.n_tokens) - 1u;
    for (var k0 = 0u; k0 <= last; k0 += KT) {
        workgroupBarrier();
        load_tile(k0, last + 1u, kv2, g, lid);
        workgroupBarrier();
        if live && k0 <= pos {
            row_tile(&row, min(KT, pos + 1u - k0), p.scale);
        }
    }
    if live {
        row_write(&row, at);
    }
}
