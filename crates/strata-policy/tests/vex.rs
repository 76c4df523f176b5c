//! VEX documents: every test document validates against its official
//! schema (`shared/schemas`, offline), and suppresses exactly what the
//! spec's matching rules say.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};

use common::*;
use jsonschema::{Registry, Validator};
use serde_json::{Value, json};
use strata_match::{Finding, ScanReport};
use strata_policy::{Filter, PolicyError, SUPPRESSED_BY_VEX, VexDocument, VexFormat, apply};

// ---------------------------------------------------------------- schemas

fn schemas_dir() -> PathBuf {
    let start = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    start
        .ancestors()
        .map(|dir| dir.join("shared/schemas"))
        .find(|dir| dir.is_dir())
        .unwrap_or_else(|| panic!("shared/schemas not found above {}", start.display()))
}

fn load_schema(name: &str) -> Value {
    let path = schemas_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// A validator for `root` with `extra` (URL, file) registered so `$ref`s
/// resolve locally; formats are asserted.
fn validator(root: &str, extra: &[(&str, &str)]) -> Validator {
    let mut registry = Registry::new();
    for (uri, file) in extra {
        registry = registry.add(*uri, load_schema(file)).unwrap();
    }
    let registry = registry.prepare().unwrap();
    jsonschema::options()
        .offline()
        .should_validate_formats(true)
        .with_registry(&registry)
        .build(&load_schema(root))
        .unwrap()
}

fn openvex_schema() -> Validator {
    validator("openvex_json_schema.json", &[])
}

fn cyclonedx_schema() -> Validator {
    validator(
        "bom-1.6.schema.json",
        &[
            (
                "http://cyclonedx.org/schema/spdx.schema.json",
                "spdx.schema.json",
            ),
            (
                "http://cyclonedx.org/schema/jsf-0.82.schema.json",
                "jsf-0.82.schema.json",
            ),
        ],
    )
}

/// CSAF `$ref`s the CVSS schemas by URLs without the `?date` their `$id`s
/// carry (see `shared/schemas/README.md`).
fn csaf_schema() -> Validator {
    validator(
        "csaf_json_schema.json",
        &[
            (
                "https://www.first.org/cvss/cvss-v2.0.json",
                "cvss-v2.0.json",
            ),
            (
                "https://www.first.org/cvss/cvss-v3.0.json",
                "cvss-v3.0.json",
            ),
            (
                "https://www.first.org/cvss/cvss-v3.1.json",
                "cvss-v3.1.json",
            ),
        ],
    )
}

fn assert_valid(validator: &Validator, document: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} is not valid:\n{}\n{document:#}",
        errors.join("\n")
    );
}

// ---------------------------------------------------------------- helpers

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn read_json(name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(data(name)).unwrap()).unwrap()
}

fn document(name: &str, value: &Value) -> VexDocument {
    VexDocument::parse(Path::new(name), &serde_json::to_vec(value).unwrap()).unwrap()
}

/// Applies `documents` (no filter, no ignore file) to a report of `findings`.
fn applied(findings: Vec<Finding>, documents: &[VexDocument]) -> ScanReport {
    let mut report = report(findings);
    let warnings = apply(
        &mut report,
        &Filter::default(),
        &[],
        documents,
        date("2025-06-01"),
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    report
}

fn all_findings() -> Vec<Finding> {
    vec![
        urllib3("1.23"),
        urllib3("1.24"),
        glibc_nscd(),
        vim(),
        zlib_minizip(),
    ]
}

fn reason_of<'a>(report: &'a ScanReport, id: &str, version: &str) -> &'a str {
    let finding = report
        .suppressed
        .iter()
        .find(|f| f.id == id && f.package.version == version)
        .unwrap_or_else(|| panic!("{id} {version} not suppressed"));
    let suppression = finding.suppression.as_ref().unwrap();
    assert_eq!(suppression.kind, SUPPRESSED_BY_VEX);
    suppression.reason.as_deref().unwrap()
}

fn pair(id: &str, version: &str) -> (String, String) {
    (id.to_owned(), version.to_owned())
}

// ---------------------------------------------------------------- OpenVEX

