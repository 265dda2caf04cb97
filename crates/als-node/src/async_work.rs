//! Promise-returning background jobs. `queue_promise` runs a closure on the libuv thread pool
//! (napi_create_async_work), catching panics, then settles the promise on the JS thread with
//! the value the closure's `Settle` step builds, or rejects with a JS Error.

use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::null_mut;

use crate::env::Env;
use crate::error::{JsError, JsResult};
use crate::progress::Progress;
use crate::sys::*;

/// Builds the resolution value on the JS thread (typed arrays over the result's memory, ...).
pub type Settle = Box<dyn FnOnce(&Env) -> JsResult<napi_value> + Send>;
/// The work itself; runs on a worker thread and must not touch JS.
pub type Work = Box<dyn FnOnce() -> JsResult<Settle> + Send>;

struct Job {
    context: String,
    work: Option<Work>,
    outcome: Option<JsResult<Settle>>,
    deferred: napi_deferred,
    handle: napi_async_work,
    progress: Option<Progress>,
}

/// Queues `work` and returns its promise. `progress` (if any) is released when the job ends;
/// if its callback threw, the promise rejects with the thrown value.
pub fn queue_promise(env: &Env, context: &str, progress: Option<Progress>, work: Work) -> JsResult<napi_value> {
    let name = env.string_value(context)?;
    let job = Box::into_raw(Box::new(Job {
        context: context.to_string(),
        work: Some(work),
        outcome: None,
        deferred: null_mut(),
        handle: null_mut(),
        progress,
    }));
    let mut handle = null_mut();
    let status = unsafe {
        napi_create_async_work(env.raw(), null_mut(), name, Some(execute), Some(complete), job.cast(), &mut handle)
    };
    if let Err(e) = env.check(status) {
        unsafe { drop(Box::from_raw(job)) };
        return Err(e);
    }
    let mut promise = null_mut();
    let mut deferred = null_mut();
    let created = env.check(unsafe { napi_create_promise(env.raw(), &mut deferred, &mut promise) });
    let queued = created.and_then(|_| {
        unsafe {
            (*job).deferred = deferred;
            (*job).handle = handle;
        }
        env.check(unsafe { napi_queue_async_work(env.raw(), handle) })
    });
    if let Err(e) = queued {
        unsafe {
            napi_delete_async_work(env.raw(), handle);
            drop(Box::from_raw(job));
        }
        return Err(e);
    }
    Ok(promise)
}

unsafe extern "C" fn execute(_env: napi_env, data: *mut c_void) {
    let job = &mut *data.cast::<Job>();
    if let Some(work) = job.work.take() {
        let outcome = catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|p| Err(JsError::from_panic(p)));
        job.outcome = Some(outcome);
    }
}

unsafe extern "C" fn complete(raw: napi_env, _status: napi_status, data: *mut c_void) {
    let mut job = Box::from_raw(data.cast::<Job>());
    napi_delete_async_work(raw, job.handle);
    let env = Env::new(raw);
    let _ = catch_unwind(AssertUnwindSafe(|| settle(&env, &mut job)));
}

fn settle(env: &Env, job: &mut Job) {
    let thrown = job.progress.take().and_then(|p| p.finish(env));
    let result = match (thrown, job.outcome.take()) {
        (Some(value), _) => Err(value),
        (None, None) => Err(env.error_value(&JsError::Value("the job was cancelled".into()), &job.context)),
        (None, Some(Err(e))) => Err(env.error_value(&e, &job.context)),
        (None, Some(Ok(build))) => match catch_unwind(AssertUnwindSafe(|| build(env))) {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(env.error_value(&e, &job.context)),
            Err(p) => Err(env.error_value(&JsError::from_panic(p), &job.context)),
        },
    };
    unsafe {
        match result {
            Ok(v) => napi_resolve_deferred(env.raw(), job.deferred, v),
            Err(e) => napi_reject_deferred(env.raw(), job.deferred, e),
        };
    }
}
