//! Version parsing, ordering and range evaluation for every ecosystem Strata scans.
//!
//! Each scheme lives in its own module and follows its ecosystem's reference
//! implementation (named in the module docs). [`Version`] and [`Range`] wrap them so
//! callers can work with any scheme chosen at run time; [`osv`] evaluates OSV
//! `affected` ranges on top of them.

use std::cmp::Ordering;
use std::fmt;

/// `PartialOrd`, `PartialEq` and `Eq` for a type whose `Ord::cmp` is its order,
/// so that equality always agrees with it.
macro_rules! impl_order_via_cmp {
    ($type:ty) => {
        impl PartialOrd for $type {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl PartialEq for $type {
            fn eq(&self, other: &Self) -> bool {
                self.cmp(other) == std::cmp::Ordering::Equal
            }
        }

        impl Eq for $type {}
    };
}

/// `FromStr` for a type with `fn parse(&str) -> Result<Self, Error>`.
macro_rules! impl_from_str_via_parse {
    ($type:ty) => {
        impl std::str::FromStr for $type {
            type Err = $crate::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$type>::parse(s)
            }
        }
    };
}

pub mod apk;
pub mod cargo;
mod comparators;
pub mod composer;
mod digits;
pub mod dpkg;
mod error;
pub mod go;
pub mod maven;
pub mod npm;
pub mod nuget;
pub mod osv;
pub mod pep440;
pub mod rpm;
pub mod rubygems;
mod scheme;

pub use comparators::{Comparator, Comparators, Op};
pub use error::{Error, ErrorKind, MAX_INPUT_LEN, check_len};
pub use scheme::{Scheme, UnknownScheme};

/// A parsed version of any scheme. Versions of different schemes do not compare.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Version {
    /// Debian / Ubuntu.
    Dpkg(dpkg::Version),
    /// RPM.
    Rpm(rpm::Version),
    /// Alpine.
    Apk(apk::Version),
    /// Python.
    Pep440(pep440::Version),
    /// npm.
    Npm(npm::Version),
    /// Cargo.
    Cargo(cargo::Version),
    /// Go modules.
    Go(go::Version),
    /// Maven.
    Maven(maven::Version),
    /// RubyGems.
    Rubygems(rubygems::Version),
    /// Composer.
    Composer(composer::Version),
    /// NuGet.
    Nuget(nuget::Version),
}

impl Version {
    /// Parses `input` with the rules of `scheme`.
    pub fn parse(scheme: Scheme, input: &str) -> Result<Version, Error> {
        Ok(match scheme {
            Scheme::Dpkg => Version::Dpkg(dpkg::Version::parse(input)?),
            Scheme::Rpm => Version::Rpm(rpm::Version::parse(input)?),
            Scheme::Apk => Version::Apk(apk::Version::parse(input)?),
            Scheme::Pep440 => Version::Pep440(pep440::Version::parse(input)?),
            Scheme::Npm => Version::Npm(npm::Version::parse(input)?),
            Scheme::Cargo => Version::Cargo(cargo::Version::parse(input)?),
            Scheme::Go => Version::Go(go::Version::parse(input)?),
            Scheme::Maven => Version::Maven(maven::Version::parse(input)?),
            Scheme::Rubygems => Version::Rubygems(rubygems::Version::parse(input)?),
            Scheme::Composer => Version::Composer(composer::Version::parse(input)?),
            Scheme::Nuget => Version::Nuget(nuget::Version::parse(input)?),
        })
    }

    /// The scheme this version belongs to.
    pub fn scheme(&self) -> Scheme {
        match self {
            Version::Dpkg(_) => Scheme::Dpkg,
            Version::Rpm(_) => Scheme::Rpm,
            Version::Apk(_) => Scheme::Apk,
            Version::Pep440(_) => Scheme::Pep440,
            Version::Npm(_) => Scheme::Npm,
            Version::Cargo(_) => Scheme::Cargo,
            Version::Go(_) => Scheme::Go,
            Version::Maven(_) => Scheme::Maven,
            Version::Rubygems(_) => Scheme::Rubygems,
            Version::Composer(_) => Scheme::Composer,
            Version::Nuget(_) => Scheme::Nuget,
        }
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.partial_cmp(other) == Some(Ordering::Equal)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(match (self, other) {
            (Version::Dpkg(a), Version::Dpkg(b)) => a.cmp(b),
            (Version::Rpm(a), Version::Rpm(b)) => a.cmp(b),
            (Version::Apk(a), Version::Apk(b)) => a.cmp(b),
            (Version::Pep440(a), Version::Pep440(b)) => a.cmp(b),
            (Version::Npm(a), Version::Npm(b)) => a.cmp(b),
            (Version::Cargo(a), Version::Cargo(b)) => a.cmp(b),
            (Version::Go(a), Version::Go(b)) => a.cmp(b),
            (Version::Maven(a), Version::Maven(b)) => a.cmp(b),
            (Version::Rubygems(a), Version::Rubygems(b)) => a.cmp(b),
            (Version::Composer(a), Version::Composer(b)) => a.cmp(b),
            (Version::Nuget(a), Version::Nuget(b)) => a.cmp(b),
            _ => return None,
        })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Dpkg(v) => v.fmt(f),
            Version::Rpm(v) => v.fmt(f),
            Version::Apk(v) => v.fmt(f),
            Version::Pep440(v) => v.fmt(f),
            Version::Npm(v) => v.fmt(f),
            Version::Cargo(v) => v.fmt(f),
            Version::Go(v) => v.fmt(f),
            Version::Maven(v) => v.fmt(f),
            Version::Rubygems(v) => v.fmt(f),
            Version::Composer(v) => v.fmt(f),
            Version::Nuget(v) => v.fmt(f),
        }
    }
}