#[test]
fn openvex_test_documents_are_valid() {
    let schema = openvex_schema();
    assert_valid(&schema, &read_json("openvex.json"), "openvex.json");
    for (name, document) in openvex_variants() {
        assert_valid(&schema, &document, name);
    }
    // The validator does reject what it should.
    let mut bad = read_json("openvex.json");
    bad["statements"][0]["status"] = "not-affected".into();
    assert!(!schema.is_valid(&bad));
    let mut bad = read_json("openvex.json");
    bad["statements"][0]
        .as_object_mut()
        .unwrap()
        .remove("justification");
    bad["statements"][0]
        .as_object_mut()
        .unwrap()
        .remove("impact_statement");
    assert!(!schema.is_valid(&bad), "not_affected needs a justification");
}

#[test]
fn openvex_statements_suppress_by_alias_product_and_image_subcomponent() {
    let vex = VexDocument::load(&data("openvex.json")).unwrap();
    assert_eq!(vex.format(), VexFormat::OpenVex);
    assert_eq!(vex.statement_count(), 4);
    let report = applied(all_findings(), &[vex]);
    // CVE-2019-11236 is an alias of PYSEC-2019-132; only 1.23 is named.
    // libc6 is a subcomponent of this image (digest and repository match).
    // vim is under investigation and zlib1g affected: both stay shown.
    assert_eq!(
        ids(&report.suppressed),
        [
            pair("PYSEC-2019-132", "1.23"),
            pair("CVE-2024-33601", "2.36-9+deb12u4")
        ]
    );
    assert_eq!(
        ids(&report.findings),
        [
            pair("PYSEC-2019-132", "1.24"),
            pair("CVE-2023-5344", "2:9.0.1378-2"),
            pair("CVE-2023-45853", "1:1.2.13.dfsg-1"),
        ]
    );
    assert_eq!(
        reason_of(&report, "PYSEC-2019-132", "1.23"),
        "not_affected (vulnerable_code_not_in_execute_path): The API never builds request lines from user input."
    );
    let source = &report.suppressed[0].suppression.as_ref().unwrap().source;
    assert!(source.ends_with("tests/data/openvex.json"), "{source}");
    assert_eq!(report.summary.suppressed, 2);
    assert_eq!(report.summary.total, 3);
}

fn openvex(statements: Value) -> Value {
    json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://shop.example.com/vex/test",
        "author": "Shop security team",
        "timestamp": "2025-01-10T09:00:00Z",
        "version": 1,
        "statements": statements,
    })
}

fn not_affected(vulnerability: &str, product: Value) -> Value {
    json!({
        "vulnerability": {"name": vulnerability},
        "products": [product],
        "status": "not_affected",
        "justification": "vulnerable_code_not_present",
    })
}

/// Documents built in tests, validated like the files.
fn openvex_variants() -> Vec<(&'static str, Value)> {
    vec![
        ("later statement wins", later_statement_wins()),
        ("timestamps decide", timestamps_decide()),
        (
            "image without subcomponents",
            openvex(json!([not_affected(
                "CVE-2023-45853",
                json!({"@id": "pkg:oci/api?repository_url=registry.example.com/shop/api"})
            )])),
        ),
        (
            "other image",
            openvex(json!([not_affected(
                "CVE-2024-33601",
                json!({"@id": "pkg:oci/web", "subcomponents": [{"@id": "pkg:deb/debian/libc6"}]})
            )])),
        ),
        (
            "package with subcomponents",
            openvex(json!([not_affected(
                "CVE-2024-33601",
                json!({"@id": "pkg:deb/debian/libc6", "subcomponents": [{"@id": "pkg:deb/debian/libc-bin"}]})
            )])),
        ),
        (
            "qualifiers",
            openvex(json!([
                not_affected(
                    "CVE-2024-33601",
                    json!({"@id": "pkg:deb/debian/libc6?arch=arm64"})
                ),
                not_affected(
                    "CVE-2023-5344",
                    json!({"identifiers": {"purl": "pkg:deb/debian/vim?arch=amd64&distro=debian-12"}})
                ),
            ])),
        ),
    ]
}

