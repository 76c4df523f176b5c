//! OCI and Docker v2 schema 2 manifests and indexes: parsing, media types, and the
//! platform choice in an index.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Digest, Error, Platform};

/// Media types Strata reads.
pub mod media_type {
    /// OCI image manifest.
    pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    /// OCI image index.
    pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
    /// Docker v2 schema 2 manifest.
    pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
    /// Docker manifest list.
    pub const DOCKER_MANIFEST_LIST: &str =
        "application/vnd.docker.distribution.manifest.list.v2+json";
    /// Docker schema 1 (refused).
    pub const DOCKER_SCHEMA1: &str = "application/vnd.docker.distribution.manifest.v1+json";
    /// Docker schema 1, signed (refused).
    pub const DOCKER_SCHEMA1_SIGNED: &str =
        "application/vnd.docker.distribution.manifest.v1+prettyjws";
    /// OCI image config.
    pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
    /// Docker image config.
    pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
    /// OCI layer, uncompressed.
    pub const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";
    /// OCI layer, gzip.
    pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
    /// OCI layer, zstd.
    pub const OCI_LAYER_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
    /// Docker layer (gzip).
    pub const DOCKER_LAYER: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    /// The `Accept` header for manifest requests: every manifest type we read.
    pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";
}

/// A content descriptor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// The media type of the content.
    #[serde(default)]
    pub media_type: String,
    /// Its digest.
    pub digest: Digest,
    /// Its size in bytes.
    pub size: u64,
    /// For index entries: the platform of the manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// Annotations (`org.opencontainers.image.ref.name` in OCI layouts).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// An image manifest (OCI or Docker v2 schema 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageManifest {
    /// The manifest's media type.
    #[serde(default)]
    pub media_type: String,
    /// The image config blob.
    pub config: Descriptor,
    /// The layers, base first.
    pub layers: Vec<Descriptor>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// An image index (OCI) or manifest list (Docker).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Index {
    /// The index's media type.
    #[serde(default)]
    pub media_type: String,
    /// The manifests (or nested indexes) it lists.
    pub manifests: Vec<Descriptor>,
}

/// A parsed manifest document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Manifest {
    /// A single image.
    Image(ImageManifest),
    /// A list of images (multi-arch) or nested indexes.
    Index(Index),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Probe {
    #[serde(default)]
    schema_version: Option<u64>,
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    manifests: Option<serde_json::Value>,
    #[serde(default)]
    layers: Option<serde_json::Value>,
    #[serde(default)]
    fs_layers: Option<serde_json::Value>,
}

impl Manifest {
    /// Parses a manifest or index; the type comes from its `mediaType`, else from
    /// `content_type` (a registry's `Content-Type`), else from its shape.
    pub fn parse(bytes: &[u8], content_type: Option<&str>, what: &str) -> Result<Manifest, Error> {
        let probe: Probe = serde_json::from_slice(bytes)
            .map_err(|e| Error::invalid(what, format!("not a JSON manifest: {e}")))?;
        if probe.schema_version == Some(1) || probe.fs_layers.is_some() {
            return Err(Error::Schema1 {
                what: what.to_owned(),
            });
        }
        let content_type = content_type.map(|c| c.split(';').next().unwrap_or(c).trim());
        let media_type = probe
            .media_type
            .as_deref()
            .or(content_type)
            .unwrap_or_default();
        let parse_index = || {
            serde_json::from_slice::<Index>(bytes)
                .map(Manifest::Index)
                .map_err(|e| Error::invalid(what, format!("invalid image index: {e}")))
        };
        let parse_image = || {
            serde_json::from_slice::<ImageManifest>(bytes)
                .map(Manifest::Image)
                .map_err(|e| Error::invalid(what, format!("invalid image manifest: {e}")))
        };
        match media_type {
            media_type::DOCKER_SCHEMA1 | media_type::DOCKER_SCHEMA1_SIGNED => Err(Error::Schema1 {
                what: what.to_owned(),
            }),
            media_type::OCI_INDEX | media_type::DOCKER_MANIFEST_LIST => parse_index(),
            media_type::OCI_MANIFEST | media_type::DOCKER_MANIFEST => parse_image(),
            _ if probe.manifests.is_some() => parse_index(),
            _ if probe.layers.is_some() => parse_image(),
            other => Err(Error::invalid(
                what,
                format!("unsupported manifest media type {other:?}"),
            )),
        }
    }
}

