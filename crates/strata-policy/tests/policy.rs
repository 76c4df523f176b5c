//! Policy files and their evaluation, criterion by criterion, on findings
//! built from real advisories (`shared/data/feeds`: GHSA records of
//! Log4Shell and Text4Shell, the CISA KEV and FIRST EPSS samples).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};

use strata_match::Finding;
use strata_policy::PolicyError;
use strata_policy::policy::{
    CheckResult, Enforcement, ImageFacts, PolicySet, PolicyStatus, evaluate,
};
use strata_vulndb::{Advisory, Event};

use common::date;

fn feeds() -> PathBuf {
    let start = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    start
        .ancestors()
        .map(|dir| dir.join("shared/data/feeds"))
        .find(|dir| dir.is_dir())
        .unwrap_or_else(|| panic!("shared/data/feeds not found above {}", start.display()))
}

fn advisory(relative: &str) -> Advisory {
    let path = feeds().join(relative);
    strata_vulndb::feeds::osv::parse_record(&std::fs::read(&path).unwrap(), relative).unwrap()
}

/// The finding `advisory` makes of `package` at `version`, fixed in `fixed`
/// (which must be one of the advisory's `fixed` events for that package).
fn finding_of(advisory: &Advisory, version: &str, fixed: &str, path: &str) -> Finding {
    let affected = &advisory.affected[0];
    let fixes: Vec<&str> = advisory
        .affected
        .iter()
        .filter(|a| a.package == affected.package)
        .flat_map(|a| &a.ranges)
        .flat_map(|r| &r.events)
        .filter_map(|e| match e {
            Event::Fixed(v) => Some(v.as_str()),
            _ => None,
        })
        .collect();
    assert!(fixes.contains(&fixed), "{fixed} not in {fixes:?}");
    let kev = strata_vulndb::feeds::kev::parse(
        &std::fs::read(feeds().join("kev/claircore-kev-sample.json")).unwrap(),
    )
    .unwrap()
    .records
    .into_iter()
    .find(|(cve, _)| advisory.aliases.contains(cve) || &advisory.id == cve)
    .map(|(_, kev)| kev);
    Finding {
        id: advisory.id.clone(),
        aliases: advisory.aliases.clone(),
        summary: advisory.summary.clone(),
        package: strata_match::FoundPackage {
            ecosystem: affected.namespace.clone(),
            name: affected.package.clone(),
            version: version.into(),
            purl: String::new(),
            source_name: None,
            paths: vec![path.into()],
        },
        namespace: affected.namespace.clone(),
        source: advisory.source.clone(),
        fixed_versions: vec![fixed.into()],
        fix_state: strata_vulndb::FixState::Fixed,
        severity: advisory.severity.as_ref().unwrap().level,
        severity_source: Some("ghsa".into()),
        vendor_severity: None,
        cvss: advisory.cvss.clone(),
        epss: None,
        kev,
        layer: None,
        references: Vec::new(),
        published: advisory.published.clone(),
        matched_by: String::new(),
        suppression: None,
    }
}

/// Text4Shell: commons-text 1.9 nested in a WAR (GHSA-599f-7c49-w659,
/// Critical, fixed in 1.10.0, published 2022-10-13, not in the KEV sample).
fn text4shell() -> Finding {
    finding_of(
        &advisory("osv/Maven/GHSA-599f-7c49-w659.json"),
        "1.9",
        "1.10.0",
        "/opt/app/webapp.war",
    )
}

/// Log4Shell: log4j-core 2.14.1 (GHSA-jfh8-c2jp-5v3q, Critical, CVSS 10.0,
/// fixed in 2.15.0, published 2021-12-10, in the KEV sample).
fn log4shell() -> Finding {
    finding_of(
        &advisory("osv/Maven/GHSA-jfh8-c2jp-5v3q.json"),
        "2.14.1",
        "2.15.0",
        "/opt/app/lib/log4j-core-2.14.1.jar",
    )
}

fn set(yaml: &str) -> PolicySet {
    PolicySet::from_text(Path::new("test.yaml"), yaml).unwrap_or_else(|e| panic!("{e}"))
}

