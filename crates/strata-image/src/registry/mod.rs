//! A client for the OCI distribution API: manifests and blobs, pulled and pushed,
//! with the auth flows registries use, TLS options, retries and verified,
//! all-or-nothing blob downloads.

mod auth;
pub mod credentials;
mod tls;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, LOCATION, RETRY_AFTER, WWW_AUTHENTICATE,
};
use reqwest::{Method, StatusCode, Url};
use serde::Deserialize;

use self::auth::Challenge;
pub use self::credentials::{Credentials, Secret};
pub use self::tls::client_config as tls_client_config;
use crate::digest::{Algorithm, Hasher};
use crate::{Digest, Error, ImageRef};

/// How to reach registries.
#[derive(Debug, Clone)]
pub struct RegistryOptions {
    /// Credentials given explicitly (flags, environment); otherwise the docker config is read.
    pub credentials: Option<Credentials>,
    /// The docker config directory (default `$DOCKER_CONFIG`, then `~/.docker`).
    pub docker_config_dir: Option<PathBuf>,
    /// Extra CA certificates (PEM) to trust besides the system's.
    pub ca_certs: Vec<PathBuf>,
    /// Skip TLS certificate verification.
    pub insecure: bool,
    /// Hosts that may be reached over plain HTTP (besides loopback ones).
    pub insecure_registries: Vec<String>,
    /// Timeout of one request (connect and each read).
    pub timeout: Duration,
    /// Retries of a request after 429, 5xx or a broken connection.
    pub retries: u32,
    /// Layers downloaded at once.
    pub parallel_downloads: usize,
}

impl Default for RegistryOptions {
    fn default() -> Self {
        RegistryOptions {
            credentials: None,
            docker_config_dir: None,
            ca_certs: Vec::new(),
            insecure: false,
            insecure_registries: Vec::new(),
            timeout: Duration::from_secs(60),
            retries: 3,
            parallel_downloads: 3,
        }
    }
}

#[derive(Debug, Default)]
struct State {
    /// Authorization header per (registry, scope).
    auth: HashMap<(String, String), Secret>,
    /// `https` or `http`, once known, per registry.
    schemes: HashMap<String, &'static str>,
    /// Resolved credentials per registry.
    credentials: HashMap<String, Credentials>,
}

/// A registry client (cheap to clone, shared state).
#[derive(Debug, Clone)]
pub struct Registry {
    http: reqwest::Client,
    options: Arc<RegistryOptions>,
    state: Arc<Mutex<State>>,
}

/// Whether a request needs pull or push rights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Pull,
    Push,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    errors: Vec<ErrorEntry>,
}

#[derive(Deserialize)]
struct ErrorEntry {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

#[derive(Deserialize)]
struct TokenBody {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
}

/// A manifest as the registry served it.
#[derive(Debug, Clone)]
pub struct FetchedManifest {
    /// The raw bytes (their digest is `digest`).
    pub bytes: Vec<u8>,
    /// The `Content-Type` the registry sent.
    pub content_type: Option<String>,
    /// The manifest's digest (verified).
    pub digest: Digest,
}

impl Registry {
    /// A client with the given options.
    pub fn new(options: RegistryOptions) -> Result<Registry, Error> {
        let http = http_client(&options)?;
        Ok(Registry {
            http,
            options: Arc::new(options),
            state: Arc::default(),
        })
    }

    /// The URL this client fetches a blob of `image` from
    /// (`https://registry:5000/v2/app/blobs/sha256:…`): `http` once the
    /// registry was found to be a plain-HTTP one (loopback or
    /// `insecure_registries`), else `https`. What Klar sends Clair as a
    /// layer's `Path`.
    pub fn blob_url(&self, image: &ImageRef, digest: &Digest) -> String {
        let host = image.api_host();
        let scheme = self.scheme_known(host).unwrap_or("https");
        format!("{scheme}://{host}/v2/{}/blobs/{digest}", image.repository())
    }

