//! The one error type of the library, split by whose fault it is.
//!
//! Every message is written for the person who can fix it: a student who
//! dropped the wrong file, or a developer who passed a wrong shape.

use thiserror::Error;

/// Everything that can go wrong in normscope.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    /// The input is wrong: a corrupt file, a bad parameter, a shape mismatch.
    /// The user can fix it by changing what they passed in.
    #[error("{0}")]
    BadInput(String),
    /// The input may be fine but is bigger than normscope accepts.
    #[error("{0}")]
    TooLarge(String),
    /// A real file or option that normscope does not handle (HEIC, PDF, ...).
    #[error("{0}")]
    Unsupported(String),
    /// A bug in normscope, not the user's fault.
    #[error("internal error (please report it): {0}")]
    Internal(String),
}

impl Error {
    /// Prefix the message with the name of the file (or thing) it concerns,
    /// keeping the category.
    pub fn context(self, what: &str) -> Self {
        match self {
            Error::BadInput(m) => Error::BadInput(format!("{what}: {m}")),
            Error::TooLarge(m) => Error::TooLarge(format!("{what}: {m}")),
            Error::Unsupported(m) => Error::Unsupported(format!("{what}: {m}")),
            Error::Internal(m) => Error::Internal(format!("{what}: {m}")),
        }
    }
}

/// Shorthand used throughout the crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Build an [`Error::BadInput`] from a format string.
#[macro_export]
macro_rules! bad_input {
    ($($arg:tt)*) => { $crate::error::Error::BadInput(format!($($arg)*)) };
}
