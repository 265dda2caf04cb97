//! `generateSynthetic(spec) → Promise<{nUsers, nItems, users, items, values, timestamps}>`:
//! realistic synthetic interactions generated on a worker thread. spec: `{ preset?: "ml-1m" |
//! "ml-25m", nUsers, nItems, nInteractions, latentRank?, popularityExponent?, explicit?, seed?,
//! threads? }`; without a preset nUsers, nItems and nInteractions are required.

use std::panic::{catch_unwind, AssertUnwindSafe};

use als::synthetic::{generate, SyntheticData, SyntheticSpec};

use crate::args::read_threads;
use crate::async_work::{queue_promise, Settle};
use crate::env::Env;
use crate::error::{value_err, JsError, JsResult};
use crate::sys::{napi_callback_info, napi_value};

crate::js_callback!(js_generate_synthetic, "generateSynthetic", generate_synthetic);

const KEYS: [&str; 9] = ["preset", "nUsers", "nItems", "nInteractions", "latentRank", "popularityExponent", "explicit", "seed", "threads"];

fn generate_synthetic(env: &Env, info: napi_callback_info) -> JsResult<napi_value> {
    let ([spec], _) = env.args::<1>(info)?;
    let obj = env.object(spec, "spec")?;
    for key in env.keys(obj)? {
        if !KEYS.contains(&key.as_str()) {
            return value_err(format!("spec: unknown field \"{key}\" (known: {})", KEYS.join(", ")));
        }
    }
    let explicit = match env.get_opt(obj, c"explicit")? {
        Some(v) => env.boolean(v, "spec.explicit")?,
        None => false,
    };
    let seed = match env.get_opt(obj, c"seed")? {
        Some(v) => env.integer(v, "spec.seed", 0, u64::MAX)?,
        None => 0,
    };
    let preset = match env.get_opt(obj, c"preset")? {
        Some(v) => Some(match env.string(v, "spec.preset")?.as_str() {
            "ml-1m" => SyntheticSpec::ml_1m(seed, explicit),
            "ml-25m" => SyntheticSpec::ml_25m(seed, explicit),
            other => return value_err(format!("spec.preset must be \"ml-1m\" or \"ml-25m\", got \"{other}\"")),
        }),
        None => None,
    };
    let size = |name: &std::ffi::CStr, default: Option<usize>, min: usize| -> JsResult<usize> {
        let label = format!("spec.{}", name.to_string_lossy());
        match (env.get_opt(obj, name)?, default) {
            (Some(v), _) => env.usize(v, &label, min, u32::MAX as usize),
            (None, Some(d)) => Ok(d),
            (None, None) => value_err(format!("{label} is required (or give a preset)")),
        }
    };
    let p = preset.as_ref();
    let mut s = SyntheticSpec {
        n_users: size(c"nUsers", p.map(|p| p.n_users), 1)?,
        n_items: size(c"nItems", p.map(|p| p.n_items), 1)?,
        n_interactions: size(c"nInteractions", p.map(|p| p.n_interactions), 0)?,
        latent_rank: size(c"latentRank", Some(p.map_or(16, |p| p.latent_rank)), 1)?,
        popularity_exponent: p.map_or(1.0, |p| p.popularity_exponent),
        explicit,
        seed,
    };
    if let Some(v) = env.get_opt(obj, c"popularityExponent")? {
        s.popularity_exponent = env.number(v, "spec.popularityExponent")?;
    }
    let threads = read_threads(env, env.get_opt(obj, c"threads")?, "spec.threads")?;
    let work = move || -> JsResult<Settle> {
        let data = catch_unwind(AssertUnwindSafe(|| generate(&s, threads))).map_err(JsError::from_panic)??;
        let (n_users, n_items) = (s.n_users, s.n_items);
        Ok(Box::new(move |env: &Env| data_value(env, n_users, n_items, data)))
    };
    queue_promise(env, "generateSynthetic", None, Box::new(work))
}

fn data_value(env: &Env, n_users: usize, n_items: usize, d: SyntheticData) -> JsResult<napi_value> {
    env.object_with(&[
        (c"nUsers", env.f64_value(n_users as f64)?),
        (c"nItems", env.f64_value(n_items as f64)?),
        (c"users", env.typed_from_vec(d.users)?),
        (c"items", env.typed_from_vec(d.items)?),
        (c"values", env.typed_from_vec(d.values)?),
        (c"timestamps", env.typed_from_vec(d.timestamps)?),
    ])
}
