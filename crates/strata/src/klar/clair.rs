//! Strata findings as the vulnerabilities Klar received from Clair v2's API v1
//! (`GET /v1/layers/…?vulnerabilities`): Klar's `clair.Vulnerability`, i.e. Clair's
//! `api/v1` `Vulnerability` plus the feature's name and version that Klar copies in
//! (`clair/api.go`, `apiV1.Analyze`).
//!
//! Field by field, as Clair v2.1 (v2.1.8) would have filled them:
//! * `Name`: Clair named a vulnerability by the id of its distro feed: the CVE for
//!   Debian, Ubuntu and Alpine, the RHSA/ELSA for Red Hat/Oracle. So a CVE id, an
//!   `RHSA-`/`ELSA-` id, or an id without CVE alias is kept; any other id (`GHSA-…`,
//!   `DEBIAN-CVE-…`, `PYSEC-…`) becomes its first CVE alias, which is what Klar
//!   users' whitelists list.
//! * `NamespaceName`: Clair's `<os>:<version>` (`debian:12`, `alpine:v3.18`,
//!   `ubuntu:22.04`): the finding's namespace with the ecosystem lower-cased and any
//!   further qualifier (`Ubuntu:22.04:LTS`) dropped. Clair had no language
//!   ecosystems; their namespace (`PyPI`) is kept as is.
//! * `FeatureName`/`FeatureVersion`: Clair v2's dpkg lister reported the *source*
//!   package (`Source:`) of Debian/Ubuntu packages, deduplicated by name and version
//!   (`ext/featurefmt/dpkg`), so `libc6` and `libc-bin` are one `glibc` feature and
//!   a CVE is listed once. Other packagers (apk, rpm) reported binary names.
//!   Clair took the source *version* from `Source: name (version)` when present; the
//!   report only has the binary version, which differs for binNMUs (`+b1`).
//! * `FixedBy`: the first fixed version when the finding is fixed, else empty
//!   (Clair left it empty for open issues).
//! * `Severity`: the finding's severity (Strata's levels are Clair's words).
//! * `Link`: the first reference (for Debian the tracker page, as Clair's).
//! * `Description`: the summary (the report has no separate details text).
//! * `Metadata`: `{"NVD": {"CVSSv2": {PublishedDateTime, Score, Vectors},
//!   "CVSSv3": {ExploitabilityScore, ImpactScore, Score, Vectors}}}` from NVD's
//!   scores (Clair 2.1's `ext/vulnmdsrc/nvd`): v2 vectors bare, v3 vectors rebuilt
//!   from the base metrics with Clair's fixed `CVSS:3.0/` prefix, absent parts
//!   zero/empty. Clair dropped the metadata when NVD had no v2 vector, which NVD
//!   stopped providing in 2022; here it is kept whenever either version is known.

use std::collections::HashSet;
use std::str::FromStr as _;

use strata_match::Finding;
use strata_vulndb::{Cvss, CvssVersion, FixState};

use super::KlarSeverity;

/// Ids Clair v2 used as vulnerability names themselves (Red Hat, Oracle feeds).
const CLAIR_ADVISORY_PREFIXES: [&str; 2] = ["RHSA-", "ELSA-"];

/// One vulnerability of one feature, as Klar holds it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ClairVulnerability {
    /// `Name`.
    pub(crate) name: String,
    /// `NamespaceName`.
    pub(crate) namespace_name: String,
    /// `Description`.
    pub(crate) description: String,
    /// `Link`.
    pub(crate) link: String,
    /// `Severity`.
    pub(crate) severity: KlarSeverity,
    /// `Metadata.NVD`, when NVD scored it.
    pub(crate) metadata: Option<NvdMetadata>,
    /// `FixedBy` (empty: no fix).
    pub(crate) fixed_by: String,
    /// `FeatureName`.
    pub(crate) feature_name: String,
    /// `FeatureVersion`.
    pub(crate) feature_version: String,
}

