//! Every solver against a dense normal-equations solve built from the full matrix.

mod common;

use als::gram::gram;
use als::simd::Kernel;
use als::solvers::half_step;
use als::{AlsParams, Confidence, RegScaling, Solver};
use common::*;

/// The exact user vectors from a dense build of every cell (implicit) or every observed cell
/// (explicit): (Yᵀ Cᵤ Y + reg·I) x = Yᵀ Cᵤ pᵤ, unobserved cells weighted α0.
fn dense_users(triples: &[(u32, u32, f32)], n_users: usize, n_items: usize, y: &[f32], p: &AlsParams) -> Vec<f32> {
    let k = p.rank;
    let mut dense = vec![None; n_users * n_items];
    for &(u, i, v) in triples {
        dense[u as usize * n_items + i as usize] = Some(v);
    }
    let mut out = vec![0f32; n_users * k];
    for u in 0..n_users {
        let row = &dense[u * n_items..(u + 1) * n_items];
        let n_obs = row.iter().filter(|c| c.is_some()).count();
        if n_obs == 0 {
            continue;
        }
        let mut a = vec![0f64; k * k];
        let mut b = vec![0f64; k];
        let mut count = 0usize;
        for (i, cell) in row.iter().enumerate() {
            let (c, pref) = match (cell, p.implicit_prefs) {
                (None, false) => continue,
                (Some(v), false) => {
                    count += 1;
                    (1.0, *v as f64)
                }
                (None, true) => (p.unobserved_weight as f64, 0.0),
                (Some(v), true) => {
                    let (c, pr) = p.confidence_of(*v);
                    if pr > 0.0 {
                        count += 1;
                    }
                    (c as f64, pr as f64)
                }
            };
            let yi = &y[i * k..(i + 1) * k];
            for r in 0..k {
                for s in 0..k {
                    a[r * k + s] += c * yi[r] as f64 * yi[s] as f64;
                }
                b[r] += c * pref * yi[r] as f64;
            }
        }
        let reg = match p.reg_scaling {
            RegScaling::Spark => p.reg_param as f64 * count as f64,
            RegScaling::Plain => p.reg_param as f64,
            RegScaling::Frequency { exponent } => {
                let unobserved = if p.implicit_prefs { p.unobserved_weight as f64 * n_items as f64 } else { 0.0 };
                p.reg_param as f64 * (count as f64 + unobserved).powf(exponent as f64)
            }
        };
        for r in 0..k {
            a[r * k + r] += reg;
        }
        let x = gauss_solve(a, b, k);
        for r in 0..k {
            out[u * k + r] = x[r] as f32;
        }
    }
    out
}

fn check(params: AlsParams, tol: f32) {
    check_sweeps(params, tol, 1)
}

/// Runs `sweeps` half-steps from the same start (iterative solvers converge to the exact one).
fn check_sweeps(params: AlsParams, tol: f32, sweeps: usize) {
    let (n_users, n_items) = (40, 30);
    let (data, triples) = random_problem(n_users, n_items, 0.2, !params.implicit_prefs, 11);
    let y = random_factors(n_items, params.rank, 5);
    let want = dense_users(&triples, n_users, n_items, &y, &params);
    for kernel in [Kernel::Avx512, Kernel::Avx2, Kernel::Scalar] {
        if !kernel.supported() {
            continue;
        }
        let mut x = random_factors(n_users, params.rank, 6);
        let g = params.implicit_prefs.then(|| gram(&y, params.rank, 1));
        for _ in 0..sweeps {
            half_step(&data.by_user, &y, &mut x, &params, g.as_deref(), kernel, 2).unwrap();
        }
        let d = max_abs_diff(&x, &want);
        assert!(d < tol, "{:?} {:?}: max difference {d}", params.solver, kernel);
    }
}

#[test]
fn explicit_cholesky_matches_dense_solve() {
    for scaling in [RegScaling::Spark, RegScaling::Plain, RegScaling::Frequency { exponent: 0.5 }] {
        check(AlsParams { rank: 6, reg_param: 0.1, reg_scaling: scaling, ..AlsParams::default() }, 1e-4);
    }
}

#[test]
fn implicit_cholesky_matches_dense_solve() {
    for confidence in [Confidence::OnePlusAlpha, Confidence::Linear, Confidence::Log { epsilon: 1.0 }] {
        for scaling in [RegScaling::Spark, RegScaling::Plain] {
            let p = AlsParams { rank: 5, reg_param: 0.1, implicit_prefs: true, alpha: 2.0, confidence, reg_scaling: scaling, ..AlsParams::default() };
            check(p, 1e-4);
        }
    }
}

#[test]
fn conjugate_gradient_converges_to_dense_solve() {
    // With as many steps as dimensions (plus a few for rounding), CG is exact.
    let p = AlsParams {
        rank: 5,
        reg_param: 0.1,
        implicit_prefs: true,
        alpha: 2.0,
        solver: Solver::ConjugateGradient { steps: 12 },
        ..AlsParams::default()
    };
    check(p, 1e-3);
}

