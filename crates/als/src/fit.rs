//! The ALS driver: initialise, alternate item and user half-steps (Spark's order), report each
//! iteration's loss and time, stop early when the caller asks.

use crate::clock::Stopwatch;
use crate::csr::Interactions;
use crate::error::{invalid_data, AlsError, Result};
use crate::gram::gram;
use crate::init::{init_factors, ITEM_STREAM, USER_STREAM};
use crate::loss::loss;
use crate::params::{resolve_threads, AlsParams};
use crate::simd::Kernel;
use crate::solvers::half_step;

#[derive(Debug, Clone, PartialEq)]
pub struct IterationReport {
    /// 1-based.
    pub iteration: usize,
    /// None when `compute_loss` is off.
    pub loss: Option<f64>,
    /// Seconds this iteration took (without the loss).
    pub seconds: f64,
    /// Seconds since the fit started.
    pub elapsed: f64,
}

/// What the caller wants after an iteration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Continue,
    Stop,
}

#[derive(Debug, Clone)]
pub struct Model {
    pub rank: usize,
    pub n_users: usize,
    pub n_items: usize,
    /// n_users × rank, row-major.
    pub user_factors: Vec<f32>,
    /// n_items × rank, row-major.
    pub item_factors: Vec<f32>,
    pub iterations: Vec<IterationReport>,
    pub kernel: Kernel,
}

/// Fits ALS. Each iteration solves the items against the users, then the users against the
/// items, as Spark does; `on_iteration` sees every iteration's report and may stop the fit.
pub fn fit(data: &Interactions, params: &AlsParams, on_iteration: &mut dyn FnMut(&IterationReport) -> Control) -> Result<Model> {
    fit_observed(data, params, &mut |report, _, _| on_iteration(report))
}

/// As [`fit`], with the current user and item factors passed beside each report (for held-out
/// metrics per iteration).
#[allow(clippy::type_complexity)] // the callback's signature, read where it is used
pub fn fit_observed(
    data: &Interactions,
    params: &AlsParams,
    on_iteration: &mut dyn FnMut(&IterationReport, &[f32], &[f32]) -> Control,
) -> Result<Model> {
    params.validate()?;
    if data.by_user.nnz() == 0 {
        return Err(invalid_data("there are no interactions to train on"));
    }
    let (n_users, n_items, k) = (data.n_users(), data.n_items(), params.rank);
    let threads = resolve_threads(params.threads);
    let kernel = Kernel::active();
    let mut users = init_factors(n_users, k, params.seed, USER_STREAM, params.nonnegative);
    let mut items = init_factors(n_items, k, params.seed, ITEM_STREAM, params.nonnegative);
    let start = Stopwatch::start();
    let mut reports = Vec::with_capacity(params.max_iter);
    for iteration in 1..=params.max_iter {
        let t = Stopwatch::start();
        let user_gram = params.implicit_prefs.then(|| gram(&users, k, threads));
        half_step(&data.by_item, &users, &mut items, params, user_gram.as_deref(), kernel, threads).map_err(|e| side("item", e))?;
        let item_gram = params.implicit_prefs.then(|| gram(&items, k, threads));
        half_step(&data.by_user, &items, &mut users, params, item_gram.as_deref(), kernel, threads).map_err(|e| side("user", e))?;
        let seconds = t.seconds();
        let loss = params.compute_loss.then(|| loss(data, &users, &items, params, item_gram.as_deref(), kernel, threads));
        let report = IterationReport { iteration, loss, seconds, elapsed: start.seconds() };
        let control = on_iteration(&report, &users, &items);
        reports.push(report);
        if control == Control::Stop {
            break;
        }
    }
    Ok(Model { rank: k, n_users, n_items, user_factors: users, item_factors: items, iterations: reports, kernel })
}

fn side(which: &str, e: AlsError) -> AlsError {
    match e {
        AlsError::Numerical(m) => AlsError::Numerical(format!("{which} {m}")),
        other => other,
    }
}
