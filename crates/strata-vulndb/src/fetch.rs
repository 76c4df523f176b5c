//! Fetching feed documents the way an updater needs them: conditional GETs
//! (`If-None-Match` / `If-Modified-Since` from the validators of the last
//! update), bodies bounded while they stream, retries of transient failures
//! (429, 5xx, broken connections; `Retry-After` honoured), mirrors laid out as
//! `wget -m` writes them (`MIRROR/HOST/PATH`, over HTTP(S) or in a local
//! directory), and gzip documents returned decompressed with a bomb guard.
//!
//! Errors name the URL (credentials and secret-looking query values removed)
//! and the HTTP status. Zip archives are returned as they are: the OSV parser
//! reads them.

use std::io::Read as _;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use reqwest::header::{
    CONTENT_ENCODING, ETAG, HeaderMap, HeaderName, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH,
    LAST_MODIFIED, RETRY_AFTER,
};
use url::Url;

/// Retries after the first attempt (so at most four requests).
const MAX_RETRIES: u32 = 3;
/// The first backoff; doubled on each retry (0.5 s, 1 s, 2 s).
const RETRY_BASE: Duration = Duration::from_millis(500);
/// The longest `Retry-After` waited for; a server asking for more gets an error.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// Redirects followed before giving up.
const MAX_REDIRECTS: usize = 10;
/// The gzip member header: ID1, ID2 and CM = deflate (RFC 1952 §2.3.1).
const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// How a [`Fetcher`] fetches.
#[derive(Clone)]
pub struct FetchOptions {
    /// `strata db update --mirror URL`: read every upstream URL from
    /// `URL/HOST/PATH` instead (`http://`, `https://` or `file:///DIR`).
    pub mirror: Option<String>,
    /// Connect and idle-read timeout (not a limit on a whole download).
    pub timeout: Duration,
    /// The largest document accepted, as served and again after gzip decoding.
    pub max_bytes: u64,
    /// The `User-Agent` header.
    pub user_agent: String,
}

