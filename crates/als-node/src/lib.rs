//! `als-node`: the Node-API addon over the `als` core, with hand-written FFI (no crates).
//! This file only registers the exports; each function group lives in its own module:
//! `sys` (raw FFI), `env` (value helpers), `error`, `async_work` (promises on the thread pool),
//! `progress` (threadsafe-function callbacks), `shutdown` (exiting while work runs), `params`,
//! `args`, then the exported groups `fit`, `topk`, `similar`, `ease`, `foldin`, `synthetic`, `kernel`,
//! `testing`.
//!
//! Every `unsafe` block says why it holds in a `// SAFETY:` comment (clippy enforces it).

#![deny(clippy::undocumented_unsafe_blocks)]

mod args;
mod async_work;
mod ease;
mod env;
mod error;
mod fit;
mod foldin;
mod kernel;
mod params;
mod progress;
mod shutdown;
mod similar;
mod synthetic;
mod sys;
mod testing;
mod topk;

use env::Env;
use error::JsResult;
use sys::{napi_callback, napi_env, napi_set_named_property, napi_value};

/// Node calls this when the addon is `require`d.
///
/// # Safety
/// Called by Node with a valid env and exports object.
#[no_mangle]
pub unsafe extern "C" fn napi_register_module_v1(raw: napi_env, exports: napi_value) -> napi_value {
    let env = Env::new(raw);
    let registered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| register(&env, exports)));
    match registered {
        Ok(Ok(())) => exports,
        Ok(Err(e)) => {
            env.throw(&e, "als-node");
            std::ptr::null_mut()
        }
        Err(p) => {
            env.throw(&error::JsError::from_panic(p), "als-node");
            std::ptr::null_mut()
        }
    }
}

fn register(env: &Env, exports: napi_value) -> JsResult<()> {
    shutdown::install(env)?;
    let functions: [(&std::ffi::CStr, napi_callback); 8] = [
        (c"fit", Some(fit::js_fit)),
        (c"topK", Some(topk::js_top_k)),
        (c"similarItems", Some(similar::js_similar_items)),
        (c"easeWeights", Some(ease::js_ease_weights)),
        (c"generateSynthetic", Some(synthetic::js_generate_synthetic)),
        (c"kernelName", Some(kernel::js_kernel_name)),
        (c"forceKernel", Some(kernel::js_force_kernel)),
        (c"_panicForTest", Some(testing::js_panic_for_test)),
    ];
    for (name, cb) in functions {
        let f = env.function_value(name, cb)?;
        // SAFETY: `env.raw()` is the env of the running callback; `exports` is the object Node passed in and
        // `name` is NUL-terminated.
        env.check(unsafe { napi_set_named_property(env.raw(), exports, name.as_ptr(), f) })?;
    }
    let class = foldin::define_class(env)?;
    // SAFETY: `env.raw()` is the env of the running callback; `exports` is the object Node passed in and the
    // name is a NUL-terminated literal.
    env.check(unsafe { napi_set_named_property(env.raw(), exports, c"FoldIn".as_ptr(), class) })?;
    Ok(())
}
