//! Exact row solver: builds one row's normal equations and solves them by Cholesky, or by
//! active-set NNLS when factors must be nonnegative. Used for explicit ALS (Spark's solver), for
//! implicit ALS with `Solver::Cholesky`, and by fold-in.
//!
//! Explicit:  (Σ yᵢyᵢᵀ + reg·I) x = Σ rᵢ yᵢ
//! Implicit:  (α0·YᵀY + Σ (cᵢ − α0) yᵢyᵢᵀ + reg·I) x = Σ cᵢ pᵢ yᵢ   (α0 = 1: Hu, Koren, Volinsky)

use crate::csr::Csr;
use crate::error::{AlsError, Result};
use crate::linalg::{cholesky_solve, nnls_solve};
use crate::params::AlsParams;

/// Solves rows `first..` of `csr` into `rows` (consecutive vectors of `params.rank`).
#[inline(always)]
pub fn solve_rows(csr: &Csr, first: usize, rows: &mut [f32], fixed: &[f32], params: &AlsParams, gram: Option<&[f64]>) -> Result<()> {
    let k = params.rank;
    let mut scratch = Scratch::new(k);
    for (j, x) in rows.chunks_mut(k).enumerate() {
        let (cols, vals) = csr.row(first + j);
        solve_row(fixed, cols, vals, csr.n_cols, params, gram, &mut scratch, x).map_err(|e| match e {
            AlsError::Numerical(m) => AlsError::Numerical(format!("row {}: {m}", first + j)),
            other => other,
        })?;
    }
    Ok(())
}

/// Work space for one row's normal equations.
pub struct Scratch {
    a: Vec<f64>,
    b: Vec<f64>,
}

impl Scratch {
    pub fn new(rank: usize) -> Self {
        Scratch { a: vec![0.0; rank * rank], b: vec![0.0; rank] }
    }
}

/// Solves one row exactly. A row with no entries gets the zero vector. `n_cols` is the number
/// of rows of `fixed` (for frequency-scaled regularisation).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub fn solve_row(
    fixed: &[f32],
    cols: &[u32],
    vals: &[f32],
    n_cols: usize,
    params: &AlsParams,
    gram: Option<&[f64]>,
    s: &mut Scratch,
    out: &mut [f32],
) -> Result<()> {
    let k = params.rank;
    if cols.is_empty() {
        out.fill(0.0);
        return Ok(());
    }
    let (a, b) = (&mut s.a, &mut s.b);
    let a0 = params.unobserved_weight as f64;
    match gram {
        Some(g) if params.implicit_prefs => {
            for (d, &v) in a.iter_mut().zip(g) {
                *d = a0 * v;
            }
        }
        _ => a.fill(0.0),
    }
    b.fill(0.0);
    for (&i, &v) in cols.iter().zip(vals) {
        let y = &fixed[i as usize * k..(i as usize + 1) * k];
        let (w, rhs) = if params.implicit_prefs {
            let (c, p) = params.confidence_of(v);
            (c as f64 - a0, (c * p) as f64)
        } else {
            (1.0, v as f64)
        };
        for r in 0..k {
            let wy = w * y[r] as f64;
            let row = &mut a[r * k..r * k + r + 1];
            for (dst, &yc) in row.iter_mut().zip(&y[..=r]) {
                *dst += wy * yc as f64;
            }
            b[r] += rhs * y[r] as f64;
        }
    }
    // The Gram matrix arrives full; the loop above filled the lower triangle: mirror it.
    for r in 0..k {
        for c in 0..r {
            a[c * k + r] = a[r * k + c];
        }
    }
    let reg = super::row_reg(params, vals, n_cols);
    for r in 0..k {
        a[r * k + r] += reg;
    }
    if params.nonnegative {
        let x = nnls_solve(a, b, k).ok_or_else(|| not_pd(params))?;
        for (o, v) in out.iter_mut().zip(x) {
            *o = v as f32;
        }
    } else {
        if !cholesky_solve(a, b, k) {
            return Err(not_pd(params));
        }
        for (o, &v) in out.iter_mut().zip(b.iter()) {
            *o = v as f32;
        }
    }
    Ok(())
}

fn not_pd(params: &AlsParams) -> AlsError {
    AlsError::Numerical(format!("the normal equations are not positive definite (regParam {}); use a regParam > 0", params.reg_param))
}