impl Default for FetchOptions {
    fn default() -> FetchOptions {
        FetchOptions {
            mirror: None,
            timeout: Duration::from_secs(30),
            max_bytes: 1 << 30,
            user_agent: concat!("strata/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

impl std::fmt::Debug for FetchOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FetchOptions")
            .field("mirror", &self.mirror.as_deref().map(redact_str))
            .field("timeout", &self.timeout)
            .field("max_bytes", &self.max_bytes)
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

/// HTTP validators of a fetched document, kept for the next conditional fetch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// `ETag`, exactly as served (quotes and `W/` included).
    pub etag: Option<String>,
    /// `Last-Modified`, exactly as served (an HTTP-date).
    pub last_modified: Option<String>,
}

/// The result of a fetch.
#[derive(Clone, PartialEq, Eq)]
pub enum Fetched {
    /// The document has not changed since the validators given were served.
    NotModified,
    /// The document.
    Body {
        /// Its bytes (gzip already decoded).
        bytes: Vec<u8>,
        /// Its validators, for the next fetch.
        validators: Validators,
        /// Where it was read (after redirects; the mirror's URL when mirrored),
        /// without credentials.
        url: String,
    },
}

impl std::fmt::Debug for Fetched {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fetched::NotModified => f.write_str("NotModified"),
            Fetched::Body {
                bytes,
                validators,
                url,
            } => f
                .debug_struct("Body")
                .field("bytes", &format_args!("<{} bytes>", bytes.len()))
                .field("validators", validators)
                .field("url", url)
                .finish(),
        }
    }
}

/// A fetch that failed. Every message names the URL (without credentials).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The URL (or the mirror) cannot be used.
    #[error("{url}: {reason}")]
    InvalidUrl {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The HTTP client could not be built (TLS, user agent…).
    #[error("HTTP client: {reason}")]
    Client {
        /// Why.
        reason: String,
    },
    /// The server answered with an error status (after any retries).
    #[error(
        "{url}: HTTP status {}{}{}",
        status_text(*status),
        retry_after_text(*retry_after),
        attempts_text(*attempts)
    )]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
        /// Requests made.
        attempts: u32,
        /// A `Retry-After` (seconds) too long to wait for.
        retry_after: Option<u64>,
    },
    /// The connection failed or broke (after any retries).
    #[error("{url}: {reason}{}", attempts_text(*attempts))]
    Network {
        /// The URL.
        url: String,
        /// What failed.
        reason: String,
        /// Requests made.
        attempts: u32,
    },
    /// The document is larger than `max_bytes`.
    #[error("{url}: the document is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The limit.
        limit: u64,
    },
    /// The gzip document decompresses to more than the limit.
    #[error(
        "{url}: the decompressed document is larger than the limit of {limit} bytes (refusing a possible gzip bomb)"
    )]
    DecompressedTooLarge {
        /// The URL (`gzip data` from [`decompress`] alone).
        url: String,
        /// The limit.
        limit: u64,
    },
    /// The gzip document is not valid gzip.
    #[error("{url}: {reason}")]
    Decode {
        /// The URL (`gzip data` from [`decompress`] alone).
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The response cannot be used (unexpected 304, unknown content encoding).
    #[error("{url}: {reason}")]
    BadResponse {
        /// The URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// A file of a `file://` mirror cannot be read.
    #[error("{url}: {reason}")]
    File {
        /// The file's URL (and the upstream URL it mirrors).
        url: String,
        /// What failed.
        reason: String,
        /// The I/O error's kind (`NotFound` for a file missing from the mirror).
        kind: std::io::ErrorKind,
    },
}

impl FetchError {
    /// The HTTP status, if the server answered with an error status.
    pub fn status(&self) -> Option<u16> {
        match self {
            FetchError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether the document does not exist (HTTP 404/410, or a file missing
    /// from a `file://` mirror): some feeds are optional for some releases.
    pub fn is_not_found(&self) -> bool {
        match self {
            FetchError::Status { status, .. } => *status == 404 || *status == 410,
            FetchError::File { kind, .. } => *kind == std::io::ErrorKind::NotFound,
            _ => false,
        }
    }

    /// Names `url` in a decoding error of [`decompress`].
    fn at(self, url: &str) -> FetchError {
        match self {
            FetchError::DecompressedTooLarge { limit, .. } => FetchError::DecompressedTooLarge {
                url: url.to_owned(),
                limit,
            },
            FetchError::Decode { reason, .. } => FetchError::Decode {
                url: url.to_owned(),
                reason,
            },
            other => other,
        }
    }
}

fn status_text(status: u16) -> String {
    match StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
    {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

fn attempts_text(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (after {attempts} attempts)")
    } else {
        String::new()
    }
}

fn retry_after_text(retry_after: Option<u64>) -> String {
    match retry_after {
        Some(seconds) => format!(", and the server asks to retry only after {seconds} s"),
        None => String::new(),
    }
}

/// Fetches feed documents (cheap to clone; clones share connections).
#[derive(Clone)]
pub struct Fetcher {
    http: reqwest::Client,
    mirror: Option<Mirror>,
    max_bytes: u64,
    retry_base: Duration,
    max_retry_after: Duration,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("mirror", &self.mirror.as_ref().map(Mirror::display))
            .field("max_bytes", &self.max_bytes)
            .finish_non_exhaustive()
    }
}

/// A parsed `--mirror`.
#[derive(Clone)]
enum Mirror {
    /// `http(s)://BASE`: upstream URLs are read from `BASE/HOST/PATH`.
    Http(Url),
    /// `file:///DIR`: upstream URLs are read from the file `DIR/HOST/PATH`.
    Dir(PathBuf),
}

impl Mirror {
    fn parse(mirror: &str) -> Result<Mirror, FetchError> {
        let invalid = |reason: &str| FetchError::InvalidUrl {
            url: format!("mirror {}", redact_str(mirror)),
            reason: reason.to_owned(),
        };
        let url = Url::parse(mirror.trim())
            .map_err(|_| invalid("not a URL (expected http://, https:// or file:///DIR)"))?;
        match url.scheme() {
            "http" | "https" => {
                if url.query().is_some() || url.fragment().is_some() {
                    return Err(invalid("a mirror URL takes no query or fragment"));
                }
                Ok(Mirror::Http(url))
            }
            "file" => {
                let dir = url.to_file_path().map_err(|()| {
                    invalid("a file:// mirror names an absolute local directory (file:///DIR)")
                })?;
                if url.query().is_some() || url.fragment().is_some() {
                    return Err(invalid("a mirror URL takes no query or fragment"));
                }
                Ok(Mirror::Dir(dir))
            }
            _ => Err(invalid("a mirror is an http://, https:// or file:// URL")),
        }
    }

    fn display(&self) -> String {
        match self {
            Mirror::Http(url) => redact(url),
            Mirror::Dir(dir) => format!("file://{}", dir.display()),
        }
    }
}

/// The place an upstream URL is read from.
enum Target {
    Http(Url),
    File { root: PathBuf, relative: PathBuf },
}

/// Maps an upstream URL into a mirror.
fn map_to_mirror(mirror: &Mirror, upstream: &Url) -> Result<Target, String> {
    let segments = mirror_segments(upstream)?;
    match mirror {
        Mirror::Http(base) => {
            let mut url = base.clone();
            url.path_segments_mut()
                .map_err(|()| "the mirror URL cannot take a path".to_owned())?
                .pop_if_empty()
                .extend(&segments);
            Ok(Target::Http(url))
        }
        Mirror::Dir(root) => {
            if !root.is_absolute() {
                return Err("the mirror directory is not an absolute path".to_owned());
            }
            let relative: PathBuf = segments.iter().collect();
            // Every segment is one normal component; checked again on the joined path.
            if !relative
                .components()
                .all(|c| matches!(c, Component::Normal(_)))
                || relative.components().count() != segments.len()
            {
                return Err("the mirrored path would leave the mirror directory".to_owned());
            }
            Ok(Target::File {
                root: root.clone(),
                relative,
            })
        }
    }
}

/// The path of an upstream URL in a mirror, as `wget -m` lays it out: the host
/// (with `:PORT` when not the scheme's default), then the percent-decoded path
/// segments; a directory URL is its `index.html`; a query stays on the file
/// name after `?`. Anything that could leave the mirror is refused.
fn mirror_segments(upstream: &Url) -> Result<Vec<String>, String> {
    match upstream.scheme() {
        "http" | "https" => {}
        other => {
            return Err(format!(
                "only http:// and https:// URLs can be mirrored, not {other}://"
            ));
        }
    }
    let host = upstream
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or("the URL has no host")?;
    let host = match upstream.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    check_segment(&host)?;
    let mut segments = vec![host];
    let raw: Vec<&str> = upstream
        .path_segments()
        .map(Iterator::collect)
        .unwrap_or_default();
    let count = raw.len();
    for (index, raw) in raw.into_iter().enumerate() {
        let last = index + 1 == count;
        let mut segment = percent_decode(raw)?;
        if last {
            if segment.is_empty() {
                segment = "index.html".to_owned();
            }
            if let Some(query) = upstream.query().filter(|q| !q.is_empty()) {
                segment.push('?');
                segment.push_str(&query.replace('/', "%2F"));
            }
        }
        check_segment(&segment)?;
        segments.push(segment);
    }
    Ok(segments)
}

/// One file or directory name: not empty, not `.`/`..`, no separator.
fn check_segment(segment: &str) -> Result<(), String> {
    if segment.is_empty() {
        return Err("the URL path has an empty segment".to_owned());
    }
    if segment == "." || segment == ".." || segment.contains(['/', '\\', '\0']) {
        return Err(format!(
            "the URL path segment {segment:?} would leave the mirror directory"
        ));
    }
    let mut components = Path::new(segment).components();
    match (components.next(), components.next()) {
        (Some(Component::Normal(name)), None) if name == segment => Ok(()),
        _ => Err(format!(
            "the URL path segment {segment:?} would leave the mirror directory"
        )),
    }
}

fn percent_decode(segment: &str) -> Result<String, String> {
    fn hex(byte: u8) -> Option<u8> {
        char::from(byte)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    }
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        if byte == b'%'
            && let (Some(high), Some(low)) = (
                bytes.get(index + 1).copied().and_then(hex),
                bytes.get(index + 2).copied().and_then(hex),
            )
        {
            out.push(high << 4 | low);
            index += 3;
            continue;
        }
        out.push(byte);
        index += 1;
    }
    String::from_utf8(out).map_err(|_| "the URL path is not UTF-8 once decoded".to_owned())
}

/// The URL an upstream document is read from in a mirror: `MIRROR/HOST/PATH`,
/// the layout `wget -m` writes (`https://secdb.alpinelinux.org/v3.18/main.json`
/// → `MIRROR/secdb.alpinelinux.org/v3.18/main.json`). `MIRROR` is an
/// `http(s)://` URL or `file:///DIR`; paths that would leave it are refused.
pub fn mirror_url(mirror: &str, upstream: &str) -> Result<String, FetchError> {
    let mirror = Mirror::parse(mirror)?;
    let upstream_url = parse_upstream(upstream)?;
    match map_to_mirror(&mirror, &upstream_url).map_err(|reason| FetchError::InvalidUrl {
        url: redact(&upstream_url),
        reason,
    })? {
        Target::Http(url) => Ok(url.to_string()),
        Target::File { root, relative } => Ok(file_url(&root.join(relative))),
    }
}

/// A mirrored location for messages: mapped from the redacted upstream URL.
fn mirrored_display(mirror: &Mirror, upstream: &Url) -> Option<String> {
    let redacted = Url::parse(&redact(upstream)).ok()?;
    match map_to_mirror(mirror, &redacted).ok()? {
        Target::Http(url) => Some(redact(&url)),
        Target::File { root, relative } => Some(file_url(&root.join(relative))),
    }
}

fn parse_upstream(upstream: &str) -> Result<Url, FetchError> {
    let url = Url::parse(upstream).map_err(|e| FetchError::InvalidUrl {
        url: redact_str(upstream),
        reason: format!("not a URL: {e}"),
    })?;
    match url.scheme() {
        "http" | "https" => Ok(url),
        other => Err(FetchError::InvalidUrl {
            url: redact(&url),
            reason: format!("feeds are fetched over http:// or https://, not {other}://"),
        }),
    }
}

fn file_url(path: &Path) -> String {
    Url::from_file_path(path)
        .map(|u| u.to_string())
        .unwrap_or_else(|()| format!("file://{}", path.display()))
}

/// What one attempt came to.
enum Attempt {
    Done(Fetched),
    /// A transient failure: retry after the server's `Retry-After` or a backoff.
    Retry(FetchError, Option<Duration>),
    Fatal(FetchError),
}

impl Fetcher {
    /// A fetcher with the given options (a bad `--mirror` is refused here).
    pub fn new(options: FetchOptions) -> Result<Fetcher, FetchError> {
        let mirror = options.mirror.as_deref().map(Mirror::parse).transpose()?;
        if options.timeout.is_zero() {
            return Err(FetchError::Client {
                reason: "the timeout must be longer than zero".to_owned(),
            });
        }
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config()?)
            .connect_timeout(options.timeout)
            .read_timeout(options.timeout)
            .user_agent(options.user_agent.as_str())
            .redirect(redirect_policy())
            .build()
            .map_err(|e| FetchError::Client {
                reason: error_chain(&e.without_url()),
            })?;
        Ok(Fetcher {
            http,
            mirror,
            max_bytes: options.max_bytes,
            retry_base: RETRY_BASE,
            max_retry_after: MAX_RETRY_AFTER,
        })
    }

    /// Fetches `url` (from the mirror if one is set). With `previous`
    /// validators the request is conditional and an unchanged document is
    /// [`Fetched::NotModified`]. A gzip document (URL ending `.gz`, or a body
    /// starting with the gzip magic) comes back decompressed.
    pub async fn fetch(
        &self,
        url: &str,
        previous: Option<&Validators>,
    ) -> Result<Fetched, FetchError> {
        let upstream = parse_upstream(url)?;
        let gzip_named = upstream.path().to_ascii_lowercase().ends_with(".gz");
        let (fetched, shown) = match &self.mirror {
            None => {
                let shown = redact(&upstream);
                (self.fetch_http(upstream, &shown, previous).await?, shown)
            }
            Some(mirror) => {
                let target =
                    map_to_mirror(mirror, &upstream).map_err(|reason| FetchError::InvalidUrl {
                        url: redact(&upstream),
                        reason,
                    })?;
                // Shown as mapped from the redacted upstream URL: a secret in its
                // query (kept on the mirror's file name) is not shown either.
                let display = mirrored_display(mirror, &upstream);
                match target {
                    Target::Http(mirrored) => {
                        let requested = redact(&mirrored);
                        let display = display.unwrap_or_else(|| requested.clone());
                        let shown = format!("{display} (mirror of {})", redact(&upstream));
                        let fetched = match self.fetch_http(mirrored, &shown, previous).await? {
                            Fetched::Body {
                                bytes,
                                validators,
                                url,
                            } => Fetched::Body {
                                bytes,
                                validators,
                                // Unless the mirror redirected elsewhere.
                                url: if url == requested { display } else { url },
                            },
                            Fetched::NotModified => Fetched::NotModified,
                        };
                        (fetched, shown)
                    }
                    Target::File { root, relative } => {
                        let file = display.unwrap_or_else(|| file_url(&root.join(&relative)));
                        let shown = format!("{file} (mirror of {})", redact(&upstream));
                        let max_bytes = self.max_bytes;
                        let previous = previous.cloned();
                        let in_task = shown.clone();
                        let fetched = tokio::task::spawn_blocking(move || {
                            read_mirror_file(
                                &root,
                                &relative,
                                max_bytes,
                                previous.as_ref(),
                                &file,
                                &in_task,
                            )
                        })
                        .await
                        .map_err(|e| FetchError::File {
                            url: shown.clone(),
                            reason: format!("reading the file failed: {e}"),
                            kind: std::io::ErrorKind::Other,
                        })??;
                        (fetched, shown)
                    }
                }
            }
        };
        match fetched {
            Fetched::Body {
                bytes,
                validators,
                url,
            } => {
                let bytes = if bytes.starts_with(&GZIP_MAGIC) {
                    decompress(&bytes, self.max_bytes).map_err(|e| e.at(&shown))?
                } else if gzip_named {
                    return Err(FetchError::Decode {
                        url: shown,
                        reason: "the URL names a .gz file but the body is not gzip".to_owned(),
                    });
                } else {
                    bytes
                };
                Ok(Fetched::Body {
                    bytes,
                    validators,
                    url,
                })
            }
            Fetched::NotModified => Ok(Fetched::NotModified),
        }
    }

    /// GETs `url`, retrying transient failures.
    async fn fetch_http(
        &self,
        url: Url,
        shown: &str,
        previous: Option<&Validators>,
    ) -> Result<Fetched, FetchError> {
        let conditional = conditional_headers(previous);
        let mut attempts: u32 = 0;
        loop {
            attempts += 1;
            let mut request = self.http.get(url.clone());
            for (name, value) in &conditional {
                request = request.header(name, value.clone());
            }
            match self
                .attempt(request, shown, !conditional.is_empty(), attempts)
                .await
            {
                Attempt::Done(fetched) => return Ok(fetched),
                Attempt::Fatal(error) => return Err(error),
                Attempt::Retry(error, retry_after) => {
                    if attempts > MAX_RETRIES {
                        return Err(error);
                    }
                    let delay = retry_after.unwrap_or_else(|| self.backoff(attempts));
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    /// 0.5 s, 1 s, 2 s… after the first, second, third attempt.
    fn backoff(&self, attempt: u32) -> Duration {
        self.retry_base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(10))
    }

    async fn attempt(
        &self,
        request: reqwest::RequestBuilder,
        shown: &str,
        conditional: bool,
        attempts: u32,
    ) -> Attempt {
        let network = |reason: String| FetchError::Network {
            url: shown.to_owned(),
            reason,
            attempts,
        };
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(error) => {
                let transient = (error.is_connect() || error.is_timeout() || error.is_request())
                    && !error.is_redirect()
                    && !error.is_builder()
                    && !is_certificate_error(&error);
                let error = network(error_chain(&error.without_url()));
                return if transient {
                    Attempt::Retry(error, None)
                } else {
                    Attempt::Fatal(error)
                };
            }
        };
        let status = response.status();
        let status_error = |retry_after: Option<u64>| FetchError::Status {
            url: shown.to_owned(),
            status: status.as_u16(),
            attempts,
            retry_after,
        };
        if status == StatusCode::NOT_MODIFIED {
            return if conditional {
                Attempt::Done(Fetched::NotModified)
            } else {
                Attempt::Fatal(FetchError::BadResponse {
                    url: shown.to_owned(),
                    reason: "HTTP status 304 Not Modified to a request without validators"
                        .to_owned(),
                })
            };
        }
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            return match retry_after(response.headers()) {
                Some(wait) if wait > self.max_retry_after => {
                    Attempt::Fatal(status_error(Some(wait.as_secs())))
                }
                wait => Attempt::Retry(status_error(None), wait),
            };
        }
        if status != StatusCode::OK {
            return Attempt::Fatal(status_error(None));
        }
        if let Some(encoding) = response.headers().get(CONTENT_ENCODING) {
            let encoding = encoding.to_str().unwrap_or("?").trim().to_ascii_lowercase();
            // No Accept-Encoding is sent; gzip is recognised by its magic below.
            if !matches!(encoding.as_str(), "" | "identity" | "gzip" | "x-gzip") {
                return Attempt::Fatal(FetchError::BadResponse {
                    url: shown.to_owned(),
                    reason: format!("unsupported Content-Encoding {encoding:?}"),
                });
            }
        }
        let too_large = || FetchError::TooLarge {
            url: shown.to_owned(),
            limit: self.max_bytes,
        };
        if response
            .content_length()
            .is_some_and(|length| length > self.max_bytes)
        {
            return Attempt::Fatal(too_large());
        }
        let validators = Validators {
            etag: header_text(response.headers(), &ETAG),
            last_modified: header_text(response.headers(), &LAST_MODIFIED),
        };
        let url = redact(response.url());
        let mut bytes = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let total = (bytes.len() as u64).saturating_add(chunk.len() as u64);
                    if total > self.max_bytes {
                        return Attempt::Fatal(too_large());
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(error) => {
                    let reason = format!(
                        "reading the response body: {}",
                        error_chain(&error.without_url())
                    );
                    return Attempt::Retry(network(reason), None);
                }
            }
        }
        Attempt::Done(Fetched::Body {
            bytes,
            validators,
            url,
        })
    }
}

/// `If-None-Match` / `If-Modified-Since` from the previous validators (values
/// that cannot be header values are left out).
fn conditional_headers(previous: Option<&Validators>) -> Vec<(HeaderName, HeaderValue)> {
    let Some(previous) = previous else {
        return Vec::new();
    };
    [
        (IF_NONE_MATCH, previous.etag.as_deref()),
        (IF_MODIFIED_SINCE, previous.last_modified.as_deref()),
    ]
    .into_iter()
    .filter_map(|(name, value)| {
        let value = value.map(str::trim).filter(|v| !v.is_empty())?;
        HeaderValue::from_str(value).ok().map(|v| (name, v))
    })
    .collect()
}

fn header_text(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// `Retry-After`: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let when = parse_http_date(value)?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// Follows up to ten redirects, never from https to plain http.
fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        if attempt.previous().len() >= MAX_REDIRECTS {
            attempt.error("too many redirects")
        } else if attempt.url().scheme() != "https"
            && attempt.previous().iter().any(|u| u.scheme() == "https")
        {
            attempt.error("refusing a redirect from https to plain http")
        } else {
            attempt.follow()
        }
    })
}

