//! A scan of the bookworm fixture image, with findings as Strata's feeds give
//! them: Debian security-tracker data for glibc and zlib
//! (`shared/data/feeds/debian/…`), OSV for PyPI urllib3 (`PYSEC-2019-132`) and
//! Go `golang.org/x/net` (`GO-2024-3333`), NVD scores where NVD has them.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use strata_catalog::PackageKind;
use strata_catalog::inventory::{Inventory, InventoryPackage};
use strata_match::{
    DbInfo, DbSource, Finding, FoundLayer, FoundPackage, OsStatus, ScanReport, Summary, Suppression,
};
use strata_vulndb::{Cvss, CvssVersion, FixState, Kev, Severity};

use super::bookworm;

pub(crate) const LIBC6: &str = "pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?arch=amd64&distro=debian-12";
pub(crate) const ZLIB: &str = "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12";
pub(crate) const URLLIB3: &str = "pkg:pypi/urllib3@1.24.1";
pub(crate) const XNET: &str = "pkg:golang/golang.org/x/net@v0.23.0";
pub(crate) const URLLIB3_PATH: &str =
    "/usr/local/lib/python3.11/site-packages/urllib3-1.24.1.dist-info/METADATA";

/// The bookworm inventory with an older libc6 (2.36-9+deb12u1, before DSA-5514-1)
/// and urllib3 1.24.1 pip-installed in the app layer.
pub(crate) fn inventory() -> Inventory {
    let mut inventory = bookworm();
    let libc6 = inventory
        .packages
        .iter_mut()
        .find(|p| p.name == "libc6")
        .unwrap();
    libc6.version = "2.36-9+deb12u1".into();
    libc6.purl = LIBC6.into();
    let at = inventory
        .packages
        .iter()
        .position(|p| p.ecosystem == "PyPI" && p.name == "urllib3")
        .unwrap();
    let app = &inventory.image.layers[2];
    let pip = InventoryPackage {
        ecosystem: "PyPI".into(),
        name: "urllib3".into(),
        version: "1.24.1".into(),
        source_name: None,
        source_version: None,
        arch: None,
        purl: URLLIB3.into(),
        layer: app.diff_id.clone(),
        layer_index: Some(2),
        paths: vec![URLLIB3_PATH.into()],
        owner: None,
        kind: PackageKind::Python,
        metadata: BTreeMap::from([("license".to_owned(), "MIT".to_owned())]),
    };
    inventory.packages.insert(at, pip);
    inventory
}

fn layer(inventory: &Inventory, index: usize) -> Option<FoundLayer> {
    let layer = &inventory.image.layers[index];
    Some(FoundLayer {
        diff_id: layer.diff_id.clone(),
        index,
        created_by: layer.created_by.clone(),
        in_base_image: index == 0,
    })
}

fn package(inventory: &Inventory, purl: &str) -> FoundPackage {
    let p = inventory.packages.iter().find(|p| p.purl == purl).unwrap();
    FoundPackage {
        ecosystem: p.ecosystem.clone(),
        name: p.name.clone(),
        version: p.version.clone(),
        purl: p.purl.clone(),
        source_name: p.source_name.clone(),
        paths: p.paths.clone(),
    }
}

fn cvss(version: CvssVersion, vector: &str, score: f64) -> Cvss {
    Cvss {
        version,
        vector: vector.into(),
        score: Some(score),
        source: "nvd".into(),
    }
}

/// A finding with the fields every one of them has; the caller fills the rest.
fn base(inventory: &Inventory, id: &str, purl: &str, namespace: &str, source: &str) -> Finding {
    let package = package(inventory, purl);
    let index = inventory
        .packages
        .iter()
        .find(|p| p.purl == purl)
        .and_then(|p| p.layer_index)
        .unwrap();
    Finding {
        id: id.into(),
        aliases: Vec::new(),
        summary: None,
        package,
        namespace: namespace.into(),
        source: source.into(),
        fixed_versions: Vec::new(),
        fix_state: FixState::NotFixed,
        severity: Severity::Unknown,
        severity_source: None,
        vendor_severity: None,
        cvss: Vec::new(),
        epss: None,
        kev: None,
        layer: layer(inventory, index),
        references: Vec::new(),
        published: None,
        matched_by: String::new(),
        suppression: None,
    }
}

