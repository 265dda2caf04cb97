//! How calls report failure: each export returns a status (0 = ok, else a code below) and leaves
//! the message in a slot JS reads with `als_error_ptr` / `als_error_len` (UTF-8, valid until
//! the next call). A Rust panic traps (panic = abort); the hook `als_init` installs records its
//! message first, with code `PANIC`, so JS can report it. `als_init` also installs the clock.

use std::cell::RefCell;

use als::AlsError;

pub const OK: i32 = 0;
pub const INVALID_ARGUMENT: i32 = 1;
pub const INVALID_DATA: i32 = 2;
pub const NUMERICAL: i32 = 3;
/// A bad argument value caught by the binding itself (not the core).
pub const BAD_VALUE: i32 = 4;
pub const PANIC: i32 = 5;

/// Why a call failed: the code and the message JS reads back.
pub struct Failure(pub i32, pub String);

impl From<AlsError> for Failure {
    fn from(e: AlsError) -> Self {
        let code = match e {
            AlsError::InvalidArgument(_) => INVALID_ARGUMENT,
            AlsError::InvalidData(_) => INVALID_DATA,
            AlsError::Numerical(_) => NUMERICAL,
        };
        Failure(code, e.to_string())
    }
}

pub fn bad_value<T>(msg: impl Into<String>) -> Result<T, Failure> {
    Err(Failure(BAD_VALUE, msg.into()))
}

thread_local! {
    static LAST: RefCell<(i32, String)> = const { RefCell::new((OK, String::new())) };
}

fn set(code: i32, msg: String) {
    LAST.with(|l| *l.borrow_mut() = (code, msg));
}

/// Runs an export's body: clears the slot, then stores the failure (if any) and returns its code.
pub fn run(body: impl FnOnce() -> Result<(), Failure>) -> i32 {
    set(OK, String::new());
    match body() {
        Ok(()) => OK,
        Err(Failure(code, msg)) => {
            set(code, msg);
            code
        }
    }
}

/// The status of the last call (`PANIC` after a trap caused by a panic).
#[no_mangle]
pub extern "C" fn als_error_code() -> i32 {
    LAST.with(|l| l.borrow().0)
}

/// The last call's error message (UTF-8, `als_error_len` bytes).
#[no_mangle]
pub extern "C" fn als_error_ptr() -> *const u8 {
    LAST.with(|l| l.borrow().1.as_ptr())
}

#[no_mangle]
pub extern "C" fn als_error_len() -> usize {
    LAST.with(|l| l.borrow().1.len())
}

/// Installs the panic hook (records the message with code `PANIC`) and the host clock.
/// Call once after instantiating.
#[no_mangle]
pub extern "C" fn als_init() {
    std::panic::set_hook(Box::new(|info| {
        let msg = als::error::panic_message(info.payload());
        // Never panic inside the hook: skip recording if the slot is busy.
        let _ = LAST.try_with(|l| l.try_borrow_mut().map(|mut l| *l = (PANIC, msg)));
    }));
    als::clock::set_clock(crate::host::now_seconds);
}

/// Test hook: panics, so JS can check that the trap is reported and the instance replaced.
#[no_mangle]
pub extern "C" fn als_panic_for_test() {
    panic!("deliberate test panic");
}