/// rustls with the ring provider (TLS 1.2 and 1.3), the system's roots, and
/// ALPN for HTTP/2.
fn tls_config() -> Result<rustls::ClientConfig, FetchError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| FetchError::Client {
            reason: format!("TLS configuration: {e}"),
        })?;
    let mut roots = rustls::RootCertStore::empty();
    // Unreadable single certificates are skipped, as every TLS client does; with
    // no roots at all, https fails with a certificate error naming the URL.
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    let mut config = builder.with_root_certificates(roots).with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// An error and its causes, `: `-separated (an `io::Error` wrapping another
/// error is looked into).
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(error);
    while let Some(e) = current {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

/// Whether a transport error is a refused certificate (never retried).
fn is_certificate_error(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(rustls::Error::InvalidCertificate(_)) = e.downcast_ref::<rustls::Error>() {
            return true;
        }
        current = match e.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    false
}

/// Reads `ROOT/RELATIVE` of a `file://` mirror: validators from its size and
/// mtime, `max_bytes` enforced, and the file (symlinks resolved) inside ROOT.
fn read_mirror_file(
    root: &Path,
    relative: &Path,
    max_bytes: u64,
    previous: Option<&Validators>,
    file: &str,
    shown: &str,
) -> Result<Fetched, FetchError> {
    let io_error = |what: &str, e: std::io::Error| FetchError::File {
        url: shown.to_owned(),
        reason: format!("{what}: {e}"),
        kind: e.kind(),
    };
    let root = root
        .canonicalize()
        .map_err(|e| io_error(&format!("mirror directory {}", root.display()), e))?;
    let path = root
        .join(relative)
        .canonicalize()
        .map_err(|e| io_error("cannot read the mirrored file", e))?;
    if !path.starts_with(&root) {
        return Err(FetchError::InvalidUrl {
            url: shown.to_owned(),
            reason: "the mirrored file resolves outside the mirror directory".to_owned(),
        });
    }
    let mut handle =
        std::fs::File::open(&path).map_err(|e| io_error("cannot read the mirrored file", e))?;
    let metadata = handle
        .metadata()
        .map_err(|e| io_error("cannot read the mirrored file", e))?;
    if !metadata.is_file() {
        return Err(FetchError::File {
            url: shown.to_owned(),
            reason: "the mirrored path is not a regular file".to_owned(),
            kind: std::io::ErrorKind::InvalidInput,
        });
    }
    let modified = metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .unwrap_or(Duration::ZERO);
    let validators = Validators {
        etag: Some(format!(
            "\"{:x}-{:x}.{:x}\"",
            metadata.len(),
            modified.as_secs(),
            modified.subsec_nanos()
        )),
        last_modified: Some(http_date(UNIX_EPOCH + modified)),
    };
    if let Some(previous) = previous {
        let unchanged = match (&previous.etag, &previous.last_modified) {
            (Some(etag), _) => *etag == validators.etag.clone().unwrap_or_default(),
            (None, Some(since)) => parse_http_date(since)
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .is_some_and(|since| modified.as_secs() <= since.as_secs()),
            (None, None) => false,
        };
        if unchanged {
            return Ok(Fetched::NotModified);
        }
    }
    let too_large = || FetchError::TooLarge {
        url: shown.to_owned(),
        limit: max_bytes,
    };
    if metadata.len() > max_bytes {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    (&mut handle)
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| io_error("cannot read the mirrored file", e))?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large());
    }
    Ok(Fetched::Body {
        bytes,
        validators,
        url: file.to_owned(),
    })
}

