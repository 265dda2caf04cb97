//! Conjugate-gradient row solver for implicit ALS (Takács, Pilászy, Tikk 2011), warm-started
//! from the current factors, as the `implicit` library does. A fixed number of steps per row
//! gives most of the exact solve's accuracy at O(nnz·rank) instead of O(nnz·rank²).

use crate::csr::Csr;
use crate::params::AlsParams;
use crate::simd::ops::{axpy, dot};
use crate::simd::sparse::sparse_update;
use crate::simd::Simd;

const EPS: f32 = 1e-20;

/// Updates rows `first..` of `csr` (consecutive vectors in `rows`) in place.
/// `gram` is α0·YᵀY of `fixed` in f32, rank × rank.
#[inline(always)]
pub fn solve_rows<S: Simd>(csr: &Csr, first: usize, rows: &mut [f32], fixed: &[f32], params: &AlsParams, gram: &[f32], steps: u32) {
    let k = params.rank;
    let (mut r, mut p, mut ap) = (vec![0f32; k], vec![0f32; k], vec![0f32; k]);
    let (mut rhs, mut neg_w) = (Vec::new(), Vec::new());
    let a0 = params.unobserved_weight;
    // Entries whose weight c − α0 is zero add nothing to A·p: the CG steps skip them.
    let (mut wcols, mut wvals) = (Vec::new(), Vec::new());
    for (j, x) in rows.chunks_mut(k).enumerate() {
        let (cols, vals) = csr.row(first + j);
        if cols.is_empty() {
            x.fill(0.0);
            continue;
        }
        rhs.clear();
        neg_w.clear();
        wcols.clear();
        wvals.clear();
        for (&i, &v) in cols.iter().zip(vals) {
            let (c, pref) = params.confidence_of(v);
            neg_w.push(a0 - c);
            rhs.push(c * pref);
            if c != a0 {
                wcols.push(i);
                wvals.push(c - a0);
            }
        }
        let reg = super::row_reg(params, vals, csr.n_cols) as f32;

        // r = b − A·x, with A·x = α0·YᵀY·x + reg·x + Σ (c−α0)(y·x) y
        gram_times::<S>(gram, x, &mut r, k);
        for (rv, &xv) in r.iter_mut().zip(x.iter()) {
            *rv = -*rv - reg * xv;
        }
        sparse_update::<S>(fixed, k, cols, Some(&rhs), &neg_w, x, &mut r);
        p.copy_from_slice(&r);
        let mut rs_old = dot::<S>(&r, &r);
        for _ in 0..steps {
            if rs_old < EPS {
                break;
            }
            // ap = A·p
            gram_times::<S>(gram, &p, &mut ap, k);
            axpy::<S>(reg, &p, &mut ap);
            sparse_update::<S>(fixed, k, &wcols, None, &wvals, &p, &mut ap);
            let alpha = rs_old / dot::<S>(&p, &ap);
            axpy::<S>(alpha, &p, x);
            axpy::<S>(-alpha, &ap, &mut r);
            let rs_new = dot::<S>(&r, &r);
            if rs_new < EPS {
                break;
            }
            let beta = rs_new / rs_old;
            for (pv, &rv) in p.iter_mut().zip(r.iter()) {
                *pv = rv + beta * *pv;
            }
            rs_old = rs_new;
        }
    }
}

/// out = G·v for the symmetric rank × rank matrix G.
#[inline(always)]
fn gram_times<S: Simd>(g: &[f32], v: &[f32], out: &mut [f32], k: usize) {
    for (a, o) in out.iter_mut().enumerate() {
        *o = dot::<S>(&g[a * k..(a + 1) * k], v);
    }
}
