//! The Gram matrix YᵀY of a factor matrix (rank × rank), shared by every row of an implicit
//! half-step: the unobserved cells' contribution computed once instead of per row.

use crate::parallel::map_ranges;
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

/// Rows per pass over the tiles: their factor rows stay in L2 while every tile reads them.
const SUB_ROWS: usize = 64;

/// Σ yᵀy over `rows` in f32, register-tiled: each 4-row by 2-vector tile of the upper triangle
/// keeps its sums in registers over a block of rows, then the lower triangle is mirrored. Every
/// sum runs over the rows in order, so the values are those of one rank-1 update per row.
#[inline(always)]
fn chunk_gram_with<S: Simd>(rows: &[f32], rank: usize) -> Vec<f32> {
    let (k, w) = (rank, S::W);
    let kv = k - k % w;
    let n = rows.len() / k;
    let mut acc = vec![0f32; k * k];
    for start in (0..n).step_by(SUB_ROWS) {
        let block = &rows[start * k..(start + SUB_ROWS).min(n) * k];
        for a0 in (0..k).step_by(TILE_ROWS) {
            let mut c = (a0 / w) * w;
            while c + 2 * w <= kv {
                tile_any::<S, 2>(block, k, a0, c, &mut acc);
                c += 2 * w;
            }
            if c < kv {
                tile_any::<S, 1>(block, k, a0, c, &mut acc);
            }
            for a in a0..(a0 + TILE_ROWS).min(k) {
                for y in block.chunks_exact(k) {
                    for b in kv..k {
                        acc[a * k + b] += y[a] * y[b];
                    }
                }
            }
        }
    }
    for a in 0..k {
        for b in 0..a {
            acc[a * k + b] = acc[b * k + a];
        }
    }
    acc
}

/// Gram rows per register tile.
const TILE_ROWS: usize = 4;

#[inline(always)]
fn tile_any<S: Simd, const NB: usize>(block: &[f32], k: usize, a0: usize, c: usize, acc: &mut [f32]) {
    match k - a0 {
        1 => tile::<S, 1, NB>(block, k, a0, c, acc),
        2 => tile::<S, 2, NB>(block, k, a0, c, acc),
        3 => tile::<S, 3, NB>(block, k, a0, c, acc),
        _ => tile::<S, TILE_ROWS, NB>(block, k, a0, c, acc),
    }
}

/// acc[a0 + i][c + j·W..] += Σ over the block's rows y of y[a0 + i]·y[c + j·W..], for i < MA, j < NB.
#[inline(always)]
fn tile<S: Simd, const MA: usize, const NB: usize>(block: &[f32], k: usize, a0: usize, c: usize, acc: &mut [f32]) {
    let w = S::W;
    assert!(a0 + MA <= k && c + NB * w <= k && acc.len() == k * k && block.len() % k == 0);
    // Safety: the assert bounds every row index (< a0 + MA) and column (< c + NB·W) by k, and
    // each row of `block` holds k floats.
    unsafe {
        let mut t = [[S::zero(); NB]; MA];
        for i in 0..MA {
            for j in 0..NB {
                t[i][j] = S::load(acc.as_ptr().add((a0 + i) * k + c + j * w));
            }
        }
        for y in block.chunks_exact(k) {
            let p = y.as_ptr();
            let yb: [S::V; NB] = std::array::from_fn(|j| S::load(p.add(c + j * w)));
            for i in 0..MA {
                let ya = S::splat(*p.add(a0 + i));
                for j in 0..NB {
                    t[i][j] = S::fma(ya, yb[j], t[i][j]);
                }
            }
        }
        for i in 0..MA {
            for j in 0..NB {
                S::store(acc.as_mut_ptr().add((a0 + i) * k + c + j * w), t[i][j]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain definition: one rank-1 update per row, in f32.
    fn rank_one_updates(rows: &[f32], k: usize) -> Vec<f32> {
        let mut acc = vec![0f32; k * k];
        for y in rows.chunks_exact(k) {
            for a in 0..k {
                for b in 0..k {
                    acc[a * k + b] += y[a] * y[b];
                }
            }
        }
        acc
    }

    #[test]
    fn equals_the_definition_and_ignores_thread_count() {
        let mut rng = crate::rng::SplitMix64::new(3);
        for (n, k) in [(5000, 7), (3000, 8), (2100, 21), (1100, 64), (700, 77)] {
            let y: Vec<f32> = (0..n * k).map(|_| rng.next_gaussian() as f32).collect();
            let g1 = gram(&y, k, 1);
            let g2 = gram(&y, k, 2);
            assert_eq!(g1, g2);
            for a in 0..k {
                for b in 0..k {
                    let want: f64 = (0..n).map(|r| y[r * k + a] as f64 * y[r * k + b] as f64).sum();
                    assert!((g1[a * k + b] - want).abs() < 1e-4 * (1.0 + want.abs()) * (n as f64).sqrt(), "n={n} k={k} ({a}, {b})");
                    assert_eq!(g1[a * k + b], g1[b * k + a]);
                }
            }
            for kernel in [Kernel::Avx512, Kernel::Avx2, Kernel::Scalar] {
                if kernel.supported() {
                    let g = chunk_gram(kernel, &y[..1000.min(n) * k], k);
                    let want = rank_one_updates(&y[..1000.min(n) * k], k);
                    for (x, v) in g.iter().zip(&want) {
                        assert!((x - v).abs() <= 1e-4 * (1.0 + v.abs()), "{kernel:?} k={k}: {x} vs {v}");
                    }
                }
            }
        }
    }
}
