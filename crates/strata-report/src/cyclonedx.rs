//! CycloneDX 1.6 JSON (<https://cyclonedx.org/docs/1.6/json/>).
//!
//! The image is `metadata.component` (type `container`); the OS is a component of
//! type `operating-system` and every package (OS and language alike) one of type
//! `library`, as Trivy writes them. The dependency graph is flat: the image
//! depends on the OS and on every package. Packages' own dependencies are not
//! known, so they get no graph entry of their own (absent means unknown; an empty
//! entry would claim they have none). Strata's facts without a CycloneDX field
//! are `strata:*` properties.
//!
//! A scan report adds a `vulnerabilities` array to the same BOM
//! ([`scan_bom`]).

use std::collections::HashSet;

use serde_json::{Map, Value, json};
use strata_catalog::inventory::{Inventory, InventoryPackage, OsInfo};

use crate::ids;

mod vulnerabilities;

pub use vulnerabilities::{scan_bom, scan_bom_at};

/// The CycloneDX version written.
pub const SPEC_VERSION: &str = "1.6";

/// The inventory as a CycloneDX 1.6 BOM, timestamped now. `tool_version` is
/// Strata's version.
pub fn sbom(inventory: &Inventory, tool_version: &str) -> Value {
    sbom_at(inventory, tool_version, None)
}

/// As [`sbom`], with `metadata.timestamp` set to `timestamp` (RFC 3339) when
/// given, else to now. The serial number does not depend on the time: the same
/// image and packages always give the same one.
pub fn sbom_at(inventory: &Inventory, tool_version: &str, timestamp: Option<&str>) -> Value {
    let timestamp = timestamp.map_or_else(ids::now_rfc3339, str::to_owned);
    let image_ref = image_bom_ref(inventory);

    let mut components = Vec::with_capacity(inventory.packages.len() + 1);
    let mut depends_on = Vec::with_capacity(inventory.packages.len() + 1);
    if let Some(os) = &inventory.os {
        let os_ref = format!(
            "os:{}@{}",
            os.id,
            os.version_id.as_deref().unwrap_or("unknown")
        );
        components.push(os_component(os, &os_ref));
        depends_on.push(Value::String(os_ref));
    }
    for (package, bom_ref) in inventory.packages.iter().zip(package_refs(inventory)) {
        components.push(package_component(package, &bom_ref));
        depends_on.push(Value::String(bom_ref));
    }

    json!({
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": format!("urn:uuid:{}", ids::content_uuid(inventory)),
        "version": 1,
        "metadata": {
            "timestamp": timestamp,
            "tools": {
                "components": [{ "type": "application", "name": "strata", "version": tool_version }]
            },
            "component": image_component(inventory, &image_ref),
        },
        "components": components,
        "dependencies": [{ "ref": image_ref, "dependsOn": depends_on }],
    })
}

/// The bom-refs of the inventory's packages, in order: [`package_bom_ref`],
/// made unique with the package's index when two packages share one.
fn package_refs(inventory: &Inventory) -> Vec<String> {
    let mut used = HashSet::new();
    inventory
        .packages
        .iter()
        .enumerate()
        .map(|(index, package)| {
            let mut bom_ref = package_bom_ref(package);
            if !used.insert(bom_ref.clone()) {
                bom_ref = format!("{bom_ref}-{index}");
                used.insert(bom_ref.clone());
            }
            bom_ref
        })
        .collect()
}

/// The image's digest: the manifest's, else the config's (image ID).
fn image_digest(inventory: &Inventory) -> Option<&str> {
    inventory
        .image
        .manifest_digest
        .as_deref()
        .or(inventory.image.config_digest.as_deref())
}

fn image_bom_ref(inventory: &Inventory) -> String {
    format!(
        "image:{}",
        image_digest(inventory).unwrap_or(&inventory.image.reference)
    )
}

fn property(name: &str, value: impl Into<String>) -> Value {
    json!({ "name": name, "value": value.into() })
}

