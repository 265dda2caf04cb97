//! The `FoldIn` class: wraps the core `FoldIn` (item factors + params, built once) in a JS object
//! (napi_wrap; dropped when the object is collected). Synchronous, for serving:
//!   new FoldIn(factors: {rank, itemFactors}, params?)
//!   .userVector(items: Uint32Array, values: Float32Array) → Float32Array
//!   .recommend(items, values, k) → { vector, k, rows: 1, items, scores }  (given items excluded)
//!   .recommendMany(offsets, items, values, k) → { vector, k, rows: n, items, scores }: n users in
//!     one call (user u's interactions are items/values[offsets[u]..offsets[u + 1]]), their
//!     vectors (n × rank) and top-k lists (n × k) each in one array: one call and four arrays for a
//!     batch instead of per user (the fold-in worker's batches)
//!   .nItems, .rank

use std::ffi::c_void;
use std::ptr::null_mut;

use als::{FoldIn, TopK};

use crate::args::{check_finite, check_indices, check_same_len, read_factors};
use crate::env::Env;
use crate::error::{type_err, value_err, JsResult};
use crate::params::read_params;
use crate::sys::*;
use crate::topk::topk_value;

crate::js_callback!(js_construct, "new FoldIn", construct);
crate::js_callback!(js_user_vector, "FoldIn.userVector", user_vector);
crate::js_callback!(js_recommend, "FoldIn.recommend", recommend);
crate::js_callback!(js_recommend_many, "FoldIn.recommendMany", recommend_many);
crate::js_callback!(js_n_items, "FoldIn.nItems", n_items);
crate::js_callback!(js_rank, "FoldIn.rank", rank);

/// The class (constructor function) to put on `exports`.
pub fn define_class(env: &Env) -> JsResult<napi_value> {
    let method = |name: &'static std::ffi::CStr, cb: napi_callback| napi_property_descriptor {
        utf8name: name.as_ptr(),
        name: null_mut(),
        method: cb,
        getter: None,
        setter: None,
        value: null_mut(),
        attributes: NAPI_DEFAULT_METHOD,
        data: null_mut(),
    };
    let getter = |name: &'static std::ffi::CStr, cb: napi_callback| napi_property_descriptor {
        method: None,
        getter: cb,
        attributes: NAPI_ENUMERABLE,
        ..method(name, None)
    };
    let props = [
        method(c"userVector", Some(js_user_vector)),
        method(c"recommend", Some(js_recommend)),
        method(c"recommendMany", Some(js_recommend_many)),
        getter(c"nItems", Some(js_n_items)),
        getter(c"rank", Some(js_rank)),
    ];
    let mut class = null_mut();
    // SAFETY: `env.raw()` is the env of the running callback; the name is a NUL-terminated literal, `props`
    // lives across the call and its names and callbacks are static.
    env.check(unsafe {
        napi_define_class(env.raw(), c"FoldIn".as_ptr(), usize::MAX, Some(js_construct), null_mut(), props.len(), props.as_ptr(), &mut class)
    })?;
    Ok(class)
}

fn construct(env: &Env, info: napi_callback_info) -> JsResult<napi_value> {
    let mut new_target = null_mut();
    // SAFETY: `env.raw()` is the env of the running callback and `info` its callback info; `new_target` is a
    // live out-pointer.
    env.check(unsafe { napi_get_new_target(env.raw(), info, &mut new_target) })?;
    if new_target.is_null() {
        return type_err("FoldIn is a class: call it with `new`");
    }
    let ([factors, params], this) = env.args::<2>(info)?;
    let f = read_factors(env, factors, "factors", false)?;
    f.validate()?;
    let params = read_params(env, params, "params")?;
    let fold = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| FoldIn::new(f.item_factors, f.rank, &params)))
        .map_err(crate::error::JsError::from_panic)??;
    let native = Box::into_raw(Box::new(fold));
    // SAFETY: `env.raw()` is the env of the running callback; `this` is the object being constructed,
    // `native` a leaked box that `drop_fold_in` frees when `this` is collected.
    let status = unsafe { napi_wrap(env.raw(), this, native.cast(), Some(drop_fold_in), null_mut(), null_mut()) };
    if let Err(e) = env.check(status) {
        // SAFETY: wrapping failed, so the finalizer will never run: this is the box's only owner.
        unsafe { drop(Box::from_raw(native)) };
        return Err(e);
    }
    Ok(this)
}

unsafe extern "C" fn drop_fold_in(_env: napi_env, data: *mut c_void, _hint: *mut c_void) {
    drop(Box::from_raw(data.cast::<FoldIn>()));
}

