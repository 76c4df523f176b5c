//! The advisory model: OSV-shaped advisories from every feed, normalised so one
//! matcher can use them all.

use serde::{Deserialize, Serialize};

/// Normalised severity, lowest first (comparable).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
pub enum Severity {
    /// No rating known.
    #[default]
    Unknown,
    /// Rated but of no practical impact (Debian's `unimportant`).
    Negligible,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// The CVSS qualitative rating of a base score (CVSS v3.x/v4 spec, table 14):
    /// 0.0 none (here Negligible), 0.1–3.9 low, 4.0–6.9 medium, 7.0–8.9 high, 9.0–10 critical.
    pub fn from_cvss_score(score: f64) -> Severity {
        match score {
            s if s >= 9.0 => Severity::Critical,
            s if s >= 7.0 => Severity::High,
            s if s >= 4.0 => Severity::Medium,
            s if s > 0.0 => Severity::Low,
            _ => Severity::Negligible,
        }
    }
}

/// A severity as a vendor wrote it, and its normalised level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VendorSeverity {
    /// The vendor's own word (`unimportant`, `HIGH`, `Moderate`, `important`…).
    pub text: String,
    /// Normalised.
    pub level: Severity,
}

/// A CVSS version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CvssVersion {
    /// CVSS v2.
    V2,
    /// CVSS v3.0.
    V3_0,
    /// CVSS v3.1.
    V3_1,
    /// CVSS v4.0.
    V4_0,
}

/// A CVSS vector with its base score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cvss {
    /// Which CVSS.
    pub version: CvssVersion,
    /// The vector string (`CVSS:3.1/AV:N/AC:L/…`, or a bare v2 vector).
    pub vector: String,
    /// Base score (computed from the vector when the feed gives none).
    pub score: Option<f64>,
    /// Who scored it (`nvd`, `ghsa`, `debian`, `redhat`…).
    pub source: String,
}

/// The `type` of an OSV range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RangeKind {
    /// SemVer 2.0 versions.
    Semver,
    /// The ecosystem's own scheme.
    Ecosystem,
    /// Commit hashes (kept, not evaluated).
    Git,
}

/// One OSV range event (exactly one field set, as in OSV JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Affected from this version on (`"0"`: from the start).
    Introduced(String),
    /// Not affected from this version on.
    Fixed(String),
    /// Affected up to and including this version.
    LastAffected(String),
    /// Nothing at or above this version is affected.
    Limit(String),
}

/// An OSV range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    /// SEMVER, ECOSYSTEM or GIT.
    pub kind: RangeKind,
    /// The events.
    pub events: Vec<Event>,
}

/// Whether (and how) a package is fixed, normalised across vendors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum FixState {
    /// A fixed version exists (see the ranges' `fixed` events).
    #[default]
    Fixed,
    /// Affected, no fix yet.
    NotFixed,
    /// The vendor will not fix it (Debian `no-dsa`/`ignored`, Red Hat "Will not fix").
    WontFix,
    /// The release is no longer supported.
    EndOfLife,
    /// The vendor says this package/release is not affected.
    NotAffected,
    /// The vendor is still looking.
    UnderInvestigation,
}

/// One affected package in one namespace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    /// Where the package lives: an OSV ecosystem with release (`Debian:12`,
    /// `Alpine:v3.18`, `Ubuntu:22.04`) or a language ecosystem (`PyPI`, `npm`, `Go`…).
    pub namespace: String,
    /// Package name as the namespace names it: Debian and Ubuntu *source* packages,
    /// Alpine *origin* packages, PyPI names normalised (PEP 503).
    pub package: String,
    /// Affected ranges.
    pub ranges: Vec<Range>,
    /// Explicitly listed affected versions.
    pub versions: Vec<String>,
    /// Fix state for this package.
    pub fix_state: FixState,
    /// A per-package severity (Debian's per-release urgency), if the feed gives one.
    pub severity: Option<VendorSeverity>,
}

/// An advisory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Advisory {
    /// Its id (`CVE-2023-4863`, `GHSA-…`, `PYSEC-…`, `DSA-5496-1`…).
    pub id: String,
    /// Other ids of the same vulnerability (CVE ↔ GHSA ↔ DSA/DLA/USN/ALAS/RHSA/…).
    pub aliases: Vec<String>,
    /// One line.
    pub summary: Option<String>,
    /// Longer text.
    pub details: Option<String>,
    /// RFC 3339.
    pub published: Option<String>,
    /// RFC 3339.
    pub modified: Option<String>,
    /// RFC 3339; a withdrawn advisory never matches.
    pub withdrawn: Option<String>,
    /// URLs.
    pub references: Vec<String>,
    /// The vendor's own severity for the advisory as a whole.
    pub severity: Option<VendorSeverity>,
    /// CVSS vectors and scores.
    pub cvss: Vec<Cvss>,
    /// Affected packages.
    pub affected: Vec<Affected>,
    /// The feed it came from (`osv:PyPI`, `debian-tracker`, `alpine-secdb`…).
    pub source: String,
}

/// Per-CVE enrichment joined from NVD, EPSS and CISA KEV.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Enrichment {
    /// The CVE id.
    pub cve: String,
    /// NVD's CVSS vectors.
    pub cvss: Vec<Cvss>,
    /// NVD's published date.
    pub published: Option<String>,
    /// EPSS probability (0–1) and percentile (0–1), with the score date.
    pub epss: Option<Epss>,
    /// CISA KEV entry.
    pub kev: Option<Kev>,
}

/// An EPSS score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Epss {
    /// Probability of exploitation in the next 30 days.
    pub score: f64,
    /// Percentile among all scored CVEs.
    pub percentile: f64,
    /// The date of the scores (`2025-02-20`).
    pub date: Option<String>,
}

/// A CISA Known Exploited Vulnerabilities entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kev {
    /// `dateAdded`.
    pub date_added: String,
    /// `dueDate`.
    pub due_date: Option<String>,
    /// `knownRansomwareCampaignUse` is `Known`.
    pub ransomware: bool,
}

/// A record a feed parser could not use: skipped and counted, named in a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The record (file name in an archive, id, line number…).
    pub record: String,
    /// Why.
    pub reason: String,
}

/// What a feed parser returns: the advisories it could read and what it skipped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed<T> {
    /// The usable records.
    pub records: Vec<T>,
    /// The skipped ones.
    pub skipped: Vec<Skipped>,
}

/// A feed document that cannot be read at all (not JSON, truncated archive…).
#[derive(Debug, thiserror::Error)]
#[error("{feed}: {reason}")]
pub struct FeedError {
    /// The feed or file.
    pub feed: String,
    /// What is wrong.
    pub reason: String,
}
