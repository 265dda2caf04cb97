//! `similarItems(factors, items, k, threads?) → Promise<TopK>`: for each query item, the k most
//! cosine-similar items (the query excluded), computed on a worker thread.

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::args::{check_indices, read_factors, read_threads};
use crate::async_work::{queue_promise, Settle};
use crate::env::Env;
use crate::error::{JsError, JsResult};
use crate::sys::{napi_callback_info, napi_value};
use crate::topk::topk_value;

crate::js_callback!(js_similar_items, "similarItems", similar_items);

fn similar_items(env: &Env, info: napi_callback_info) -> JsResult<napi_value> {
    let ([factors, items, k, threads], _) = env.args::<4>(info)?;
    let f = read_factors(env, factors, "factors", false)?;
    let items_slice = env.typed::<u32>(items, "items")?;
    check_indices(items_slice, f.n_items(), "items", "number of items")?;
    let items = items_slice.to_vec();
    let k = env.usize(k, "k", 1, u32::MAX as usize)?;
    let threads = read_threads(env, (!env.is_nullish(threads)?).then_some(threads), "threads")?;
    let work = move || -> JsResult<Settle> {
        f.validate()?;
        let top =
            catch_unwind(AssertUnwindSafe(|| als::similar_items(&f.item_factors, f.rank, &items, k, threads))).map_err(JsError::from_panic)??;
        Ok(Box::new(move |env: &Env| topk_value(env, top)))
    };
    queue_promise(env, "similarItems", None, Box::new(work))
}