/// Compares two version strings with the rules of `scheme`.
///
/// Empty and over-long input is refused for every scheme. Beyond that, Go and
/// apk follow their references, which order any two strings: Go's
/// `semver.Compare` puts invalid strings below every valid version (and equal to
/// each other), apk-tools' `apk_version_compare` compares whatever tokens it finds.
/// Every other scheme refuses invalid input.
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Result<Ordering, Error> {
    check_len(scheme, ErrorKind::Version, a)?;
    check_len(scheme, ErrorKind::Version, b)?;
    match scheme {
        Scheme::Go => return Ok(go::compare_lenient(a, b)),
        Scheme::Apk => return Ok(apk::compare_lenient(a, b)),
        _ => {}
    }
    let a = Version::parse(scheme, a)?;
    let b = Version::parse(scheme, b)?;
    // Same scheme on both sides, so the order is always defined.
    Ok(a.partial_cmp(&b).unwrap_or(Ordering::Equal))
}

/// Whether `version` satisfies `range` (native syntax), with the reference's
/// treatment of invalid input:
///
/// - npm: node-semver's `satisfies()` answers false for an invalid version and
///   for an invalid range.
/// - PEP 440: packaging 26's `SpecifierSet(range).contains(version)` raises
///   `InvalidSpecifier` for an invalid range (an error here) but answers false
///   for a version it cannot parse.
/// - Every other scheme: invalid input of either kind is an error.
pub fn satisfies(scheme: Scheme, version: &str, range: &str) -> Result<bool, Error> {
    match scheme {
        Scheme::Npm => Ok(Range::parse(scheme, range)
            .and_then(|range| Ok(range.contains(&Version::parse(scheme, version)?)))
            .unwrap_or(false)),
        // The specifier set is built first, so a bad range wins over a bad version.
        Scheme::Pep440 => {
            let range = Range::parse(scheme, range)?;
            Ok(Version::parse(scheme, version).is_ok_and(|version| range.contains(&version)))
        }
        _ => {
            let version = Version::parse(scheme, version)?;
            Ok(Range::parse(scheme, range)?.contains(&version))
        }
    }
}

/// A range in a scheme's native syntax: npm ranges, PEP 440 specifier sets,
/// RubyGems requirements, Composer constraints, Maven and NuGet interval notation,
/// Cargo requirements; for dpkg, rpm, apk and go a comparator list (`>= 1.2, < 2.0`).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Range {
    /// dpkg, rpm, apk, go: [`Comparators`].
    Comparators(Comparators),
    /// PEP 440 specifier set.
    Pep440(pep440::Range),
    /// node-semver range.
    Npm(npm::Range),
    /// Cargo `VersionReq`.
    Cargo(cargo::Range),
    /// Maven version range.
    Maven(maven::Range),
    /// RubyGems requirement.
    Rubygems(rubygems::Range),
    /// Composer constraint.
    Composer(composer::Range),
    /// NuGet version range.
    Nuget(nuget::Range),
}

impl Range {
    /// Parses `input` in the native range syntax of `scheme`.
    pub fn parse(scheme: Scheme, input: &str) -> Result<Range, Error> {
        Ok(match scheme {
            Scheme::Dpkg | Scheme::Rpm | Scheme::Apk | Scheme::Go => {
                Range::Comparators(Comparators::parse(scheme, input)?)
            }
            Scheme::Pep440 => Range::Pep440(pep440::Range::parse(input)?),
            Scheme::Npm => Range::Npm(npm::Range::parse(input)?),
            Scheme::Cargo => Range::Cargo(cargo::Range::parse(input)?),
            Scheme::Maven => Range::Maven(maven::Range::parse(input)?),
            Scheme::Rubygems => Range::Rubygems(rubygems::Range::parse(input)?),
            Scheme::Composer => Range::Composer(composer::Range::parse(input)?),
            Scheme::Nuget => Range::Nuget(nuget::Range::parse(input)?),
        })
    }

