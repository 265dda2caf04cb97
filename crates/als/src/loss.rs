//! Training loss, so iterations can be watched and compared with other implementations.
//!
//! Explicit: [Σ_observed (r − x·y)² + Σ_rows reg·‖f‖²] / (number of ratings), the objective ALS
//! minimises (reg as in training: λ·n under Spark's scaling).
//! Implicit, as the `implicit` library computes it:
//! [Σ_all cells c (p − x·y)² + Σ_rows reg·‖f‖²] / (Σ_observed c + α0·unobserved cells),
//! where the unobserved cells (c = α0, p = 0) contribute α0·Σ_u xᵤᵀ(YᵀY)xᵤ minus the observed ones,
//! so the dense matrix is never built.

use crate::csr::{Csr, Interactions};
use crate::parallel::map_ranges;
use crate::params::AlsParams;
use crate::simd::ops::dot;
use crate::simd::{Kernel, Simd};
use crate::solvers::row_reg;

const CHUNK: usize = 1024;

/// `item_gram` (YᵀY of `items`) is required for implicit feedback.
pub fn loss(data: &Interactions, users: &[f32], items: &[f32], params: &AlsParams, item_gram: Option<&[f64]>, kernel: Kernel, threads: usize) -> f64 {
    let csr = &data.by_user;
    let g32: Vec<f32> = item_gram.map(|g| g.iter().map(|&v| v as f32).collect()).unwrap_or_default();
    let parts = map_ranges(csr.n_rows, CHUNK, threads, |_, start, end| user_terms(kernel, csr, start, end, users, items, params, &g32));
    let (mut data_term, mut total_conf) = (0.0f64, 0.0f64);
    for (d, c) in parts {
        data_term += d;
        total_conf += c;
    }
    let k = params.rank;
    let item_reg: f64 = (0..data.by_item.n_rows)
        .map(|i| {
            let y = &items[i * k..(i + 1) * k];
            row_reg(params, data.by_item.row(i).1, data.by_item.n_cols) * y.iter().map(|&v| v as f64 * v as f64).sum::<f64>()
        })
        .sum();
    let total = data_term + item_reg;
    let nnz = csr.nnz() as f64;
    if params.implicit_prefs {
        let unobserved = csr.n_rows as f64 * csr.n_cols as f64 - nnz;
        total / (total_conf + params.unobserved_weight as f64 * unobserved)
    } else {
        total / nnz.max(1.0)
    }
}

crate::multiversion! {
    fn user_terms(csr: &Csr, start: usize, end: usize, users: &[f32], items: &[f32], params: &AlsParams, gram: &[f32]) -> (f64, f64) => user_terms_with;
}

/// The data term and the user regularisation of users `start..end`, and their total confidence.
#[inline(always)]
fn user_terms_with<S: Simd>(csr: &Csr, start: usize, end: usize, users: &[f32], items: &[f32], params: &AlsParams, gram: &[f32]) -> (f64, f64) {
    let k = params.rank;
    let (mut sum, mut conf_sum) = (0.0f64, 0.0f64);
    let a0 = params.unobserved_weight as f64;
    for u in start..end {
        let x = &users[u * k..(u + 1) * k];
        let (cols, vals) = csr.row(u);
        let norm2 = dot::<S>(x, x) as f64;
        sum += row_reg(params, vals, csr.n_cols) * norm2;
        if params.implicit_prefs {
            // α0·xᵀ·G·x: every cell as if unobserved (c = α0, p = 0) …
            let mut xgx = 0.0f64;
            for (a, &xa) in x.iter().enumerate() {
                xgx += xa as f64 * dot::<S>(&gram[a * k..(a + 1) * k], x) as f64;
            }
            sum += a0 * xgx;
            // … then each observed cell corrected to c·(p − s)².
            for (&i, &v) in cols.iter().zip(vals) {
                let s = dot::<S>(&items[i as usize * k..(i as usize + 1) * k], x) as f64;
                let (c, p) = params.confidence_of(v);
                let (c, p) = (c as f64, p as f64);
                sum += c * (p - s) * (p - s) - a0 * s * s;
                conf_sum += c;
            }
        } else {
            for (&i, &v) in cols.iter().zip(vals) {
                let e = v as f64 - dot::<S>(&items[i as usize * k..(i as usize + 1) * k], x) as f64;
                sum += e * e;
            }
        }
    }
    (sum, conf_sum)
}
