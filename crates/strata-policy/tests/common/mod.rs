//! Findings resembling real advisories, and a report of a debian:12-based
//! image carrying them.

#![allow(dead_code)]

use strata_catalog::inventory::ImageInfo;
use strata_match::{DbInfo, Finding, FoundPackage, ScanReport, Summary};
use strata_policy::Date;
use strata_vulndb::{FixState, Severity};

pub(crate) const IMAGE: &str = "registry.example.com/shop/api:1.4.2";
pub(crate) const DIGEST: &str =
    "sha256:5a0e6bd7d4d3a4f0b1a3c1fb6f3e0f0b7f4a9c2d8e6b1a0c3d5e7f9a1b3c5d7e";

pub(crate) fn date(text: &str) -> Date {
    Date::parse(text).unwrap()
}

#[allow(clippy::too_many_arguments)]
fn finding(
    id: &str,
    aliases: &[&str],
    (ecosystem, name, version, purl, path): (&str, &str, &str, &str, &str),
    namespace: &str,
    fixed: &[&str],
    fix_state: FixState,
    severity: Severity,
) -> Finding {
    Finding {
        id: id.into(),
        aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
        summary: None,
        package: FoundPackage {
            ecosystem: ecosystem.into(),
            name: name.into(),
            version: version.into(),
            purl: purl.into(),
            source_name: None,
            paths: vec![path.into()],
        },
        namespace: namespace.into(),
        source: "test".into(),
        fixed_versions: fixed.iter().map(|v| (*v).to_owned()).collect(),
        fix_state,
        severity,
        severity_source: None,
        vendor_severity: None,
        cvss: Vec::new(),
        epss: None,
        kev: None,
        layer: None,
        references: Vec::new(),
        published: None,
        matched_by: String::new(),
        suppression: None,
    }
}

/// PYSEC-2019-132 (CRLF injection in urllib3 < 1.24.3), aliases
/// CVE-2019-11236 and GHSA-r64q-w8jr-g9qp, as OSV's PyPI feed has it.
pub(crate) fn urllib3(version: &str) -> Finding {
    finding(
        "PYSEC-2019-132",
        &["CVE-2019-11236", "GHSA-r64q-w8jr-g9qp"],
        (
            "PyPI",
            "urllib3",
            version,
            &format!("pkg:pypi/urllib3@{version}"),
            &format!(
                "/usr/local/lib/python3.11/site-packages/urllib3-{version}.dist-info/METADATA"
            ),
        ),
        "PyPI",
        &["1.24.3"],
        FixState::Fixed,
        Severity::Medium,
    )
}

/// PYSEC-2019-133 (urllib3 < 1.24.2 mishandles certain certificate
/// configurations), aliases CVE-2019-11324 and GHSA-mh33-7rrq-662w: another
/// vulnerability of the same package.
pub(crate) fn urllib3_certs(version: &str) -> Finding {
    let mut finding = urllib3(version);
    finding.id = "PYSEC-2019-133".into();
    finding.aliases = vec!["CVE-2019-11324".into(), "GHSA-mh33-7rrq-662w".into()];
    finding.fixed_versions = vec!["1.24.2".into()];
    finding.severity = Severity::High;
    finding
}

/// CVE-2024-33601 (nscd netgroup cache) in bookworm's glibc, fixed in
/// 2.36-9+deb12u7 (Debian security tracker).
pub(crate) fn glibc_nscd() -> Finding {
    let mut finding = finding(
        "CVE-2024-33601",
        &[],
        (
            "Debian",
            "libc6",
            "2.36-9+deb12u4",
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12",
            "/var/lib/dpkg/status",
        ),
        "Debian:12",
        &["2.36-9+deb12u7"],
        FixState::Fixed,
        Severity::High,
    );
    finding.package.source_name = Some("glibc".into());
    finding
}

/// CVE-2023-5344 (heap overflow) in bookworm's vim, fixed in
/// 2:9.0.1378-2+deb12u1.
pub(crate) fn vim() -> Finding {
    finding(
        "CVE-2023-5344",
        &[],
        (
            "Debian",
            "vim",
            "2:9.0.1378-2",
            "pkg:deb/debian/vim@2%3A9.0.1378-2?arch=amd64&distro=debian-12",
            "/var/lib/dpkg/status",
        ),
        "Debian:12",
        &["2:9.0.1378-2+deb12u1"],
        FixState::Fixed,
        Severity::High,
    )
}

/// CVE-2023-45853 (MiniZip integer overflow) in zlib: rated critical by
/// NVD, not fixed in bookworm.
pub(crate) fn zlib_minizip() -> Finding {
    finding(
        "CVE-2023-45853",
        &[],
        (
            "Debian",
            "zlib1g",
            "1:1.2.13.dfsg-1",
            "pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64&distro=debian-12",
            "/var/lib/dpkg/status",
        ),
        "Debian:12",
        &[],
        FixState::WontFix,
        Severity::Critical,
    )
}

/// A low-rated finding (CVE-2011-3374, apt's weak key check, which Debian
/// rates unimportant).
pub(crate) fn apt_negligible() -> Finding {
    finding(
        "CVE-2011-3374",
        &[],
        (
            "Debian",
            "apt",
            "2.6.1",
            "pkg:deb/debian/apt@2.6.1?arch=amd64&distro=debian-12",
            "/var/lib/dpkg/status",
        ),
        "Debian:12",
        &[],
        FixState::NotFixed,
        Severity::Negligible,
    )
}

/// A report of [`IMAGE`] with `findings`, 120 packages scanned.
pub(crate) fn report(findings: Vec<Finding>) -> ScanReport {
    ScanReport {
        schema: strata_match::SCHEMA.into(),
        image: ImageInfo {
            reference: IMAGE.into(),
            manifest_digest: Some(DIGEST.into()),
            config_digest: None,
            platform: Some("linux/amd64".into()),
            layers: Vec::new(),
            ..ImageInfo::default()
        },
        os: None,
        db: DbInfo::default(),
        summary: Summary::of(&findings, 0, 120),
        findings,
        suppressed: Vec::new(),
        unchecked: Vec::new(),
        inventory: None,
    }
}

/// `(id, package version)` of each finding.
pub(crate) fn ids(findings: &[Finding]) -> Vec<(String, String)> {
    findings
        .iter()
        .map(|f| (f.id.clone(), f.package.version.clone()))
        .collect()
}
