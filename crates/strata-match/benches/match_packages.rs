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
use strata_catalog::inventory::{ImageInfo, Inventory};
use strata_match::Matcher;
use support::{debian_12, document, package, shared};

#[path = "../tests/support/mod.rs"]
mod support;
use strata_vulndb::store::{Builder, Db};
use strata_vulndb::{Advisory, Event, feeds};

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
    let tracker = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../test-data/feeds/debian-tracker-minbase.json"),
    )
    .unwrap();
    let debian = feeds::debian::parse_tracker(&tracker).unwrap().records;
    builder.replace(&document("debian"), &debian, &[]).unwrap();
    let pypi = feeds::osv::parse_dir(&shared("feeds/osv/PyPI/json"))
        .unwrap()
        .records;
    builder.replace(&document("osv:PyPI"), &pypi, &[]).unwrap();
    let crates = feeds::osv::parse_dir(&shared("feeds/osv/crates.io"))
        .unwrap()
        .records;
    builder
        .replace(&document("osv:crates.io"), &crates, &[])
        .unwrap();
    let go = feeds::osv::parse_dir(&shared("feeds/osv/Go"))
        .unwrap()
        .records;
    builder.replace(&document("osv:Go"), &go, &[]).unwrap();
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
    let inventory = debian_12(ImageInfo::default(), packages);
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
