//! A scan as a CycloneDX 1.6 BOM: the inventory's SBOM (same components, same
//! bom-refs) plus `vulnerabilities`
//! (<https://cyclonedx.org/docs/1.6/json/#vulnerabilities>). Shown findings are
//! grouped by advisory id, one entry affecting every package it was found in;
//! each suppressed finding is an entry of its own carrying an `analysis` (the
//! VEX statement or ignore rule that suppressed it), so consumers that read
//! CycloneDX VEX see why it is not open.

use std::collections::HashSet;

use serde_json::{Map, Value, json};
use strata_catalog::inventory::{Inventory, OsInfo};
use strata_match::{Finding, ScanReport, Suppression};
use strata_vulndb::{CvssVersion, Severity};

use super::{bom_ref_with_id, library_component, package_refs, property, sbom_at};
use crate::ids;
use crate::scan::{self, ScanPackage, advisory_url, id_source, is_clean_url, rfc3339};

/// `report` as a CycloneDX 1.6 BOM with vulnerabilities, timestamped now.
/// `tool_version` is Strata's version.
pub fn scan_bom(report: &ScanReport, tool_version: &str) -> Value {
    scan_bom_at(report, tool_version, None)
}

/// As [`scan_bom`], with `metadata.timestamp` set to `timestamp` (RFC 3339)
/// when given. Without an inventory in the report (one read back from JSON),
/// the components are the packages of the findings.
pub fn scan_bom_at(report: &ScanReport, tool_version: &str, timestamp: Option<&str>) -> Value {
    let fallback;
    let inventory = match &report.inventory {
        Some(inventory) => inventory,
        None => {
            fallback = bare_inventory(report);
            &fallback
        }
    };
    let mut bom = sbom_at(inventory, tool_version, timestamp);
    let packages = scan::packages(report);

    // Every package's bom-ref: the SBOM's for inventory packages, a new
    // component for packages only findings know.
    let inventory_refs = package_refs(inventory);
    let mut used: HashSet<String> = inventory_refs.iter().cloned().collect();
    let mut refs = Vec::with_capacity(packages.list.len());
    let mut extra_components = Vec::new();
    for (index, package) in packages.list.iter().enumerate() {
        let known = package
            .inventory_index
            .and_then(|i| inventory_refs.get(i))
            .cloned();
        let bom_ref = known.unwrap_or_else(|| {
            let fields = [
                package.ecosystem,
                package.name,
                package.version,
                package.purl,
            ];
            let mut bom_ref = bom_ref_with_id(
                fields,
                &ids::package_id_of(fields, package.layer, package.paths),
            );
            if used.contains(&bom_ref) {
                bom_ref = format!("{bom_ref}-{index}");
            }
            used.insert(bom_ref.clone());
            extra_components.push(found_component(package, &bom_ref));
            bom_ref
        });
        refs.push(bom_ref);
    }
    let extra_refs: Vec<Value> = extra_components
        .iter()
        .filter_map(|c| c.get("bom-ref").cloned())
        .collect();
    if let Some(components) = bom.get_mut("components").and_then(Value::as_array_mut) {
        components.extend(extra_components);
    }
    if let Some(depends_on) = bom
        .get_mut("dependencies")
        .and_then(|d| d.get_mut(0))
        .and_then(|d| d.get_mut("dependsOn"))
        .and_then(Value::as_array_mut)
    {
        depends_on.extend(extra_refs);
    }

    let mut vulnerabilities: Vec<Value> = Vec::new();
    let mut shown: Vec<(&str, Vec<(&Finding, &str)>)> = Vec::new();
    for (finding, &package) in report.findings.iter().zip(&packages.of_finding) {
        let Some(bom_ref) = refs.get(package) else {
            continue;
        };
        match shown.iter_mut().find(|(id, _)| *id == finding.id) {
            Some((_, list)) => list.push((finding, bom_ref)),
            None => shown.push((&finding.id, vec![(finding, bom_ref)])),
        }
    }
    for (id, affected) in &shown {
        vulnerabilities.push(vulnerability(&format!("vuln:{id}"), affected, None));
    }
    for (index, (finding, &package)) in report
        .suppressed
        .iter()
        .zip(&packages.of_suppressed)
        .enumerate()
    {
        if let Some(bom_ref) = refs.get(package) {
            vulnerabilities.push(vulnerability(
                &format!("vuln:{}:suppressed:{index}", finding.id),
                &[(finding, bom_ref)],
                finding.suppression.as_ref(),
            ));
        }
    }

    // A different BOM from the plain SBOM of the same image: its own serial.
    let mut identity = vec!["strata-scan/v1"];
    identity.extend(report.db.built_at.as_deref());
    for finding in report.findings.iter().chain(&report.suppressed) {
        identity.push(&finding.id);
        identity.push(&finding.package.purl);
        identity.push(if finding.suppression.is_some() {
            "suppressed"
        } else {
            "shown"
        });
    }
    if let Some(object) = bom.as_object_mut() {
        object.insert(
            "serialNumber".into(),
            format!("urn:uuid:{}", ids::derived_uuid(inventory, &identity)).into(),
        );
        object.insert("vulnerabilities".into(), vulnerabilities.into());
    }
    if let Some(metadata) = bom.get_mut("metadata").and_then(Value::as_object_mut) {
        let mut properties = Vec::new();
        if let Some(built_at) = &report.db.built_at {
            properties.push(property("strata:db:built_at", built_at));
        }
        if let Some(os) = report.os.as_ref().filter(|os| !os.supported) {
            properties.push(property(
                "strata:os:not_checked",
                format!(
                    "no vulnerability data for {} {}",
                    os.id,
                    os.version.as_deref().unwrap_or_default()
                )
                .trim_end(),
            ));
        }
        if !properties.is_empty() {
            metadata.insert("properties".into(), properties.into());
        }
    }
    bom
}

