//! Helpers shared by the matching tests and the match bench: the shared data,
//! one-document databases, inventory packages.

#![allow(dead_code, unreachable_pub, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use strata_catalog::PackageKind;
use strata_catalog::inventory::{ImageInfo, Inventory, InventoryPackage, OsInfo};
use strata_vulndb::store::Document;

/// A file of `../shared/data`.
pub fn shared(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|d| d.join("shared/data"))
        .find(|d| d.is_dir())
        .expect("shared/data")
        .join(relative)
}

/// A document whose source is its origin.
pub fn document(origin: &str) -> Document {
    Document {
        origin: origin.into(),
        source: origin.into(),
        ..Document::default()
    }
}

/// A package added by layer 1.
pub fn package(kind: PackageKind, ecosystem: &str, name: &str, version: &str) -> InventoryPackage {
    InventoryPackage {
        ecosystem: ecosystem.into(),
        name: name.into(),
        version: version.into(),
        source_name: None,
        source_version: None,
        arch: None,
        purl: format!("pkg:generic/{name}@{version}"),
        layer: Some("sha256:layer1".into()),
        layer_index: Some(1),
        paths: vec![format!("/{name}")],
        owner: None,
        kind,
        metadata: BTreeMap::new(),
    }
}

/// An inventory of a Debian 12 image with these packages.
pub fn debian_12(image: ImageInfo, packages: Vec<InventoryPackage>) -> Inventory {
    Inventory {
        schema: strata_catalog::inventory::SCHEMA.into(),
        image,
        os: Some(OsInfo {
            id: "debian".into(),
            version_id: Some("12".into()),
            pretty_name: None,
            ecosystem: Some("Debian".into()),
            release: Some("12".into()),
        }),
        packages,
        warnings: Vec::new(),
    }
}
