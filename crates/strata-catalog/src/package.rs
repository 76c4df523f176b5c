//! What a cataloger finds: a package, with the evidence it was found by.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How a package was installed: which package manager's records it comes from.
/// (The OSV ecosystem of OS packages depends on the distribution, known only once
/// the whole image is read; it is derived from this and the detected OS.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackageKind {
    /// dpkg (`var/lib/dpkg/status`, `status.d/`).
    Deb,
    /// apk (`lib/apk/db/installed`).
    Apk,
    /// rpm (`rpmdb.sqlite`, `Packages`, `Packages.db`).
    Rpm,
    /// Python distributions (`*.dist-info`, `*.egg-info`).
    Python,
    /// npm packages (`node_modules/**/package.json`, `package-lock.json`).
    Npm,
    /// Rust crates (cargo-auditable binaries, `Cargo.lock`).
    Cargo,
    /// Go modules (binaries' build info) and the Go standard library.
    Go,
    /// Java archives (`.jar`, `.war`, `.ear`).
    Maven,
    /// Ruby gems (`specifications/*.gemspec`).
    Gem,
    /// PHP Composer packages (`vendor/composer/installed.json`).
    Composer,
    /// .NET packages (`*.deps.json`).
    Nuget,
}

/// One package found in a layer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// Which package manager's records it comes from.
    pub kind: Option<PackageKind>,
    /// Name as the ecosystem spells it (Maven: `groupId:artifactId`; Go: module path;
    /// Python: the normalised PEP 503 name).
    pub name: String,
    /// Version as recorded (rpm: `[epoch:]version-release`; Go: with its `v`).
    pub version: String,
    /// Source package (dpkg `Source:`, apk origin, rpm source rpm name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    /// Source package version when it differs from `version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_version: Option<String>,
    /// Architecture (OS packages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// Where the evidence is, as image paths without a leading `/`. A file inside an
    /// archive is `outer.war!/WEB-INF/lib/inner.jar`.
    pub paths: Vec<String>,
    /// Files the package installed (OS packages, Python `RECORD`), image paths.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// Further facts worth keeping: `license`, `vendor`, `epoch`, `release`,
    /// `modularity_label`, `group_id`, `artifact_id`, `confidence` (`low` for names
    /// guessed from file names), `main_module`, `go_version`…
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
}

impl Package {
    /// A package of `kind` found at `path`.
    pub fn new(
        kind: PackageKind,
        name: impl Into<String>,
        version: impl Into<String>,
        path: impl Into<String>,
    ) -> Self {
        Package {
            kind: Some(kind),
            name: name.into(),
            version: version.into(),
            paths: vec![path.into()],
            ..Package::default()
        }
    }
}
