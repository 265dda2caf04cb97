//! `easeWeights(x, lambda, threads?) → Promise<Float32Array>`: EASE's item-item weights B
//! (nItems × nItems, row-major) for the pairs of `x = {nUsers, nItems, users, items}` (values
//! ignored; each pair counts once), computed on a worker thread. The arrays are read in place and
//! pinned until the promise settles.

use std::panic::{catch_unwind, AssertUnwindSafe};

use als::Pattern;

use crate::args::{borrow_interactions, read_threads};
use crate::async_work::{queue_promise_pinned, Pins, Settle};
use crate::env::Env;
use crate::error::{value_err, JsError, JsResult};
use crate::sys::{napi_callback_info, napi_value};

crate::js_callback!(js_ease_weights, "easeWeights", ease_weights);

/// Largest catalog accepted: B and the f64 work matrices are n² each (about 20 GB at 50,000).
const MAX_ITEMS: usize = 50_000;

fn ease_weights(env: &Env, info: napi_callback_info) -> JsResult<napi_value> {
    let mut pins = Pins::new();
    let queued = queue_ease_weights(env, info, &mut pins);
    if queued.is_err() {
        pins.release(env);
    }
    queued
}

fn queue_ease_weights(env: &Env, info: napi_callback_info, pins: &mut Pins) -> JsResult<napi_value> {
    let ([x, lambda, threads], _) = env.args::<3>(info)?;
    let coo = borrow_interactions(env, x, "x", false, pins)?;
    if coo.n_items > MAX_ITEMS {
        return value_err(format!("x.nItems is {}; EASE takes at most {MAX_ITEMS} items", coo.n_items));
    }
    let lambda = env.number(lambda, "lambda")?;
    let threads = read_threads(env, (!env.is_nullish(threads)?).then_some(threads), "threads")?;
    let work = move || -> JsResult<Settle> {
        let b = catch_unwind(AssertUnwindSafe(|| -> JsResult<Vec<f32>> {
            coo.validate()?;
            let pattern = Pattern::from_coo(coo.n_users, coo.n_items, coo.users(), coo.items())?;
            als::ease_weights(&pattern, lambda, threads).map_err(JsError::from)
        }))
        .map_err(JsError::from_panic)??;
        Ok(Box::new(move |env: &Env| env.typed_from_vec(b)))
    };
    queue_promise_pinned(env, "easeWeights", None, std::mem::replace(pins, Pins::new()), Box::new(work))
}
