//! The SBOM outputs validate against the official JSON Schemas (CycloneDX 1.6,
//! SPDX 2.3) in `shared/schemas`, offline, and carry the inventory's facts.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::HashSet;

use common::{assert_valid, bookworm, cyclonedx_validator, validator};
use jsonschema::Validator;
use serde_json::Value;
use strata_catalog::inventory::{ImageInfo, Inventory};
use strata_report::{cyclonedx, spdx};

const TIME: &str = "2026-11-23T10:04:05Z";

/// A scratch image read from an archive: no OS, no digests, no packages.
fn empty() -> Inventory {
    Inventory {
        schema: strata_catalog::inventory::SCHEMA.to_owned(),
        image: ImageInfo {
            reference: "docker-archive:/tmp/my image.tar".into(),
            ..ImageInfo::default()
        },
        os: None,
        packages: Vec::new(),
        warnings: Vec::new(),
    }
}

const PURLS: [&str; 11] = [
    "pkg:deb/debian/base-files@12.4%2Bdeb12u15?arch=amd64&distro=debian-12",
    "pkg:deb/debian/bash@5.2.15-2%2Bb13?arch=amd64&distro=debian-12",
    "pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12",
    "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12",
    "pkg:deb/debian/python3-urllib3@1.26.12-1%2Bdeb12u1?arch=all&distro=debian-12",
    "pkg:deb/debian/tzdata@2026b-0%2Bdeb12u1?arch=all&distro=debian-12",
    "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12",
    "pkg:golang/golang.org/x/net@v0.23.0",
    "pkg:maven/org.apache.commons/commons-text@1.10.0",
    "pkg:pypi/urllib3@1.26.12",
    "pkg:npm/%40babel/core@7.24.0",
];

fn strings<'a>(values: impl IntoIterator<Item = &'a Value>) -> Vec<&'a str> {
    values.into_iter().map(|v| v.as_str().unwrap()).collect()
}

fn property<'a>(component: &'a Value, name: &str) -> Vec<&'a str> {
    component["properties"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["name"] == name)
        .map(|p| p["value"].as_str().unwrap())
        .collect()
}

