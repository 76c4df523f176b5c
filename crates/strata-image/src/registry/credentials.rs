//! Where registry credentials come from: flags/environment, or docker's
//! `config.json` (`auths`, `identitytoken`, `credsStore`/`credHelpers` via the
//! credential-helper protocol). Secrets are wrapped so they never print.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use base64::Engine as _;
use serde::Deserialize;

use crate::Error;

/// A secret string: shown as `***` by `Debug` and `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Secret(secret.into())
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Credentials for one registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// No credentials: anonymous access.
    Anonymous,
    /// A user name and password (or personal access token).
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: Secret,
    },
    /// An OAuth2 refresh token (docker's `identitytoken`).
    IdentityToken(Secret),
    /// A registry bearer token used as is (Klar's `DOCKER_TOKEN`).
    BearerToken(Secret),
}

impl Credentials {
    /// Where the credentials came from, for error messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Credentials::Anonymous => "anonymous",
            Credentials::Basic { .. } => "user name and password",
            Credentials::IdentityToken(_) => "identity token",
            Credentials::BearerToken(_) => "bearer token",
        }
    }

    /// The `Authorization` value for Basic authentication, if these are basic credentials.
    pub(crate) fn basic_header(&self) -> Option<Secret> {
        match self {
            Credentials::Basic { username, password } => {
                let raw = format!("{username}:{}", password.expose());
                Some(Secret::new(format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(raw)
                )))
            }
            _ => None,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DockerConfig {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
    #[serde(default)]
    creds_store: Option<String>,
    #[serde(default)]
    cred_helpers: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

/// The docker config file: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
pub fn docker_config_path(dir: Option<PathBuf>) -> Option<PathBuf> {
    dir.or_else(|| std::env::var_os("DOCKER_CONFIG").map(PathBuf::from))
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".docker")))
        .map(|dir| dir.join("config.json"))
}

/// Docker Hub's entries are keyed by its v1 index URL.
fn config_keys(registry: &str) -> Vec<String> {
    if registry == crate::DOCKER_HUB {
        vec![
            "https://index.docker.io/v1/".into(),
            "index.docker.io".into(),
            "docker.io".into(),
            "registry-1.docker.io".into(),
        ]
    } else {
        vec![registry.to_owned()]
    }
}

/// `https://host:port/v1/` → `host:port`.
fn normalise_key(key: &str) -> &str {
    let key = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    key.split('/').next().unwrap_or(key)
}

/// Looks `registry` up in the docker config at `path` (missing file: anonymous).
/// Credential helpers are looked up on `$PATH`.
pub fn from_docker_config(path: &std::path::Path, registry: &str) -> Result<Credentials, Error> {
    lookup(path, registry, std::env::var_os("PATH").as_deref())
}

