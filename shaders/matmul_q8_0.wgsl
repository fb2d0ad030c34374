// Q8_0 block decoder for the matmul / embedding kernels (prepended to them). Twin: dequantize_row
// in crate/src/cpu/quant.rs. A block is 9 words of `w` (repacked at upload by gpu/weights.rs from
// the file's 34 bytes): `d` as f32 bits, then 32 x i8, four to a word, value = q * d.
// Part p (0..3) is elements 8p..8p+7: words 1+2p (lo) and 2+2p (hi).

const BLOCK_WORDS: u32 = 9u;

fn part_offsets(p: u32) -> vec2<u32> {
    return vec2<u32>(8u * p, 8u * p + 4u);
}

// Four sign-extended bytes, lowest first.
fn i8x4(q: u32) -> vec4<f32> {
    let s = bitcast<vec4<i32>>(vec4<u32>(q << 24u, q << 16u, q << 8u, q)) >> vec4<u32>(24u);
    return vec4<f32>(s);
}

fn dq(b: u32, p: u32) -> Part {
    let base = b * BLOCK_WORDS;
    let d = bitcast<f32>(w[base]);
    return Part(i8x4(w[base + 1u + 2u * p]) * d, i8x4(w[base + 2u + 2u * p]) * d);
}