/// A one-policy set (enforcement fail) with these criteria lines.
fn with_criteria(criteria: &str) -> PolicySet {
    let indented: String = criteria.lines().map(|l| format!("      {l}\n")).collect();
    set(&format!(
        "policies:\n  - name: p\n    severity: high\n    enforcement: fail\n    criteria:\n{indented}"
    ))
}

fn facts() -> ImageFacts {
    ImageFacts {
        reference: common::IMAGE.into(),
        registry: Some("registry.example.com".into()),
        repository: Some("shop/api".into()),
        tag: Some("1.4.2".into()),
        created: Some("2023-11-14T22:13:20Z".into()),
        layer_count: 2,
        os: Some(("debian".into(), Some("12".into()))),
        ..ImageFacts::default()
    }
}

/// The ids violating the single policy of `set`, on `findings`.
fn violating(set: &PolicySet, findings: Vec<Finding>, facts: &ImageFacts) -> Vec<String> {
    let result = evaluate(set, &common::report(findings), facts, date("2024-06-01"));
    result.policies[0]
        .violations
        .iter()
        .map(|v| match &v.finding {
            Some(f) => f.id.clone(),
            None => format!("fact:{}", v.fact.as_deref().unwrap()),
        })
        .collect()
}

fn both() -> Vec<Finding> {
    vec![text4shell(), log4shell()]
}

const TEXT4SHELL: &str = "GHSA-599f-7c49-w659";
const LOG4SHELL: &str = "GHSA-jfh8-c2jp-5v3q";

#[test]
fn severity_cvss_and_fixable_criteria() {
    assert_eq!(
        violating(
            &with_criteria("severity_at_least: critical"),
            both(),
            &facts()
        ),
        [TEXT4SHELL, LOG4SHELL]
    );
    // GHSA-jfh8-c2jp-5v3q carries CVSS:3.1/…/S:C/C:H/I:H/A:H, a 10.0.
    assert_eq!(
        violating(&with_criteria("cvss_at_least: 10"), both(), &facts()),
        [LOG4SHELL]
    );
    assert_eq!(
        violating(&with_criteria("fixable: true"), both(), &facts()).len(),
        2
    );
    let mut unfixed = text4shell();
    unfixed.fixed_versions.clear();
    unfixed.fix_state = strata_vulndb::FixState::NotFixed;
    assert!(
        violating(
            &with_criteria("fixable: true"),
            vec![unfixed.clone()],
            &facts()
        )
        .is_empty()
    );
    assert_eq!(
        violating(&with_criteria("fixable: false"), vec![unfixed], &facts()),
        [TEXT4SHELL]
    );
}

#[test]
fn day_counts_run_from_the_advisory_publication() {
    // Published 2021-12-10 and 2022-10-13; evaluated on 2024-06-01:
    // 904 and 597 days.
    assert_eq!(
        violating(
            &with_criteria("days_since_published_at_least: 904"),
            both(),
            &facts()
        ),
        [LOG4SHELL]
    );
    assert_eq!(
        violating(
            &with_criteria("days_since_published_at_least: 597"),
            both(),
            &facts()
        )
        .len(),
        2
    );
    assert_eq!(
        violating(
            &with_criteria("days_since_fix_at_least: 600"),
            both(),
            &facts()
        ),
        [LOG4SHELL]
    );
    // No fixed version: no fix date.
    let mut unfixed = log4shell();
    unfixed.fixed_versions.clear();
    assert!(
        violating(
            &with_criteria("days_since_fix_at_least: 1"),
            vec![unfixed],
            &facts()
        )
        .is_empty()
    );
}

