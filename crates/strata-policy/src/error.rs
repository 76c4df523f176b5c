//! The errors of this crate: each names the file (and line, when there is
//! one) or the flag value that is wrong.

use std::path::PathBuf;

/// Something a user gave us (a flag value, an ignore file, a VEX document)
/// is unreadable or wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// A `--severity`/`--fail-on` word that is not a severity.
    #[error(
        "unknown severity `{word}` in `{input}` (expected Unknown, Negligible, Low, Medium, High or Critical)"
    )]
    UnknownSeverity {
        /// The offending word.
        word: String,
        /// The whole flag value.
        input: String,
    },
    /// `--exit-code` outside 0–255, or 2 (which means "error").
    #[error("--exit-code {code}: {reason}")]
    BadExitCode {
        /// The code given.
        code: i64,
        /// Why it is refused.
        reason: &'static str,
    },
    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file is over the size limit.
    #[error("{}: larger than the {limit}-byte limit", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit in bytes.
        limit: u64,
    },
    /// An ignore file is not valid.
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    IgnoreFile {
        /// The file.
        path: PathBuf,
        /// The 1-based line, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// A VEX document is not valid (or not VEX at all).
    #[error("{}: {message}", path.display())]
    Vex {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A policy file is not valid: `FILE:LINE: FIELD: what is wrong`.
    #[error(
        "{}{}: {}{message}",
        path.display(),
        line.map(|l| format!(":{l}")).unwrap_or_default(),
        field.as_ref().map(|f| format!("{f}: ")).unwrap_or_default()
    )]
    PolicyFile {
        /// The file.
        path: PathBuf,
        /// The 1-based line, when known.
        line: Option<usize>,
        /// The field path (`policies[0].criteria.cvss_at_least`), when known.
        field: Option<String>,
        /// What is wrong.
        message: String,
    },
}