    /// The `Authorization` header value this client sends when pulling from
    /// `image`'s repository, once a request answered the registry's challenge
    /// (`None` when the registry asked for none). What Klar sends Clair as a
    /// layer's `Headers.Authorization`; a secret: never log it.
    pub fn pull_authorization(&self, image: &ImageRef) -> Option<Secret> {
        let scope = format!("repository:{}:pull", image.repository());
        self.state
            .lock()
            .ok()?
            .auth
            .get(&(image.api_host().to_owned(), scope))
            .cloned()
    }

    /// How many layers may download at once.
    pub fn parallel_downloads(&self) -> usize {
        self.options.parallel_downloads
    }

    /// Fetches a manifest or index by tag or digest, checking it against the digest
    /// it is named by (or that the registry announces) and the size limit.
    pub async fn manifest(
        &self,
        image: &ImageRef,
        reference: &str,
        max_bytes: u64,
    ) -> Result<FetchedManifest, Error> {
        let path = format!("/v2/{}/manifests/{reference}", image.repository());
        let what = format!(
            "manifest {}/{}:{reference}",
            image.registry(),
            image.repository()
        );
        let response = self
            .send(image, Access::Pull, &what, |url| {
                (
                    Method::GET,
                    url.join(&path),
                    vec![(
                        ACCEPT,
                        crate::manifest::media_type::MANIFEST_ACCEPT.to_owned(),
                    )],
                )
            })
            .await?;
        let content_type = header(response.headers(), CONTENT_TYPE.as_str());
        let announced = header(response.headers(), "docker-content-digest")
            .and_then(|d| d.parse::<Digest>().ok());
        let bytes = read_limited(response, max_bytes, &what).await?;
        let digest = match reference.parse::<Digest>() {
            Ok(expected) => {
                expected.verify(&bytes, &what)?;
                expected
            }
            Err(_) => {
                let algorithm = announced
                    .as_ref()
                    .map_or(Algorithm::Sha256, Digest::algorithm);
                let mut hasher = Hasher::new(algorithm);
                hasher.update(&bytes);
                let actual = hasher.finish();
                if let Some(announced) = announced
                    && announced != actual
                {
                    return Err(Error::DigestMismatch {
                        what,
                        expected: announced,
                        actual,
                    });
                }
                actual
            }
        };
        Ok(FetchedManifest {
            bytes,
            content_type,
            digest,
        })
    }

    /// Fetches a small blob (a config) whole, verified.
    pub async fn blob_bytes(
        &self,
        image: &ImageRef,
        digest: &Digest,
        max_bytes: u64,
    ) -> Result<Vec<u8>, Error> {
        let what = format!("blob {digest}");
        let path = format!("/v2/{}/blobs/{digest}", image.repository());
        let response = self
            .send(image, Access::Pull, &what, |url| {
                (Method::GET, url.join(&path), vec![])
            })
            .await?;
        let bytes = read_limited(response, max_bytes, &what).await?;
        digest.verify(&bytes, &what)?;
        Ok(bytes)
    }

    /// Downloads a blob into `dir/blobs/<alg>/<hex>`, verifying size and digest
    /// while streaming. Nothing unverified is ever at the final path: the bytes go
    /// to a temporary file that is renamed only once they check out.
    pub async fn download_blob(
        &self,
        image: &ImageRef,
        digest: &Digest,
        size: Option<u64>,
        dir: &Path,
    ) -> Result<PathBuf, Error> {
        let final_path = dir.join(crate::image::blob_path(digest));
        if final_path.is_file() {
            return Ok(final_path);
        }
        let parent = final_path.parent().unwrap_or(dir).to_owned();
        tokio::fs::create_dir_all(&parent)
            .await
            .map_err(|e| Error::io(parent.display().to_string(), e))?;
        let what = format!("blob {digest}");
        let mut attempt = 0;
        loop {
            match self
                .download_once(image, digest, size, &parent, &final_path, &what)
                .await
            {
                Err(Error::Http { .. } | Error::Io { .. }) if attempt < self.options.retries => {
                    attempt += 1;
                    tokio::time::sleep(backoff(attempt)).await;
                }
                result => return result.map(|()| final_path),
            }
        }
    }

