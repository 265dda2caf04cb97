//! EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019): the item-item
//! weights B = I − P·diagMat(1/diag(P)) with P = (XᵀX + λI)⁻¹ for a binary users × items X,
//! i.e. B[i][j] = −P[i][j] / P[j][j] off the diagonal and 0 on it. A user's scores are x_u·B.

use crate::error::{invalid_arg, Result};
use crate::linalg::spd_inverse;
use crate::pattern::Pattern;

/// B (n_items × n_items, row-major f32) for the (user, item) pairs of `x` (each pair counts once).
pub fn ease_weights(x: &Pattern, lambda: f64, threads: usize) -> Result<Vec<f32>> {
    if !(lambda > 0.0 && lambda.is_finite()) {
        return Err(invalid_arg(format!("lambda must be a positive finite number, got {lambda}")));
    }
    let n = x.n_cols;
    let mut g = vec![0.0f64; n * n];
    let mut row: Vec<u32> = Vec::new();
    for u in 0..x.n_rows {
        row.clear();
        row.extend_from_slice(&x.indices[x.indptr[u]..x.indptr[u + 1]]);
        row.sort_unstable();
        row.dedup();
        for (a, &ia) in row.iter().enumerate() {
            let ga = &mut g[ia as usize * n..ia as usize * n + n];
            for &ib in &row[..=a] {
                ga[ib as usize] += 1.0; // ib ≤ ia: the lower triangle
            }
        }
    }
    for i in 0..n {
        g[i * n + i] += lambda;
    }
    spd_inverse(&mut g, n, threads)?;
    let mut b = vec![0.0f32; n * n];
    for i in 0..n {
        for j in 0..n {
            if i != j {
                b[i * n + j] = (-g[i * n + j] / g[j * n + j]) as f32;
            }
        }
    }
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::reference::gauss_jordan;
    use crate::rng::SplitMix64 as Rng;

    /// The paper's formulas on dense Vec<Vec<f64>>, with the plain Gauss–Jordan inverse.
    fn reference(x: &[Vec<f64>], lambda: f64) -> Vec<Vec<f64>> {
        let n = x[0].len();
        let g: Vec<Vec<f64>> =
            (0..n).map(|i| (0..n).map(|j| x.iter().map(|r| r[i] * r[j]).sum::<f64>() + if i == j { lambda } else { 0.0 }).collect()).collect();
        let p = gauss_jordan(&g);
        (0..n).map(|i| (0..n).map(|j| if i == j { 0.0 } else { -p[i][j] / p[j][j] }).collect()).collect()
    }

    #[test]
    fn matches_the_closed_form() {
        let mut rng = Rng::new(3);
        let (n_users, n_items) = (30, 11);
        let dense: Vec<Vec<f64>> = (0..n_users).map(|_| (0..n_items).map(|_| if rng.next_f64() < 0.3 { 1.0 } else { 0.0 }).collect()).collect();
        let (mut rows, mut cols) = (Vec::new(), Vec::new());
        for (u, r) in dense.iter().enumerate() {
            for (i, &v) in r.iter().enumerate() {
                if v > 0.0 {
                    // each pair twice: duplicates count once
                    rows.extend([u as u32, u as u32]);
                    cols.extend([i as u32, i as u32]);
                }
            }
        }
        let x = Pattern::from_coo(n_users, n_items, &rows, &cols).unwrap();
        let b = ease_weights(&x, 4.0, 2).unwrap();
        let expected = reference(&dense, 4.0);
        for i in 0..n_items {
            for j in 0..n_items {
                assert!((b[i * n_items + j] as f64 - expected[i][j]).abs() < 1e-6, "[{i}][{j}]: {} vs {}", b[i * n_items + j], expected[i][j]);
            }
        }
        assert!(ease_weights(&x, 0.0, 1).is_err());
    }
}
