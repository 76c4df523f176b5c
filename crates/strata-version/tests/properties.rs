//! Properties every scheme's order must have: total, antisymmetric, transitive,
//! consistent with `compare`, and `parse(display(v)) == v`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::cmp::Ordering;

use proptest::prelude::*;
use proptest::string::string_regex;
use strata_version::{Scheme, Version, compare};

/// Plausible version strings per scheme (most parse; those that don't are skipped).
fn pattern(scheme: Scheme) -> &'static str {
    match scheme {
        Scheme::Dpkg => r"([0-9]{1,3}:)?[0-9][0-9a-z.+~]{0,8}(-[0-9a-z.+~]{1,6})?",
        Scheme::Rpm => r"([0-9]{1,2}:)?[0-9a-z._+~^]{1,10}(-[0-9a-z._+~^]{1,6})?",
        Scheme::Apk => {
            r"[0-9]{1,3}(\.[0-9]{1,3}){0,3}[a-z]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]{0,2})?(-r[0-9]{1,2})?"
        }
        Scheme::Pep440 => {
            r"([0-9]!)?[0-9]{1,3}(\.[0-9]{1,3}){0,3}((a|b|rc|alpha|c)[0-9]{1,2})?(\.post[0-9])?(\.dev[0-9])?(\+[a-z0-9]{1,4}(\.[a-z0-9]{1,3})?)?"
        }
        Scheme::Npm => {
            r"v?[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(-[0-9a-zA-Z]{1,5}(\.[0-9a-zA-Z]{1,5}){0,2})?(\+[0-9a-zA-Z]{1,5})?"
        }
        Scheme::Cargo => {
            r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(-[0-9a-zA-Z]{1,5}(\.[0-9a-zA-Z]{1,5}){0,2})?(\+[0-9a-zA-Z]{1,5})?"
        }
        Scheme::Go => {
            r"v[0-9]{1,3}(\.[0-9]{1,3}(\.[0-9]{1,3}(-[0-9a-z]{1,5}(\.[0-9a-z]{1,5}){0,2})?(\+incompatible)?)?)?"
        }
        Scheme::Maven => {
            r"[0-9]{1,3}(\.[0-9]{1,3}){0,3}([-.]?(alpha|beta|milestone|rc|cr|snapshot|ga|final|sp|a|b|m|foo)[0-9]{0,2}){0,2}"
        }
        Scheme::Rubygems => r"[0-9]{1,3}(\.[0-9]{1,3}){0,3}(\.?[a-z]{1,4}[0-9]{0,2})?",
        Scheme::Composer => {
            r"v?[0-9]{1,3}(\.[0-9]{1,3}){0,3}(-?(alpha|beta|RC|patch|pl|p|a|b|dev)[0-9]{0,2})?|dev-[a-z]{1,5}"
        }
        Scheme::Nuget => {
            r"[0-9]{1,3}(\.[0-9]{1,3}){1,3}(-[0-9a-zA-Z]{1,5}(\.[0-9a-zA-Z]{1,5}){0,2})?(\+[0-9a-zA-Z]{1,5})?"
        }
        _ => r"[0-9]\.[0-9]",
    }
}

fn versions(scheme: Scheme) -> impl Strategy<Value = String> {
    string_regex(pattern(scheme)).expect("valid pattern")
}

fn scheme_and_three() -> impl Strategy<Value = (Scheme, String, String, String)> {
    proptest::sample::select(Scheme::ALL.to_vec())
        .prop_flat_map(|s| (Just(s), versions(s), versions(s), versions(s)))
}

fn parse(scheme: Scheme, text: &str) -> Option<Version> {
    Version::parse(scheme, text).ok()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn order_is_total_antisymmetric_and_transitive((scheme, a, b, c) in scheme_and_three()) {
        let (Some(a), Some(b), Some(c)) = (parse(scheme, &a), parse(scheme, &b), parse(scheme, &c)) else {
            return Ok(());
        };
        let ab = a.partial_cmp(&b);
        prop_assert!(ab.is_some());
        prop_assert_eq!(b.partial_cmp(&a), ab.map(Ordering::reverse));
        prop_assert_eq!(a.partial_cmp(&a), Some(Ordering::Equal));
        if a <= b && b <= c {
            prop_assert!(a <= c, "{a} <= {b} <= {c} but not {a} <= {c}");
        }
        if a == b && b == c {
            prop_assert!(a == c);
        }
    }

    #[test]
    fn display_parses_back_equal((scheme, a, _, _) in scheme_and_three()) {
        if let Some(v) = parse(scheme, &a) {
            let shown = v.to_string();
            let again = Version::parse(scheme, &shown);
            prop_assert!(again.is_ok(), "{scheme}: {a:?} displays as {shown:?}, which does not parse");
            prop_assert_eq!(again.ok(), Some(v));
        }
    }

    #[test]
    fn compare_agrees_with_parsed_order((scheme, a, b, _) in scheme_and_three()) {
        if let (Some(va), Some(vb)) = (parse(scheme, &a), parse(scheme, &b)) {
            prop_assert_eq!(compare(scheme, &a, &b).ok(), va.partial_cmp(&vb));
        }
    }

    #[test]
    fn arbitrary_input_never_panics(scheme in proptest::sample::select(Scheme::ALL.to_vec()), text in ".{0,40}") {
        let _ = compare(scheme, &text, "1.0");
        let _ = strata_version::Range::parse(scheme, &text);
    }
}

#[test]
fn versions_of_different_schemes_do_not_compare() {
    let dpkg = Version::parse(Scheme::Dpkg, "1.0").unwrap();
    let rpm = Version::parse(Scheme::Rpm, "1.0").unwrap();
    assert_eq!(dpkg.partial_cmp(&rpm), None);
    assert!(dpkg != rpm);
}
