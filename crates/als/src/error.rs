//! The one error type of the core: every failure says what was wrong and where.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum AlsError {
    /// An argument is out of its allowed range or inconsistent with another one.
    InvalidArgument(String),
    /// Input data is malformed: the message names the offending position and value.
    InvalidData(String),
    /// A numerical failure that valid input should not produce (e.g. a matrix that is not positive definite).
    Numerical(String),
}

impl fmt::Display for AlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AlsError::InvalidArgument(m) => write!(f, "invalid argument: {m}"),
            AlsError::InvalidData(m) => write!(f, "invalid data: {m}"),
            AlsError::Numerical(m) => write!(f, "numerical error: {m}"),
        }
    }
}

impl std::error::Error for AlsError {}

pub type Result<T> = std::result::Result<T, AlsError>;

pub(crate) fn invalid_arg(msg: impl Into<String>) -> AlsError {
    AlsError::InvalidArgument(msg.into())
}

pub(crate) fn invalid_data(msg: impl Into<String>) -> AlsError {
    AlsError::InvalidData(msg.into())
}

/// The message of a caught panic's payload (both bindings turn panics into errors with it).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}
