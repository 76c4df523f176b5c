//! The one error type of this crate: which input failed to parse, and why.

use std::fmt;

use crate::Scheme;

/// Input longer than this is refused: no real version or range comes close, and
/// untrusted feeds must not make us do unbounded work.
pub const MAX_INPUT_LEN: usize = 1024;

/// What kind of input failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A version string.
    Version,
    /// A range / constraint / requirement string.
    Range,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorKind::Version => "version",
            ErrorKind::Range => "range",
        })
    }
}

/// A version or range that could not be parsed, naming the input and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {scheme} {kind} {input:?}: {reason}")]
pub struct Error {
    /// The scheme whose rules rejected the input.
    pub scheme: Scheme,
    /// Whether a version or a range was rejected.
    pub kind: ErrorKind,
    /// The rejected input (cut to a readable length).
    pub input: String,
    /// Why it was rejected.
    pub reason: String,
}

impl Error {
    /// An invalid version.
    pub fn version(scheme: Scheme, input: &str, reason: impl Into<String>) -> Self {
        Self::new(scheme, ErrorKind::Version, input, reason.into())
    }

    /// An invalid range.
    pub fn range(scheme: Scheme, input: &str, reason: impl Into<String>) -> Self {
        Self::new(scheme, ErrorKind::Range, input, reason.into())
    }

    fn new(scheme: Scheme, kind: ErrorKind, input: &str, reason: String) -> Self {
        const SHOWN: usize = 80;
        let input = match input.char_indices().nth(SHOWN) {
            Some((cut, _)) => format!("{}…", input.get(..cut).unwrap_or(input)),
            None => input.to_owned(),
        };
        Error {
            scheme,
            kind,
            input,
            reason,
        }
    }
}

/// Refuses empty and over-long input before a parser looks at it.
pub fn check_len(scheme: Scheme, kind: ErrorKind, input: &str) -> Result<(), Error> {
    if input.is_empty() {
        return Err(Error::new(scheme, kind, input, "empty".into()));
    }
    if input.len() > MAX_INPUT_LEN {
        return Err(Error::new(
            scheme,
            kind,
            input,
            format!("longer than {MAX_INPUT_LEN} bytes"),
        ));
    }
    Ok(())
}
