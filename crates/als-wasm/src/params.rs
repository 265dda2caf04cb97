//! `AlsParams` from the flat `f64` array JS writes (`PARAMS` numbers, in this order; JS has
//! checked the names, types and ranges as the native binding does), and `als_validate_params`.

use als::{AlsParams, Confidence, RegScaling, Solver};

use crate::mem::slice;
use crate::status::{bad_value, run, Failure};

/// rank, maxIter, regParam, implicitPrefs (0/1), alpha, nonnegative (0/1), seed,
/// solver (0 cholesky, 1 cg, 2 block), cgSteps, blockSize, unobservedWeight (α0), regExponent (ν),
/// regScaling (0 spark, 1 plain, 2 frequency), confidence (0 one-plus-alpha, 1 linear, 2 log),
/// confidenceEpsilon, threads, computeLoss (0/1).
pub const PARAMS: usize = 17;

/// Reads and validates the parameters at `ptr` (`PARAMS` f64s). Threads are always 1 here.
///
/// # Safety
/// `ptr` points to `PARAMS` f64s.
pub unsafe fn read(ptr: *const f64) -> Result<AlsParams, Failure> {
    let v = slice(ptr, PARAMS);
    let count = |x: f64| x as usize;
    let p = AlsParams {
        rank: count(v[0]),
        max_iter: count(v[1]),
        reg_param: v[2] as f32,
        implicit_prefs: v[3] != 0.0,
        alpha: v[4] as f32,
        nonnegative: v[5] != 0.0,
        seed: v[6] as u64,
        solver: match v[7] as u32 {
            0 => Solver::Cholesky,
            1 => Solver::ConjugateGradient { steps: v[8] as u32 },
            2 => Solver::Block { size: v[9] as u32 },
            s => return bad_value(format!("unknown solver code {s}")),
        },
        unobserved_weight: v[10] as f32,
        reg_scaling: match v[12] as u32 {
            0 => RegScaling::Spark,
            1 => RegScaling::Plain,
            2 => RegScaling::Frequency { exponent: v[11] as f32 },
            r => return bad_value(format!("unknown regScaling code {r}")),
        },
        confidence: match v[13] as u32 {
            0 => Confidence::OnePlusAlpha,
            1 => Confidence::Linear,
            2 => Confidence::Log { epsilon: v[14] as f32 },
            c => return bad_value(format!("unknown confidence code {c}")),
        },
        threads: 1,
        compute_loss: v[16] != 0.0,
    };
    p.validate()?;
    Ok(p)
}

/// Checks the parameters at `ptr` (as `fit` would) without doing anything else.
///
/// # Safety
/// `ptr` points to `PARAMS` f64s.
#[no_mangle]
pub unsafe extern "C" fn als_validate_params(ptr: *const f64) -> i32 {
    run(|| read(ptr).map(|_| ()))
}
