//! The binding's error type: every failure (bad argument, core error, Rust panic, failed
//! Node-API call) becomes a JS Error with a `code` and a message prefixed by the function name.

use std::any::Any;
use std::ffi::CStr;

use als::AlsError;

/// Why a call failed. `Send`, so errors made on a worker thread can cross back to JS.
#[derive(Debug, Clone)]
pub enum JsError {
    /// An argument has the wrong JS type (TypeError, ERR_INVALID_ARG_TYPE).
    Type(String),
    /// An argument has the right type but a bad value (Error, ERR_INVALID_ARG_VALUE).
    Value(String),
    /// The core rejected the input or failed (Error, ERR_ALS_*).
    Core(AlsError),
    /// Rust panicked; caught before it could unwind into Node (Error, ERR_ALS_PANIC).
    Panic(String),
    /// A Node-API call failed without a pending JS exception (Error, ERR_NAPI).
    Napi(String),
    /// A JS exception is already pending (a getter threw, ...): leave it as is.
    Pending,
}

pub type JsResult<T> = Result<T, JsError>;

impl From<AlsError> for JsError {
    fn from(e: AlsError) -> Self {
        JsError::Core(e)
    }
}

pub fn type_err<T>(msg: impl Into<String>) -> JsResult<T> {
    Err(JsError::Type(msg.into()))
}

pub fn value_err<T>(msg: impl Into<String>) -> JsResult<T> {
    Err(JsError::Value(msg.into()))
}

impl JsError {
    /// Builds the error from a caught panic payload.
    pub fn from_panic(payload: Box<dyn Any + Send>) -> JsError {
        JsError::Panic(als::error::panic_message(payload.as_ref()))
    }

    /// `(code, is_type_error, message)` with the message prefixed by `context` (e.g. "fit").
    pub fn parts(&self, context: &str) -> (&'static CStr, bool, String) {
        match self {
            JsError::Type(m) => (c"ERR_INVALID_ARG_TYPE", true, format!("{context}: {m}")),
            JsError::Value(m) => (c"ERR_INVALID_ARG_VALUE", false, format!("{context}: {m}")),
            JsError::Core(e) => {
                let code = match e {
                    AlsError::InvalidArgument(_) => c"ERR_ALS_INVALID_ARGUMENT",
                    AlsError::InvalidData(_) => c"ERR_ALS_INVALID_DATA",
                    AlsError::Numerical(_) => c"ERR_ALS_NUMERICAL",
                };
                (code, false, format!("{context}: {e}"))
            }
            JsError::Panic(m) => (c"ERR_ALS_PANIC", false, format!("{context}: internal error (Rust panic): {m}")),
            JsError::Napi(m) => (c"ERR_NAPI", false, format!("{context}: Node-API call failed: {m}")),
            JsError::Pending => (c"ERR_PENDING", false, format!("{context}: a JS exception is pending")),
        }
    }
}