/// iALS (Rendle et al. 2022): unobserved pairs weighted α0, regularisation λ·(n + α0·N)^ν.
fn ials(solver: Solver, rank: usize, alpha0: f32, nu: f32, confidence: Confidence) -> AlsParams {
    AlsParams {
        rank,
        reg_param: 0.02,
        implicit_prefs: true,
        alpha: 3.0,
        confidence,
        unobserved_weight: alpha0,
        reg_scaling: RegScaling::Frequency { exponent: nu },
        solver,
        ..AlsParams::default()
    }
}

#[test]
fn ials_weights_and_frequency_regularisation_match_dense_solve_for_every_solver() {
    for confidence in [Confidence::OnePlusAlpha, Confidence::Linear, Confidence::Log { epsilon: 1.0 }] {
        for (alpha0, nu) in [(0.1, 1.0), (0.02, 0.5), (1.0, 0.0), (3.0, 1.5)] {
            check(ials(Solver::Cholesky, 6, alpha0, nu, confidence), 1e-4);
            // One block holding every coordinate is the exact solve in one sweep.
            check(ials(Solver::Block { size: 6 }, 6, alpha0, nu, confidence), 1e-3);
            check(ials(Solver::Block { size: 64 }, 6, alpha0, nu, confidence), 1e-3);
            check(ials(Solver::ConjugateGradient { steps: 14 }, 6, alpha0, nu, confidence), 2e-3);
        }
    }
}

#[test]
fn block_coordinate_descent_converges_to_dense_solve_with_uneven_blocks() {
    // Rank 7 in blocks of 3 (3 + 3 + 1) and of 1 (plain coordinate descent); rank 20 in blocks of 8.
    for (rank, size) in [(7, 3), (7, 1), (20, 8)] {
        check_sweeps(ials(Solver::Block { size }, rank, 0.5, 1.0, Confidence::OnePlusAlpha), 2e-3, 300);
    }
    let hkv = AlsParams { rank: 5, reg_param: 0.1, implicit_prefs: true, alpha: 2.0, solver: Solver::Block { size: 2 }, ..AlsParams::default() };
    check_sweeps(hkv, 2e-3, 300);
}

#[test]
fn one_block_sweep_lowers_the_row_objective() {
    // A single sweep from a random start must not increase any row's objective (exact block steps).
    let p = ials(Solver::Block { size: 4 }, 16, 0.3, 1.0, Confidence::Log { epsilon: 1.0 });
    let (data, _) = random_problem(40, 30, 0.2, false, 11);
    let y = random_factors(30, 16, 5);
    let g = gram(&y, 16, 1);
    let mut x = random_factors(40, 16, 6);
    let before = als::loss::loss(&data, &x, &y, &p, Some(&g), Kernel::active(), 1);
    half_step(&data.by_user, &y, &mut x, &p, Some(&g), Kernel::active(), 1).unwrap();
    let after = als::loss::loss(&data, &x, &y, &p, Some(&g), Kernel::active(), 1);
    assert!(after < before, "loss {before} -> {after}");
}

#[test]
fn nonnegative_solutions_are_nonnegative_and_optimal_when_unconstrained_is() {
    let (data, _) = random_problem(30, 20, 0.3, true, 3);
    let y: Vec<f32> = random_factors(20, 4, 8).iter().map(|v| v.abs()).collect();
    let p = AlsParams { rank: 4, reg_param: 0.05, nonnegative: true, ..AlsParams::default() };
    let mut x = vec![0f32; 30 * 4];
    half_step(&data.by_user, &y, &mut x, &p, None, Kernel::active(), 1).unwrap();
    assert!(x.iter().all(|&v| v >= 0.0));
    // Where the unconstrained solution is already nonnegative, NNLS must return it.
    let mut free = vec![0f32; 30 * 4];
    let q = AlsParams { nonnegative: false, ..p.clone() };
    half_step(&data.by_user, &y, &mut free, &q, None, Kernel::active(), 1).unwrap();
    for u in 0..30 {
        let f = &free[u * 4..(u + 1) * 4];
        if f.iter().all(|&v| v >= 0.0) {
            assert!(max_abs_diff(f, &x[u * 4..(u + 1) * 4]) < 1e-4, "user {u}");
        }
    }
}

#[test]
fn solvers_match_dense_solve_at_ranks_that_fill_vector_registers() {
    // Ranks of whole, odd and many SIMD vectors: the tiled Gram product, the grouped sparse sum
    // and the tiled block systems all run (rank 40 = 5 AVX2 vectors, 67 has a scalar tail).
    for rank in [40, 67] {
        check(ials(Solver::Block { size: rank as u32 }, rank, 0.5, 1.0, Confidence::OnePlusAlpha), 2e-3);
        check_sweeps(ials(Solver::Block { size: 16 }, rank, 0.5, 1.0, Confidence::OnePlusAlpha), 2e-3, 2000);
        check(ials(Solver::ConjugateGradient { steps: 3 * rank as u32 }, rank, 0.5, 1.0, Confidence::Linear), 2e-3);
    }
}
