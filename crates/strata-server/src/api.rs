//! The native API under `/api/v1`, plus `/healthz`, `/readyz` and `/metrics`.
//! Every `/api/v1` handler checks the caller's role first.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::auth::{Auth, Peer};
use crate::error::ApiError;
use crate::metrics::{Gauges, Metrics};
use crate::scans::{ScanRequest, Scanner, Started};
use crate::state::{ScanRow, State as Store, Status};
use crate::tokens::{self, Access, Resource, Role};
use crate::vulndb::VulnDb;

const BODY_LIMIT: usize = 1 << 20;
const MATCH_BODY_LIMIT: usize = 32 << 20;
const OPENAPI: &str = include_str!("../openapi.json");

/// What every handler shares.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) state: Arc<Store>,
    pub(crate) auth: Auth,
    pub(crate) scanner: Arc<Scanner>,
    pub(crate) vulndb: Arc<VulnDb>,
    pub(crate) metrics: Arc<Metrics>,
}

type AppState = State<Arc<App>>;
type Caller = ConnectInfo<Peer>;
pub(crate) type ApiResult = Result<Response, ApiError>;

pub(crate) fn router(app: Arc<App>) -> Router {
    let api = Router::new()
        .route("/whoami", get(whoami))
        .route("/scans", post(post_scan))
        .route("/scans/{id}", get(get_scan))
        .route(
            "/match",
            post(post_match).layer(DefaultBodyLimit::max(MATCH_BODY_LIMIT)),
        )
        .route("/images", get(images))
        .route("/images/{digest}", delete(delete_image))
        .route("/images/{digest}/report", get(report))
        .route("/db", get(db_status))
        .route("/db/update", post(db_update))
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{name}", delete(revoke_token))
        .route(
            "/policies",
            get(crate::policies::get_policies).put(crate::policies::put_policies),
        )
        .route("/checks", post(crate::policies::post_check))
        .route("/openapi.json", get(openapi));
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .nest("/api/v1", api)
        .fallback(|| async { ApiError::not_found("no such endpoint") })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(app.clone(), observe))
        .with_state(app)
}

/// Counts and logs each request (method, path, status, time; never headers).
async fn observe(State(app): AppState, request: Request, next: Next) -> Response {
    app.metrics.requests.inc();
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let started = std::time::Instant::now();
    let mut response = next.run(request).await;
    // axum's own body-limit rejection is plain text: answer in the API's shape.
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        response = ApiError::payload_too_large().into_response();
    }
    tracing::debug!(%method, %path, status = response.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1e3, "request");
    response
}

pub(crate) fn json(status: StatusCode, value: &impl Serialize) -> ApiResult {
    let body = serde_json::to_vec(value).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok((status, [(header::CONTENT_TYPE, "application/json")], body).into_response())
}

fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8], what: &str) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("{what}: {e}")))
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(e.to_string())
}

async fn readyz(State(app): AppState) -> Response {
    if app.vulndb.ready() {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        ApiError::db_not_ready().into_response()
    }
}

async fn metrics(State(app): AppState) -> Response {
    let info = app.vulndb.info();
    let gauges = Gauges {
        pending: app.scanner.pending(),
        running: app.scanner.running(),
        db_ready: info.is_some(),
        db_built: info
            .and_then(|i| i.built_at)
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
            .map(|t| t.as_second()),
    };
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        app.metrics.render(&gauges),
    )
        .into_response()
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

#[derive(Serialize)]
struct WhoAmI<'a> {
    name: &'a str,
    role: Role,
    created_at: &'a str,
    expires_at: Option<&'a str>,
    last_used_at: Option<&'a str>,
    permissions: std::collections::BTreeMap<&'static str, &'static str>,
}

