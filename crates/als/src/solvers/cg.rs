//! Conjugate-gradient row solver for implicit ALS (Takács, Pilászy, Tikk 2011), warm-started
//! from the current factors, as the `implicit` library does. A fixed number of steps per row
//! gives most of the exact solve's accuracy at O(nnz·rank) instead of O(nnz·rank²).

use crate::csr::Csr;
use crate::params::AlsParams;
use crate::simd::ops::{axpy, dot};
use crate::simd::sparse::sparse_update;
use crate::simd::symm::symm_times;
use crate::simd::Simd;

const EPS: f32 = 1e-20;

/// Rows solved in lock-step: each CG step multiplies the Gram matrix by all their search
/// directions at once (one k × k by k × BATCH product) instead of one matrix-vector product per
/// row, so G is read once per batch rather than once per row.
pub const BATCH: usize = 16;

/// Updates rows `first..` of `csr` (consecutive vectors in `rows`) in place.
/// `gram` is α0·YᵀY of `fixed` in f32, rank × rank (symmetric).
#[inline(always)]
pub fn solve_rows<S: Simd>(csr: &Csr, first: usize, rows: &mut [f32], fixed: &[f32], params: &AlsParams, gram: &[f32], steps: u32) {
    solve_batched::<S>(csr, first, rows, fixed, params, gram, steps, BATCH, L2_BUDGET)
}

/// Bytes of item vectors a batch may gather (half of this host's 512 KiB L2 per core).
pub const L2_BUDGET: usize = 256 * 1024;

