//! SARIF 2.1.0: a rule per policy (help: its remediation), a result per
//! violation — `error` for `fail` policies, `warning` for `warn` ones —
//! located at the violating package's path in the image, or at the image
//! itself for a fact. Policies not violated give rules without results.

use serde_json::{Map, Value, json};
use strata_policy::policy::{CheckResult, Enforcement, PolicyResult};
use strata_vulndb::Severity;

use crate::scan::{path_uri, sarif::VERSION};

const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/strata-scanner/strata";

/// A stable rule id from a policy name: `Log4Shell/Spring4Shell/Text4Shell`
/// → `policy/log4shell-spring4shell-text4shell`.
pub fn rule_id(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    format!("policy/{}", slug.trim_end_matches('-'))
}

fn level(enforcement: Enforcement) -> &'static str {
    match enforcement {
        Enforcement::Fail => "error",
        Enforcement::Warn => "warning",
    }
}

/// GitHub ranks alerts by `security-severity`: a score in its band for the
/// policy's severity (as the scan SARIF does without a CVSS score).
fn band_score(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
        Severity::Negligible | Severity::Unknown => "0.0",
    }
}

/// `result` as a SARIF 2.1.0 log.
pub fn render(result: &CheckResult, tool_version: &str) -> Value {
    let rules: Vec<Value> = result.policies.iter().map(rule).collect();
    let mut results = Vec::new();
    for (index, policy) in result.policies.iter().enumerate() {
        if !policy.violated {
            continue;
        }
        for violation in &policy.violations {
            let uri = violation
                .finding
                .as_ref()
                .and_then(|f| f.path.as_deref())
                .unwrap_or(&result.image.reference);
            results.push(json!({
                "ruleId": rule_id(&policy.name),
                "ruleIndex": index,
                "level": level(policy.enforcement),
                "message": {"text": format!("{}: {}", policy.name, violation.message)},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": path_uri(uri)},
                        "region": {"startLine": 1}
                    },
                    "message": {"text": result.image.reference}
                }]
            }));
        }
    }
    let mut properties = Map::new();
    properties.insert("imageName".into(), result.image.reference.as_str().into());
    if let Some(digest) = &result.image.manifest_digest {
        properties.insert("manifestDigest".into(), digest.as_str().into());
    }
    properties.insert("passed".into(), result.passed.into());
    properties.insert("reason".into(), result.reason.as_str().into());
    json!({
        "$schema": SCHEMA_URI,
        "version": VERSION,
        "runs": [{
            "tool": {
                "driver": {
                    "name": "strata",
                    "fullName": "Strata container image policy check",
                    "version": tool_version,
                    "informationUri": INFORMATION_URI,
                    "rules": rules,
                }
            },
            "results": results,
            "columnKind": "utf16CodeUnits",
            "properties": properties,
        }]
    })
}

fn rule(policy: &PolicyResult) -> Value {
    let description = if policy.description.is_empty() {
        policy.name.clone()
    } else {
        policy.description.clone()
    };
    let mut help = String::new();
    if !policy.rationale.is_empty() {
        help.push_str(&format!("Why: {}\n\n", policy.rationale));
    }
    if !policy.remediation.is_empty() {
        help.push_str(&format!("Remediation: {}", policy.remediation));
    }
    let mut tags = vec!["security".to_owned(), "policy".to_owned()];
    tags.extend(policy.categories.iter().cloned());
    json!({
        "id": rule_id(&policy.name),
        "name": policy.name,
        "shortDescription": {"text": policy.name},
        "fullDescription": {"text": description},
        "help": {"text": if help.is_empty() { description.clone() } else { help }},
        "defaultConfiguration": {"level": level(policy.enforcement)},
        "properties": {
            "tags": tags,
            "security-severity": band_score(policy.severity),
            "enforcement": match policy.enforcement {
                Enforcement::Fail => "fail",
                Enforcement::Warn => "warn",
            },
        }
    })
}
