//! Opening images stored locally: OCI layouts (directory or tar), docker-archives
//! (`docker save`), and root filesystem directories.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::image::{Blobs, Image, Layer, blob_path};
use crate::manifest::{Descriptor, ImageManifest, Manifest};
use crate::{Digest, Error, ImageConfig, Limits, Platform, Source};

/// The annotation that names an image in an OCI layout's `index.json`.
const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// Opens a local source. `platform` picks from a multi-arch index (default: the host's).
pub fn open(source: &Source, platform: Option<&Platform>, limits: &Limits) -> Result<Image, Error> {
    match source {
        Source::OciDir { path, tag } => {
            let blobs = Blobs::Dir(path.clone());
            open_layout(source, blobs, tag.as_deref(), platform, limits)
        }
        Source::OciArchive { path, tag } => {
            let blobs = index_tar(path, limits)?;
            open_layout(source, blobs, tag.as_deref(), platform, limits)
        }
        Source::DockerArchive { path, tag } => {
            let blobs = index_tar(path, limits)?;
            open_docker_archive(source, blobs, tag.as_deref(), limits)
        }
        Source::Dir(path) => open_rootfs(source, path),
        Source::Registry(reference) => {
            Err(Error::invalid(reference.to_string(), "not a local image"))
        }
    }
}

/// Records where each member of a tar starts, so blobs can be read by seeking.
fn index_tar(path: &Path, limits: &Limits) -> Result<Blobs, Error> {
    let what = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| Error::io(&what, e))?;
    let mut archive = tar::Archive::new(file);
    let mut members = HashMap::new();
    // Seeking past members: the index is built from headers, not by reading every blob.
    let entries = archive
        .entries_with_seek()
        .map_err(|e| Error::io(&what, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(format!("{what}: reading tar"), e))?;
        if members.len() as u64 >= limits.entries_per_layer {
            return Err(Error::Limit {
                what,
                limit: "entries-per-layer",
                max: limits.entries_per_layer,
            });
        }
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let name = crate::walk::normalize(&name, &what, limits)?;
        members.insert(name, (entry.raw_file_position(), entry.size()));
    }
    Ok(Blobs::Tar {
        path: path.to_owned(),
        members,
    })
}

fn open_layout(
    source: &Source,
    blobs: Blobs,
    tag: Option<&str>,
    platform: Option<&Platform>,
    limits: &Limits,
) -> Result<Image, Error> {
    let index_bytes = blobs.read_small(
        "index.json",
        "index.json",
        limits.manifest_bytes,
        "manifest-bytes",
    )?;
    let Manifest::Index(top) = Manifest::parse(
        &index_bytes,
        Some(crate::manifest::media_type::OCI_INDEX),
        "index.json",
    )?
    else {
        return Err(Error::invalid(
            "index.json",
            "an OCI layout's index.json must be an image index",
        ));
    };
    let chosen = match tag {
        Some(tag) => top
            .manifests
            .iter()
            .find(|d| d.annotations.get(REF_NAME).map(String::as_str) == Some(tag))
            .ok_or_else(|| Error::NotFound {
                what: format!("tag {tag:?} in {source}"),
            })?,
        None => match top.manifests.as_slice() {
            [only] => only,
            [] => {
                return Err(Error::invalid(
                    source.to_string(),
                    "index.json lists no image",
                ));
            }
            many => {
                let names: Vec<&str> = many
                    .iter()
                    .filter_map(|d| d.annotations.get(REF_NAME).map(String::as_str))
                    .collect();
                return Err(Error::invalid(
                    source.to_string(),
                    format!(
                        "holds {} images; pick one with PATH:TAG (tags: {})",
                        many.len(),
                        names.join(", ")
                    ),
                ));
            }
        },
    };
    resolve_descriptor(source, blobs, chosen.clone(), None, platform, limits, 0)
}

