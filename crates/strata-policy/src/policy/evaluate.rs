//! Evaluating a policy set against a scan report and the image's facts.

use strata_match::{Finding, ScanReport};

use crate::date::Date;

use super::criteria::{finding_matches, image_facts};
use super::facts::ImageFacts;
use super::load::PolicySet;
use super::model::{Enforcement, Policy};
use super::result::{
    CHECK_SCHEMA, CheckResult, CheckSummary, CheckedImage, ExclusionNote, PolicyResult,
    PolicyStatus, ViolatingFinding, Violation, reason,
};

/// Evaluates every policy of `set` on the shown findings of `report`
/// (suppressed ones never violate a policy, as they never fail the gate)
/// and on `facts`, as of `today`.
pub fn evaluate(
    set: &PolicySet,
    report: &ScanReport,
    facts: &ImageFacts,
    today: Date,
) -> CheckResult {
    let policies: Vec<PolicyResult> = set
        .policies()
        .iter()
        .map(|policy| evaluate_policy(policy, &report.findings, facts, today))
        .collect();
    let names = |status: PolicyStatus| -> Vec<String> {
        policies
            .iter()
            .filter(|p| p.status == status)
            .map(|p| p.name.clone())
            .collect()
    };
    let summary = CheckSummary {
        evaluated: policies.len(),
        violated: policies.iter().filter(|p| p.violated).count(),
        failed: names(PolicyStatus::Failed),
        warned: names(PolicyStatus::Warned),
    };
    CheckResult {
        schema: CHECK_SCHEMA.to_owned(),
        image: CheckedImage {
            reference: facts.reference.clone(),
            manifest_digest: facts.manifest_digest.clone(),
        },
        evaluated_on: today,
        passed: summary.failed.is_empty(),
        reason: reason(&policies),
        policies,
        summary,
    }
}

fn evaluate_policy(
    policy: &Policy,
    findings: &[Finding],
    facts: &ImageFacts,
    today: Date,
) -> PolicyResult {
    let mut result = PolicyResult {
        name: policy.name.clone(),
        description: policy.description.clone(),
        severity: policy.severity,
        enforcement: policy.enforcement,
        categories: policy.categories.clone(),
        status: PolicyStatus::Passed,
        violated: false,
        violations: Vec::new(),
        remediation: policy.remediation.clone(),
        rationale: policy.rationale.clone(),
        exclusion: None,
        notes: Vec::new(),
    };
    if !in_scope(policy, facts) {
        result.status = PolicyStatus::OutOfScope;
        return result;
    }
    let names = facts.image_names();
    for exclusion in &policy.exclusions {
        if !names.iter().any(|name| exclusion.image.is_match(name)) {
            continue;
        }
        // As for ignore entries: an exclusion expires *on* its date.
        match exclusion.expires {
            Some(expires) if today >= expires => result.notes.push(format!(
                "the exclusion for `{}` expired on {expires} ({})",
                exclusion.image.as_str(),
                exclusion.reason
            )),
            _ => {
                result.status = PolicyStatus::Excluded;
                result.exclusion = Some(ExclusionNote {
                    image: exclusion.image.as_str().to_owned(),
                    reason: exclusion.reason.clone(),
                    expires: exclusion.expires,
                });
                return result;
            }
        }
    }
    result.violations = violations(policy, findings, facts, today);
    if !result.violations.is_empty() {
        result.violated = true;
        result.status = match policy.enforcement {
            Enforcement::Fail => PolicyStatus::Failed,
            Enforcement::Warn => PolicyStatus::Warned,
        };
    }
    result
}

/// Whether one of the policy's scopes (or, with none, every image) covers
/// the image. Scopes name registry repositories: a local archive or layout
/// has none, so a scoped policy never applies to it.
fn in_scope(policy: &Policy, facts: &ImageFacts) -> bool {
    policy.scope.is_empty()
        || policy.scope.iter().any(|scope| {
            let matches = |pattern: &Option<super::model::Pattern>, value: &Option<String>| {
                pattern.as_ref().is_none_or(|pattern| {
                    value
                        .as_deref()
                        .is_some_and(|value| pattern.is_match(value))
                })
            };
            matches(&scope.registry, &facts.registry)
                && matches(&scope.repository, &facts.repository)
                && matches(&scope.tag, &facts.tag)
        })
}

fn violations(
    policy: &Policy,
    findings: &[Finding],
    facts: &ImageFacts,
    today: Date,
) -> Vec<Violation> {
    let criteria = &policy.criteria;
    let Some(held) = image_facts(criteria, facts, today) else {
        return Vec::new();
    };
    if !criteria.selects_findings() {
        return held
            .into_iter()
            .map(|fact| Violation {
                message: fact.message,
                finding: None,
                fact: Some(fact.criterion.to_owned()),
            })
            .collect();
    }
    let mut matching: Vec<&Finding> = findings
        .iter()
        .filter(|finding| finding_matches(criteria, finding, today))
        .collect();
    // Worst first, then by id and package, so the output is stable.
    matching.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.package.name.cmp(&b.package.name))
    });
    matching.into_iter().map(finding_violation).collect()
}

fn finding_violation(finding: &Finding) -> Violation {
    let fixed_version = finding
        .fixed_versions
        .iter()
        .find(|v| !v.trim().is_empty())
        .cloned();
    let path = finding.package.paths.first().cloned();
    let aliases = if finding.aliases.is_empty() {
        String::new()
    } else {
        format!(" [{}]", finding.aliases.join(", "))
    };
    let message = format!(
        "{}{aliases} ({:?}) in {} {}{}: {}",
        finding.id,
        finding.severity,
        finding.package.name,
        finding.package.version,
        path.as_deref()
            .map(|p| format!(" at {p}"))
            .unwrap_or_default(),
        fixed_version.as_deref().map_or_else(
            || "no fixed version".to_owned(),
            |v| format!("fixed in {v}")
        ),
    );
    Violation {
        message,
        finding: Some(ViolatingFinding {
            id: finding.id.clone(),
            aliases: finding.aliases.clone(),
            ecosystem: finding.package.ecosystem.clone(),
            package: finding.package.name.clone(),
            version: finding.package.version.clone(),
            fixed_version,
            severity: finding.severity,
            path,
        }),
        fact: None,
    }
}
