//! Helpers shared by the model tests (CPU, GPU, block-sparse): comparing logits.

/// Cosine similarity of two logit vectors, accumulated in f64.
pub fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let (mut ab, mut aa, mut bb) = (0.0f64, 0.0f64, 0.0f64);
    for (&x, &y) in a.iter().zip(b) {
        ab += x as f64 * y as f64;
        aa += x as f64 * x as f64;
        bb += y as f64 * y as f64;
    }
    ab / (aa.sqrt() * bb.sqrt())
}

/// Ids of the k largest logits, in order (ties to the lower id, as the sampler).
pub fn top(l: &[f32], k: usize) -> Vec<u32> {
    tome::model::sample::top_k(l, k).into_iter().map(|(i, _)| i).collect()
}
