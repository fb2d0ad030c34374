// Block selection for block-sparse attention. Twins: crate/src/cpu/sparse.rs (`pool_keys`, `select_chunk`).
//
// pool_keys: k (kv_len, kv_dim) f16 pairs -> pooled [mean | min | max], each (n_kb_cap, kv_dim) f32, for the
//   key blocks the chunk wrote (pos0 / block ..= (kv_len - 1) / block). One invocation per (block, element).
// select: one workgroup per (query block of the chunk, KV head): the block-mean query of the group's heads,
//   a score per causal key block (best head), then sinks + window + top-k others -> sel (n_qb, n_kv_head,
//   s_max) ascending, sel_len (n_qb, n_kv_head).

struct Step {
    n_tokens: u32,
    pos0: u32,
    kv_len: u32,
    _pad: u32,
}

struct Params {
    block: u32,
    sink: u32,
    window: u32,
    top_k: u32,
    score: u32,      // 0: mean-pooled keys, 1: min/max bound (Quest)
    n_head: u32,
    n_kv_head: u32,
    head_dim: u32,
    s_max: u32,
    n_kb_cap: u32,   // rows of each pooled table
    _pad0: u32,
    _pad1: u32,
}

const MAX_Q: u32 = 1024u;   // group * head_dim
const MAX_KB: u32 = 1024u;  // key blocks one query block can see
const LOW: f32 = -3.0e38;

@group(0) @binding(0) var<uniform> step: Step;
@group(0) @binding(1) var<uniform> p: Params;
@group(0) @binding(2) var<storage, read> k: array<u32>;
@group(0) @binding(3) var<storage, read_write> pooled: array<f32>;
@group(0) @binding(4) var<storage, read> q: array<f32>;
@group(0) @binding(5) var<storage, read_write> sel: array<u32>;
@group(0) @binding(6) var<storage, read_write> sel_len: array<u32>;

fn k_at(e: u32) -> f32 {
    let w = unpack2x16float(k[e / 2u]);
    return select(w.x, w.y, (e & 1u) == 1u);
}

@compute @workgroup_size(64)
fn pool_keys(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let kv_dim = p.n_kv_head * p.head_dim;
    let kb0 = step.pos0 / p.block;
    let n_kb = (step.kv_len - 1u) / p.block - kb0 + 1u;
    let i = gid.x + gid.y * groups.x * 64u;
    if i >= n_kb * kv_dim {
        return;
    }
    let kb = kb0 + i / kv_dim;
    let e = i % kv_dim;
    let start = kb * p.block;
    let end = min(start + p.block, step.kv_len);
    var sum = 0.0;
    var lo = k_at(start * kv_dim + e);
    var hi = lo;
    for (var pos = start; pos < end; pos++) {
        let x = k_at(pos * kv_dim + e);
        sum += x;
        lo = min(lo, x);
        hi = max(hi, x);
    }
    let row = kb * kv_dim + e;
    let table = p.n_kb_cap * kv_dim;
    pooled[row] = sum * (1.0 / f32(end - start));
    pooled[table + row] = lo;
    pooled[2u * table + row] = hi;
}

var<workgroup> qg: array<f32, MAX_Q>;
var<workgroup> scores: array<f32, MAX_KB>;

@compute @workgroup_size(64)
fn select_blocks(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let n_kv = p.n_kv_head;
    let hd = p.head_dim;
    let group = p.n_head / n_kv;
    let width = p.n_head * hd;
    let kv_dim = n_kv * hd;
    let table = p.n_kb_cap * kv_dim;
    let item = wid.x;
    let qb = step.pos0 / p.block + item / n_kv;
    let g = item % n_kv;
    // Tokens of the chunk inside this query block.
    let a = max(qb * p.block, step.pos0) - step.pos0;
    let b = min((qb + 1u) * p.block, step.pos0 + step.n_tokens) - step.pos0;

    for (var e = lid; e < group * hd; e += 64u) {
        var s = 0.0;
        for (var t = a; t < b; t++) {
            s += q[t * width + g * group * hd + e];
        }
        qg[e] = s * (1.0 / f32(b - a));
    }
    workgroupBarrier();

    for (var kb = lid; kb <= qb; kb += 64u) {
        var best = LOW;
        for (var h = 0u; h < group; h++) {
            var s = 0.0;
            for (var d = 0u; d < hd; d++) {
                let x = qg[h * hd + d];
                let r = kb * kv_dim + g * hd + d;
                if p.score == 0u {
                    s += x * pooled[r];
                } else {
                    s += max(x * pooled[table + r], x * pooled[2u * table + r]);
                }
            }
            best = max(best, s);
        }
        scores[kb] = best;
    }
    workgroupBarrier();

    if lid != 0u {
        return;
    }
    // Serial selection, in the order of the CPU twin: sinks, top-k of the middle by repeated arg-max
    // (earliest block on ties), sorted, then the window.
    let base = item * p.s_max;
    let win = max(p.window, 1u);
    let win_start = select(0u, qb + 1u - win, qb + 1u >= win);
    let sink = min(p.sink, win_start);
    var n = 0u;
    for (var blk = 0u; blk < sink; blk++) {
        sel[base + n] = blk;
        n++;
    }
    let first_top = n;
    for (var it = 0u; it < p.top_k; it++) {
        var best = 0xffffffffu;
        for (var blk = sink; blk < win_start; blk++) {
            var taken = false;
            for (var j = first_top; j < n; j++) {
                taken = taken || sel[base + j] == blk;
            }
            if !taken && (best == 0xffffffffu || scores[blk] > scores[best]) {
                best = blk;
            }
        }
        if best == 0xffffffffu {
            break;
        }
        sel[base + n] = best;
        n++;
    }
    // Insertion sort of the top-k picks.
    for (var i = first_top + 1u; i < n; i++) {
        let x = sel[base + i];
        var j = i;
        while j > first_top && sel[base + j - 1u] > x {
            sel[base + j] = sel[base + j - 1u];
            j--;
        }
        sel[base + j] = x;
    }
    for (var blk = win_start; blk <= qb; blk++) {
        sel[base + n] = blk;
        n++;
    }
    sel_len[item] = n;
}
