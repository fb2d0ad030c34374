// Q4_1 block decoder for the matmul / embedding kernels (prepended to them). Twin: dequantize_row
// in crate/src/cpu/quant.rs. A block is 5 words of `w`: `d | m << 16` (two f16), then 16 bytes of
// nibbles; byte j holds element j (low nibble) and element j + 16 (high nibble), value = q * d + m.
// Part p (0..3) is nibble word p: elements 4p..4p+3 (lo) and 16+4p..16+4p+3 (hi).

const BLOCK_WORDS: u32 = 5u;

fn part_offsets(p: u32) -> vec2<u32> {
    return vec2<u32>(4u * p, 16u + 4u * p);
}

fn dq(b: u32, p: u32) -> Part {
    let base = b * BLOCK_WORDS;
    let dm = unpack2x16float(w[base]);
    let q = w[base + 1u + p];
    let lo = vec4<f32>(vec4<u32>(q, q >> 8u, q >> 16u, q >> 24u) & vec4<u32>(15u));
    let hi = vec4<f32>(vec4<u32>(q >> 4u, q >> 12u, q >> 20u, q >> 28u) & vec4<u32>(15u));
    return Part(lo * dm.x + dm.y, hi * dm.x + dm.y);
}