/// Decompresses gzip data (every member, as `gzip -d` does), refusing more
/// than `max_out` bytes of output: a small gzip bomb cannot exhaust memory.
pub fn decompress(bytes: &[u8], max_out: u64) -> Result<Vec<u8>, FetchError> {
    const WHAT: &str = "gzip data";
    if !bytes.starts_with(&GZIP_MAGIC[..2]) {
        return Err(FetchError::Decode {
            url: WHAT.to_owned(),
            reason: "not gzip data (no gzip magic)".to_owned(),
        });
    }
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .take(max_out.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| FetchError::Decode {
            url: WHAT.to_owned(),
            reason: format!("invalid gzip data: {e}"),
        })?;
    if out.len() as u64 > max_out {
        return Err(FetchError::DecompressedTooLarge {
            url: WHAT.to_owned(),
            limit: max_out,
        });
    }
    Ok(out)
}

/// A URL for messages: no credentials, secret-looking query values replaced.
fn redact(url: &Url) -> String {
    let mut url = url.clone();
    if !url.username().is_empty() || url.password().is_some() {
        // Only fails for URLs without a host, which carry no credentials.
        let _ = url.set_username("");
        let _ = url.set_password(None);
    }
    let secret = |key: &str| {
        let key = key.to_ascii_lowercase();
        [
            "token",
            "key",
            "secret",
            "passw",
            "signature",
            "sig",
            "credential",
            "auth",
            "session",
        ]
        .iter()
        .any(|word| key.contains(word))
    };
    if url.query_pairs().any(|(key, _)| secret(&key)) {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(key, value)| {
                let value = if secret(&key) {
                    "REDACTED".to_owned()
                } else {
                    value.into_owned()
                };
                (key.into_owned(), value)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

/// [`redact`] for a string that may not parse: the user-info part of
/// `scheme://user:pass@host` is masked.
fn redact_str(text: &str) -> String {
    if let Ok(url) = Url::parse(text) {
        return redact(&url);
    }
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://***@{host}{path}"),
        None => text.to_owned(),
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];

/// Days since 1970-01-01 → (year, month 1–12, day 1–31), proleptic Gregorian
/// (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

/// (year, month 1–12, day 1–31) → days since 1970-01-01 (`days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let month = i64::from(month);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 §5.6.7).
fn http_date(time: SystemTime) -> String {
    let seconds = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = i64::try_from(seconds / 86_400).unwrap_or(0);
    let (year, month, day) = civil_from_days(days);
    let of_day = seconds % 86_400;
    let weekday = WEEKDAYS
        .get(usize::try_from(days.rem_euclid(7)).unwrap_or(0))
        .copied()
        .unwrap_or("Thu");
    let month = MONTHS
        .get(usize::try_from(month.saturating_sub(1)).unwrap_or(0))
        .copied()
        .unwrap_or("Jan");
    format!(
        "{weekday}, {day:02} {month} {year:04} {:02}:{:02}:{:02} GMT",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// Parses an HTTP-date in any of the three forms recipients must accept
/// (RFC 9110 §5.6.7): IMF-fixdate, RFC 850, asctime. Dates before 1970 are `None`.
fn parse_http_date(text: &str) -> Option<SystemTime> {
    let fields: Vec<&str> = text.split_whitespace().collect();
    let (day, month, year, time) = match fields.as_slice() {
        // Sun, 06 Nov 1994 08:49:37 GMT
        [_, day, month, year, time, "GMT"] => (*day, *month, year.parse::<i64>().ok()?, *time),
        // Sunday, 06-Nov-94 08:49:37 GMT
        [_, date, time, "GMT"] => {
            let mut parts = date.split('-');
            let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() || year.len() != 2 {
                return None;
            }
            let year: i64 = year.parse().ok()?;
            // Two-digit years: the nearest century not more than 50 years ahead.
            (
                day,
                month,
                if year < 70 { 2000 + year } else { 1900 + year },
                *time,
            )
        }
        // Sun Nov  6 08:49:37 1994
        [_, month, day, time, year] => (*day, *month, year.parse::<i64>().ok()?, *time),
        _ => return None,
    };
    let day: u32 = day.parse().ok()?;
    let month = u32::try_from(MONTHS.iter().position(|m| *m == month)?).ok()? + 1;
    let mut clock = time.split(':').map(|p| p.parse::<u64>().ok());
    let (hour, minute, second) = (clock.next()??, clock.next()??, clock.next()??);
    if clock.next().is_some()
        || !(1..=31).contains(&day)
        || !(1970..=9999).contains(&year)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let days = u64::try_from(days_from_civil(year, month, day)).ok()?;
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second;
    Some(UNIX_EPOCH + Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead as _, BufReader, Write as _};
    use std::net::{TcpListener, TcpStream};
    use std::sync::Mutex;
    use std::time::Instant;

    const ALPINE: &str = "feeds/alpine/secdb-json-2020-converted/v3.10/main.json";
    const ALPINE_UPSTREAM: &str = "https://secdb.alpinelinux.org/v3.10/main.json";
    const EPSS: &str = "feeds/epss/vunnel-epss-example-1.csv";
    const EPSS_UPSTREAM: &str = "https://epss.cyentia.com/epss_scores-current.csv.gz";
    const KEV: &str = "feeds/kev/vunnel-kev-catalog-subset.json";
    const ETAG_A: &str = "\"5f1e-alpine-v3.10-main\"";
    const LAST_MODIFIED_A: &str = "Mon, 08 Jun 2020 10:21:43 GMT";

    fn shared(rel: &str) -> PathBuf {
        let start = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        start
            .ancestors()
            .map(|d| d.join("shared/data"))
            .find(|d| d.is_dir())
            .expect("shared/data")
            .join(rel)
    }

    fn sample(rel: &str) -> Vec<u8> {
        std::fs::read(shared(rel)).expect("sample")
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    // ---- a minimal HTTP/1.1 server on loopback -------------------------------

    #[derive(Debug, Clone)]
    struct Request {
        path: String,
        headers: Vec<(String, String)>,
    }

    impl Request {
        fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        }
    }

    struct Reply {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        /// The Content-Length sent (`None`: the body ends when the connection closes).
        length: Option<usize>,
    }

    impl Reply {
        fn new(status: u16, body: Vec<u8>) -> Reply {
            let length = Some(body.len());
            Reply {
                status,
                headers: Vec::new(),
                body,
                length,
            }
        }

        fn header(mut self, name: &str, value: &str) -> Reply {
            self.headers.push((name.to_owned(), value.to_owned()));
            self
        }
    }

    type Handler = dyn Fn(&Request, usize) -> Reply + Send + Sync;

    struct Server {
        base: String,
        log: Arc<Mutex<Vec<Request>>>,
    }

    impl Server {
        /// Serves on 127.0.0.1; the handler gets the request and how many earlier
        /// requests asked for the same path.
        fn start(handler: impl Fn(&Request, usize) -> Reply + Send + Sync + 'static) -> Server {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let base = format!("http://{}", listener.local_addr().unwrap());
            let log: Arc<Mutex<Vec<Request>>> = Arc::default();
            let handler: Arc<Handler> = Arc::new(handler);
            let thread_log = log.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { continue };
                    let _ = serve_one(stream, &*handler, &thread_log);
                }
            });
            Server { base, log }
        }

        fn url(&self, path: &str) -> String {
            format!("{}{path}", self.base)
        }

        fn requests(&self) -> Vec<Request> {
            self.log.lock().unwrap().clone()
        }

        fn count(&self) -> usize {
            self.log.lock().unwrap().len()
        }
    }

    fn serve_one(
        stream: TcpStream,
        handler: &Handler,
        log: &Mutex<Vec<Request>>,
    ) -> std::io::Result<()> {
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let mut words = line.split_whitespace();
        let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
        assert_eq!(method, "GET");
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
                break;
            }
            if let Some((name, value)) = line.trim_end().split_once(':') {
                headers.push((name.trim().to_owned(), value.trim().to_owned()));
            }
        }
        let request = Request {
            path: path.to_owned(),
            headers,
        };
        let earlier = {
            let mut log = log.lock().unwrap();
            let earlier = log.iter().filter(|r| r.path == request.path).count();
            log.push(request.clone());
            earlier
        };
        let reply = handler(&request, earlier);
        let reason = StatusCode::from_u16(reply.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Unknown");
        let mut out = format!(
            "HTTP/1.1 {} {reason}\r\nConnection: close\r\n",
            reply.status
        );
        if let Some(length) = reply.length {
            out.push_str(&format!("Content-Length: {length}\r\n"));
        }
        for (name, value) in &reply.headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str("\r\n");
        let mut stream = stream;
        stream.write_all(out.as_bytes())?;
        stream.write_all(&reply.body)?;
        stream.flush()?;
        stream.shutdown(std::net::Shutdown::Both)
    }

    /// A document as upstream serves it.
    struct Doc {
        path: String,
        body: Vec<u8>,
        content_type: &'static str,
        etag: Option<&'static str>,
        last_modified: Option<&'static str>,
    }

    /// Serves documents with conditional GET (RFC 9110 §13.2.2: If-None-Match
    /// first, If-Modified-Since only without it); anything else is a 404.
    fn site(docs: Vec<Doc>) -> impl Fn(&Request, usize) -> Reply + Send + Sync {
        move |request, _| {
            let Some(doc) = docs.iter().find(|d| d.path == request.path) else {
                return Reply::new(404, b"not found".to_vec()).header("Content-Type", "text/plain");
            };
            let not_modified = match (request.header("if-none-match"), doc.etag) {
                (Some(tags), Some(etag)) => tags.split(',').any(|t| {
                    let t = t.trim();
                    t == "*" || t.trim_start_matches("W/") == etag.trim_start_matches("W/")
                }),
                (Some(_), None) => false,
                (None, _) => request
                    .header("if-modified-since")
                    .is_some_and(|since| Some(since) == doc.last_modified),
            };
            let mut reply = if not_modified {
                let mut reply = Reply::new(304, Vec::new());
                reply.length = None;
                reply
            } else {
                Reply::new(200, doc.body.clone()).header("Content-Type", doc.content_type)
            };
            if let Some(etag) = doc.etag {
                reply = reply.header("ETag", etag);
            }
            if let Some(last_modified) = doc.last_modified {
                reply = reply.header("Last-Modified", last_modified);
            }
            reply
        }
    }

    fn alpine_doc(prefix: &str) -> Doc {
        Doc {
            path: format!("{prefix}/v3.10/main.json"),
            body: sample(ALPINE),
            content_type: "application/json",
            etag: Some(ETAG_A),
            last_modified: Some(LAST_MODIFIED_A),
        }
    }

    fn fetcher(mirror: Option<String>, max_bytes: u64) -> Fetcher {
        let mut fetcher = Fetcher::new(FetchOptions {
            mirror,
            timeout: Duration::from_secs(10),
            max_bytes,
            user_agent: "strata-test/1".to_owned(),
        })
        .unwrap();
        fetcher.retry_base = Duration::from_millis(20);
        fetcher
    }

    fn body(fetched: Fetched) -> (Vec<u8>, Validators, String) {
        match fetched {
            Fetched::Body {
                bytes,
                validators,
                url,
            } => (bytes, validators, url),
            Fetched::NotModified => panic!("expected a body, got NotModified"),
        }
    }

    // ---- HTTP -----------------------------------------------------------------

    #[tokio::test]
    async fn fetch_then_conditional_refetch_is_not_modified() {
        let server = Server::start(site(vec![alpine_doc("")]));
        let fetcher = fetcher(None, 10 << 20);
        let url = server.url("/v3.10/main.json");

        let (bytes, validators, fetched_url) = body(fetcher.fetch(&url, None).await.unwrap());
        assert_eq!(bytes, sample(ALPINE));
        assert!(bytes.starts_with(b"{\n  \"distroversion\": \"v3.10\""));
        assert_eq!(validators.etag.as_deref(), Some(ETAG_A));
        assert_eq!(validators.last_modified.as_deref(), Some(LAST_MODIFIED_A));
        assert_eq!(fetched_url, url);

        let again = fetcher.fetch(&url, Some(&validators)).await.unwrap();
        assert_eq!(again, Fetched::NotModified);

        // Only Last-Modified known: If-Modified-Since does it.
        let since = Validators {
            etag: None,
            last_modified: Some(LAST_MODIFIED_A.to_owned()),
        };
        assert_eq!(
            fetcher.fetch(&url, Some(&since)).await.unwrap(),
            Fetched::NotModified
        );
        // A stale ETag: the whole document again.
        let stale = Validators {
            etag: Some("\"older\"".to_owned()),
            last_modified: None,
        };
        let (bytes, _, _) = body(fetcher.fetch(&url, Some(&stale)).await.unwrap());
        assert_eq!(bytes.len(), sample(ALPINE).len());

        let requests = server.requests();
        assert_eq!(requests.len(), 4);
        assert_eq!(requests[0].header("if-none-match"), None);
        assert_eq!(requests[0].header("if-modified-since"), None);
        assert_eq!(requests[0].header("user-agent"), Some("strata-test/1"));
        assert_eq!(requests[1].header("if-none-match"), Some(ETAG_A));
        assert_eq!(
            requests[1].header("if-modified-since"),
            Some(LAST_MODIFIED_A)
        );
        assert_eq!(requests[2].header("if-none-match"), None);
        assert_eq!(requests[3].header("if-none-match"), Some("\"older\""));
        // No Accept-Encoding: servers send the representation as stored.
        assert_eq!(requests[0].header("accept-encoding"), None);
    }

    #[tokio::test]
    async fn gzip_documents_are_decompressed() {
        let csv = sample(EPSS);
        let kev = sample(KEV);
        let server = Server::start(site(vec![
            Doc {
                path: "/epss_scores-current.csv.gz".to_owned(),
                body: gzip(&csv),
                content_type: "application/gzip",
                etag: Some("\"epss-2025-02-20\""),
                last_modified: None,
            },
            Doc {
                path: "/not-gzip.csv.gz".to_owned(),
                body: csv.clone(),
                content_type: "text/html",
                etag: None,
                last_modified: None,
            },
        ]));
        let fetcher = fetcher(None, 1 << 20);
        let (bytes, validators, _) = body(
            fetcher
                .fetch(&server.url("/epss_scores-current.csv.gz"), None)
                .await
                .unwrap(),
        );
        assert_eq!(bytes, csv);
        assert!(bytes.starts_with(b"#model_version:v2023.03.01,score_date:2025-02-20"));
        assert_eq!(validators.etag.as_deref(), Some("\"epss-2025-02-20\""));
        assert_eq!(validators.last_modified, None);

        // A .gz URL serving something else (an HTML error page with 200…).
        let error = fetcher
            .fetch(&server.url("/not-gzip.csv.gz"), None)
            .await
            .unwrap_err();
        assert!(matches!(error, FetchError::Decode { .. }), "{error}");
        assert!(error.to_string().contains("/not-gzip.csv.gz"), "{error}");

        // Content-Encoding: gzip on a .json URL: recognised by the magic.
        let gz = gzip(&kev);
        let server = Server::start(move |_: &Request, _| {
            Reply::new(200, gz.clone())
                .header("Content-Type", "application/json")
                .header("Content-Encoding", "gzip")
        });
        let (bytes, _, _) = body(
            fetcher
                .fetch(
                    &server.url("/sites/default/files/feeds/known_exploited_vulnerabilities.json"),
                    None,
                )
                .await
                .unwrap(),
        );
        assert_eq!(bytes, kev);

        // An encoding that cannot be decoded here.
        let server = Server::start(|_: &Request, _| {
            Reply::new(200, b"xx".to_vec()).header("Content-Encoding", "br")
        });
        let error = fetcher
            .fetch(&server.url("/a.json"), None)
            .await
            .unwrap_err();
        assert!(matches!(error, FetchError::BadResponse { .. }), "{error}");
        assert!(error.to_string().contains("\"br\""), "{error}");
    }

    #[tokio::test]
    async fn gzip_bomb_is_refused() {
        let bomb = gzip(&vec![0u8; 8 << 20]);
        assert!(bomb.len() < 64 << 10);
        let server = Server::start(move |_: &Request, _| {
            Reply::new(200, bomb.clone()).header("Content-Type", "application/gzip")
        });
        let fetcher = fetcher(None, 1 << 20);
        let url = server.url("/epss_scores-current.csv.gz");
        let error = fetcher.fetch(&url, None).await.unwrap_err();
        assert!(
            matches!(
                error,
                FetchError::DecompressedTooLarge {
                    limit: 1_048_576,
                    ..
                }
            ),
            "{error}"
        );
        let text = error.to_string();
        assert!(text.contains(&url) && text.contains("1048576"), "{text}");
        assert_eq!(server.count(), 1);
    }

    #[tokio::test]
    async fn body_over_max_bytes_is_refused() {
        let alpine = sample(ALPINE);
        let limit = 10_000;
        assert!(alpine.len() > limit);
        // Announced by Content-Length, and streamed without one.
        let server = Server::start(move |request: &Request, _| {
            let mut reply = Reply::new(200, alpine.clone());
            if request.path.contains("stream") {
                reply.length = None;
            }
            reply
        });
        let fetcher = fetcher(None, limit as u64);
        for path in ["/v3.10/main.json", "/stream/v3.10/main.json"] {
            let url = server.url(path);
            let error = fetcher.fetch(&url, None).await.unwrap_err();
            assert!(
                matches!(error, FetchError::TooLarge { limit: 10_000, .. }),
                "{error}"
            );
            let text = error.to_string();
            assert!(
                text.contains(&url) && text.contains("10000 bytes"),
                "{text}"
            );
        }
        assert_eq!(server.count(), 2, "never retried");

        // At the limit exactly: accepted.
        let fetcher = self::fetcher(None, sample(ALPINE).len() as u64);
        let (bytes, _, _) = body(
            fetcher
                .fetch(&server.url("/stream/x.json"), None)
                .await
                .unwrap(),
        );
        assert_eq!(bytes, sample(ALPINE));
    }

    #[tokio::test]
    async fn retries_503_then_succeeds() {
        let alpine = sample(ALPINE);
        let server = Server::start(move |_: &Request, earlier| {
            if earlier < 2 {
                Reply::new(503, b"busy".to_vec())
            } else {
                Reply::new(200, alpine.clone()).header("ETag", ETAG_A)
            }
        });
        let fetcher = fetcher(None, 1 << 20);
        let (bytes, validators, _) = body(
            fetcher
                .fetch(&server.url("/v3.10/main.json"), None)
                .await
                .unwrap(),
        );
        assert_eq!(bytes, sample(ALPINE));
        assert_eq!(validators.etag.as_deref(), Some(ETAG_A));
        assert_eq!(server.count(), 3);
    }

    #[tokio::test]
    async fn retry_after_is_honoured() {
        let server = Server::start(|_: &Request, earlier| match earlier {
            0 => Reply::new(429, Vec::new()).header("Retry-After", "1"),
            _ => Reply::new(200, b"{}".to_vec()),
        });
        let fetcher = fetcher(None, 1 << 20);
        let start = Instant::now();
        let (bytes, _, _) = body(fetcher.fetch(&server.url("/x.json"), None).await.unwrap());
        assert_eq!(bytes, b"{}");
        assert!(
            start.elapsed() >= Duration::from_secs(1),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(server.count(), 2);

        // Asked to wait longer than we will: fail at once, saying so.
        let server = Server::start(|_: &Request, _| {
            Reply::new(503, Vec::new()).header("Retry-After", "3600")
        });
        let url = server.url("/x.json");
        let error = fetcher.fetch(&url, None).await.unwrap_err();
        assert_eq!(error.status(), Some(503));
        let text = error.to_string();
        assert!(text.contains(&url) && text.contains("503 Service Unavailable"));
        assert!(text.contains("3600 s"), "{text}");
        assert_eq!(server.count(), 1);
    }

    #[tokio::test]
    async fn persistent_5xx_fails_after_retries_and_4xx_is_not_retried() {
        let server = Server::start(|request: &Request, _| {
            if request.path.starts_with("/missing") {
                Reply::new(404, b"no".to_vec())
            } else if request.path.starts_with("/forbidden") {
                Reply::new(403, b"no".to_vec())
            } else {
                Reply::new(502, b"bad gateway".to_vec())
            }
        });
        let fetcher = fetcher(None, 1 << 20);
        let url = server.url("/v3.10/main.json");
        let error = fetcher.fetch(&url, None).await.unwrap_err();
        assert!(matches!(
            error,
            FetchError::Status {
                status: 502,
                attempts: 4,
                ..
            }
        ));
        let text = error.to_string();
        assert!(text.contains(&url), "{text}");
        assert!(
            text.contains("HTTP status 502 Bad Gateway (after 4 attempts)"),
            "{text}"
        );
        assert_eq!(server.count(), 4);

        let url = server.url("/missing/v3.19/community.json");
        let error = fetcher.fetch(&url, None).await.unwrap_err();
        assert!(error.is_not_found());
        assert_eq!(
            error.to_string(),
            format!("{url}: HTTP status 404 Not Found")
        );
        let error = fetcher
            .fetch(&server.url("/forbidden"), None)
            .await
            .unwrap_err();
        assert_eq!(error.status(), Some(403));
        assert!(!error.is_not_found());
        assert_eq!(server.count(), 6);
    }

    #[tokio::test]
    async fn a_broken_body_is_retried() {
        let alpine = sample(ALPINE);
        let server = Server::start(move |_: &Request, earlier| {
            let mut reply = Reply::new(200, alpine.clone());
            if earlier == 0 {
                // Announces the whole document, sends 100 bytes, closes.
                reply.body.truncate(100);
                reply.length = Some(alpine.len());
            }
            reply
        });
        let fetcher = fetcher(None, 1 << 20);
        let (bytes, _, _) = body(fetcher.fetch(&server.url("/x.json"), None).await.unwrap());
        assert_eq!(bytes, sample(ALPINE));
        assert_eq!(server.count(), 2);
    }

    #[tokio::test]
    async fn connection_refused_is_retried_then_named() {
        let port = {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let url = format!("http://127.0.0.1:{port}/v3.10/main.json");
        let error = fetcher(None, 1 << 20).fetch(&url, None).await.unwrap_err();
        assert!(
            matches!(error, FetchError::Network { attempts: 4, .. }),
            "{error:?}"
        );
        let text = error.to_string();
        assert!(text.starts_with(&format!("{url}: ")), "{text}");
        assert!(text.to_lowercase().contains("refused"), "{text}");
    }

    #[tokio::test]
    async fn unexpected_304_and_redirects() {
        let server = Server::start(|request: &Request, _| match request.path.as_str() {
            "/old/main.json" => Reply::new(301, Vec::new()).header("Location", "/v3.10/main.json"),
            "/v3.10/main.json" => Reply::new(200, b"{\"ok\":1}".to_vec()),
            _ => {
                let mut reply = Reply::new(304, Vec::new());
                reply.length = None;
                reply
            }
        });
        let fetcher = fetcher(None, 1 << 20);
        let (bytes, _, url) = body(
            fetcher
                .fetch(&server.url("/old/main.json"), None)
                .await
                .unwrap(),
        );
        assert_eq!(bytes, b"{\"ok\":1}");
        assert_eq!(url, server.url("/v3.10/main.json"));
        let error = fetcher
            .fetch(&server.url("/always-304"), None)
            .await
            .unwrap_err();
        assert!(matches!(error, FetchError::BadResponse { .. }), "{error}");
    }

    #[tokio::test]
    async fn credentials_are_used_but_never_shown() {
        let server = Server::start(|_: &Request, _| Reply::new(404, Vec::new()));
        let mirror = server.url("/m/").replace("http://", "http://user:s3cret@");
        let fetcher = fetcher(Some(mirror.clone()), 1 << 20);
        assert!(!format!("{fetcher:?}").contains("s3cret"));
        let options = FetchOptions {
            mirror: Some(mirror),
            ..FetchOptions::default()
        };
        assert!(!format!("{options:?}").contains("s3cret"));
        let error = fetcher
            .fetch("https://api.example/feed.json?api_key=k3y&page=2", None)
            .await
            .unwrap_err();
        let text = error.to_string();
        assert!(!text.contains("s3cret") && !text.contains("k3y"), "{text}");
        assert!(
            text.contains("HTTP status 404") && text.contains("127.0.0.1"),
            "{text}"
        );
        assert!(text.contains("https://api.example/feed.json?api_key=REDACTED&page=2"));
        let requests = server.requests();
        assert_eq!(
            requests[0].header("authorization"),
            Some("Basic dXNlcjpzM2NyZXQ=")
        );
        // The query stays on the file name, as wget -m writes it.
        assert_eq!(
            requests[0].path,
            "/m/api.example/feed.json%3Fapi_key=k3y&page=2"
        );
    }

    #[tokio::test]
    async fn fetch_future_is_send() {
        fn send<T: Send>(_: &T) {}
        let fetcher = fetcher(None, 1);
        let future = fetcher.fetch("http://127.0.0.1:9/", None);
        send(&future);
        drop(future);
    }

    // ---- mirrors ----------------------------------------------------------------

    #[test]
    fn mirror_url_maps_host_and_path() {
        let cases = [
            (
                "https://mirror.example",
                ALPINE_UPSTREAM,
                "https://mirror.example/secdb.alpinelinux.org/v3.10/main.json",
            ),
            (
                "https://mirror.example/",
                ALPINE_UPSTREAM,
                "https://mirror.example/secdb.alpinelinux.org/v3.10/main.json",
            ),
            (
                "https://mirror.example/feeds/",
                ALPINE_UPSTREAM,
                "https://mirror.example/feeds/secdb.alpinelinux.org/v3.10/main.json",
            ),
            (
                "http://10.0.0.1:8080/feeds",
                EPSS_UPSTREAM,
                "http://10.0.0.1:8080/feeds/epss.cyentia.com/epss_scores-current.csv.gz",
            ),
            (
                "file:///srv/mirror",
                ALPINE_UPSTREAM,
                "file:///srv/mirror/secdb.alpinelinux.org/v3.10/main.json",
            ),
            (
                "file:///srv/mirror/",
                "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json",
                "file:///srv/mirror/www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json",
            ),
            (
                "file://localhost/srv/mirror",
                "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip",
                "file:///srv/mirror/osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip",
            ),
            // Non-default port, as wget names the directory.
            (
                "https://m.example/",
                "http://feeds.example:8080/a.json",
                "https://m.example/feeds.example:8080/a.json",
            ),
            (
                "https://m.example/",
                "https://feeds.example:443/a.json",
                "https://m.example/feeds.example/a.json",
            ),
            // Directory URLs are their index.html.
            (
                "https://m.example/",
                "https://security-tracker.debian.org/",
                "https://m.example/security-tracker.debian.org/index.html",
            ),
            (
                "https://m.example/",
                "https://feeds.example",
                "https://m.example/feeds.example/index.html",
            ),
            (
                "https://m.example/",
                "https://feeds.example/dir/",
                "https://m.example/feeds.example/dir/index.html",
            ),
            // The query is part of the file name.
            (
                "https://m.example/",
                "https://services.nvd.nist.gov/rest/json/cves/2.0?startIndex=0&resultsPerPage=2000",
                "https://m.example/services.nvd.nist.gov/rest/json/cves/2.0%3FstartIndex=0&resultsPerPage=2000",
            ),
            // Percent-encoding: decoded to the file name, encoded again in URLs.
            (
                "https://m.example/",
                "https://feeds.example/a%20b/c%2Bd.json",
                "https://m.example/feeds.example/a%20b/c+d.json",
            ),
            (
                "file:///srv/m",
                "https://feeds.example/a%20b/c.json",
                "file:///srv/m/feeds.example/a%20b/c.json",
            ),
            // `..` is resolved by URL parsing, staying inside the host's directory.
            (
                "file:///srv/m",
                "https://feeds.example/a/../../../etc/passwd",
                "file:///srv/m/feeds.example/etc/passwd",
            ),
            (
                "file:///srv/m",
                "https://feeds.example/a/%2e%2e/%2E%2E/etc/passwd",
                "file:///srv/m/feeds.example/etc/passwd",
            ),
            // Credentials of the mirror stay (they are used), those of upstream do not matter.
            (
                "https://u:p@m.example/",
                "https://x:y@feeds.example/a.json",
                "https://u:p@m.example/feeds.example/a.json",
            ),
        ];
        for (mirror, upstream, expected) in cases {
            assert_eq!(
                mirror_url(mirror, upstream).unwrap(),
                expected,
                "{mirror} {upstream}"
            );
        }
    }

    #[test]
    fn mirror_url_refuses_escapes_and_bad_urls() {
        let escapes = [
            "https://feeds.example/..%2F..%2Fetc/passwd",
            "https://feeds.example/a%2F..%2F..%2Fb",
            "https://feeds.example/%5C..%5Cx",
            "https://feeds.example/a/%00",
            "https://feeds.example/a//b",
            "https://feeds.example/%ff.json",
        ];
        for mirror in ["file:///srv/m", "https://m.example/"] {
            for upstream in escapes {
                let error = mirror_url(mirror, upstream).unwrap_err();
                assert!(matches!(error, FetchError::InvalidUrl { .. }), "{upstream}");
                assert!(
                    error.to_string().starts_with("https://feeds.example/"),
                    "{error}"
                );
            }
        }
        for (mirror, upstream) in [
            ("ftp://m.example/", ALPINE_UPSTREAM),
            ("/srv/mirror", ALPINE_UPSTREAM),
            ("srv/mirror", ALPINE_UPSTREAM),
            ("file://relative/dir", ALPINE_UPSTREAM),
            ("https://m.example/?x=1", ALPINE_UPSTREAM),
            ("https://m.example/#top", ALPINE_UPSTREAM),
            ("file:///srv/m", "file:///etc/passwd"),
            ("file:///srv/m", "ftp://feeds.example/a"),
            ("file:///srv/m", "not a url"),
            ("file:///srv/m", "/v3.10/main.json"),
        ] {
            let error = mirror_url(mirror, upstream).unwrap_err();
            assert!(
                matches!(error, FetchError::InvalidUrl { .. }),
                "{mirror} {upstream}"
            );
        }
        // A bad --mirror is refused when the fetcher is built, without its password.
        let error = Fetcher::new(FetchOptions {
            mirror: Some("ftp://u:s3cret@m.example/".to_owned()),
            ..FetchOptions::default()
        })
        .unwrap_err();
        assert!(!error.to_string().contains("s3cret"), "{error}");
        let error = mirror_url("xx://u:s3cret@[bad/", ALPINE_UPSTREAM).unwrap_err();
        assert!(!error.to_string().contains("s3cret"), "{error}");
    }

    #[tokio::test]
    async fn http_mirror_serves_the_wget_layout() {
        let server = Server::start(site(vec![alpine_doc("/mirror/secdb.alpinelinux.org")]));
        let fetcher = fetcher(Some(server.url("/mirror")), 1 << 20);
        let (bytes, validators, url) = body(fetcher.fetch(ALPINE_UPSTREAM, None).await.unwrap());
        assert_eq!(bytes, sample(ALPINE));
        assert_eq!(
            url,
            server.url("/mirror/secdb.alpinelinux.org/v3.10/main.json")
        );
        assert_eq!(
            url,
            mirror_url(&server.url("/mirror"), ALPINE_UPSTREAM).unwrap()
        );
        assert_eq!(
            fetcher
                .fetch(ALPINE_UPSTREAM, Some(&validators))
                .await
                .unwrap(),
            Fetched::NotModified
        );
        let error = fetcher
            .fetch("https://secdb.alpinelinux.org/v3.10/community.json", None)
            .await
            .unwrap_err();
        assert!(error.is_not_found());
        let text = error.to_string();
        assert!(text.contains("/mirror/secdb.alpinelinux.org/v3.10/community.json"));
        assert!(text.contains("(mirror of https://secdb.alpinelinux.org/v3.10/community.json)"));
        let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
        assert_eq!(
            paths,
            [
                "/mirror/secdb.alpinelinux.org/v3.10/main.json",
                "/mirror/secdb.alpinelinux.org/v3.10/main.json",
                "/mirror/secdb.alpinelinux.org/v3.10/community.json",
            ]
        );
    }

    #[tokio::test]
    async fn file_mirror_reads_host_path_files() {
        let dir = tempfile::tempdir().unwrap();
        let alpine_path = dir.path().join("secdb.alpinelinux.org/v3.10/main.json");
        std::fs::create_dir_all(alpine_path.parent().unwrap()).unwrap();
        std::fs::copy(shared(ALPINE), &alpine_path).unwrap();
        let epss_path = dir
            .path()
            .join("epss.cyentia.com/epss_scores-current.csv.gz");
        std::fs::create_dir_all(epss_path.parent().unwrap()).unwrap();
        std::fs::write(&epss_path, gzip(&sample(EPSS))).unwrap();
        let mirror = Url::from_file_path(dir.path()).unwrap().to_string();
        let fetcher = fetcher(Some(mirror.clone()), 1 << 20);

        let (bytes, validators, url) = body(fetcher.fetch(ALPINE_UPSTREAM, None).await.unwrap());
        assert_eq!(bytes, sample(ALPINE));
        assert_eq!(url, mirror_url(&mirror, ALPINE_UPSTREAM).unwrap());
        let modified = std::fs::metadata(&alpine_path).unwrap().modified().unwrap();
        let expected_date = http_date(modified);
        assert_eq!(
            validators.last_modified.as_deref(),
            Some(expected_date.as_str())
        );
        let etag = validators.etag.clone().unwrap();
        assert!(
            etag.starts_with(&format!("\"{:x}-", sample(ALPINE).len())),
            "{etag}"
        );

        // Unchanged: by ETag, or by Last-Modified alone.
        assert_eq!(
            fetcher
                .fetch(ALPINE_UPSTREAM, Some(&validators))
                .await
                .unwrap(),
            Fetched::NotModified
        );
        let since = Validators {
            etag: None,
            last_modified: validators.last_modified.clone(),
        };
        assert_eq!(
            fetcher.fetch(ALPINE_UPSTREAM, Some(&since)).await.unwrap(),
            Fetched::NotModified
        );
        // Changed: the new document.
        std::fs::write(
            &alpine_path,
            b"{\"distroversion\":\"v3.10\",\"packages\":[]}",
        )
        .unwrap();
        let (bytes, new_validators, _) = body(
            fetcher
                .fetch(ALPINE_UPSTREAM, Some(&validators))
                .await
                .unwrap(),
        );
        assert_eq!(bytes, b"{\"distroversion\":\"v3.10\",\"packages\":[]}");
        assert_ne!(new_validators.etag, validators.etag);

        // gzip decoded, as over HTTP.
        let (bytes, _, _) = body(fetcher.fetch(EPSS_UPSTREAM, None).await.unwrap());
        assert_eq!(bytes, sample(EPSS));

        // Missing.
        let error = fetcher
            .fetch("https://secdb.alpinelinux.org/v3.10/community.json", None)
            .await
            .unwrap_err();
        assert!(error.is_not_found(), "{error}");
        assert!(
            error
                .to_string()
                .contains("secdb.alpinelinux.org/v3.10/community.json")
        );
        // A directory.
        let error = fetcher
            .fetch("https://secdb.alpinelinux.org/v3.10", None)
            .await
            .unwrap_err();
        assert!(matches!(error, FetchError::File { .. }), "{error}");
        // max_bytes applies.
        let small = self::fetcher(Some(mirror.clone()), 10);
        let error = small.fetch(ALPINE_UPSTREAM, None).await.unwrap_err();
        assert!(
            matches!(error, FetchError::TooLarge { limit: 10, .. }),
            "{error}"
        );
        // A gzip bomb in the mirror.
        std::fs::write(&epss_path, gzip(&vec![b'a'; 4 << 20])).unwrap();
        let error = fetcher.fetch(EPSS_UPSTREAM, None).await.unwrap_err();
        assert!(
            matches!(error, FetchError::DecompressedTooLarge { .. }),
            "{error}"
        );
        assert!(error.to_string().contains("epss_scores-current.csv.gz"));
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn file_mirror_symlinks_may_not_leave_it() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.json"), b"{}").unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("feeds.example")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.json"),
            dir.path().join("feeds.example/a.json"),
        )
        .unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("evil.example")).unwrap();
        std::fs::write(dir.path().join("feeds.example/real.json"), b"[1]").unwrap();
        std::os::unix::fs::symlink("real.json", dir.path().join("feeds.example/b.json")).unwrap();
        let mirror = Url::from_file_path(dir.path()).unwrap().to_string();
        let fetcher = fetcher(Some(mirror), 1 << 20);
        for upstream in [
            "https://feeds.example/a.json",
            "https://evil.example/secret.json",
        ] {
            let error = fetcher.fetch(upstream, None).await.unwrap_err();
            assert!(matches!(error, FetchError::InvalidUrl { .. }), "{error}");
            assert!(error.to_string().contains("outside the mirror"), "{error}");
        }
        // A link inside the mirror is fine.
        let (bytes, _, _) = body(
            fetcher
                .fetch("https://feeds.example/b.json", None)
                .await
                .unwrap(),
        );
        assert_eq!(bytes, b"[1]");
    }

    // ---- decompress, dates --------------------------------------------------

    #[test]
    fn decompress_bounds_output() {
        let csv = sample(EPSS);
        let gz = gzip(&csv);
        assert_eq!(decompress(&gz, csv.len() as u64).unwrap(), csv);
        let error = decompress(&gz, csv.len() as u64 - 1).unwrap_err();
        assert!(matches!(error, FetchError::DecompressedTooLarge { .. }));
        assert!(error.to_string().starts_with("gzip data: "), "{error}");
        // Several members, as `cat a.gz b.gz` makes.
        let mut two = gzip(b"first\n");
        two.extend(gzip(b"second\n"));
        assert_eq!(decompress(&two, 100).unwrap(), b"first\nsecond\n");
        // Truncated, corrupted, not gzip at all.
        assert!(matches!(
            decompress(gz.get(..gz.len() - 10).unwrap(), 1 << 20),
            Err(FetchError::Decode { .. })
        ));
        let mut corrupt = gz.clone();
        let middle = corrupt.len() / 2;
        corrupt[middle] ^= 0xff;
        assert!(decompress(&corrupt, 1 << 20).is_err());
        assert!(matches!(
            decompress(&csv, 1 << 20),
            Err(FetchError::Decode { .. })
        ));
        assert!(matches!(
            decompress(&[], 1 << 20),
            Err(FetchError::Decode { .. })
        ));
        assert!(matches!(
            decompress(&[0x1f, 0x8b], 1 << 20),
            Err(FetchError::Decode { .. })
        ));
        // A bomb: 64 MiB of zeros in ~64 KiB.
        let bomb = gzip(&vec![0u8; 64 << 20]);
        assert!(matches!(
            decompress(&bomb, 1 << 20),
            Err(FetchError::DecompressedTooLarge {
                limit: 1_048_576,
                ..
            })
        ));
        assert_eq!(decompress(&gzip(b""), 0).unwrap(), b"");
    }

    #[test]
    fn http_dates() {
        let rfc_example = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(http_date(rfc_example), "Sun, 06 Nov 1994 08:49:37 GMT");
        for text in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(parse_http_date(text), Some(rfc_example), "{text}");
        }
        assert_eq!(http_date(UNIX_EPOCH), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(
            parse_http_date(LAST_MODIFIED_A).map(http_date).as_deref(),
            Some(LAST_MODIFIED_A)
        );
        // Leap days and century rules, round trip.
        for (text, secs) in [
            ("Tue, 29 Feb 2000 12:00:00 GMT", 951_825_600u64),
            ("Thu, 29 Feb 2024 23:59:59 GMT", 1_709_251_199),
            ("Mon, 01 Mar 2100 00:00:00 GMT", 4_107_542_400),
        ] {
            let time = UNIX_EPOCH + Duration::from_secs(secs);
            assert_eq!(http_date(time), text);
            assert_eq!(parse_http_date(text), Some(time));
        }
        for day in (0..200_000u64).step_by(997) {
            let time = UNIX_EPOCH + Duration::from_secs(day * 86_400 + 45_296);
            assert_eq!(parse_http_date(&http_date(time)), Some(time));
        }
        for bad in [
            "",
            "yesterday",
            "Sun, 06 Nov 1994 08:49:37 CET",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1969 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun, 06 Nov 99999999999999999999 08:49:37 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn retry_after_forms() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("120"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(120)));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("99999999999999999999999"),
        );
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(u64::MAX)));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Sun, 06 Nov 1994 08:49:37 GMT"),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        let later = http_date(SystemTime::now() + Duration::from_secs(90));
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&later).unwrap());
        let wait = retry_after(&headers).unwrap();
        assert!(
            wait > Duration::from_secs(85) && wait <= Duration::from_secs(90),
            "{wait:?}"
        );
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("-5"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn conditional_headers_skip_unusable_values() {
        assert!(conditional_headers(None).is_empty());
        assert!(conditional_headers(Some(&Validators::default())).is_empty());
        let headers = conditional_headers(Some(&Validators {
            etag: Some("\"a\nb\"".to_owned()),
            last_modified: Some(LAST_MODIFIED_A.to_owned()),
        }));
        assert_eq!(headers.len(), 1);
        assert_eq!(headers[0].0, IF_MODIFIED_SINCE);
    }

    #[test]
    fn redaction() {
        let url = Url::parse("https://u:pw@h.example/p?token=abc&x=1&X-Amz-Signature=zz").unwrap();
        assert_eq!(
            redact(&url),
            "https://h.example/p?token=REDACTED&x=1&X-Amz-Signature=REDACTED"
        );
        assert_eq!(
            redact(&Url::parse("https://h.example/p?startIndex=0").unwrap()),
            "https://h.example/p?startIndex=0"
        );
        assert_eq!(redact_str("xx://u:pw@[bad/p"), "xx://***@[bad/p");
        assert_eq!(redact_str("plain"), "plain");
    }
}