    /// Whether `version` satisfies the range. A version of another scheme never does.
    pub fn contains(&self, version: &Version) -> bool {
        match (self, version) {
            (Range::Comparators(r), v) => r.contains(v),
            (Range::Pep440(r), Version::Pep440(v)) => r.contains(v),
            (Range::Npm(r), Version::Npm(v)) => r.contains(v),
            (Range::Cargo(r), Version::Cargo(v)) => r.contains(v),
            (Range::Maven(r), Version::Maven(v)) => r.contains(v),
            (Range::Rubygems(r), Version::Rubygems(v)) => r.contains(v),
            (Range::Composer(r), Version::Composer(v)) => r.contains(v),
            (Range::Nuget(r), Version::Nuget(v)) => r.contains(v),
            _ => false,
        }
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Range::Comparators(r) => r.fmt(f),
            Range::Pep440(r) => r.fmt(f),
            Range::Npm(r) => r.fmt(f),
            Range::Cargo(r) => r.fmt(f),
            Range::Maven(r) => r.fmt(f),
            Range::Rubygems(r) => r.fmt(f),
            Range::Composer(r) => r.fmt(f),
            Range::Nuget(r) => r.fmt(f),
        }
    }
}

impl Scheme {
    /// The scheme an OSV ecosystem's versions use. The release suffix
    /// (`Debian:12`, `Alpine:v3.18`) is ignored.
    pub fn for_osv_ecosystem(ecosystem: &str) -> Option<Scheme> {
        let base = ecosystem.split(':').next().unwrap_or(ecosystem);
        Some(match base {
            "Debian" | "Ubuntu" => Scheme::Dpkg,
            "Alpine" | "Wolfi" | "Chainguard" => Scheme::Apk,
            "Red Hat" | "AlmaLinux" | "Rocky Linux" | "Rocky" | "openSUSE" | "SUSE" | "Mageia"
            | "openEuler" | "Azure Linux" | "Photon OS" | "Oracle Linux" => Scheme::Rpm,
            "PyPI" => Scheme::Pep440,
            "npm" => Scheme::Npm,
            "crates.io" => Scheme::Cargo,
            "Go" => Scheme::Go,
            "Maven" => Scheme::Maven,
            "RubyGems" => Scheme::Rubygems,
            "Packagist" => Scheme::Composer,
            "NuGet" => Scheme::Nuget,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn satisfies_npm_answers_false_for_any_invalid_input() {
        assert_eq!(satisfies(Scheme::Npm, "1.2.3", ">=1.0.0"), Ok(true));
        assert_eq!(
            satisfies(Scheme::Npm, "not a version", ">=1.0.0"),
            Ok(false)
        );
        assert_eq!(satisfies(Scheme::Npm, "1.2.3", "blerg"), Ok(false));
        assert_eq!(satisfies(Scheme::Npm, "nope", "blerg"), Ok(false));
        assert_eq!(satisfies(Scheme::Npm, "", ">=1.0.0"), Ok(false));
    }

    #[test]
    fn satisfies_pep440_refuses_bad_ranges_but_not_bad_versions() {
        assert_eq!(satisfies(Scheme::Pep440, "1.5", ">=1.0,<2"), Ok(true));
        assert_eq!(satisfies(Scheme::Pep440, "foobar", ">=1.0"), Ok(false));
        assert_eq!(satisfies(Scheme::Pep440, "", ">=1.0"), Ok(false));
        let long = "1".repeat(MAX_INPUT_LEN + 1);
        assert_eq!(satisfies(Scheme::Pep440, &long, ">=1.0"), Ok(false));
        for (version, range) in [("1.5", "=>1.0"), ("foobar", "=>1.0"), ("1.5", "")] {
            let err = satisfies(Scheme::Pep440, version, range).unwrap_err();
            assert_eq!(err.kind, ErrorKind::Range, "{version:?} {range:?}");
        }
    }

    #[test]
    fn satisfies_other_schemes_refuse_invalid_input() {
        assert_eq!(satisfies(Scheme::Rubygems, "1.5", "~> 1.4"), Ok(true));
        let err = satisfies(Scheme::Rubygems, "1..5", "~> 1.4").unwrap_err();
        assert_eq!(err.kind, ErrorKind::Version);
        let err = satisfies(Scheme::Rubygems, "1.5", "~>").unwrap_err();
        assert_eq!(err.kind, ErrorKind::Range);
        let err = satisfies(Scheme::Dpkg, "1.0", ">= a b").unwrap_err();
        assert_eq!(err.kind, ErrorKind::Range);
    }

    #[test]
    fn compare_refuses_empty_and_over_long_input_in_every_scheme() {
        let long = "1".repeat(MAX_INPUT_LEN + 1);
        for scheme in Scheme::ALL {
            for (a, b) in [("", "1.0"), ("1.0", ""), (long.as_str(), "1.0")] {
                let err = compare(scheme, a, b).unwrap_err();
                assert_eq!(err.kind, ErrorKind::Version, "{scheme}");
            }
        }
        // Within the limit, Go and apk still order invalid strings.
        assert_eq!(compare(Scheme::Go, "bad", "v1.0.0"), Ok(Ordering::Less));
        assert_eq!(compare(Scheme::Apk, "1.0", "1.0bc"), Ok(Ordering::Less));
    }
}
