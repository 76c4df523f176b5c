//! Trivy's JSON report (`trivy image -f json`, `SchemaVersion` 2), so tools
//! that read Trivy's output read Strata's (field names and shapes from Trivy's
//! `pkg/types/report.go`, `vulnerability.go` and trivy-db's `pkg/types`).
//!
//! Results follow Trivy's targets: OS packages in one `os-pkgs` result named
//! `<image> (<family> <version>)`; language packages in `lang-pkgs` results,
//! the kinds Trivy aggregates image-wide (`python-pkg`, `node-pkg`, `jar`,
//! `gemspec`) under `Python`, `Node.js`, `Java`, `Ruby`, the others (Go and
//! Rust binaries, lock files, Composer, .NET) one result per file, named by its
//! path without the leading `/`. Values Go parses strictly (dates as
//! `time.Time`, purls) are only written when they parse.

use std::collections::BTreeMap;
use std::str::FromStr;

use packageurl::PackageUrl;
use serde_json::{Map, Value, json};
use strata_catalog::PackageKind;
use strata_match::{Finding, ScanReport};
use strata_vulndb::{CvssVersion, FixState, Severity};

use super::{ScanPackage, advisory_url, finding_layer, packages, purl_type, rfc3339};
use crate::ids;

/// Trivy's report schema version written.
pub const SCHEMA_VERSION: u32 = 2;

/// Trivy's word for a severity: Negligible is `LOW`, as Trivy files Debian's
/// `unimportant`.
pub fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "CRITICAL",
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low | Severity::Negligible => "LOW",
        Severity::Unknown => "UNKNOWN",
    }
}

/// trivy-db's number of a severity (`VendorSeverity` values).
fn severity_number(severity: Severity) -> u8 {
    match severity {
        Severity::Unknown => 0,
        Severity::Low | Severity::Negligible => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

/// Trivy's `Status` of a fix state.
pub fn status(state: FixState) -> &'static str {
    match state {
        FixState::Fixed => "fixed",
        FixState::NotFixed => "affected",
        FixState::WontFix => "will_not_fix",
        FixState::EndOfLife => "end_of_life",
        FixState::NotAffected => "not_affected",
        FixState::UnderInvestigation => "under_investigation",
    }
}

/// Trivy's OS family for an os-release `ID`.
fn os_family(id: &str) -> &str {
    match id {
        "rhel" => "redhat",
        "almalinux" => "alma",
        "ol" => "oracle",
        "amzn" => "amazon",
        "sled" => "sles",
        "sle-micro" | "sl-micro" => "slem",
        "mariner" => "cbl-mariner",
        other => other,
    }
}

/// File name of a path (after the last `/` or archive `!/`).
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '!']).next().unwrap_or(path)
}

/// Trivy's language type of a package, from its kind (or purl type) and the
/// file it was read from.
fn lang_type(package: &ScanPackage<'_>) -> &'static str {
    let file = package.first_path().map(file_name).unwrap_or_default();
    let kind = package.kind.or_else(|| {
        Some(match purl_type(package.purl)? {
            "pypi" => PackageKind::Python,
            "npm" => PackageKind::Npm,
            "cargo" => PackageKind::Cargo,
            "golang" => PackageKind::Go,
            "maven" => PackageKind::Maven,
            "gem" => PackageKind::Gem,
            "composer" => PackageKind::Composer,
            "nuget" => PackageKind::Nuget,
            _ => return None,
        })
    });
    match kind {
        Some(PackageKind::Python) => match file {
            "requirements.txt" => "pip",
            "Pipfile.lock" => "pipenv",
            "poetry.lock" => "poetry",
            "uv.lock" => "uv",
            _ => "python-pkg",
        },
        Some(PackageKind::Npm) => match file {
            "package-lock.json" => "npm",
            "yarn.lock" => "yarn",
            "pnpm-lock.yaml" => "pnpm",
            _ => "node-pkg",
        },
        Some(PackageKind::Cargo) => match file {
            "Cargo.lock" => "cargo",
            _ => "rustbinary",
        },
        Some(PackageKind::Go) => match file {
            "go.mod" | "go.sum" => "gomod",
            _ => "gobinary",
        },
        Some(PackageKind::Maven) => match file {
            "pom.xml" => "pom",
            _ => "jar",
        },
        Some(PackageKind::Gem) => match file {
            "Gemfile.lock" => "bundler",
            _ => "gemspec",
        },
        Some(PackageKind::Composer) => match file {
            "composer.lock" => "composer",
            _ => "composer-vendor",
        },
        Some(PackageKind::Nuget) => match file {
            "packages.lock.json" => "nuget",
            _ => "dotnet-core",
        },
        Some(PackageKind::Deb | PackageKind::Apk | PackageKind::Rpm) | None => "unknown",
    }
}

/// The target Trivy gives an aggregated language type, if it is one.
fn aggregated_target(lang_type: &str) -> Option<&'static str> {
    match lang_type {
        "python-pkg" => Some("Python"),
        "conda-pkg" => Some("Conda"),
        "gemspec" => Some("Ruby"),
        "node-pkg" => Some("Node.js"),
        "jar" => Some("Java"),
        _ => None,
    }
}