/// Follows a descriptor through nested indexes to an image manifest.
fn resolve_descriptor(
    source: &Source,
    blobs: Blobs,
    descriptor: Descriptor,
    index_digest: Option<Digest>,
    platform: Option<&Platform>,
    limits: &Limits,
    depth: usize,
) -> Result<Image, Error> {
    if depth > limits.index_depth {
        return Err(Error::Limit {
            what: format!("{source}: nested indexes"),
            limit: "index-depth",
            max: limits.index_depth as u64,
        });
    }
    let what = format!("manifest {}", descriptor.digest);
    if descriptor.size > limits.manifest_bytes {
        return Err(Error::Limit {
            what,
            limit: "manifest-bytes",
            max: limits.manifest_bytes,
        });
    }
    let bytes = blobs.read_verified(
        &descriptor.digest,
        &what,
        limits.manifest_bytes,
        "manifest-bytes",
    )?;
    if bytes.len() as u64 != descriptor.size {
        return Err(Error::SizeMismatch {
            what,
            expected: descriptor.size,
            actual: bytes.len() as u64,
        });
    }
    let media_type = (!descriptor.media_type.is_empty()).then_some(descriptor.media_type.as_str());
    match Manifest::parse(&bytes, media_type, &what)? {
        Manifest::Index(index) => {
            let wanted = platform.cloned().unwrap_or_else(Platform::host);
            let next = index.select(&wanted, &what)?.clone();
            resolve_descriptor(
                source,
                blobs,
                next,
                Some(descriptor.digest),
                platform,
                limits,
                depth + 1,
            )
        }
        Manifest::Image(manifest) => {
            let image =
                image_from_manifest(source, blobs, &descriptor, index_digest, manifest, limits)?;
            check_platform(&image, platform, image.index_digest.is_some())?;
            Ok(image)
        }
    }
}

fn image_from_manifest(
    source: &Source,
    blobs: Blobs,
    descriptor: &Descriptor,
    index_digest: Option<Digest>,
    manifest: ImageManifest,
    limits: &Limits,
) -> Result<Image, Error> {
    if manifest.layers.len() > limits.layers {
        return Err(Error::Limit {
            what: format!("manifest {}", descriptor.digest),
            limit: "layers",
            max: limits.layers as u64,
        });
    }
    let config_what = format!("config {}", manifest.config.digest);
    let config_bytes = blobs.read_verified(
        &manifest.config.digest,
        &config_what,
        limits.config_bytes,
        "config-bytes",
    )?;
    let config = ImageConfig::parse(&config_bytes, &config_what)?;
    let layers = layers_from(
        &manifest.layers,
        &config,
        |d| blob_path(&d.digest),
        |d| Some(d.digest.clone()),
    )?;
    Ok(Image {
        source: source.clone(),
        index_digest,
        manifest_digest: Some(descriptor.digest.clone()),
        manifest_media_type: Some(if manifest.media_type.is_empty() {
            descriptor.media_type.clone()
        } else {
            manifest.media_type
        }),
        platform: platform_of(&config),
        config_digest: Some(manifest.config.digest),
        config,
        layers,
        blobs,
    })
}

/// Pairs manifest layers with the config's diff_ids and history.
pub(crate) fn layers_from(
    descriptors: &[Descriptor],
    config: &ImageConfig,
    locator: impl Fn(&Descriptor) -> String,
    digest: impl Fn(&Descriptor) -> Option<Digest>,
) -> Result<Vec<Layer>, Error> {
    if descriptors.len() != config.rootfs.diff_ids.len() {
        return Err(Error::invalid(
            "image config",
            format!(
                "{} layers in the manifest but {} diff_ids in the config",
                descriptors.len(),
                config.rootfs.diff_ids.len()
            ),
        ));
    }
    let history = config.layer_history();
    Ok(descriptors
        .iter()
        .enumerate()
        .map(|(index, d)| Layer {
            index,
            digest: digest(d),
            diff_id: config.rootfs.diff_ids.get(index).cloned(),
            media_type: d.media_type.clone(),
            size: Some(d.size),
            created_by: history
                .get(index)
                .copied()
                .flatten()
                .and_then(|h| h.created_by.clone()),
            locator: locator(d),
        })
        .collect())
}

pub(crate) fn platform_of(config: &ImageConfig) -> Option<Platform> {
    (!config.os.is_empty() && !config.architecture.is_empty()).then(|| Platform {
        os: config.os.clone(),
        architecture: config.architecture.clone(),
        variant: config.variant.clone(),
    })
}