async fn whoami(State(app): AppState, ConnectInfo(peer): Caller, headers: HeaderMap) -> ApiResult {
    let caller = app.auth.authenticate(&headers, peer)?;
    let token = &caller.token;
    json(
        StatusCode::OK,
        &WhoAmI {
            name: &token.name,
            role: token.role,
            created_at: &token.created_at,
            expires_at: token.expires_at.as_deref(),
            last_used_at: token.last_used_at.as_deref(),
            permissions: Resource::ALL
                .into_iter()
                .map(|r| (r.name(), token.role.access(r).label()))
                .collect(),
        },
    )
}

/// A scan as the API shows it; the report and inventory are the stored JSON.
#[derive(Serialize)]
struct ScanOut<'a> {
    id: i64,
    image: &'a str,
    platform: Option<&'a str>,
    manifest_digest: Option<&'a str>,
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    created_at: &'a str,
    started_at: Option<&'a str>,
    finished_at: Option<&'a str>,
    db_built_at: Option<&'a str>,
    counts: Option<Box<RawValue>>,
    cached: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<Box<RawValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    inventory: Option<Box<RawValue>>,
}

fn raw(text: Option<&String>) -> Option<Box<RawValue>> {
    text.and_then(|t| RawValue::from_string(t.clone()).ok())
}

fn scan_out(row: &ScanRow, cached: bool) -> ScanOut<'_> {
    ScanOut {
        id: row.id,
        image: &row.image,
        platform: row.platform.as_deref(),
        manifest_digest: row.manifest_digest.as_deref(),
        status: row.status,
        error: row.error.as_deref(),
        created_at: &row.created_at,
        started_at: row.started_at.as_deref(),
        finished_at: row.finished_at.as_deref(),
        db_built_at: row.db_built_at.as_deref(),
        counts: raw(row.counts.as_ref()),
        cached,
        report: raw(row.report.as_ref()),
        inventory: raw(row.inventory.as_ref()),
    }
}

#[derive(Deserialize)]
struct WaitQuery {
    #[serde(default)]
    wait: bool,
}

async fn post_scan(
    State(app): AppState,
    ConnectInfo(peer): Caller,
    Query(query): Query<WaitQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    app.auth
        .require(&headers, peer, Resource::Scans, Access::Write)?;
    let request: ScanRequest = parse_body(&body, "scan request")?;
    if query.wait {
        let (row, cached) = finished_scan(&app, request).await?;
        return json(StatusCode::OK, &scan_out(&row, cached));
    }
    match app.scanner.start(request, false).await? {
        Started::Cached(row) => json(StatusCode::OK, &scan_out(&row, true)),
        Started::Running { id, .. } => {
            let row = app.state.scan(id, false).map_err(internal)?;
            let row = row.ok_or_else(|| ApiError::internal("scan vanished"))?;
            json(StatusCode::ACCEPTED, &scan_out(&row, false))
        }
    }
}

/// Starts (or joins, or finds in history) the scan and waits for it: the
/// finished row with its report, and whether it came from history. A failed
/// scan is `422` with its error.
pub(crate) async fn finished_scan(
    app: &App,
    request: ScanRequest,
) -> Result<(ScanRow, bool), ApiError> {
    let (row, cached) = match app.scanner.start(request, true).await? {
        Started::Cached(row) => (*row, true),
        Started::Running { id, mut done } => {
            // The scan runs on if this request goes away: history keeps its result.
            let _ = done.wait_for(|finished| *finished).await;
            let row = app.state.scan(id, true).map_err(internal)?;
            (
                row.ok_or_else(|| ApiError::internal("scan vanished"))?,
                false,
            )
        }
    };
    if row.status == Status::Failed {
        return Err(ApiError::scan_failed(
            row.error.unwrap_or_else(|| "the scan failed".into()),
        ));
    }
    Ok((row, cached))
}

#[derive(Deserialize)]
struct IncludeQuery {
    #[serde(default)]
    include: Option<String>,
}

