//! Running scans: a bounded worker pool behind a bounded queue, one scan per
//! manifest digest at a time (identical requests share it), and answers from
//! history for an image already scanned with the current database.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde::Deserialize;
use strata_catalog::Scope;
use strata_catalog::cache::LayerCache;
use strata_image::registry::{Credentials, Registry, RegistryOptions, Secret};
use strata_image::{ImageRef, Limits, Platform, Source};
use strata_match::{Matcher, ScanReport};
use tokio::sync::{Semaphore, watch};

use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::state::{Finished, ScanRow, State};
use crate::vulndb::VulnDb;

/// A scan request (`POST /api/v1/scans`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScanRequest {
    pub(crate) image: String,
    #[serde(default)]
    pub(crate) platform: Option<String>,
    #[serde(default)]
    pub(crate) force: bool,
    #[serde(default)]
    pub(crate) credentials: Option<RequestCredentials>,
}

/// Registry credentials for one scan: used, never stored or logged.
#[derive(Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub(crate) enum RequestCredentials {
    Basic { username: String, password: String },
    Token { token: String },
}

impl std::fmt::Debug for RequestCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RequestCredentials(<redacted>)")
    }
}

/// Where a request ended up.
#[derive(Debug)]
pub(crate) enum Started {
    /// Answered from history: the newest scan of the digest with this DB.
    Cached(Box<ScanRow>),
    /// A new scan, or one already running for the same digest.
    Running {
        id: i64,
        done: watch::Receiver<bool>,
    },
}

/// How to run scans.
#[derive(Debug, Clone)]
pub struct ScanSettings {
    /// Scans run at once.
    pub workers: usize,
    /// Scans waiting beyond those (then 429).
    pub queue: usize,
    /// Registry access (CA certificates, plain-HTTP registries, timeouts).
    pub registry: RegistryOptions,
    /// Limits on what an image may make us read.
    pub limits: Limits,
}

/// The scanner.
#[derive(Debug)]
pub(crate) struct Scanner {
    state: Arc<State>,
    vulndb: Arc<VulnDb>,
    metrics: Arc<Metrics>,
    data_dir: PathBuf,
    settings: ScanSettings,
    /// Shared by anonymous scans (connections and registry tokens reused).
    registry: Registry,
    workers: Arc<Semaphore>,
    pending: Arc<AtomicUsize>,
    running: AtomicUsize,
    inflight: Mutex<HashMap<String, (i64, watch::Receiver<bool>)>>,
}

impl Scanner {
    pub(crate) fn new(
        state: Arc<State>,
        vulndb: Arc<VulnDb>,
        metrics: Arc<Metrics>,
        data_dir: PathBuf,
        settings: ScanSettings,
    ) -> Result<Scanner, crate::Error> {
        let registry = Registry::new(settings.registry.clone())
            .map_err(|e| crate::Error::Other(format!("registry client: {e}")))?;
        Ok(Scanner {
            state,
            vulndb,
            metrics,
            data_dir,
            workers: Arc::new(Semaphore::new(settings.workers.max(1))),
            settings,
            registry,
            pending: Arc::new(AtomicUsize::new(0)),
            running: AtomicUsize::new(0),
            inflight: Mutex::new(HashMap::new()),
        })
    }

    pub(crate) fn pending(&self) -> usize {
        self.pending.load(Ordering::SeqCst)
    }

    pub(crate) fn running(&self) -> usize {
        self.running.load(Ordering::SeqCst)
    }

