//! The version schemes Strata knows, and their names.

use std::fmt;
use std::str::FromStr;

/// A version scheme: the rules one ecosystem uses to order its versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Scheme {
    /// Debian and Ubuntu package versions (`[epoch:]upstream[-revision]`).
    Dpkg,
    /// RPM `[epoch:]version[-release]` (rpmvercmp, with `~` and `^`).
    Rpm,
    /// Alpine apk versions.
    Apk,
    /// Python package versions (PEP 440).
    Pep440,
    /// npm (node-semver, default options).
    Npm,
    /// Cargo's semver.
    Cargo,
    /// Go modules (golang.org/x/mod/semver).
    Go,
    /// Maven (ComparableVersion).
    Maven,
    /// RubyGems (Gem::Version).
    Rubygems,
    /// Composer / Packagist (composer/semver).
    Composer,
    /// NuGet (NuGet.Versioning).
    Nuget,
}

impl Scheme {
    /// Every scheme, in the order the CLI lists them.
    pub const ALL: [Scheme; 11] = [
        Scheme::Dpkg,
        Scheme::Rpm,
        Scheme::Apk,
        Scheme::Pep440,
        Scheme::Npm,
        Scheme::Cargo,
        Scheme::Go,
        Scheme::Maven,
        Scheme::Rubygems,
        Scheme::Composer,
        Scheme::Nuget,
    ];

    /// The scheme's name as the CLI spells it.
    pub const fn name(self) -> &'static str {
        match self {
            Scheme::Dpkg => "dpkg",
            Scheme::Rpm => "rpm",
            Scheme::Apk => "apk",
            Scheme::Pep440 => "pep440",
            Scheme::Npm => "npm",
            Scheme::Cargo => "cargo",
            Scheme::Go => "go",
            Scheme::Maven => "maven",
            Scheme::Rubygems => "rubygems",
            Scheme::Composer => "composer",
            Scheme::Nuget => "nuget",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error for a scheme name Strata does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown version scheme {0:?} (known: dpkg, rpm, apk, pep440, npm, cargo, go, maven, rubygems, composer, nuget)"
)]
pub struct UnknownScheme(pub String);

impl FromStr for Scheme {
    type Err = UnknownScheme;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scheme::ALL
            .into_iter()
            .find(|scheme| scheme.name() == s)
            .ok_or_else(|| UnknownScheme(s.to_owned()))
    }
}
