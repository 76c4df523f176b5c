//! The vulnerability database the server matches against, at `DATA_DIR/db/vuln.db`,
//! and its background updates. An update builds a new file and swaps it in, so
//! scans keep using the previous database during and after a failed update.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use serde::Serialize;
use strata_match::DbInfo;
use strata_vulndb::store::Db;
use strata_vulndb::update::UpdateOptions;

use crate::metrics::Metrics;

/// Imports a fallback database into a data dir (the CLI passes the snapshot
/// bundled with Strata) when the first update leaves none.
pub type Fallback = Arc<dyn Fn(&Path) -> Result<(), String> + Send + Sync>;

/// How the last update went.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LastUpdate {
    pub(crate) started_at: String,
    pub(crate) finished_at: String,
    pub(crate) ok: bool,
    pub(crate) failed_sources: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<String>,
}

/// The database and its updater.
pub(crate) struct VulnDb {
    data_dir: PathBuf,
    options: UpdateOptions,
    fallback: Option<Fallback>,
    info: RwLock<Option<DbInfo>>,
    updating: AtomicBool,
    last_update: Mutex<Option<LastUpdate>>,
    metrics: Arc<Metrics>,
}

impl std::fmt::Debug for VulnDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VulnDb")
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

/// The database file of a data dir.
pub fn db_path(data_dir: &Path) -> PathBuf {
    data_dir.join("db").join("vuln.db")
}

/// Marks a database imported from the bundled snapshot (the CLI's convention).
fn bundled_marker(data_dir: &Path) -> PathBuf {
    db_path(data_dir).with_extension("db.bundled")
}

impl VulnDb {
    pub(crate) fn new(
        data_dir: &Path,
        options: UpdateOptions,
        fallback: Option<Fallback>,
        metrics: Arc<Metrics>,
    ) -> VulnDb {
        let db = VulnDb {
            data_dir: data_dir.to_owned(),
            options,
            fallback,
            info: RwLock::new(None),
            updating: AtomicBool::new(false),
            last_update: Mutex::new(None),
            metrics,
        };
        db.reload();
        db
    }

    /// Re-reads what the file on disk holds. A database without any record is
    /// not "ready": it would answer every scan "clean".
    fn reload(&self) {
        let info = Db::open(&db_path(&self.data_dir))
            .and_then(|db| DbInfo::of(&db, bundled_marker(&self.data_dir).is_file()))
            .ok()
            .filter(|info| info.sources.iter().any(|s| s.records > 0));
        *self
            .info
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = info;
    }

    /// What is loaded, if anything.
    pub(crate) fn info(&self) -> Option<DbInfo> {
        self.info
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// When the loaded database was built (the key of warm answers).
    pub(crate) fn built_at(&self) -> Option<String> {
        self.info
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .and_then(|i| i.built_at.clone())
    }

    pub(crate) fn ready(&self) -> bool {
        self.info
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_some()
    }

    /// A connection for one scan.
    pub(crate) fn open(&self) -> Result<Db, String> {
        Db::open(&db_path(&self.data_dir)).map_err(|e| e.to_string())
    }

    pub(crate) fn updating(&self) -> bool {
        self.updating.load(Ordering::SeqCst)
    }

    pub(crate) fn last_update(&self) -> Option<LastUpdate> {
        self.last_update
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Starts an update in the background unless one is running (`false` then).
    pub(crate) fn start_update(self: &Arc<Self>) -> bool {
        if self.updating.swap(true, Ordering::SeqCst) {
            return false;
        }
        let this = self.clone();
        let handle = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || {
            this.update_blocking(&handle);
            this.updating.store(false, Ordering::SeqCst);
        });
        true
    }

    fn update_blocking(&self, handle: &tokio::runtime::Handle) {
        let started_at = crate::now().to_string();
        tracing::info!("vulnerability database update started");
        let path = db_path(&self.data_dir);
        let result = handle.block_on(strata_vulndb::update::update(
            &path,
            &self.options,
            &started_at,
            &|outcome| match &outcome.error {
                Some(error) => tracing::warn!(source = %outcome.name, %error, "feed failed, previous data kept"),
                None => tracing::debug!(source = %outcome.name, records = outcome.records, "feed updated"),
            },
        ));
        let mut last = LastUpdate {
            started_at,
            finished_at: String::new(),
            ok: false,
            failed_sources: Vec::new(),
            error: None,
        };
        match result {
            Ok(report) => {
                last.failed_sources = report.failures().map(|s| s.name.clone()).collect();
                last.ok = last.failed_sources.is_empty();
                if last.failed_sources.len() < report.sources.len() {
                    let _ = std::fs::remove_file(bundled_marker(&self.data_dir));
                }
            }
            Err(e) => last.error = Some(e.to_string()),
        }
        self.reload();
        if !self.ready()
            && let Some(fallback) = &self.fallback
        {
            match fallback(&self.data_dir) {
                Ok(()) => tracing::warn!(
                    "no feed could be fetched: serving the snapshot bundled with Strata until an update succeeds"
                ),
                Err(e) => tracing::error!(error = %e, "no fallback database"),
            }
            self.reload();
        }
        last.finished_at = crate::now().to_string();
        if last.ok {
            self.metrics.updates_ok.inc();
            tracing::info!(
                ready = self.ready(),
                "vulnerability database update finished"
            );
        } else {
            self.metrics.updates_failed.inc();
            tracing::warn!(
                ready = self.ready(),
                failed = ?last.failed_sources,
                error = last.error.as_deref().unwrap_or(""),
                "vulnerability database update failed in part; previous data kept"
            );
        }
        *self
            .last_update
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(last);
    }
}
