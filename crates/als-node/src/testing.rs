//! Test hooks: `_panicForTest(async)` unwinds out of Rust code (on the JS thread, or on a worker
//! when `async` is true) to prove panics surface as JS errors instead of aborting the process.
//! It uses `resume_unwind`, which skips the panic hook, so tests print no backtrace noise.

use std::panic::resume_unwind;

use crate::async_work::{queue_promise, Settle};
use crate::env::Env;
use crate::error::JsResult;
use crate::sys::{napi_callback_info, napi_value};

crate::js_callback!(js_panic_for_test, "_panicForTest", panic_for_test);

fn panic_for_test(env: &Env, info: napi_callback_info) -> JsResult<napi_value> {
    let ([on_worker], _) = env.args::<1>(info)?;
    let on_worker = !env.is_nullish(on_worker)? && env.boolean(on_worker, "async")?;
    if on_worker {
        let work = || -> JsResult<Settle> { resume_unwind(Box::new("deliberate test panic on a worker thread")) };
        return queue_promise(env, "_panicForTest", None, Box::new(work));
    }
    resume_unwind(Box::new("deliberate test panic on the JS thread"))
}
