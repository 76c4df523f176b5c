//! The organisation's policies, held by the server (`GET/PUT /api/v1/policies`),
//! and policy checks of scanned images (`POST /api/v1/checks`).

use std::path::Path;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use strata_policy::Date;
use strata_policy::policy::{DEFAULT_POLICIES, DEFAULT_SOURCE, ImageFacts, PolicySet, evaluate};

use crate::api::{ApiResult, App, finished_scan, json, stored_report};
use crate::auth::Peer;
use crate::error::ApiError;
use crate::scans::{RequestCredentials, ScanRequest};
use crate::tokens::{Access, Resource};

/// How a PUT body is named in errors (`request body:LINE: FIELD: why`).
const BODY_NAME: &str = "request body";

/// The policy file in force: the stored one, or Strata's defaults.
#[derive(Debug, Serialize)]
struct PoliciesOut {
    /// `false`: the built-in default set (nothing was PUT yet).
    custom: bool,
    /// The policy file (YAML, or the JSON it was given as).
    text: String,
    /// The names of its policies, in order.
    names: Vec<String>,
}

fn current(app: &App) -> Result<(bool, String), ApiError> {
    match app
        .state
        .policies()
        .map_err(|e| ApiError::internal(e.to_string()))?
    {
        Some(text) => Ok((true, text)),
        None => Ok((false, DEFAULT_POLICIES.to_owned())),
    }
}

fn parse(custom: bool, text: &str) -> Result<PolicySet, ApiError> {
    let name = if custom { BODY_NAME } else { DEFAULT_SOURCE };
    PolicySet::from_text(Path::new(name), text).map_err(|e| ApiError::bad_request(e.to_string()))
}

fn names(set: &PolicySet) -> Vec<String> {
    set.policies().iter().map(|p| p.name.clone()).collect()
}

pub(crate) async fn get_policies(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<Peer>,
    headers: HeaderMap,
) -> ApiResult {
    app.auth
        .require(&headers, peer, Resource::Policies, Access::Read)?;
    let (custom, text) = current(&app)?;
    let set = parse(custom, &text)?;
    json(
        StatusCode::OK,
        &PoliciesOut {
            custom,
            names: names(&set),
            text,
        },
    )
}

pub(crate) async fn put_policies(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let caller = app
        .auth
        .require(&headers, peer, Resource::Policies, Access::Write)?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::bad_request(format!("{BODY_NAME}: not UTF-8 text")))?;
    // Validated in full before anything is stored: a bad file never replaces a good one.
    let set = parse(true, text)?;
    if set.policies().is_empty() {
        return Err(ApiError::bad_request(format!(
            "{BODY_NAME}: no policy in it"
        )));
    }
    app.state
        .put_policies(text, &crate::now().to_string())
        .map_err(|e| ApiError::internal(e.to_string()))?;
    tracing::info!(by = %caller.token.name, policies = set.policies().len(), "policies replaced");
    json(
        StatusCode::OK,
        &PoliciesOut {
            custom: true,
            names: names(&set),
            text: text.to_owned(),
        },
    )
}

/// `POST /api/v1/checks`: a scan request, plus the categories to check.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CheckRequest {
    image: String,
    #[serde(default)]
    platform: Option<String>,
    #[serde(default)]
    force: bool,
    #[serde(default)]
    credentials: Option<RequestCredentials>,
    #[serde(default)]
    categories: Vec<String>,
}

pub(crate) async fn post_check(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    app.auth
        .require(&headers, peer, Resource::Scans, Access::Write)?;
    let request: CheckRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("check request: {e}")))?;
    let (custom, text) = current(&app)?;
    let set = parse(custom, &text)?.with_categories(&request.categories);
    if set.policies().is_empty() {
        return Err(ApiError::bad_request(format!(
            "no policy in the categories {}",
            request.categories.join(", ")
        )));
    }
    let scan = ScanRequest {
        image: request.image,
        platform: request.platform,
        force: request.force,
        credentials: request.credentials,
    };
    let (row, _) = finished_scan(&app, scan).await?;
    let report = stored_report(&row)?;
    let facts = ImageFacts::from_report(&report);
    let result = evaluate(&set, &report, &facts, Date::today_utc());
    json(StatusCode::OK, &result)
}