    /// Takes a scan slot, or refuses with 429 when workers and queue are full.
    pub(crate) fn admit(&self) -> Result<Slot, ApiError> {
        let capacity = self.settings.workers.max(1) + self.settings.queue;
        let admitted = self
            .pending
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < capacity).then_some(n + 1)
            });
        match admitted {
            Ok(_) => Ok(Slot(self.pending.clone())),
            Err(_) => {
                self.metrics.scans_rejected.inc();
                Err(ApiError::too_many(
                    format!("{capacity} scans are queued or running: try again shortly"),
                    5,
                ))
            }
        }
    }

    /// Resolves the image and starts (or joins, or answers from history) its
    /// scan; a history answer carries the report when `with_report`.
    pub(crate) async fn start(
        self: &Arc<Self>,
        request: ScanRequest,
        with_report: bool,
    ) -> Result<Started, ApiError> {
        if !self.vulndb.ready() {
            return Err(ApiError::db_not_ready());
        }
        let reference = registry_reference(&request.image)?;
        let platform = request
            .platform
            .as_deref()
            .map(|p| {
                p.parse::<Platform>()
                    .map_err(|e| ApiError::bad_request(format!("platform {p:?}: {e}")))
            })
            .transpose()?;
        let registry = self.registry_for(request.credentials)?;
        let resolved = strata_image::pull::resolve(
            &registry,
            &reference,
            platform.as_ref(),
            &self.settings.limits,
        )
        .await
        .map_err(|e| ApiError::scan_failed(format!("{}: {e}", request.image)))?;
        let digest = resolved.digest.to_string();
        let built_at = self.vulndb.built_at();
        if !request.force
            && let Some(row) = self
                .state
                .latest_done(&digest, built_at.as_deref(), with_report)
                .map_err(|e| ApiError::internal(e.to_string()))?
        {
            self.metrics.scans_cached.inc();
            return Ok(Started::Cached(Box::new(row)));
        }
        let mut inflight = self
            .inflight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((id, done)) = inflight.get(&digest) {
            self.metrics.scans_coalesced.inc();
            return Ok(Started::Running {
                id: *id,
                done: done.clone(),
            });
        }
        let slot = self.admit()?;
        let id = self
            .state
            .insert_scan(
                &request.image,
                request.platform.as_deref(),
                Some(&digest),
                &crate::now().to_string(),
            )
            .map_err(|e| ApiError::internal(e.to_string()))?;
        let (sender, done) = watch::channel(false);
        inflight.insert(digest.clone(), (id, done.clone()));
        drop(inflight);
        let job = Job {
            id,
            digest,
            reference,
            platform,
            registry,
        };
        let this = self.clone();
        tokio::spawn(async move {
            this.run(job, slot).await;
            let _ = sender.send(true);
        });
        Ok(Started::Running { id, done })
    }

    fn registry_for(&self, credentials: Option<RequestCredentials>) -> Result<Registry, ApiError> {
        let Some(credentials) = credentials else {
            return Ok(self.registry.clone());
        };
        let credentials = match credentials {
            RequestCredentials::Basic { username, password } => Credentials::Basic {
                username,
                password: Secret::new(password),
            },
            RequestCredentials::Token { token } => Credentials::BearerToken(Secret::new(token)),
        };
        Registry::new(RegistryOptions {
            credentials: Some(credentials),
            ..self.settings.registry.clone()
        })
        .map_err(|e| ApiError::internal(format!("registry client: {e}")))
    }

    /// Runs a job on a worker; its queue slot is held until it ends.
    async fn run(self: &Arc<Self>, job: Job, slot: Slot) {
        let permit = self.workers.clone().acquire_owned().await;
        self.running.fetch_add(1, Ordering::SeqCst);
        let now = crate::now().to_string();
        let _ = self.state.set_running(job.id, &now);
        let started = std::time::Instant::now();
        let this = self.clone();
        let handle = tokio::runtime::Handle::current();
        let (id, digest) = (job.id, job.digest.clone());
        let result = tokio::task::spawn_blocking(move || this.scan_blocking(&job, &handle))
            .await
            .unwrap_or_else(|e| Err(format!("the scan stopped unexpectedly: {e}")));
        let now = crate::now().to_string();
        let stored = match &result {
            Ok(done) => self.state.finish_scan(
                id,
                &Finished {
                    manifest_digest: Some(&digest),
                    db_built_at: done.db_built_at.as_deref(),
                    counts: &done.counts,
                    report: &done.report,
                    inventory: &done.inventory,
                },
                &now,
            ),
            Err(error) => self.state.fail_scan(id, error, &now),
        };
        match (&result, stored) {
            (_, Err(e)) => {
                tracing::error!(scan = id, error = %e, "cannot store the scan");
                let _ = self
                    .state
                    .fail_scan(id, &format!("cannot store the report: {e}"), &now);
                self.metrics.scans_failed.inc();
            }
            (Ok(_), Ok(())) => {
                tracing::info!(scan = id, %digest, ms = started.elapsed().as_millis() as u64, "scan done");
                self.metrics.scans_done.inc();
            }
            (Err(error), Ok(())) => {
                tracing::warn!(scan = id, %digest, %error, "scan failed");
                self.metrics.scans_failed.inc();
            }
        }
        self.metrics
            .scan_micros
            .add(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
        self.inflight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&digest);
        self.running.fetch_sub(1, Ordering::SeqCst);
        drop((permit, slot));
    }

    /// Pull (only missing layers), index (layer cache), match: the scan itself.
    fn scan_blocking(&self, job: &Job, handle: &tokio::runtime::Handle) -> Result<Done, String> {
        let opened = strata_image::open_registry(
            job.registry.clone(),
            &job.reference,
            job.platform.as_ref(),
            self.settings.limits,
            &self.data_dir,
            handle,
        )
        .map_err(|e| e.to_string())?;
        let found = opened
            .image
            .manifest_digest
            .as_ref()
            .map(ToString::to_string);
        if found.as_deref() != Some(job.digest.as_str()) {
            return Err(format!(
                "{} changed while the scan started (now {}): request it again",
                job.reference,
                found.as_deref().unwrap_or("unknown")
            ));
        }
        let mut cache = LayerCache::open(&self.data_dir)
            .map_err(|e| tracing::warn!(error = %e, "indexing without the layer cache"))
            .ok();
        let limits = opened.limits;
        let (inventory, _) = strata_catalog::index_image(
            &opened.image,
            cache.as_mut(),
            Scope::Squashed,
            &limits,
            |missing| opened.fetch(missing),
        )
        .map_err(|e| e.to_string())?;
        let base_layers = opened.image.config.base_layers();
        let report = self.match_inventory(inventory, base_layers)?;
        let counts = serde_json::to_string(&counts(&report)).map_err(|e| e.to_string())?;
        Ok(Done {
            db_built_at: report.db.built_at.clone(),
            report: serde_json::to_string(&report).map_err(|e| e.to_string())?,
            inventory: serde_json::to_string(&report.inventory).map_err(|e| e.to_string())?,
            counts,
        })
    }

    /// Matches an inventory against the current database.
    pub(crate) fn match_inventory(
        &self,
        inventory: strata_catalog::Inventory,
        base_layers: usize,
    ) -> Result<ScanReport, String> {
        let info = self
            .vulndb
            .info()
            .ok_or("the vulnerability database is not loaded")?;
        let db = self.vulndb.open()?;
        let matched = Matcher::new(&db)
            .run(&inventory, base_layers)
            .map_err(|e| e.to_string())?;
        Ok(ScanReport::new(inventory, matched, info))
    }

    /// Runs a blocking match on a worker slot (for `POST /api/v1/match`).
    pub(crate) async fn match_on_worker(
        self: &Arc<Self>,
        inventory: strata_catalog::Inventory,
        base_layers: usize,
    ) -> Result<ScanReport, ApiError> {
        if !self.vulndb.ready() {
            return Err(ApiError::db_not_ready());
        }
        let slot = self.admit()?;
        let _permit = self.workers.clone().acquire_owned().await;
        let this = self.clone();
        let result =
            tokio::task::spawn_blocking(move || this.match_inventory(inventory, base_layers))
                .await
                .map_err(|e| ApiError::internal(e.to_string()))?;
        drop(slot);
        result.map_err(ApiError::internal)
    }
}

/// A queue slot, returned on drop (a job holds its slot until it ends).
#[derive(Debug)]
pub(crate) struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

struct Job {
    id: i64,
    digest: String,
    reference: ImageRef,
    platform: Option<Platform>,
    registry: Registry,
}

struct Done {
    db_built_at: Option<String>,
    counts: String,
    report: String,
    inventory: String,
}

/// The server scans registry images only: never a path on its own disk.
fn registry_reference(image: &str) -> Result<ImageRef, ApiError> {
    match Source::parse(image) {
        Ok(Source::Registry(reference)) => Ok(reference),
        Ok(_) => Err(ApiError::bad_request(format!(
            "{image:?} is not a registry reference: the server scans images from registries \
             (use `strata image scan --local-index` for local images)"
        ))),
        Err(e) => Err(ApiError::bad_request(e.to_string())),
    }
}

/// Findings per severity, lower-case keys (the history's `counts`).
pub(crate) fn counts(report: &ScanReport) -> std::collections::BTreeMap<String, usize> {
    report
        .summary
        .by_severity
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), *v))
        .collect()
}
