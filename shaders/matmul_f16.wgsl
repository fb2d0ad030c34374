// F16 "block" decoder for the matmul / embedding kernels (prepended to them): 32 consecutive values
// of a row, two to a word, low half first (rows of a multiple of 32 values). Part p (0..3) is
// elements 8p..8p+7.

const BLOCK_WORDS: u32 = 16u;

fn part_offsets(p: u32) -> vec2<u32> {
    return vec2<u32>(8u * p, 8u * p + 4u);
}

fn dq(b: u32, p: u32) -> Part {
    let i = b * BLOCK_WORDS + 4u * p;
    let lo = vec4<f32>(unpack2x16float(w[i]), unpack2x16float(w[i + 1u]));
    let hi = vec4<f32>(unpack2x16float(w[i + 2u]), unpack2x16float(w[i + 3u]));
    return Part(lo, hi);
}
