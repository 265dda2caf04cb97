//! Progress callbacks from worker threads to JS through a Node-API threadsafe function.
//! A `Progress` (main thread) owns the threadsafe function and releases it when the job ends;
//! `ProgressSender`s (worker threads) queue reports with non-blocking calls. A JS callback that
//! returns `false` or throws sets the shared `stopped` flag; a thrown value is kept so the job's
//! promise can reject with it. Waits give up when the process exits or the environment is torn
//! down (the JS thread will never answer again); both count as a stop.

use std::ffi::c_void;
use std::ptr::null_mut;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::env::Env;
use crate::error::JsResult;
use crate::shutdown::{closing, Closing};
use crate::sys::*;

/// Builds the callback's arguments on the JS thread.
pub type Payload = Box<dyn FnOnce(&Env) -> JsResult<Vec<napi_value>> + Send>;

#[derive(Clone, Copy)]
struct Tsfn(napi_threadsafe_function);
// SAFETY: Node-API threadsafe functions are made to be called and released from any thread.
unsafe impl Send for Tsfn {}
// SAFETY: as for Send: every operation on the handle is one Node-API documents as thread-safe.
unsafe impl Sync for Tsfn {}

/// A reference to a thrown JS value; created and consumed only on the JS thread.
struct ThrownRef(napi_ref);
// SAFETY: the reference is only created and read on the JS thread (`call_js`, `finish`); other threads only
// move it inside the Mutex.
unsafe impl Send for ThrownRef {}

struct Shared {
    stopped: AtomicBool,
    thrown: Mutex<Option<ThrownRef>>,
    /// The environment is going away: the JS thread will not run the callback again.
    closing: Closing,
}

impl Shared {
    fn stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst) || self.closing.load(Ordering::SeqCst)
    }
}

/// Signalled when its message has been handled (or dropped), so a worker can wait for the verdict.
#[derive(Default)]
struct Reply {
    done: Mutex<bool>,
    cv: Condvar,
}

struct Message {
    payload: Option<Payload>,
    reply: Option<Arc<Reply>>,
}

impl Drop for Message {
    fn drop(&mut self) {
        if let Some(reply) = &self.reply {
            *reply.done.lock().unwrap_or_else(|e| e.into_inner()) = true;
            reply.cv.notify_all();
        }
    }
}

/// The JS-thread end: created from the user's callback, released by `finish` (or on drop).
pub struct Progress {
    tsfn: Tsfn,
    shared: Arc<Shared>,
    released: bool,
}

/// The worker end.
#[derive(Clone)]
pub struct ProgressSender {
    tsfn: Tsfn,
    shared: Arc<Shared>,
}

impl Progress {
    pub fn new(env: &Env, callback: napi_value, name: &str) -> JsResult<Progress> {
        let shared = Arc::new(Shared { stopped: AtomicBool::new(false), thrown: Mutex::new(None), closing: closing(env)? });
        let context = Arc::into_raw(shared.clone()) as *mut c_void;
        let resource_name = env.string_value(name)?;
        let mut tsfn = null_mut();
        // SAFETY: `env.raw()` is the env of the running callback; `context` is an Arc leaked for the
        // function, freed by `finalize_shared` when the function is finalized, and `call_js` receives it
        // back.
        let status = unsafe {
            napi_create_threadsafe_function(
                env.raw(),
                callback,
                null_mut(),
                resource_name,
                0, // unbounded queue: calls never block
                1,
                context,
                Some(finalize_shared),
                context,
                Some(call_js),
                &mut tsfn,
            )
        };
        if let Err(e) = env.check(status) {
            // SAFETY: creation failed, so `finalize_shared` will never run: reclaim the Arc leaked above,
            // once.
            unsafe { drop(Arc::from_raw(context as *const Shared)) };
            return Err(e);
        }
        Ok(Progress { tsfn: Tsfn(tsfn), shared, released: false })
    }

    pub fn sender(&self) -> ProgressSender {
        ProgressSender { tsfn: self.tsfn, shared: self.shared.clone() }
    }

    /// Releases the threadsafe function; returns the value the callback threw, if it did.
    /// Call after the worker is done with its senders.
    pub fn finish(mut self, env: &Env) -> Option<napi_value> {
        self.release();
        let thrown = self.shared.thrown.lock().unwrap_or_else(|e| e.into_inner()).take()?;
        let mut value = null_mut();
        // SAFETY: `env.raw()` is the env of the running callback (finish runs on the JS thread); the
        // reference was made by `call_js` and is deleted once, here.
        unsafe {
            napi_get_reference_value(env.raw(), thrown.0, &mut value);
            napi_delete_reference(env.raw(), thrown.0);
        }
        (!value.is_null()).then_some(value)
    }