impl Index {
    /// The entry for `wanted`, else an error listing what the index offers.
    /// Attestation manifests (`unknown/unknown`) are not images and are skipped.
    pub fn select(&self, wanted: &Platform, what: &str) -> Result<&Descriptor, Error> {
        let images = self.manifests.iter().filter(|d| {
            d.platform
                .as_ref()
                .is_none_or(|p| p.os != "unknown" && p.architecture != "unknown")
        });
        let mut available = Vec::new();
        for descriptor in images {
            match &descriptor.platform {
                Some(platform) if platform.satisfies(wanted) => return Ok(descriptor),
                Some(platform) => available.push(platform.to_string()),
                None => available.push("(no platform)".to_owned()),
            }
        }
        Err(Error::PlatformNotFound {
            what: what.to_owned(),
            wanted: wanted.to_string(),
            available,
        })
    }
}

/// How a layer's bytes are compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// A plain tar.
    None,
    /// gzip.
    Gzip,
    /// zstd.
    Zstd,
}

impl Compression {
    /// Detects the compression from the first bytes of a blob (magic numbers win
    /// over media types, which images sometimes get wrong).
    pub fn sniff(head: &[u8]) -> Compression {
        match head {
            [0x1f, 0x8b, ..] => Compression::Gzip,
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
            _ => Compression::None,
        }
    }

    /// The compression a layer media type announces.
    pub fn from_media_type(media_type: &str) -> Compression {
        if media_type.ends_with("+zstd") || media_type.ends_with(".zstd") {
            Compression::Zstd
        } else if media_type.ends_with("gzip") {
            Compression::Gzip
        } else {
            Compression::None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn detects_by_media_type_content_type_and_shape() {
        let image = format!(
            r#"{{"schemaVersion":2,"config":{{"mediaType":"x","digest":"{D}","size":1}},"layers":[]}}"#
        );
        assert!(matches!(
            Manifest::parse(image.as_bytes(), None, "m"),
            Ok(Manifest::Image(_))
        ));
        let index = format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"x","digest":"{D}","size":1,"platform":{{"os":"linux","architecture":"arm64","variant":"v8"}}}}]}}"#
        );
        let Ok(Manifest::Index(index)) =
            Manifest::parse(index.as_bytes(), Some(media_type::OCI_INDEX), "m")
        else {
            panic!("index expected");
        };
        assert!(index.select(&"linux/arm64".parse().unwrap(), "m").is_ok());
        let err = index
            .select(&"linux/amd64".parse().unwrap(), "m")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "no image for platform linux/amd64 in m (available: linux/arm64/v8)"
        );
    }

    #[test]
    fn schema1_is_refused_clearly() {
        let s1 = br#"{"schemaVersion":1,"name":"x","tag":"y","fsLayers":[]}"#;
        assert!(matches!(
            Manifest::parse(s1, None, "m"),
            Err(Error::Schema1 { .. })
        ));
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(Manifest::parse(b"\x00\x01", None, "m").is_err());
        assert!(Manifest::parse(b"{}", None, "m").is_err());
        assert!(Manifest::parse(br#"{"layers":"nope"}"#, None, "m").is_err());
    }

    #[test]
    fn compression_magic() {
        assert_eq!(Compression::sniff(&[0x1f, 0x8b, 8]), Compression::Gzip);
        assert_eq!(
            Compression::sniff(&[0x28, 0xb5, 0x2f, 0xfd]),
            Compression::Zstd
        );
        assert_eq!(Compression::sniff(b"bin/"), Compression::None);
    }
}
