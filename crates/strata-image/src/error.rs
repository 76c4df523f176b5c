//! The errors of this crate. Each names the thing that failed (reference, blob
//! digest, path inside a layer, registry) so a user can act on it. Secrets never
//! appear in them.

use crate::Digest;

/// What went wrong while getting or reading an image.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An image reference that does not follow the reference grammar.
    #[error("invalid image reference {reference:?}: {reason}")]
    InvalidReference {
        /// The reference as given.
        reference: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A malformed digest string.
    #[error("invalid digest {digest:?}: {reason}")]
    InvalidDigest {
        /// The digest as given.
        digest: String,
        /// Why it is invalid.
        reason: String,
    },
    /// Content that does not hash to the digest that names it.
    #[error("{what}: digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch {
        /// The blob.
        what: String,
        /// The digest it should have.
        expected: Digest,
        /// The digest it has.
        actual: Digest,
    },
    /// Content whose size differs from its descriptor.
    #[error("{what}: size mismatch: descriptor says {expected} bytes, got {actual}")]
    SizeMismatch {
        /// The blob.
        what: String,
        /// The size announced.
        expected: u64,
        /// The size read.
        actual: u64,
    },
    /// A configured limit was exceeded.
    #[error("{what}: exceeds the {limit} limit ({max})")]
    Limit {
        /// The thing that was too large.
        what: String,
        /// The limit's name, as in the `--limit-*` flags.
        limit: &'static str,
        /// The limit's value.
        max: u64,
    },
    /// A manifest, index, config or archive that is not what its type says.
    #[error("{what}: {reason}")]
    Invalid {
        /// The document.
        what: String,
        /// What is wrong.
        reason: String,
    },
    /// A Docker schema 1 manifest.
    #[error("{what}: Docker image manifest schema 1 is not supported (deprecated since 2017)")]
    Schema1 {
        /// The manifest.
        what: String,
    },
    /// An index without the requested platform.
    #[error("no image for platform {wanted} in {what} (available: {})", available.join(", "))]
    PlatformNotFound {
        /// The index.
        what: String,
        /// The platform asked for.
        wanted: String,
        /// The platforms the index offers.
        available: Vec<String>,
    },
    /// A path in a layer that tries to leave the image root.
    #[error("{layer}: unsafe path {path:?}: {reason}")]
    UnsafePath {
        /// The layer.
        layer: String,
        /// The path as stored.
        path: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// Something that is not there.
    #[error("{what}: not found")]
    NotFound {
        /// What was looked for.
        what: String,
    },
    /// The registry refused our credentials (or asked for some we do not have).
    #[error("{registry}: authentication failed: {reason}")]
    Unauthorized {
        /// The registry host.
        registry: String,
        /// What the registry said (never our credentials).
        reason: String,
    },
    /// Any other registry error response.
    #[error("{what}: registry answered {status}{}", if message.is_empty() { String::new() } else { format!(": {message}") })]
    Registry {
        /// The request.
        what: String,
        /// The HTTP status.
        status: u16,
        /// The registry's error message, if any.
        message: String,
    },
    /// A transport failure talking to a registry (the cause is the source).
    #[error("{what}")]
    Http {
        /// The request.
        what: String,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// An I/O failure (the cause is the source).
    #[error("{what}")]
    Io {
        /// The file or blob.
        what: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// An I/O error about `what`.
    pub fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            what: what.into(),
            source,
        }
    }

    /// A document that is not what its type says.
    pub fn invalid(what: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Invalid {
            what: what.into(),
            reason: reason.into(),
        }
    }
}
