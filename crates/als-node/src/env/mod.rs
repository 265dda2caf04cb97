//! The per-callback Node-API environment: `Env` (checked status codes, arguments, calls, error
//! values) and `run_callback`, which every exported function goes through so that errors and
//! panics become thrown JS Errors. Reading values is in `read`, building them in `build`.
//! An `Env` lives for one callback; slices borrowed from JS typed arrays cannot outlive it.

mod build;
mod read;

use std::ffi::CStr;
use std::ptr::null_mut;

use crate::error::{JsError, JsResult};
use crate::sys::*;

pub use read::{js_number, Element};

/// The Node-API environment of the current callback (not `Copy`: borrows of JS memory hang off it).
pub struct Env(napi_env);

impl Env {
    /// # Safety
    /// `raw` must be the env Node passed to the currently running callback.
    pub unsafe fn new(raw: napi_env) -> Env {
        Env(raw)
    }

    pub fn raw(&self) -> napi_env {
        self.0
    }

    /// Maps a Node-API status to `Ok`, `Pending` (a JS exception is pending) or `Napi`.
    pub fn check(&self, status: napi_status) -> JsResult<()> {
        if status == NAPI_OK {
            return Ok(());
        }
        let mut pending = false;
        // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `pending`
        // is a live out-pointer.
        unsafe { napi_is_exception_pending(self.0, &mut pending) };
        if pending || status == NAPI_PENDING_EXCEPTION {
            return Err(JsError::Pending);
        }
        let mut info: *const napi_extended_error_info = std::ptr::null();
        // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `info` is
        // a live out-pointer.
        unsafe { napi_get_last_error_info(self.0, &mut info) };
        // SAFETY: Node returns either null or a pointer to its error info, valid until the next Node-API
        // call.
        let msg = unsafe { info.as_ref() }
            .filter(|i| !i.error_message.is_null())
            // SAFETY: a non-null `error_message` is a NUL-terminated string owned by Node, copied before the
            // next call.
            .map(|i| unsafe { CStr::from_ptr(i.error_message) }.to_string_lossy().into_owned())
            .unwrap_or_else(|| format!("status {status}"));
        Err(JsError::Napi(msg))
    }

    /// The first `N` arguments (missing ones are `undefined`) and `this`.
    pub fn args<const N: usize>(&self, info: napi_callback_info) -> JsResult<([napi_value; N], napi_value)> {
        let mut argv = [null_mut(); N];
        let mut argc = N;
        let mut this = null_mut();
        // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else) and `info`
        // its callback info; `argv` has room for `argc` = N values.
        self.check(unsafe { napi_get_cb_info(self.0, info, &mut argc, argv.as_mut_ptr(), &mut this, null_mut()) })?;
        Ok((argv, this))
    }

    /// Calls `func` with `this = undefined`.
    pub fn call(&self, func: napi_value, args: &[napi_value]) -> JsResult<napi_value> {
        self.call_on(self.undefined()?, func, args)
    }

    /// Calls `func` with `this = recv`.
    pub fn call_on(&self, recv: napi_value, func: napi_value, args: &[napi_value]) -> JsResult<napi_value> {
        let mut out = null_mut();
        // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `args` is
        // a live slice of `args.len()` values.
        self.check(unsafe { napi_call_function(self.0, recv, func, args.len(), args.as_ptr(), &mut out) })?;
        Ok(out)
    }

    /// The JS value for an error: the pending exception (cleared) for `Pending`, else a new Error.
    pub fn error_value(&self, err: &JsError, context: &str) -> napi_value {
        if let JsError::Pending = err {
            let mut exc = null_mut();
            // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `exc`
            // is a live out-pointer.
            if unsafe { napi_get_and_clear_last_exception(self.0, &mut exc) } == NAPI_OK && !exc.is_null() {
                return exc;
            }
        }
        let (code, is_type, msg) = err.parts(context);
        let mut code_v = null_mut();
        let mut msg_v = null_mut();
        let mut out = null_mut();
        // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `code` is
        // NUL-terminated, `msg` is read as `msg.len()` UTF-8 bytes, the outputs are live locals.
        unsafe {
            napi_create_string_utf8(self.0, code.as_ptr(), usize::MAX, &mut code_v);
            napi_create_string_utf8(self.0, msg.as_ptr().cast(), msg.len(), &mut msg_v);
            if is_type {
                napi_create_type_error(self.0, code_v, msg_v, &mut out);
            } else {
                napi_create_error(self.0, code_v, msg_v, &mut out);
            }
        }
        out
    }

    /// Throws `err` unless a JS exception is already pending.
    pub fn throw(&self, err: &JsError, context: &str) {
        if let JsError::Pending = err {
            return;
        }
        let e = self.error_value(err, context);
        // SAFETY: `self.0` is the env of the running callback (an `Env` is made from nothing else); `e` is a
        // JS value made in this callback.
        unsafe { napi_throw(self.0, e) };
    }
}

/// Runs the body of an exported function: panics and errors become a thrown JS Error named after
/// `context`; the return value is `NULL` (undefined to JS) when something was thrown.
pub fn run_callback(
    raw: napi_env,
    info: napi_callback_info,
    context: &str,
    body: impl FnOnce(&Env, napi_callback_info) -> JsResult<napi_value>,
) -> napi_value {
    // SAFETY: `raw` is the env Node passed to the running callback: run_callback is only called from the
    // functions js_callback! declares, with their own arguments.
    let env = unsafe { Env::new(raw) };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(&env, info)));
    match result {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => {
            env.throw(&e, context);
            null_mut()
        }
        Err(payload) => {
            env.throw(&JsError::from_panic(payload), context);
            null_mut()
        }
    }
}

/// Declares `unsafe extern "C" fn $name(env, info)` running `$body` through [`run_callback`].
#[macro_export]
macro_rules! js_callback {
    ($name:ident, $context:expr, $body:expr) => {
        pub unsafe extern "C" fn $name(env: $crate::sys::napi_env, info: $crate::sys::napi_callback_info) -> $crate::sys::napi_value {
            $crate::env::run_callback(env, info, $context, $body)
        }
    };
}
