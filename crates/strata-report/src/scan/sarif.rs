//! SARIF 2.1.0 (<https://docs.oasis-open.org/sarif/sarif/v2.1.0/>), shaped for
//! GitHub code scanning as Trivy and Grype shape theirs: one rule per advisory
//! id, carrying `properties.security-severity` (a CVSS-like score as a string:
//! GitHub ranks alerts by it) and the `security` tag GitHub requires beside it;
//! one result per finding, located at the package's first path in the image
//! (GitHub insists on a file location; images have no source lines, so line 1).

use std::collections::HashMap;

use serde_json::{Map, Value, json};
use strata_match::{Finding, ScanReport};
use strata_vulndb::Severity;

use super::{
    ScanPackage, advisory_url, finding_layer, fix_text, packages, path_uri, severity_score,
    severity_word,
};

/// The SARIF version written.
pub const VERSION: &str = "2.1.0";

const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/strata-scanner/strata";

/// The SARIF level of a severity: Critical and High are errors, Medium a
/// warning, the rest notes.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Negligible | Severity::Unknown => "note",
    }
}

/// `security-severity` when no CVSS score stands for the severity: a score
/// inside GitHub's band for it (critical ≥ 9.0, high ≥ 7.0, medium ≥ 4.0, low
/// below), as Trivy does. Unknown gets none: GitHub then ranks by level only.
fn band_score(severity: Severity) -> Option<&'static str> {
    match severity {
        Severity::Critical => Some("9.5"),
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.5"),
        Severity::Low => Some("2.0"),
        Severity::Negligible => Some("0.0"),
        Severity::Unknown => None,
    }
}