    async fn download_once(
        &self,
        image: &ImageRef,
        digest: &Digest,
        size: Option<u64>,
        parent: &Path,
        final_path: &Path,
        what: &str,
    ) -> Result<(), Error> {
        use std::io::Write as _;
        let path = format!("/v2/{}/blobs/{digest}", image.repository());
        let mut response = self
            .send(image, Access::Pull, what, |url| {
                (Method::GET, url.join(&path), vec![])
            })
            .await?;
        let temp = tempfile::Builder::new()
            .prefix(".partial-")
            .tempfile_in(parent)
            .map_err(|e| Error::io(parent.display().to_string(), e))?;
        let mut file = std::io::BufWriter::with_capacity(1 << 20, temp);
        let mut hasher = Hasher::new(digest.algorithm());
        let mut received: u64 = 0;
        let limit = size.unwrap_or(u64::MAX);
        while let Some(chunk) = response.chunk().await.map_err(|e| Error::Http {
            what: what.to_owned(),
            source: e,
        })? {
            received += chunk.len() as u64;
            if received > limit {
                return Err(Error::invalid(
                    what,
                    format!("blob is larger than the {limit} bytes its descriptor announces"),
                ));
            }
            hasher.update(&chunk);
            file.write_all(&chunk).map_err(|e| Error::io(what, e))?;
        }
        if let Some(size) = size
            && size != received
        {
            return Err(Error::SizeMismatch {
                what: what.to_owned(),
                expected: size,
                actual: received,
            });
        }
        hasher.check(digest, what)?;
        let temp = file
            .into_inner()
            .map_err(|e| Error::io(what, e.into_error()))?;
        temp.persist(final_path)
            .map_err(|e| Error::io(what, e.error))?;
        Ok(())
    }

