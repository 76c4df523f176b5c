//! Cargo versions and requirements, using the `semver` crate that Cargo itself uses.
//! Ordering is SemVer precedence: build metadata does not count (Cargo treats
//! `1.0.0+a` and `1.0.0+b` as the same version).

use std::cmp::Ordering;
use std::fmt;

use crate::{Error, ErrorKind, Scheme, check_len};

/// A Cargo (SemVer 2.0) version.
#[derive(Debug, Clone)]
pub struct Version(semver::Version);

impl Version {
    /// Parses strictly, as Cargo does (no `v` prefix, no leading zeros, three parts).
    pub fn parse(input: &str) -> Result<Version, Error> {
        check_len(Scheme::Cargo, ErrorKind::Version, input)?;
        semver::Version::parse(input)
            .map(Version)
            .map_err(|e| Error::version(Scheme::Cargo, input, e.to_string()))
    }

    /// The underlying `semver` version.
    pub fn as_semver(&self) -> &semver::Version {
        &self.0
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp_precedence(&other.0)
    }
}

impl_order_via_cmp!(Version);

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl_from_str_via_parse!(Version);

/// A Cargo version requirement (`^1.2`, `~1.2.3`, `>=1, <2`, `1.*`, `=1.2.3`).
#[derive(Debug, Clone)]
pub struct Range(semver::VersionReq);

impl Range {
    /// Parses a requirement as Cargo's manifest does.
    pub fn parse(input: &str) -> Result<Range, Error> {
        check_len(Scheme::Cargo, ErrorKind::Range, input)?;
        semver::VersionReq::parse(input)
            .map(Range)
            .map_err(|e| Error::range(Scheme::Cargo, input, e.to_string()))
    }

    /// Whether the version satisfies the requirement, with Cargo's rule that a
    /// pre-release only matches a comparator naming the same `major.minor.patch`.
    pub fn contains(&self, version: &Version) -> bool {
        self.0.matches(&version.0)
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn build_metadata_does_not_order() {
        assert_eq!(v("1.0.0+a"), v("1.0.0+b"));
        assert!(v("1.0.0-alpha") < v("1.0.0"));
        assert!(v("1.0.0-alpha.2") < v("1.0.0-alpha.10"));
    }

    #[test]
    fn strict_like_cargo() {
        for bad in ["1.0", "v1.0.0", "01.0.0", "1.0.0-", ""] {
            assert!(Version::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn caret_is_the_default_and_prereleases_need_opt_in() {
        let r = Range::parse("1.2.3").unwrap();
        assert!(r.contains(&v("1.9.0")));
        assert!(!r.contains(&v("2.0.0")));
        assert!(!r.contains(&v("1.3.0-beta")));
        assert!(
            Range::parse(">=1.3.0-beta, <2")
                .unwrap()
                .contains(&v("1.3.0-beta.2"))
        );
    }
}