/// The shown findings of `report` as a SARIF 2.1.0 log (suppressed findings are
/// left out, as GitHub would show them as open alerts). `tool_version` is
/// Strata's version.
pub fn render(report: &ScanReport, tool_version: &str) -> Value {
    let packages = packages(report);
    let mut rules: Vec<Value> = Vec::new();
    let mut rule_index: HashMap<&str, usize> = HashMap::new();
    let mut results = Vec::with_capacity(report.findings.len());
    for (finding, &package) in report.findings.iter().zip(&packages.of_finding) {
        let Some(package) = packages.list.get(package) else {
            continue;
        };
        let index = *rule_index.entry(finding.id.as_str()).or_insert_with(|| {
            rules.push(rule(finding, package));
            rules.len() - 1
        });
        results.push(result(report, finding, package, index));
    }

    let mut properties = Map::new();
    properties.insert("imageName".into(), report.image.reference.as_str().into());
    if let Some(id) = &report.image.config_digest {
        properties.insert("imageID".into(), id.as_str().into());
    }
    if let Some(digest) = &report.image.manifest_digest {
        properties.insert("manifestDigest".into(), digest.as_str().into());
    }
    if let Some(platform) = &report.image.platform {
        properties.insert("platform".into(), platform.as_str().into());
    }
    if let Some(built_at) = &report.db.built_at {
        properties.insert("databaseBuiltAt".into(), built_at.as_str().into());
    }
    if let Some(os) = report.os.as_ref().filter(|os| !os.supported) {
        // Never let an empty result list read as "the OS packages are clean".
        properties.insert(
            "osPackagesNotChecked".into(),
            format!(
                "no vulnerability data for {} {}",
                os.id,
                os.version.as_deref().unwrap_or_default()
            )
            .trim_end()
            .into(),
        );
    }

    json!({
        "$schema": SCHEMA_URI,
        "version": VERSION,
        "runs": [{
            "tool": {
                "driver": {
                    "name": "strata",
                    "fullName": "Strata container image vulnerability scanner",
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

/// The rule of an advisory, from its first finding.
fn rule(finding: &Finding, package: &ScanPackage<'_>) -> Value {
    let severity = severity_word(finding.severity);
    let summary = finding
        .summary
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let short = summary
        .and_then(|s| s.lines().next())
        .map(|line| super::truncate(line, 200).into_owned())
        .unwrap_or_else(|| format!("{} ({severity})", finding.id));
    let full = summary.map_or_else(|| short.clone(), str::to_owned);
    let url = advisory_url(&finding.id, &finding.source, &finding.references);

    let mut help_text = format!("Vulnerability {}\nSeverity: {severity}", finding.id);
    let mut help_markdown = format!(
        "**Vulnerability {}**\n\n| Severity | Package | Fixed version |\n| --- | --- | --- |\n| {severity} | {} | {} |\n",
        markdown(&finding.id),
        markdown(&finding.package.name),
        markdown(&finding.fixed_versions.join(", ")),
    );
    if !finding.aliases.is_empty() {
        help_text.push_str(&format!("\nAliases: {}", finding.aliases.join(", ")));
    }
    if let Some(url) = &url {
        help_text.push_str(&format!("\nLink: {url}"));
        help_markdown.push_str(&format!("\n[{}]({url})\n", markdown(&finding.id)));
    }
    if let Some(summary) = summary {
        help_text.push_str(&format!("\n\n{summary}"));
        help_markdown.push_str(&format!("\n{}\n", markdown(summary)));
    }

    let score = severity_score(
        finding.severity,
        finding.severity_source.as_deref(),
        &finding.cvss,
    )
    .map(|s| format!("{s:.1}"))
    .or_else(|| band_score(finding.severity).map(str::to_owned));
    let mut properties = Map::new();
    properties.insert(
        "tags".into(),
        json!(["security", "vulnerability", severity, package.ecosystem]),
    );
    properties.insert("precision".into(), "very-high".into());
    if let Some(score) = score {
        properties.insert("security-severity".into(), score.into());
    }
    if !finding.aliases.is_empty() {
        properties.insert("aliases".into(), json!(finding.aliases));
    }

    let mut rule = Map::new();
    rule.insert("id".into(), finding.id.as_str().into());
    rule.insert(
        "name".into(),
        if package.is_os() {
            "OsPackageVulnerability"
        } else {
            "LanguageSpecificPackageVulnerability"
        }
        .into(),
    );
    rule.insert("shortDescription".into(), json!({ "text": short }));
    rule.insert("fullDescription".into(), json!({ "text": full }));
    if let Some(url) = url {
        rule.insert("helpUri".into(), url.into());
    }
    rule.insert(
        "help".into(),
        json!({ "text": help_text, "markdown": help_markdown }),
    );
    rule.insert(
        "defaultConfiguration".into(),
        json!({ "level": level(finding.severity) }),
    );
    rule.insert("properties".into(), properties.into());
    Value::Object(rule)
}

fn result(
    report: &ScanReport,
    finding: &Finding,
    package: &ScanPackage<'_>,
    rule_index: usize,
) -> Value {
    let found = &finding.package;
    let message = format!(
        "{} {} ({}) is affected by {} (severity {}). Fixed version: {}.",
        found.name,
        found.version,
        found.ecosystem,
        finding.id,
        severity_word(finding.severity),
        if finding.fixed_versions.is_empty() {
            format!("none ({})", fix_text(finding.fix_state, &[]))
        } else {
            finding.fixed_versions.join(", ")
        }
    );
    let uri = path_uri(
        found
            .paths
            .first()
            .map_or(report.image.reference.as_str(), String::as_str),
    );
    let package_id = format!("{}@{}", found.name, found.version);
    let qualified = if found.purl.is_empty() {
        package_id.clone()
    } else {
        found.purl.clone()
    };

    let mut properties = Map::new();
    properties.insert("packageName".into(), found.name.as_str().into());
    properties.insert("installedVersion".into(), found.version.as_str().into());
    properties.insert("ecosystem".into(), found.ecosystem.as_str().into());
    if !found.purl.is_empty() {
        properties.insert("purl".into(), found.purl.as_str().into());
    }
    properties.insert("fixedVersions".into(), json!(finding.fixed_versions));
    if let Some(state) = serde_json::to_value(finding.fix_state)
        .ok()
        .filter(Value::is_string)
    {
        properties.insert("fixState".into(), state);
    }
    properties.insert("namespace".into(), finding.namespace.as_str().into());
    let (layer_diff_id, layer_index) = finding_layer(finding, package);
    if let Some(diff_id) = layer_diff_id {
        properties.insert("layerDiffId".into(), diff_id.into());
    }
    if let Some(index) = layer_index {
        properties.insert("layerIndex".into(), index.into());
    }

    json!({
        "ruleId": finding.id,
        "ruleIndex": rule_index,
        "level": level(finding.severity),
        "message": { "text": message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri },
                "region": { "startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1 },
            },
            "logicalLocations": [{
                "name": package_id,
                "fullyQualifiedName": qualified,
                "kind": "module",
            }],
            "message": { "text": format!("{} {}", found.name, found.version) },
        }],
        "properties": properties,
    })
}

/// `text` safe in a Markdown table cell: pipes escaped, HTML brackets entity-
/// encoded, line breaks flattened.
fn markdown(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}