    /// Whether the registry already has a blob.
    pub async fn has_blob(&self, image: &ImageRef, digest: &Digest) -> Result<bool, Error> {
        let what = format!("blob {digest}");
        let path = format!("/v2/{}/blobs/{digest}", image.repository());
        match self
            .send(image, Access::Push, &what, |url| {
                (Method::HEAD, url.join(&path), vec![])
            })
            .await
        {
            Ok(_) => Ok(true),
            Err(Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Uploads a blob (monolithic upload), unless the registry has it.
    pub async fn push_blob(&self, image: &ImageRef, bytes: Vec<u8>) -> Result<Digest, Error> {
        let digest = Digest::sha256_of(&bytes);
        if self.has_blob(image, &digest).await? {
            return Ok(digest);
        }
        let what = format!(
            "upload of blob {digest} to {}/{}",
            image.registry(),
            image.repository()
        );
        let start = format!("/v2/{}/blobs/uploads/", image.repository());
        let response = self
            .send(image, Access::Push, &what, |url| {
                (Method::POST, url.join(&start), vec![])
            })
            .await?;
        let base = response.url().clone();
        let location = header(response.headers(), LOCATION.as_str())
            .ok_or_else(|| Error::invalid(&what, "registry gave no upload Location"))?;
        let mut upload = base
            .join(&location)
            .map_err(|e| Error::invalid(&what, format!("bad upload Location: {e}")))?;
        upload
            .query_pairs_mut()
            .append_pair("digest", &digest.to_string());
        self.send_with(
            image,
            Access::Push,
            &what,
            move |_| {
                (
                    Method::PUT,
                    Ok(upload.clone()),
                    vec![(CONTENT_TYPE, "application/octet-stream".to_owned())],
                )
            },
            Some(bytes::Bytes::from(bytes)),
        )
        .await?;
        Ok(digest)
    }

    /// Uploads a manifest under `tag` and returns its digest.
    pub async fn push_manifest(
        &self,
        image: &ImageRef,
        tag: &str,
        bytes: Vec<u8>,
        media_type: &str,
    ) -> Result<Digest, Error> {
        let digest = Digest::sha256_of(&bytes);
        let what = format!(
            "upload of manifest {}/{}:{tag}",
            image.registry(),
            image.repository()
        );
        let path = format!("/v2/{}/manifests/{tag}", image.repository());
        let media_type = media_type.to_owned();
        self.send_with(
            image,
            Access::Push,
            &what,
            move |base| {
                (
                    Method::PUT,
                    base.join(&path),
                    vec![(CONTENT_TYPE, media_type.clone())],
                )
            },
            Some(bytes::Bytes::from(bytes)),
        )
        .await?;
        Ok(digest)
    }

    fn scheme_known(&self, host: &str) -> Option<&'static str> {
        self.state.lock().ok()?.schemes.get(host).copied()
    }

    fn plain_http_allowed(&self, host: &str) -> bool {
        let name = host.rsplit_once(':').map_or(host, |(name, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                name
            } else {
                host
            }
        });
        matches!(name, "localhost" | "[::1]" | "::1")
            || name.starts_with("127.")
            || self
                .options
                .insecure_registries
                .iter()
                .any(|r| r == host || r == name)
    }

    async fn send(
        &self,
        image: &ImageRef,
        access: Access,
        what: &str,
        build: impl Fn(
            &Url,
        ) -> (
            Method,
            Result<Url, url::ParseError>,
            Vec<(reqwest::header::HeaderName, String)>,
        ),
    ) -> Result<reqwest::Response, Error> {
        self.send_with(image, access, what, build, None).await
    }

    /// Sends a request with the cached authorization, answering one auth challenge,
    /// retrying transient failures, and choosing https or (where allowed) http.
    async fn send_with(
        &self,
        image: &ImageRef,
        access: Access,
        what: &str,
        build: impl Fn(
            &Url,
        ) -> (
            Method,
            Result<Url, url::ParseError>,
            Vec<(reqwest::header::HeaderName, String)>,
        ),
        body: Option<bytes::Bytes>,
    ) -> Result<reqwest::Response, Error> {
        let host = image.api_host().to_owned();
        let scope = format!(
            "repository:{}:{}",
            image.repository(),
            if access == Access::Push {
                "pull,push"
            } else {
                "pull"
            }
        );
        let mut challenged = false;
        let mut attempt = 0u32;
        loop {
            let scheme = self.scheme_known(&host).unwrap_or("https");
            let base = Url::parse(&format!("{scheme}://{host}"))
                .map_err(|e| Error::invalid(what, e.to_string()))?;
            let (method, url, headers) = build(&base);
            let url = url.map_err(|e| Error::invalid(what, e.to_string()))?;
            let mut request = self.http.request(method.clone(), url);
            for (name, value) in headers {
                request = request.header(name, value);
            }
            let authorization = self
                .state
                .lock()
                .ok()
                .and_then(|s| s.auth.get(&(host.clone(), scope.clone())).cloned());
            if let Some(authorization) = authorization {
                request = request.header(AUTHORIZATION, authorization.expose());
            }
            if let Some(body) = &body {
                request = request.body(body.clone());
            }
            let response = match request.send().await {
                Ok(response) => response,
                Err(error) => {
                    if scheme == "https"
                        && self.scheme_known(&host).is_none()
                        && self.plain_http_allowed(&host)
                        && !tls::is_certificate_error(&error)
                    {
                        // A loopback or --insecure-registry host that does not speak TLS.
                        if let Ok(mut state) = self.state.lock() {
                            state.schemes.insert(host.clone(), "http");
                        }
                        continue;
                    }
                    if attempt < self.options.retries
                        && (error.is_connect() || error.is_timeout() || error.is_request())
                        && !tls::is_certificate_error(&error)
                    {
                        attempt += 1;
                        tokio::time::sleep(backoff(attempt)).await;
                        continue;
                    }
                    return Err(Error::Http {
                        what: what.to_owned(),
                        source: error,
                    });
                }
            };
            if let Ok(mut state) = self.state.lock() {
                state
                    .schemes
                    .entry(host.clone())
                    .or_insert(if scheme == "https" { "https" } else { "http" });
            }
            let status = response.status();
            if status == StatusCode::UNAUTHORIZED && !challenged {
                challenged = true;
                let challenge = header(response.headers(), WWW_AUTHENTICATE.as_str())
                    .and_then(|h| auth::parse_challenge(&h));
                let authorization = self.authorize(image, challenge, &scope).await?;
                if let Ok(mut state) = self.state.lock() {
                    state
                        .auth
                        .insert((host.clone(), scope.clone()), authorization);
                }
                continue;
            }
            if (status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error())
                && attempt < self.options.retries
                && method != Method::POST
            {
                attempt += 1;
                let wait = header(response.headers(), RETRY_AFTER.as_str())
                    .and_then(|s| s.trim().parse::<u64>().ok())
                    .map_or_else(|| backoff(attempt), |s| Duration::from_secs(s.min(30)));
                tokio::time::sleep(wait).await;
                continue;
            }
            if status.is_success() {
                return Ok(response);
            }
            return Err(self.error_for(image, what, response).await);
        }
    }

    /// Answers a challenge with the registry's credentials.
    async fn authorize(
        &self,
        image: &ImageRef,
        challenge: Option<Challenge>,
        scope: &str,
    ) -> Result<Secret, Error> {
        let credentials = self.credentials_for(image.registry())?;
        let registry = image.registry().to_owned();
        match challenge {
            Some(Challenge::Basic) => credentials.basic_header().ok_or_else(|| Error::Unauthorized {
                registry,
                reason: "the registry asks for a user name and password (--username/--password or docker login)".into(),
            }),
            Some(Challenge::Bearer { realm, service, scope: challenge_scope }) => {
                if let Credentials::BearerToken(token) = &credentials {
                    return Ok(Secret::new(format!("Bearer {}", token.expose())));
                }
                let scope = challenge_scope.filter(|s| s.contains(':')).unwrap_or_else(|| scope.to_owned());
                let token = self.fetch_token(&registry, &realm, service.as_deref(), &scope, &credentials).await?;
                Ok(Secret::new(format!("Bearer {}", token.expose())))
            }
            None => Err(Error::Unauthorized {
                registry,
                reason: "the registry refused access without a usable WWW-Authenticate challenge".into(),
            }),
        }
    }

    /// The token endpoint of the distribution spec's token authentication.
    async fn fetch_token(
        &self,
        registry: &str,
        realm: &str,
        service: Option<&str>,
        scope: &str,
        credentials: &Credentials,
    ) -> Result<Secret, Error> {
        let what = format!("token for {registry}");
        let mut url = Url::parse(realm)
            .map_err(|e| Error::invalid(&what, format!("bad realm {realm:?}: {e}")))?;
        let request = if let Credentials::IdentityToken(token) = credentials {
            // OAuth2 refresh-token grant, as docker does with an identity token.
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            form.append_pair("grant_type", "refresh_token");
            form.append_pair("refresh_token", token.expose());
            form.append_pair("client_id", "strata");
            form.append_pair("scope", scope);
            if let Some(service) = service {
                form.append_pair("service", service);
            }
            self.http
                .post(url)
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form.finish())
        } else {
            {
                let mut query = url.query_pairs_mut();
                if let Some(service) = service {
                    query.append_pair("service", service);
                }
                query.append_pair("scope", scope);
            }
            let request = self.http.get(url);
            match credentials.basic_header() {
                Some(basic) => request.header(AUTHORIZATION, basic.expose()),
                None => request,
            }
        };
        let response = request.send().await.map_err(|e| Error::Http {
            what: what.clone(),
            source: e,
        })?;
        let status = response.status();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            let message = registry_message(response).await;
            return Err(Error::Unauthorized {
                registry: registry.to_owned(),
                reason: format!(
                    "token server refused the {} credentials{}",
                    credentials.kind(),
                    suffix(&message)
                ),
            });
        }
        if !status.is_success() {
            let message = registry_message(response).await;
            return Err(Error::Registry {
                what,
                status: status.as_u16(),
                message,
            });
        }
        let bytes = read_limited(response, 1 << 20, &what).await?;
        let body: TokenBody =
            serde_json::from_slice(&bytes).map_err(|e| Error::invalid(&what, e.to_string()))?;
        body.token
            .or(body.access_token)
            .filter(|t| !t.is_empty())
            .map(Secret::new)
            .ok_or_else(|| Error::invalid(what, "token response has no token"))
    }

