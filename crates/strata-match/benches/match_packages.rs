//! Matching 1,000 packages against a database of real advisories (the PyPA,
//! RustSec and Go OSV exports and the Debian tracker subset of the bookworm
//! minbase packages, as in the bundled snapshot): 63 Debian source packages of
//! a real bookworm root, and PyPI, crates.io and Go packages named by the
//! advisories at versions they list (so many lookups hit, as in a real image).
//! Run: `cargo bench -p strata-match`.

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use strata_catalog::PackageKind;
use strata_catalog::inventory::{ImageInfo, Inventory, InventoryPackage, OsInfo};
use strata_match::Matcher;
use strata_vulndb::store::{Builder, Db, Document};
use strata_vulndb::{Advisory, Event, feeds};

fn shared(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|d| d.join("shared/data"))
        .find(|d| d.is_dir())
        .expect("shared/data")
        .join(relative)
}

fn package(kind: PackageKind, ecosystem: &str, name: &str, version: &str) -> InventoryPackage {
    InventoryPackage {
        ecosystem: ecosystem.into(),
        name: name.into(),
        version: version.into(),
        source_name: None,
        source_version: None,
        arch: None,
        purl: format!("pkg:generic/{name}@{version}"),
        layer: None,
        layer_index: Some(0),
        paths: vec![format!("/{name}")],
        owner: None,
        kind,
        metadata: BTreeMap::new(),
    }
}

/// Up to `n` (name, version) pairs the advisories name, one per package.
fn named(advisories: &[Advisory], n: usize) -> Vec<(String, String)> {
    let mut seen = BTreeMap::new();
    for advisory in advisories {
        for affected in &advisory.affected {
            // A listed version, else a range bound (introduced: affected; fixed: not).
            let bound = affected
                .ranges
                .iter()
                .flat_map(|r| &r.events)
                .find_map(|e| match e {
                    Event::Introduced(v) if v != "0" && v != "0.0.0-0" => Some(v),
                    Event::Fixed(v) => Some(v),
                    _ => None,
                });
            if let Some(version) = affected.versions.first().or(bound) {
                seen.entry(affected.package.clone())
                    .or_insert_with(|| version.clone());
            }
        }
    }
    seen.into_iter().take(n).collect()
}

fn setup(dir: &std::path::Path) -> (Db, Inventory) {
    let path = dir.join("vuln.db");
    let mut builder = Builder::new(&path, false).unwrap();
    let doc = |origin: &str| Document {
        origin: origin.into(),
        source: origin.into(),
        ..Document::default()
    };
    let tracker = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../test-data/feeds/debian-tracker-minbase.json"),
    )
    .unwrap();
    let debian = feeds::debian::parse_tracker(&tracker).unwrap().records;
    builder.replace(&doc("debian"), &debian, &[]).unwrap();
    let pypi = feeds::osv::parse_dir(&shared("feeds/osv/PyPI/json"))
        .unwrap()
        .records;
    builder.replace(&doc("osv:PyPI"), &pypi, &[]).unwrap();
    let crates = feeds::osv::parse_dir(&shared("feeds/osv/crates.io"))
        .unwrap()
        .records;
    builder
        .replace(&doc("osv:crates.io"), &crates, &[])
        .unwrap();
    let go = feeds::osv::parse_dir(&shared("feeds/osv/Go"))
        .unwrap()
        .records;
    builder.replace(&doc("osv:Go"), &go, &[]).unwrap();
    builder.finish("2026-11-23T00:00:00Z").unwrap();

    // The Debian source packages of a real bookworm minbase root.
    let status =
        std::fs::read_to_string(shared("pkgdb/dpkg/debootstrap-bookworm-minbase/status")).unwrap();
    let mut packages = Vec::new();
    for stanza in status.split("\n\n") {
        let field = |name: &str| {
            stanza
                .lines()
                .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned()))
        };
        let (Some(name), Some(version)) = (field("Package:"), field("Version:")) else {
            continue;
        };
        let mut p = package(PackageKind::Deb, "Debian", &name, &version);
        p.source_name = field("Source:").map(|s| s.split(' ').next().unwrap_or("").to_owned());
        packages.push(p);
    }
    let rest = 1000 - packages.len();
    for (name, version) in named(&pypi, rest / 2) {
        packages.push(package(PackageKind::Python, "PyPI", &name, &version));
    }
    for (name, version) in named(&crates, rest / 4) {
        packages.push(package(PackageKind::Cargo, "crates.io", &name, &version));
    }
    let left = 1000 - packages.len();
    for (name, version) in named(&go, left) {
        packages.push(package(PackageKind::Go, "Go", &name, &version));
    }
    assert_eq!(
        packages.len(),
        1000,
        "enough advisory packages for the bench"
    );
    let inventory = Inventory {
        schema: strata_catalog::inventory::SCHEMA.into(),
        image: ImageInfo::default(),
        os: Some(OsInfo {
            id: "debian".into(),
            version_id: Some("12".into()),
            pretty_name: None,
            ecosystem: Some("Debian".into()),
            release: Some("12".into()),
        }),
        packages,
        warnings: Vec::new(),
    };
    (Db::open(&path).unwrap(), inventory)
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let (db, inventory) = setup(dir.path());
    let found = Matcher::new(&db).run(&inventory, 0).unwrap().findings.len();
    eprintln!("1,000 packages → {found} findings");
    let mut group = c.benchmark_group("match");
    group.throughput(Throughput::Elements(1000));
    group.bench_function("1000 packages (cold matcher)", |b| {
        b.iter(|| black_box(Matcher::new(&db).run(black_box(&inventory), 0).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
