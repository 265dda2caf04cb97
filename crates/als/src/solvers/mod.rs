//! One ALS half-step: every row of one side re-solved against the fixed factors of the other.
//! One solver per file: `exact` (normal equations, Cholesky or NNLS), `cg` (conjugate gradient)
//! and `block` (iALS++ subspace coordinate descent).

pub mod block;
pub mod cg;
pub mod exact;

use crate::csr::Csr;
use crate::error::Result;
use crate::parallel::for_each_chunk;
use crate::params::{AlsParams, RegScaling, Solver};
use crate::simd::{Kernel, Simd};

/// Rows per work unit: small enough to balance long-tailed rows across threads.
const CHUNK_ROWS: usize = 128;

/// The regularisation of one row: λ·n under Spark's scaling (n = ratings, or positive
/// interactions for implicit feedback), λ·(n + α0·N)^ν under frequency scaling (`n_cols` = N,
/// the other side's size; no α0 term for explicit ratings), λ otherwise.
#[inline]
pub fn row_reg(params: &AlsParams, vals: &[f32], n_cols: usize) -> f64 {
    let lambda = params.reg_param as f64;
    let n = || if params.implicit_prefs { vals.iter().filter(|&&v| v > 0.0).count() } else { vals.len() } as f64;
    match params.reg_scaling {
        RegScaling::Plain => lambda,
        RegScaling::Spark => lambda * n(),
        RegScaling::Frequency { exponent } => {
            let unobserved = if params.implicit_prefs { params.unobserved_weight as f64 * n_cols as f64 } else { 0.0 };
            lambda * (n() + unobserved).powf(exponent as f64)
        }
    }
}

/// α0·YᵀY in f32: the unobserved pairs' share of every row's system.
pub fn weighted_gram_f32(params: &AlsParams, gram: Option<&[f64]>) -> Vec<f32> {
    let a0 = params.unobserved_weight as f64;
    gram.expect("implicit feedback needs the Gram matrix").iter().map(|&v| (a0 * v) as f32).collect()
}

/// Re-solves every row of `dst` (rows of `csr`) against `fixed`. `gram` is YᵀY of `fixed`, needed
/// for implicit feedback.
pub fn half_step(csr: &Csr, fixed: &[f32], dst: &mut [f32], params: &AlsParams, gram: Option<&[f64]>, kernel: Kernel, threads: usize) -> Result<()> {
    let rank = params.rank;
    let results: Vec<Result<()>> = match params.solver {
        Solver::Cholesky => {
            for_each_chunk(dst, rank, CHUNK_ROWS, threads, |_, first, rows| exact_chunk(kernel, csr, first, rows, fixed, params, gram))
        }
        Solver::ConjugateGradient { steps } => {
            let g32 = weighted_gram_f32(params, gram);
            for_each_chunk(dst, rank, CHUNK_ROWS, threads, |_, first, rows| {
                cg_chunk(kernel, csr, first, rows, fixed, params, &g32, steps);
                Ok(())
            })
        }
        Solver::Block { size } => {
            let g32 = weighted_gram_f32(params, gram);
            for_each_chunk(dst, rank, CHUNK_ROWS, threads, |_, first, rows| block_chunk(kernel, csr, first, rows, fixed, params, &g32, size as usize))
        }
    };
    results.into_iter().collect()
}

crate::multiversion! {
    fn exact_chunk(csr: &Csr, first: usize, rows: &mut [f32], fixed: &[f32], params: &AlsParams, gram: Option<&[f64]>) -> Result<()> => exact_rows;
}

/// The exact solver has no hand-written kernels; compiling it per backend lets the compiler
/// vectorise its rank-1 updates with the wider registers.
#[inline(always)]
#[allow(clippy::extra_unused_type_parameters)] // `S` is how multiversion! instantiates it per backend
fn exact_rows<S: Simd>(csr: &Csr, first: usize, rows: &mut [f32], fixed: &[f32], params: &AlsParams, gram: Option<&[f64]>) -> Result<()> {
    exact::solve_rows(csr, first, rows, fixed, params, gram)
}

crate::multiversion! {
    fn cg_chunk(csr: &Csr, first: usize, rows: &mut [f32], fixed: &[f32], params: &AlsParams, gram: &[f32], steps: u32) => cg_rows;
}

#[inline(always)]
fn cg_rows<S: Simd>(csr: &Csr, first: usize, rows: &mut [f32], fixed: &[f32], params: &AlsParams, gram: &[f32], steps: u32) {
    cg::solve_rows::<S>(csr, first, rows, fixed, params, gram, steps)
}

crate::multiversion! {
    fn block_chunk(csr: &Csr, first: usize, rows: &mut [f32], fixed: &[f32], params: &AlsParams, gram: &[f32], size: usize) -> Result<()> => block_rows;
}

#[inline(always)]
fn block_rows<S: Simd>(csr: &Csr, first: usize, rows: &mut [f32], fixed: &[f32], params: &AlsParams, gram: &[f32], size: usize) -> Result<()> {
    block::solve_rows::<S>(csr, first, rows, fixed, params, gram, size)
}