/// Two statements on the same vulnerability and product, no statement
/// timestamps: both inherit the document's, so the later one wins.
fn later_statement_wins() -> Value {
    openvex(json!([
        not_affected("CVE-2019-11236", json!({"@id": "pkg:pypi/urllib3"})),
        {
            "vulnerability": {"name": "CVE-2019-11236"},
            "products": [{"@id": "pkg:pypi/urllib3@1.24"}],
            "status": "affected",
            "action_statement": "Upgrade to 1.24.3."
        }
    ]))
}

/// Statement timestamps order the statements, not their place.
fn timestamps_decide() -> Value {
    openvex(json!([
        {
            "vulnerability": {"name": "CVE-2023-5344"},
            "products": [{"@id": "pkg:deb/debian/vim"}],
            "status": "fixed",
            "timestamp": "2025-02-01T00:00:00+01:00"
        },
        {
            "vulnerability": {"name": "CVE-2023-5344"},
            "products": [{"@id": "pkg:deb/debian/vim"}],
            "status": "under_investigation",
            "timestamp": "2025-01-31T20:00:00-05:00"
        }
    ]))
}

#[test]
fn the_latest_openvex_statement_decides() {
    let report = applied(
        all_findings(),
        &[document("later.json", &later_statement_wins())],
    );
    assert_eq!(ids(&report.suppressed), [pair("PYSEC-2019-132", "1.23")]);

    // 2025-01-31T20:00-05:00 is 2025-02-01T01:00Z, after 2025-01-31T23:00Z:
    // under_investigation is the latest, so vim stays shown.
    let report = applied(
        vec![vim()],
        &[document("timestamps.json", &timestamps_decide())],
    );
    assert!(report.suppressed.is_empty());
    let mut earlier = timestamps_decide();
    earlier["statements"][1]["timestamp"] = "2025-01-31T17:00:00-05:00".into();
    assert_valid(&openvex_schema(), &earlier, "earlier");
    let report = applied(vec![vim()], &[document("timestamps.json", &earlier)]);
    assert_eq!(
        ids(&report.suppressed),
        [pair("CVE-2023-5344", "2:9.0.1378-2")]
    );
    assert_eq!(reason_of(&report, "CVE-2023-5344", "2:9.0.1378-2"), "fixed");
}

#[test]
fn an_image_product_without_subcomponents_covers_every_package() {
    let variants = openvex_variants();
    let report = applied(
        vec![zlib_minizip(), glibc_nscd()],
        &[document("image.json", &variants[2].1)],
    );
    assert_eq!(
        ids(&report.suppressed),
        [pair("CVE-2023-45853", "1:1.2.13.dfsg-1")]
    );
}

#[test]
fn products_that_are_not_this_image_cover_nothing_through_subcomponents() {
    let variants = openvex_variants();
    for (name, value) in &variants[3..5] {
        let report = applied(vec![glibc_nscd()], &[document(name, value)]);
        assert!(report.suppressed.is_empty(), "{name}");
    }
}

#[test]
fn statement_qualifiers_must_be_on_the_package() {
    let variants = openvex_variants();
    let report = applied(
        vec![glibc_nscd(), vim()],
        &[document("qualifiers.json", &variants[5].1)],
    );
    assert_eq!(
        ids(&report.suppressed),
        [pair("CVE-2023-5344", "2:9.0.1378-2")]
    );
}

#[test]
fn openvex_in_an_in_toto_attestation_inherits_the_subject() {
    let attestation = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{
            "name": "registry.example.com/shop/api",
            "digest": {"sha256": DIGEST.trim_start_matches("sha256:")}
        }],
        "predicateType": "https://openvex.dev/ns/v0.2.0",
        "predicate": {
            "@context": "https://openvex.dev/ns/v0.2.0",
            "@id": "https://shop.example.com/vex/attested",
            "author": "Shop security team",
            "timestamp": "2025-01-10T09:00:00Z",
            "version": 1,
            "statements": [{
                "vulnerability": {"name": "CVE-2023-45853"},
                "status": "not_affected",
                "justification": "vulnerable_code_not_present"
            }]
        }
    });
    assert_valid(
        &openvex_schema(),
        &attestation["predicate"],
        "attestation predicate",
    );
    let vex = document("api.att.json", &attestation);
    assert_eq!(vex.format(), VexFormat::OpenVex);
    let report = applied(vec![zlib_minizip(), vim()], &[vex]);
    assert_eq!(
        ids(&report.suppressed),
        [pair("CVE-2023-45853", "1:1.2.13.dfsg-1")]
    );
    // Another image's attestation covers nothing here.
    let mut other = attestation;
    other["subject"][0]["digest"]["sha256"] = "00".repeat(32).into();
    let report = applied(vec![zlib_minizip()], &[document("web.att.json", &other)]);
    assert!(report.suppressed.is_empty());
}

