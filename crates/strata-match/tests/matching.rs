//! The matcher on a database built from real feed samples (the Debian tracker
//! subset of glibc/vim, the RustSec and PyPA OSV exports), with packages whose
//! expected outcome is read off the advisories themselves.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use strata_catalog::PackageKind;
use strata_catalog::inventory::{ImageInfo, Inventory, InventoryPackage, LayerInfo, Owner};
use strata_match::Matcher;
use support::{document, package, shared};

mod support;
use strata_vulndb::feeds;
use strata_vulndb::store::{Builder, Db};

fn database(dir: &Path) -> Db {
    let path = dir.join("vuln.db");
    let mut builder = Builder::new(&path, false).unwrap();
    let tracker = std::fs::read(shared(
        "feeds/debian/tracker-json/glvd-subset-vim-glibc.json",
    ))
    .unwrap();
    let debian = feeds::debian::parse_tracker(&tracker).unwrap();
    builder
        .replace(&document("debian"), &debian.records, &[])
        .unwrap();
    let crates = feeds::osv::parse_dir(&shared("feeds/osv/crates.io")).unwrap();
    builder
        .replace(&document("osv:crates.io"), &crates.records, &[])
        .unwrap();
    let go = feeds::osv::parse_dir(&shared("feeds/osv/Go")).unwrap();
    builder
        .replace(&document("osv:Go"), &go.records, &[])
        .unwrap();
    let pypi = feeds::osv::parse_dir(&shared("feeds/osv/PyPI/json")).unwrap();
    builder
        .replace(&document("osv:PyPI"), &pypi.records, &[])
        .unwrap();
    builder.finish("2026-11-23T00:00:00Z").unwrap();
    Db::open(&path).unwrap()
}

fn debian_12(packages: Vec<InventoryPackage>) -> Inventory {
    let image = ImageInfo {
        reference: "test".into(),
        layers: vec![
            LayerInfo {
                index: 0,
                created_by: Some("ADD rootfs".into()),
                ..LayerInfo::default()
            },
            LayerInfo {
                index: 1,
                created_by: Some("RUN install".into()),
                ..LayerInfo::default()
            },
        ],
        ..ImageInfo::default()
    };
    support::debian_12(image, packages)
}

fn libc6(source_version: &str) -> InventoryPackage {
    let mut p = package(PackageKind::Deb, "Debian", "libc6", source_version);
    p.source_name = Some("glibc".into());
    p
}

#[test]
fn debian_packages_match_by_source_package_and_release() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    // The tracker: CVE-2024-33601 in glibc, bookworm fixed in 2.36-9+deb12u7.
    let before = debian_12(vec![libc6("2.36-9+deb12u4")]);
    let matched = Matcher::new(&db).run(&before, 1).unwrap();
    let finding = matched
        .findings
        .iter()
        .find(|f| f.id == "CVE-2024-33601")
        .expect("found");
    assert_eq!(finding.package.name, "libc6");
    assert_eq!(finding.package.source_name.as_deref(), Some("glibc"));
    assert_eq!(finding.fixed_versions, ["2.36-9+deb12u7"]);
    assert_eq!(finding.namespace, "Debian:12");
    let layer = finding.layer.as_ref().unwrap();
    assert_eq!((layer.index, layer.in_base_image), (1, false));
    assert_eq!(layer.created_by.as_deref(), Some("RUN install"));
    assert!(matched.os.unwrap().supported);
    // At the fixed version, and at a later one, nothing.
    for version in ["2.36-9+deb12u7", "2.36-9+deb12u10"] {
        let after = debian_12(vec![libc6(version)]);
        let matched = Matcher::new(&db).run(&after, 0).unwrap();
        assert!(
            !matched.findings.iter().any(|f| f.id == "CVE-2024-33601"),
            "{version}"
        );
    }
    // Layer 1 counted as base when the base has two layers.
    let matched = Matcher::new(&db).run(&before, 2).unwrap();
    assert!(matched.findings[0].layer.as_ref().unwrap().in_base_image);
}

#[test]
fn an_os_release_without_data_is_not_checked_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let mut inventory = debian_12(vec![libc6("2.36-9+deb12u4")]);
    let os = inventory.os.as_mut().unwrap();
    // The tracker subset covers bullseye, bookworm, trixie and sid; not forky.
    os.version_id = Some("14".into());
    os.release = Some("14".into());
    let matched = Matcher::new(&db).run(&inventory, 0).unwrap();
    assert!(!matched.os.unwrap().supported);
    assert!(matched.findings.is_empty());
}

#[test]
fn language_packages_use_their_ecosystem_and_skip_distro_owned_ones() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    // PYSEC-2019-132 (urllib3, fixed 1.24.3) lists 1.23 among its affected versions.
    let urllib3 = package(PackageKind::Python, "PyPI", "urllib3", "1.23");
    let mut owned = package(PackageKind::Python, "PyPI", "urllib3", "1.23");
    owned.paths = vec!["/usr/lib/python3/dist-packages/urllib3".into()];
    owned.owner = Some(Owner {
        ecosystem: "Debian".into(),
        name: "python3-urllib3".into(),
        version: "1.26.12-1".into(),
    });
    let matched = Matcher::new(&db)
        .run(&debian_12(vec![urllib3, owned]), 0)
        .unwrap();
    let urllib3: Vec<_> = matched
        .findings
        .iter()
        .filter(|f| f.package.name == "urllib3")
        .collect();
    assert!(urllib3.iter().any(|f| f.id == "PYSEC-2019-132"));
    assert!(
        urllib3.iter().all(|f| f.package.paths == ["/urllib3"]),
        "the distro-owned copy is left to Debian's advisories"
    );
    // PEP 503: `Django` is looked up as `django`.
    let django = package(PackageKind::Python, "PyPI", "Django", "2.2.0");
    let matched = Matcher::new(&db).run(&debian_12(vec![django]), 0).unwrap();
    assert!(!matched.findings.is_empty());
}

#[test]
fn withdrawn_advisories_never_match() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    // RUSTSEC-2019-0031 (spin) is withdrawn in the RustSec export.
    let spin = package(PackageKind::Cargo, "crates.io", "spin", "0.5.0");
    let matched = Matcher::new(&db).run(&debian_12(vec![spin]), 0).unwrap();
    assert!(!matched.findings.iter().any(|f| f.id == "RUSTSEC-2019-0031"));
}

#[test]
fn unparsable_versions_are_reported_as_unchecked() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let odd = package(PackageKind::Cargo, "crates.io", "smallvec", "not a version");
    let matched = Matcher::new(&db).run(&debian_12(vec![odd]), 0).unwrap();
    assert!(matched.findings.is_empty());
    assert_eq!(matched.unchecked.len(), 1);
    assert!(matched.unchecked[0].package.contains("smallvec"));
}

#[test]
fn go_toolchain_versions_match_stdlib_advisories() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    // GO-2023-1568 (stdlib): introduced 0, fixed 1.19.6; introduced 1.20.0-0, fixed 1.20.1.
    let found = |version: &str| {
        let stdlib = package(PackageKind::Go, "Go", "stdlib", version);
        Matcher::new(&db)
            .run(&debian_12(vec![stdlib]), 0)
            .unwrap()
            .findings
            .iter()
            .any(|f| f.id == "GO-2023-1568")
    };
    assert!(found("go1.20"));
    assert!(found("go1.19.5"));
    assert!(!found("go1.20.1"));
    assert!(!found("go1.19.6"));
}
