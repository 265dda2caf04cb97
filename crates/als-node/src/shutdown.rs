//! Shutdown of a JS environment while work runs. `process.exit()` joins the libuv pool threads
//! before the process ends (and a worker's teardown waits for its in-flight work), so a fit still
//! training, or a worker thread waiting for a JS thread that will never answer, would hang it.
//! Each environment gets a `closing` flag, raised by a `process.on('exit')` listener and by an
//! environment cleanup hook; once it is up, waits give up and fits stop after the current
//! iteration.

use std::ffi::c_void;
use std::ptr::null_mut;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::env::Env;
use crate::error::{JsError, JsResult};
use crate::sys::*;

/// Raised when the environment is going away.
pub type Closing = Arc<AtomicBool>;

/// Sets up the flag of this environment (call once, when the addon is loaded into it).
pub fn install(env: &Env) -> JsResult<()> {
    let flag: Closing = Arc::new(AtomicBool::new(false));
    let data = Box::into_raw(Box::new(flag.clone()));
    // SAFETY: `env.raw()` is the env of the running callback; `data` is a leaked box freed by
    // `drop_instance_data` when the environment is torn down.
    let status = unsafe { napi_set_instance_data(env.raw(), data.cast(), Some(drop_instance_data), null_mut()) };
    if let Err(e) = env.check(status) {
        // SAFETY: setting the data failed, so the finalizer will never run: this is the box's only owner.
        unsafe { drop(Box::from_raw(data)) };
        return Err(e);
    }
    let arg = Arc::into_raw(flag).cast_mut().cast::<c_void>();
    // SAFETY: `env.raw()` is the env of the running callback; `arg` is an Arc leaked for the hook, which
    // `on_cleanup` takes back once.
    env.check(unsafe { napi_add_env_cleanup_hook(env.raw(), Some(on_cleanup), arg) })?;
    let mut global = null_mut();
    // SAFETY: `env.raw()` is the env of the running callback; `global` is a live out-pointer.
    env.check(unsafe { napi_get_global(env.raw(), &mut global) })?;
    let process = env.get(global, c"process")?;
    let on = env.get(process, c"on")?;
    let listener = env.function_value(c"alsNodeOnExit", Some(js_on_exit))?;
    env.call_on(process, on, &[env.string_value("exit")?, listener])?;
    Ok(())
}

/// This environment's flag.
pub fn closing(env: &Env) -> JsResult<Closing> {
    let mut data = null_mut::<c_void>();
    // SAFETY: `env.raw()` is the env of the running callback; `data` is a live out-pointer.
    env.check(unsafe { napi_get_instance_data(env.raw(), &mut data) })?;
    // SAFETY: the instance data is null or the `Closing` box `install` set, which lives until the environment
    // is torn down, after every callback.
    match unsafe { data.cast::<Closing>().as_ref() } {
        Some(flag) => Ok(flag.clone()),
        None => Err(JsError::Napi("the addon's instance data is missing".into())),
    }
}

unsafe extern "C" fn drop_instance_data(_env: napi_env, data: *mut c_void, _hint: *mut c_void) {
    let flag = Box::from_raw(data.cast::<Closing>());
    flag.store(true, Ordering::SeqCst);
}

unsafe extern "C" fn on_cleanup(arg: *mut c_void) {
    let flag = Arc::from_raw(arg.cast_const().cast::<AtomicBool>());
    flag.store(true, Ordering::SeqCst);
}

unsafe extern "C" fn js_on_exit(raw: napi_env, _info: napi_callback_info) -> napi_value {
    let env = Env::new(raw);
    if let Ok(flag) = closing(&env) {
        flag.store(true, Ordering::SeqCst);
    }
    null_mut()
}
