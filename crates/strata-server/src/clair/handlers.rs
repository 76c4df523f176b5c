//! The HTTP side of Clair v2.1's `api/v1/routes.go`: status codes, error
//! bodies (`{"Error":{"Message":…}}`), `Content-Type:
//! application/json;charset=utf-8` and a newline after the document (Go's
//! `json.Encoder`).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, Path, RawQuery, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use strata_report::clair::api::{ApiError, LayerEnvelope, NamespaceEnvelope};

use super::Service;

/// Clair's `commonerr.ErrNotFound`.
pub(crate) const NOT_FOUND: &str = "the resource cannot be found";

/// A Clair error answer.
#[derive(Debug)]
pub(crate) struct ClairError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
}

impl ClairError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> ClairError {
        ClairError {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> ClairError {
        ClairError::new(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn unprocessable(message: impl Into<String>) -> ClairError {
        ClairError::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    pub(crate) fn not_found() -> ClairError {
        ClairError::new(StatusCode::NOT_FOUND, NOT_FOUND)
    }

    pub(crate) fn internal(error: impl std::fmt::Display) -> ClairError {
        ClairError::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
    }

    /// No vulnerability database yet: never answer as if the image were clean.
    pub(crate) fn db_not_ready(detail: impl std::fmt::Display) -> ClairError {
        ClairError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the vulnerability database is not ready ({detail}); retry once the server has loaded one"
            ),
        )
    }
}

impl IntoResponse for ClairError {
    fn into_response(self) -> Response {
        let body = LayerEnvelope {
            layer: None,
            error: Some(ApiError {
                message: self.message,
            }),
        };
        let mut response = json(self.status, &body);
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
        }
        response
    }
}

/// Clair's `writeResponse`.
fn json(status: StatusCode, value: &impl Serialize) -> Response {
    let mut bytes = serde_json::to_vec(value).unwrap_or_default();
    bytes.push(b'\n');
    (
        status,
        [(header::CONTENT_TYPE, "application/json;charset=utf-8")],
        Body::from(bytes),
    )
        .into_response()
}

/// Refuses peers outside `--clair-v1-allow` (all allowed when none is given).
pub(crate) async fn allow_only(
    State(service): State<Arc<Service>>,
    request: Request,
    next: Next,
) -> Response {
    let allow = &service.config.allow;
    if allow.is_empty() {
        return next.run(request).await;
    }
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    match peer {
        Some(ip) if allow.iter().any(|net| net.contains(ip)) => next.run(request).await,
        // Without the peer address (served without connect info) nobody passes.
        _ => ClairError::new(
            StatusCode::FORBIDDEN,
            format!(
                "{} is not allowed to use this API",
                peer.map_or_else(|| "an unknown peer".to_owned(), |ip| ip.to_string())
            ),
        )
        .into_response(),
    }
}

/// `POST /v1/layers` → `201` with the layer.
pub(crate) async fn post_layer(
    State(service): State<Arc<Service>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return ClairError::bad_request(rejection.body_text()).into_response(),
    };
    let envelope: LayerEnvelope = match serde_json::from_slice(&body) {
        Ok(envelope) => envelope,
        Err(e) => return ClairError::bad_request(e.to_string()).into_response(),
    };
    let Some(layer) = envelope.layer else {
        return ClairError::bad_request("failed to provide layer").into_response();
    };
    match service.process_layer(&layer).await {
        Ok(answer) => json(
            StatusCode::CREATED,
            &LayerEnvelope {
                layer: Some(answer),
                error: None,
            },
        ),
        Err(e) => e.into_response(),
    }
}

/// `GET /v1/layers/{name}[?features][&vulnerabilities]`.
pub(crate) async fn get_layer(
    State(service): State<Arc<Service>>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    // Clair tests the parameters' presence only (`r.URL.Query()["features"]`).
    let has = |key: &str| {
        query
            .as_deref()
            .unwrap_or_default()
            .split('&')
            .any(|pair| pair.split('=').next() == Some(key))
    };
    let (features, vulnerabilities) = (has("features"), has("vulnerabilities"));
    let result =
        tokio::task::spawn_blocking(move || service.analyse(&name, features, vulnerabilities))
            .await
            .unwrap_or_else(|e| Err(ClairError::internal(e)));
    match result {
        Ok(layer) => json(
            StatusCode::OK,
            &LayerEnvelope {
                layer: Some(layer),
                error: None,
            },
        ),
        Err(e) => e.into_response(),
    }
}

/// `DELETE /v1/layers/{name}` → `200` with no body (and the layers above it).
pub(crate) async fn delete_layer(
    State(service): State<Arc<Service>>,
    Path(name): Path<String>,
) -> Response {
    let result = tokio::task::spawn_blocking(move || service.delete(&name))
        .await
        .unwrap_or_else(|e| Err(ClairError::internal(e)));
    match result {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /v1/namespaces`.
pub(crate) async fn get_namespaces(State(service): State<Arc<Service>>) -> Response {
    let result = tokio::task::spawn_blocking(move || service.namespaces())
        .await
        .unwrap_or_else(|e| Err(ClairError::internal(e)));
    match result {
        Ok(namespaces) => json(
            StatusCode::OK,
            &NamespaceEnvelope {
                namespaces: Some(namespaces),
                error: None,
            },
        ),
        Err(e) => {
            let body = NamespaceEnvelope {
                namespaces: None,
                error: Some(ApiError { message: e.message }),
            };
            json(e.status, &body)
        }
    }
}

/// Any other path: Clair's router answered 404.
pub(crate) async fn fallback() -> Response {
    ClairError::not_found().into_response()
}
