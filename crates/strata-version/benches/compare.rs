//! Comparisons and range checks per second, per scheme, on the vector files (and on
//! the versions of a real Debian 12 root for the "typical dpkg" case).
//! Run: `cargo bench -p strata-version`.

#![allow(clippy::expect_used, clippy::panic, clippy::unwrap_used)]

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use strata_version::{Range, Scheme, Version, compare};

fn data(file: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
}

/// Pairs of a comparison vector file that parse in the scheme (Cargo has no
/// vector file of its own: it borrows npm's SemVer pairs).
fn vector_pairs(scheme: Scheme) -> Vec<(Version, Version)> {
    let file = if scheme == Scheme::Cargo {
        Scheme::Npm
    } else {
        scheme
    };
    let text = data(&format!("vectors/{file}.txt"));
    lines(&text)
        .filter_map(|l| {
            let mut p = l.split_whitespace();
            let (a, _, b) = (p.next()?, p.next()?, p.next()?);
            Some((
                Version::parse(scheme, a).ok()?,
                Version::parse(scheme, b).ok()?,
            ))
        })
        .collect()
}

fn comparisons(c: &mut Criterion) {
    let mut group = c.benchmark_group("compare-parsed");
    for scheme in Scheme::ALL {
        let pairs = vector_pairs(scheme);
        group.throughput(Throughput::Elements(pairs.len() as u64));
        group.bench_function(scheme.name(), |b| {
            b.iter(|| {
                for (x, y) in &pairs {
                    black_box(x.partial_cmp(y));
                }
            });
        });
    }
    group.finish();

    // Typical Debian versions, every pair: the matcher's hot loop.
    let text = data("dpkg-bookworm-versions.txt");
    let versions: Vec<Version> = lines(&text)
        .map(|v| Version::parse(Scheme::Dpkg, v).expect("real dpkg version"))
        .collect();
    let strings: Vec<&str> = lines(&text).collect();
    let mut group = c.benchmark_group("dpkg-bookworm-all-pairs");
    group.throughput(Throughput::Elements(
        (versions.len() * versions.len()) as u64,
    ));
    group.bench_function("parsed", |b| {
        b.iter(|| {
            for x in &versions {
                for y in &versions {
                    black_box(x.partial_cmp(y));
                }
            }
        });
    });
    group.bench_function("parse-and-compare-strings", |b| {
        b.iter(|| {
            for x in &strings {
                for y in &strings {
                    black_box(compare(Scheme::Dpkg, x, y).ok());
                }
            }
        });
    });
    group.finish();
}

fn range_checks(c: &mut Criterion) {
    let mut group = c.benchmark_group("range-contains");
    for scheme in [
        Scheme::Npm,
        Scheme::Pep440,
        Scheme::Rubygems,
        Scheme::Composer,
    ] {
        let text = data(&format!("vectors/{scheme}-ranges.txt"));
        let cases: Vec<(Version, Range)> = lines(&text)
            .filter_map(|l| {
                let mut p = l.splitn(3, ' ');
                let (v, _, r) = (p.next()?, p.next()?, p.next()?);
                Some((
                    Version::parse(scheme, v).ok()?,
                    Range::parse(scheme, r).ok()?,
                ))
            })
            .collect();
        group.throughput(Throughput::Elements(cases.len() as u64));
        group.bench_function(scheme.name(), |b| {
            b.iter(|| {
                for (v, r) in &cases {
                    black_box(r.contains(v));
                }
            });
        });
    }
    // A typical OS advisory check: is this installed version in `>= a, < b`?
    let range = Range::parse(Scheme::Dpkg, ">= 2.36-1, < 2.36-9+deb12u4").expect("range");
    let text = data("dpkg-bookworm-versions.txt");
    let versions: Vec<Version> = lines(&text)
        .filter_map(|v| Version::parse(Scheme::Dpkg, v).ok())
        .collect();
    group.throughput(Throughput::Elements(versions.len() as u64));
    group.bench_function("dpkg-comparators", |b| {
        b.iter(|| {
            for v in &versions {
                black_box(range.contains(v));
            }
        });
    });
    group.finish();
}

criterion_group!(benches, comparisons, range_checks);
criterion_main!(benches);