fn lookup(
    path: &std::path::Path,
    registry: &str,
    search_path: Option<&std::ffi::OsStr>,
) -> Result<Credentials, Error> {
    let what = format!("docker config {}", path.display());
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Credentials::Anonymous),
        Err(e) => return Err(Error::io(what, e)),
    };
    if text.len() > 4 << 20 {
        return Err(Error::invalid(what, "larger than 4 MiB"));
    }
    let config: DockerConfig =
        serde_json::from_slice(&text).map_err(|e| Error::invalid(&what, e.to_string()))?;
    let keys = config_keys(registry);
    let helper = keys
        .iter()
        .find_map(|k| {
            config
                .cred_helpers
                .iter()
                .find(|(key, _)| normalise_key(key) == normalise_key(k))
        })
        .map(|(_, helper)| helper.clone());
    if let Some(helper) = helper {
        return from_helper(&helper, registry, search_path);
    }
    let entry = keys
        .iter()
        .find_map(|k| {
            config
                .auths
                .iter()
                .find(|(key, _)| key.as_str() == k || normalise_key(key) == normalise_key(k))
        })
        .map(|(_, entry)| entry);
    if let Some(entry) = entry {
        if let Some(token) = entry.identitytoken.as_deref().filter(|t| !t.is_empty()) {
            return Ok(Credentials::IdentityToken(Secret::new(token)));
        }
        if let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(auth.trim())
                .map_err(|_| {
                    Error::invalid(&what, format!("auths[{registry}].auth is not base64"))
                })?;
            let decoded = String::from_utf8(decoded).map_err(|_| {
                Error::invalid(&what, format!("auths[{registry}].auth is not UTF-8"))
            })?;
            let (username, password) = decoded.split_once(':').ok_or_else(|| {
                Error::invalid(
                    &what,
                    format!("auths[{registry}].auth is not user:password"),
                )
            })?;
            return Ok(Credentials::Basic {
                username: username.to_owned(),
                password: Secret::new(password),
            });
        }
        if let (Some(username), Some(password)) = (&entry.username, &entry.password) {
            return Ok(Credentials::Basic {
                username: username.clone(),
                password: Secret::new(password.clone()),
            });
        }
    }
    match config.creds_store {
        Some(store) if !store.is_empty() => from_helper(&store, registry, search_path),
        _ => Ok(Credentials::Anonymous),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HelperAnswer {
    #[serde(default)]
    username: String,
    #[serde(default)]
    secret: String,
}

/// Runs `docker-credential-<helper> get` with the registry on stdin (the docker
/// credential-helper protocol). "credentials not found" means anonymous.
fn from_helper(
    helper: &str,
    registry: &str,
    search_path: Option<&std::ffi::OsStr>,
) -> Result<Credentials, Error> {
    if !helper
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(Error::invalid(
            "docker config",
            format!("credential helper name {helper:?} is not a plain name"),
        ));
    }
    let program = format!("docker-credential-{helper}");
    let what = format!("credential helper {program}");
    let server = if registry == crate::DOCKER_HUB {
        "https://index.docker.io/v1/"
    } else {
        registry
    };
    let executable = search_path
        .into_iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(&program))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| Error::NotFound {
            what: format!("{what} (named in the docker config) on PATH"),
        })?;
    let mut child = Command::new(executable)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::io(&what, e))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(server.as_bytes())
            .map_err(|e| Error::io(&what, e))?;
    }
    let output = child.wait_with_output().map_err(|e| Error::io(&what, e))?;
    if !output.status.success() {
        let message = String::from_utf8_lossy(&output.stdout);
        if message.contains("credentials not found") {
            return Ok(Credentials::Anonymous);
        }
        // The helper's output may hold secrets only on success; its error text is safe to show.
        return Err(Error::invalid(
            what,
            format!(
                "failed: {}",
                message.trim().chars().take(200).collect::<String>()
            ),
        ));
    }
    let answer: HelperAnswer = serde_json::from_slice(&output.stdout).map_err(|_| {
        Error::invalid(
            &what,
            "answered something that is not the helper protocol's JSON",
        )
    })?;
    Ok(if answer.username == "<token>" {
        Credentials::IdentityToken(Secret::new(answer.secret))
    } else {
        Credentials::Basic {
            username: answer.username,
            password: Secret::new(answer.secret),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.json"), json).unwrap();
        dir
    }

    #[test]
    fn auths_by_host_and_url_keys() {
        // "scanner:scanner-test-pw"
        let dir = config(
            r#"{"auths":{"https://127.0.0.1:5443/v1/":{"auth":"c2Nhbm5lcjpzY2FubmVyLXRlc3QtcHc="}}}"#,
        );
        let creds = from_docker_config(&dir.path().join("config.json"), "127.0.0.1:5443").unwrap();
        assert_eq!(
            creds,
            Credentials::Basic {
                username: "scanner".into(),
                password: Secret::new("scanner-test-pw")
            }
        );
        assert_eq!(
            from_docker_config(&dir.path().join("config.json"), "other:5000").unwrap(),
            Credentials::Anonymous
        );
    }

    #[test]
    fn docker_hub_v1_key_and_identity_token() {
        let dir = config(r#"{"auths":{"https://index.docker.io/v1/":{"identitytoken":"tok"}}}"#);
        let creds = from_docker_config(&dir.path().join("config.json"), "docker.io").unwrap();
        assert_eq!(creds, Credentials::IdentityToken(Secret::new("tok")));
    }

    #[test]
    fn credential_helper_protocol() {
        let bin = tempfile::tempdir().unwrap();
        let helper = bin.path().join("docker-credential-strata-test");
        // A real helper program speaking the protocol: reads the server on stdin.
        std::fs::write(
            &helper,
            "#!/bin/sh\nread server\n[ \"$1\" = get ] || exit 1\nif [ \"$server\" = registry.example:5000 ]; then\n  printf '{\"ServerURL\":\"%s\",\"Username\":\"u\",\"Secret\":\"s3cret\"}' \"$server\"\nelse\n  echo 'credentials not found in native keychain'; exit 1\nfi\n",
        )
        .unwrap();
        std::process::Command::new("chmod")
            .arg("+x")
            .arg(&helper)
            .status()
            .unwrap();
        let dir = config(
            r#"{"credHelpers":{"registry.example:5000":"strata-test"},"credsStore":"strata-test"}"#,
        );
        let file = dir.path().join("config.json");
        let search = Some(bin.path().as_os_str());
        assert_eq!(
            lookup(&file, "registry.example:5000", search).unwrap(),
            Credentials::Basic {
                username: "u".into(),
                password: Secret::new("s3cret")
            }
        );
        // credsStore answers "not found" for other registries: anonymous.
        assert_eq!(
            lookup(&file, "elsewhere:5000", search).unwrap(),
            Credentials::Anonymous
        );
        // A helper that is not installed is a clear error.
        assert!(matches!(
            lookup(&file, "elsewhere:5000", None),
            Err(Error::NotFound { .. })
        ));
    }

    #[test]
    fn secrets_do_not_print() {
        let creds = Credentials::Basic {
            username: "u".into(),
            password: Secret::new("hunter2"),
        };
        assert!(!format!("{creds:?}").contains("hunter2"));
    }
}
