// Quantized weight matmul, EXACT precision: Y (n, rows) = X (n, cols) . W^T with f32 activations and
// the weights dequantized on the fly. Twin: matmul_exact in crate/src/cpu/matmul.rs.
// Prepended by gpu/matmul.rs: one block decoder (shaders/matmul_<type>.wgsl) giving BLOCK_WORDS,
// part_offsets(p) and dq(block, p): the 8 values of part p (0..3) of a 32-value block.
// `matvec` is for decode (one token), `matmul` tiles for prefill.

// Eight dequantized weights: block offsets part_offsets(p).x + 0..3 (lo) and .y + 0..3 (hi).
struct Part {
    lo: vec4<f32>,
    hi: vec4<f32>,
}

struct Dims {
    rows: u32,
    cols: u32,
    // blocks per row: cols / 32
    nb: u32,
    _pad: u32,
}

// The forward pass's shared per-submission uniform (gpu::Step).
struct Step {
    n_tokens: u32,
    pos0: u32,
    kv_len: u32,
    _pad: u32,
}

@group(0) @binding(0) var<storage, read> w: array<u32>;        // W (rows, nb) blocks
@group(0) @binding(1) var<storage, read> x: array<f32>;        // X (n, cols)
@group(0) @binding(2) var<storage, read_write> y: array<f32>;  // Y (n, rows)
@group(0) @binding(3) var<uniform> dims: Dims;
@group(0) @binding(4) var<uniform> step: Step;

fn x4(i: u32) -> vec4<f32> {
    return vec4<f32>(x[i], x[i + 1u], x[i + 2u], x[i + 3u]);
}

// --- matvec: 8 rows per workgroup, 32 lanes per row stride over the row's (block, part) units, so
// neighbouring lanes read neighbouring words; then a tree sum per row. Grid: (rows / 8 folded, _, n).

const MV_LANES: u32 = 32u;
const MV_ROWS: u32 = 8u;
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
    partial[lid] = acc;
    workgroupBarrier();
    for (var s = MV_LANES / 2u; s > 0u; s >>= 1u) {
        if lane < s {
            partial[lid] += partial[lid + s];
        }
        workgroupBarrier();
    }
    if lane == 0u && r < dims.rows && t < step.n_tokens {
        y[t * dims.rows + r] = partial[lid];
    }
}

// --- matmul: a 64-row x 64-token output tile per workgroup, one 32-value block of K at a time.
// Each step dequantizes the tile's 64 weight blocks and loads its 64 x 32 activations into workgroup
// memory (k-major, so the inner loop reads consecutive words across threads); each thread then
// accumulates a 4 x 4 sub-tile (rows tx + 16i, tokens ty + 16j). 2 x 8 KiB of workgroup memory.
// Grid: (rows / 64, n / 64, 1).

const TILE: u32 = 64u;
var<workgroup> ws: array<f32, 2048>;  // [k][row]
var<workgroup> xs: array<f32, 2048>;  // [k][token]

@compute @workgroup_size(256)
fn matmul(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wg: vec3<u32>) {
    let tx = lid % 16u;
    let ty = lid / 16u;
    let r0 = wg.x * TILE;
    let t0 = wg.y * TILE;
    let n = step.n_tokens;
    // Loader roles: row / token `ll` of the tile, quarter `lp` of the block.
    let ll = lid / 4u;
    let lp = lid % 4u;
    let lr = r0 + ll;
    let lt = t0 + ll;
    let o = part_offsets(lp);

    var acc: array<vec4<f32>, 4>;  // acc[j][i]: token ty + 16j, row tx + 16i
    for (var kb = 0u; kb < dims.nb; kb++) {
        var part = Part(vec4<f32>(0.0), vec4<f32>(0.0));
        if lr < dims.rows {
            part = dq(lr * dims.nb + kb, lp);
        }
        var xa = vec4<f32>(0.0);
        var xb = vec4<f32>(0.0);
        if lt < n {
            let xi = lt * dims.cols + kb * 32u + 8u * lp;
            xa = x4(xi);
            xb = x4(xi + 4u);
        }
        for (var i = 0u; i < 4u; i++) {
            ws[(o.x + i) * TILE + ll] = part.lo[i];
            ws[(o.y + i) * TILE + ll] = part.hi[i];
            xs[(8u * lp + i) * TILE + ll] = xa[i];
            xs[(8u * lp + 4u + i) * TILE + ll] = xb[i];
        }
        workgroupBarrier();
        for (var k = 0u; k < 32u; k++) {
            let a = vec4<f32>(ws[k * TILE + tx], ws[k * TILE + tx + 16u], ws[k * TILE + tx + 32u], ws[k * TILE + tx + 48u]);
            for (var j = 0u; j < 4u; j++) {
                acc[j] += a * xs[k * TILE + ty + 16u * j];
            }
        }
        workgroupBarrier();
    }
    for (var j = 0u; j < 4u; j++) {
        let t = t0 + ty + 16u * j;
        for (var i = 0u; i < 4u; i++) {
            let r = r0 + tx + 16u * i;
            if t < n && r < dims.rows {
                y[t * dims.rows + r] = acc[j][i];
            }
        }
    }
}
