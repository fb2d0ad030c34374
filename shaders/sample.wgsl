// Top-k (argmax when k = 1) over one row of logits, on the GPU so only k (id, logit) pairs come back.
// Twin: top_k in crate/src/model/sample.rs: best first, ordered as f32::total_cmp, ties to the lower id.
// Two stages: `local_top` picks each 1024-logit chunk's k best into `cand`; `merge_top` (one
// workgroup) picks the k best of all chunks' candidates. Both select round by round: round r takes the
// best element ordered after round r-1's winner, so nothing is marked or sorted in place.

struct Params {
    // logits in the row
    n: u32,
    // 1..=64
    k: u32,
    // offset of the row in `logits`, in floats
    base: u32,
    // chunks: ceil(n / 1024)
    groups: u32,
}

@group(0) @binding(0) var<storage, read> logits: array<f32>;        // (.., n): the row at `base`
@group(0) @binding(1) var<storage, read_write> cand: array<vec2<u32>>; // (groups, k): (id, key)
@group(0) @binding(2) var<storage, read_write> out: array<u32>;       // (k, 2): id, logit bits
@group(0) @binding(3) var<uniform> p: Params;

// (id, key) ordered below every real element: ids past the row, or an exhausted round.
const NONE = vec2<u32>(0xffffffffu, 0u);
const CHUNK: u32 = 1024u;

// An unsigned key ordered as f32::total_cmp orders the floats (-NaN < -inf < -0 < +0 < inf < NaN).
fn key_of(v: f32) -> u32 {
    let b = bitcast<u32>(v);
    return select(b | 0x80000000u, ~b, (b >> 31u) == 1u);
}

fn float_of(key: u32) -> u32 {
    return select(~key, key & 0x7fffffffu, (key >> 31u) == 1u);
}

// a before b: larger logit, then lower id.
fn better(a: vec2<u32>, b: vec2<u32>) -> bool {
    return a.y > b.y || (a.y == b.y && a.x < b.x);
}

var<workgroup> red: array<vec2<u32>, 256>;

// The workgroup's best `mine`; every invocation gets it.
fn reduce(lid: u32, mine: vec2<u32>) -> vec2<u32> {
    red[lid] = mine;
    workgroupBarrier();
    for (var s = 128u; s > 0u; s >>= 1u) {
        if lid < s && better(red[lid + s], red[lid]) {
            red[lid] = red[lid + s];
        }
        workgroupBarrier();
    }
    let win = red[0];
    workgroupBarrier();
    return win;
}

@compute @workgroup_size(256)
fn local_top(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wg: vec3<u32>) {
    // Four logits per invocation, strided so the loads coalesce.
    var mine: array<vec2<u32>, 4>;
    for (var e = 0u; e < 4u; e++) {
        let i = wg.x * CHUNK + e * 256u + lid;
        mine[e] = NONE;
        if i < p.n {
            mine[e] = vec2<u32>(i, key_of(logits[p.base + i]));
        }
    }
    var prev = NONE;
    for (var r = 0u; r < p.k; r++) {
        var best = NONE;
        for (var e = 0u; e < 4u; e++) {
            let c = mine[e];
            if (r == 0u || better(prev, c)) && better(c, best) {
                best = c;
            }
        }
        prev = reduce(lid, best);
        if lid == 0u {
            cand[wg.x * p.k + r] = prev;
        }
    }
}

@compute @workgroup_size(256)
fn merge_top(@builtin(local_invocation_index) lid: u32) {
    let m = p.groups * p.k;
    var prev = NONE;
    for (var r = 0u; r < p.k; r++) {
        var best = NONE;
        for (var i = lid; i < m; i += 256u) {
            let c = cand[i];
            if (r == 0u || better(prev, c)) && better(c, best) {
                best = c;
            }
        }
        prev = reduce(lid, best);
        if lid == 0u {
            out[2u * r] = prev.x;
            out[2u * r + 1u] = float_of(prev.y);
        }
    }
}
