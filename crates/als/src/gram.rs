//! The Gram matrix YᵀY of a factor matrix (rank × rank), shared by every row of an implicit
//! half-step: the unobserved cells' contribution computed once instead of per row.

use crate::parallel::map_ranges;
use crate::simd::ops::axpy;
use crate::simd::{Kernel, Simd};

/// Rows per partial sum: f32 accumulation over a chunk, f64 across chunks.
const CHUNK: usize = 1024;

/// YᵀY in f64 (full symmetric, row-major), summed over fixed chunks in order so the result does
/// not depend on `threads`.
pub fn gram(factors: &[f32], rank: usize, threads: usize) -> Vec<f64> {
    let n = factors.len() / rank;
    let kernel = Kernel::active();
    let partials = map_ranges(n, CHUNK, threads, |_, start, end| chunk_gram(kernel, &factors[start * rank..end * rank], rank));
    let mut g = vec![0f64; rank * rank];
    for p in &partials {
        for (d, &s) in g.iter_mut().zip(p) {
            *d += s as f64;
        }
    }
    g
}

crate::multiversion! {
    fn chunk_gram(rows: &[f32], rank: usize) -> Vec<f32> => chunk_gram_with;
}

#[inline(always)]
fn chunk_gram_with<S: Simd>(rows: &[f32], rank: usize) -> Vec<f32> {
    let mut acc = vec![0f32; rank * rank];
    for y in rows.chunks_exact(rank) {
        for (a, &ya) in y.iter().enumerate() {
            axpy::<S>(ya, y, &mut acc[a * rank..(a + 1) * rank]);
        }
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equals_the_definition_and_ignores_thread_count() {
        let mut rng = crate::rng::SplitMix64::new(3);
        let (n, k) = (5000, 7);
        let y: Vec<f32> = (0..n * k).map(|_| rng.next_gaussian() as f32).collect();
        let g1 = gram(&y, k, 1);
        let g2 = gram(&y, k, 2);
        assert_eq!(g1, g2);
        for a in 0..k {
            for b in 0..k {
                let want: f64 = (0..n).map(|r| y[r * k + a] as f64 * y[r * k + b] as f64).sum();
                assert!((g1[a * k + b] - want).abs() < 1e-4 * (1.0 + want.abs()));
                assert_eq!(g1[a * k + b], g1[b * k + a]);
            }
        }
    }
}
