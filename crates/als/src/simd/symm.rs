//! The product of a symmetric k × k matrix with a batch of k-vectors (G·P, P stored as one vector
//! per row), register-tiled: each tile keeps 3 vectors' sums over 2 SIMD widths of output in
//! registers while it walks G's column strip (G's row strip, by symmetry), so the strip is read
//! from L1 once per 3 vectors instead of G streaming from L2 once per vector.

use super::ops::dot;
use super::Simd;

/// Vectors per register tile (each with two sets of sums: even and odd columns of G, so even a
/// one-vector tile has independent FMA chains; the same arithmetic whatever the tile's height).
const TILE_VECTORS: usize = 3;

/// out[j] = G·inp[j] for every k-vector j of `inp` (G symmetric, k × k row-major).
#[inline(always)]
pub fn symm_times<S: Simd>(g: &[f32], k: usize, inp: &[f32], out: &mut [f32]) {
    assert!(g.len() == k * k && inp.len() == out.len() && inp.len() % k.max(1) == 0);
    let w = S::W;
    let kv = k - k % w;
    let mut a = 0;
    while a + 2 * w <= kv {
        strip::<S, 2>(g, k, inp, out, a);
        a += 2 * w;
    }
    if a < kv {
        strip::<S, 1>(g, k, inp, out, a);
    }
    for a in kv..k {
        for (x, o) in inp.chunks_exact(k).zip(out.chunks_exact_mut(k)) {
            o[a] = dot::<S>(&g[a * k..(a + 1) * k], x);
        }
    }
}

#[inline(always)]
fn strip<S: Simd, const NB: usize>(g: &[f32], k: usize, inp: &[f32], out: &mut [f32], a: usize) {
    let n = inp.len() / k;
    for j0 in (0..n).step_by(TILE_VECTORS) {
        match n - j0 {
            1 => tile::<S, 1, NB>(g, k, inp, out, a, j0),
            2 => tile::<S, 2, NB>(g, k, inp, out, a, j0),
            3 => tile::<S, 3, NB>(g, k, inp, out, a, j0),
            _ => tile::<S, TILE_VECTORS, NB>(g, k, inp, out, a, j0),
        }
    }
}

/// out[j0 + i][a + c·W..] = Σ_b inp[j0 + i][b]·G[b][a + c·W..], for i < MR, c < NB.
#[inline(always)]
fn tile<S: Simd, const MR: usize, const NB: usize>(g: &[f32], k: usize, inp: &[f32], out: &mut [f32], a: usize, j0: usize) {
    let w = S::W;
    assert!(a + NB * w <= k && (j0 + MR) * k <= inp.len());
    // Safety: the assert keeps every column below k and every vector inside `inp` / `out`
    // (same length), and G holds k rows of k.
    unsafe {
        let (mut even, mut odd) = ([[S::zero(); NB]; MR], [[S::zero(); NB]; MR]);
        let (gp, xp) = (g.as_ptr(), inp.as_ptr().add(j0 * k));
        let mut b = 0;
        while b + 1 < k {
            column::<S, MR, NB>(&mut even, gp, xp, k, a, b);
            column::<S, MR, NB>(&mut odd, gp, xp, k, a, b + 1);
            b += 2;
        }
        if b < k {
            column::<S, MR, NB>(&mut even, gp, xp, k, a, b);
        }
        let acc: [[S::V; NB]; MR] = std::array::from_fn(|i| std::array::from_fn(|c| S::add(even[i][c], odd[i][c])));
        let op = out.as_mut_ptr().add(j0 * k);
        for i in 0..MR {
            for c in 0..NB {
                S::store(op.add(i * k + a + c * w), acc[i][c]);
            }
        }
    }
}

/// acc[i][c] += inp[j0 + i][b]·G[b][a + c·W..] (xp points at inp[j0]).
///
/// # Safety
/// G must hold row b up to column a + NB·W, and xp MR vectors of k floats.
#[inline(always)]
unsafe fn column<S: Simd, const MR: usize, const NB: usize>(
    acc: &mut [[S::V; NB]; MR],
    gp: *const f32,
    xp: *const f32,
    k: usize,
    a: usize,
    b: usize,
) {
    let w = S::W;
    let gv: [S::V; NB] = std::array::from_fn(|c| S::load(gp.add(b * k + a + c * w)));
    for (i, row) in acc.iter_mut().enumerate() {
        let s = S::splat(*xp.add(i * k + b));
        for (c, v) in row.iter_mut().enumerate() {
            *v = S::fma(s, gv[c], *v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::Kernel;

    crate::multiversion! {
        fn run(g: &[f32], k: usize, inp: &[f32], out: &mut [f32]) => symm_times;
    }

    #[test]
    fn equals_matrix_times_each_vector_for_every_shape_and_kernel() {
        let mut rng = crate::rng::SplitMix64::new(9);
        for k in [1, 3, 8, 13, 16, 24, 40, 64, 67, 256] {
            let mut g = vec![0f32; k * k];
            for a in 0..k {
                for b in 0..=a {
                    let v = rng.next_gaussian() as f32;
                    g[a * k + b] = v;
                    g[b * k + a] = v;
                }
            }
            for n in [0, 1, 5, 6, 7, 16] {
                let inp: Vec<f32> = (0..n * k).map(|_| rng.next_gaussian() as f32).collect();
                for kernel in [Kernel::Avx512, Kernel::Avx2, Kernel::Scalar] {
                    if !kernel.supported() {
                        continue;
                    }
                    let mut out = vec![f32::NAN; n * k];
                    run(kernel, &g, k, &inp, &mut out);
                    for j in 0..n {
                        for a in 0..k {
                            let want: f64 = (0..k).map(|b| g[a * k + b] as f64 * inp[j * k + b] as f64).sum();
                            let got = out[j * k + a] as f64;
                            assert!(
                                (got - want).abs() < 1e-4 * (k as f64).sqrt() * (1.0 + want.abs()),
                                "{kernel:?} k={k} n={n} ({j}, {a}): {got} vs {want}"
                            );
                        }
                    }
                }
            }
        }
    }
}
