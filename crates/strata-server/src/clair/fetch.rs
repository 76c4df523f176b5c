//! Getting a posted layer: its blob fetched from the layer's `Path` with the
//! given `Headers` (as Clair's `imagefmt.Extract` does), streamed to a
//! temporary file under a size bound while hashed, checked against the digest
//! the `Path` names, then indexed by strata-catalog's layer indexer through
//! strata-image's verified, bomb-guarded layer stream.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use strata_catalog::{LayerIndex, catalogers, index_layer};
use strata_image::digest::{Algorithm, Hasher};
use strata_image::layer::{LayerCheck, LayerStream};
use strata_image::{Digest, Limits};

use super::handlers::ClairError;

/// Clair's message when the layer cannot be downloaded (`imagefmt`,
/// `ErrCouldNotFindLayer`, a 400).
pub(crate) const COULD_NOT_FIND_LAYER: &str = "could not find layer";
/// Clair's message when the archive cannot be read (`tarutil`, a 422).
pub(crate) const COULD_NOT_EXTRACT: &str = "tarutil: could not extract the archive";

/// The digest a registry blob URL names (`…/blobs/sha256:<hex>`), if any.
pub(crate) fn digest_in_path(path: &str) -> Option<Digest> {
    let url = url::Url::parse(path).ok()?;
    let last = url.path_segments()?.next_back()?;
    let digest: Digest = last.parse().ok()?;
    url.path().contains("/blobs/").then_some(digest)
}

/// `path` without its query (which may carry signed-URL tokens), for messages.
fn shown(path: &str) -> String {
    path.split(['?', '#']).next().unwrap_or_default().to_owned()
}

/// A downloaded blob.
#[derive(Debug)]
pub(crate) struct Blob {
    pub(crate) file: tempfile::NamedTempFile,
    pub(crate) digest: Digest,
    pub(crate) size: u64,
}

/// Downloads `path` with `headers` into a temporary file in `tmp_dir`,
/// refusing more than `max_bytes`; checks `expected` when the path names one.
pub(crate) async fn download(
    client: &reqwest::Client,
    path: &str,
    headers: &BTreeMap<String, String>,
    expected: Option<&Digest>,
    max_bytes: u64,
    tmp_dir: &Path,
) -> Result<Blob, ClairError> {
    let not_found =
        |detail: String| ClairError::bad_request(format!("{COULD_NOT_FIND_LAYER}: {detail}"));
    let url =
        url::Url::parse(path).map_err(|_| not_found(format!("{} is not a URL", shown(path))))?;
    // Clair also opened local files; a network service must not read its own disk.
    if !matches!(url.scheme(), "http" | "https") {
        return Err(not_found(format!("{} is not an http(s) URL", shown(path))));
    }
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        if value.is_empty() {
            continue;
        }
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| ClairError::bad_request(format!("invalid header name {name:?}")))?;
        // The value may be a credential: never echo it.
        let value = HeaderValue::from_str(value)
            .map_err(|_| ClairError::bad_request(format!("invalid value of header {name}")))?;
        map.insert(name, value);
    }
    let mut response = client.get(url).headers(map).send().await.map_err(|e| {
        not_found(format!(
            "GET {}: {}",
            shown(path),
            error_chain(&e.without_url())
        ))
    })?;
    let status = response.status();
    if !status.is_success() {
        return Err(not_found(format!(
            "GET {} answered {}",
            shown(path),
            status.as_u16()
        )));
    }
    if response.content_length().is_some_and(|n| n > max_bytes) {
        return Err(too_big(max_bytes));
    }
    std::fs::create_dir_all(tmp_dir).map_err(ClairError::internal)?;
    let mut file = tempfile::Builder::new()
        .prefix(".layer-")
        .tempfile_in(tmp_dir)
        .map_err(ClairError::internal)?;
    let mut hasher = Hasher::new(expected.map_or(Algorithm::Sha256, Digest::algorithm));
    let mut size: u64 = 0;
    while let Some(chunk) = response.chunk().await.map_err(|e| {
        not_found(format!(
            "GET {}: {}",
            shown(path),
            error_chain(&e.without_url())
        ))
    })? {
        size = size.saturating_add(chunk.len() as u64);
        if size > max_bytes {
            return Err(too_big(max_bytes));
        }
        hasher.update(&chunk);
        file.write_all(&chunk).map_err(ClairError::internal)?;
    }
    file.flush().map_err(ClairError::internal)?;
    let digest = hasher.finish();
    if let Some(expected) = expected
        && *expected != digest
    {
        return Err(ClairError::unprocessable(format!(
            "{COULD_NOT_EXTRACT}: the blob is {digest}, its path names {expected}"
        )));
    }
    Ok(Blob { file, digest, size })
}

fn too_big(max_bytes: u64) -> ClairError {
    ClairError::unprocessable(format!(
        "tarutil: could not extract one or more files from the archive: file too big (more than {max_bytes} bytes)"
    ))
}

/// The error and its causes on one line (reqwest hides the useful part).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Indexes a downloaded blob (blocking: call it off the async workers).
pub(crate) fn index(blob: &Blob, name: &str, limits: &Limits) -> Result<LayerIndex, ClairError> {
    let file = blob.file.reopen().map_err(ClairError::internal)?;
    let by_ratio = blob
        .size
        .max(1 << 20)
        .saturating_mul(limits.compression_ratio);
    let (max_uncompressed, limit_name) = if by_ratio < limits.total_uncompressed_bytes {
        (by_ratio, "compression-ratio")
    } else {
        (limits.total_uncompressed_bytes, "total-uncompressed-bytes")
    };
    let unreadable =
        |e: strata_image::Error| ClairError::unprocessable(format!("{COULD_NOT_EXTRACT}: {e}"));
    let stream = LayerStream::open(
        file,
        LayerCheck {
            what: format!("layer {name} ({})", blob.digest),
            blob_digest: Some(blob.digest.clone()),
            blob_size: Some(blob.size),
            diff_id: None,
            max_uncompressed,
            limit_name,
        },
    )
    .map_err(unreadable)?;
    index_layer(stream, &mut catalogers::all(), limits).map_err(unreadable)
}

/// The catalogers' names and versions: content indexed by others is stale
/// (Clair's `IndexedByVersion` check, per cataloger).
pub(crate) fn engine() -> String {
    catalogers::all()
        .iter()
        .map(|c| format!("{}@{}", c.name(), c.version()))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn digests_named_by_blob_urls() {
        let hex = "a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4";
        let found = digest_in_path(&format!("https://r:5000/v2/lib/app/blobs/sha256:{hex}"));
        assert_eq!(found.unwrap().hex(), hex);
        assert!(digest_in_path("https://r/v2/app/blobs/latest").is_none());
        assert!(digest_in_path(&format!("https://r/files/sha256:{hex}")).is_none());
        assert!(digest_in_path("/var/lib/layer.tar").is_none());
    }

    #[test]
    fn queries_are_not_shown() {
        assert_eq!(
            shown("https://s3/blob?X-Amz-Signature=secret"),
            "https://s3/blob"
        );
    }
}
