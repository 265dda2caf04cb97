//! The lower triangle of A·Bᵀ for two m × n row-major matrices (every dot product of a row of A
//! with a row of B at or before it), register-tiled: 4 rows of A by 3 rows of B share each
//! vector load, twelve sums in registers, one horizontal sum per pair at the end. The block
//! solver builds each block's normal equations with it.

use super::Simd;

const TILE_A: usize = 4;
const TILE_B: usize = 3;

/// out[q·m + c] = a_q · b_c for every c ≤ q < m (other entries untouched); rows are n long.
#[inline(always)]
pub fn lower_dots<S: Simd>(a: &[f32], b: &[f32], m: usize, n: usize, out: &mut [f32]) {
    assert!(a.len() >= m * n && b.len() >= m * n && out.len() >= m * m);
    for q0 in (0..m).step_by(TILE_A) {
        let q_end = (q0 + TILE_A).min(m);
        for c0 in (0..q_end).step_by(TILE_B) {
            tile::<S>(a, b, m, n, q0, c0, out);
        }
    }
}

/// The pairs (q0 + i, c0 + j) with c ≤ q < m; rows past m are read from row m − 1 and dropped.
#[inline(always)]
fn tile<S: Simd>(a: &[f32], b: &[f32], m: usize, n: usize, q0: usize, c0: usize, out: &mut [f32]) {
    let w = S::W;
    let nv = n - n % w;
    let ar: [&[f32]; TILE_A] = std::array::from_fn(|i| {
        let q = (q0 + i).min(m - 1);
        &a[q * n..(q + 1) * n]
    });
    let br: [&[f32]; TILE_B] = std::array::from_fn(|j| {
        let c = (c0 + j).min(m - 1);
        &b[c * n..(c + 1) * n]
    });
    let mut acc = [[0f32; TILE_B]; TILE_A];
    // Safety: every row slice holds n floats and the vector loads stop at nv ≤ n.
    unsafe {
        let mut s = [[S::zero(); TILE_B]; TILE_A];
        let mut t = 0;
        while t < nv {
            let bv: [S::V; TILE_B] = std::array::from_fn(|j| S::load(br[j].as_ptr().add(t)));
            for i in 0..TILE_A {
                let av = S::load(ar[i].as_ptr().add(t));
                for j in 0..TILE_B {
                    s[i][j] = S::fma(av, bv[j], s[i][j]);
                }
            }
            t += w;
        }
        for i in 0..TILE_A {
            for j in 0..TILE_B {
                acc[i][j] = S::hsum(s[i][j]);
            }
        }
    }
    for t in nv..n {
        for i in 0..TILE_A {
            for j in 0..TILE_B {
                acc[i][j] += ar[i][t] * br[j][t];
            }
        }
    }
    for (i, row) in acc.iter().enumerate() {
        let q = q0 + i;
        for (j, &v) in row.iter().enumerate() {
            let c = c0 + j;
            if q < m && c <= q {
                out[q * m + c] = v;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::Kernel;

    crate::multiversion! {
        fn run(a: &[f32], b: &[f32], m: usize, n: usize, out: &mut [f32]) => lower_dots;
    }

    #[test]
    fn equals_every_dot_product_of_the_lower_triangle() {
        let mut rng = crate::rng::SplitMix64::new(4);
        for m in [1, 2, 3, 4, 5, 7, 12, 32] {
            for n in [0, 1, 7, 8, 9, 31, 100] {
                let a: Vec<f32> = (0..m * n).map(|_| rng.next_gaussian() as f32).collect();
                let b: Vec<f32> = (0..m * n).map(|_| rng.next_gaussian() as f32).collect();
                for kernel in [Kernel::Avx512, Kernel::Avx2, Kernel::Scalar] {
                    if !kernel.supported() {
                        continue;
                    }
                    let mut out = vec![f32::NAN; m * m];
                    run(kernel, &a, &b, m, n, &mut out);
                    for q in 0..m {
                        for c in 0..m {
                            let got = out[q * m + c];
                            if c > q {
                                assert!(got.is_nan(), "{kernel:?} m={m} n={n}: ({q}, {c}) written");
                                continue;
                            }
                            let want: f64 = (0..n).map(|t| a[q * n + t] as f64 * b[c * n + t] as f64).sum();
                            assert!((got as f64 - want).abs() < 1e-4 * (1.0 + n as f64), "{kernel:?} m={m} n={n} ({q}, {c}): {got} vs {want}");
                        }
                    }
                }
            }
        }
    }
}