    /// Explicit credentials, else the docker config's, resolved once per registry.
    fn credentials_for(&self, registry: &str) -> Result<Credentials, Error> {
        if let Some(credentials) = &self.options.credentials {
            return Ok(credentials.clone());
        }
        if let Some(known) = self
            .state
            .lock()
            .ok()
            .and_then(|s| s.credentials.get(registry).cloned())
        {
            return Ok(known);
        }
        let credentials =
            match credentials::docker_config_path(self.options.docker_config_dir.clone()) {
                Some(path) => credentials::from_docker_config(&path, registry)?,
                None => Credentials::Anonymous,
            };
        if let Ok(mut state) = self.state.lock() {
            state
                .credentials
                .insert(registry.to_owned(), credentials.clone());
        }
        Ok(credentials)
    }

    async fn error_for(&self, image: &ImageRef, what: &str, response: reqwest::Response) -> Error {
        let status = response.status();
        let message = registry_message(response).await;
        match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                let kind = self
                    .credentials_for(image.registry())
                    .map_or("configured", |c| c.kind());
                Error::Unauthorized {
                    registry: image.registry().to_owned(),
                    reason: format!(
                        "{} for {what} with {kind} credentials{}",
                        status.as_u16(),
                        suffix(&message)
                    ),
                }
            }
            StatusCode::NOT_FOUND => Error::NotFound {
                what: format!("{what}{}", suffix(&message)),
            },
            _ => Error::Registry {
                what: what.to_owned(),
                status: status.as_u16(),
                message,
            },
        }
    }
}