/// An inventory with no packages, for a report that carries none.
fn bare_inventory(report: &ScanReport) -> Inventory {
    Inventory {
        schema: strata_catalog::inventory::SCHEMA.to_owned(),
        image: report.image.clone(),
        os: report.os.as_ref().map(|os| {
            let (ecosystem, release) = match os.namespace.as_deref().map(|n| n.split_once(':')) {
                Some(Some((ecosystem, release))) => {
                    (Some(ecosystem.to_owned()), Some(release.to_owned()))
                }
                _ => (os.namespace.clone(), None),
            };
            OsInfo {
                id: os.id.clone(),
                version_id: os.version.clone(),
                pretty_name: os.name.clone(),
                ecosystem,
                release,
            }
        }),
        packages: Vec::new(),
        warnings: Vec::new(),
    }
}

/// A component for a package known only from a finding.
fn found_component(package: &ScanPackage<'_>, bom_ref: &str) -> Value {
    let mut component = library_component(
        bom_ref,
        [
            package.ecosystem,
            package.name,
            package.version,
            package.purl,
        ],
    );
    let mut properties = vec![property("strata:package:ecosystem", package.ecosystem)];
    if let Some(layer) = package.layer {
        properties.push(property("strata:layer:diff_id", layer));
    }
    if let Some(index) = package.layer_index {
        properties.push(property("strata:layer:index", index.to_string()));
    }
    for path in package.paths {
        properties.push(property("strata:path", path));
    }
    if let Some(source) = package.source_name {
        properties.push(property("strata:source:name", source));
    }
    component.insert("properties".into(), properties.into());
    Value::Object(component)
}

/// CycloneDX's word for a severity (Negligible is `info`: rated, of no
/// practical impact).
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Negligible => "info",
        Severity::Unknown => "unknown",
    }
}

fn method(version: CvssVersion) -> &'static str {
    match version {
        CvssVersion::V2 => "CVSSv2",
        CvssVersion::V3_0 => "CVSSv3",
        CvssVersion::V3_1 => "CVSSv31",
        CvssVersion::V4_0 => "CVSSv4",
    }
}

/// Where an advisory comes from, by feed: its name and the advisory's page.
fn source(finding: &Finding) -> Value {
    let id = scan::encode_path_segment(&finding.id);
    let feed = finding.source.as_str();
    let (name, url) = if feed.starts_with("debian") {
        (
            "Debian Security Tracker".to_owned(),
            Some(format!("https://security-tracker.debian.org/tracker/{id}")),
        )
    } else if feed.starts_with("ubuntu") {
        (
            "Ubuntu CVE Tracker".to_owned(),
            Some(format!("https://ubuntu.com/security/{id}")),
        )
    } else if feed.starts_with("alpine") {
        (
            "Alpine SecDB".to_owned(),
            Some(format!("https://security.alpinelinux.org/vuln/{id}")),
        )
    } else if feed.starts_with("osv") {
        (
            "OSV".to_owned(),
            Some(format!("https://osv.dev/vulnerability/{id}")),
        )
    } else {
        (
            feed.to_owned(),
            advisory_url(&finding.id, feed, &finding.references),
        )
    };
    let mut source = Map::new();
    source.insert("name".into(), name.into());
    if let Some(url) = url {
        source.insert("url".into(), url.into());
    }
    Value::Object(source)
}

fn ratings(finding: &Finding) -> Vec<Value> {
    let mut ratings: Vec<Value> = finding
        .cvss
        .iter()
        .map(|cvss| {
            let mut rating = Map::new();
            rating.insert("source".into(), json!({ "name": cvss.source }));
            if let Some(score) = cvss.score {
                rating.insert("score".into(), score.into());
                let level = Severity::from_cvss_score(score);
                // CVSS calls 0.0 "none", not Strata's Negligible.
                let word = if level == Severity::Negligible {
                    "none"
                } else {
                    severity(level)
                };
                rating.insert("severity".into(), word.into());
            }
            rating.insert("method".into(), method(cvss.version).into());
            rating.insert("vector".into(), cvss.vector.as_str().into());
            Value::Object(rating)
        })
        .collect();
    // The severity Strata uses, as its source rated it.
    let mut own = Map::new();
    own.insert(
        "source".into(),
        json!({ "name": finding.severity_source.as_deref().unwrap_or("strata") }),
    );
    own.insert("severity".into(), severity(finding.severity).into());
    if let Some(word) = &finding.vendor_severity {
        own.insert(
            "justification".into(),
            format!("vendor severity: {word}").into(),
        );
    }
    ratings.push(Value::Object(own));
    ratings
}

