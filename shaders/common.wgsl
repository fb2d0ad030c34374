// Structs shared by several shaders; crate/src/gpu/kernel.rs prepends this file to every shader, so the
// shaders use them without declaring them (WGSL has no includes).

// The chunk of a forward pass (Rust: gpu::Step). Query t sits at position pos0 + t; kv_len = pos0 + n_tokens.
struct Step {
    n_tokens: u32,
    pos0: u32,
    kv_len: u32,
    _pad: u32,
}

// A weight matrix's shape (matmul, embedding).
struct Dims {
    rows: u32,
    cols: u32,
    // blocks per row: cols / 32
    nb: u32,
    _pad: u32,
}

// Eight decoded weights of a block.
struct Part {
    lo: vec4<f32>,
    hi: vec4<f32>,
}

// Block-sparse attention settings (Rust: gpu::block_sparse::SparseParams), for block_select.wgsl and
// attention_sparse.wgsl.
struct SparseParams {
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
    budget: u32,     // 0: top-k, 1: attention-mass share tau
    tau: f32,
    pool_from: u32,  // first key block pool_keys (re)computes
    dense_from: u32, // the forward's first tail query block, which keeps every block (0xffffffff: none)
    _pad0: u32,
    _pad1: u32,
}
