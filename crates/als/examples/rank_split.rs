//! Where a CG-3 half-step's time goes at a given rank on the ML-25M shape (synthetic data): the
//! whole half-step (CG-3 and the block solver), its Gram products alone (4 k×k matrix-vector
//! products per row, batched as the solver runs them and row by row as it did), its sparse
//! part alone (4 passes over the row's items), and a floor: one pass that only gathers every
//! observed pair's factor row. Not a shipped API:
//! `cargo run --release -p als --example rank_split -- 64 256 [--block]`.

use als::csr::Csr;
use als::gram::gram;
use als::init::init_factors;
use als::parallel::for_each_chunk;
use als::simd::ops::dot;
use als::simd::sparse::sparse_update;
use als::simd::symm::symm_times;
use als::simd::{Kernel, Simd};
use als::solvers::half_step;
use als::synthetic::{generate, SyntheticSpec};
use als::*;
use std::time::Instant;

const THREADS: usize = 2;
const CHUNK: usize = 128;

#[inline(always)]
fn grams<S: Simd>(csr: &Csr, first: usize, rows: &mut [f32], g: &[f32], k: usize) {
    let mut out = vec![0f32; k];
    for (j, x) in rows.chunks_mut(k).enumerate() {
        if csr.row(first + j).0.is_empty() {
            continue;
        }
        for _ in 0..4 {
            for (a, o) in out.iter_mut().enumerate() {
                *o = dot::<S>(&g[a * k..(a + 1) * k], x);
            }
            x[0] += out[0] * 1e-30;
        }
    }
}

#[inline(always)]
fn sparse<S: Simd>(csr: &Csr, first: usize, rows: &mut [f32], fixed: &[f32], k: usize) {
    let mut out = vec![0f32; k];
    let mut w = Vec::new();
    for (j, x) in rows.chunks_mut(k).enumerate() {
        let (cols, vals) = csr.row(first + j);
        w.clear();
        w.extend(vals.iter().map(|v| v * 1e-3));
        for _ in 0..4 {
            sparse_update::<S>(fixed, k, cols, None, &w, x, &mut out);
        }
        x[0] += out[0] * 1e-30;
    }
}

/// Sums every observed pair's factor row into one vector, prefetching rows 6 ahead as the
/// sparse kernel does: the least a half-step that reads each pair's row once can cost.
#[inline(always)]
fn gather_rows<S: Simd>(csr: &Csr, first: usize, rows: &mut [f32], fixed: &[f32], k: usize) {
    let mut acc = vec![0f32; k];
    for (j, x) in rows.chunks_mut(k).enumerate() {
        let (cols, _) = csr.row(first + j);
        for (n, &i) in cols.iter().enumerate() {
            if let Some(&ahead) = cols.get(n + 6) {
                for off in (0..k).step_by(16) {
                    // Safety: the prefetched address is inside row `ahead` of `fixed`.
                    unsafe { S::prefetch(fixed.as_ptr().add(ahead as usize * k + off)) };
                }
            }
            let y = &fixed[i as usize * k..(i as usize + 1) * k];
            for (a, &b) in acc.iter_mut().zip(y) {
                *a += b;
            }
        }
        x[0] = acc[0];
    }
}

#[inline(always)]
fn batched<S: Simd>(csr: &Csr, first: usize, rows: &mut [f32], g: &[f32], k: usize) {
    let mut out = vec![0f32; 16 * k];
    for (c, xs) in rows.chunks_mut(16 * k).enumerate() {
        let _ = csr.row(first + c * 16);
        let out = &mut out[..xs.len()];
        for _ in 0..4 {
            symm_times::<S>(g, k, xs, out);
            xs[0] += out[0] * 1e-30;
        }
    }
}

als::multiversion! { fn run_batched(csr: &Csr, first: usize, rows: &mut [f32], g: &[f32], k: usize) => batched; }
als::multiversion! { fn run_grams(csr: &Csr, first: usize, rows: &mut [f32], g: &[f32], k: usize) => grams; }
als::multiversion! { fn run_sparse(csr: &Csr, first: usize, rows: &mut [f32], fixed: &[f32], k: usize) => sparse; }
als::multiversion! { fn run_gather(csr: &Csr, first: usize, rows: &mut [f32], fixed: &[f32], k: usize) => gather_rows; }

fn main() {
    let with_block = std::env::args().any(|a| a == "--block");
    let ranks: Vec<usize> = std::env::args().skip(1).filter(|a| a != "--block").map(|a| a.parse().expect("ranks")).collect();
    let spec = SyntheticSpec::ml_25m(42, false);
    let d = generate(&spec, THREADS).unwrap();
    let data = Interactions::from_coo(spec.n_users, spec.n_items, &d.users, &d.items, &d.values).unwrap().into_owned();
    drop(d);

    let kernel = Kernel::active();
    println!("kernel {kernel:?}, nnz {}", data.by_user.nnz());
    for k in ranks {
        let params = AlsParams {
            rank: k,
            reg_param: 0.05,
            implicit_prefs: true,
            alpha: 1.0,
            solver: Solver::ConjugateGradient { steps: 3 },
            reg_scaling: RegScaling::Plain,
            confidence: Confidence::Linear,
            threads: THREADS,
            ..AlsParams::default()
        };
        let users = init_factors(spec.n_users, k, 1, 1, false);
        let items = init_factors(spec.n_items, k, 1, 2, false);
        for (side, csr, fixed, dst) in [("item", &data.by_item, &users, &items), ("user", &data.by_user, &items, &users)] {
            let t = Instant::now();
            let g = gram(fixed, k, THREADS);
            let t_gram = t.elapsed().as_secs_f64();
            let g32: Vec<f32> = g.iter().map(|&v| v as f32).collect();
            let time = |name: &str, f: &dyn Fn(&mut [f32])| {
                let mut out = dst.clone();
                let t = Instant::now();
                f(&mut out);
                println!("rank {k:4} {side} half-step: {name:<28} {:7.3} s", t.elapsed().as_secs_f64());
            };
            println!("rank {k:4} {side} half-step: {:<28} {t_gram:7.3} s", "YtY (gram)");
            time("full CG-3", &|out| half_step(csr, fixed, out, &params, Some(&g), kernel, THREADS).unwrap());
            let block = AlsParams { solver: Solver::Block { size: 32 }, ..params.clone() };
            if with_block {
                time("full block solver (32)", &|out| half_step(csr, fixed, out, &block, Some(&g), kernel, THREADS).unwrap());
            }
            time("Gram products, 16-row batches", &|out| {
                for_each_chunk(out, k, CHUNK, THREADS, |_, first, rows| run_batched(kernel, csr, first, rows, &g32, k));
            });
            time("Gram products, row by row", &|out| {
                for_each_chunk(out, k, CHUNK, THREADS, |_, first, rows| run_grams(kernel, csr, first, rows, &g32, k));
            });
            time("sparse part only (4 passes)", &|out| {
                for_each_chunk(out, k, CHUNK, THREADS, |_, first, rows| run_sparse(kernel, csr, first, rows, fixed, k));
            });
            time("floor: gather rows once", &|out| {
                for_each_chunk(out, k, CHUNK, THREADS, |_, first, rows| run_gather(kernel, csr, first, rows, fixed, k));
            });
        }
    }
}
