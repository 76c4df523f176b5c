//! Opening an image from a registry: manifest (through indexes to the requested
//! platform) and config now, layers on demand into the content-addressed blob
//! cache.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::image::{Blobs, Image, blob_path};
use crate::manifest::Manifest;
use crate::registry::Registry;
use crate::{Digest, Error, ImageConfig, ImageRef, Limits, Platform, Source};

/// A reference resolved (through indexes) to one image manifest.
#[derive(Debug)]
pub struct Resolved {
    /// The image manifest.
    pub manifest: crate::manifest::ImageManifest,
    /// Its digest (verified).
    pub digest: Digest,
    /// The `Content-Type` the registry sent for it.
    pub content_type: Option<String>,
    /// The index it was chosen from, if any.
    pub index_digest: Option<Digest>,
}

/// Resolves `reference` to one image manifest (choosing `platform`, default the
/// host's, from an index) without reading its config: what a caller needs to
/// know whether it has seen this exact image before.
pub async fn resolve(
    registry: &Registry,
    reference: &ImageRef,
    platform: Option<&Platform>,
    limits: &Limits,
) -> Result<Resolved, Error> {
    let mut wanted = reference.manifest_reference();
    let mut index_digest = None;
    for depth in 0..=limits.index_depth {
        let fetched = registry
            .manifest(reference, &wanted, limits.manifest_bytes)
            .await?;
        let what = format!("manifest {}", fetched.digest);
        match Manifest::parse(&fetched.bytes, fetched.content_type.as_deref(), &what)? {
            Manifest::Index(index) => {
                let host = Platform::host();
                let descriptor = index.select(platform.unwrap_or(&host), &what)?;
                if descriptor.size > limits.manifest_bytes {
                    return Err(Error::Limit {
                        what,
                        limit: "manifest-bytes",
                        max: limits.manifest_bytes,
                    });
                }
                if depth == 0 {
                    index_digest = Some(fetched.digest.clone());
                }
                wanted = descriptor.digest.to_string();
            }
            Manifest::Image(manifest) => {
                if manifest.layers.len() > limits.layers {
                    return Err(Error::Limit {
                        what,
                        limit: "layers",
                        max: limits.layers as u64,
                    });
                }
                return Ok(Resolved {
                    manifest,
                    digest: fetched.digest,
                    content_type: fetched.content_type,
                    index_digest,
                });
            }
        }
    }
    Err(Error::Limit {
        what: format!("{reference}: nested indexes"),
        limit: "index-depth",
        max: limits.index_depth as u64,
    })
}

/// Resolves `reference` to one image (see [`resolve`]) and reads its config.
/// Layers are not downloaded; [`download_layers`] fetches them into `cache_dir`.
pub async fn open(
    registry: &Registry,
    reference: &ImageRef,
    platform: Option<&Platform>,
    limits: &Limits,
    cache_dir: &Path,
) -> Result<Image, Error> {
    let resolved = resolve(registry, reference, platform, limits).await?;
    let manifest = resolved.manifest;
    let config_bytes = registry
        .blob_bytes(reference, &manifest.config.digest, limits.config_bytes)
        .await?;
    let config = ImageConfig::parse(&config_bytes, &format!("config {}", manifest.config.digest))?;
    let layers = crate::local::layers_from(
        &manifest.layers,
        &config,
        |d| blob_path(&d.digest),
        |d| Some(d.digest.clone()),
    )?;
    let media_type = if manifest.media_type.is_empty() {
        resolved.content_type
    } else {
        Some(manifest.media_type)
    };
    let platform = crate::local::platform_of(&config);
    Ok(Image {
        source: Source::Registry(reference.clone()),
        index_digest: resolved.index_digest,
        manifest_digest: Some(resolved.digest),
        manifest_media_type: media_type,
        platform,
        config_digest: Some(manifest.config.digest),
        config,
        layers,
        blobs: Blobs::Dir(cache_dir.to_owned()),
    })
}

/// Downloads the given layers of a registry image into its blob cache, a few at
/// a time; already cached (verified) blobs are not fetched again.
pub async fn download_layers(
    registry: &Registry,
    image: &Image,
    indices: &[usize],
) -> Result<Vec<PathBuf>, Error> {
    let Source::Registry(reference) = &image.source else {
        return Ok(Vec::new());
    };
    let Blobs::Dir(cache_dir) = &image.blobs else {
        return Ok(Vec::new());
    };
    let semaphore = Arc::new(tokio::sync::Semaphore::new(
        registry.parallel_downloads().max(1),
    ));
    let mut tasks = tokio::task::JoinSet::new();
    for &index in indices {
        let layer = image.layers.get(index).ok_or_else(|| Error::NotFound {
            what: format!("layer {index}"),
        })?;
        let digest: Digest = layer
            .digest
            .clone()
            .ok_or_else(|| Error::invalid(format!("layer {index}"), "no digest"))?;
        let (registry, reference, dir, size, semaphore) = (
            registry.clone(),
            reference.clone(),
            cache_dir.clone(),
            layer.size,
            semaphore.clone(),
        );
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            registry
                .download_blob(&reference, &digest, size, &dir)
                .await
        });
    }
    let mut paths = Vec::with_capacity(indices.len());
    while let Some(joined) = tasks.join_next().await {
        let path = joined.map_err(|e| Error::io("layer download", std::io::Error::other(e)))??;
        paths.push(path);
    }
    Ok(paths)
}
