//! The dense inverse of a symmetric positive definite matrix by Cholesky factorisation:
//! A = L·Lᵀ, W = L⁻¹, A⁻¹ = Wᵀ·W, in f64 with every inner loop over contiguous rows (dot
//! products with eight accumulators, axpy updates), the last pass spread over threads. About
//! n³/2 multiply-adds; for EASE's n × n Gram matrix (see `crate::ease`).

use crate::error::{AlsError, Result};
use crate::parallel::for_each_chunk;

/// Σ a[i]·b[i] with eight independent partial sums (vectorisable; the order is fixed, so the
/// result does not depend on the machine).
#[inline]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    let mut s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// Inverts the n × n SPD matrix `a` (row-major; only its lower triangle is read) in place: on
/// return `a` holds the full symmetric inverse. An error when `a` is not positive definite (the
/// pivot is named) or the sizes disagree.
pub fn spd_inverse(a: &mut [f64], n: usize, threads: usize) -> Result<()> {
    if a.len() != n * n {
        return Err(AlsError::InvalidArgument(format!("spd_inverse: {} values for a {n} × {n} matrix", a.len())));
    }
    // 1. Cholesky, row by row: L[i][j] = (A[i][j] − L[i][..j]·L[j][..j]) / L[j][j].
    for i in 0..n {
        let (done, rest) = a.split_at_mut(i * n);
        let row = &mut rest[..n];
        for j in 0..i {
            let lj = &done[j * n..j * n + j];
            row[j] = (row[j] - dot(&row[..j], lj)) / done[j * n + j];
        }
        let d = row[i] - dot(&row[..i], &row[..i]);
        if !(d > 0.0 && d.is_finite()) {
            return Err(AlsError::Numerical(format!("the matrix is not positive definite (pivot {i} is {d})")));
        }
        row[i] = d.sqrt();
    }
    // 2. W = L⁻¹ (lower triangular), row by row: W[i] = (e_i − Σ_{k<i} L[i][k]·W[k]) / L[i][i].
    let mut w = vec![0.0f64; n * n];
    for i in 0..n {
        let (done, rest) = w.split_at_mut(i * n);
        let wi = &mut rest[..n];
        for k in 0..i {
            let l = a[i * n + k];
            if l != 0.0 {
                for (x, y) in wi[..=k].iter_mut().zip(&done[k * n..k * n + k + 1]) {
                    *x -= l * y;
                }
            }
        }
        let d = 1.0 / a[i * n + i];
        wi[..i].iter_mut().for_each(|x| *x *= d);
        wi[i] = d;
    }
    // 3. A⁻¹[i][c] = Σ_{k ≥ i} W[k][i]·W[k][c] for c ≤ i (W[k][c] is 0 for c > k), rows in parallel.
    for_each_chunk(a, n, 8, threads, |_, first, rows| {
        for (r, out) in rows.chunks_mut(n).enumerate() {
            let i = first + r;
            out.fill(0.0);
            for k in i..n {
                let f = w[k * n + i];
                if f != 0.0 {
                    for (x, y) in out[..=i].iter_mut().zip(&w[k * n..k * n + i + 1]) {
                        *x += f * y;
                    }
                }
            }
        }
    });
    for i in 0..n {
        for c in 0..i {
            a[c * n + i] = a[i * n + c];
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::reference::gauss_jordan;
    use crate::rng::SplitMix64 as Rng;

    #[test]
    fn matches_gauss_jordan_on_random_spd_matrices() {
        let mut rng = Rng::new(7);
        for &n in &[1usize, 2, 9, 17, 40] {
            let m: Vec<Vec<f64>> = (0..n).map(|_| (0..n).map(|_| rng.next_f64() - 0.5).collect()).collect();
            let spd: Vec<Vec<f64>> =
                (0..n).map(|i| (0..n).map(|j| (0..n).map(|k| m[i][k] * m[j][k]).sum::<f64>() + if i == j { 0.5 } else { 0.0 }).collect()).collect();
            let expected = gauss_jordan(&spd);
            for threads in [1, 3] {
                let mut a: Vec<f64> = spd.iter().flatten().copied().collect();
                spd_inverse(&mut a, n, threads).unwrap();
                for i in 0..n {
                    for j in 0..n {
                        assert!(
                            (a[i * n + j] - expected[i][j]).abs() < 1e-9 * (1.0 + expected[i][j].abs()),
                            "n {n} [{i}][{j}]: {} vs {}",
                            a[i * n + j],
                            expected[i][j]
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn refuses_a_matrix_that_is_not_positive_definite() {
        let mut a = vec![1.0, 2.0, 2.0, 1.0];
        assert!(matches!(spd_inverse(&mut a, 2, 1), Err(AlsError::Numerical(m)) if m.contains("pivot 1")));
        assert!(matches!(spd_inverse(&mut [1.0; 3], 2, 1), Err(AlsError::InvalidArgument(_))));
    }
}
