//! SPDX 2.3 JSON (<https://spdx.github.io/spdx-spec/v2.3/>).
//!
//! The document describes the image (a package of purpose `CONTAINER`), which
//! contains one package per inventory package (purpose `LIBRARY`, as Trivy writes
//! OS and language packages alike). Licences are `NOASSERTION`: what package
//! records hold is free text, not always a valid SPDX licence expression.

use serde_json::{Map, Value, json};
use strata_catalog::inventory::{Inventory, InventoryPackage};

use crate::ids;

/// The SPDX version written.
pub const SPDX_VERSION: &str = "SPDX-2.3";

const NOASSERTION: &str = "NOASSERTION";

/// The inventory as an SPDX 2.3 document. `created` is the creation time (RFC
/// 3339 UTC, e.g. [`crate::now_rfc3339`]); `tool_version` is Strata's version.
/// The namespace does not depend on `created`: the same image and packages always
/// give the same one.
pub fn document(inventory: &Inventory, created: &str, tool_version: &str) -> Value {
    let image = &inventory.image;
    let image_id = format!("SPDXRef-Image-{}", ids::sanitize(&image.reference));
    let namespace = format!(
        "https://strata.invalid/spdx/{}-{}",
        ids::sanitize(&image.reference),
        ids::content_uuid(inventory)
    );

    let mut packages = Vec::with_capacity(inventory.packages.len() + 1);
    let mut relationships = Vec::with_capacity(inventory.packages.len() + 1);
    packages.push(image_package(inventory, &image_id));
    relationships.push(relationship("SPDXRef-DOCUMENT", "DESCRIBES", &image_id));
    for (index, package) in inventory.packages.iter().enumerate() {
        let id = format!("SPDXRef-Package-{}-{index}", ids::sanitize(&package.name));
        packages.push(package_element(package, &id));
        relationships.push(relationship(&image_id, "CONTAINS", &id));
    }

    json!({
        "spdxVersion": SPDX_VERSION,
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": image.reference,
        "documentNamespace": namespace,
        "creationInfo": {
            "created": created,
            "creators": [format!("Tool: strata-{tool_version}")],
        },
        "packages": packages,
        "relationships": relationships,
    })
}

fn relationship(from: &str, kind: &str, to: &str) -> Value {
    json!({ "spdxElementId": from, "relationshipType": kind, "relatedSpdxElement": to })
}

/// The fields every package gets: nothing downloaded, no files analysed, no
/// licence or copyright asserted.
fn base_package(id: &str, name: &str) -> Map<String, Value> {
    let mut package = Map::new();
    package.insert("SPDXID".into(), id.into());
    package.insert("name".into(), name.into());
    package.insert("downloadLocation".into(), NOASSERTION.into());
    package.insert("filesAnalyzed".into(), false.into());
    package.insert("licenseConcluded".into(), NOASSERTION.into());
    package.insert("licenseDeclared".into(), NOASSERTION.into());
    package.insert("copyrightText".into(), NOASSERTION.into());
    package
}

fn image_package(inventory: &Inventory, id: &str) -> Value {
    let image = &inventory.image;
    let mut package = base_package(id, &image.reference);
    if let Some(digest) = image
        .manifest_digest
        .as_deref()
        .or(image.config_digest.as_deref())
    {
        package.insert("versionInfo".into(), digest.into());
    }
    package.insert("primaryPackagePurpose".into(), "CONTAINER".into());
    if let Some(os) = &inventory.os {
        let name = os
            .pretty_name
            .clone()
            .unwrap_or_else(|| match &os.version_id {
                Some(version) => format!("{} {version}", os.id),
                None => os.id.clone(),
            });
        package.insert("comment".into(), format!("Operating system: {name}").into());
    }
    Value::Object(package)
}

/// Where the package was found: its layer and evidence paths.
fn source_info(package: &InventoryPackage) -> Option<String> {
    let layer = match (package.layer_index, &package.layer) {
        (Some(index), Some(diff_id)) => Some(format!("layer {index} ({diff_id})")),
        (Some(index), None) => Some(format!("layer {index}")),
        (None, Some(diff_id)) => Some(format!("layer {diff_id}")),
        (None, None) => None,
    };
    let paths = (!package.paths.is_empty()).then(|| package.paths.join(", "));
    match (layer, paths) {
        (Some(layer), Some(paths)) => Some(format!("found in {layer} at {paths}")),
        (Some(layer), None) => Some(format!("found in {layer}")),
        (None, Some(paths)) => Some(format!("found at {paths}")),
        (None, None) => None,
    }
}

fn package_element(package: &InventoryPackage, id: &str) -> Value {
    let mut element = base_package(id, &package.name);
    if !package.version.is_empty() {
        element.insert("versionInfo".into(), package.version.as_str().into());
    }
    if let Some(info) = source_info(package) {
        element.insert("sourceInfo".into(), info.into());
    }
    if !package.purl.is_empty() {
        element.insert(
            "externalRefs".into(),
            json!([{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": package.purl,
            }]),
        );
    }
    element.insert("primaryPackagePurpose".into(), "LIBRARY".into());
    Value::Object(element)
}