#[test]
fn openvex_0_0_1_shorthand_is_read() {
    let old = json!({
        "@context": "https://openvex.dev/ns",
        "@id": "https://shop.example.com/vex/old",
        "author": "Shop security team",
        "timestamp": "2023-01-10T09:00:00Z",
        "version": "1",
        "statements": [{
            "vulnerability": "CVE-2019-11236",
            "products": ["pkg:pypi/urllib3@1.23"],
            "status": "not_affected",
            "justification": "vulnerable_code_not_present"
        }]
    });
    let report = applied(all_findings(), &[document("old.json", &old)]);
    assert_eq!(ids(&report.suppressed), [pair("PYSEC-2019-132", "1.23")]);
}

#[test]
fn bad_openvex_is_refused_naming_the_file_and_statement() {
    let mut bad = openvex(json!([not_affected(
        "CVE-2019-11236",
        json!({"@id": "pkg:pypi/urllib3"})
    )]));
    bad["statements"][0]["status"] = "not-affected".into();
    let err = VexDocument::parse(
        Path::new("vex/bad.json"),
        &serde_json::to_vec(&bad).unwrap(),
    )
    .unwrap_err();
    assert!(matches!(err, PolicyError::Vex { .. }));
    assert_eq!(
        err.to_string(),
        "vex/bad.json: statements[0]: unknown status `not-affected` (expected not_affected, fixed, affected or under_investigation)"
    );
}

#[test]
fn an_unparsable_product_purl_is_a_note_not_an_error() {
    let doc = openvex(json!([
        not_affected("CVE-2019-11236", json!({"@id": "pkg:pypi"})),
        not_affected("CVE-2023-5344", json!({"@id": "pkg:deb/debian/vim"})),
    ]));
    let vex = document("notes.json", &doc);
    assert_eq!(vex.notes().len(), 1, "{:?}", vex.notes());
    let mut report = report(all_findings());
    let warnings = apply(
        &mut report,
        &Filter::default(),
        &[],
        &[vex],
        date("2025-06-01"),
    );
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0]
            .to_string()
            .starts_with("notes.json: `pkg:pypi` is not a package URL")
    );
    assert_eq!(
        ids(&report.suppressed),
        [pair("CVE-2023-5344", "2:9.0.1378-2")]
    );
}

// ---------------------------------------------------------------- CycloneDX

#[test]
fn cyclonedx_test_document_is_valid() {
    let schema = cyclonedx_schema();
    assert_valid(
        &schema,
        &read_json("cyclonedx-vex.json"),
        "cyclonedx-vex.json",
    );
    assert_valid(&schema, &cyclonedx_image_statement(), "image statement");
    let mut bad = read_json("cyclonedx-vex.json");
    bad["vulnerabilities"][0]["analysis"]["state"] = "unaffected".into();
    assert!(!schema.is_valid(&bad));
}

#[test]
fn cyclonedx_analysis_states_and_refs() {
    let vex = VexDocument::load(&data("cyclonedx-vex.json")).unwrap();
    assert_eq!(vex.format(), VexFormat::CycloneDx);
    let report = applied(all_findings(), &[vex]);
    // bom-ref → purl (urllib3 1.23 only); BOM-Link fragment, percent-encoded
    // (libc6, resolved); in_triage (vim) is shown; false_positive with the
    // installed version listed (zlib1g) suppresses.
    assert_eq!(
        ids(&report.suppressed),
        [
            pair("PYSEC-2019-132", "1.23"),
            pair("CVE-2024-33601", "2.36-9+deb12u4"),
            pair("CVE-2023-45853", "1:1.2.13.dfsg-1"),
        ]
    );
    assert_eq!(
        ids(&report.findings),
        [
            pair("PYSEC-2019-132", "1.24"),
            pair("CVE-2023-5344", "2:9.0.1378-2")
        ]
    );
    assert_eq!(
        reason_of(&report, "PYSEC-2019-132", "1.23"),
        "not_affected (code_not_reachable): The API never builds request lines from user input."
    );
    assert_eq!(
        reason_of(&report, "CVE-2024-33601", "2.36-9+deb12u4"),
        "resolved"
    );
    assert_eq!(
        reason_of(&report, "CVE-2023-45853", "1:1.2.13.dfsg-1"),
        "false_positive: zlib1g does not ship MiniZip."
    );
}

