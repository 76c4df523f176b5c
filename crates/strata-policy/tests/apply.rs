//! `apply`: filters drop, ignore files and VEX suppress, the summary is
//! recounted, expired ignore entries are warned about.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use strata_match::Suppression;
use strata_policy::{
    Filter, IgnoreFile, SUPPRESSED_BY_IGNORE_FILE, SUPPRESSED_BY_VEX, VexDocument, Warning, apply,
    parse_severities,
};
use strata_vulndb::{FixState, Severity};

fn ignore(name: &str, text: &str) -> IgnoreFile {
    IgnoreFile::from_text(Path::new(name), text).unwrap()
}

fn id_set(findings: &[strata_match::Finding]) -> BTreeSet<&str> {
    findings.iter().map(|f| f.id.as_str()).collect()
}

#[test]
fn severity_filter_drops_and_the_summary_counts_what_is_shown() {
    let mut report = report(vec![
        zlib_minizip(),
        glibc_nscd(),
        vim(),
        urllib3("1.23"),
        apt_negligible(),
    ]);
    let filter = Filter {
        severities: Some(parse_severities("critical,HIGH").unwrap()),
        ignore_unfixed: false,
    };
    let warnings = apply(&mut report, &filter, &[], &[], date("2025-06-01"));
    assert!(warnings.is_empty());
    assert_eq!(
        id_set(&report.findings),
        BTreeSet::from(["CVE-2023-45853", "CVE-2024-33601", "CVE-2023-5344"])
    );
    assert!(
        report.suppressed.is_empty(),
        "filtered findings are dropped"
    );
    assert_eq!(report.summary.total, 3);
    assert_eq!(report.summary.by_severity["Critical"], 1);
    assert_eq!(report.summary.by_severity["High"], 2);
    assert_eq!(report.summary.by_severity["Medium"], 0);
    assert_eq!(report.summary.by_severity["Negligible"], 0);
    assert_eq!(report.summary.suppressed, 0);
    assert_eq!(report.summary.packages, 120, "packages scanned kept");
    // The order (most severe first) is kept.
    assert_eq!(report.findings[0].id, "CVE-2023-45853");
}

#[test]
fn ignore_unfixed_shows_only_findings_with_a_fixed_version() {
    let mut fixed_state_without_version = vim();
    fixed_state_without_version.id = "CVE-2099-0001".into();
    fixed_state_without_version.fixed_versions = vec![" ".into()];
    assert_eq!(fixed_state_without_version.fix_state, FixState::Fixed);
    let mut under_investigation = glibc_nscd();
    under_investigation.id = "CVE-2099-0002".into();
    under_investigation.fixed_versions.clear();
    under_investigation.fix_state = FixState::UnderInvestigation;

    let mut report = report(vec![
        zlib_minizip(),
        glibc_nscd(),
        apt_negligible(),
        urllib3("1.23"),
        fixed_state_without_version,
        under_investigation,
    ]);
    let filter = Filter {
        severities: None,
        ignore_unfixed: true,
    };
    apply(&mut report, &filter, &[], &[], date("2025-06-01"));
    assert_eq!(
        id_set(&report.findings),
        BTreeSet::from(["CVE-2024-33601", "PYSEC-2019-132"])
    );
    assert_eq!(report.summary.total, 2);
    assert!(report.suppressed.is_empty());
}

#[test]
fn ignore_file_suppresses_by_id_or_alias_with_its_reason() {
    let file = ignore(
        ".strataignore",
        "# accepted\n\
         CVE-2019-11236 # urllib3 only talks to our own API\n\
         cve-2024-33601\n",
    );
    let mut report = report(vec![glibc_nscd(), urllib3("1.23"), vim()]);
    let warnings = apply(
        &mut report,
        &Filter::default(),
        &[file],
        &[],
        date("2025-06-01"),
    );
    assert!(warnings.is_empty());
    assert_eq!(id_set(&report.findings), BTreeSet::from(["CVE-2023-5344"]));
    assert_eq!(ids(&report.suppressed).len(), 2);
    let urllib3 = report
        .suppressed
        .iter()
        .find(|f| f.id == "PYSEC-2019-132")
        .unwrap();
    assert_eq!(
        urllib3.suppression,
        Some(Suppression {
            kind: SUPPRESSED_BY_IGNORE_FILE.into(),
            source: ".strataignore".into(),
            reason: Some("urllib3 only talks to our own API".into()),
        })
    );
    let glibc = report
        .suppressed
        .iter()
        .find(|f| f.id == "CVE-2024-33601")
        .unwrap();
    assert_eq!(glibc.suppression.as_ref().unwrap().reason, None);
    assert_eq!(report.summary.total, 1);
    assert_eq!(report.summary.suppressed, 2);
}

#[test]
fn an_expired_entry_does_not_suppress_and_is_warned_about() {
    let file = ignore(
        ".strataignore",
        "GHSA-r64q-w8jr-g9qp exp:2025-01-31 # until the upgrade\n\
         CVE-2024-33601 exp:2025-03-01\n",
    );
    let before = {
        let mut report = report(vec![urllib3("1.23"), glibc_nscd()]);
        let warnings = apply(
            &mut report,
            &Filter::default(),
            std::slice::from_ref(&file),
            &[],
            date("2025-01-30"),
        );
        assert!(warnings.is_empty());
        report
    };
    assert!(before.findings.is_empty(), "both still suppressed");

    let mut report = report(vec![urllib3("1.23"), glibc_nscd()]);
    let warnings = apply(
        &mut report,
        &Filter::default(),
        &[file],
        &[],
        date("2025-01-31"),
    );
    assert_eq!(id_set(&report.findings), BTreeSet::from(["PYSEC-2019-132"]));
    assert_eq!(
        id_set(&report.suppressed),
        BTreeSet::from(["CVE-2024-33601"])
    );
    assert_eq!(
        warnings,
        [Warning::ExpiredIgnoreEntry {
            file: ".strataignore".into(),
            line: Some(1),
            id: "GHSA-r64q-w8jr-g9qp".into(),
            expired: date("2025-01-31"),
        }]
    );
    assert_eq!(
        warnings[0].to_string(),
        ".strataignore:1: ignore entry GHSA-r64q-w8jr-g9qp expired on 2025-01-31; it no longer suppresses"
    );
}

