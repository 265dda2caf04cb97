//! Block (subspace) coordinate-descent row solver for implicit ALS: iALS++ (Rendle, Krichene,
//! Zhang, Koren 2021). One sweep per half-step, warm-started from the current factors: the rank
//! is cut into blocks of `size` coordinates, and each block is solved exactly with the other
//! coordinates fixed. The row's predictions on its observed items and α0·YᵀY·x are kept up to
//! date after every block, so a sweep costs O(nnz·rank·size + rank²) per row instead of the exact
//! solve's O(nnz·rank² + rank³), and large ranks stay affordable. `size` ≥ rank is the exact solve.
//!
//! Row system: (α0·YᵀY + Σ (cₙ − α0) yₙyₙᵀ + reg·I) x = Σ cₙ pₙ yₙ. For block B, with sₙ = yₙ·x:
//!   A_BB δ = Σ (cₙpₙ − (cₙ − α0) sₙ) yₙ,B − (α0·YᵀY·x)_B − reg·x_B,   x_B += δ.

use crate::csr::Csr;
use crate::error::{AlsError, Result};
use crate::linalg::cholesky_solve;
use crate::params::AlsParams;
use crate::simd::lower_dots::lower_dots;
use crate::simd::ops::{axpy, dot};
use crate::simd::Simd;

/// Updates rows `first..` of `csr` (consecutive vectors in `rows`) in place. `gram` is α0·YᵀY of
/// `fixed` in f32, rank × rank (symmetric).
#[inline(always)]
pub fn solve_rows<S: Simd>(csr: &Csr, first: usize, rows: &mut [f32], fixed: &[f32], params: &AlsParams, gram: &[f32], size: usize) -> Result<()> {
    let k = params.rank;
    let b = size.clamp(1, k);
    let a0 = params.unobserved_weight;
    let (mut pred, mut weight, mut target, mut coef) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // The block's coordinates of the row's item vectors, transposed (one contiguous run of nnz
    // per coordinate), plain and weighted: every sum over the row's items is then a SIMD dot.
    let (mut yt, mut wyt) = (Vec::new(), Vec::new());
    let mut gx = vec![0f32; k];
    let (mut a, mut delta) = (vec![0f64; b * b], vec![0f64; b]);
    let mut step = vec![0f32; b];
    // The block's Σ (cₙ − α0) yₙ,B yₙ,Bᵀ (lower triangle), in f32.
    let mut yty = vec![0f32; b * b];
    for (j, x) in rows.chunks_mut(k).enumerate() {
        let (cols, vals) = csr.row(first + j);
        if cols.is_empty() {
            x.fill(0.0);
            continue;
        }
        let nn = cols.len();
        pred.clear();
        weight.clear();
        target.clear();
        for (&i, &v) in cols.iter().zip(vals) {
            let (c, p) = params.confidence_of(v);
            weight.push(c - a0);
            target.push(c * p);
            pred.push(dot::<S>(row_of(fixed, i, k), x));
        }
        coef.resize(nn, 0.0);
        yt.resize(b * nn, 0.0);
        wyt.resize(b * nn, 0.0);
        let reg = super::row_reg(params, vals, csr.n_cols) as f32;
        for (q, g) in gx.iter_mut().enumerate() {
            *g = dot::<S>(&gram[q * k..(q + 1) * k], x);
        }
        let mut start = 0;
        while start < k {
            let m = b.min(k - start);
            for (n, &i) in cols.iter().enumerate() {
                let yb = &row_of(fixed, i, k)[start..start + m];
                let w = weight[n];
                for (q, &y) in yb.iter().enumerate() {
                    yt[q * nn + n] = y;
                    wyt[q * nn + n] = w * y;
                }
                coef[n] = target[n] - w * pred[n];
            }
            let (a, delta) = (&mut a[..m * m], &mut delta[..m]);
            lower_dots::<S>(&wyt, &yt, m, nn, &mut yty);
            for q in 0..m {
                let yq = &yt[q * nn..(q + 1) * nn];
                let g = &gram[(start + q) * k + start..(start + q) * k + start + m];
                for c in 0..=q {
                    let v = (g[c] + yty[q * m + c]) as f64;
                    a[q * m + c] = v;
                    a[c * m + q] = v;
                }
                a[q * m + q] += reg as f64;
                delta[q] = (dot::<S>(yq, &coef) - gx[start + q] - reg * x[start + q]) as f64;
            }
            if !cholesky_solve(a, delta, m) {
                return Err(AlsError::Numerical(format!(
                    "row {}: a block of the normal equations is not positive definite (regParam {}); use a regParam > 0",
                    first + j,
                    params.reg_param
                )));
            }
            let step = &mut step[..m];
            for q in 0..m {
                step[q] = delta[q] as f32;
                x[start + q] += step[q];
                axpy::<S>(step[q], &yt[q * nn..(q + 1) * nn], &mut pred);
            }
            // G is symmetric: its column start + q is its row start + q.
            for (q, &d) in step.iter().enumerate() {
                axpy::<S>(d, &gram[(start + q) * k..(start + q + 1) * k], &mut gx);
            }
            start += m;
        }
    }
    Ok(())
}

#[inline(always)]
fn row_of(fixed: &[f32], i: u32, k: usize) -> &[f32] {
    &fixed[i as usize * k..(i as usize + 1) * k]
}