#[test]
fn cyclonedx_versions_limit_the_statement() {
    let mut zlib = zlib_minizip();
    zlib.package.version = "1:1.2.13.dfsg-2".into();
    zlib.package.purl = "pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-2?arch=amd64".into();
    let vex = VexDocument::load(&data("cyclonedx-vex.json")).unwrap();
    let report = applied(vec![zlib], &[vex]);
    assert!(report.suppressed.is_empty());
}

fn cyclonedx_image_statement() -> Value {
    let mut bom = read_json("cyclonedx-vex.json");
    bom["vulnerabilities"] = json!([{
        "id": "CVE-2023-5344",
        "analysis": {"state": "not_affected", "justification": "requires_environment"},
        "affects": [{"ref": "image"}]
    }]);
    bom
}

#[test]
fn a_cyclonedx_statement_on_the_image_covers_its_packages() {
    let report = applied(
        vec![vim(), glibc_nscd()],
        &[document("image.cdx.json", &cyclonedx_image_statement())],
    );
    assert_eq!(
        ids(&report.suppressed),
        [pair("CVE-2023-5344", "2:9.0.1378-2")]
    );
}

// ---------------------------------------------------------------- CSAF

#[test]
fn csaf_test_document_is_valid() {
    let schema = csaf_schema();
    assert_valid(&schema, &read_json("csaf-vex.json"), "csaf-vex.json");
    let mut bad = read_json("csaf-vex.json");
    bad["product_tree"]["relationships"][0]["category"] = "part_of".into();
    assert!(!schema.is_valid(&bad));
}

#[test]
fn csaf_product_ids_resolve_through_the_product_tree() {
    let vex = VexDocument::load(&data("csaf-vex.json")).unwrap();
    assert_eq!(vex.format(), VexFormat::Csaf);
    let report = applied(all_findings(), &[vex]);
    // CSAFPID-0001 (branches) is pkg:pypi/urllib3@1.23: known_not_affected.
    // CSAFPID-0002 (urllib3 1.24) is known_affected: shown.
    // CSAFPID-0102 is libc6 as a default component of this image.
    // CSAFPID-0201 is zlib1g in another image: not this one.
    // CSAFPID-0300 is vim 2:9.0.1378-2: fixed.
    assert_eq!(
        ids(&report.suppressed),
        [
            pair("PYSEC-2019-132", "1.23"),
            pair("CVE-2024-33601", "2.36-9+deb12u4"),
            pair("CVE-2023-5344", "2:9.0.1378-2"),
        ]
    );
    assert_eq!(
        ids(&report.findings),
        [
            pair("PYSEC-2019-132", "1.24"),
            pair("CVE-2023-45853", "1:1.2.13.dfsg-1"),
        ]
    );
    assert_eq!(
        reason_of(&report, "PYSEC-2019-132", "1.23"),
        "known_not_affected (vulnerable_code_not_in_execute_path): The API never builds request lines from user input."
    );
    assert_eq!(
        reason_of(&report, "CVE-2024-33601", "2.36-9+deb12u4"),
        "known_not_affected (vulnerable_code_not_present)"
    );
    assert_eq!(reason_of(&report, "CVE-2023-5344", "2:9.0.1378-2"), "fixed");
}

