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

/// JS values kept alive until a job has settled (e.g. typed arrays the worker reads in place).
/// Created and deleted on the JS thread only.
pub struct Pins(Vec<napi_ref>);

// Safety: the handles are only created and deleted on the JS thread (in `pin` and `complete`);
// the worker never touches them.
unsafe impl Send for Pins {}

impl Pins {
    pub fn new() -> Pins {
        Pins(Vec::new())
    }

    /// Holds `value` (strongly) until the job that takes these pins has settled.
    pub fn pin(&mut self, env: &Env, value: napi_value) -> JsResult<()> {
        let mut r = null_mut();
        // SAFETY: `env.raw()` is the env of the running callback; `value` is a JS value of this callback, `r`
        // a live out-pointer.
        env.check(unsafe { napi_create_reference(env.raw(), value, 1, &mut r) })?;
        self.0.push(r);
        Ok(())
    }

    pub fn release(self, env: &Env) {
        for r in self.0 {
            // SAFETY: `env.raw()` is the env of the running callback (pins are released on the JS thread
            // only) and `r` a reference made by `pin`, deleted once.
            unsafe { napi_delete_reference(env.raw(), r) };
        }
    }
}

struct Job {
    context: String,
    pins: Option<Pins>,
    work: Option<Work>,
    outcome: Option<JsResult<Settle>>,
    deferred: napi_deferred,
    handle: napi_async_work,
    progress: Option<Progress>,
}

/// Queues `work` and returns its promise. `progress` (if any) is released when the job ends;
/// if its callback threw, the promise rejects with the thrown value.
pub fn queue_promise(env: &Env, context: &str, progress: Option<Progress>, work: Work) -> JsResult<napi_value> {
    queue_promise_pinned(env, context, progress, Pins::new(), work)
}

/// [`queue_promise`] that also keeps `pins` alive until the job has settled (or failed to queue).
pub fn queue_promise_pinned(env: &Env, context: &str, progress: Option<Progress>, pins: Pins, work: Work) -> JsResult<napi_value> {
    let name = match env.string_value(context) {
        Ok(n) => n,
        Err(e) => {
            pins.release(env);
            return Err(e);
        }
    };
    let job = Box::into_raw(Box::new(Job {
        context: context.to_string(),
        pins: Some(pins),
        work: Some(work),
        outcome: None,
        deferred: null_mut(),
        handle: null_mut(),
        progress,
    }));
    let mut handle = null_mut();
    // SAFETY: `env.raw()` is the env of the running callback; `job` stays alive (leaked box) until `complete`
    // or the failure paths below reclaim it, and `execute` only touches the job's Rust fields.
    let status = unsafe { napi_create_async_work(env.raw(), null_mut(), name, Some(execute), Some(complete), job.cast(), &mut handle) };
    if let Err(e) = env.check(status) {
        // SAFETY: the async work was not created, so nothing else will reclaim `job`.
        let mut job = unsafe { Box::from_raw(job) };
        if let Some(p) = job.pins.take() {
            p.release(env);
        }
        return Err(e);
    }
    let mut promise = null_mut();
    let mut deferred = null_mut();
    // SAFETY: `env.raw()` is the env of the running callback; `deferred` and `promise` are live out-pointers.
    let created = env.check(unsafe { napi_create_promise(env.raw(), &mut deferred, &mut promise) });
    let queued = created.and_then(|_| {
        // SAFETY: the work is created but not queued yet, so this thread is the only one touching `job`.
        unsafe {
            (*job).deferred = deferred;
            (*job).handle = handle;
        }
        // SAFETY: `env.raw()` is the env of the running callback; `handle` is the async work created above.
        env.check(unsafe { napi_queue_async_work(env.raw(), handle) })
    });
    if let Err(e) = queued {
        // SAFETY: queuing failed, so neither `execute` nor `complete` will run: the work is deleted and `job`
        // reclaimed here, once.
        unsafe {
            napi_delete_async_work(env.raw(), handle);
            let mut job = Box::from_raw(job);
            if let Some(p) = job.pins.take() {
                p.release(env);
            }
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
    if let Some(p) = job.pins.take() {
        p.release(&env);
    }
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
    // SAFETY: `env` is the env of `complete`, on the JS thread; `job.deferred` was created with the promise
    // and is settled exactly once, here.
    unsafe {
        match result {
            Ok(v) => napi_resolve_deferred(env.raw(), job.deferred, v),
            Err(e) => napi_reject_deferred(env.raw(), job.deferred, e),
        };
    }
}