/// The `FoldIn` behind `this`, borrowed for the current call.
fn this_fold_in(env: &Env, this: napi_value) -> JsResult<&FoldIn> {
    let mut data = null_mut::<c_void>();
    // SAFETY: `env.raw()` is the env of the running callback; `data` is a live out-pointer.
    let status = unsafe { napi_unwrap(env.raw(), this, &mut data) };
    if status != NAPI_OK || data.is_null() {
        return type_err("`this` is not a FoldIn (call it as a method of an object made by `new FoldIn(...)`)");
    }
    // SAFETY: only `construct` wraps objects in this addon, always with a `FoldIn`; `this` is on the JS stack
    // for the whole call, so the object and its box outlive the borrow.
    Ok(unsafe { &*data.cast::<FoldIn>() })
}

/// Reads and checks `(items, values)` against the fold-in's item count.
fn read_history<'e>(env: &'e Env, fold: &FoldIn, items: napi_value, values: napi_value) -> JsResult<(&'e [u32], &'e [f32])> {
    let items = env.typed::<u32>(items, "items")?;
    let values = env.typed::<f32>(values, "values")?;
    check_same_len(&["items", "values"], &[items.len(), values.len()])?;
    check_indices(items, fold.n_items(), "items", "nItems")?;
    check_finite(values, "values")?;
    Ok((items, values))
}

fn user_vector(env: &Env, info: napi_callback_info) -> JsResult<napi_value> {
    let ([items, values], this) = env.args::<2>(info)?;
    let fold = this_fold_in(env, this)?;
    let (items, values) = read_history(env, fold, items, values)?;
    let v = fold.user_vector(items, values)?;
    env.typed_from_vec(v)
}

fn recommend(env: &Env, info: napi_callback_info) -> JsResult<napi_value> {
    let ([items, values, k], this) = env.args::<3>(info)?;
    let fold = this_fold_in(env, this)?;
    let (items, values) = read_history(env, fold, items, values)?;
    let k = env.usize(k, "k", 1, u32::MAX as usize)?;
    let (vector, top) = fold.recommend(items, values, k)?;
    let out = topk_value(env, top)?;
    let vector = env.typed_from_vec(vector)?;
    // SAFETY: `env.raw()` is the env of the running callback; `out` is an object made in this call and the
    // name is a NUL-terminated literal.
    env.check(unsafe { napi_set_named_property(env.raw(), out, c"vector".as_ptr(), vector) })?;
    Ok(out)
}

fn recommend_many(env: &Env, info: napi_callback_info) -> JsResult<napi_value> {
    let ([offsets, items, values, k], this) = env.args::<4>(info)?;
    let fold = this_fold_in(env, this)?;
    let offsets = env.typed::<u32>(offsets, "offsets")?;
    let (items, values) = read_history(env, fold, items, values)?;
    let k = env.usize(k, "k", 1, u32::MAX as usize)?;
    if offsets.first() != Some(&0) || offsets.last().map(|&o| o as usize) != Some(items.len()) {
        return value_err(format!("offsets must start at 0 and end at items.length ({}); got {} offsets", items.len(), offsets.len()));
    }
    if let Some(u) = offsets.windows(2).position(|w| w[1] < w[0]) {
        return value_err(format!("offsets must not decrease; offsets[{}] = {} < offsets[{u}] = {}", u + 1, offsets[u + 1], offsets[u]));
    }
    let n = offsets.len() - 1;
    let mut vectors = Vec::with_capacity(n * fold.rank());
    let mut top = TopK { k, rows: n, items: Vec::with_capacity(n * k), scores: Vec::with_capacity(n * k) };
    for w in offsets.windows(2) {
        let (a, b) = (w[0] as usize, w[1] as usize);
        let (x, t) = fold.recommend(&items[a..b], &values[a..b], k)?;
        vectors.extend_from_slice(&x);
        top.items.extend_from_slice(&t.items);
        top.scores.extend_from_slice(&t.scores);
    }
    let out = topk_value(env, top)?;
    let vector = env.typed_from_vec(vectors)?;
    // SAFETY: `env.raw()` is the env of the running callback; `out` is an object made in this call and the
    // name is a NUL-terminated literal.
    env.check(unsafe { napi_set_named_property(env.raw(), out, c"vector".as_ptr(), vector) })?;
    Ok(out)
}

fn n_items(env: &Env, info: napi_callback_info) -> JsResult<napi_value> {
    let ([], this) = env.args::<0>(info)?;
    env.f64_value(this_fold_in(env, this)?.n_items() as f64)
}

fn rank(env: &Env, info: napi_callback_info) -> JsResult<napi_value> {
    let ([], this) = env.args::<0>(info)?;
    env.f64_value(this_fold_in(env, this)?.rank() as f64)
}
