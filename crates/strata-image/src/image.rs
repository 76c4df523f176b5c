//! An opened image: its manifest, config and layers, whatever the source, and
//! access to each layer's verified, decompressed tar stream.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;

use serde::Serialize;

use crate::layer::{LayerCheck, LayerStream};
use crate::{Digest, Error, ImageConfig, Limits, Platform, Source};

/// One layer of an image.
#[derive(Debug, Clone, Serialize)]
pub struct Layer {
    /// Position, base layer 0.
    pub index: usize,
    /// Digest of the blob as stored (compressed), when the source names one.
    pub digest: Option<Digest>,
    /// Digest of the uncompressed tar, from the image config.
    pub diff_id: Option<Digest>,
    /// Media type from the manifest.
    pub media_type: String,
    /// Size of the blob as stored.
    pub size: Option<u64>,
    /// The history line (`created_by`) that made the layer.
    pub created_by: Option<String>,
    #[serde(skip)]
    pub(crate) locator: String,
}

/// Where an image's blobs are read from.
#[derive(Debug, Clone)]
pub(crate) enum Blobs {
    /// Files under a directory (OCI layout: `blobs/<alg>/<hex>`; blob cache).
    Dir(PathBuf),
    /// Members of a tar, by normalised path: (data offset, size).
    Tar {
        path: PathBuf,
        members: HashMap<String, (u64, u64)>,
    },
    /// A root filesystem: no blobs, one pseudo-layer walked from disk.
    Rootfs(PathBuf),
}

/// An image, opened from any [`Source`].
#[derive(Debug, Clone, Serialize)]
pub struct Image {
    /// Where it came from.
    #[serde(serialize_with = "crate::image::display")]
    pub source: Source,
    /// Digest of the index it was chosen from, if any.
    pub index_digest: Option<Digest>,
    /// Digest of the image manifest (none for docker-archives and rootfs).
    pub manifest_digest: Option<Digest>,
    /// Media type of the image manifest.
    pub manifest_media_type: Option<String>,
    /// The image's platform.
    pub platform: Option<Platform>,
    /// Digest of the config blob (the image ID).
    pub config_digest: Option<Digest>,
    /// The image config.
    pub config: ImageConfig,
    /// The layers, base first.
    pub layers: Vec<Layer>,
    #[serde(skip)]
    pub(crate) blobs: Blobs,
}

pub(crate) fn display<S: serde::Serializer, T: std::fmt::Display>(
    value: &T,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

impl Blobs {
    /// Opens a blob's raw bytes and returns its size when known.
    pub(crate) fn open(
        &self,
        locator: &str,
        what: &str,
    ) -> Result<(Box<dyn Read + Send>, Option<u64>), Error> {
        match self {
            Blobs::Dir(dir) => {
                let path = dir.join(locator);
                let file = File::open(&path).map_err(|e| {
                    if e.kind() == std::io::ErrorKind::NotFound {
                        Error::NotFound {
                            what: format!("{what} ({})", path.display()),
                        }
                    } else {
                        Error::io(format!("{what} ({})", path.display()), e)
                    }
                })?;
                let size = file.metadata().ok().map(|m| m.len());
                Ok((Box::new(file), size))
            }
            Blobs::Tar { path, members } => {
                let &(offset, size) = members.get(locator).ok_or_else(|| Error::NotFound {
                    what: format!("{what} ({locator} in {})", path.display()),
                })?;
                let mut file =
                    File::open(path).map_err(|e| Error::io(path.display().to_string(), e))?;
                file.seek(SeekFrom::Start(offset))
                    .map_err(|e| Error::io(path.display().to_string(), e))?;
                Ok((Box::new(file.take(size)), Some(size)))
            }
            Blobs::Rootfs(dir) => Err(Error::NotFound {
                what: format!("{what} in root filesystem {}", dir.display()),
            }),
        }
    }

    /// Reads a small blob (manifest, config, index) whole, refusing more than `limit` bytes.
    pub(crate) fn read_small(
        &self,
        locator: &str,
        what: &str,
        limit: u64,
        limit_name: &'static str,
    ) -> Result<Vec<u8>, Error> {
        let (reader, size) = self.open(locator, what)?;
        if size.is_some_and(|size| size > limit) {
            return Err(Error::Limit {
                what: what.to_owned(),
                limit: limit_name,
                max: limit,
            });
        }
        let mut bytes = Vec::new();
        reader
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(what, e))?;
        if bytes.len() as u64 > limit {
            return Err(Error::Limit {
                what: what.to_owned(),
                limit: limit_name,
                max: limit,
            });
        }
        Ok(bytes)
    }

    /// Reads a blob named by its digest and checks the digest.
    pub(crate) fn read_verified(
        &self,
        digest: &Digest,
        what: &str,
        limit: u64,
        limit_name: &'static str,
    ) -> Result<Vec<u8>, Error> {
        let bytes = self.read_small(&blob_path(digest), what, limit, limit_name)?;
        digest.verify(&bytes, what)?;
        Ok(bytes)
    }
}

