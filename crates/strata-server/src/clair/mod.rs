//! Clair v2's API v1 (`/v1/layers`, `/v1/namespaces`), so Klar works unmodified.
//! Served on its own listener (`--clair-v1-listen`); state under the data dir:
//! the vulnerability DB the server keeps at `db/vuln.db`, and the layer store
//! `clair.db` (layer name → parent name and content; content = the layer's
//! index, keyed by its verified blob digest).
//!
//! * `POST /v1/layers` fetches the layer's `Path` with its `Headers`, indexes
//!   it within the request (Klar waits a minute) and answers `201`; a layer
//!   name already stored, or a blob already indexed under another name, is not
//!   fetched again. Errors as Clair: `400` (bad JSON, missing name/path/format,
//!   unknown parent, a `Path` that cannot be downloaded), `422` (a blob that is
//!   not a readable layer, or not the digest its path names).
//! * `GET /v1/layers/{name}?features&vulnerabilities` resolves the
//!   `ParentName` chain, merges the layers (whiteouts applied), matches the
//!   packages against the DB and answers Clair's `Layer` with `Features[]`
//!   (`AddedBy`, `Vulnerabilities[]`). `404` for an unknown layer, `503` while
//!   there is no DB (never an empty "clean" answer).
//! * `DELETE /v1/layers/{name}` → `200` (the layers above it go too).
//! * `GET /v1/namespaces` → the DB's namespaces.
//!
//! Exact shapes: `docs/server-api.md`, "Clair v1 API".

mod allow;
mod analysis;
mod fetch;
mod handlers;
mod store;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use strata_image::Limits;
use strata_image::registry::RegistryOptions;

pub use allow::{Cidr, CidrError};
pub use store::StoreError;

use store::Store;

/// Errors setting up the Clair v1 service.
#[derive(Debug, thiserror::Error)]
#[error("clair v1 API: {0}")]
pub struct Error(String);

/// Clair's request body limit (`maxBodySize`, 1 MiB).
const MAX_BODY: usize = 1 << 20;

/// How the service fetches layers and whom it answers.
#[derive(Debug, Clone)]
pub struct ClairConfig {
    /// Extra CA certificates (PEM) trusted when fetching layer `Path`s.
    pub ca_certs: Vec<PathBuf>,
    /// Skip TLS verification when fetching layer `Path`s.
    pub insecure: bool,
    /// Networks allowed to call the API (`--clair-v1-allow`); empty: everyone.
    pub allow: Vec<Cidr>,
    /// Limits on layers read (entries, path lengths, decompression bombs).
    pub limits: Limits,
    /// Largest layer blob downloaded, in bytes.
    pub max_blob_bytes: u64,
    /// Timeout of connecting and of each read while fetching a layer.
    pub fetch_timeout: Duration,
}

impl Default for ClairConfig {
    fn default() -> Self {
        ClairConfig {
            ca_certs: Vec::new(),
            insecure: false,
            allow: Vec::new(),
            limits: Limits::default(),
            max_blob_bytes: 8 << 30,
            fetch_timeout: Duration::from_secs(60),
        }
    }
}

/// The Clair v1 service over a data directory.
#[derive(Debug)]
pub struct Service {
    data_dir: PathBuf,
    config: ClairConfig,
    store: Mutex<Store>,
    http: reqwest::Client,
    engine: String,
}

impl Service {
    /// The service over `data_dir` (vulnerability DB at `db/vuln.db`), with
    /// the default configuration.
    pub fn new(data_dir: &Path) -> Result<Service, Error> {
        Service::with_config(data_dir, ClairConfig::default())
    }

    /// The service over `data_dir` with `config`.
    pub fn with_config(data_dir: &Path, config: ClairConfig) -> Result<Service, Error> {
        let store = Store::open(&data_dir.join("clair.db")).map_err(|e| Error(e.to_string()))?;
        let http = strata_image::registry::http_client(&RegistryOptions {
            ca_certs: config.ca_certs.clone(),
            insecure: config.insecure,
            timeout: config.fetch_timeout,
            ..RegistryOptions::default()
        })
        .map_err(|e| Error(e.to_string()))?;
        Ok(Service {
            data_dir: data_dir.to_owned(),
            config,
            store: Mutex::new(store),
            http,
            engine: fetch::engine(),
        })
    }

    /// Where its state lives.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The vulnerability database file.
    fn db_path(&self) -> PathBuf {
        self.data_dir.join("db").join("vuln.db")
    }
}

/// The Clair v1 routes. Serve them with
/// `into_make_service_with_connect_info::<SocketAddr>()` for `allow` to see
/// the peers (without it, a non-empty allow list refuses everyone).
pub fn router(service: Arc<Service>) -> axum::Router {
    axum::Router::new()
        .route("/v1/layers", post(handlers::post_layer))
        .route(
            "/v1/layers/{name}",
            get(handlers::get_layer).delete(handlers::delete_layer),
        )
        .route("/v1/namespaces", get(handlers::get_namespaces))
        .fallback(handlers::fallback)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn_with_state(
            service.clone(),
            handlers::allow_only,
        ))
        .with_state(service)
}