fn image_component(inventory: &Inventory, bom_ref: &str) -> Value {
    let image = &inventory.image;
    let mut component = Map::new();
    component.insert("type".into(), "container".into());
    component.insert("bom-ref".into(), bom_ref.into());
    component.insert("name".into(), image.reference.as_str().into());
    if let Some(digest) = image_digest(inventory) {
        component.insert("version".into(), digest.into());
    }
    let mut properties = Vec::new();
    if let Some(digest) = &image.manifest_digest {
        properties.push(property("strata:image:manifest_digest", digest));
    }
    if let Some(digest) = &image.config_digest {
        properties.push(property("strata:image:config_digest", digest));
    }
    if let Some(platform) = &image.platform {
        properties.push(property("strata:image:platform", platform));
    }
    for layer in &image.layers {
        if let Some(diff_id) = &layer.diff_id {
            properties.push(property(
                &format!("strata:image:layer:{}:diff_id", layer.index),
                diff_id,
            ));
        }
        if let Some(digest) = &layer.digest {
            properties.push(property(
                &format!("strata:image:layer:{}:digest", layer.index),
                digest,
            ));
        }
    }
    if !properties.is_empty() {
        component.insert("properties".into(), properties.into());
    }
    Value::Object(component)
}

fn os_component(os: &OsInfo, bom_ref: &str) -> Value {
    let mut component = Map::new();
    component.insert("type".into(), "operating-system".into());
    component.insert("bom-ref".into(), bom_ref.into());
    component.insert("name".into(), os.id.as_str().into());
    if let Some(version) = &os.version_id {
        component.insert("version".into(), version.as_str().into());
    }
    if let Some(pretty) = &os.pretty_name {
        component.insert("description".into(), pretty.as_str().into());
    }
    let mut properties = Vec::new();
    if let Some(ecosystem) = &os.ecosystem {
        properties.push(property("strata:os:ecosystem", ecosystem));
    }
    if let Some(release) = &os.release {
        properties.push(property("strata:os:release", release));
    }
    if !properties.is_empty() {
        component.insert("properties".into(), properties.into());
    }
    Value::Object(component)
}

/// The package's purl with a `package-id` qualifier (a hash of purl, paths and
/// layer): unique within the BOM even when one purl is installed at two paths,
/// and stable across runs.
fn package_bom_ref(package: &InventoryPackage) -> String {
    bom_ref_with_id(
        [
            &package.ecosystem,
            &package.name,
            &package.version,
            &package.purl,
        ],
        &ids::package_id(package),
    )
}

/// The bom-ref of a package (`[ecosystem, name, version, purl]`) with id `id`.
fn bom_ref_with_id(fields: [&str; 4], id: &str) -> String {
    let [ecosystem, name, version, purl] = fields;
    if purl.is_empty() {
        return format!("package:{ecosystem}/{name}@{version}?package-id={id}");
    }
    let (head, subpath) = match purl.split_once('#') {
        Some((head, subpath)) => (head, Some(subpath)),
        None => (purl, None),
    };
    let separator = if head.contains('?') { '&' } else { '?' };
    match subpath {
        Some(subpath) => format!("{head}{separator}package-id={id}#{subpath}"),
        None => format!("{head}{separator}package-id={id}"),
    }
}

/// CycloneDX `group` and `name`: Maven `groupId` / `artifactId` and an npm scope /
/// name are split, as the spec's `group` describes; other names stay whole.
fn split_name<'n>(ecosystem: &str, full_name: &'n str) -> (Option<&'n str>, &'n str) {
    let split = match ecosystem {
        "Maven" => full_name.split_once(':'),
        "npm" => full_name
            .split_once('/')
            .filter(|(scope, _)| scope.starts_with('@')),
        _ => None,
    };
    match split {
        Some((group, name)) if !group.is_empty() && !name.is_empty() => (Some(group), name),
        _ => (None, full_name),
    }
}

/// A `library` component: bom-ref, group and name, version and purl (when
/// not empty) of a package (`[ecosystem, name, version, purl]`).
fn library_component(bom_ref: &str, fields: [&str; 4]) -> Map<String, Value> {
    let [ecosystem, full_name, version, purl] = fields;
    let (group, name) = split_name(ecosystem, full_name);
    let mut component = Map::new();
    component.insert("type".into(), "library".into());
    component.insert("bom-ref".into(), bom_ref.into());
    if let Some(group) = group {
        component.insert("group".into(), group.into());
    }
    component.insert("name".into(), name.into());
    if !version.is_empty() {
        component.insert("version".into(), version.into());
    }
    if !purl.is_empty() {
        component.insert("purl".into(), purl.into());
    }
    component
}