/// `blobs/sha256/<hex>`: where a layout (and our blob cache) keeps a blob.
pub(crate) fn blob_path(digest: &Digest) -> String {
    let algorithm = match digest.algorithm() {
        crate::digest::Algorithm::Sha256 => "sha256",
        crate::digest::Algorithm::Sha512 => "sha512",
    };
    format!("blobs/{algorithm}/{}", digest.hex())
}

impl Image {
    /// A digest of layer `index` that can key caches without reading the layer:
    /// blobs named in a digest-verified manifest are content-addressed by their
    /// descriptor digest (reading them verifies it). A docker-archive only *claims*
    /// its layers' digests (file names, config diff_ids): `None`, the layer must be
    /// read (which verifies the claim) before its digest can be trusted.
    pub fn layer_key(&self, index: usize) -> Option<Digest> {
        match &self.source {
            Source::DockerArchive { .. } => None,
            _ => self.layers.get(index).and_then(|l| l.digest.clone()),
        }
    }

    /// Where a layer of an archive is stored: the archive, and the member's offset
    /// and size (so callers can recognise an unchanged archive).
    pub fn layer_location(&self, index: usize) -> Option<(&std::path::Path, u64, u64)> {
        let layer = self.layers.get(index)?;
        match &self.blobs {
            Blobs::Tar { path, members } => members
                .get(&layer.locator)
                .map(|&(offset, size)| (path.as_path(), offset, size)),
            _ => None,
        }
    }

    /// Whether the image is a root filesystem directory rather than layers.
    pub fn rootfs(&self) -> Option<&std::path::Path> {
        match &self.blobs {
            Blobs::Rootfs(dir) => Some(dir),
            _ => None,
        }
    }

    /// Opens layer `index` as a verified, decompressed tar stream. `budget` is the
    /// number of uncompressed bytes still allowed for the whole image.
    pub fn open_layer(
        &self,
        index: usize,
        limits: &Limits,
        budget: u64,
    ) -> Result<LayerStream<Box<dyn Read + Send>>, Error> {
        let layer = self.layers.get(index).ok_or_else(|| Error::NotFound {
            what: format!("layer {index}"),
        })?;
        let what = format!(
            "layer {index} ({})",
            layer
                .digest
                .as_ref()
                .or(layer.diff_id.as_ref())
                .map_or_else(|| layer.locator.clone(), Digest::to_string)
        );
        let (raw, stored_size) = self.blobs.open(&layer.locator, &what)?;
        let size = layer.size.or(stored_size);
        let by_ratio = size.map_or(u64::MAX, |s| {
            s.max(1 << 20).saturating_mul(limits.compression_ratio)
        });
        let (max_uncompressed, limit_name) = if by_ratio < budget {
            (by_ratio, "compression-ratio")
        } else {
            (budget, "total-uncompressed-bytes")
        };
        LayerStream::open(
            raw,
            LayerCheck {
                what,
                blob_digest: layer.digest.clone(),
                blob_size: layer.size,
                diff_id: layer.diff_id.clone(),
                max_uncompressed,
                limit_name,
            },
        )
    }
}