    fn release(&mut self) {
        if !self.released {
            self.released = true;
            // SAFETY: the function was created in `new` and is released once (`released` guards it); release
            // may be called from any thread.
            unsafe { napi_release_threadsafe_function(self.tsfn.0, NAPI_TSFN_RELEASE) };
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.release();
    }
}

impl ProgressSender {
    fn enqueue(&self, payload: Option<Payload>, reply: Option<Arc<Reply>>) -> bool {
        let msg = Box::into_raw(Box::new(Message { payload, reply }));
        // SAFETY: the function is alive until `finish` releases it, after the worker is done with its
        // senders; `msg` is a leaked box that `call_js` (or its finalizer) takes back.
        let status = unsafe { napi_call_threadsafe_function(self.tsfn.0, msg.cast(), NAPI_TSFN_NONBLOCKING) };
        if status != NAPI_OK {
            // Not queued (the environment is closing): drop it here, which also signals its reply.
            // SAFETY: the call failed, so Node did not take `msg`: this is its only owner.
            unsafe { drop(Box::from_raw(msg)) };
            return false;
        }
        true
    }

    /// Waits for the reply, checking now and then whether the environment is closing.
    fn wait(&self, reply: &Reply) {
        let mut done = reply.done.lock().unwrap_or_else(|e| e.into_inner());
        while !*done && !self.shared.closing.load(Ordering::SeqCst) {
            done = reply.cv.wait_timeout(done, Duration::from_millis(50)).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    /// Queues a report without waiting.
    pub fn send(&self, payload: Payload) {
        if !self.stopped() {
            self.enqueue(Some(payload), None);
        }
    }

    /// Queues a report and waits until the JS callback has run; returns whether to go on
    /// (false once the callback has returned `false` or thrown).
    pub fn send_and_wait(&self, payload: Payload) -> bool {
        if self.stopped() {
            return false;
        }
        let reply = Arc::new(Reply::default());
        if self.enqueue(Some(payload), Some(reply.clone())) {
            self.wait(&reply);
        }
        !self.stopped()
    }

    /// Waits until every report queued before has been delivered.
    pub fn flush(&self) {
        if self.shared.closing.load(Ordering::SeqCst) {
            return;
        }
        let reply = Arc::new(Reply::default());
        if self.enqueue(None, Some(reply.clone())) {
            self.wait(&reply);
        }
    }

    pub fn stopped(&self) -> bool {
        self.shared.stopped()
    }
}

unsafe extern "C" fn finalize_shared(_env: napi_env, data: *mut c_void, _hint: *mut c_void) {
    let shared = Arc::from_raw(data as *const Shared);
    shared.stopped.store(true, Ordering::SeqCst); // torn down: nobody will hear further reports
}

unsafe extern "C" fn call_js(raw: napi_env, callback: napi_value, context: *mut c_void, data: *mut c_void) {
    let msg = Box::from_raw(data.cast::<Message>());
    if context.is_null() {
        return;
    }
    let shared = &*(context as *const Shared);
    if raw.is_null() || callback.is_null() {
        // Tearing down: stop, and free the message (which releases any waiting worker).
        shared.stopped.store(true, Ordering::SeqCst);
        return;
    }
    let env = Env::new(raw);
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| deliver(&env, callback, shared, msg)));
}

fn deliver(env: &Env, callback: napi_value, shared: &Shared, mut msg: Box<Message>) {
    let Some(payload) = msg.payload.take() else { return };
    if shared.stopped() {
        return;
    }
    let result = payload(env).and_then(|args| env.call(callback, &args));
    match result {
        Ok(v) => {
            if matches!(env.type_of(v), Ok(NAPI_BOOLEAN)) && matches!(env.boolean(v, "result"), Ok(false)) {
                shared.stopped.store(true, Ordering::SeqCst);
            }
        }
        Err(e) => {
            let value = env.error_value(&e, "progress callback");
            let mut r = null_mut();
            // SAFETY: `env` is the env of `call_js`, on the JS thread; `r` is a live out-pointer.
            if unsafe { napi_create_reference(env.raw(), value, 1, &mut r) } == NAPI_OK {
                *shared.thrown.lock().unwrap_or_else(|e| e.into_inner()) = Some(ThrownRef(r));
            }
            shared.stopped.store(true, Ordering::SeqCst);
        }
    }
    drop(msg);
}