async fn get_scan(
    State(app): AppState,
    ConnectInfo(peer): Caller,
    Path(id): Path<String>,
    Query(query): Query<IncludeQuery>,
    headers: HeaderMap,
) -> ApiResult {
    app.auth
        .require(&headers, peer, Resource::Reports, Access::Read)?;
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::not_found(format!("scan {id:?} not found")))?;
    let with_report = query
        .include
        .as_deref()
        .is_some_and(|i| i.split(',').any(|p| p == "report"));
    let row = app.state.scan(id, with_report).map_err(internal)?;
    let row = row.ok_or_else(|| ApiError::not_found(format!("scan {id} not found")))?;
    json(StatusCode::OK, &scan_out(&row, false))
}

#[derive(Deserialize)]
struct MatchQuery {
    #[serde(default)]
    base_layers: usize,
}

#[derive(Serialize)]
struct Matched<'a> {
    report: &'a strata_match::ScanReport,
    inventory: &'a Option<strata_catalog::Inventory>,
}

async fn post_match(
    State(app): AppState,
    ConnectInfo(peer): Caller,
    Query(query): Query<MatchQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    app.auth
        .require(&headers, peer, Resource::Scans, Access::Write)?;
    let inventory = strata_catalog::sbom_input::read(&body, "request body")
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let report = app
        .scanner
        .match_on_worker(inventory, query.base_layers)
        .await?;
    json(
        StatusCode::OK,
        &Matched {
            report: &report,
            inventory: &report.inventory,
        },
    )
}

#[derive(Serialize)]
struct ImageOut<'a> {
    image: &'a str,
    manifest_digest: &'a str,
    last_scanned: Option<&'a str>,
    scan_id: i64,
    counts: Option<Box<RawValue>>,
}

async fn images(State(app): AppState, ConnectInfo(peer): Caller, headers: HeaderMap) -> ApiResult {
    app.auth
        .require(&headers, peer, Resource::Reports, Access::Read)?;
    let rows = app.state.images().map_err(internal)?;
    let out: Vec<ImageOut<'_>> = rows
        .iter()
        .map(|r| ImageOut {
            image: &r.image,
            manifest_digest: &r.manifest_digest,
            last_scanned: r.last_scanned.as_deref(),
            scan_id: r.scan_id,
            counts: raw(r.counts.as_ref()),
        })
        .collect();
    json(StatusCode::OK, &out)
}