#[test]
fn kev_epss_and_cve_criteria() {
    // Only CVE-2021-44228 is in the KEV sample.
    assert_eq!(
        violating(&with_criteria("in_kev: true"), both(), &facts()),
        [LOG4SHELL]
    );
    assert_eq!(
        violating(&with_criteria("in_kev: false"), both(), &facts()),
        [TEXT4SHELL]
    );
    // EPSS from FIRST's sample: CVE-1999-0005 0.91963, CVE-1999-0007 0.00073.
    let scores = strata_vulndb::feeds::epss::parse(
        &std::fs::read(feeds().join("epss/claircore-epss-sample.csv")).unwrap(),
    )
    .unwrap()
    .records;
    let with_epss = |cve: &str| {
        let mut finding = log4shell();
        finding.id = cve.into();
        finding.aliases.clear();
        finding.epss = scores
            .iter()
            .find(|(c, _)| c == cve)
            .map(|(_, e)| e.clone());
        assert!(finding.epss.is_some(), "{cve}");
        finding
    };
    assert_eq!(
        violating(
            &with_criteria("epss_at_least: 0.9"),
            vec![with_epss("CVE-1999-0005"), with_epss("CVE-1999-0007")],
            &facts()
        ),
        ["CVE-1999-0005"]
    );
    // By alias, case-insensitively.
    assert_eq!(
        violating(&with_criteria("cves: [cve-2022-42889]"), both(), &facts()),
        [TEXT4SHELL]
    );
}

#[test]
fn package_patterns_match_name_and_ecosystem() {
    assert_eq!(
        violating(
            &with_criteria("packages: [{name: 'org.apache.logging.log4j:*'}]"),
            both(),
            &facts()
        ),
        [LOG4SHELL]
    );
    assert_eq!(
        violating(
            &with_criteria("packages: [{name: '*:commons-text', ecosystem: maven}]"),
            both(),
            &facts()
        ),
        [TEXT4SHELL]
    );
    assert!(
        violating(
            &with_criteria("packages: [{name: '*:commons-text', ecosystem: PyPI}]"),
            both(),
            &facts()
        )
        .is_empty()
    );
}

#[test]
fn criteria_are_anded() {
    // Critical and in KEV: only Log4Shell.
    assert_eq!(
        violating(
            &with_criteria("severity_at_least: Critical\nin_kev: true"),
            both(),
            &facts()
        ),
        [LOG4SHELL]
    );
    // A finding criterion with an image criterion that does not hold.
    assert!(
        violating(
            &with_criteria("severity_at_least: Critical\nos: [alpine]"),
            both(),
            &facts()
        )
        .is_empty()
    );
    assert_eq!(
        violating(
            &with_criteria("severity_at_least: Critical\nos: ['debian:12']"),
            both(),
            &facts()
        )
        .len(),
        2
    );
}

#[test]
fn image_criteria_are_facts() {
    let mut facts = facts();
    // Created 2023-11-14, evaluated 2024-06-01: 200 days.
    assert_eq!(
        violating(
            &with_criteria("image_age_days_at_least: 200"),
            vec![],
            &facts
        ),
        ["fact:image_age_days_at_least"]
    );
    assert!(
        violating(
            &with_criteria("image_age_days_at_least: 201"),
            vec![],
            &facts
        )
        .is_empty()
    );
    assert_eq!(
        violating(&with_criteria("runs_as_root: true"), vec![], &facts),
        ["fact:runs_as_root"]
    );
    assert_eq!(
        violating(&with_criteria("layer_count_above: 1"), vec![], &facts),
        ["fact:layer_count_above"]
    );
    assert!(violating(&with_criteria("layer_count_above: 2"), vec![], &facts).is_empty());
    assert_eq!(
        violating(
            &with_criteria("required_labels: [org.opencontainers.image.source, team]"),
            vec![],
            &facts
        ),
        ["fact:required_labels", "fact:required_labels"]
    );
    facts.user = Some("10001".into());
    facts.labels.insert("team".into(), "shop".into());
    facts
        .labels
        .insert("org.opencontainers.image.source".into(), "https://x".into());
    assert!(violating(&with_criteria("runs_as_root: true"), vec![], &facts).is_empty());
    assert!(
        violating(
            &with_criteria("required_labels: [org.opencontainers.image.source, team=shop]"),
            vec![],
            &facts
        )
        .is_empty()
    );
    assert_eq!(
        violating(
            &with_criteria("disallowed_labels: [team=shop, maintainer]"),
            vec![],
            &facts
        ),
        ["fact:disallowed_labels"]
    );
    assert!(violating(&with_criteria("unscanned_components: true"), vec![], &facts).is_empty());
    facts.unscanned.push("OS packages of debian 13".into());
    assert_eq!(
        violating(&with_criteria("unscanned_components: true"), vec![], &facts),
        ["fact:unscanned_components"]
    );
    // No creation time: no age.
    facts.created = None;
    assert!(violating(&with_criteria("image_age_days_at_least: 0"), vec![], &facts).is_empty());
}