/// [`solve_rows`] with up to `batch` rows in lock-step, fewer when their item vectors would
/// exceed `budget` bytes. Every row's arithmetic is the same whatever the batch: each row takes
/// exactly the steps the one-row CG would.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub fn solve_batched<S: Simd>(
    csr: &Csr,
    first: usize,
    rows: &mut [f32],
    fixed: &[f32],
    params: &AlsParams,
    gram: &[f32],
    steps: u32,
    batch: usize,
    budget: usize,
) {
    let k = params.rank;
    let batch = batch.max(1);
    let (mut r, mut p, mut ap) = (vec![0f32; batch * k], vec![0f32; batch * k], vec![0f32; batch * k]);
    let (mut reg, mut rs, mut live) = (vec![0f32; batch], vec![0f32; batch], vec![false; batch]);
    let (mut rhs, mut neg_w) = (Vec::new(), Vec::new());
    let a0 = params.unobserved_weight;
    // Entries whose weight c − α0 is zero add nothing to A·p: the CG steps skip them. The
    // batch's rows are concatenated, row j's in ends[j]..ends[j + 1].
    let (mut wcols, mut wvals, mut ends) = (Vec::new(), Vec::new(), Vec::new());
    let n_rows = rows.len() / k.max(1);
    let bytes = |j: usize| csr.row(first + j).0.len() * k * 4;
    let mut j0 = 0;
    while j0 < n_rows {
        // The batch ends before its rows' item vectors outgrow `budget`: each CG step gathers
        // them again, and they should still be in L2.
        let (mut end, mut held) = (j0 + 1, bytes(j0));
        while end < n_rows && end - j0 < batch && held + bytes(end) <= budget {
            held += bytes(end);
            end += 1;
        }
        let (base, xs) = (first + j0, &mut rows[j0 * k..end * k]);
        j0 = end;
        let nb = xs.len() / k;
        // r = b − A·x, with A·x = α0·YᵀY·x + reg·x + Σ (c−α0)(y·x) y
        symm_times::<S>(gram, k, xs, &mut r[..nb * k]);
        wcols.clear();
        wvals.clear();
        ends.clear();
        ends.push(0);
        for (j, x) in xs.chunks_mut(k).enumerate() {
            let (cols, vals) = csr.row(base + j);
            let (rj, pj) = (&mut r[j * k..(j + 1) * k], &mut p[j * k..(j + 1) * k]);
            if cols.is_empty() {
                x.fill(0.0);
                pj.fill(0.0);
                live[j] = false;
                ends.push(wcols.len());
                continue;
            }
            rhs.clear();
            neg_w.clear();
            for (&i, &v) in cols.iter().zip(vals) {
                let (c, pref) = params.confidence_of(v);
                neg_w.push(a0 - c);
                rhs.push(c * pref);
                if c != a0 {
                    wcols.push(i);
                    wvals.push(c - a0);
                }
            }
            ends.push(wcols.len());
            reg[j] = super::row_reg(params, vals, csr.n_cols) as f32;
            for (rv, &xv) in rj.iter_mut().zip(x.iter()) {
                *rv = -*rv - reg[j] * xv;
            }
            sparse_update::<S>(fixed, k, cols, Some(&rhs), &neg_w, x, rj);
            pj.copy_from_slice(rj);
            rs[j] = dot::<S>(rj, rj);
            live[j] = rs[j] >= EPS;
        }
        for _ in 0..steps {
            if !live[..nb].contains(&true) {
                break;
            }
            // ap = A·p, the Gram part for the whole batch (rows already done included: cheaper
            // than packing the live ones).
            symm_times::<S>(gram, k, &p[..nb * k], &mut ap[..nb * k]);
            for (j, x) in xs.chunks_mut(k).enumerate() {
                if !live[j] {
                    continue;
                }
                let (pj, apj, rj) = (&mut p[j * k..(j + 1) * k], &mut ap[j * k..(j + 1) * k], &mut r[j * k..(j + 1) * k]);
                axpy::<S>(reg[j], pj, apj);
                sparse_update::<S>(fixed, k, &wcols[ends[j]..ends[j + 1]], None, &wvals[ends[j]..ends[j + 1]], pj, apj);
                let alpha = rs[j] / dot::<S>(pj, apj);
                axpy::<S>(alpha, pj, x);
                axpy::<S>(-alpha, apj, rj);
                let rs_new = dot::<S>(rj, rj);
                if rs_new < EPS {
                    live[j] = false;
                    continue;
                }
                let beta = rs_new / rs[j];
                for (pv, &rv) in pj.iter_mut().zip(rj.iter()) {
                    *pv = rv + beta * *pv;
                }
                rs[j] = rs_new;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{Confidence, RegScaling, Solver};
    use crate::rng::SplitMix64;
    use crate::simd::Kernel;

    crate::multiversion! {
        fn run(csr: &Csr, rows: &mut [f32], fixed: &[f32], params: &AlsParams, gram: &[f32], steps: u32, batch: usize, budget: usize) => batched;
    }

    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn batched<S: Simd>(csr: &Csr, rows: &mut [f32], fixed: &[f32], params: &AlsParams, gram: &[f32], steps: u32, batch: usize, budget: usize) {
        solve_batched::<S>(csr, 0, rows, fixed, params, gram, steps, batch, budget)
    }

    /// Plain CG in f64 on the row's system, from the same start: the independent reference.
    #[allow(clippy::too_many_arguments)]
    fn reference_row(cols: &[u32], vals: &[f32], y: &[f64], g: &[f64], x: &[f32], p: &AlsParams, n_cols: usize, steps: u32) -> Vec<f64> {
        let k = p.rank;
        let a0 = p.unobserved_weight as f64;
        let reg = super::super::row_reg(p, vals, n_cols);
        let terms: Vec<(usize, f64, f64)> =
            cols.iter().zip(vals).map(|(&i, &v)| (i as usize, p.confidence_of(v).0 as f64, p.confidence_of(v).1 as f64)).collect();
        let times = |v: &[f64]| -> Vec<f64> {
            let mut out: Vec<f64> = (0..k).map(|a| a0 * (0..k).map(|b| g[a * k + b] * v[b]).sum::<f64>() + reg * v[a]).collect();
            for &(i, c, _) in &terms {
                let yi = &y[i * k..(i + 1) * k];
                let s: f64 = yi.iter().zip(v).map(|(a, b)| a * b).sum();
                for a in 0..k {
                    out[a] += (c - a0) * s * yi[a];
                }
            }
            out
        };
        let mut x: Vec<f64> = x.iter().map(|&v| v as f64).collect();
        let ax = times(&x);
        let mut r: Vec<f64> = (0..k).map(|a| terms.iter().map(|&(i, c, pr)| c * pr * y[i * k + a]).sum::<f64>() - ax[a]).collect();
        let mut d = r.clone();
        let mut rs: f64 = r.iter().map(|v| v * v).sum();
        for _ in 0..steps {
            let ad = times(&d);
            let alpha = rs / d.iter().zip(&ad).map(|(a, b)| a * b).sum::<f64>();
            for a in 0..k {
                x[a] += alpha * d[a];
                r[a] -= alpha * ad[a];
            }
            let rs_new: f64 = r.iter().map(|v| v * v).sum();
            for a in 0..k {
                d[a] = r[a] + rs_new / rs * d[a];
            }
            rs = rs_new;
        }
        x
    }

    #[test]
    fn batched_rows_equal_one_row_at_a_time_and_a_plain_cg() {
        let mut rng = SplitMix64::new(21);
        // 37 rows: batches of 16 leave a partial one; rows 0 and 17 are empty, 3 and 20 hold one item.
        let (n_rows, n_cols) = (37usize, 50usize);
        let (mut us, mut is, mut vs) = (Vec::new(), Vec::new(), Vec::new());
        for u in 0..n_rows {
            let n = match u {
                0 | 17 => 0,
                3 | 20 => 1,
                _ => 2 + rng.below(30) as usize,
            };
            let mut picked: Vec<u32> = (0..n_cols as u32).collect();
            for m in 0..n {
                let t = m + rng.below((n_cols - m) as u64) as usize;
                picked.swap(m, t);
                us.push(u as u32);
                is.push(picked[m]);
                vs.push(1.0 + rng.below(4) as f32);
            }
        }
        let csr = Csr::from_coo(n_rows, n_cols, &us, &is, &vs).unwrap();
        for k in [5, 24, 40, 64] {
            let params = AlsParams {
                rank: k,
                reg_param: 0.1,
                implicit_prefs: true,
                alpha: 2.0,
                unobserved_weight: 0.3,
                confidence: Confidence::OnePlusAlpha,
                reg_scaling: RegScaling::Plain,
                solver: Solver::ConjugateGradient { steps: 3 },
                ..AlsParams::default()
            };
            let y: Vec<f32> = (0..n_cols * k).map(|_| (0.3 * rng.next_gaussian()) as f32).collect();
            let start: Vec<f32> = (0..n_rows * k).map(|_| (0.3 * rng.next_gaussian()) as f32).collect();
            let g64 = crate::gram::gram(&y, k, 1);
            let g32 = super::super::weighted_gram_f32(&params, Some(&g64));
            let y64: Vec<f64> = y.iter().map(|&v| v as f64).collect();
            for kernel in [Kernel::Avx512, Kernel::Avx2, Kernel::Scalar] {
                if !kernel.supported() {
                    continue;
                }
                let mut one = start.clone();
                run(kernel, &csr, &mut one, &y, &params, &g32, 3, 1, L2_BUDGET);
                // A budget of 10 items' vectors cuts batches short (and never splits a row).
                for (batch, budget) in [(3, L2_BUDGET), (BATCH, L2_BUDGET), (64, L2_BUDGET), (BATCH, 10 * k * 4), (BATCH, 0)] {
                    let mut many = start.clone();
                    run(kernel, &csr, &mut many, &y, &params, &g32, 3, batch, budget);
                    assert_eq!(many, one, "{kernel:?} rank {k} batch {batch} budget {budget}");
                }
                for u in 0..n_rows {
                    let (cols, vals) = csr.row(u);
                    let got = &one[u * k..(u + 1) * k];
                    if cols.is_empty() {
                        assert!(got.iter().all(|&v| v == 0.0));
                        continue;
                    }
                    let want = reference_row(cols, vals, &y64, &g64, &start[u * k..(u + 1) * k], &params, n_cols, 3);
                    for a in 0..k {
                        assert!(
                            (got[a] as f64 - want[a]).abs() < 1e-3 * (1.0 + want[a].abs()),
                            "{kernel:?} rank {k} row {u} [{a}]: {} vs {}",
                            got[a],
                            want[a]
                        );
                    }
                }
            }
        }
    }
}
