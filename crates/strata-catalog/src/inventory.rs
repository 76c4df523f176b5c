//! Strata's inventory format (`strata sbom -f json`): the image, its OS and its
//! packages, each with the layer that introduced it. Versioned: `schema` names
//! the format; fields are only ever added.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Os, PackageKind};

/// The format's name and version.
pub const SCHEMA: &str = "strata.inventory/v1";

/// An indexed image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// What was indexed.
    pub image: ImageInfo,
    /// The OS, or `null` when none was found (scratch, distroless without records).
    pub os: Option<OsInfo>,
    /// Every package, sorted by ecosystem, name, version, path.
    pub packages: Vec<InventoryPackage>,
    /// Records that could not be read (skipped, not fatal).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The image an inventory describes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageInfo {
    /// The source as given (`docker.io/library/debian:12`, `docker-archive:x.tar`).
    #[serde(rename = "ref")]
    pub reference: String,
    /// Image manifest digest, when the source has one.
    pub manifest_digest: Option<String>,
    /// Config digest (image ID).
    pub config_digest: Option<String>,
    /// `os/arch[/variant]`.
    pub platform: Option<String>,
    /// The layers, base first.
    pub layers: Vec<LayerInfo>,
    /// The config's creation time (RFC 3339), when it has one. Policies read
    /// it (image age); absent in inventories written before it was added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The config's `User` (`""`/absent: root), for "runs as root" policies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The config's labels, for required/disallowed-label policies.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// One layer of the image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerInfo {
    /// Position, base layer 0.
    pub index: usize,
    /// Blob digest.
    pub digest: Option<String>,
    /// Uncompressed digest.
    pub diff_id: Option<String>,
    /// History line that created it.
    pub created_by: Option<String>,
}

/// The OS of the image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsInfo {
    /// os-release `ID`.
    pub id: String,
    /// os-release `VERSION_ID`.
    pub version_id: Option<String>,
    /// os-release `PRETTY_NAME`.
    pub pretty_name: Option<String>,
    /// The OSV ecosystem of its packages (`Debian`), when Strata knows it.
    pub ecosystem: Option<String>,
    /// The release as advisories name it (`12`, `v3.18`).
    pub release: Option<String>,
}

impl From<&Os> for OsInfo {
    fn from(os: &Os) -> Self {
        OsInfo {
            id: os.id.clone(),
            version_id: os.version_id.clone(),
            pretty_name: os.pretty_name.clone(),
            ecosystem: os.ecosystem().map(str::to_owned),
            release: os.release(),
        }
    }
}

/// A package of the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryPackage {
    /// OSV ecosystem without release suffix (`Debian`, `PyPI`, `npm`, `Maven`…).
    pub ecosystem: String,
    /// Name as the ecosystem spells it.
    pub name: String,
    /// Installed version.
    pub version: String,
    /// Source package (OS packages).
    pub source_name: Option<String>,
    /// Source package version, when it differs.
    pub source_version: Option<String>,
    /// Architecture.
    pub arch: Option<String>,
    /// Package URL.
    pub purl: String,
    /// diff_id of the layer that introduced the visible version.
    pub layer: Option<String>,
    /// Index of that layer (0 = base).
    pub layer_index: Option<usize>,
    /// Where the evidence is (image paths, `/`-rooted).
    pub paths: Vec<String>,
    /// The OS package that owns this language package's files, if any.
    pub owner: Option<Owner>,
    /// The package manager the record comes from.
    pub kind: PackageKind,
    /// Further facts (license, vendor, confidence…).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
}

/// The OS package owning a language package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    /// Its ecosystem (`Debian`).
    pub ecosystem: String,
    /// Its name (`python3-urllib3`).
    pub name: String,
    /// Its version.
    pub version: String,
}
