//! The scan report formats: SARIF and CycloneDX validate against their official
//! schemas, Trivy JSON reads back into Trivy's own field types, JUnit parses as
//! XML, and each carries what the findings imply (counts, levels, severities,
//! statuses, escaping).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};

use common::fixture::{self, HOSTILE, LIBC6, URLLIB3, URLLIB3_PATH, XNET, ZLIB};
use common::{assert_valid, cyclonedx_validator, validator};
use serde::Deserialize;
use serde_json::Value;
use strata_match::{Finding, ScanReport, Summary};
use strata_report::cyclonedx;
use strata_report::scan::{junit, sarif, table, trivy};
use strata_vulndb::Severity;

const TIME: &str = "2026-11-23T10:04:05Z";

fn by_id<'a>(items: &'a [Value], key: &str, id: &str) -> &'a Value {
    items
        .iter()
        .find(|item| item[key] == id)
        .unwrap_or_else(|| panic!("no {key} = {id}"))
}

/// The report with no OS data for its (made-up) Debian release and no OS findings.
fn unsupported_os() -> ScanReport {
    let mut report = fixture::report();
    let os = report.os.as_mut().unwrap();
    os.version = Some("13".into());
    os.namespace = Some("Debian:13".into());
    os.supported = false;
    report.findings.retain(|f| f.namespace != "Debian:12");
    report.suppressed.clear();
    report.summary = Summary::of(&report.findings, 0, report.summary.packages);
    report
}

// ---------------------------------------------------------------- SARIF

fn sarif_validator() -> jsonschema::Validator {
    validator("sarif-schema-2.1.0.json", &[])
}