/// Clair 2.1's `NVDMetadata`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NvdMetadata {
    /// `CVSSv2.PublishedDateTime`: NVD's publication date (`2024-05-06T20:15Z`).
    pub(crate) published_date_time: String,
    /// `CVSSv2.Score`.
    pub(crate) v2_score: f64,
    /// `CVSSv2.Vectors` (`AV:N/AC:L/Au:N/C:P/I:P/A:P`).
    pub(crate) v2_vectors: String,
    /// `CVSSv3.Score`.
    pub(crate) v3_score: f64,
    /// `CVSSv3.Vectors` (`CVSS:3.0/AV:N/…`).
    pub(crate) v3_vectors: String,
    /// `CVSSv3.ExploitabilityScore`.
    pub(crate) v3_exploitability_score: f64,
    /// `CVSSv3.ImpactScore`.
    pub(crate) v3_impact_score: f64,
}

impl ClairVulnerability {
    /// The Clair view of one finding.
    pub(crate) fn from_finding(finding: &Finding) -> ClairVulnerability {
        let package = &finding.package;
        let ecosystem = package.ecosystem.split(':').next().unwrap_or_default();
        let dpkg = ["Debian", "Ubuntu"]
            .iter()
            .any(|e| e.eq_ignore_ascii_case(ecosystem));
        let feature_name = match (&package.source_name, dpkg) {
            (Some(source), true) if !source.is_empty() => source.clone(),
            _ => package.name.clone(),
        };
        let fixed_by = match finding.fix_state {
            FixState::Fixed => finding.fixed_versions.first().cloned().unwrap_or_default(),
            _ => String::new(),
        };
        ClairVulnerability {
            name: clair_name(finding),
            namespace_name: clair_namespace(&finding.namespace),
            description: finding.summary.clone().unwrap_or_default(),
            link: finding.references.first().cloned().unwrap_or_default(),
            severity: finding.severity.into(),
            metadata: nvd_metadata(finding),
            fixed_by,
            feature_name,
            feature_version: package.version.clone(),
        }
    }

    /// The Clair view of the findings, in their order, each (namespace, feature,
    /// version, name) once, as Clair lists a vulnerability once per feature.
    pub(crate) fn from_findings(findings: &[Finding]) -> Vec<ClairVulnerability> {
        let mut seen = HashSet::new();
        findings
            .iter()
            .map(ClairVulnerability::from_finding)
            .filter(|v| {
                seen.insert((
                    v.namespace_name.clone(),
                    v.feature_name.clone(),
                    v.feature_version.clone(),
                    v.name.clone(),
                ))
            })
            .collect()
    }
}

fn is_cve(id: &str) -> bool {
    id.starts_with("CVE-")
}

fn clair_name(finding: &Finding) -> String {
    let id = &finding.id;
    if is_cve(id) || CLAIR_ADVISORY_PREFIXES.iter().any(|p| id.starts_with(p)) {
        return id.clone();
    }
    finding
        .aliases
        .iter()
        .find(|a| is_cve(a))
        .unwrap_or(id)
        .clone()
}

fn clair_namespace(namespace: &str) -> String {
    match namespace.split_once(':') {
        Some((ecosystem, rest)) => {
            let release = rest.split(':').next().unwrap_or_default();
            format!("{}:{release}", ecosystem.to_lowercase())
        }
        None => namespace.to_owned(),
    }
}

fn nvd_metadata(finding: &Finding) -> Option<NvdMetadata> {
    let nvd = |c: &&Cvss| c.source.eq_ignore_ascii_case("nvd");
    let v2 = finding
        .cvss
        .iter()
        .filter(nvd)
        .find(|c| c.version == CvssVersion::V2);
    let v3 = finding
        .cvss
        .iter()
        .filter(nvd)
        .find(|c| matches!(c.version, CvssVersion::V3_0 | CvssVersion::V3_1));
    if v2.is_none() && v3.is_none() {
        return None;
    }
    let score = |c: Option<&Cvss>| c.and_then(|c| c.score).filter(|s| s.is_finite());
    let (exploitability, impact) = v3
        .and_then(|c| v3_subscores(&c.vector))
        .unwrap_or((0.0, 0.0));
    Some(NvdMetadata {
        published_date_time: nvd_published(finding.published.as_deref()),
        v2_score: score(v2).unwrap_or(0.0),
        v2_vectors: v2.map_or_else(String::new, |c| {
            rebuild_vector(&c.vector, &["AV", "AC", "Au", "C", "I", "A"])
        }),
        v3_score: score(v3).unwrap_or(0.0),
        v3_vectors: v3
            .map(|c| rebuild_vector(&c.vector, &["AV", "AC", "PR", "UI", "S", "C", "I", "A"]))
            .filter(|v| !v.is_empty())
            .map_or_else(String::new, |v| format!("CVSS:3.0/{v}")),
        v3_exploitability_score: exploitability,
        v3_impact_score: impact,
    })
}

