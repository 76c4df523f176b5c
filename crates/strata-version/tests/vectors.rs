//! Every given vector (tests/data/vectors, from the upstream suites named in each
//! file's header and labelled by the reference implementations) through the public API.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::cmp::Ordering;
use std::path::PathBuf;

use strata_version::{Scheme, compare, satisfies};

fn vector_lines(file: &str) -> Vec<(usize, String)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/vectors")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| (i + 1, l.to_owned()))
        .collect()
}

fn check_comparisons(scheme: Scheme, file: &str) {
    let lines = vector_lines(file);
    assert!(!lines.is_empty(), "{file} has no vectors");
    let mut failures = Vec::new();
    for (number, line) in &lines {
        let [a, op, b] = line.split_whitespace().collect::<Vec<_>>()[..] else {
            panic!("{file}:{number}: malformed vector {line:?}");
        };
        let want = match op {
            "<" => Ordering::Less,
            "=" => Ordering::Equal,
            ">" => Ordering::Greater,
            _ => panic!("{file}:{number}: bad operator {op:?}"),
        };
        match compare(scheme, a, b) {
            Ok(got) if got == want => {}
            other => failures.push(format!("{file}:{number}: {line}  => {other:?}")),
        }
        // The order must be antisymmetric on every vector pair.
        if let Ok(reverse) = compare(scheme, b, a)
            && reverse != want.reverse()
        {
            failures.push(format!("{file}:{number}: reversed {b} {a} => {reverse:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        lines.len(),
        failures.join("\n")
    );
}

fn check_ranges(scheme: Scheme, file: &str) {
    let lines = vector_lines(file);
    assert!(!lines.is_empty(), "{file} has no vectors");
    let mut failures = Vec::new();
    for (number, line) in &lines {
        let mut parts = line.splitn(3, ' ');
        let (Some(version), Some(verdict), Some(range)) =
            (parts.next(), parts.next(), parts.next())
        else {
            panic!("{file}:{number}: malformed vector {line:?}");
        };
        let want = match verdict {
            "in" => true,
            "out" => false,
            _ => panic!("{file}:{number}: bad verdict {verdict:?}"),
        };
        let got = satisfies(scheme, version, range);
        if got != Ok(want) {
            failures.push(format!("{file}:{number}: {line}  => {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        lines.len(),
        failures.join("\n")
    );
}

#[test]
fn dpkg() {
    check_comparisons(Scheme::Dpkg, "dpkg.txt");
}

#[test]
fn rpm() {
    check_comparisons(Scheme::Rpm, "rpm.txt");
}

#[test]
fn apk() {
    check_comparisons(Scheme::Apk, "apk.txt");
}

#[test]
fn pep440() {
    check_comparisons(Scheme::Pep440, "pep440.txt");
}

#[test]
fn pep440_ranges() {
    check_ranges(Scheme::Pep440, "pep440-ranges.txt");
}

#[test]
fn npm() {
    check_comparisons(Scheme::Npm, "npm.txt");
}

#[test]
fn npm_ranges() {
    check_ranges(Scheme::Npm, "npm-ranges.txt");
}

#[test]
fn go() {
    check_comparisons(Scheme::Go, "go.txt");
}

#[test]
fn maven() {
    check_comparisons(Scheme::Maven, "maven.txt");
}

#[test]
fn rubygems() {
    check_comparisons(Scheme::Rubygems, "rubygems.txt");
}

#[test]
fn rubygems_ranges() {
    check_ranges(Scheme::Rubygems, "rubygems-ranges.txt");
}

#[test]
fn composer() {
    check_comparisons(Scheme::Composer, "composer.txt");
}

#[test]
fn composer_ranges() {
    check_ranges(Scheme::Composer, "composer-ranges.txt");
}

#[test]
fn nuget() {
    check_comparisons(Scheme::Nuget, "nuget.txt");
}

#[test]
fn every_vector_file_is_checked() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/vectors");
    let source = include_str!("vectors.rs");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".txt") {
            assert!(
                source.contains(&format!("\"{name}\")")),
                "{name} is not run by any test"
            );
        }
    }
}