#[test]
fn sarif_validates_against_2_1_0() {
    let validator = sarif_validator();
    for (what, report) in [
        ("fixture", fixture::report()),
        ("hostile", fixture::hostile_report()),
        ("unsupported OS", unsupported_os()),
    ] {
        assert_valid(&validator, &sarif::render(&report, "0.1.0"), what);
    }
    let mut without_inventory = fixture::report();
    without_inventory.inventory = None;
    assert_valid(
        &validator,
        &sarif::render(&without_inventory, "0.1.0"),
        "no inventory",
    );

    let mut bad = sarif::render(&fixture::report(), "0.1.0");
    bad["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&bad), "unknown level accepted");
    let mut bad = sarif::render(&fixture::report(), "0.1.0");
    bad["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = "not a uri".into();
    assert!(!validator.is_valid(&bad), "formats not asserted");
}

#[test]
fn sarif_rules_and_results() {
    let report = fixture::report();
    let log = sarif::render(&report, "0.1.0");
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "strata");
    assert_eq!(run["tool"]["driver"]["version"], "0.1.0");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    // One rule per advisory, one result per shown finding; suppressed ones left out.
    assert_eq!(rules.len(), 6);
    assert_eq!(results.len(), 6);
    assert!(results.iter().all(|r| r["ruleId"] != "CVE-2019-1010023"));
    for result in results {
        let rule = &rules[result["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], result["ruleId"]);
    }

    let expect = [
        ("CVE-2023-45853", "error", Some("9.8")),
        ("CVE-2023-4911", "error", Some("7.8")),
        ("CVE-2024-33601", "warning", Some("5.9")),
        ("PYSEC-2019-132", "warning", Some("6.1")),
        // Debian's `unimportant` stays low for GitHub despite NVD's 9.8.
        ("CVE-2019-1010022", "note", Some("0.0")),
        ("GO-2024-3333", "note", None),
    ];
    for (id, level, score) in expect {
        let rule = by_id(rules, "id", id);
        let result = by_id(results, "ruleId", id);
        assert_eq!(result["level"], level, "{id}");
        assert_eq!(rule["defaultConfiguration"]["level"], level, "{id}");
        assert_eq!(
            rule["properties"]["security-severity"].as_str(),
            score,
            "{id}"
        );
        let tags = rule["properties"]["tags"].as_array().unwrap();
        assert!(tags.contains(&"security".into()), "{id}: {tags:?}");
        assert!(
            !rule["shortDescription"]["text"]
                .as_str()
                .unwrap()
                .is_empty()
        );
    }

    let pysec = by_id(rules, "id", "PYSEC-2019-132");
    assert_eq!(
        pysec["helpUri"],
        "https://osv.dev/vulnerability/PYSEC-2019-132"
    );
    assert_eq!(pysec["name"], "LanguageSpecificPackageVulnerability");
    assert!(
        pysec["fullDescription"]["text"]
            .as_str()
            .unwrap()
            .starts_with("In the urllib3 library through 1.24.1")
    );
    assert_eq!(
        by_id(rules, "id", "CVE-2023-4911")["helpUri"],
        "https://nvd.nist.gov/vuln/detail/CVE-2023-4911"
    );
    assert_eq!(
        by_id(rules, "id", "CVE-2023-4911")["name"],
        "OsPackageVulnerability"
    );

    let result = by_id(results, "ruleId", "PYSEC-2019-132");
    let message = result["message"]["text"].as_str().unwrap();
    for part in ["urllib3", "1.24.1", "1.24.3", "PYSEC-2019-132"] {
        assert!(message.contains(part), "{part} not in {message}");
    }
    let location = &result["locations"][0];
    assert_eq!(
        location["physicalLocation"]["artifactLocation"]["uri"],
        URLLIB3_PATH.trim_start_matches('/')
    );
    assert_eq!(
        location["logicalLocations"][0]["fullyQualifiedName"],
        URLLIB3
    );
    assert_eq!(result["properties"]["purl"], URLLIB3);
    assert_eq!(result["properties"]["layerIndex"], 2);
    assert_eq!(
        result["properties"]["layerDiffId"],
        report.image.layers[2].diff_id.as_deref().unwrap()
    );

    let zlib = by_id(results, "ruleId", "CVE-2023-45853");
    let message = zlib["message"]["text"].as_str().unwrap();
    assert!(message.contains("won't fix"), "{message}");
    assert_eq!(
        zlib["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "var/lib/dpkg/status"
    );
    assert_eq!(run["properties"]["imageName"], report.image.reference);
}

#[test]
fn sarif_says_when_os_packages_were_not_checked() {
    let log = sarif::render(&unsupported_os(), "0.1.0");
    let run = &log["runs"][0];
    assert_eq!(
        run["properties"]["osPackagesNotChecked"],
        "no vulnerability data for debian 13"
    );
    assert_eq!(run["results"].as_array().unwrap().len(), 2);
    // Without any finding the log is still a valid, empty run.
    let mut clean = fixture::report();
    clean.findings.clear();
    let log = sarif::render(&clean, "0.1.0");
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    assert_valid(&sarif_validator(), &log, "no findings");
}

// ---------------------------------------------------------------- Trivy

/// Trivy's report types (`pkg/types/report.go`, `vulnerability.go`, trivy-db
/// `pkg/types/types.go`) as Go decodes them: field names and value types must
/// match, and no field Trivy lacks may appear.
mod trivy_types {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(non_snake_case, dead_code)]
    pub(super) struct Report {
        pub SchemaVersion: i64,
        pub CreatedAt: String,
        pub ArtifactName: String,
        pub ArtifactType: String,
        pub Metadata: Metadata,
        #[serde(default)]
        pub Results: Vec<TrivyResult>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(non_snake_case, dead_code)]
    pub(super) struct Metadata {
        pub OS: Option<Os>,
        pub ImageID: Option<String>,
        #[serde(default)]
        pub DiffIDs: Vec<String>,
        #[serde(default)]
        pub RepoTags: Vec<String>,
        #[serde(default)]
        pub RepoDigests: Vec<String>,
        #[serde(default)]
        pub Layers: Vec<Layer>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(non_snake_case, dead_code)]
    pub(super) struct Os {
        pub Family: String,
        pub Name: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(non_snake_case, dead_code)]
    pub(super) struct Layer {
        pub Digest: Option<String>,
        pub DiffID: Option<String>,
        pub CreatedBy: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(non_snake_case, dead_code)]
    pub(super) struct TrivyResult {
        pub Target: String,
        pub Class: String,
        pub Type: String,
        #[serde(default)]
        pub Vulnerabilities: Vec<Vulnerability>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(non_snake_case, dead_code)]
    pub(super) struct Vulnerability {
        pub VulnerabilityID: String,
        pub PkgID: String,
        pub PkgName: String,
        pub PkgPath: Option<String>,
        pub PkgIdentifier: Option<PkgIdentifier>,
        pub InstalledVersion: String,
        pub FixedVersion: Option<String>,
        pub Status: String,
        pub Layer: Option<Layer>,
        pub SeveritySource: Option<String>,
        pub PrimaryURL: Option<String>,
        pub DataSource: Option<DataSource>,
        pub Title: Option<String>,
        pub Description: Option<String>,
        pub Severity: String,
        pub VendorSeverity: Option<BTreeMap<String, u8>>,
        pub CVSS: Option<BTreeMap<String, Cvss>>,
        #[serde(default)]
        pub References: Vec<String>,
        pub PublishedDate: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(non_snake_case, dead_code)]
    pub(super) struct PkgIdentifier {
        pub PURL: String,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(non_snake_case, dead_code)]
    pub(super) struct DataSource {
        pub ID: String,
        pub Name: String,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(non_snake_case, dead_code)]
    pub(super) struct Cvss {
        pub V2Vector: Option<String>,
        pub V3Vector: Option<String>,
        pub V40Vector: Option<String>,
        pub V2Score: Option<f64>,
        pub V3Score: Option<f64>,
        pub V40Score: Option<f64>,
    }
}

/// Go's `time.Time` reads RFC 3339 only.
fn is_rfc3339(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && (text.ends_with('Z') || text[19..].contains(['+', '-']))
}

fn trivy_report(report: &ScanReport) -> (Value, trivy_types::Report) {
    let value = trivy::render_at(report, Some(TIME));
    let typed: trivy_types::Report = serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("not Trivy's shape: {e}\n{value:#}"));
    for vulnerability in typed.Results.iter().flat_map(|r| &r.Vulnerabilities) {
        if let Some(date) = &vulnerability.PublishedDate {
            assert!(is_rfc3339(date), "{date}");
        }
        let statuses = [
            "fixed",
            "affected",
            "will_not_fix",
            "end_of_life",
            "not_affected",
            "under_investigation",
        ];
        assert!(statuses.contains(&vulnerability.Status.as_str()));
    }
    assert!(is_rfc3339(&typed.CreatedAt));
    (value, typed)
}

#[test]
fn trivy_reads_as_trivy_types() {
    for report in [
        fixture::report(),
        fixture::hostile_report(),
        unsupported_os(),
    ] {
        trivy_report(&report);
    }
    let mut bare = fixture::report();
    bare.inventory = None;
    trivy_report(&bare);
}

#[test]
fn trivy_report_shape() {
    let report = fixture::report();
    let (value, typed) = trivy_report(&report);
    assert_eq!(typed.SchemaVersion, 2);
    assert_eq!(typed.CreatedAt, TIME);
    assert_eq!(typed.ArtifactName, "registry.example.com/shop/api:1.4.2");
    assert_eq!(typed.ArtifactType, "container_image");
    let os = typed.Metadata.OS.as_ref().unwrap();
    assert_eq!(
        (os.Family.as_str(), os.Name.as_deref()),
        ("debian", Some("12"))
    );
    assert_eq!(
        typed.Metadata.ImageID.as_deref(),
        report.image.config_digest.as_deref()
    );
    assert_eq!(typed.Metadata.DiffIDs.len(), 3);
    assert_eq!(
        typed.Metadata.RepoDigests,
        [format!(
            "registry.example.com/shop/api@{}",
            report.image.manifest_digest.as_deref().unwrap()
        )]
    );
    assert_eq!(
        typed.Metadata.RepoTags,
        ["registry.example.com/shop/api:1.4.2"]
    );

    let targets: Vec<(&str, &str, &str, usize)> = typed
        .Results
        .iter()
        .map(|r| {
            (
                r.Target.as_str(),
                r.Class.as_str(),
                r.Type.as_str(),
                r.Vulnerabilities.len(),
            )
        })
        .collect();
    assert_eq!(
        targets,
        [
            (
                "registry.example.com/shop/api:1.4.2 (debian 12)",
                "os-pkgs",
                "debian",
                4
            ),
            ("Java", "lang-pkgs", "jar", 0),
            ("Node.js", "lang-pkgs", "node-pkg", 0),
            ("Python", "lang-pkgs", "python-pkg", 1),
            ("opt/app/bin/healthcheck", "lang-pkgs", "gobinary", 1),
        ]
    );
    // Trivy's order within a result: package, then most severe first.
    let os_ids: Vec<&str> = typed.Results[0]
        .Vulnerabilities
        .iter()
        .map(|v| v.VulnerabilityID.as_str())
        .collect();
    assert_eq!(
        os_ids,
        [
            "CVE-2023-4911",
            "CVE-2024-33601",
            "CVE-2019-1010022",
            "CVE-2023-45853"
        ]
    );

    let all: Vec<&trivy_types::Vulnerability> = typed
        .Results
        .iter()
        .flat_map(|r| &r.Vulnerabilities)
        .collect();
    let find = |id: &str| *all.iter().find(|v| v.VulnerabilityID == id).unwrap();
    let expect = [
        ("CVE-2023-45853", "CRITICAL", "will_not_fix", None),
        ("CVE-2023-4911", "HIGH", "fixed", Some("2.36-9+deb12u3")),
        ("CVE-2024-33601", "MEDIUM", "fixed", Some("2.36-9+deb12u7")),
        ("PYSEC-2019-132", "MEDIUM", "fixed", Some("1.24.3")),
        // Negligible is LOW, as Trivy files Debian's `unimportant`.
        ("CVE-2019-1010022", "LOW", "affected", None),
        ("GO-2024-3333", "UNKNOWN", "fixed", Some("0.33.0")),
    ];
    for (id, severity, status, fixed) in expect {
        let v = find(id);
        assert_eq!(v.Severity, severity, "{id}");
        assert_eq!(v.Status, status, "{id}");
        assert_eq!(v.FixedVersion.as_deref(), fixed, "{id}");
    }

    let libc = find("CVE-2023-4911");
    assert_eq!(libc.PkgName, "libc6");
    assert_eq!(libc.PkgID, "libc6@2.36-9+deb12u1");
    assert_eq!(libc.InstalledVersion, "2.36-9+deb12u1");
    assert_eq!(libc.PkgIdentifier.as_ref().unwrap().PURL, LIBC6);
    assert_eq!(libc.PkgPath, None, "OS packages have no PkgPath");
    let layer = libc.Layer.as_ref().unwrap();
    assert_eq!(layer.DiffID, report.image.layers[0].diff_id);
    assert_eq!(layer.Digest, report.image.layers[0].digest);
    assert_eq!(libc.PublishedDate.as_deref(), Some("2023-10-03T00:00:00Z"));
    assert_eq!(
        libc.PrimaryURL.as_deref(),
        Some("https://nvd.nist.gov/vuln/detail/CVE-2023-4911")
    );
    assert_eq!(libc.VendorSeverity.as_ref().unwrap()["nvd"], 3);

    let negligible = find("CVE-2019-1010022");
    let vendor = negligible.VendorSeverity.as_ref().unwrap();
    assert_eq!((vendor["debian"], vendor["nvd"]), (1, 4));
    assert_eq!(negligible.SeveritySource.as_deref(), Some("debian"));

    let pysec = find("PYSEC-2019-132");
    assert_eq!(
        pysec.PkgPath.as_deref(),
        Some(URLLIB3_PATH.trim_start_matches('/'))
    );
    let nvd = &pysec.CVSS.as_ref().unwrap()["nvd"];
    assert_eq!(
        nvd.V3Vector.as_deref(),
        Some("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N")
    );
    assert_eq!((nvd.V3Score, nvd.V2Score), (Some(6.1), Some(4.3)));
    assert_eq!(nvd.V2Vector.as_deref(), Some("AV:N/AC:M/Au:N/C:N/I:P/A:N"));
    assert_eq!(pysec.PublishedDate.as_deref(), Some("2019-04-15T15:29:00Z"));
    assert_eq!(pysec.References.len(), 3);
    assert!(
        pysec
            .Title
            .as_deref()
            .unwrap()
            .starts_with("In the urllib3")
    );
    assert_eq!(
        find("GO-2024-3333").PkgPath.as_deref(),
        Some("opt/app/bin/healthcheck")
    );

    // Several fixed versions are comma-joined, as Trivy joins them.
    let mut two = report.clone();
    two.findings[3].fixed_versions = vec!["1.24.3".into(), "2.0.0".into()];
    let (_, typed) = trivy_report(&two);
    let pysec = typed
        .Results
        .iter()
        .flat_map(|r| &r.Vulnerabilities)
        .find(|v| v.VulnerabilityID == "PYSEC-2019-132")
        .unwrap();
    assert_eq!(pysec.FixedVersion.as_deref(), Some("1.24.3, 2.0.0"));
    assert!(value["Results"][0].get("Packages").is_none());
}

#[test]
fn trivy_leaves_unchecked_os_packages_out() {
    let (_, typed) = trivy_report(&unsupported_os());
    assert!(typed.Results.iter().all(|r| r.Class == "lang-pkgs"));
    assert_eq!(typed.Metadata.OS.as_ref().unwrap().Family, "debian");
    // Hostile strings survive as data; a purl that does not parse is left out.
    let mut report = fixture::hostile_report();
    report.findings.last_mut().unwrap().package.purl = "not a purl".into();
    let (_, typed) = trivy_report(&report);
    let evil = typed
        .Results
        .iter()
        .flat_map(|r| &r.Vulnerabilities)
        .find(|v| v.PkgName.starts_with("evil"))
        .unwrap();
    assert_eq!(evil.PkgName, format!("evil{HOSTILE}"));
    assert!(evil.PkgIdentifier.is_none());
    assert_eq!(evil.PublishedDate, None, "unparseable date dropped");
}

// ---------------------------------------------------------------- JUnit

#[derive(Debug, Default)]
struct Case {
    name: String,
    classname: String,
    failure: Option<(String, String)>,
    skipped: bool,
    system_out: String,
}

#[derive(Debug, Default)]
struct Suite {
    attrs: HashMap<String, String>,
    cases: Vec<Case>,
}

/// Parses the JUnit XML (failing on any well-formedness error) into its suites
/// and the root's attributes.
fn parse_junit(xml: &str) -> (HashMap<String, String>, Vec<Suite>) {
    use quick_xml::events::{BytesStart, Event};

    fn attrs(e: &BytesStart<'_>) -> HashMap<String, String> {
        e.attributes()
            .map(|a| {
                let a = a.unwrap();
                (
                    a.key.as_ref().to_owned(),
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .unwrap()
                        .into_owned(),
                )
            })
            .collect()
    }

    let mut reader = quick_xml::Reader::from_str(xml);
    let mut root = HashMap::new();
    let mut suites: Vec<Suite> = Vec::new();
    let mut in_element = String::new();
    let mut depth = 0usize;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => {
                depth += 1;
                handle(&e, &mut root, &mut suites, &mut in_element, attrs(&e));
            }
            Event::Empty(e) => {
                handle(&e, &mut root, &mut suites, &mut in_element, attrs(&e));
                in_element.clear();
            }
            Event::Text(t) => {
                let text = t.xml10_content().into_owned();
                append_text(&mut suites, &in_element, &text);
            }
            Event::GeneralRef(r) => {
                let text = match r.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::unescape(&format!("&{};", &*r))
                        .unwrap()
                        .into_owned(),
                };
                append_text(&mut suites, &in_element, &text);
            }
            Event::End(_) => {
                depth -= 1;
                in_element.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0);
    (root, suites)
}

fn handle(
    e: &quick_xml::events::BytesStart<'_>,
    root: &mut HashMap<String, String>,
    suites: &mut Vec<Suite>,
    in_element: &mut String,
    attrs: HashMap<String, String>,
) {
    let name = e.name().as_ref().to_owned();
    match name.as_str() {
        "testsuites" => *root = attrs,
        "testsuite" => suites.push(Suite {
            attrs,
            cases: Vec::new(),
        }),
        "testcase" => suites.last_mut().unwrap().cases.push(Case {
            name: attrs["name"].clone(),
            classname: attrs["classname"].clone(),
            ..Case::default()
        }),
        "failure" => {
            let case = suites.last_mut().unwrap().cases.last_mut().unwrap();
            case.failure = Some((attrs["message"].clone(), String::new()));
        }
        "skipped" => suites.last_mut().unwrap().cases.last_mut().unwrap().skipped = true,
        _ => {}
    }
    *in_element = name;
}

fn append_text(suites: &mut [Suite], element: &str, text: &str) {
    let Some(case) = suites.last_mut().and_then(|s| s.cases.last_mut()) else {
        return;
    };
    match element {
        "failure" => case.failure.as_mut().unwrap().1.push_str(text),
        "system-out" => case.system_out.push_str(text),
        _ => {}
    }
}

fn high_or_worse(finding: &Finding) -> bool {
    finding.severity >= Severity::High
}

#[test]
fn junit_suites_cases_and_failures() {
    let report = fixture::report();
    let xml = junit::render(&report, &high_or_worse);
    let (root, suites) = parse_junit(&xml);
    let names: Vec<&str> = suites.iter().map(|s| s.attrs["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "registry.example.com/shop/api:1.4.2 (debian 12)",
            "Go",
            "Maven",
            "PyPI",
            "npm"
        ]
    );
    // One test case per inventory package.
    let packages = report.inventory.as_ref().unwrap().packages.len();
    let cases: usize = suites.iter().map(|s| s.cases.len()).sum();
    assert_eq!(cases, packages);
    assert_eq!(root["tests"], packages.to_string());
    for suite in &suites {
        assert_eq!(suite.attrs["tests"], suite.cases.len().to_string());
        let failures = suite.cases.iter().filter(|c| c.failure.is_some()).count();
        assert_eq!(suite.attrs["failures"], failures.to_string());
    }

    // High and critical fail their package; the rest are listed, not failed.
    assert_eq!(root["failures"], "2");
    let os = &suites[0];
    let libc = os
        .cases
        .iter()
        .find(|c| c.name == "libc6@2.36-9+deb12u1")
        .unwrap();
    assert_eq!(libc.classname, "Debian");
    let (message, body) = libc.failure.as_ref().unwrap();
    assert_eq!(message, "1 vulnerability: CVE-2023-4911");
    assert!(
        body.contains("CVE-2023-4911 HIGH (fixed in 2.36-9+deb12u3)"),
        "{body}"
    );
    assert!(
        libc.system_out.contains("CVE-2024-33601 MEDIUM"),
        "{}",
        libc.system_out
    );
    assert!(
        libc.system_out
            .contains("CVE-2019-1010022 NEGLIGIBLE (not fixed)")
    );
    assert!(!libc.system_out.contains("CVE-2019-1010023"), "suppressed");
    let zlib = os
        .cases
        .iter()
        .find(|c| c.name.starts_with("zlib1g@"))
        .unwrap();
    assert!(zlib.failure.as_ref().unwrap().1.contains("won't fix"));
    let pypi = &suites[3];
    let urllib3 = pypi
        .cases
        .iter()
        .find(|c| c.name == "urllib3@1.24.1")
        .unwrap();
    assert!(urllib3.failure.is_none());
    assert!(
        urllib3
            .system_out
            .contains("PYSEC-2019-132 MEDIUM (fixed in 1.24.3)")
    );

    // A gate that takes every finding fails every package with one.
    let (root, _) = parse_junit(&junit::render(&report, &|_| true));
    assert_eq!(root["failures"], "4");
    let (root, _) = parse_junit(&junit::render(&report, &|_| false));
    assert_eq!(root["failures"], "0");
}

#[test]
fn junit_skips_unchecked_os_packages() {
    let report = unsupported_os();
    let (root, suites) = parse_junit(&junit::render(&report, &|_| true));
    let os = &suites[0];
    assert_eq!(
        os.attrs["name"],
        "registry.example.com/shop/api:1.4.2 (debian 13)"
    );
    assert!(os.cases.iter().all(|c| c.skipped && c.failure.is_none()));
    assert_eq!(os.attrs["skipped"], os.cases.len().to_string());
    assert_eq!(root["skipped"], os.cases.len().to_string());
    assert_eq!(root["failures"], "2", "PyPI and Go still fail");
}

#[test]
fn junit_escapes_hostile_text() {
    let report = fixture::hostile_report();
    let xml = junit::render(&report, &|_| true);
    assert!(!xml.contains('\u{1b}') && !xml.contains('\u{0}'));
    let (root, suites) = parse_junit(&xml);
    // The hostile package is not in the inventory: it gets a case of its own.
    let packages = report.inventory.as_ref().unwrap().packages.len();
    assert_eq!(root["tests"], (packages + 1).to_string());
    let evil = suites
        .iter()
        .flat_map(|s| &s.cases)
        .find(|c| c.name.starts_with("evil"))
        .unwrap();
    // Markup, quotes and line breaks come back as they were; characters XML
    // cannot carry (ESC, NUL) as U+FFFD.
    let readable = HOSTILE.replace(['\u{1b}', '\u{0}'], "\u{fffd}");
    assert_eq!(evil.name, format!("evil{readable}@1.0<&>"));
    let (message, body) = evil.failure.as_ref().unwrap();
    assert_eq!(message, "1 vulnerability: GHSA-xxxx-<&\"'>");
    assert!(
        body.contains(&format!("<script>alert(1)</script> {readable}")),
        "{body}"
    );
    assert!(body.contains("fixed in 2.0 & later"));
}

// ---------------------------------------------------------------- CycloneDX

fn vulnerabilities(bom: &Value) -> &Vec<Value> {
    bom["vulnerabilities"].as_array().unwrap()
}

#[test]
fn scan_bom_validates_against_bom_1_6() {
    let validator = cyclonedx_validator();
    let mut bare = fixture::report();
    bare.inventory = None;
    for (what, report) in [
        ("fixture", fixture::report()),
        ("hostile", fixture::hostile_report()),
        ("unsupported OS", unsupported_os()),
        ("no inventory", bare),
    ] {
        assert_valid(
            &validator,
            &cyclonedx::scan_bom_at(&report, "0.1.0", Some(TIME)),
            what,
        );
    }
    assert_valid(
        &validator,
        &cyclonedx::scan_bom(&fixture::report(), "0.1.0"),
        "now",
    );
}

#[test]
fn scan_bom_extends_the_sbom() {
    let report = fixture::report();
    let inventory = report.inventory.as_ref().unwrap();
    let sbom = cyclonedx::sbom_at(inventory, "0.1.0", Some(TIME));
    let bom = cyclonedx::scan_bom_at(&report, "0.1.0", Some(TIME));
    assert_eq!(
        bom["components"], sbom["components"],
        "same components and bom-refs"
    );
    assert_eq!(bom["dependencies"], sbom["dependencies"]);
    assert_eq!(bom["metadata"]["component"], sbom["metadata"]["component"]);
    assert_ne!(bom["serialNumber"], sbom["serialNumber"], "a different BOM");
    assert_eq!(
        bom["serialNumber"],
        cyclonedx::scan_bom_at(&report, "0.1.0", Some("2027-01-01T00:00:00Z"))["serialNumber"],
        "reproducible"
    );

    let refs: HashMap<&str, &str> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| Some((c.get("purl")?.as_str()?, c["bom-ref"].as_str()?)))
        .collect();
    let vulnerabilities = vulnerabilities(&bom);
    // Six advisories shown, one suppressed.
    assert_eq!(vulnerabilities.len(), 7);
    let ids: HashSet<&str> = vulnerabilities
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 7);

    let looney = by_id(vulnerabilities, "id", "CVE-2023-4911");
    assert_eq!(
        looney["affects"],
        serde_json::json!([{
            "ref": refs[LIBC6],
            "versions": [{ "version": "2.36-9+deb12u1", "status": "affected" }],
        }])
    );
    assert_eq!(
        looney["source"],
        serde_json::json!({
            "name": "Debian Security Tracker",
            "url": "https://security-tracker.debian.org/tracker/CVE-2023-4911",
        })
    );
    let ratings = looney["ratings"].as_array().unwrap();
    assert_eq!(
        ratings[0],
        serde_json::json!({
            "source": { "name": "nvd" },
            "score": 7.8,
            "severity": "high",
            "method": "CVSSv31",
            "vector": "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
        })
    );
    assert_eq!(looney["published"], "2023-10-03T00:00:00Z");
    assert_eq!(looney["recommendation"], "Upgrade libc6 to 2.36-9+deb12u3");
    assert_eq!(looney["advisories"].as_array().unwrap().len(), 2);
    assert!(looney.get("analysis").is_none());

    let pysec = by_id(vulnerabilities, "id", "PYSEC-2019-132");
    assert_eq!(pysec["affects"][0]["ref"], refs[URLLIB3]);
    assert_eq!(
        pysec["source"]["url"],
        "https://osv.dev/vulnerability/PYSEC-2019-132"
    );
    assert_eq!(
        pysec["references"],
        serde_json::json!([
            { "id": "CVE-2019-11236", "source": { "name": "NVD", "url": "https://nvd.nist.gov/vuln/detail/CVE-2019-11236" } },
            { "id": "GHSA-r64q-w8jr-g9qp", "source": { "name": "GitHub Advisory Database", "url": "https://github.com/advisories/GHSA-r64q-w8jr-g9qp" } },
        ])
    );
    let methods: Vec<&str> = pysec["ratings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r.get("method")?.as_str())
        .collect();
    assert_eq!(methods, ["CVSSv3", "CVSSv2"]);

    let negligible = by_id(vulnerabilities, "id", "CVE-2019-1010022");
    let own = negligible["ratings"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(own["source"]["name"], "debian");
    assert_eq!(own["severity"], "info");
    assert_eq!(
        by_id(vulnerabilities, "id", "GO-2024-3333")["affects"][0]["ref"],
        refs[XNET]
    );
    assert_eq!(
        by_id(vulnerabilities, "id", "CVE-2023-45853")["affects"][0]["ref"],
        refs[ZLIB]
    );

    let suppressed = by_id(vulnerabilities, "id", "CVE-2019-1010023");
    assert_eq!(suppressed["analysis"]["state"], "not_affected");
    assert_eq!(
        suppressed["analysis"]["justification"],
        "code_not_reachable"
    );
    assert!(
        suppressed["analysis"]["detail"]
            .as_str()
            .unwrap()
            .contains("app.openvex.json")
    );
}

#[test]
fn scan_bom_groups_an_advisory_and_stands_without_inventory() {
    // The same advisory in two packages: one entry affecting both.
    let mut report = fixture::report();
    let mut twin = report.findings[1].clone();
    let zlib = report.findings[0].package.clone();
    twin.package = zlib;
    report.findings.push(twin);
    let bom = cyclonedx::scan_bom_at(&report, "0.1.0", Some(TIME));
    let looney = by_id(vulnerabilities(&bom), "id", "CVE-2023-4911");
    assert_eq!(looney["affects"].as_array().unwrap().len(), 2);
    assert_eq!(vulnerabilities(&bom).len(), 7);

    // A report read back from JSON has no inventory: components come from the
    // findings, and every affects ref resolves.
    let mut bare = fixture::report();
    bare.inventory = None;
    let bom = cyclonedx::scan_bom_at(&bare, "0.1.0", Some(TIME));
    let components = bom["components"].as_array().unwrap();
    let purls: HashSet<&str> = components
        .iter()
        .filter_map(|c| c.get("purl")?.as_str())
        .collect();
    assert_eq!(purls, HashSet::from([LIBC6, ZLIB, URLLIB3, XNET]));
    let refs: HashSet<&str> = components
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    for vulnerability in vulnerabilities(&bom) {
        for affected in vulnerability["affects"].as_array().unwrap() {
            assert!(refs.contains(affected["ref"].as_str().unwrap()));
        }
    }
    assert_eq!(components[0]["type"], "operating-system");
    let depends_on = bom["dependencies"][0]["dependsOn"].as_array().unwrap();
    assert_eq!(depends_on.len(), components.len());
}

// ---------------------------------------------------------------- table

#[test]
fn table_groups_by_package() {
    let report = fixture::report();
    let text = table::render(&report, false);
    assert!(!text.contains('\u{1b}'), "no colour asked");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("PACKAGE"), "{text}");
    assert_eq!(
        *lines.last().unwrap(),
        "6 vulnerabilities (1 critical, 1 high, 2 medium, 0 low, 1 negligible, 1 unknown) in 4 packages; 1 suppressed"
    );
    // libc6 heads its group once; its three findings follow, most severe first.
    let libc_rows: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            l.contains("CVE-2023-4911")
                || l.contains("CVE-2024-33601")
                || l.contains("CVE-2019-1010022")
        })
        .map(|(i, _)| i)
        .collect();
    assert_eq!(libc_rows.len(), 3);
    assert_eq!(libc_rows[2] - libc_rows[0], 2, "contiguous:\n{text}");
    assert!(lines[libc_rows[0]].starts_with("libc6 "));
    assert!(lines[libc_rows[1]].starts_with(' '));
    assert_eq!(text.matches("libc6").count(), 1);
    assert!(lines[libc_rows[0]].contains("HIGH") && lines[libc_rows[0]].contains("2.36-9+deb12u3"));
    assert!(
        lines[libc_rows[2]].contains("NEGLIGIBLE") && lines[libc_rows[2]].contains("not fixed")
    );
    let zlib = lines.iter().find(|l| l.contains("CVE-2023-45853")).unwrap();
    assert!(zlib.contains("won't fix"), "{zlib}");
    // Long titles are cut.
    let pysec = lines.iter().find(|l| l.contains("PYSEC-2019-132")).unwrap();
    assert!(
        pysec.contains("In the urllib3 library") && pysec.ends_with('…'),
        "{pysec}"
    );
    assert!(lines.iter().all(|l| l.chars().count() < 260));
    assert!(!text.contains("CVE-2019-1010023"), "suppressed not shown");
}

