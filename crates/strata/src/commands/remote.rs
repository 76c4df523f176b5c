//! Talking to a Strata server: `strata whoami`, and `image scan --endpoint`
//! (the server pulls, indexes and matches; or, with `--local-index`, only
//! matches the inventory indexed here). Gate and formats stay local, so exit
//! codes and output are those of a local scan.

use std::io::Write as _;
use std::time::Duration;

use anyhow::Context as _;
use serde::Deserialize;
use strata_catalog::Inventory;
use strata_image::registry::Credentials;
use strata_match::ScanReport;

use crate::EXIT_OK;
use crate::cli::RemoteOptions;
use crate::cli::server::{WhoamiArgs, WhoamiFormat};
use crate::commands::image;
use crate::failure::Failure;

/// A server connection.
pub(crate) struct Client {
    base: String,
    token: String,
    http: reqwest::Client,
    runtime: tokio::runtime::Runtime,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    code: String,
    message: String,
}

impl Client {
    /// The client for `--endpoint`/`STRATA_ENDPOINT`, or `None` without one.
    pub(crate) fn from_options(options: &RemoteOptions) -> Result<Option<Client>, Failure> {
        let Some(endpoint) = options.endpoint.as_deref().filter(|e| !e.trim().is_empty()) else {
            return Ok(None);
        };
        let endpoint = endpoint.trim().trim_end_matches('/');
        let base = if endpoint.starts_with("http://") || endpoint.starts_with("https://") {
            endpoint.to_owned()
        } else {
            format!("https://{endpoint}")
        };
        let token = match (&options.api_token, &options.api_token_file) {
            (Some(token), _) => token.trim().to_owned(),
            (None, Some(path)) => std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the API token file {}", path.display()))?
                .trim()
                .to_owned(),
            (None, None) => String::new(),
        };
        if token.is_empty() {
            return Err(Failure::from(anyhow::anyhow!("no API token for {base}"))
                .hint("set STRATA_API_TOKEN, or pass --api-token-file FILE (an admin creates tokens with `strata server token create`)"));
        }
        let tls = strata_image::registry::tls_client_config(
            &options.server_ca_cert,
            options.insecure_skip_tls_verify,
        )?;
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(Duration::from_secs(30))
            // A scan may take minutes on a cold server; the server answers when done.
            .read_timeout(Duration::from_secs(30 * 60))
            .user_agent(concat!("strata/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("cannot set up the HTTP client")?;
        Ok(Some(Client {
            base,
            token,
            http,
            runtime: image::runtime()?,
        }))
    }

    /// The server's URL.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// Sends a request; any non-2xx answer becomes a failure naming the server's reason.
    pub(crate) fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Vec<u8>, Failure> {
        let url = format!("{}{path}", self.base);
        let mut request = self
            .http
            .request(method, &url)
            .bearer_auth(&self.token)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let (status, bytes) = self
            .runtime
            .block_on(async {
                let response = request.send().await?;
                let status = response.status();
                Ok::<_, reqwest::Error>((status, response.bytes().await?))
            })
            .map_err(|e| {
                let hint = if format!("{e:?}").contains("InvalidCertificate") {
                    "trust the server's CA with --server-ca-cert FILE"
                } else {
                    "check --endpoint / STRATA_ENDPOINT and that the server runs"
                };
                Failure::from(anyhow::anyhow!(
                    "cannot reach the Strata server at {}: {e}",
                    self.base
                ))
                .hint(hint)
            })?;
        if status.is_success() {
            return Ok(bytes.to_vec());
        }
        let (code, message) = match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(body) => (body.error.code, body.error.message),
            Err(_) => (
                status.as_str().to_owned(),
                String::from_utf8_lossy(&bytes)
                    .trim()
                    .chars()
                    .take(200)
                    .collect(),
            ),
        };
        let failure = Failure::from(anyhow::anyhow!(
            "the Strata server answered {status}: {message}"
        ));
        Err(match code.as_str() {
            "unauthorized" => failure
                .hint("check STRATA_API_TOKEN (or --api-token-file): it may be revoked or expired"),
            "forbidden" => failure.hint(
                "ask an admin for a token whose role allows this (`strata whoami` shows yours)",
            ),
            "db_not_ready" => failure
                .hint("the server is still loading its vulnerability database: retry in a minute"),
            "too_many_requests" => failure.hint("the server is busy: retry shortly"),
            _ => failure,
        })
    }

    fn json<T: serde::de::DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<T, Failure> {
        let bytes = self.call(method, path, body)?;
        Ok(serde_json::from_slice(&bytes).with_context(|| {
            format!("the Strata server's answer to {path} is not what this CLI expects")
        })?)
    }
}

#[derive(Deserialize, serde::Serialize)]
struct WhoAmI {
    name: String,
    role: String,
    created_at: String,
    expires_at: Option<String>,
    last_used_at: Option<String>,
    permissions: std::collections::BTreeMap<String, String>,
}

/// `strata whoami`.
pub(crate) fn whoami(args: &WhoamiArgs) -> Result<u8, Failure> {
    let client = Client::from_options(&args.remote)?.ok_or_else(|| {
        Failure::from(anyhow::anyhow!("no server to ask"))
            .hint("pass --endpoint URL or set STRATA_ENDPOINT")
    })?;
    let me: WhoAmI = client.json(reqwest::Method::GET, "/api/v1/whoami", None)?;
    let text = match args.format {
        WhoamiFormat::Json => {
            serde_json::to_string_pretty(&me).context("cannot render JSON")? + "\n"
        }
        WhoamiFormat::Table => {
            let mut out = format!(
                "Name:       {}\nRole:       {}\nCreated:    {}\nExpires:    {}\nLast used:  {}\nAccess:\n",
                me.name,
                me.role,
                me.created_at,
                me.expires_at.as_deref().unwrap_or("never"),
                me.last_used_at.as_deref().unwrap_or("never"),
            );
            for (resource, access) in &me.permissions {
                out.push_str(&format!("  {access:<3} {resource}\n"));
            }
            out
        }
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("cannot write to stdout")?;
    Ok(EXIT_OK)
}

#[derive(Deserialize)]
struct ScanAnswer {
    report: ScanReport,
    inventory: Option<Inventory>,
}

/// The unfiltered report of an image, made by the server (or, with
/// `local_index`, indexed here and matched there).
pub(crate) fn scan(
    client: &Client,
    what: &crate::commands::scan::Input<'_>,
    local_index: bool,
    cache: &std::path::Path,
) -> Result<ScanReport, Failure> {
    let answer: ScanAnswer = if local_index {
        let indexed = crate::commands::sbom::index(
            what.image,
            what.image_options,
            cache,
            what.scope,
            what.no_cache,
        )?;
        let body = serde_json::to_vec(&indexed.inventory).context("cannot encode the inventory")?;
        client.json(
            reqwest::Method::POST,
            &format!("/api/v1/match?base_layers={}", indexed.base_layers),
            Some(body),
        )?
    } else {
        if what.scope != strata_catalog::Scope::Squashed {
            return Err(Failure::from(anyhow::anyhow!(
                "the server scans what the running container sees (--scope squashed)"
            ))
            .hint("add --local-index to index every layer here"));
        }
        if !matches!(
            strata_image::Source::parse(what.image),
            Ok(strata_image::Source::Registry(_))
        ) {
            return Err(Failure::from(anyhow::anyhow!(
                "{} is not a registry image: the server cannot read it",
                what.image
            ))
            .hint("add --local-index to index it here and let the server match the inventory"));
        }
        let mut request = serde_json::Map::new();
        request.insert("image".into(), what.image.into());
        if let Some(platform) = &what.image_options.platform {
            request.insert("platform".into(), platform.to_string().into());
        }
        // Explicit credentials travel with this scan only; otherwise the server
        // uses its own registry access.
        if what.image_options.username.is_some()
            || what.image_options.password_stdin
            || std::env::var_os("DOCKER_USER").is_some()
            || std::env::var_os("DOCKER_TOKEN").is_some()
        {
            let credentials = match image::registry_options(what.image_options)?.credentials {
                Some(Credentials::Basic { username, password }) => {
                    Some(serde_json::json!({"username": username, "password": password.expose()}))
                }
                Some(Credentials::BearerToken(token)) => {
                    Some(serde_json::json!({"token": token.expose()}))
                }
                _ => None,
            };
            if let Some(credentials) = credentials {
                request.insert("credentials".into(), credentials);
            }
        }
        let body = serde_json::to_vec(&request).context("cannot encode the request")?;
        client.json(reqwest::Method::POST, "/api/v1/scans?wait=true", Some(body))?
    };
    let mut report = answer.report;
    report.inventory = answer.inventory;
    Ok(report)
}

#[derive(Deserialize)]
struct PoliciesAnswer {
    custom: bool,
    text: String,
}

/// The policies the server holds (`GET /api/v1/policies`).
pub(crate) fn policies(client: &Client) -> Result<strata_policy::policy::PolicySet, Failure> {
    let answer: PoliciesAnswer = client.json(reqwest::Method::GET, "/api/v1/policies", None)?;
    let name = if answer.custom {
        format!("{}/api/v1/policies", client.base)
    } else {
        strata_policy::policy::DEFAULT_SOURCE.to_owned()
    };
    Ok(strata_policy::policy::PolicySet::from_text(
        std::path::Path::new(&name),
        &answer.text,
    )?)
}
