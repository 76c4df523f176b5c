//! Who is calling: the bearer token, its role, and a per-address limit on
//! failed attempts (logged without the secret).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::connect_info::Connected;
use axum::http::{HeaderMap, header};
use axum::serve::IncomingStream;

use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::state::{State, TokenInfo};
use crate::tokens::{self, Access, Resource};

/// Failed attempts allowed per address and window before 429.
const MAX_FAILURES: u32 = 30;
const WINDOW: Duration = Duration::from_secs(60);
/// `last_used_at` is written at most this often per token.
const TOUCH_EVERY: i64 = 60;

/// The peer of a connection, from the plain or the TLS listener.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Peer(pub(crate) SocketAddr);

impl Connected<IncomingStream<'_, tokio::net::TcpListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, tokio::net::TcpListener>) -> Self {
        Peer(*stream.remote_addr())
    }
}

impl Connected<IncomingStream<'_, crate::tls::TlsListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, crate::tls::TlsListener>) -> Self {
        Peer(*stream.remote_addr())
    }
}

/// Checks tokens and counts failures.
#[derive(Debug)]
pub(crate) struct Auth {
    state: Arc<State>,
    metrics: Arc<Metrics>,
    failures: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub(crate) token: TokenInfo,
}

impl Caller {
    pub(crate) fn may(&self, resource: Resource, access: Access) -> bool {
        self.token.role.access(resource) >= access
    }
}

impl Auth {
    pub(crate) fn new(state: Arc<State>, metrics: Arc<Metrics>) -> Auth {
        Auth {
            state,
            metrics,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// The caller, if its token is valid and grants `access` on `resource`:
    /// 401 without a valid token, 403 when the role lacks the permission.
    pub(crate) fn require(
        &self,
        headers: &HeaderMap,
        peer: Peer,
        resource: Resource,
        access: Access,
    ) -> Result<Caller, ApiError> {
        let caller = self.authenticate(headers, peer)?;
        if caller.may(resource, access) {
            Ok(caller)
        } else {
            Err(ApiError::forbidden(format!(
                "token {:?} has role {}, which may not {} {}",
                caller.token.name,
                caller.token.role.as_str(),
                if access == Access::Write {
                    "change"
                } else {
                    "read"
                },
                resource.name()
            )))
        }
    }

    pub(crate) fn authenticate(&self, headers: &HeaderMap, peer: Peer) -> Result<Caller, ApiError> {
        let ip = peer.0.ip();
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let Some(presented) = presented else {
            return Err(ApiError::unauthorized(
                "an API token is required: Authorization: Bearer <token>",
            ));
        };
        let now = crate::now();
        let found = self
            .state
            .token_by_hash(&tokens::hash(presented))
            .map_err(|e| ApiError::internal(e.to_string()))?;
        let token = match found {
            Some(token) if !tokens::expired(&token, now) => token,
            found => {
                // Past the limit, failures get 429 (valid tokens from the same
                // address still work: a 256-bit secret cannot be guessed, so the
                // limit is about log floods and noisy misconfigured jobs).
                if self.blocked(ip) {
                    return Err(ApiError::too_many(
                        "too many failed authentication attempts from this address",
                        WINDOW.as_secs(),
                    ));
                }
                self.fail(ip);
                // The reason is logged; the secret never is.
                let why = if found.is_some() {
                    "expired token"
                } else {
                    "unknown or revoked token"
                };
                tracing::warn!(peer = %ip, reason = why, "authentication failed");
                return Err(ApiError::unauthorized(
                    "the API token is not valid (unknown, revoked or expired)",
                ));
            }
        };
        let stale = token
            .last_used_at
            .as_deref()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
            .is_none_or(|t| now.as_second() - t.as_second() >= TOUCH_EVERY);
        if stale {
            let _ = self.state.touch_token(&token.name, &now.to_string());
        }
        Ok(Caller { token })
    }

    fn blocked(&self, ip: IpAddr) -> bool {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match failures.get(&ip) {
            Some((_, since)) if since.elapsed() > WINDOW => {
                failures.remove(&ip);
                false
            }
            Some((count, _)) => *count >= MAX_FAILURES,
            None => false,
        }
    }

    fn fail(&self, ip: IpAddr) {
        self.metrics.auth_failures.inc();
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if failures.len() > 10_000 {
            failures.retain(|_, (_, since)| since.elapsed() <= WINDOW);
        }
        let entry = failures.entry(ip).or_insert((0, Instant::now()));
        entry.0 = entry.0.saturating_add(1);
    }
}
