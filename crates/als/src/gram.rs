//! The Gram matrix YᵀY of a factor matrix (rank × rank), shared by every row of an implicit
//! half-step: the unobserved cells' contribution computed once instead of per row.

use crate::parallel::map_ranges;

/// YᵀY in f64 (full symmetric, row-major), summed over fixed chunks in order so the result does
/// not depend on `threads`.
pub fn gram(factors: &[f32], rank: usize, threads: usize) -> Vec<f64> {
    let n = factors.len() / rank;
    let partials = map_ranges(n, 2048, threads, |_, start, end| {
        let mut acc = vec![0f64; rank * rank];
        for r in start..end {
            let y = &factors[r * rank..(r + 1) * rank];
            for a in 0..rank {
                let ya = y[a] as f64;
                let row = &mut acc[a * rank..a * rank + a + 1];
                for (dst, &yb) in row.iter_mut().zip(&y[..=a]) {
                    *dst += ya * yb as f64;
                }
            }
        }
        acc
    });
    let mut g = vec![0f64; rank * rank];
    for p in &partials {
        for (d, s) in g.iter_mut().zip(p) {
            *d += s;
        }
    }
    for a in 0..rank {
        for b in 0..a {
            g[b * rank + a] = g[a * rank + b];
        }
    }
    g
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
                assert!((g1[a * k + b] - want).abs() < 1e-9 * (1.0 + want.abs()));
            }
        }
    }
}
