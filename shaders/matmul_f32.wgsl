// F32 "block" decoder for the matmul / embedding kernels (prepended to them): 32 consecutive values
// of a row (rows of a multiple of 32 values). Part p (0..3) is elements 8p..8p+7.

const BLOCK_WORDS: u32 = 32u;

fn part_offsets(p: u32) -> vec2<u32> {
    return vec2<u32>(8u * p, 8u * p + 4u);
}

fn dq(b: u32, p: u32) -> Part {
    let i = b * BLOCK_WORDS + 8u * p;
    let lo = vec4<f32>(bitcast<f32>(w[i]), bitcast<f32>(w[i + 1u]), bitcast<f32>(w[i + 2u]), bitcast<f32>(w[i + 3u]));
    let hi = vec4<f32>(bitcast<f32>(w[i + 4u]), bitcast<f32>(w[i + 5u]), bitcast<f32>(w[i + 6u]), bitcast<f32>(w[i + 7u]));
    return Part(lo, hi);
}
