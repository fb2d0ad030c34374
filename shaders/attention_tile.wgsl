// The query-tiled attention rows both prefill kernels share (attention.wgsl `attention_tiled`,
// attention_sparse.wgsl `attend_tiled`), prepended to those two shaders. One thread per (token, head)
// row holds its query, output and running softmax in a `Row`; keys and values are walked in tiles of
// KT keys loaded into workgroup memory once for all the rows. The including shader declares the
// bindings `q`, `kc`, `vc` and `out` (layouts as in attention.wgsl). HD is filled in at load.

const HD: u32 = {{HEAD_DIM}}u;
const HD2: u32 = HD / 2u;
// Keys per tile: K and V tiles in f32 take 2 * KT * HD * 4 = 16 KiB of workgroup memory.
const KT: u32 = 2048u / HD;
// Below every real score; exp(ROW_LOW - m) is 0 without an infinity in sight.
const ROW_LOW: f32 = -3.0e38;

var<workgroup> kt: array<vec2<f32>, KT * HD2>;
var<workgroup> vt: array<vec2<f32>, KT * HD2>;

struct Row {
    q: array<vec2<f32>, HD2>,
    acc: array<vec2<f32>, HD2>,
    m: f32,
    l: f32,
}

// A row whose query starts at `at` in q (zeros when the thread has no row).
fn row_start(live: bool, at: u32) -> Row {
    var r: Row;
    for (var w = 0u; w < HD2; w++) {
        r.q[w] = vec2<f32>(0.0);
        r.acc[w] = vec2<f32>(0.0);
        if live {
            r.q[w] = vec2<f32>(q[at + 2u * w], q[at + 2u * w + 1u]);
        }
    }
    r.m = ROW_LOW;
    r.l = 0.0;
    return r;
}

// Keys k0 .. k0 + KT of KV head g into kt / vt, zeros from `end` on (the caller puts a barrier
// before and after). kv2: words per cache row.
fn load_tile(k0: u32, end: u32, kv2: u32, g: u32, lid: u32) {
    for (var i = lid; i < KT * HD2; i += 64u) {
        let j = k0 + i / HD2;
        var kk = vec2<f32>(0.0);
        var vv = vec2<f32>(0.0);
        if j < end {
            let src = j * kv2 + g * HD2 + i % HD2;
            kk = unpack2x16float(kc[src]);
            vv = unpack2x16float(vc[src]);
        }
        kt[i] = kk;
        vt[i] = vv;
    }
}

// Folds the tile's first `keys` keys (those the row attends, at least one) into the row.
fn row_tile(r: ptr<function, Row>, keys: u32, scale: f32) {
    var s: array<f32, KT>;
    var tm = ROW_LOW;
    for (var j = 0u; j < KT; j++) {
        var d = vec2<f32>(0.0);
        for (var w = 0u; w < HD2; w++) {
            d += (*r).q[w] * kt[j * HD2 + w];
        }
        s[j] = select(ROW_LOW, (d.x + d.y) * scale, j < keys);
        tm = max(tm, s[j]);
    }
    let nm = max((*r).m, tm);
    let alpha = exp((*r).m - nm);
    (*r).m = nm;
    (*r).l *= alpha;
    for (var w = 0u; w < HD2; w++) {
        (*r).acc[w] *= alpha;
    }
    for (var j = 0u; j < KT; j++) {
        let pj = select(0.0, exp(s[j] - nm), j < keys);
        (*r).l += pj;
        for (var w = 0u; w < HD2; w++) {
            (*r).acc[w] += pj * vt[j * HD2 + w];
        }
    }
}

// The row's output at `at` in out.
fn row_write(r: ptr<function, Row>, at: u32) {
    for (var w = 0u; w < HD2; w++) {
        let o = (*r).acc[w] / (*r).l;
        out[at + 2u * w] = o.x;
        out[at + 2u * w + 1u] = o.y;
    }
}
