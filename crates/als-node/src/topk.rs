//! `topK(factors, options, onProgress?) → Promise<TopK>`: exact top-k items for many users on a
//! worker thread. options: `{ k, users?: Uint32Array, exclude?: {nUsers, nItems, users, items},
//! threads? }`; `onProgress(done, total)` is called at most every 100 ms and once at the end.
//! Also `topk_value`, the JS form of a `TopK` shared with similar and fold-in.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use als::{Pattern, TopK};

use crate::args::{borrow_interactions, check_indices, read_factors, read_threads};
use crate::async_work::{queue_promise_pinned, Pins, Settle};
use crate::env::Env;
use crate::error::{value_err, JsError, JsResult};
use crate::progress::Progress;
use crate::sys::{napi_callback_info, napi_value};

crate::js_callback!(js_top_k, "topK", top_k);

const PROGRESS_EVERY: Duration = Duration::from_millis(100);

fn top_k(env: &Env, info: napi_callback_info) -> JsResult<napi_value> {
    // The exclusion arrays are read in place and pinned until the promise settles.
    let mut pins = Pins::new();
    let queued = queue_top_k(env, info, &mut pins);
    if queued.is_err() {
        pins.release(env);
    }
    queued
}

fn queue_top_k(env: &Env, info: napi_callback_info, pins: &mut Pins) -> JsResult<napi_value> {
    let ([factors, options, callback], _) = env.args::<3>(info)?;
    let f = read_factors(env, factors, "factors", true)?;
    let (n_users, n_items) = (f.n_users(), f.n_items());
    let opts = env.object(options, "options")?;
    let k = env.usize(env.get(opts, c"k")?, "options.k", 1, u32::MAX as usize)?;
    let threads = read_threads(env, env.get_opt(opts, c"threads")?, "options.threads")?;
    let users = match env.get_opt(opts, c"users")? {
        Some(v) => {
            let users = env.typed::<u32>(v, "options.users")?;
            check_indices(users, n_users, "options.users", "number of user factor rows")?;
            Some(users.to_vec())
        }
        None => None,
    };
    let exclude = match env.get_opt(opts, c"exclude")? {
        Some(v) => {
            let coo = borrow_interactions(env, v, "options.exclude", false, pins)?;
            if coo.n_users != n_users || coo.n_items != n_items {
                return value_err(format!(
                    "options.exclude is {} × {} but the factors are {n_users} users × {n_items} items",
                    coo.n_users, coo.n_items
                ));
            }
            Some(coo)
        }
        None => None,
    };
    let progress =
        if env.is_nullish(callback)? { None } else { Some(Progress::new(env, env.function(callback, "onProgress")?, "als.topK.onProgress")?) };
    let sender = progress.as_ref().map(Progress::sender);
    let work = move || -> JsResult<Settle> {
        let last = Mutex::new(Instant::now());
        let report = |done: usize, total: usize| {
            let Some(sender) = &sender else { return };
            let due = done >= total
                || match last.try_lock() {
                    Ok(mut t) if t.elapsed() >= PROGRESS_EVERY => {
                        *t = Instant::now();
                        true
                    }
                    _ => false,
                };
            if due {
                sender.send(Box::new(move |env: &Env| Ok(vec![env.f64_value(done as f64)?, env.f64_value(total as f64)?])));
            }
        };
        let result = catch_unwind(AssertUnwindSafe(|| -> JsResult<TopK> {
            f.validate()?;
            let exclude = match &exclude {
                Some(c) => {
                    c.validate()?;
                    Some(Pattern::from_coo(c.n_users, c.n_items, c.users(), c.items())?)
                }
                None => None,
            };
            als::top_k(&f.user_factors, &f.item_factors, f.rank, users.as_deref(), k, exclude.as_ref(), threads, &report).map_err(JsError::from)
        }))
        .map_err(JsError::from_panic);
        if let Some(sender) = &sender {
            sender.flush(); // every progress call lands before the promise settles
        }
        let top = result??;
        Ok(Box::new(move |env: &Env| topk_value(env, top)))
    };
    queue_promise_pinned(env, "topK", progress, std::mem::replace(pins, Pins::new()), Box::new(work))
}

/// `{ k, rows, items: Uint32Array, scores: Float32Array }`, rows × k, best first.
pub fn topk_value(env: &Env, top: TopK) -> JsResult<napi_value> {
    env.object_with(&[
        (c"k", env.f64_value(top.k as f64)?),
        (c"rows", env.f64_value(top.rows as f64)?),
        (c"items", env.typed_from_vec(top.items)?),
        (c"scores", env.typed_from_vec(top.scores)?),
    ])
}