fn package_component(package: &InventoryPackage, bom_ref: &str) -> Value {
    let mut component = library_component(
        bom_ref,
        [
            &package.ecosystem,
            &package.name,
            &package.version,
            &package.purl,
        ],
    );
    // Licences as recorded are free text, not SPDX ids: named licences are always valid.
    if let Some(license) = package
        .metadata
        .get("license")
        .filter(|l| !l.trim().is_empty())
    {
        component.insert(
            "licenses".into(),
            json!([{ "license": { "name": license } }]),
        );
    }
    component.insert("properties".into(), package_properties(package).into());
    Value::Object(component)
}

fn package_properties(package: &InventoryPackage) -> Vec<Value> {
    let mut properties = vec![property("strata:package:ecosystem", &package.ecosystem)];
    if let Some(kind) = serde_json::to_value(package.kind)
        .ok()
        .as_ref()
        .and_then(Value::as_str)
    {
        properties.push(property("strata:package:kind", kind));
    }
    if let Some(arch) = &package.arch {
        properties.push(property("strata:package:arch", arch));
    }
    if let Some(layer) = &package.layer {
        properties.push(property("strata:layer:diff_id", layer));
    }
    if let Some(index) = package.layer_index {
        properties.push(property("strata:layer:index", index.to_string()));
    }
    for path in &package.paths {
        properties.push(property("strata:path", path));
    }
    if let Some(source) = &package.source_name {
        properties.push(property("strata:source:name", source));
    }
    if let Some(version) = &package.source_version {
        properties.push(property("strata:source:version", version));
    }
    if let Some(owner) = &package.owner {
        properties.push(property("strata:owner:ecosystem", &owner.ecosystem));
        properties.push(property("strata:owner:name", &owner.name));
        properties.push(property("strata:owner:version", &owner.version));
    }
    for (key, value) in package
        .metadata
        .iter()
        .filter(|(key, _)| key.as_str() != "license")
    {
        properties.push(property(&format!("strata:metadata:{key}"), value));
    }
    properties
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use strata_catalog::PackageKind;

    use super::*;

    fn package(ecosystem: &str, name: &str, purl: &str, kind: PackageKind) -> InventoryPackage {
        InventoryPackage {
            ecosystem: ecosystem.into(),
            name: name.into(),
            version: "1.0".into(),
            source_name: None,
            source_version: None,
            arch: None,
            purl: purl.into(),
            layer: None,
            layer_index: None,
            paths: vec!["/a".into()],
            owner: None,
            kind,
            metadata: BTreeMap::new(),
        }
    }

    #[test]
    fn bom_refs_extend_the_purl() {
        let p = package("npm", "@s/x", "pkg:npm/%40s/x@1.0", PackageKind::Npm);
        let r = package_bom_ref(&p);
        assert!(r.starts_with("pkg:npm/%40s/x@1.0?package-id="), "{r}");
        let p = package(
            "Debian",
            "x",
            "pkg:deb/debian/x@1.0?arch=all#sub/dir",
            PackageKind::Deb,
        );
        let r = package_bom_ref(&p);
        assert!(
            r.starts_with("pkg:deb/debian/x@1.0?arch=all&package-id=") && r.ends_with("#sub/dir"),
            "{r}"
        );
        let p = package("PyPI", "x", "", PackageKind::Python);
        assert!(package_bom_ref(&p).starts_with("package:PyPI/x@1.0?package-id="));
    }

    #[test]
    fn groups() {
        let p = package("Maven", "org.example:lib", "", PackageKind::Maven);
        assert_eq!(
            split_name(&p.ecosystem, &p.name),
            (Some("org.example"), "lib")
        );
        let p = package("npm", "@s/x", "", PackageKind::Npm);
        assert_eq!(split_name(&p.ecosystem, &p.name), (Some("@s"), "x"));
        let p = package("npm", "left-pad", "", PackageKind::Npm);
        assert_eq!(split_name(&p.ecosystem, &p.name), (None, "left-pad"));
        let p = package("Go", "golang.org/x/net", "", PackageKind::Go);
        assert_eq!(
            split_name(&p.ecosystem, &p.name),
            (None, "golang.org/x/net")
        );
    }
}