#[test]
fn yaml_entries_narrow_by_purl_and_path() {
    let file = ignore(
        ".strataignore.yaml",
        r#"
vulnerabilities:
  - id: CVE-2019-11236
    purls: ["pkg:pypi/urllib3@1.23"]
    statement: pinned by the vendor SDK
  - id: CVE-2024-33601
    purls: ["pkg:deb/debian/libc6?arch=arm64"]
  - id: CVE-2023-5344
    paths: ["var/lib/dpkg/**"]
    expired_at: 2030-01-01
"#,
    );
    let mut report = report(vec![urllib3("1.23"), urllib3("1.24"), glibc_nscd(), vim()]);
    let warnings = apply(
        &mut report,
        &Filter::default(),
        &[file],
        &[],
        date("2025-06-01"),
    );
    assert!(warnings.is_empty());
    assert_eq!(
        ids(&report.findings),
        [
            ("PYSEC-2019-132".to_owned(), "1.24".to_owned()),
            ("CVE-2024-33601".to_owned(), "2.36-9+deb12u4".to_owned()),
        ],
        "1.24 is not the pinned version; libc6 is amd64"
    );
    assert_eq!(
        ids(&report.suppressed),
        [
            ("PYSEC-2019-132".to_owned(), "1.23".to_owned()),
            ("CVE-2023-5344".to_owned(), "2:9.0.1378-2".to_owned()),
        ]
    );
    assert_eq!(
        report.suppressed[0].suppression.as_ref().unwrap().reason,
        Some("pinned by the vendor SDK".into())
    );
}

#[test]
fn a_path_glob_that_misses_does_not_suppress() {
    let file = ignore(
        "policy/ignore.yml",
        "vulnerabilities:\n  - id: PYSEC-2019-132\n    paths: [\"opt/app/**\"]\n",
    );
    let mut report = report(vec![urllib3("1.23")]);
    apply(
        &mut report,
        &Filter::default(),
        &[file],
        &[],
        date("2025-06-01"),
    );
    assert_eq!(report.findings.len(), 1);
}

#[test]
fn filters_run_before_suppression_and_the_ignore_file_before_vex() {
    let vex = VexDocument::parse(
        Path::new("vex/urllib3.openvex.json"),
        serde_json::to_vec(&serde_json::json!({
            "@context": "https://openvex.dev/ns/v0.2.0",
            "@id": "https://example.com/vex/1",
            "author": "Shop security team",
            "timestamp": "2025-01-10T09:00:00Z",
            "version": 1,
            "statements": [{
                "vulnerability": {"name": "CVE-2019-11236"},
                "products": [{"@id": "pkg:pypi/urllib3"}],
                "status": "not_affected",
                "justification": "vulnerable_code_not_in_execute_path"
            }, {
                "vulnerability": {"name": "CVE-2023-5344"},
                "products": [{"@id": "pkg:deb/debian/vim"}],
                "status": "fixed"
            }]
        }))
        .unwrap()
        .as_slice(),
    )
    .unwrap();
    let file = ignore(".strataignore", "PYSEC-2019-132\n");
    let mut report = report(vec![
        urllib3("1.23"),
        vim(),
        zlib_minizip(),
        apt_negligible(),
    ]);
    let filter = Filter {
        severities: Some(BTreeSet::from([
            Severity::Critical,
            Severity::High,
            Severity::Medium,
        ])),
        ignore_unfixed: false,
    };
    apply(&mut report, &filter, &[file], &[vex], date("2025-06-01"));
    assert_eq!(id_set(&report.findings), BTreeSet::from(["CVE-2023-45853"]));
    let kinds: Vec<(&str, &str, &str)> = report
        .suppressed
        .iter()
        .map(|f| {
            let s = f.suppression.as_ref().unwrap();
            (f.id.as_str(), s.kind.as_str(), s.source.as_str())
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("PYSEC-2019-132", SUPPRESSED_BY_IGNORE_FILE, ".strataignore"),
            (
                "CVE-2023-5344",
                SUPPRESSED_BY_VEX,
                "vex/urllib3.openvex.json"
            ),
        ]
    );
    assert_eq!(
        report.suppressed[1].suppression.as_ref().unwrap().reason,
        Some("fixed".into())
    );
    assert_eq!(report.summary.total, 1);
    assert_eq!(report.summary.suppressed, 2);
}

#[test]
fn findings_already_suppressed_are_kept_if_the_filter_shows_them() {
    let mut report = report(vec![vim()]);
    let mut earlier = glibc_nscd();
    earlier.suppression = Some(Suppression {
        kind: "vex".into(),
        source: "old.json".into(),
        reason: None,
    });
    let mut low = apt_negligible();
    low.suppression = earlier.suppression.clone();
    report.suppressed = vec![earlier, low];
    let filter = Filter {
        severities: Some(BTreeSet::from([Severity::High])),
        ignore_unfixed: false,
    };
    apply(&mut report, &filter, &[], &[], date("2025-06-01"));
    assert_eq!(
        id_set(&report.suppressed),
        BTreeSet::from(["CVE-2024-33601"])
    );
    assert_eq!(report.summary.suppressed, 1);
    assert_eq!(report.summary.total, 1);
}
