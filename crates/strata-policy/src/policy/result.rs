//! The result of a policy check: `strata image check -f json` prints it and
//! `POST /api/v1/checks` returns it (schema [`CHECK_SCHEMA`]; fields are only
//! ever added).
//!
//! ```json
//! {
//!   "schema": "strata.check/v1",
//!   "image": {"reference": "…", "manifest_digest": "sha256:…"},
//!   "evaluated_on": "2026-05-04",
//!   "passed": false,
//!   "reason": "policy check failed: `Fixable Critical` (fail) violated by 2 findings",
//!   "policies": [{
//!     "name": "Fixable Critical", "description": "…", "severity": "Critical",
//!     "enforcement": "fail", "categories": ["Vulnerability Management"],
//!     "status": "failed",            // passed | warned | failed | excluded | out_of_scope
//!     "violated": true,
//!     "violations": [{
//!       "message": "CVE-2022-42889 (Critical) in org.apache.commons:commons-text 1.9 …",
//!       "finding": {"id": "…", "aliases": […], "ecosystem": "Maven", "package": "…",
//!                   "version": "1.9", "fixed_version": "1.10.0", "severity": "Critical",
//!                   "path": "/opt/app/webapp.war"}
//!     }, {"message": "the image runs as root", "fact": "runs_as_root"}],
//!     "remediation": "…", "rationale": "…",
//!     "exclusion": {"reason": "…", "expires": "2026-06-01"},   // when excluded
//!     "notes": ["exclusion for … expired on 2026-01-01"]
//!   }],
//!   "summary": {"evaluated": 5, "violated": 3, "failed": ["Fixable Critical"],
//!               "warned": ["Runs as root"]}
//! }
//! ```

use serde::{Deserialize, Serialize};
use strata_vulndb::Severity;

use crate::date::Date;

use super::model::Enforcement;

/// The format's name and version.
pub const CHECK_SCHEMA: &str = "strata.check/v1";

/// What a policy check decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// Always [`CHECK_SCHEMA`].
    pub schema: String,
    /// The image checked.
    pub image: CheckedImage,
    /// The day the check ran (ages and expiries count from it).
    pub evaluated_on: Date,
    /// `true` when no `fail` policy is violated.
    pub passed: bool,
    /// One line saying why, naming the failing policies.
    pub reason: String,
    /// Every policy evaluated, in policy-set order.
    pub policies: Vec<PolicyResult>,
    /// Counts and names.
    pub summary: CheckSummary,
}

/// The image of a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckedImage {
    /// The reference as scanned.
    pub reference: String,
    /// Its manifest digest, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
}

/// What happened to one policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyStatus {
    /// Not violated.
    Passed,
    /// Violated, enforcement `warn`.
    Warned,
    /// Violated, enforcement `fail`: the build fails.
    Failed,
    /// An unexpired exclusion covers the image.
    Excluded,
    /// The image is outside the policy's scope.
    OutOfScope,
}

/// One policy's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyResult {
    /// Its name.
    pub name: String,
    /// What it checks.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// How bad a violation is.
    pub severity: Severity,
    /// `warn` or `fail`.
    pub enforcement: Enforcement,
    /// Its categories.
    #[serde(default)]
    pub categories: Vec<String>,
    /// What happened.
    pub status: PolicyStatus,
    /// Whether it is violated (status `warned` or `failed`).
    pub violated: bool,
    /// Why: the findings or facts that violate it.
    #[serde(default)]
    pub violations: Vec<Violation>,
    /// What to do about it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub remediation: String,
    /// Why it matters.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub rationale: String,
    /// The exclusion that covers the image (status `excluded`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclusion: Option<ExclusionNote>,
    /// Anything else worth saying (expired exclusions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The exclusion applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExclusionNote {
    /// Its image pattern.
    pub image: String,
    /// Its reason.
    pub reason: String,
    /// Its expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Date>,
}

/// One reason a policy is violated: a finding, or a fact of the image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    /// In words.
    pub message: String,
    /// The finding, when a finding violates it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding: Option<ViolatingFinding>,
    /// The criterion (`runs_as_root`, `required_labels`…), when a fact does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fact: Option<String>,
}

/// The finding behind a violation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViolatingFinding {
    /// The advisory id.
    pub id: String,
    /// Its aliases.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The package's ecosystem.
    pub ecosystem: String,
    /// The package.
    pub package: String,
    /// Its installed version.
    pub version: String,
    /// The first fixed version, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
    /// The finding's severity.
    pub severity: Severity,
    /// Where the package is in the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// Counts and names, for a one-glance verdict.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckSummary {
    /// Policies evaluated.
    pub evaluated: usize,
    /// Policies violated.
    pub violated: usize,
    /// Violated `fail` policies.
    pub failed: Vec<String>,
    /// Violated `warn` policies.
    pub warned: Vec<String>,
}

impl CheckResult {
    /// 0 when no `fail` policy is violated, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        u8::from(!self.summary.failed.is_empty())
    }
}

/// The one-line verdict of `policies`.
pub(crate) fn reason(policies: &[PolicyResult]) -> String {
    let describe = |status: PolicyStatus| -> Vec<String> {
        policies
            .iter()
            .filter(|p| p.status == status)
            .map(|p| {
                let findings = p.violations.iter().filter(|v| v.finding.is_some()).count();
                let what = if findings > 0 {
                    format!("{findings} finding{}", if findings == 1 { "" } else { "s" })
                } else {
                    p.violations
                        .first()
                        .map_or_else(String::new, |v| v.message.clone())
                };
                format!("`{}` ({what})", p.name)
            })
            .collect()
    };
    let failed = describe(PolicyStatus::Failed);
    let warned = describe(PolicyStatus::Warned);
    let warnings = if warned.is_empty() {
        String::new()
    } else {
        format!("; warnings: {}", warned.join(", "))
    };
    if failed.is_empty() {
        format!(
            "policy check passed: no `fail` policy violated ({} evaluated){warnings}",
            policies.len()
        )
    } else {
        format!(
            "policy check failed: {} violated{warnings}",
            failed.join(", ")
        )
    }
}
