// Quantized weight matmul, EXACT precision: Y (n, rows) = X (n, cols) . W^T with f32 activations and
// the weights dequantized on the fly. Twin: matmul_exact in crate/src/cpu/matmul.rs.
// Prepended by gpu/matmul.rs: MV_LANES (see matvec) and one block decoder (shaders/matmul_<type>.wgsl) giving BLOCK_WORDS,
// part_offsets(p) and dq(block, p): the 8 values of part p (0..3) of a 32-value block.
// `matvec` is for decode (one token), `matmul` tiles for prefill.

// Step, Dims and Part come from common.wgsl. A decoder's Part p holds the block offsets
// part_offsets(p).x + 0..3 (lo) and .y + 0..3 (hi).

@group(0) @binding(0) var<storage, read> w: array<u32>;        // W (rows, nb) blocks
@group(0) @binding(1) var<storage, read> x: array<f32>;        // X (n, cols)
@group(0) @binding(2) var<storage, read_write> y: array<f32>;  // Y (n, rows)
@group(0) @binding(3) var<uniform> dims: Dims;
@group(0) @binding(4) var<uniform> step: Step;

fn x4(i: u32) -> vec4<f32> {
    return vec4<f32>(x[i], x[i + 1u], x[i + 2u], x[i + 3u]);
}

// --- matvec: 256 / MV_LANES rows per workgroup, MV_LANES lanes per row striding over the row's
// (block, part) units, so neighbouring lanes read neighbouring words; then a sum per row.
// MV_LANES (a power of two <= 32) is prepended by gpu/matmul.rs: 32 on GPUs (a warp reads a row
// segment), 4 on software rasterizers, which pay per invocation and per barrier, not per cache line.
// Grid: (rows / MV_ROWS folded, _, n).

const MV_ROWS: u32 = 256u / MV_LANES;
var<workgroup> partial: array<f32, 256>;

@compute @workgroup_size(256)
fn matvec(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let lane = lid % MV_LANES;
    let r = (wg.x + wg.y * groups.x) * MV_ROWS + lid / MV_LANES;
    let t = wg.z;
    var acc = 0.0;
    if r < dims.rows && t < step.n_tokens {
        let xt = t * dims.cols;
        let units = dims.nb * 4u;
        for (var u = lane; u < units; u += MV_LANES) {
            let kb = u / 4u;
            let p = u % 4u;
            let part = dq(r * dims.nb + kb, p);
            let o = xt + kb * 32u + part_offsets(p);
            acc += dot(part.lo, x4(o.x)) + dot(part.hi, x4(o.y));
        }
    }
    // One barrier, then each row's lane 0 adds its partial sums: fewer barriers than a tree,
    // which software rasterizers pay for dearly, for a few extra adds.
    partial[lid] = acc;
    workgroupBarrier();
    if lane == 0u && r < dims.rows && t < step.n_tokens {
        var sum = 0.0;
        for (var i = 0u; i < MV_LANES; i++) {
            sum += partial[lid + i];
        }
        y[t * dims.rows + r] = sum;
    }
}

// --- matmul: a 64-row x 64-token output tile per workgroup of 64 threads, one 32-value block of K
// at a time. Each step dequantizes the tile's 64 weight blocks and loads its 64 x 32 activations into
// workgroup memory, k-major and in vec4s of 4 rows / 4 tokens; each thread then accumulates an 8 x 8
// sub-tile (rows 4tx.. and 32 + 4tx.., tokens 4ty.. and 32 + 4ty..): per k, four vec4 loads feed
// sixteen vec4 multiply-adds. Everything per thread is in named vectors, not indexed arrays:
// software rasterizers (lavapipe, SwiftShader) spill those to memory. 2 x 8 KiB of workgroup memory.
// Grid: (rows / 64, n / 64, 1).

const TILE: u32 = 64u;
var<workgroup> ws: array<vec4<f32>, 512>;  // [k][row / 4][row % 4]
var<workgroup> xs: array<vec4<f32>, 512>;  // [k][token / 4][token % 4]