#[test]
fn table_colours_only_when_asked() {
    let report = fixture::report();
    let text = table::render(&report, true);
    let critical = text.lines().find(|l| l.contains("CVE-2023-45853")).unwrap();
    assert!(
        critical.contains("\u{1b}[1;31mCRITICAL\u{1b}[0m"),
        "{critical:?}"
    );
    let medium = text.lines().find(|l| l.contains("CVE-2024-33601")).unwrap();
    assert!(medium.contains("\u{1b}[33mMEDIUM\u{1b}[0m"));
    // Colour codes do not shift the columns.
    let plain = table::render(&report, false);
    let strip = |s: &str| {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    };
    assert_eq!(strip(&text), plain);
}

#[test]
fn table_edge_cases() {
    let mut clean = fixture::report();
    clean.findings.clear();
    clean.suppressed.clear();
    clean.summary = Summary::of(&[], 0, clean.summary.packages);
    assert_eq!(table::render(&clean, true), "no vulnerabilities found\n");

    let text = table::render(&unsupported_os(), false);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "no vulnerability data for debian 13: OS packages not checked"
    );
    assert!(!text.contains("no vulnerabilities found"));
    assert_eq!(
        *lines.last().unwrap(),
        "2 vulnerabilities (0 critical, 0 high, 1 medium, 0 low, 0 negligible, 1 unknown) in 2 packages; 0 suppressed"
    );
    let mut nothing = unsupported_os();
    nothing.findings.clear();
    let text = table::render(&nothing, false);
    assert!(text.starts_with("no vulnerability data for debian 13"));
    assert!(!text.contains("no vulnerabilities found"), "{text}");

    // Hostile names cannot drive the terminal.
    let text = table::render(&fixture::hostile_report(), false);
    assert!(!text.contains('\u{1b}') && !text.contains('\u{0}'));
    let evil = text.lines().find(|l| l.starts_with("evil")).unwrap();
    assert!(evil.contains("<&\"'>"), "{evil}");
}