async fn delete_image(
    State(app): AppState,
    ConnectInfo(peer): Caller,
    Path(digest): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    app.auth
        .require(&headers, peer, Resource::Reports, Access::Write)?;
    match app.state.delete_image(&digest).map_err(internal)? {
        0 => Err(ApiError::not_found(format!("no scan of {digest}"))),
        _ => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

#[derive(Deserialize)]
struct FormatQuery {
    #[serde(default)]
    format: Option<String>,
}

fn content_type(format: &str) -> &'static str {
    match format {
        "table" => "text/plain; charset=utf-8",
        "junit" => "application/xml",
        "sarif" => "application/sarif+json",
        "cyclonedx-json" => "application/vnd.cyclonedx+json",
        "spdx-json" => "application/spdx+json",
        _ => "application/json",
    }
}

/// A stored report, with its inventory put back (SBOM formats list it).
pub(crate) fn stored_report(row: &ScanRow) -> Result<strata_match::ScanReport, ApiError> {
    let text = row
        .report
        .as_deref()
        .ok_or_else(|| ApiError::internal("no stored report"))?;
    let mut report: strata_match::ScanReport = serde_json::from_str(text).map_err(internal)?;
    if let Some(inventory) = row.inventory.as_deref() {
        report.inventory = serde_json::from_str(inventory).map_err(internal)?;
    }
    Ok(report)
}

async fn report(
    State(app): AppState,
    ConnectInfo(peer): Caller,
    Path(digest): Path<String>,
    Query(query): Query<FormatQuery>,
    headers: HeaderMap,
) -> ApiResult {
    app.auth
        .require(&headers, peer, Resource::Reports, Access::Read)?;
    let format = query.format.as_deref().unwrap_or("json");
    if !strata_report::scan::FORMATS.contains(&format) {
        return Err(ApiError::bad_request(format!(
            "unknown format {format:?}: one of {}",
            strata_report::scan::FORMATS.join(", ")
        )));
    }
    let row = app
        .state
        .latest_done(&digest, None, true)
        .map_err(internal)?;
    let row = row.ok_or_else(|| ApiError::not_found(format!("no report of {digest}")))?;
    let report = stored_report(&row)?;
    let options = strata_report::scan::RenderOptions {
        color: false,
        show_suppressed: false,
        tool_version: env!("CARGO_PKG_VERSION"),
        fails: &|_| false,
    };
    let text = strata_report::scan::render(&report, format, &options).map_err(internal)?;
    Ok(([(header::CONTENT_TYPE, content_type(format))], text).into_response())
}

#[derive(Serialize)]
struct DbOut {
    ready: bool,
    built_at: Option<String>,
    bundled: bool,
    sources: Vec<strata_match::DbSource>,
    updating: bool,
    last_update: Option<crate::vulndb::LastUpdate>,
}

async fn db_status(
    State(app): AppState,
    ConnectInfo(peer): Caller,
    headers: HeaderMap,
) -> ApiResult {
    app.auth
        .require(&headers, peer, Resource::Db, Access::Read)?;
    let info = app.vulndb.info();
    json(
        StatusCode::OK,
        &DbOut {
            ready: info.is_some(),
            built_at: info.as_ref().and_then(|i| i.built_at.clone()),
            bundled: info.as_ref().is_some_and(|i| i.bundled),
            sources: info.map(|i| i.sources).unwrap_or_default(),
            updating: app.vulndb.updating(),
            last_update: app.vulndb.last_update(),
        },
    )
}

async fn db_update(
    State(app): AppState,
    ConnectInfo(peer): Caller,
    headers: HeaderMap,
) -> ApiResult {
    app.auth
        .require(&headers, peer, Resource::Db, Access::Write)?;
    if app.vulndb.start_update() {
        json(StatusCode::ACCEPTED, &serde_json::json!({"updating": true}))
    } else {
        Err(ApiError::conflict("an update is already running"))
    }
}

async fn list_tokens(
    State(app): AppState,
    ConnectInfo(peer): Caller,
    headers: HeaderMap,
) -> ApiResult {
    app.auth
        .require(&headers, peer, Resource::Tokens, Access::Read)?;
    json(StatusCode::OK, &app.state.tokens().map_err(internal)?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewToken {
    name: String,
    role: String,
    #[serde(default)]
    expires_in_days: Option<i64>,
}

async fn create_token(
    State(app): AppState,
    ConnectInfo(peer): Caller,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let caller = app
        .auth
        .require(&headers, peer, Resource::Tokens, Access::Write)?;
    let new: NewToken = parse_body(&body, "token request")?;
    let role = Role::parse(&new.role).ok_or_else(|| {
        ApiError::bad_request(format!("unknown role {:?}: admin, analyst or ci", new.role))
    })?;
    let expires = match new.expires_in_days {
        None => None,
        Some(days) => tokens::parse_expiry(&format!("{days}d"))?,
    };
    let created = tokens::create(&app.state, &new.name, role, expires).map_err(|e| match e {
        crate::Error::Invalid(m) if m.contains("exists") => ApiError::conflict(m),
        other => other.into(),
    })?;
    tracing::info!(by = %caller.token.name, name = %created.info.name, role = role.as_str(), "token created");
    json(StatusCode::CREATED, &created)
}

async fn revoke_token(
    State(app): AppState,
    ConnectInfo(peer): Caller,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    let caller = app
        .auth
        .require(&headers, peer, Resource::Tokens, Access::Write)?;
    if app.state.delete_token(&name).map_err(internal)? {
        tracing::info!(by = %caller.token.name, %name, "token revoked");
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::not_found(format!("no token named {name:?}")))
    }
}
