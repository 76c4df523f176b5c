//! The CI gate: `--fail-on` and `--exit-code` with Trivy's meaning.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::Path;

use common::*;
use strata_policy::{
    Filter, Gate, GateOutcome, GateStatus, IgnoreFile, PolicyError, apply, parse_severity,
};
use strata_vulndb::Severity;

fn gate(fail_on: Option<&str>, exit_code: Option<i64>) -> Gate {
    Gate::new(fail_on.map(|s| parse_severity(s).unwrap()), exit_code).unwrap()
}

fn failed(code: i32, reason: &str, failing: usize) -> GateOutcome {
    GateOutcome {
        status: GateStatus::Failed,
        exit_code: code,
        reason: reason.into(),
        failing,
    }
}

#[test]
fn no_flags_never_fail() {
    let outcome = gate(None, None).evaluate(&[zlib_minizip(), glibc_nscd()]);
    assert!(outcome.passed());
    assert_eq!(outcome.exit_code, 0);
    assert_eq!(
        outcome.reason,
        "gate not set (no --fail-on or --exit-code): never fails"
    );
}

#[test]
fn fail_on_counts_findings_at_or_above_the_severity() {
    let findings = [
        zlib_minizip(),
        glibc_nscd(),
        vim(),
        urllib3("1.23"),
        apt_negligible(),
    ];
    assert_eq!(
        gate(Some("HIGH"), None).evaluate(&findings),
        failed(
            1,
            "gate failed: 3 findings at or above High (CVE-2023-45853 in zlib1g 1:1.2.13.dfsg-1, CVE-2023-5344 in vim 2:9.0.1378-2, CVE-2024-33601 in libc6 2.36-9+deb12u4)",
            3
        )
    );
    assert_eq!(
        gate(Some("critical"), None).evaluate(&findings),
        failed(
            1,
            "gate failed: 1 finding at or above Critical (CVE-2023-45853 in zlib1g 1:1.2.13.dfsg-1)",
            1
        )
    );
    // Four or more: the three worst, then "…".
    let outcome = gate(Some("low"), None).evaluate(&findings);
    assert_eq!(outcome.failing, 4);
    assert!(
        outcome
            .reason
            .starts_with("gate failed: 4 findings at or above Low (CVE-2023-45853"),
        "{}",
        outcome.reason
    );
    assert!(outcome.reason.ends_with(", …)"), "{}", outcome.reason);

    let outcome = gate(Some("high"), None).evaluate(&[urllib3("1.23"), apt_negligible()]);
    assert!(outcome.passed());
    assert_eq!(outcome.exit_code, 0);
    assert_eq!(outcome.reason, "gate passed: no findings at or above High");
}

#[test]
fn exit_code_alone_fails_on_any_shown_finding() {
    assert_eq!(
        gate(None, Some(5)).evaluate(&[apt_negligible(), glibc_nscd()]),
        failed(
            5,
            "gate failed: 2 findings (CVE-2024-33601 (High) in libc6 2.36-9+deb12u4, CVE-2011-3374 (Negligible) in apt 2.6.1)",
            2
        )
    );
    let outcome = gate(None, Some(5)).evaluate(&[]);
    assert!(outcome.passed());
    assert_eq!(outcome.reason, "gate passed: no findings");
}

#[test]
fn with_both_fail_on_decides_and_exit_code_is_the_code() {
    let outcome = gate(Some("critical"), Some(3)).evaluate(&[glibc_nscd()]);
    assert!(outcome.passed());
    assert_eq!(outcome.exit_code, 0);
    let outcome = gate(Some("high"), Some(3)).evaluate(&[glibc_nscd()]);
    assert_eq!(outcome.status, GateStatus::Failed);
    assert_eq!(outcome.exit_code, 3);
}

#[test]
fn exit_code_zero_never_fails() {
    let outcome = gate(Some("unknown"), Some(0)).evaluate(&[zlib_minizip()]);
    assert!(outcome.passed());
    assert_eq!(outcome.exit_code, 0);
    assert_eq!(outcome.reason, "gate off: --exit-code 0 never fails");
}

#[test]
fn exit_codes_that_cannot_be_used_are_refused() {
    let err = Gate::new(None, Some(2)).unwrap_err();
    assert!(matches!(err, PolicyError::BadExitCode { code: 2, .. }));
    assert_eq!(
        err.to_string(),
        "--exit-code 2: 2 is the exit code for errors; choose another"
    );
    for code in [-1, 256, i64::MAX] {
        assert!(
            matches!(
                Gate::new(None, Some(code)),
                Err(PolicyError::BadExitCode { .. })
            ),
            "{code}"
        );
    }
    assert_eq!(Gate::new(None, Some(255)).unwrap().exit_code(), Some(255));
    assert_eq!(
        Gate::new(Some(Severity::High), None).unwrap().fail_on(),
        Some(Severity::High)
    );
}

#[test]
fn suppressed_findings_do_not_fail_the_gate() {
    let mut report = report(vec![glibc_nscd(), urllib3("1.23")]);
    let file = IgnoreFile::from_text(
        Path::new(".strataignore"),
        "CVE-2024-33601 # nscd not installed\n",
    )
    .unwrap();
    apply(
        &mut report,
        &Filter::default(),
        &[file],
        &[],
        date("2025-06-01"),
    );
    let outcome = gate(Some("high"), None).evaluate(&report.findings);
    assert!(outcome.passed(), "{outcome}");
}