// Dequantizes weight row `ll` of the tile (quarter `lp` of block kb) and loads activations of token
// `ll` (values 8lp..8lp+7 of block kb) into the tiles.
fn load_tiles(r0: u32, t0: u32, kb: u32, ll: u32, lp: u32) {
    let lr = r0 + ll;
    let lt = t0 + ll;
    var part = Part(vec4<f32>(0.0), vec4<f32>(0.0));
    if lr < dims.rows {
        part = dq(lr * dims.nb + kb, lp);
    }
    var xa = vec4<f32>(0.0);
    var xb = vec4<f32>(0.0);
    if lt < step.n_tokens {
        let xi = lt * dims.cols + kb * 32u + 8u * lp;
        xa = x4(xi);
        xb = x4(xi + 4u);
    }
    let o = part_offsets(lp) * 16u + ll / 4u;
    let ox = (8u * lp) * 16u + ll / 4u;
    let c = ll % 4u;
    ws[o.x][c] = part.lo.x;
    ws[o.x + 16u][c] = part.lo.y;
    ws[o.x + 32u][c] = part.lo.z;
    ws[o.x + 48u][c] = part.lo.w;
    ws[o.y][c] = part.hi.x;
    ws[o.y + 16u][c] = part.hi.y;
    ws[o.y + 32u][c] = part.hi.z;
    ws[o.y + 48u][c] = part.hi.w;
    xs[ox][c] = xa.x;
    xs[ox + 16u][c] = xa.y;
    xs[ox + 32u][c] = xa.z;
    xs[ox + 48u][c] = xa.w;
    xs[ox + 64u][c] = xb.x;
    xs[ox + 80u][c] = xb.y;
    xs[ox + 96u][c] = xb.z;
    xs[ox + 112u][c] = xb.w;
}

@compute @workgroup_size(64)
fn matmul(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wg: vec3<u32>) {
    let tx = lid % 8u;
    let ty = lid / 8u;
    let r0 = wg.x * TILE;
    let t0 = wg.y * TILE;

    // a{token group}{token}{row group}: token 4ty + j (+ 32 for group 1), rows 4tx.. (+ 32 for group 1).
    var a000 = vec4<f32>(0.0);
    var a001 = vec4<f32>(0.0);
    var a010 = vec4<f32>(0.0);
    var a011 = vec4<f32>(0.0);
    var a020 = vec4<f32>(0.0);
    var a021 = vec4<f32>(0.0);
    var a030 = vec4<f32>(0.0);
    var a031 = vec4<f32>(0.0);
    var a100 = vec4<f32>(0.0);
    var a101 = vec4<f32>(0.0);
    var a110 = vec4<f32>(0.0);
    var a111 = vec4<f32>(0.0);
    var a120 = vec4<f32>(0.0);
    var a121 = vec4<f32>(0.0);
    var a130 = vec4<f32>(0.0);
    var a131 = vec4<f32>(0.0);
    for (var kb = 0u; kb < dims.nb; kb++) {
        // 256 (row or token, quarter) units per tile, four per thread.
        for (var q = 0u; q < 4u; q++) {
            load_tiles(r0, t0, kb, lid / 4u + 16u * q, lid % 4u);
        }
        workgroupBarrier();
        for (var k = 0u; k < 32u; k++) {
            let w0 = ws[k * 16u + tx];
            let w1 = ws[k * 16u + 8u + tx];
            let x0 = xs[k * 16u + ty];
            let x1 = xs[k * 16u + 8u + ty];
            a000 += w0 * x0.x;
            a001 += w1 * x0.x;
            a010 += w0 * x0.y;
            a011 += w1 * x0.y;
            a020 += w0 * x0.z;
            a021 += w1 * x0.z;
            a030 += w0 * x0.w;
            a031 += w1 * x0.w;
            a100 += w0 * x1.x;
            a101 += w1 * x1.x;
            a110 += w0 * x1.y;
            a111 += w1 * x1.y;
            a120 += w0 * x1.z;
            a121 += w1 * x1.z;
            a130 += w0 * x1.w;
            a131 += w1 * x1.w;
        }
        workgroupBarrier();
    }
    let r = r0 + 4u * tx;
    let t = t0 + 4u * ty;
    store4(t, r, a000);
    store4(t, r + 32u, a001);
    store4(t + 1u, r, a010);
    store4(t + 1u, r + 32u, a011);
    store4(t + 2u, r, a020);
    store4(t + 2u, r + 32u, a021);
    store4(t + 3u, r, a030);
    store4(t + 3u, r + 32u, a031);
    store4(t + 32u, r, a100);
    store4(t + 32u, r + 32u, a101);
    store4(t + 33u, r, a110);
    store4(t + 33u, r + 32u, a111);
    store4(t + 34u, r, a120);
    store4(t + 34u, r + 32u, a121);
    store4(t + 35u, r, a130);
    store4(t + 35u, r + 32u, a131);
}

// Y[t][r..r + 4] = v, the parts inside the matrix.
fn store4(t: u32, r: u32, v: vec4<f32>) {
    if t < step.n_tokens {
        let i = t * dims.rows + r;
        if r < dims.rows {
            y[i] = v.x;
        }
        if r + 1u < dims.rows {
            y[i + 1u] = v.y;
        }
        if r + 2u < dims.rows {
            y[i + 2u] = v.z;
        }
        if r + 3u < dims.rows {
            y[i + 3u] = v.w;
        }
    }
}
