//! Policy check results rendered: SARIF validates against the official
//! 2.1.0 schema (`shared/schemas`), JUnit is well-formed with a test case per
//! policy, the table names every policy and the verdict, JSON round-trips.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::{assert_valid, fixture, validator};
use strata_policy::Date;
use strata_policy::policy::{CheckResult, ImageFacts, PolicySet, evaluate};
use strata_report::check;

/// The default policies on the bookworm fixture (CVE-2023-4911 is in KEV
/// there), plus a hostile policy whose texts carry markup and control bytes.
fn result() -> CheckResult {
    let mut set = PolicySet::builtin().unwrap();
    set.merge(
        PolicySet::from_text(
            Path::new("hostile.yaml"),
            "policies:\n  - name: \"<b>&'\\\"\\u001b[31m\"\n    severity: low\n    remediation: \"]]></failure>\\u0007\"\n    criteria: {severity_at_least: negligible}\n",
        )
        .unwrap(),
    )
    .unwrap();
    let report = fixture::report();
    let facts = ImageFacts::from_report(&report);
    evaluate(&set, &report, &facts, Date::parse("2026-11-23").unwrap())
}

#[test]
fn the_fixture_fails_on_kev_only() {
    let result = result();
    assert_eq!(result.summary.failed, ["Known exploited (KEV)"]);
    assert_eq!(result.exit_code(), 1);
    let kev = &result.policies[1];
    assert_eq!(kev.violations.len(), 1);
    assert_eq!(
        kev.violations[0].finding.as_ref().unwrap().id,
        "CVE-2023-4911"
    );
}

#[test]
fn json_round_trips() {
    let result = result();
    let text = check::render(&result, "json", false, "0.1.0").unwrap();
    let back: CheckResult = serde_json::from_str(&text).unwrap();
    assert_eq!(back, result);
    assert!(matches!(
        check::render(&result, "cyclonedx-json", false, "0.1.0"),
        Err(check::CheckRenderError::UnknownFormat(_))
    ));
}

#[test]
fn sarif_validates_and_has_a_rule_per_policy_and_a_result_per_violation() {
    let result = result();
    let sarif: serde_json::Value =
        serde_json::from_str(&check::render(&result, "sarif", false, "0.1.0").unwrap()).unwrap();
    assert_valid(
        &validator("sarif-schema-2.1.0.json", &[]),
        &sarif,
        "check SARIF",
    );
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), result.policies.len());
    assert_eq!(rules[2]["id"], "policy/log4shell-spring4shell-text4shell");
    let results = run["results"].as_array().unwrap();
    let expected: usize = result
        .policies
        .iter()
        .filter(|p| p.violated)
        .map(|p| p.violations.len())
        .sum();
    assert_eq!(results.len(), expected);
    let kev: Vec<_> = results
        .iter()
        .filter(|r| r["ruleId"] == "policy/known-exploited-kev")
        .collect();
    assert_eq!(kev.len(), 1);
    assert_eq!(kev[0]["level"], "error");
    assert_eq!(kev[0]["ruleIndex"], 1);
    for r in results {
        let index = usize::try_from(r["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[index]["id"], r["ruleId"]);
    }
    assert!(
        results
            .iter()
            .filter(|r| r["ruleId"] == "policy/runs-as-root")
            .all(|r| r["level"] == "warning")
    );
}

/// `(name, failure message, "skipped" or "")` of a test case.
type Case = (String, Option<String>, String);

/// The root's attributes and every test case, after a full well-formedness
/// parse.
fn junit_cases(xml: &str) -> (HashMap<String, String>, Vec<Case>) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut root = HashMap::new();
    let mut cases: Vec<Case> = Vec::new();
    let attrs = |e: &quick_xml::events::BytesStart<'_>| -> HashMap<String, String> {
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
    };
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => {
                let a = attrs(&e);
                match e.name().as_ref() {
                    "testsuites" => root = a,
                    "testcase" => cases.push((a["name"].clone(), None, String::new())),
                    "failure" => cases.last_mut().unwrap().1 = Some(a["message"].clone()),
                    "skipped" => "skipped".clone_into(&mut cases.last_mut().unwrap().2),
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    (root, cases)
}

#[test]
fn junit_has_a_case_per_policy_failing_the_fail_policies() {
    let result = result();
    let xml = check::render(&result, "junit", false, "0.1.0").unwrap();
    let (root, cases) = junit_cases(&xml);
    assert_eq!(root["tests"], result.policies.len().to_string());
    assert_eq!(root["failures"], "1");
    assert_eq!(cases.len(), result.policies.len());
    let failing: Vec<&str> = cases
        .iter()
        .filter(|c| c.1.is_some())
        .map(|c| c.0.as_str())
        .collect();
    assert_eq!(failing, ["Known exploited (KEV)"]);
    assert_eq!(
        cases[1].1.as_deref(),
        Some("Known exploited (KEV): 1 violation")
    );
    // The hostile name survives escaping (the control byte is replaced).
    assert!(cases.last().unwrap().0.starts_with("<b>&'\""), "{cases:?}");
}

#[test]
fn table_names_every_policy_and_the_verdict_without_control_bytes() {
    let result = result();
    let table = check::render(&result, "table", false, "0.1.0").unwrap();
    for policy in &result.policies[..5] {
        assert!(table.contains(&policy.name), "{}\n{table}", policy.name);
    }
    assert!(table.contains("FAIL (1)"), "{table}");
    assert!(table.contains("CVE-2023-4911"), "{table}");
    assert!(
        table.contains("Remediation: Upgrade the listed packages"),
        "{table}"
    );
    let last = table.trim_end().lines().last().unwrap();
    assert!(
        last.starts_with("policy check failed: `Known exploited (KEV)` (1 finding) violated"),
        "{table}"
    );
    assert!(
        !table.contains('\u{1b}') && !table.contains('\u{7}'),
        "{table:?}"
    );
    let coloured = check::render(&result, "table", true, "0.1.0").unwrap();
    assert!(coloured.contains("\u{1b}[1;31mFAIL (1)"), "{coloured}");
}