/// Six findings on four packages (one critical, one high, two medium, one
/// negligible, one unknown), most severe first, and one suppressed by VEX.
pub(crate) fn report() -> ScanReport {
    let inventory = inventory();
    let inv = &inventory;

    let mut zlib = base(inv, "CVE-2023-45853", ZLIB, "Debian:12", "debian-tracker");
    zlib.aliases = vec!["DLA-3670-1".into()];
    zlib.summary = Some("MiniZip in zlib through 1.3 has an integer overflow and resultant heap-based buffer overflow in zipOpenNewFileInZip4_64 via a long filename, comment, or extra field.".into());
    zlib.package.source_name = Some("zlib".into());
    zlib.fix_state = FixState::WontFix;
    zlib.severity = Severity::Critical;
    zlib.severity_source = Some("nvd".into());
    zlib.cvss = vec![cvss(
        CvssVersion::V3_1,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        9.8,
    )];
    zlib.references = vec!["https://github.com/madler/zlib/pull/843".into()];
    zlib.matched_by =
        "bookworm: <ignored> (contrib/minizip not built and producing binary packages)".into();

    let mut looney = base(inv, "CVE-2023-4911", LIBC6, "Debian:12", "debian-tracker");
    looney.aliases = vec!["DSA-5514-1".into()];
    looney.summary = Some("A buffer overflow was discovered in the GNU C Library's dynamic loader ld.so while processing the GLIBC_TUNABLES environment variable.".into());
    looney.fixed_versions = vec!["2.36-9+deb12u3".into()];
    looney.fix_state = FixState::Fixed;
    looney.severity = Severity::High;
    looney.severity_source = Some("nvd".into());
    looney.cvss = vec![cvss(
        CvssVersion::V3_1,
        "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
        7.8,
    )];
    looney.kev = Some(Kev {
        date_added: "2023-11-21".into(),
        due_date: Some("2023-12-12".into()),
        ransomware: false,
    });
    looney.references = vec![
        "https://www.openwall.com/lists/oss-security/2023/10/03/2".into(),
        "https://www.qualys.com/2023/10/03/cve-2023-4911/looney-tunables-local-privilege-escalation-glibc-ld-so.txt".into(),
    ];
    looney.published = Some("2023-10-03".into());
    looney.matched_by = "< 2.36-9+deb12u3 (Debian:12)".into();

    let mut nscd = base(inv, "CVE-2024-33601", LIBC6, "Debian:12", "debian-tracker");
    nscd.summary =
        Some("nscd: netgroup cache may terminate daemon on memory allocation failure".into());
    nscd.fixed_versions = vec!["2.36-9+deb12u7".into()];
    nscd.fix_state = FixState::Fixed;
    nscd.severity = Severity::Medium;
    nscd.severity_source = Some("nvd".into());
    // An illustrative vector, its score computed from it.
    nscd.cvss = vec![cvss(
        CvssVersion::V3_1,
        "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H",
        5.9,
    )];
    nscd.published = Some("2024-05-06".into());
    nscd.matched_by = "< 2.36-9+deb12u7 (Debian:12)".into();

    let mut pysec = base(inv, "PYSEC-2019-132", URLLIB3, "PyPI", "osv:PyPI");
    pysec.aliases = vec!["CVE-2019-11236".into(), "GHSA-r64q-w8jr-g9qp".into()];
    pysec.summary = Some("In the urllib3 library through 1.24.1 for Python, CRLF injection is possible if the attacker controls the request parameter.".into());
    pysec.fixed_versions = vec!["1.24.3".into()];
    pysec.fix_state = FixState::Fixed;
    pysec.severity = Severity::Medium;
    pysec.severity_source = Some("nvd".into());
    pysec.cvss = vec![
        cvss(
            CvssVersion::V3_0,
            "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
            6.1,
        ),
        cvss(CvssVersion::V2, "AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3),
    ];
    pysec.references = vec![
        "https://github.com/urllib3/urllib3/issues/1553".into(),
        "https://usn.ubuntu.com/3990-1/".into(),
        "https://github.com/advisories/GHSA-r64q-w8jr-g9qp".into(),
    ];
    pysec.published = Some("2019-04-15T15:29:00Z".into());
    pysec.matched_by = ">= 0, < 1.24.3 (ECOSYSTEM)".into();

    let mut bypass = base(
        inv,
        "CVE-2019-1010022",
        LIBC6,
        "Debian:12",
        "debian-tracker",
    );
    bypass.summary = Some("GNU Libc current is affected by: Mitigation bypass. The impact is: Attacker may bypass stack guard protection.".into());
    bypass.severity = Severity::Negligible;
    bypass.severity_source = Some("debian".into());
    bypass.vendor_severity = Some("unimportant".into());
    bypass.cvss = vec![cvss(
        CvssVersion::V3_0,
        "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        9.8,
    )];
    bypass.references = vec!["https://sourceware.org/bugzilla/show_bug.cgi?id=22850".into()];
    bypass.matched_by = "<unfixed> (unimportant)".into();

    let mut html = base(inv, "GO-2024-3333", XNET, "Go", "osv:Go");
    html.aliases = vec!["CVE-2024-45338".into(), "GHSA-w32m-9786-jp63".into()];
    html.summary =
        Some("Non-linear parsing of case-insensitive content in golang.org/x/net/html".into());
    html.fixed_versions = vec!["0.33.0".into()];
    html.fix_state = FixState::Fixed;
    html.matched_by = ">= 0, < 0.33.0 (SEMVER)".into();

    let mut remap = base(
        inv,
        "CVE-2019-1010023",
        LIBC6,
        "Debian:12",
        "debian-tracker",
    );
    remap.summary = Some("GNU Libc current is affected by: Re-mapping current loaded library with malicious ELF file.".into());
    remap.severity = Severity::Negligible;
    remap.severity_source = Some("debian".into());
    remap.vendor_severity = Some("unimportant".into());
    remap.suppression = Some(Suppression {
        kind: "vex".into(),
        source: "app.openvex.json".into(),
        reason: Some("vulnerable_code_not_in_execute_path".into()),
    });

    let findings = vec![zlib, looney, nscd, pysec, bypass, html];
    let suppressed = vec![remap];
    let summary = Summary::of(&findings, suppressed.len(), inventory.packages.len());
    ScanReport {
        schema: strata_match::SCHEMA.into(),
        image: inventory.image.clone(),
        os: Some(OsStatus {
            id: "debian".into(),
            version: Some("12".into()),
            name: Some("Debian GNU/Linux 12 (bookworm)".into()),
            namespace: Some("Debian:12".into()),
            supported: true,
        }),
        db: DbInfo {
            built_at: Some("2026-11-20T04:00:00Z".into()),
            sources: vec![DbSource {
                name: "debian-tracker".into(),
                fetched_at: Some("2026-11-20T03:00:00Z".into()),
                records: 1024,
            }],
            bundled: false,
        },
        findings,
        suppressed,
        summary,
        unchecked: Vec::new(),
        inventory: Some(inventory),
    }
}

/// A hostile string: markup, quotes, an ANSI escape, a NUL, a line break.
pub(crate) const HOSTILE: &str = "<&\"'> \u{1b}[2J\u{0}\nend";

/// [`report`] plus a finding on a package the inventory lacks, whose name and
/// summary are hostile.
pub(crate) fn hostile_report() -> ScanReport {
    let mut report = report();
    let mut finding = report.findings[3].clone();
    finding.id = "GHSA-xxxx-<&\"'>".into();
    finding.package.name = format!("evil{HOSTILE}");
    finding.package.version = "1.0<&>".into();
    finding.package.purl = "pkg:pypi/evil@1.0".into();
    finding.package.paths = vec!["/srv/app <&\"'>/evil.dist-info/METADATA".into()];
    finding.summary = Some(format!("<script>alert(1)</script> {HOSTILE}"));
    finding.fixed_versions = vec!["2.0 & later".into()];
    finding.references = vec!["javascript:alert(1)".into(), "https://ex.com/<x>".into()];
    finding.published = Some("last tuesday".into());
    report.findings.push(finding);
    report.summary = Summary::of(
        &report.findings,
        report.suppressed.len(),
        report.summary.packages,
    );
    report
}
