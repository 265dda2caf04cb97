//! Initial factors as Spark MLlib draws them: a Gaussian vector per row, scaled to unit length
//! (absolute values when factors must be nonnegative). Each row has its own random stream, so
//! initialisation is the same for any thread count.

use crate::rng::SplitMix64;

pub const USER_STREAM: u64 = 1;
pub const ITEM_STREAM: u64 = 2;

pub fn init_factors(n_rows: usize, rank: usize, seed: u64, stream: u64, nonnegative: bool) -> Vec<f32> {
    let mut out = vec![0f32; n_rows * rank];
    for (r, row) in out.chunks_mut(rank).enumerate() {
        let mut rng = SplitMix64::for_stream(seed, stream, r as u64);
        let mut norm = 0.0f64;
        for v in row.iter_mut() {
            let g = rng.next_gaussian();
            norm += g * g;
            *v = g as f32;
        }
        let scale = if norm > 0.0 { 1.0 / norm.sqrt() } else { 0.0 };
        for v in row.iter_mut() {
            *v = (*v as f64 * scale) as f32;
            if nonnegative {
                *v = v.abs();
            }
        }
    }
    out
}