/// Clair rebuilt vectors from NVD's metric values, base metrics only, in a fixed
/// order (`nvdCVSSv2.String`, `nvdCVSSv3.String`).
fn rebuild_vector(vector: &str, keys: &[&str]) -> String {
    let metrics: Vec<(&str, &str)> = vector
        .trim_matches(|c| c == '(' || c == ')')
        .split('/')
        .filter_map(|part| part.split_once(':'))
        .collect();
    keys.iter()
        .filter_map(|key| {
            metrics
                .iter()
                .find(|(k, _)| k == key)
                .map(|(k, v)| format!("{k}:{v}"))
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// NVD's exploitability and impact sub-scores of a v3 vector, rounded to one
/// decimal as NVD publishes them (CVSS v3.1 specification §7.1).
fn v3_subscores(vector: &str) -> Option<(f64, f64)> {
    let vector = cvss::v3::Vector::from_str(vector).ok()?;
    let exploitability = vector.exploitability().value();
    let iss = vector.impact().value();
    let impact = if vector.s.is_some_and(|s| s.is_changed()) {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powf(15.0)
    } else {
        6.42 * iss
    };
    let round = |x: f64| (x * 10.0).round() / 10.0;
    Some((round(exploitability), round(impact)))
}

/// NVD's 1.1 feeds, which Clair read, wrote `publishedDate` to the minute
/// (`2024-05-06T20:15Z`); later timestamps are cut to that form, UTC assumed.
fn nvd_published(published: Option<&str>) -> String {
    let Some(head) = published.and_then(|p| p.get(..16)) else {
        return String::new();
    };
    let shape_ok = head.bytes().enumerate().all(|(i, b)| match i {
        4 | 7 => b == b'-',
        10 => b == b'T',
        13 => b == b':',
        _ => b.is_ascii_digit(),
    });
    if shape_ok {
        format!("{head}Z")
    } else {
        String::new()
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_in_clair_style() {
        assert_eq!(clair_namespace("Debian:12"), "debian:12");
        assert_eq!(clair_namespace("Alpine:v3.18"), "alpine:v3.18");
        assert_eq!(clair_namespace("Ubuntu:22.04:LTS"), "ubuntu:22.04");
        assert_eq!(clair_namespace("PyPI"), "PyPI");
    }

    #[test]
    fn vectors_rebuilt_like_clair() {
        assert_eq!(
            rebuild_vector(
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P",
                &["AV", "AC", "PR", "UI", "S", "C", "I", "A"]
            ),
            "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
        );
        assert_eq!(
            rebuild_vector(
                "(AV:N/AC:M/Au:N/C:P/I:P/A:P)",
                &["AV", "AC", "Au", "C", "I", "A"]
            ),
            "AV:N/AC:M/Au:N/C:P/I:P/A:P"
        );
        assert_eq!(rebuild_vector("garbage", &["AV"]), "");
    }

    #[test]
    fn subscores_as_nvd_publishes_them() {
        // NVD's published sub-scores for these vectors (9.8, 10.0 and 7.3 base).
        assert_eq!(
            v3_subscores("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            Some((3.9, 5.9))
        );
        assert_eq!(
            v3_subscores("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"),
            Some((3.9, 6.0))
        );
        assert_eq!(
            v3_subscores("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:H/A:H"),
            Some((1.8, 5.5))
        );
        assert_eq!(v3_subscores("not a vector"), None);
    }

    #[test]
    fn published_dates_in_nvd_feed_form() {
        assert_eq!(
            nvd_published(Some("2024-05-06T20:15:11.603")),
            "2024-05-06T20:15Z"
        );
        assert_eq!(
            nvd_published(Some("2024-05-06T20:15Z")),
            "2024-05-06T20:15Z"
        );
        assert_eq!(nvd_published(Some("2024-05-06")), "");
        assert_eq!(nvd_published(Some("yesterday at noon!")), "");
        assert_eq!(nvd_published(None), "");
    }
}