#[test]
fn csaf_ids_and_groups() {
    // Matched by `ids[].text` (the GHSA) alone, product named via a group.
    let mut csaf = read_json("csaf-vex.json");
    csaf["product_tree"]["product_groups"] = json!([{
        "group_id": "CSAFGID-0001",
        "product_ids": ["CSAFPID-0001", "CSAFPID-0002"]
    }]);
    csaf["vulnerabilities"] = json!([{
        "ids": [{"system_name": "GitHub", "text": "GHSA-r64q-w8jr-g9qp"}],
        "flags": [{"label": "inline_mitigations_already_exist", "group_ids": ["CSAFGID-0001"]}],
        "product_status": {"known_not_affected": ["CSAFPID-0001", "CSAFPID-0002"]}
    }]);
    assert_valid(&csaf_schema(), &csaf, "groups");
    let report = applied(all_findings(), &[document("groups.json", &csaf)]);
    assert_eq!(
        ids(&report.suppressed),
        [
            pair("PYSEC-2019-132", "1.23"),
            pair("PYSEC-2019-132", "1.24")
        ]
    );
    assert_eq!(
        reason_of(&report, "PYSEC-2019-132", "1.24"),
        "known_not_affected (inline_mitigations_already_exist)"
    );
}

#[test]
fn csaf_affected_wins_over_not_affected_for_the_same_product() {
    let mut csaf = read_json("csaf-vex.json");
    csaf["vulnerabilities"][0]["product_status"] = json!({
        "known_not_affected": ["CSAFPID-0001"],
        "known_affected": ["CSAFPID-0001", "CSAFPID-0002"]
    });
    let report = applied(
        vec![urllib3("1.23")],
        &[document("contradiction.json", &csaf)],
    );
    assert!(report.suppressed.is_empty());
}

// ---------------------------------------------------------------- detection

#[test]
fn statements_about_another_vulnerability_of_the_package_suppress_nothing() {
    for name in ["openvex.json", "cyclonedx-vex.json", "csaf-vex.json"] {
        let vex = VexDocument::load(&data(name)).unwrap();
        let report = applied(vec![urllib3_certs("1.23"), urllib3("1.23")], &[vex]);
        assert_eq!(
            ids(&report.findings),
            [pair("PYSEC-2019-133", "1.23")],
            "{name}"
        );
    }
}

#[test]
fn formats_are_detected_by_content_whatever_the_name() {
    for (name, format) in [
        ("openvex.json", VexFormat::OpenVex),
        ("cyclonedx-vex.json", VexFormat::CycloneDx),
        ("csaf-vex.json", VexFormat::Csaf),
    ] {
        let bytes = std::fs::read(data(name)).unwrap();
        let vex = VexDocument::parse(Path::new("vex.txt"), &bytes).unwrap();
        assert_eq!(vex.format(), format, "{name}");
    }
}

#[test]
fn what_is_not_vex_is_refused_naming_the_file() {
    let err = VexDocument::parse(
        Path::new("sbom.spdx.json"),
        br#"{"spdxVersion": "SPDX-2.3"}"#,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("sbom.spdx.json: not a VEX document"),
        "{err}"
    );
    let err = VexDocument::parse(
        Path::new("vex.xml"),
        b"<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"/>",
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("vex.xml: not a JSON VEX document"),
        "{err}"
    );
    let err = VexDocument::load(Path::new("/nonexistent/vex.json")).unwrap_err();
    assert!(matches!(err, PolicyError::Io { .. }));
    // Deeply nested input is refused by the JSON parser, not the stack.
    let deep = format!(
        "{{\"statements\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(VexDocument::parse(Path::new("deep.json"), deep.as_bytes()).is_err());
}

#[test]
fn the_first_suppressing_document_gives_the_reason() {
    let openvex = VexDocument::load(&data("openvex.json")).unwrap();
    let csaf = VexDocument::load(&data("csaf-vex.json")).unwrap();
    let report = applied(vec![urllib3("1.23"), vim()], &[openvex, csaf]);
    // vim: OpenVEX says under_investigation, CSAF says fixed: suppressed by CSAF.
    let sources: Vec<(String, String)> = report
        .suppressed
        .iter()
        .map(|f| {
            let source = &f.suppression.as_ref().unwrap().source;
            (f.id.clone(), source.rsplit('/').next().unwrap().to_owned())
        })
        .collect();
    assert_eq!(
        sources,
        [
            pair("PYSEC-2019-132", "openvex.json"),
            pair("CVE-2023-5344", "csaf-vex.json"),
        ]
    );
}