const SCOPED: &str = "
policies:
  - name: shop critical
    severity: critical
    enforcement: fail
    scope:
      - {registry: registry.example.com, repository: 'shop/**'}
    exclusions:
      - {image: 'registry.example.com/shop/api:1.4.*', reason: 'fixed in 1.5', expires: 2024-06-02}
      - {image: 'registry.example.com/shop/legacy', reason: retired}
    criteria:
      severity_at_least: critical
";

#[test]
fn scope_and_exclusions_with_expiry() {
    let set = set(SCOPED);
    let report = common::report(both());
    let check = |facts: &ImageFacts, today: &str| -> CheckResult {
        evaluate(&set, &report, facts, date(today))
    };
    // Excluded through the day before the expiry.
    let result = check(&facts(), "2024-06-01");
    assert_eq!(result.policies[0].status, PolicyStatus::Excluded);
    assert_eq!(result.exit_code(), 0);
    let result = check(&facts(), "2024-06-02");
    assert_eq!(result.policies[0].status, PolicyStatus::Failed);
    assert!(result.policies[0].notes[0].contains("expired on 2024-06-02"));
    assert_eq!(result.exit_code(), 1);
    // Every tag of the legacy repository, no expiry.
    let mut legacy = facts();
    legacy.repository = Some("shop/legacy".into());
    assert_eq!(
        check(&legacy, "2030-01-01").policies[0].status,
        PolicyStatus::Excluded
    );
    // Out of scope: another repository, or a local archive (no registry).
    let mut other = facts();
    other.repository = Some("billing/api".into());
    assert_eq!(
        check(&other, "2024-06-02").policies[0].status,
        PolicyStatus::OutOfScope
    );
    let local = ImageFacts {
        reference: "oci-dir:/tmp/app".into(),
        ..ImageFacts::default()
    };
    assert_eq!(
        check(&local, "2024-06-02").policies[0].status,
        PolicyStatus::OutOfScope
    );
}

#[test]
fn default_set_catches_text4shell_and_warns_on_root() {
    let set = PolicySet::builtin().unwrap();
    let names: Vec<&str> = set.policies().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Fixable Critical",
            "Known exploited (KEV)",
            "Log4Shell/Spring4Shell/Text4Shell",
            "Image older than 90 days",
            "Runs as root"
        ]
    );
    for policy in set.policies() {
        assert!(!policy.remediation.is_empty(), "{}", policy.name);
    }
    let result = evaluate(
        &set,
        &common::report(vec![text4shell()]),
        &facts(),
        date("2024-06-01"),
    );
    assert_eq!(
        result.summary.failed,
        ["Fixable Critical", "Log4Shell/Spring4Shell/Text4Shell"]
    );
    assert_eq!(
        result.summary.warned,
        ["Image older than 90 days", "Runs as root"]
    );
    assert_eq!(result.exit_code(), 1);
    assert!(!result.passed);
    assert!(
        result
            .reason
            .contains("`Log4Shell/Spring4Shell/Text4Shell` (1 finding)"),
        "{}",
        result.reason
    );
    let text4 = &result.policies[2].violations[0];
    let finding = text4.finding.as_ref().unwrap();
    assert_eq!(finding.package, "org.apache.commons:commons-text");
    assert_eq!(finding.fixed_version.as_deref(), Some("1.10.0"));
    assert_eq!(finding.path.as_deref(), Some("/opt/app/webapp.war"));
    assert!(
        text4.message.contains("CVE-2022-42889"),
        "{}",
        text4.message
    );

    // The JSON round-trips.
    let json = serde_json::to_value(&result).unwrap();
    assert_eq!(json["schema"], "strata.check/v1");
    assert_eq!(json["policies"][2]["status"], "failed");
    assert_eq!(json["policies"][2]["enforcement"], "fail");
    let back: CheckResult = serde_json::from_value(json).unwrap();
    assert_eq!(back, result);

    // No findings, a young non-root image: passes.
    let mut clean = facts();
    clean.created = Some("2024-05-30T00:00:00Z".into());
    clean.user = Some("app".into());
    let result = evaluate(&set, &common::report(vec![]), &clean, date("2024-06-01"));
    assert!(result.passed);
    assert_eq!(result.summary.violated, 0);
    assert_eq!(result.exit_code(), 0);
}

