// Block selection for block-sparse attention. Twins: crate/src/cpu/sparse.rs (`pool_keys`, `select_chunk`).
//
// pool_keys: k (kv_len, kv_dim) f16 pairs -> pooled [mean | min | max], each (n_kb_cap, kv_dim) f32, for the
//   key blocks pool_from ..= (kv_len - 1) / block: from the first one whose summary is not current
//   (whatever wrote it: this chunk, a dense prefill, decode steps). One invocation per (block, element).
// select: one workgroup per (query block of the chunk, KV head): the block-mean query of the group's heads,
//   a value per causal key block (top-k: the best head's score; mass: the mean over heads of each head's
//   softmax over blocks of score / sqrt(hd) + ln(keys)), then sinks + window + the best others (top_k
//   of them, or until the kept mass reaches tau, at most top_k) -> sel (n_qb, n_kv_head, s_max)
//   ascending, sel_len (n_qb, n_kv_head). A query block of the forward's tail (qb >= dense_from) keeps
//   every causal block.

const MAX_Q: u32 = 1024u;   // group * head_dim
const MAX_KB: u32 = 1024u;  // key blocks one query block can see
const LOW: f32 = -3.0e38;

@group(0) @binding(0) var<uniform> step: Step;
@group(0) @binding(1) var<uniform> p: SparseParams;
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
    let kb0 = p.pool_from;
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
var<workgroup> logits: array<f32, MAX_KB>;
var<workgroup> norm: vec2<f32>;  // one head's max logit and 1 / (group * sum of exp)

fn head_score(h: u32, kb: u32, g: u32) -> f32 {
    let hd = p.head_dim;
    let kv_dim = p.n_kv_head * hd;
    let table = p.n_kb_cap * kv_dim;
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
    return s;
}

@compute @workgroup_size(64)
fn select_blocks(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let n_kv = p.n_kv_head;
    let hd = p.head_dim;
    let group = p.n_head / n_kv;
    let width = p.n_head * hd;
    let item = wid.x;
    let qb = step.pos0 / p.block + item / n_kv;
    let g = item % n_kv;
    if qb >= p.dense_from {
        for (var blk = lid; blk <= qb; blk += 64u) {
            sel[item * p.s_max + blk] = blk;
        }
        if lid == 0u {
            sel_len[item] = qb + 1u;
        }
        return;
    }
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

    if p.budget == 0u {
        for (var kb = lid; kb <= qb; kb += 64u) {
            var best = LOW;
            for (var h = 0u; h < group; h++) {
                best = max(best, head_score(h, kb, g));
            }
            scores[kb] = best;
        }
        workgroupBarrier();
    } else {
        // Mass: the twin's block_logit / block_mass, head by head, summed in the same order.
        let scale = 1.0 / sqrt(f32(hd));
        let end = min((qb + 1u) * p.block, step.kv_len);
        for (var kb = lid; kb <= qb; kb += 64u) {
            scores[kb] = 0.0;
        }
        for (var h = 0u; h < group; h++) {
            for (var kb = lid; kb <= qb; kb += 64u) {
                let keys = max(min(end, (kb + 1u) * p.block) - kb * p.block, 1u);
                logits[kb] = head_score(h, kb, g) * scale + log(f32(keys));
            }
            workgroupBarrier();
            if lid == 0u {
                var m = LOW;
                for (var kb = 0u; kb <= qb; kb++) {
                    m = max(m, logits[kb]);
                }
                var z = 0.0;
                for (var kb = 0u; kb <= qb; kb++) {
                    z += exp(logits[kb] - m);
                }
                norm = vec2<f32>(m, (1.0 / f32(group)) / z);
            }
            workgroupBarrier();
            for (var kb = lid; kb <= qb; kb += 64u) {
                scores[kb] += exp(logits[kb] - norm.x) * norm.y;
            }
            workgroupBarrier();
        }
    }

    if lid != 0u {
        return;
    }
    // Serial selection, in the order of the CPU twin: sinks, top-k of the middle by repeated arg-max
    // (earliest block on ties), sorted, then the window.
    let base = item * p.s_max;
    let win = max(p.window, 1u);
    let win_start = select(0u, qb + 1u - win, qb + 1u >= win);
    let sink = min(p.sink, win_start);
    // Mass already held by the forced blocks (mass budget), in the twin's order.
    var held = 0.0;
    if p.budget == 1u {
        for (var blk = 0u; blk < sink; blk++) {
            held += scores[blk];
        }
        for (var blk = win_start; blk <= qb; blk++) {
            held += scores[blk];
        }
    }
    var n = 0u;
    for (var blk = 0u; blk < sink; blk++) {
        sel[base + n] = blk;
        n++;
    }
    let first_top = n;
    for (var it = 0u; it < p.top_k; it++) {
        if p.budget == 1u && held >= p.tau {
            break;
        }
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
        held += scores[best];
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
