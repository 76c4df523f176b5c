//! `strata server`: the central scanning service. One process with its state in
//! a data directory: scan history, API tokens, the layer-index cache and the
//! vulnerability database, kept fresh in the background. The native API is
//! `/api/v1` (see `docs/server-api.md` and the OpenAPI file it serves); the
//! Clair v1 API that Klar speaks is [`clair`], on its own listener.

mod api;
mod auth;
pub mod clair;
mod error;
mod metrics;
mod policies;
mod scans;
mod state;
mod tls;
pub mod tokens;
mod vulndb;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use error::Error;
pub use scans::ScanSettings;
pub use state::TokenInfo;
pub use vulndb::{Fallback, db_path};

/// Everything `strata server` is started with.
pub struct Config {
    /// Address of the API (`0.0.0.0:8080`).
    pub listen: String,
    /// State: `server.db`, `db/vuln.db`, the layer cache and blobs.
    pub data_dir: PathBuf,
    /// PEM certificate chain and key: serve HTTPS.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Time between background database updates (`None`: only on request).
    pub update_interval: Option<Duration>,
    /// The feeds and how to fetch them.
    pub update: strata_vulndb::update::UpdateOptions,
    /// What to load when the first update leaves no database.
    pub fallback: Option<Fallback>,
    /// Worker pool, queue, registry access, limits.
    pub scans: ScanSettings,
    /// Address of the Clair v1 API (off when `None`).
    pub clair_listen: Option<String>,
    /// Networks allowed to use the Clair v1 API (`CIDR`s; empty: everyone).
    pub clair_allow: Vec<String>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("clair_listen", &self.clair_listen)
            .finish_non_exhaustive()
    }
}

/// Now, to the second (what every stored time is).
pub(crate) fn now() -> jiff::Timestamp {
    let now = jiff::Timestamp::now();
    jiff::Timestamp::from_second(now.as_second()).unwrap_or(now)
}

async fn bind(addr: &str) -> Result<tokio::net::TcpListener, Error> {
    // `:6060` means every interface, as Clair's and Go's flags do.
    let full = if addr.starts_with(':') {
        format!("0.0.0.0{addr}")
    } else {
        addr.to_owned()
    };
    tokio::net::TcpListener::bind(&full)
        .await
        .map_err(|source| Error::Listen {
            addr: addr.to_owned(),
            source,
        })
}

/// Runs the server until `shutdown` completes.
pub async fn serve(
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| Error::State {
        path: config.data_dir.display().to_string(),
        message: e.to_string(),
    })?;
    let metrics = Arc::new(metrics::Metrics::default());
    let state = Arc::new(state::State::open(&config.data_dir)?);
    let abandoned = state.fail_unfinished(&now().to_string())?;
    if abandoned > 0 {
        tracing::warn!(
            scans = abandoned,
            "scans left unfinished by the previous run are marked failed"
        );
    }
    let vulndb = Arc::new(vulndb::VulnDb::new(
        &config.data_dir,
        config.update,
        config.fallback,
        metrics.clone(),
    ));
    let scanner = Arc::new(scans::Scanner::new(
        state.clone(),
        vulndb.clone(),
        metrics.clone(),
        config.data_dir.clone(),
        config.scans.clone(),
    )?);
    let app = Arc::new(api::App {
        auth: auth::Auth::new(state.clone(), metrics.clone()),
        state,
        scanner,
        vulndb: vulndb.clone(),
        metrics,
    });
    let router = api::router(app);
    let listener = bind(&config.listen).await?;
    let local = listener.local_addr().map_err(|source| Error::Listen {
        addr: config.listen.clone(),
        source,
    })?;

    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop.send(true);
    });
    let wait_stop = |mut stopped: tokio::sync::watch::Receiver<bool>| async move {
        let _ = stopped.wait_for(|s| *s).await;
    };

    let mut servers = tokio::task::JoinSet::new();
    if let Some(addr) = &config.clair_listen {
        let allow = config
            .clair_allow
            .iter()
            .map(|c| {
                c.parse::<clair::Cidr>()
                    .map_err(|e| Error::Invalid(format!("--clair-v1-allow {c:?}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let clair_config = clair::ClairConfig {
            allow,
            ca_certs: config.scans.registry.ca_certs.clone(),
            limits: config.scans.limits,
            ..clair::ClairConfig::default()
        };
        let service = Arc::new(
            clair::Service::with_config(&config.data_dir, clair_config)
                .map_err(|e| Error::Other(e.to_string()))?,
        );
        let clair_listener = bind(addr).await?;
        tracing::info!(addr = %clair_listener.local_addr().map_or_else(|_| addr.clone(), |a| a.to_string()),
            "Clair v1 API listening");
        let router = clair::router(service).into_make_service_with_connect_info::<SocketAddr>();
        let stop = wait_stop(stopped.clone());
        servers.spawn(async move {
            axum::serve(clair_listener, router)
                .with_graceful_shutdown(stop)
                .await
        });
    }
    let scheme = if config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    tracing::info!(addr = %local, url = %format!("{scheme}://{local}"), "listening");
    let stop = wait_stop(stopped.clone());
    match &config.tls {
        Some((cert, key)) => {
            let acceptor = tls::acceptor(cert, key)?;
            let listener =
                tls::TlsListener::new(listener, acceptor).map_err(|source| Error::Listen {
                    addr: config.listen.clone(),
                    source,
                })?;
            let service = router.into_make_service_with_connect_info::<auth::Peer>();
            servers.spawn(async move {
                axum::serve(listener, service)
                    .with_graceful_shutdown(stop)
                    .await
            });
        }
        None => {
            let service = router.into_make_service_with_connect_info::<auth::Peer>();
            servers.spawn(async move {
                axum::serve(listener, service)
                    .with_graceful_shutdown(stop)
                    .await
            });
        }
    }

    // Background updates: one now (the database may be old or missing), then on schedule.
    let updates = {
        let vulndb = vulndb.clone();
        let interval = config.update_interval;
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let mut first = true;
            loop {
                // With no schedule, only a missing database is fetched at start.
                if !first || interval.is_some() || !vulndb.ready() {
                    vulndb.start_update();
                }
                first = false;
                let Some(interval) = interval else { break };
                tokio::select! {
                    () = tokio::time::sleep(interval) => {}
                    _ = stopped.wait_for(|s| *s) => break,
                }
            }
        })
    };

    let mut result = Ok(());
    while let Some(joined) = servers.join_next().await {
        if let Ok(Err(e)) | Err(e) = joined.map_err(std::io::Error::other) {
            result = Err(Error::Other(format!("server stopped: {e}")));
        }
    }
    updates.abort();
    tracing::info!("stopped");
    result
}
