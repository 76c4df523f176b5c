//! The scan report: what `strata image scan -f json` prints (schema
//! `strata.scan/v1`; fields are only ever added), and what every other
//! format is rendered from.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use strata_catalog::inventory::{ImageInfo, Inventory};
use strata_vulndb::{Cvss, Epss, FixState, Kev, Severity};

/// The format's name and version.
pub const SCHEMA: &str = "strata.scan/v1";

/// A scan: the image, its OS, the database used, and the findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanReport {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// The image (reference, digests, platform, layers).
    pub image: ImageInfo,
    /// The OS, and whether Strata has advisory data for it.
    pub os: Option<OsStatus>,
    /// The vulnerability database the scan used.
    pub db: DbInfo,
    /// Findings shown (after `--severity`, `--ignore-unfixed`, ignore files and
    /// VEX), most severe first.
    pub findings: Vec<Finding>,
    /// Findings suppressed by an ignore file or a VEX statement (kept so
    /// `--show-suppressed` and `explain` can say why).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressed: Vec<Finding>,
    /// Counts of the shown findings.
    pub summary: Summary,
    /// Packages that could not be checked (no version scheme, unparsable
    /// version): "unscanned components" for policies. Absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unchecked: Vec<crate::Unchecked>,
    /// The packages scanned (every format that lists components needs them).
    #[serde(skip)]
    pub inventory: Option<Inventory>,
}

impl ScanReport {
    /// The unfiltered report of a matched inventory.
    pub fn new(inventory: Inventory, matched: crate::Matched, db: DbInfo) -> ScanReport {
        let packages = inventory.packages.len();
        ScanReport {
            schema: SCHEMA.to_owned(),
            image: inventory.image.clone(),
            os: matched.os,
            db,
            summary: Summary::of(&matched.findings, 0, packages),
            findings: matched.findings,
            suppressed: Vec::new(),
            unchecked: matched.unchecked,
            inventory: Some(inventory),
        }
    }
}

impl DbInfo {
    /// What a report says of `db`; `bundled` when it is Strata's own snapshot.
    pub fn of(
        db: &strata_vulndb::store::Db,
        bundled: bool,
    ) -> Result<DbInfo, strata_vulndb::store::StoreError> {
        Ok(DbInfo {
            built_at: db.built_at()?,
            sources: db
                .sources()?
                .into_iter()
                .map(|s| DbSource {
                    name: s.name,
                    fetched_at: s.fetched_at,
                    records: s.records,
                })
                .collect(),
            bundled,
        })
    }
}

/// The OS and whether it was checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsStatus {
    /// os-release `ID` (`debian`).
    pub id: String,
    /// os-release `VERSION_ID`.
    pub version: Option<String>,
    /// `PRETTY_NAME`.
    pub name: Option<String>,
    /// The advisory namespace its packages are matched in (`Debian:12`).
    pub namespace: Option<String>,
    /// `false` when the database has no advisories for this OS release: its
    /// packages were **not** checked (never read that as clean).
    pub supported: bool,
}

/// The database a scan used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbInfo {
    /// When it was built (RFC 3339).
    pub built_at: Option<String>,
    /// Its feeds.
    pub sources: Vec<DbSource>,
    /// `true` when it is the snapshot bundled with Strata.
    #[serde(default)]
    pub bundled: bool,
}

/// One feed of the database.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbSource {
    /// `osv:PyPI`, `debian-tracker`, `alpine-secdb:v3.18/main`…
    pub name: String,
    /// When it was fetched.
    pub fetched_at: Option<String>,
    /// Records stored.
    pub records: u64,
}

/// One vulnerability of one package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The advisory id (`CVE-2023-4863`, `GHSA-…`, `RUSTSEC-…`).
    pub id: String,
    /// Other ids of the same vulnerability.
    pub aliases: Vec<String>,
    /// One line, when the advisory has one.
    pub summary: Option<String>,
    /// The package.
    pub package: FoundPackage,
    /// The namespace it was matched in (`Debian:12`, `PyPI`).
    pub namespace: String,
    /// The feed the advisory came from.
    pub source: String,
    /// Versions that fix it (empty when none).
    pub fixed_versions: Vec<String>,
    /// Fix state.
    pub fix_state: FixState,
    /// Normalised severity.
    pub severity: Severity,
    /// Where the severity came from (`debian`, `nvd`, `ghsa`, `cvss`…).
    pub severity_source: Option<String>,
    /// The vendor's own word for it (`unimportant`, `HIGH`, `moderate`).
    pub vendor_severity: Option<String>,
    /// CVSS vectors and scores (advisory's first, then NVD's).
    pub cvss: Vec<Cvss>,
    /// EPSS score.
    pub epss: Option<Epss>,
    /// CISA KEV entry.
    pub kev: Option<Kev>,
    /// The layer that introduced the package.
    pub layer: Option<FoundLayer>,
    /// References (URLs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// Advisory publication date.
    pub published: Option<String>,
    /// Why the finding matched: the range or version list, in words
    /// (`>= 0, < 2.2.10 (ECOSYSTEM)`), for `explain` and reports.
    pub matched_by: String,
    /// Set when an ignore rule or VEX statement suppresses it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression>,
}

/// The package of a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoundPackage {
    /// OSV ecosystem (`Debian`, `PyPI`, `npm`, `crates.io`…).
    pub ecosystem: String,
    /// Name.
    pub name: String,
    /// Installed version.
    pub version: String,
    /// Package URL.
    pub purl: String,
    /// Source package it was matched by (OS packages), when different.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    /// Where it is in the image.
    pub paths: Vec<String>,
}

/// The layer a finding came with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoundLayer {
    /// Uncompressed digest.
    pub diff_id: Option<String>,
    /// Position (0 = base).
    pub index: usize,
    /// The history line that created it.
    pub created_by: Option<String>,
    /// Whether the layer belongs to the base image.
    pub in_base_image: bool,
}

/// Why a finding is suppressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// `ignore-file` or `vex`.
    pub kind: String,
    /// The file that says so.
    pub source: String,
    /// Its reason / justification / statement status.
    pub reason: Option<String>,
}

/// Counts by severity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Shown findings.
    pub total: usize,
    /// Per severity (`Critical`, `High`…), every level present.
    pub by_severity: BTreeMap<String, usize>,
    /// Findings suppressed.
    pub suppressed: usize,
    /// Packages scanned.
    pub packages: usize,
}

impl Summary {
    /// Counts `findings`.
    pub fn of(findings: &[Finding], suppressed: usize, packages: usize) -> Summary {
        let mut by_severity: BTreeMap<String, usize> = [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
            Severity::Negligible,
            Severity::Unknown,
        ]
        .iter()
        .map(|s| (format!("{s:?}"), 0))
        .collect();
        for finding in findings {
            *by_severity
                .entry(format!("{:?}", finding.severity))
                .or_default() += 1;
        }
        Summary {
            total: findings.len(),
            by_severity,
            suppressed,
            packages,
        }
    }
}