/// An HTTP client with the TLS trust and timeouts of `options` (the system's
/// roots plus `ca_certs`, or no verification with `insecure`), for other
/// requests than the registry protocol's own (a Clair server, a layer URL).
pub fn http_client(options: &RegistryOptions) -> Result<reqwest::Client, Error> {
    let tls = tls::client_config(&options.ca_certs, options.insecure)?;
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .connect_timeout(options.timeout)
        .read_timeout(options.timeout)
        .user_agent(concat!("strata/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Http {
            what: "HTTP client".into(),
            source: e,
        })
}

fn suffix(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    }
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(250u64.saturating_mul(1 << attempt.min(6)))
}

/// The registry's error message (`{"errors":[{"code","message"}]}`), short.
async fn registry_message(response: reqwest::Response) -> String {
    let Ok(bytes) = read_limited(response, 64 * 1024, "error body").await else {
        return String::new();
    };
    match serde_json::from_slice::<ErrorBody>(&bytes) {
        Ok(body) => body
            .errors
            .iter()
            .map(|e| {
                if e.message.is_empty() {
                    e.code.clone()
                } else {
                    format!("{} ({})", e.message, e.code)
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
        Err(_) => String::from_utf8_lossy(&bytes)
            .trim()
            .chars()
            .take(200)
            .collect(),
    }
}

/// Reads a response body, refusing more than `limit` bytes.
async fn read_limited(
    mut response: reqwest::Response,
    limit: u64,
    what: &str,
) -> Result<Vec<u8>, Error> {
    if response.content_length().is_some_and(|len| len > limit) {
        return Err(Error::Limit {
            what: what.to_owned(),
            limit: "manifest-bytes",
            max: limit,
        });
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| Error::Http {
        what: what.to_owned(),
        source: e,
    })? {
        if (bytes.len() + chunk.len()) as u64 > limit {
            return Err(Error::Limit {
                what: what.to_owned(),
                limit: "manifest-bytes",
                max: limit,
            });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}