/// The analysis of a suppressed finding. VEX statuses and OpenVEX
/// justifications map onto CycloneDX's; an ignore rule says nothing of
/// exploitability, so it gets no state, only the reason.
fn analysis(suppression: &Suppression) -> Value {
    let reason = suppression.reason.as_deref().unwrap_or_default();
    let words = reason.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    let mut analysis = Map::new();
    if suppression.kind == "vex" {
        let (state, justification) = if words.contains("component_not_present")
            || words.contains("vulnerable_code_not_present")
        {
            ("not_affected", Some("code_not_present"))
        } else if words.contains("vulnerable_code_not_in_execute_path") {
            ("not_affected", Some("code_not_reachable"))
        } else if words.contains("vulnerable_code_cannot_be_controlled_by_adversary")
            || words.contains("inline_mitigations_already_exist")
        {
            ("not_affected", Some("protected_by_mitigating_control"))
        } else if words == "fixed" {
            ("resolved", None)
        } else if words == "under_investigation" {
            ("in_triage", None)
        } else {
            ("not_affected", None)
        };
        analysis.insert("state".into(), state.into());
        if let Some(justification) = justification {
            analysis.insert("justification".into(), justification.into());
        }
    }
    let mut detail = format!("suppressed by {} {}", suppression.kind, suppression.source);
    if !reason.is_empty() {
        detail.push_str(&format!(": {reason}"));
    }
    analysis.insert("detail".into(), detail.into());
    Value::Object(analysis)
}

/// One vulnerability entry for `affected` (findings of one advisory, each with
/// its package's bom-ref); the advisory's facts come from the first.
fn vulnerability(
    bom_ref: &str,
    affected: &[(&Finding, &str)],
    suppression: Option<&Suppression>,
) -> Value {
    let mut entry = Map::new();
    let Some((first, _)) = affected.first() else {
        return Value::Object(entry);
    };
    entry.insert("bom-ref".into(), bom_ref.into());
    entry.insert("id".into(), first.id.as_str().into());
    entry.insert("source".into(), source(first));
    let references: Vec<Value> = first
        .aliases
        .iter()
        .filter(|alias| **alias != first.id)
        .map(|alias| {
            let (name, url) = id_source(alias);
            json!({ "id": alias, "source": { "name": name, "url": url } })
        })
        .collect();
    if !references.is_empty() {
        entry.insert("references".into(), references.into());
    }
    entry.insert("ratings".into(), ratings(first).into());
    if let Some(summary) = first.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        entry.insert("description".into(), summary.into());
    }
    if !first.fixed_versions.is_empty() {
        entry.insert(
            "recommendation".into(),
            format!(
                "Upgrade {} to {}",
                first.package.name,
                first.fixed_versions.join(" or ")
            )
            .into(),
        );
    }
    let advisories: Vec<Value> = first
        .references
        .iter()
        .filter(|url| is_clean_url(url))
        .map(|url| json!({ "url": url }))
        .collect();
    if !advisories.is_empty() {
        entry.insert("advisories".into(), advisories.into());
    }
    if let Some(published) = first.published.as_deref().and_then(rfc3339) {
        entry.insert("published".into(), published.into());
    }
    if let Some(suppression) = suppression {
        entry.insert("analysis".into(), analysis(suppression));
    }
    let mut seen = HashSet::new();
    let affects: Vec<Value> = affected
        .iter()
        .filter(|(finding, bom_ref)| seen.insert((*bom_ref, finding.package.version.as_str())))
        .map(|(finding, bom_ref)| {
            json!({
                "ref": bom_ref,
                "versions": [{ "version": finding.package.version, "status": "affected" }],
            })
        })
        .collect();
    entry.insert("affects".into(), affects.into());

    let mut properties = Vec::new();
    if let Some(state) = serde_json::to_value(first.fix_state)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
    {
        properties.push(property("strata:fix_state", state));
    }
    properties.push(property("strata:feed", &first.source));
    properties.push(property("strata:namespace", &first.namespace));
    if !first.matched_by.is_empty() {
        properties.push(property("strata:matched_by", &first.matched_by));
    }
    if let Some(epss) = &first.epss {
        properties.push(property("strata:epss:score", epss.score.to_string()));
        properties.push(property(
            "strata:epss:percentile",
            epss.percentile.to_string(),
        ));
    }
    if let Some(kev) = &first.kev {
        properties.push(property("strata:kev:date_added", &kev.date_added));
        properties.push(property(
            "strata:kev:ransomware",
            kev.ransomware.to_string(),
        ));
    }
    entry.insert("properties".into(), properties.into());
    Value::Object(entry)
}
