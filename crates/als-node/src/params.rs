//! Reads `AlsParams` from a JS object with Spark-style camelCase names. Every key is optional
//! (Spark defaults otherwise); unknown keys and wrongly typed values are errors naming the key.

use std::ffi::CStr;

use als::{AlsParams, Confidence, RegScaling, Solver};

use crate::env::Env;
use crate::error::{value_err, JsResult};
use crate::sys::napi_value;

const KEYS: [&str; 17] = [
    "rank",
    "maxIter",
    "regParam",
    "implicitPrefs",
    "alpha",
    "nonnegative",
    "seed",
    "solver",
    "cgSteps",
    "blockSize",
    "unobservedWeight",
    "regExponent",
    "regScaling",
    "confidence",
    "confidenceEpsilon",
    "threads",
    "computeLoss",
];

/// Default number of conjugate-gradient steps (as in the `implicit` library).
pub const DEFAULT_CG_STEPS: u32 = 3;
/// Default block size of the block (iALS++) solver.
pub const DEFAULT_BLOCK_SIZE: u32 = 32;
/// Default ν of the frequency-scaled regularisation (Rendle et al. 2022).
pub const DEFAULT_REG_EXPONENT: f32 = 1.0;
/// Default ε of the log confidence.
pub const DEFAULT_LOG_EPSILON: f32 = 1.0;

/// `what` names the argument in messages (e.g. "params"). `undefined`/`null` gives the defaults.
pub fn read_params(env: &Env, v: napi_value, what: &str) -> JsResult<AlsParams> {
    let mut p = AlsParams::default();
    if env.is_nullish(v)? {
        p.validate()?;
        return Ok(p);
    }
    let obj = env.object(v, what)?;
    for key in env.keys(obj)? {
        if !KEYS.contains(&key.as_str()) {
            return value_err(format!("{what}: unknown parameter \"{key}\" (known: {})", KEYS.join(", ")));
        }
    }
    let field = |name: &CStr| -> JsResult<Option<(napi_value, String)>> {
        let label = format!("{what}.{}", name.to_string_lossy());
        Ok(env.get_opt(obj, name)?.map(|v| (v, label)))
    };
    if let Some((v, l)) = field(c"rank")? {
        p.rank = env.usize(v, &l, 1, 1024)?;
    }
    if let Some((v, l)) = field(c"maxIter")? {
        p.max_iter = env.usize(v, &l, 0, 1_000_000)?;
    }
    if let Some((v, l)) = field(c"regParam")? {
        p.reg_param = env.finite_f32(v, &l)?;
    }
    if let Some((v, l)) = field(c"implicitPrefs")? {
        p.implicit_prefs = env.boolean(v, &l)?;
    }
    if let Some((v, l)) = field(c"alpha")? {
        p.alpha = env.finite_f32(v, &l)?;
    }
    if let Some((v, l)) = field(c"nonnegative")? {
        p.nonnegative = env.boolean(v, &l)?;
    }
    if let Some((v, l)) = field(c"seed")? {
        p.seed = env.integer(v, &l, 0, u64::MAX)?;
    }
    if let Some((v, l)) = field(c"threads")? {
        p.threads = env.usize(v, &l, 0, 1024)?;
    }
    if let Some((v, l)) = field(c"computeLoss")? {
        p.compute_loss = env.boolean(v, &l)?;
    }
    let cg_steps = match field(c"cgSteps")? {
        Some((v, l)) => env.integer(v, &l, 1, 1000)? as u32,
        None => DEFAULT_CG_STEPS,
    };
    let block_size = match field(c"blockSize")? {
        Some((v, l)) => env.integer(v, &l, 1, 1024)? as u32,
        None => DEFAULT_BLOCK_SIZE,
    };
    if let Some((v, l)) = field(c"solver")? {
        p.solver = match env.string(v, &l)?.as_str() {
            "cholesky" => Solver::Cholesky,
            "cg" => Solver::ConjugateGradient { steps: cg_steps },
            "block" => Solver::Block { size: block_size },
            other => return value_err(format!("{l} must be \"cholesky\", \"cg\" or \"block\", got \"{other}\"")),
        };
    }
    if let Some((v, l)) = field(c"unobservedWeight")? {
        p.unobserved_weight = env.finite_f32(v, &l)?;
    }
    let exponent = match field(c"regExponent")? {
        Some((v, l)) => env.finite_f32(v, &l)?,
        None => DEFAULT_REG_EXPONENT,
    };
    if let Some((v, l)) = field(c"regScaling")? {
        p.reg_scaling = match env.string(v, &l)?.as_str() {
            "spark" => RegScaling::Spark,
            "plain" => RegScaling::Plain,
            "frequency" => RegScaling::Frequency { exponent },
            other => return value_err(format!("{l} must be \"spark\", \"plain\" or \"frequency\", got \"{other}\"")),
        };
    }
    let epsilon = match field(c"confidenceEpsilon")? {
        Some((v, l)) => env.finite_f32(v, &l)?,
        None => DEFAULT_LOG_EPSILON,
    };
    if let Some((v, l)) = field(c"confidence")? {
        p.confidence = match env.string(v, &l)?.as_str() {
            "one-plus-alpha" => Confidence::OnePlusAlpha,
            "linear" => Confidence::Linear,
            "log" => Confidence::Log { epsilon },
            other => return value_err(format!("{l} must be \"one-plus-alpha\", \"linear\" or \"log\", got \"{other}\"")),
        };
    }
    p.validate()?;
    Ok(p)
}
