// Block-sparse causal attention with GQA and online softmax. Twin: crate/src/cpu/sparse.rs
// (`attention_sparse`).
//
// q (n_tokens, n_head * hd) f32 after RoPE; kc, vc (kv_len, n_kv_head * hd) f16 pairs; sel / sel_len from
// block_select.wgsl -> out (n_tokens, n_head * hd). Query t (position pos0 + t) attends the keys of its
// query block's selected key blocks up to its own position; head h reads KV head h / (n_head / n_kv_head);
// scale 1 / sqrt(hd). Two entry points over the same bindings: `attend` (decode, short chunks), one
// workgroup per (token, head), keys 64 at a time, one per invocation; `attend_tiled` (prefill), below.

const WG: u32 = 64u;
const MAX_HD: u32 = 256u;
const LOW: f32 = -3.0e38;

@group(0) @binding(0) var<uniform> step: Step;
@group(0) @binding(1) var<uniform> p: SparseParams;
@group(0) @binding(2) var<storage, read> q: array<f32>;
@group(0) @binding(3) var<storage, read> kc: array<u32>;
@group(0) @binding(4) var<storage, read> vc: array<u32>;
@group(0) @binding(5) var<storage, read> sel: array<u32>;
@group(0) @binding(6) var<storage, read> sel_len: array<u32>;
@group(0) @binding(7) var<storage, read_write> out: array<f32>;

var<workgroup> qs: array<f32, MAX_HD>;
var<workgroup> ps: array<f32, WG>;
var<workgroup> n_sel: u32;

@compute @workgroup_size(64)
fn attend(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let idx = wid.x + wid.y * groups.x;
    if idx >= step.n_tokens * p.n_head {
        return;
    }
    let hd = p.head_dim;
    let width = p.n_head * hd;
    let kv_dim = p.n_kv_head * hd;
    let t = idx / p.n_head;
    let h = idx % p.n_head;
    let g = h / (p.n_head / p.n_kv_head);
    let pos = step.pos0 + t;
    let item = (pos / p.block - step.pos0 / p.block) * p.n_kv_head + g;
    let scale = 1.0 / sqrt(f32(hd));

    for (var d = lid; d < hd; d += WG) {
        qs[d] = q[t * width + h * hd + d];
    }
    if lid == 0u {
        n_sel = sel_len[item];
    }
    let count = workgroupUniformLoad(&n_sel);

    var m = LOW;
    var l = 0.0;
    // Invocation lid accumulates the output pairs (2 pi, 2 pi + 1) for pi = lid and lid + 64.
    var acc = array<vec2<f32>, 2>(vec2<f32>(0.0), vec2<f32>(0.0));
    let kv_base = g * hd;  // even: head sizes are multiples of 8
    let chunks = (p.block + WG - 1u) / WG;
    for (var s = 0u; s < count; s++) {
        let blk = sel[item * p.s_max + s];
        let end = min((blk + 1u) * p.block, pos + 1u);
        for (var c = 0u; c < chunks; c++) {
            let base = blk * p.block + c * WG;
            let j = base + lid;
            var score = LOW;
            if j < end {
                var dot = 0.0;
                let w0 = (j * kv_dim + kv_base) / 2u;
                for (var d = 0u; d < hd; d += 2u) {
                    let kk = unpack2x16float(kc[w0 + d / 2u]);
                    dot += qs[d] * kk.x + qs[d + 1u] * kk.y;
                }
                score = dot * scale;
            }
            ps[lid] = score;
            workgroupBarrier();
            var cmax = LOW;
            for (var i = 0u; i < WG; i++) {
                cmax = max(cmax, ps[i]);
            }
            let m_new = max(m, cmax);
            let factor = exp(m - m_new);
            var sum = 0.0;
            for (var r = 0u; r < 2u; r++) {
                acc[r] *= factor;
            }
            for (var i = 0u; i < WG; i++) {
                if base + i < end {
                    let pj = exp(ps[i] - m_new);
                    sum += pj;
                    let w0 = ((base + i) * kv_dim + kv_base) / 2u;
                    for (var r = 0u; r < 2u; r++) {
                        let pi = lid + r * WG;
                        if 2u * pi < hd {
                            acc[r] += pj * unpack2x16float(vc[w0 + pi]);
                        }
                    }
                }
            }
            l = l * factor + sum;
            m = m_new;
            workgroupBarrier();
        }
    }
    for (var r = 0u; r < 2u; r++) {
        let d = 2u * (lid + r * WG);
        if d < hd {
            out[t * width + h * hd + d] = acc[r].x / l;
            out[t * width + h * hd + d + 1u] = acc[r].y / l;
        }
    }
}

// attend_tiled (prefill chunks): one workgroup per (query tile, KV head), as the dense attention_tiled.
// A query tile is up to 64 / group tokens of one query block (so every row shares the block's
// selection); each selected key block is walked in tiles of KT keys (the rows and tiles:
// attention_tile.wgsl, prepended).

@compute @workgroup_size(64)
fn attend_tiled(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let group = p.n_head / p.n_kv_head;
    let per = 64u / group;
    let tiles = (p.block + per - 1u) / per;
    let g = wg.y;
    let qb0 = step.pos0 / p.block;
    let qb = qb0 + wg.x / tiles;
    let first = qb * p.block + (wg.x % tiles) * per;
    // This tile's positions inside its query block and the chunk: [a, b).
    let a = max(first, step.pos0);
    let b = min(min(first + per, (qb + 1u) * p.block), step.pos0 + step.n_tokens);
    if a >= b {
        return;
    }
    let kv2 = p.n_kv_head * HD2;
    let width = p.n_head * HD;
    let pos = first + lid / group;
    let live = lid < per * group && pos >= a && pos < b;
    let at = (pos - step.pos0) * width + (g * group + lid % group) * HD;
    let scale = 1.0 / sqrt(f32(HD));

    var row = row_start(live, at);
    let item = (qb - qb0) * p.n_kv_head + g;
    if lid == 0u {
        n_sel = sel_len[item];
    }
    let count = workgroupUniformLoad(&n_sel);
    let key_tiles = (p.block + KT - 1u) / KT;
    for (var si = 0u; si < count; si++) {
        let blk = sel[item * p.s_max + si];
        // Keys of this block any row attends: up to the tile's last position.
        let k_end = min((blk + 1u) * p.block, b);
        for (var c = 0u; c < key_tiles; c++) {
            let k0 = blk * p.block + c * KT;
            workgroupBarrier();
            load_tile(k0, k_end, kv2, g, lid);
            workgroupBarrier();
            if live && k0 <= pos && k0 < k_end {
                row_tile(&row, min(KT, min(pos + 1u, k_end) - k0), scale);
            }
        }
    }
    if live {
        row_write(&row, at);
    }
}
