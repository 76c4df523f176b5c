//! API tokens: a 256-bit random secret shown once, stored as its SHA-256. The
//! lookup is by hash, so comparing never touches the secret itself and its
//! timing says nothing about it.

use std::path::Path;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use crate::Error;
use crate::state::{State, TokenInfo};

/// The prefix of every token (lets secret scanners recognise leaked ones).
const PREFIX: &str = "strata_";

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, token management included.
    Admin,
    /// Read reports, history, policies and DB status.
    Analyst,
    /// Request scans and checks, read reports.
    Ci,
}

/// The resources permissions are granted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resource {
    Scans,
    Reports,
    Policies,
    Db,
    Tokens,
}

impl Resource {
    pub(crate) const ALL: [Resource; 5] = [
        Resource::Scans,
        Resource::Reports,
        Resource::Policies,
        Resource::Db,
        Resource::Tokens,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Resource::Scans => "scans",
            Resource::Reports => "reports",
            Resource::Policies => "policies",
            Resource::Db => "db",
            Resource::Tokens => "tokens",
        }
    }
}

/// Read or write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Access {
    None,
    Read,
    Write,
}

impl Access {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Access::None => "-",
            Access::Read => "r",
            Access::Write => "rw",
        }
    }
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 3] = [Role::Admin, Role::Analyst, Role::Ci];

    /// The role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Ci => "ci",
        }
    }

    /// A role by name.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// The table in `docs/server-api.md`.
    pub(crate) fn access(self, resource: Resource) -> Access {
        use Resource as R;
        match (self, resource) {
            (Role::Admin, _) => Access::Write,
            (Role::Analyst, R::Scans | R::Tokens) | (Role::Ci, R::Tokens) => Access::None,
            (Role::Analyst, _) | (Role::Ci, R::Reports | R::Policies | R::Db) => Access::Read,
            (Role::Ci, R::Scans) => Access::Write,
        }
    }
}

/// SHA-256 of a presented token, hex.
pub(crate) fn hash(secret: &str) -> String {
    hex::encode(sha2::Sha256::digest(secret.as_bytes()))
}

fn new_secret() -> Result<String, Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Other(format!("no randomness for a token: {e}")))?;
    Ok(format!(
        "{PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// Parses an expiry like `90d`, `12h`, `30m` (or `never`) into seconds.
pub fn parse_expiry(text: &str) -> Result<Option<i64>, Error> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("never") {
        return Ok(None);
    }
    let invalid = || {
        Error::Invalid(format!(
            "invalid expiry {text:?}: use a number of days, hours or minutes like 90d, 12h, 30m, or never"
        ))
    };
    let split = text.len().saturating_sub(1);
    let (number, unit) = (text.get(..split).ok_or_else(invalid)?, text.get(split..));
    let n: i64 = number.parse().map_err(|_| invalid())?;
    let unit = match unit {
        Some("d") => 86_400,
        Some("h") => 3_600,
        Some("m") => 60,
        _ => return Err(invalid()),
    };
    if n <= 0 || n > 3650 * 86_400 / unit {
        return Err(invalid());
    }
    Ok(Some(n * unit))
}

/// A new token: its metadata and the secret (shown once).
#[derive(Debug, Serialize)]
pub struct Created {
    /// The secret, to hand to the client.
    pub token: String,
    /// What is stored.
    #[serde(flatten)]
    pub info: TokenInfo,
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

pub(crate) fn create(
    state: &State,
    name: &str,
    role: Role,
    expires_in: Option<i64>,
) -> Result<Created, Error> {
    if !valid_name(name) {
        return Err(Error::Invalid(format!(
            "invalid token name {name:?}: 1-64 letters, digits, '-', '_' or '.'"
        )));
    }
    let now = crate::now();
    let expires_at = expires_in
        .map(|seconds| {
            jiff::Timestamp::from_second(now.as_second().saturating_add(seconds))
                .map(|t| t.to_string())
                .map_err(|e| Error::Invalid(format!("expiry out of range: {e}")))
        })
        .transpose()?;
    let info = TokenInfo {
        name: name.to_owned(),
        role,
        created_at: now.to_string(),
        expires_at,
        last_used_at: None,
    };
    let token = new_secret()?;
    if !state.insert_token(&info, &hash(&token))? {
        return Err(Error::Invalid(format!(
            "a token named {name:?} exists: revoke it first or choose another name"
        )));
    }
    Ok(Created { token, info })
}

/// Whether `expires_at` has passed.
pub(crate) fn expired(info: &TokenInfo, now: jiff::Timestamp) -> bool {
    info.expires_at
        .as_deref()
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .is_some_and(|t| t <= now)
}

/// `strata server token create`: works on the data dir, server running or not.
pub fn create_offline(
    data_dir: &Path,
    name: &str,
    role: Role,
    expires_in: Option<i64>,
) -> Result<Created, Error> {
    create(&State::open(data_dir)?, name, role, expires_in)
}

/// `strata server token list`.
pub fn list_offline(data_dir: &Path) -> Result<Vec<TokenInfo>, Error> {
    State::open(data_dir)?.tokens()
}

/// `strata server token revoke`: `false` when no token has that name.
pub fn revoke_offline(data_dir: &Path, name: &str) -> Result<bool, Error> {
    State::open(data_dir)?.delete_token(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_grant_the_documented_table() {
        // docs/server-api.md, "Roles and permissions".
        let table = [
            ("scans", ["rw", "-", "rw"]),
            ("reports", ["rw", "r", "r"]),
            ("policies", ["rw", "r", "r"]),
            ("db", ["rw", "r", "r"]),
            ("tokens", ["rw", "-", "-"]),
        ];
        for (resource, expected) in table {
            let resource = Resource::ALL
                .into_iter()
                .find(|r| r.name() == resource)
                .unwrap();
            for (role, want) in Role::ALL.into_iter().zip(expected) {
                assert_eq!(
                    role.access(resource).label(),
                    want,
                    "{role:?} on {resource:?}"
                );
            }
        }
    }

    #[test]
    fn expiries_parse_and_reject_nonsense() {
        assert_eq!(parse_expiry("90d").unwrap(), Some(90 * 86_400));
        assert_eq!(parse_expiry("12h").unwrap(), Some(12 * 3600));
        assert_eq!(parse_expiry("never").unwrap(), None);
        for bad in ["", "d", "0d", "-1d", "10y", "1.5d", "99999d", "1é"] {
            assert!(parse_expiry(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tokens_are_stored_hashed_and_names_are_unique() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::open(dir.path()).unwrap();
        let created = create(&state, "ci-pipeline", Role::Ci, Some(3600)).unwrap();
        assert!(created.token.starts_with(PREFIX));
        assert_eq!(created.token.len(), PREFIX.len() + 43);
        let found = state.token_by_hash(&hash(&created.token)).unwrap().unwrap();
        assert_eq!((found.name.as_str(), found.role), ("ci-pipeline", Role::Ci));
        assert!(state.token_by_hash(&created.token).unwrap().is_none());
        let stored = std::fs::read(dir.path().join("server.db")).unwrap();
        assert!(
            !stored
                .windows(created.token.len())
                .any(|w| w == created.token.as_bytes())
        );
        assert!(create(&state, "ci-pipeline", Role::Admin, None).is_err());
        assert!(create(&state, "bad name", Role::Admin, None).is_err());
        let other = create(&state, "other", Role::Admin, None).unwrap();
        assert_ne!(other.token, created.token);
    }
}