/// `report` as Trivy's JSON report, `CreatedAt` now.
pub fn render(report: &ScanReport) -> Value {
    render_at(report, None)
}

/// As [`render`], with `CreatedAt` set to `created_at` (RFC 3339) when given
/// (a value that is not RFC 3339 falls back to now: Go could not read it).
pub fn render_at(report: &ScanReport, created_at: Option<&str>) -> Value {
    let created_at = created_at
        .and_then(rfc3339)
        .unwrap_or_else(ids::now_rfc3339);
    let packages = packages(report);
    let os_id = report.os.as_ref().map(|os| os.id.as_str()).or_else(|| {
        report
            .inventory
            .as_ref()
            .and_then(|i| i.os.as_ref())
            .map(|os| os.id.as_str())
    });
    let os_version = report.os.as_ref().and_then(|os| os.version.as_deref());
    let os_supported = report.os.as_ref().is_none_or(|os| os.supported);

    // The OS result first, then language results by target (Trivy's order).
    let mut os_result: Option<(String, String, Vec<Value>)> = None;
    let mut lang_results: BTreeMap<(String, &'static str), Vec<Value>> = BTreeMap::new();
    let os_target = |family: &str| {
        format!(
            "{} ({family} {})",
            report.image.reference,
            os_version.unwrap_or("unknown")
        )
    };
    if let Some(id) = os_id.filter(|_| os_supported) {
        let family = os_family(id).to_owned();
        os_result = Some((os_target(&family), family, Vec::new()));
    }
    for package in &packages.list {
        if package.is_os() {
            if os_result.is_none() && os_supported {
                let family = os_id
                    .map(os_family)
                    .or_else(|| purl_namespace(package.purl))
                    .unwrap_or("unknown")
                    .to_owned();
                os_result = Some((os_target(&family), family, Vec::new()));
            }
        } else {
            lang_results.entry(lang_target(package)).or_default();
        }
    }

    let mut findings: Vec<(&Finding, &ScanPackage<'_>)> = report
        .findings
        .iter()
        .zip(&packages.of_finding)
        .filter_map(|(f, &i)| packages.list.get(i).map(|p| (f, p)))
        .collect();
    // Trivy's order: package name, id, version, then most severe first, then id.
    findings.sort_by(|(a, _), (b, _)| {
        (&a.package.name, &a.package.version)
            .cmp(&(&b.package.name, &b.package.version))
            .then(b.severity.cmp(&a.severity))
            .then(a.id.cmp(&b.id))
    });
    for (finding, package) in findings {
        let vulnerability = vulnerability(report, finding, package);
        if package.is_os() {
            if let Some((_, _, list)) = os_result.as_mut() {
                list.push(vulnerability);
            }
        } else if let Some(list) = lang_results.get_mut(&lang_target(package)) {
            list.push(vulnerability);
        }
    }

    let mut results = Vec::new();
    if let Some((target, family, vulnerabilities)) = os_result {
        results.push(result(target, "os-pkgs", &family, vulnerabilities));
    }
    for ((target, kind), vulnerabilities) in lang_results {
        results.push(result(target, "lang-pkgs", kind, vulnerabilities));
    }

    let mut document = Map::new();
    document.insert("SchemaVersion".into(), SCHEMA_VERSION.into());
    document.insert("CreatedAt".into(), created_at.into());
    document.insert(
        "ArtifactName".into(),
        report.image.reference.as_str().into(),
    );
    document.insert("ArtifactType".into(), "container_image".into());
    document.insert("Metadata".into(), metadata(report, os_id, os_version));
    document.insert("Results".into(), results.into());
    Value::Object(document)
}

/// `pkg:deb/debian/…` → `debian`.
fn purl_namespace(purl: &str) -> Option<&str> {
    let rest = purl.strip_prefix("pkg:")?;
    let mut parts = rest.split('/');
    parts.next()?;
    parts
        .next()
        .filter(|ns| !ns.is_empty() && !ns.contains(['@', '?', '#']))
}

/// The (target, type) of a language package's result.
fn lang_target(package: &ScanPackage<'_>) -> (String, &'static str) {
    let kind = lang_type(package);
    let target = aggregated_target(kind).map_or_else(
        || {
            package
                .first_path()
                .map(|p| p.trim_start_matches('/').to_owned())
                .unwrap_or_else(|| package.ecosystem.to_owned())
        },
        str::to_owned,
    );
    (target, kind)
}

fn result(target: String, class: &str, kind: &str, vulnerabilities: Vec<Value>) -> Value {
    let mut result = Map::new();
    result.insert("Target".into(), target.into());
    result.insert("Class".into(), class.into());
    result.insert("Type".into(), kind.into());
    if !vulnerabilities.is_empty() {
        result.insert("Vulnerabilities".into(), vulnerabilities.into());
    }
    Value::Object(result)
}

/// The registry repository of an image reference (`registry/repo:tag@digest` →
/// `registry/repo`), or `None` for Strata's local sources
/// (`docker-archive:x.tar`, `oci-dir:…`), which have none.
fn repository(reference: &str) -> Option<&str> {
    let reference = reference.strip_prefix("registry:").unwrap_or(reference);
    let local = [
        "docker-archive:",
        "oci-archive:",
        "oci-dir:",
        "oci:",
        "dir:",
    ];
    if local.iter().any(|prefix| reference.starts_with(prefix)) {
        return None;
    }
    let name = reference.split('@').next().unwrap_or(reference);
    // A colon after the last `/` starts the tag; one before it is a port.
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    let repo = match name.rfind(':') {
        Some(colon) if colon >= last_slash => name.get(..colon)?,
        _ => name,
    };
    (!repo.is_empty()).then_some(repo)
}

fn metadata(report: &ScanReport, os_id: Option<&str>, os_version: Option<&str>) -> Value {
    let image = &report.image;
    let mut metadata = Map::new();
    if let Some(id) = os_id {
        let mut os = Map::new();
        os.insert("Family".into(), os_family(id).into());
        if let Some(version) = os_version {
            os.insert("Name".into(), version.into());
        }
        metadata.insert("OS".into(), os.into());
    }
    if let Some(id) = &image.config_digest {
        metadata.insert("ImageID".into(), id.as_str().into());
    }
    let diff_ids: Vec<&str> = image
        .layers
        .iter()
        .filter_map(|l| l.diff_id.as_deref())
        .collect();
    if !diff_ids.is_empty() {
        metadata.insert("DiffIDs".into(), json!(diff_ids));
    }
    if let Some(repo) = repository(&image.reference) {
        let plain = image
            .reference
            .strip_prefix("registry:")
            .unwrap_or(&image.reference);
        let name = plain.split('@').next().unwrap_or_default();
        if name.len() > repo.len() {
            metadata.insert("RepoTags".into(), json!([name]));
        }
        if let Some(digest) = &image.manifest_digest {
            metadata.insert("RepoDigests".into(), json!([format!("{repo}@{digest}")]));
        }
    }
    let layers: Vec<Value> = image
        .layers
        .iter()
        .map(|layer| {
            let mut out = Map::new();
            if let Some(digest) = &layer.digest {
                out.insert("Digest".into(), digest.as_str().into());
            }
            if let Some(diff_id) = &layer.diff_id {
                out.insert("DiffID".into(), diff_id.as_str().into());
            }
            if let Some(created_by) = &layer.created_by {
                out.insert("CreatedBy".into(), created_by.as_str().into());
            }
            Value::Object(out)
        })
        .collect();
    if !layers.is_empty() {
        metadata.insert("Layers".into(), layers.into());
    }
    Value::Object(metadata)
}

fn vulnerability(report: &ScanReport, finding: &Finding, package: &ScanPackage<'_>) -> Value {
    let found = &finding.package;
    let mut v = Map::new();
    v.insert("VulnerabilityID".into(), finding.id.as_str().into());
    let pkg_id = if package.kind == Some(PackageKind::Maven) || found.ecosystem == "Maven" {
        format!("{}:{}", found.name, found.version)
    } else {
        format!("{}@{}", found.name, found.version)
    };
    v.insert("PkgID".into(), pkg_id.into());
    v.insert("PkgName".into(), found.name.as_str().into());
    if !package.is_os()
        && let Some(path) = found.paths.first()
    {
        v.insert("PkgPath".into(), path.trim_start_matches('/').into());
    }
    // Trivy parses `PURL` with packageurl-go and rejects the report when it
    // does not parse: only a purl that parses is written.
    if PackageUrl::from_str(&found.purl).is_ok() {
        v.insert("PkgIdentifier".into(), json!({ "PURL": found.purl }));
    }
    v.insert("InstalledVersion".into(), found.version.as_str().into());
    if !finding.fixed_versions.is_empty() {
        v.insert(
            "FixedVersion".into(),
            finding.fixed_versions.join(", ").into(),
        );
    }
    v.insert("Status".into(), status(finding.fix_state).into());

    let (diff_id, index) = finding_layer(finding, package);
    let digest = report
        .image
        .layers
        .iter()
        .find(|l| Some(l.index) == index || (diff_id.is_some() && l.diff_id.as_deref() == diff_id))
        .and_then(|l| l.digest.as_deref());
    let mut layer = Map::new();
    if let Some(digest) = digest {
        layer.insert("Digest".into(), digest.into());
    }
    if let Some(diff_id) = diff_id {
        layer.insert("DiffID".into(), diff_id.into());
    }
    if !layer.is_empty() {
        v.insert("Layer".into(), layer.into());
    }
    if let Some(source) = &finding.severity_source {
        v.insert("SeveritySource".into(), source.as_str().into());
    }
    if let Some(url) = advisory_url(&finding.id, &finding.source, &finding.references) {
        v.insert("PrimaryURL".into(), url.into());
    }
    v.insert(
        "DataSource".into(),
        json!({ "ID": finding.source, "Name": finding.source }),
    );
    if let Some(summary) = finding.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        // The model has one text: Trivy's short `Title` and long `Description`.
        v.insert(
            "Title".into(),
            summary.lines().next().unwrap_or(summary).into(),
        );
        v.insert("Description".into(), summary.into());
    }
    v.insert("Severity".into(), severity(finding.severity).into());

    let mut vendor = Map::new();
    if let Some(source) = &finding.severity_source {
        vendor.insert(source.clone(), severity_number(finding.severity).into());
    }
    for cvss in &finding.cvss {
        if let Some(score) = cvss.score
            && !vendor.contains_key(&cvss.source)
        {
            vendor.insert(
                cvss.source.clone(),
                severity_number(Severity::from_cvss_score(score)).into(),
            );
        }
    }
    if !vendor.is_empty() {
        v.insert("VendorSeverity".into(), vendor.into());
    }

    let mut by_source: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
    for cvss in &finding.cvss {
        let (vector_key, score_key) = match cvss.version {
            CvssVersion::V2 => ("V2Vector", "V2Score"),
            CvssVersion::V3_0 | CvssVersion::V3_1 => ("V3Vector", "V3Score"),
            CvssVersion::V4_0 => ("V40Vector", "V40Score"),
        };
        let entry = by_source.entry(cvss.source.as_str()).or_default();
        // One v3 per source: v3.1 wins over v3.0.
        let replace = !entry.contains_key(vector_key)
            || (cvss.version == CvssVersion::V3_1
                && entry
                    .get(vector_key)
                    .and_then(Value::as_str)
                    .is_some_and(|v| v.starts_with("CVSS:3.0")));
        if replace {
            entry.insert(vector_key.into(), cvss.vector.as_str().into());
            match cvss.score {
                Some(score) => entry.insert(score_key.into(), score.into()),
                None => entry.remove(score_key),
            };
        }
    }
    if !by_source.is_empty() {
        let cvss: Map<String, Value> = by_source
            .into_iter()
            .map(|(source, entry)| (source.to_owned(), Value::Object(entry)))
            .collect();
        v.insert("CVSS".into(), cvss.into());
    }
    if !finding.references.is_empty() {
        v.insert("References".into(), json!(finding.references));
    }
    if let Some(published) = finding.published.as_deref().and_then(rfc3339) {
        v.insert("PublishedDate".into(), published.into());
    }
    Value::Object(v)
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
    fn repositories() {
        assert_eq!(
            repository("registry.example.com/shop/api:1.4.2"),
            Some("registry.example.com/shop/api")
        );
        assert_eq!(repository("debian:12"), Some("debian"));
        assert_eq!(
            repository("localhost:5000/app@sha256:abc"),
            Some("localhost:5000/app")
        );
        assert_eq!(repository("localhost:5000/app"), Some("localhost:5000/app"));
        assert_eq!(repository("docker-archive:/tmp/x.tar"), None);
        assert_eq!(repository("oci-archive:x.tar"), None);
        assert_eq!(repository("registry:debian:12"), Some("debian"));
    }

    #[test]
    fn families_and_namespaces() {
        assert_eq!(os_family("rhel"), "redhat");
        assert_eq!(os_family("debian"), "debian");
        assert_eq!(purl_namespace("pkg:deb/debian/libc6@2.36"), Some("debian"));
        assert_eq!(purl_namespace("pkg:pypi/urllib3@1.0"), None);
    }
}