#[test]
fn categories_filter_before_evaluation() {
    let set = PolicySet::builtin()
        .unwrap()
        .with_categories(&["security best practices".into()]);
    assert_eq!(set.policies().len(), 1);
    assert_eq!(set.policies()[0].name, "Runs as root");
    assert_eq!(set.policies()[0].enforcement, Enforcement::Warn);
}

fn error(yaml: &str) -> (Option<usize>, Option<String>, String) {
    match PolicySet::from_text(Path::new("policies/bad.yaml"), yaml) {
        Err(PolicyError::PolicyFile {
            path,
            line,
            field,
            message,
        }) => {
            assert_eq!(path, Path::new("policies/bad.yaml"));
            (line, field, message)
        }
        other => panic!("{other:?}"),
    }
}

const GOOD_HEAD: &str = "policies:\n  - name: a\n    severity: high\n    criteria:\n";

#[test]
fn errors_name_line_and_field() {
    let (line, field, message) = error(&format!("{GOOD_HEAD}      cvss_at_leest: 7\n"));
    assert_eq!(line, Some(5));
    assert_eq!(field.as_deref(), Some("policies[0].criteria.cvss_at_leest"));
    assert!(
        message.contains("unknown field `cvss_at_leest`"),
        "{message}"
    );

    let (line, field, message) = error(&format!("{GOOD_HEAD}      cvss_at_least: high\n"));
    assert_eq!(line, Some(5));
    assert_eq!(field.as_deref(), Some("policies[0].criteria.cvss_at_least"));
    assert!(message.contains("invalid type"), "{message}");

    let (line, field, _) = error(&format!("{GOOD_HEAD}      cvss_at_least: 11\n"));
    assert_eq!(
        (line, field.as_deref()),
        (Some(5), Some("policies[0].criteria.cvss_at_least"))
    );

    let (line, field, message) =
        error("policies:\n  - name: a\n    severity: severe\n    criteria: {in_kev: true}\n");
    assert_eq!(
        (line, field.as_deref()),
        (Some(3), Some("policies[0].severity"))
    );
    assert!(message.contains("unknown severity `severe`"), "{message}");

    let (_, field, message) = error(&format!(
        "{GOOD_HEAD}      fixable: true\n    enforcement: block\n"
    ));
    assert_eq!(field.as_deref(), Some("policies[0].enforcement"));
    assert!(message.contains("unknown variant `block`"), "{message}");

    let (_, field, message) =
        error("policies:\n  - name: a\n    severity: low\n    criteria: {}\n");
    assert_eq!(field.as_deref(), Some("policies[0].criteria"));
    assert!(message.contains("no criterion"), "{message}");

    let (_, field, message) = error(&format!(
        "{GOOD_HEAD}      fixable: true\n    exclusions: [{{image: 'a/[b', reason: x}}]\n"
    ));
    assert_eq!(field.as_deref(), Some("policies[0].exclusions[0].image"));
    assert!(!message.is_empty());

    let (_, field, message) = error(&format!(
        "{GOOD_HEAD}      fixable: true\n    exclusions: [{{image: a, reason: x, expires: 2024-02-30}}]\n"
    ));
    assert_eq!(field.as_deref(), Some("policies[0].exclusions[0].expires"));
    assert!(message.contains("not a date"), "{message}");

    let (_, _, message) = error(
        "policies:\n  - {name: a, severity: low, criteria: {in_kev: true}}\n  - {name: A, severity: low, criteria: {in_kev: true}}\n",
    );
    assert!(message.contains("two policies are named `A`"), "{message}");

    // The whole line as the CLI prints it.
    let err = PolicySet::from_text(
        Path::new("bad.yaml"),
        &format!("{GOOD_HEAD}      cvss_at_leest: 7\n"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("bad.yaml:5: policies[0].criteria.cvss_at_leest: unknown field"),
        "{err}"
    );
}

#[test]
fn json_is_accepted_and_files_and_directories_load() {
    let json = r#"{"policies": [{"name": "kev", "severity": "Critical", "enforcement": "fail",
                    "criteria": {"in_kev": true}}]}"#;
    let set = set(json);
    assert_eq!(set.policies()[0].name, "kev");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.json"), json).unwrap();
    std::fs::write(
        dir.path().join("b.yaml"),
        strata_policy::policy::DEFAULT_POLICIES,
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a policy").unwrap();
    let loaded = PolicySet::load(&[dir.path().to_owned()]).unwrap();
    assert_eq!(loaded.policies().len(), 6);
    let (policy, source) = loaded.get("KEV").unwrap();
    assert_eq!(policy.name, "kev");
    assert!(source.ends_with("a.json"), "{source}");

    // The same name twice across files.
    std::fs::write(
        dir.path().join("c.yaml"),
        strata_policy::policy::DEFAULT_POLICIES,
    )
    .unwrap();
    let err = PolicySet::load(&[dir.path().to_owned()])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`Fixable Critical` is already defined"),
        "{err}"
    );

    // Over the size limit.
    let big = dir.path().join("big.yaml");
    std::fs::write(&big, vec![b'#'; 1024 * 1024 + 1]).unwrap();
    assert!(matches!(
        PolicySet::load(&[big]),
        Err(PolicyError::TooLarge { .. })
    ));
}