fn is_uuid_v5(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.iter().map(|g| g.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && groups.iter().all(|g| {
            g.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
        && groups[2].starts_with('5')
        && groups[3].starts_with(['8', '9', 'a', 'b'])
}

#[test]
fn cyclonedx_validates_against_bom_1_6() {
    let validator = cyclonedx_validator();
    let inventory = bookworm();
    assert_valid(
        &validator,
        &cyclonedx::sbom_at(&inventory, "0.1.0", Some(TIME)),
        "CycloneDX (bookworm)",
    );
    // The current time is a valid date-time too.
    assert_valid(
        &validator,
        &cyclonedx::sbom(&inventory, "0.1.0"),
        "CycloneDX (bookworm, now)",
    );
    assert_valid(
        &validator,
        &cyclonedx::sbom(&empty(), "0.1.0"),
        "CycloneDX (empty image)",
    );
}

#[test]
fn the_cyclonedx_validator_rejects_what_it_should() {
    let validator = cyclonedx_validator();
    let good = cyclonedx::sbom_at(&bookworm(), "0.1.0", Some(TIME));
    let mut bad = good.clone();
    bad["components"][1]["type"] = "package".into();
    assert!(!validator.is_valid(&bad), "unknown component type accepted");
    let mut bad = good.clone();
    bad["metadata"]["timestamp"] = "yesterday".into();
    assert!(
        !validator.is_valid(&bad),
        "non-date-time timestamp accepted (formats not asserted?)"
    );
    let mut bad = good;
    bad["serialNumber"] = "urn:uuid:not-a-uuid".into();
    assert!(!validator.is_valid(&bad), "bad serial number accepted");
}

#[test]
fn cyclonedx_content() {
    let inventory = bookworm();
    let bom = cyclonedx::sbom_at(&inventory, "0.1.0", Some(TIME));
    assert_eq!(bom["bomFormat"], "CycloneDX");
    assert_eq!(
        bom["specVersion"], "1.6",
        "the schema does not pin specVersion"
    );
    assert_eq!(bom["version"], 1);
    assert_eq!(bom["metadata"]["timestamp"], TIME);
    assert_eq!(
        bom["metadata"]["tools"]["components"][0],
        serde_json::json!({"type": "application", "name": "strata", "version": "0.1.0"})
    );

    let image = &bom["metadata"]["component"];
    assert_eq!(image["type"], "container");
    assert_eq!(image["name"], "registry.example.com/shop/api:1.4.2");
    assert_eq!(
        image["version"],
        inventory.image.manifest_digest.as_deref().unwrap()
    );
    assert_eq!(
        property(image, "strata:image:layer:2:diff_id"),
        [inventory.image.layers[2].diff_id.as_deref().unwrap()]
    );

    let components = bom["components"].as_array().unwrap();
    assert_eq!(
        components.len(),
        inventory.packages.len() + 1,
        "the OS and every package"
    );
    let os = &components[0];
    assert_eq!(
        (
            os["type"].as_str(),
            os["name"].as_str(),
            os["version"].as_str()
        ),
        (Some("operating-system"), Some("debian"), Some("12"))
    );
    assert!(components[1..].iter().all(|c| c["type"] == "library"));

    let purls: HashSet<&str> = strings(components.iter().filter_map(|c| c.get("purl")))
        .into_iter()
        .collect();
    assert_eq!(purls, PURLS.into_iter().collect::<HashSet<_>>());

    // bom-refs: unique, derived from the purl.
    let refs = strings(components.iter().map(|c| &c["bom-ref"]));
    assert_eq!(
        refs.iter().collect::<HashSet<_>>().len(),
        refs.len(),
        "duplicate bom-ref"
    );
    for component in &components[1..] {
        let purl = component["purl"].as_str().unwrap();
        assert!(
            component["bom-ref"].as_str().unwrap().starts_with(purl),
            "{component}"
        );
    }

    // The flat graph: the image depends on the OS and every package.
    let dependencies = bom["dependencies"].as_array().unwrap();
    assert_eq!(dependencies.len(), 1);
    assert_eq!(dependencies[0]["ref"], image["bom-ref"]);
    let depends_on = strings(dependencies[0]["dependsOn"].as_array().unwrap());
    assert_eq!(depends_on.len(), inventory.packages.len() + 1);
    assert_eq!(depends_on, refs);

    let find = |purl: &str| components.iter().find(|c| c["purl"] == purl).unwrap();
    let libc = find(PURLS[3]);
    assert_eq!(
        (libc["name"].as_str(), libc["version"].as_str()),
        (Some("libc6"), Some("2.36-9+deb12u14"))
    );
    assert_eq!(property(libc, "strata:source:name"), ["glibc"]);
    assert_eq!(
        property(libc, "strata:layer:diff_id"),
        [inventory.image.layers[0].diff_id.as_deref().unwrap()]
    );
    assert_eq!(property(libc, "strata:path"), ["/var/lib/dpkg/status"]);
    assert_eq!(property(libc, "strata:package:ecosystem"), ["Debian"]);
    assert_eq!(
        property(find(PURLS[2]), "strata:source:version"),
        ["2.38.1-5+deb12u3"]
    );

    let urllib3 = find("pkg:pypi/urllib3@1.26.12");
    assert_eq!(property(urllib3, "strata:owner:name"), ["python3-urllib3"]);
    assert_eq!(property(urllib3, "strata:layer:index"), ["1"]);
    assert_eq!(
        urllib3["licenses"],
        serde_json::json!([{"license": {"name": "MIT"}}])
    );

    let babel = find("pkg:npm/%40babel/core@7.24.0");
    assert_eq!(
        (babel["group"].as_str(), babel["name"].as_str()),
        (Some("@babel"), Some("core"))
    );
    let text = find("pkg:maven/org.apache.commons/commons-text@1.10.0");
    assert_eq!(
        (text["group"].as_str(), text["name"].as_str()),
        (Some("org.apache.commons"), Some("commons-text"))
    );
    assert_eq!(
        find("pkg:golang/golang.org/x/net@v0.23.0")["name"],
        "golang.org/x/net"
    );
}

#[test]
fn cyclonedx_serial_number_is_deterministic() {
    let inventory = bookworm();
    let first = cyclonedx::sbom_at(&inventory, "0.1.0", Some(TIME));
    let later = cyclonedx::sbom_at(&inventory, "0.2.0", Some("2027-01-01T00:00:00Z"));
    let serial = first["serialNumber"].as_str().unwrap();
    assert_eq!(
        later["serialNumber"], serial,
        "same image and packages, same serial"
    );
    assert!(
        is_uuid_v5(serial.strip_prefix("urn:uuid:").unwrap()),
        "{serial}"
    );
    assert_eq!(first["components"], later["components"]);

    let mut fewer = inventory.clone();
    fewer.packages.pop();
    assert_ne!(
        cyclonedx::sbom_at(&fewer, "0.1.0", Some(TIME))["serialNumber"],
        serial
    );
    let mut other = inventory;
    other.image.manifest_digest = Some(format!("sha256:{}", "0".repeat(64)));
    assert_ne!(
        cyclonedx::sbom_at(&other, "0.1.0", Some(TIME))["serialNumber"],
        serial
    );
}

#[test]
fn cyclonedx_without_os_or_digest() {
    let bom = cyclonedx::sbom_at(&empty(), "0.1.0", Some(TIME));
    assert_eq!(bom["components"], serde_json::json!([]));
    assert_eq!(
        bom["metadata"]["component"]["name"],
        "docker-archive:/tmp/my image.tar"
    );
    assert!(bom["metadata"]["component"].get("version").is_none());
    assert_eq!(bom["dependencies"][0]["dependsOn"], serde_json::json!([]));
}

fn spdx_validators() -> [Validator; 2] {
    // Both files share one `$id`: separate validators, never one registry.
    [
        validator("spdx-schema-v2.3.json", &[]),
        validator("spdx-schema-v2.3.1.json", &[]),
    ]
}

#[test]
fn spdx_validates_against_2_3_and_2_3_1() {
    let [released, fixed] = spdx_validators();
    for (name, inventory) in [("bookworm", bookworm()), ("empty image", empty())] {
        let document = spdx::document(&inventory, TIME, "0.1.0");
        assert_valid(&released, &document, &format!("SPDX 2.3 ({name})"));
        assert_valid(&fixed, &document, &format!("SPDX 2.3.1 ({name})"));
    }
    let mut bad = spdx::document(&bookworm(), TIME, "0.1.0");
    bad["relationships"][0]["relationshipType"] = "HAS".into();
    assert!(
        !released.is_valid(&bad),
        "unknown relationship type accepted"
    );
}

fn is_spdx_id(id: &str) -> bool {
    id.strip_prefix("SPDXRef-").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    })
}

#[test]
fn spdx_content() {
    let inventory = bookworm();
    let document = spdx::document(&inventory, TIME, "0.1.0");
    assert_eq!(document["spdxVersion"], "SPDX-2.3");
    assert_eq!(document["dataLicense"], "CC0-1.0");
    assert_eq!(document["SPDXID"], "SPDXRef-DOCUMENT");
    assert_eq!(document["name"], "registry.example.com/shop/api:1.4.2");
    assert_eq!(document["creationInfo"]["created"], TIME);
    assert_eq!(
        document["creationInfo"]["creators"],
        serde_json::json!(["Tool: strata-0.1.0"])
    );

    let packages = document["packages"].as_array().unwrap();
    assert_eq!(packages.len(), inventory.packages.len() + 1);
    let image = &packages[0];
    assert_eq!(image["primaryPackagePurpose"], "CONTAINER");
    assert_eq!(
        image["versionInfo"],
        inventory.image.manifest_digest.as_deref().unwrap()
    );

    let ids = strings(packages.iter().map(|p| &p["SPDXID"]));
    assert!(ids.iter().all(|id| is_spdx_id(id)), "{ids:?}");
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        ids.len(),
        "duplicate SPDXID"
    );
    assert!(ids[1..].iter().all(|id| id.starts_with("SPDXRef-Package-")));

    for package in packages {
        assert_eq!(package["downloadLocation"], "NOASSERTION");
        assert_eq!(package["filesAnalyzed"], false);
        assert_eq!(package["licenseConcluded"], "NOASSERTION");
        assert_eq!(package["licenseDeclared"], "NOASSERTION");
    }
    let purls: HashSet<&str> = packages[1..]
        .iter()
        .map(|p| {
            let refs = p["externalRefs"].as_array().unwrap();
            assert_eq!(refs.len(), 1);
            assert_eq!(
                (
                    refs[0]["referenceCategory"].as_str(),
                    refs[0]["referenceType"].as_str()
                ),
                (Some("PACKAGE-MANAGER"), Some("purl"))
            );
            refs[0]["referenceLocator"].as_str().unwrap()
        })
        .collect();
    assert_eq!(purls, PURLS.into_iter().collect::<HashSet<_>>());

    let libc = packages.iter().find(|p| p["name"] == "libc6").unwrap();
    assert_eq!(libc["versionInfo"], "2.36-9+deb12u14");
    assert_eq!(libc["primaryPackagePurpose"], "LIBRARY");
    let source = libc["sourceInfo"].as_str().unwrap();
    assert!(
        source.contains(inventory.image.layers[0].diff_id.as_deref().unwrap()),
        "{source}"
    );
    assert!(source.contains("/var/lib/dpkg/status"), "{source}");

    // DOCUMENT DESCRIBES the image; the image CONTAINS each package.
    let relationships = document["relationships"].as_array().unwrap();
    assert_eq!(relationships.len(), inventory.packages.len() + 1);
    assert_eq!(
        relationships[0],
        serde_json::json!({
            "spdxElementId": "SPDXRef-DOCUMENT",
            "relationshipType": "DESCRIBES",
            "relatedSpdxElement": ids[0],
        })
    );
    for (relationship, id) in relationships[1..].iter().zip(&ids[1..]) {
        assert_eq!(
            (
                relationship["spdxElementId"].as_str(),
                relationship["relationshipType"].as_str()
            ),
            (Some(ids[0]), Some("CONTAINS"))
        );
        assert_eq!(relationship["relatedSpdxElement"], *id);
    }
}