/// An explicitly requested platform must match a single-image source.
fn check_platform(image: &Image, wanted: Option<&Platform>, from_index: bool) -> Result<(), Error> {
    match (wanted, &image.platform) {
        (Some(wanted), Some(actual)) if !from_index && !actual.satisfies(wanted) => {
            Err(Error::PlatformNotFound {
                what: image.source.to_string(),
                wanted: wanted.to_string(),
                available: vec![actual.to_string()],
            })
        }
        _ => Ok(()),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DockerArchiveEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    layers: Vec<String>,
}

fn open_docker_archive(
    source: &Source,
    blobs: Blobs,
    tag: Option<&str>,
    limits: &Limits,
) -> Result<Image, Error> {
    let bytes = blobs.read_small(
        "manifest.json",
        "manifest.json",
        limits.manifest_bytes,
        "manifest-bytes",
    )?;
    let entries: Vec<DockerArchiveEntry> = serde_json::from_slice(&bytes)
        .map_err(|e| Error::invalid(format!("{source}: manifest.json"), e.to_string()))?;
    let tags = |e: &DockerArchiveEntry| e.repo_tags.clone().unwrap_or_default();
    let entry = match tag {
        Some(tag) => entries
            .iter()
            .find(|e| {
                tags(e)
                    .iter()
                    .any(|t| t == tag || t.rsplit_once(':').is_some_and(|(_, t)| t == tag))
            })
            .ok_or_else(|| Error::NotFound {
                what: format!("tag {tag:?} in {source}"),
            })?,
        None => match entries.as_slice() {
            [only] => only,
            [] => {
                return Err(Error::invalid(
                    source.to_string(),
                    "manifest.json lists no image",
                ));
            }
            many => {
                let all: Vec<String> = many.iter().flat_map(tags).collect();
                return Err(Error::invalid(
                    source.to_string(),
                    format!(
                        "holds {} images; pick one with PATH:TAG (tags: {})",
                        many.len(),
                        all.join(", ")
                    ),
                ));
            }
        },
    };
    let config_path = crate::walk::normalize(&entry.config, "manifest.json", limits)?;
    let config_what = format!("config {config_path}");
    let config_bytes = blobs.read_small(
        &config_path,
        &config_what,
        limits.config_bytes,
        "config-bytes",
    )?;
    // The config's own digest is the image ID; its file is usually named by it.
    let config_digest = Digest::sha256_of(&config_bytes);
    if let Some(hex) = config_path
        .rsplit('/')
        .next()
        .map(|n| n.trim_end_matches(".json"))
        && hex.len() == 64
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
        && hex != config_digest.hex()
    {
        return Err(Error::invalid(
            &config_what,
            "content does not match the digest its name carries",
        ));
    }
    let config = ImageConfig::parse(&config_bytes, &config_what)?;
    if entry.layers.len() > limits.layers {
        return Err(Error::Limit {
            what: source.to_string(),
            limit: "layers",
            max: limits.layers as u64,
        });
    }
    let mut descriptors = Vec::with_capacity(entry.layers.len());
    for (index, layer) in entry.layers.iter().enumerate() {
        let path = crate::walk::normalize(layer, "manifest.json", limits)?;
        let size = match &blobs {
            Blobs::Tar { members, .. } => members.get(&path).map(|m| m.1),
            _ => None,
        }
        .ok_or_else(|| Error::NotFound {
            what: format!("layer {index} ({path}) in {source}"),
        })?;
        // `blobs/sha256/<hex>` names the stored blob; `<id>/layer.tar` is the
        // uncompressed layer itself, whose digest is its diff_id.
        let digest = path
            .strip_prefix("blobs/")
            .and_then(|rest| rest.replacen('/', ":", 1).parse::<Digest>().ok())
            .or_else(|| config.rootfs.diff_ids.get(index).cloned())
            .ok_or_else(|| Error::invalid(source.to_string(), "more layers than diff_ids"))?;
        descriptors.push((
            path,
            Descriptor {
                media_type: crate::manifest::media_type::OCI_LAYER.to_owned(),
                digest,
                size,
                platform: None,
                annotations: Default::default(),
            },
        ));
    }
    let paths: HashMap<Digest, String> = descriptors
        .iter()
        .map(|(p, d)| (d.digest.clone(), p.clone()))
        .collect();
    let descriptors: Vec<Descriptor> = descriptors.into_iter().map(|(_, d)| d).collect();
    let layers = layers_from(
        &descriptors,
        &config,
        |d| paths.get(&d.digest).cloned().unwrap_or_default(),
        |d| Some(d.digest.clone()),
    )?;
    Ok(Image {
        source: source.clone(),
        index_digest: None,
        manifest_digest: None,
        manifest_media_type: None,
        platform: platform_of(&config),
        config_digest: Some(config_digest),
        config,
        layers,
        blobs,
    })
}

fn open_rootfs(source: &Source, path: &Path) -> Result<Image, Error> {
    if !path.is_dir() {
        return Err(Error::NotFound {
            what: format!("root filesystem directory {}", path.display()),
        });
    }
    Ok(Image {
        source: source.clone(),
        index_digest: None,
        manifest_digest: None,
        manifest_media_type: None,
        platform: None,
        config_digest: None,
        config: ImageConfig::default(),
        layers: Vec::new(),
        blobs: Blobs::Rootfs(path.to_owned()),
    })
}