#[test]
fn a_policy_set_serializes_back_to_a_file_that_loads() {
    let set = set(SCOPED);
    let yaml = serde_yaml_ng::to_string(&set.to_file()).unwrap();
    assert_eq!(
        PolicySet::from_text(Path::new("again.yaml"), &yaml)
            .unwrap()
            .policies(),
        set.policies()
    );
    let builtin = PolicySet::builtin().unwrap();
    let json = serde_json::to_string(&builtin.to_file()).unwrap();
    assert_eq!(
        PolicySet::from_text(Path::new("again.json"), &json)
            .unwrap()
            .policies(),
        builtin.policies()
    );
}

#[test]
fn facts_come_from_the_report() {
    let mut report = common::report(vec![]);
    report.image.created = Some("2023-11-14T22:13:20Z".into());
    report.image.user = Some("1000:1000".into());
    report.image.labels.insert("team".into(), "shop".into());
    report.os = Some(strata_match::OsStatus {
        id: "debian".into(),
        version: Some("13".into()),
        name: None,
        namespace: None,
        supported: false,
    });
    report.unchecked.push(strata_match::Unchecked {
        package: "npm/left-pad@x".into(),
        reason: "version not comparable".into(),
    });
    let facts = ImageFacts::from_report(&report);
    assert_eq!(facts.registry.as_deref(), Some("registry.example.com"));
    assert_eq!(facts.repository.as_deref(), Some("shop/api"));
    assert_eq!(facts.tag.as_deref(), Some("1.4.2"));
    assert!(!facts.runs_as_root());
    assert_eq!(facts.labels["team"], "shop");
    assert_eq!(facts.unscanned.len(), 2);
    assert_eq!(facts.os, Some(("debian".into(), Some("13".into()))));
}

#[test]
fn the_fuzz_seeds_load_and_round_trip() {
    let seeds = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds");
    for name in ["policy-default.yaml", "policy-scoped.yaml"] {
        let set = PolicySet::load(&[seeds.join(name)]).unwrap_or_else(|e| panic!("{e}"));
        let yaml = serde_yaml_ng::to_string(&set.to_file()).unwrap();
        let again = PolicySet::from_text(Path::new("again.yaml"), &yaml).unwrap();
        assert_eq!(again.policies(), set.policies(), "{name}");
    }
}