#[test]
fn spdx_namespace_is_deterministic() {
    let inventory = bookworm();
    let namespace = spdx::document(&inventory, TIME, "0.1.0")["documentNamespace"]
        .as_str()
        .unwrap()
        .to_owned();
    let prefix = "https://strata.invalid/spdx/registry.example.com-shop-api-1.4.2-";
    assert!(namespace.starts_with(prefix), "{namespace}");
    assert!(is_uuid_v5(&namespace[prefix.len()..]), "{namespace}");
    assert_eq!(
        spdx::document(&inventory, "2027-01-01T00:00:00Z", "0.2.0")["documentNamespace"],
        namespace.as_str()
    );
    // The same id as the CycloneDX serial number.
    let serial = cyclonedx::sbom_at(&inventory, "0.1.0", Some(TIME))["serialNumber"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(namespace.ends_with(serial.strip_prefix("urn:uuid:").unwrap()));

    let mut fewer = inventory;
    fewer.packages.remove(0);
    assert_ne!(
        spdx::document(&fewer, TIME, "0.1.0")["documentNamespace"],
        namespace.as_str()
    );
    let empty = spdx::document(&empty(), TIME, "0.1.0");
    let namespace = empty["documentNamespace"].as_str().unwrap();
    assert!(
        namespace.starts_with("https://strata.invalid/spdx/docker-archive--tmp-my-image.tar-"),
        "{namespace}"
    );
}
