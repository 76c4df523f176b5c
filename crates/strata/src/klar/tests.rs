//! Klar mode end to end: a report with findings shaped like real advisories,
//! rendered in each format and checked against Klar's structs and rules.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;
use strata_catalog::inventory::{ImageInfo, LayerInfo};
use strata_match::{DbInfo, Finding, FoundPackage, SCHEMA, ScanReport, Summary};
use strata_vulndb::{Cvss, CvssVersion, FixState, Severity};

use super::*;

const GLIBC_SUMMARY: &str =
    "nscd: netgroup cache may terminate daemon on memory allocation failure";
const GLIBC_LINK: &str = "https://security-tracker.debian.org/tracker/CVE-2024-33601";

#[allow(clippy::too_many_arguments)]
fn finding(
    id: &str,
    aliases: &[&str],
    (ecosystem, name, source, version): (&str, &str, Option<&str>, &str),
    namespace: &str,
    fixed: Option<&str>,
    severity: Severity,
    summary: &str,
    references: &[&str],
) -> Finding {
    Finding {
        id: id.to_owned(),
        aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
        summary: Some(summary.to_owned()),
        package: FoundPackage {
            ecosystem: ecosystem.to_owned(),
            name: name.to_owned(),
            version: version.to_owned(),
            purl: format!("pkg:generic/{name}@{version}"),
            source_name: source.map(str::to_owned),
            paths: vec![],
        },
        namespace: namespace.to_owned(),
        source: "test".to_owned(),
        fixed_versions: fixed.iter().map(|f| (*f).to_owned()).collect(),
        fix_state: if fixed.is_some() {
            FixState::Fixed
        } else {
            FixState::NotFixed
        },
        severity,
        severity_source: None,
        vendor_severity: None,
        cvss: vec![],
        epss: None,
        kev: None,
        layer: None,
        references: references.iter().map(|r| (*r).to_owned()).collect(),
        published: None,
        matched_by: String::new(),
        suppression: None,
    }
}

fn glibc(binary: &str) -> Finding {
    let mut f = finding(
        "CVE-2024-33601",
        &[],
        ("Debian", binary, Some("glibc"), "2.36-9+deb12u4"),
        "Debian:12",
        Some("2.36-9+deb12u7"),
        Severity::Medium,
        GLIBC_SUMMARY,
        &[GLIBC_LINK, "https://bugs.debian.org/1069191"],
    );
    f.cvss = vec![
        Cvss {
            version: CvssVersion::V3_1,
            vector: "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:H/A:H".to_owned(),
            score: Some(7.3),
            source: "nvd".to_owned(),
        },
        Cvss {
            version: CvssVersion::V3_1,
            vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".to_owned(),
            score: Some(9.8),
            source: "debian".to_owned(),
        },
    ];
    f.published = Some("2024-05-06T20:15:11.603".to_owned());
    f
}

fn certifi() -> Finding {
    let mut f = finding(
        "GHSA-xqr8-7jwr-rhp7",
        &["CVE-2023-37920", "PYSEC-2023-135"],
        ("PyPI", "certifi", None, "2022.12.7"),
        "PyPI",
        Some("2023.7.22"),
        Severity::Critical,
        "Removal of e-Tugra root certificate",
        &["https://github.com/advisories/GHSA-xqr8-7jwr-rhp7"],
    );
    f.cvss = vec![Cvss {
        version: CvssVersion::V3_1,
        vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".to_owned(),
        score: Some(9.8),
        source: "nvd".to_owned(),
    }];
    f
}

fn ncurses() -> Finding {
    finding(
        "CVE-2023-50495",
        &[],
        ("Debian", "libtinfo6", Some("ncurses"), "6.4-4"),
        "Debian:12",
        None,
        Severity::Low,
        "NCurse v6.4-20230418 was discovered to contain a segmentation fault",
        &["https://security-tracker.debian.org/tracker/CVE-2023-50495"],
    )
}

fn tar() -> Finding {
    finding(
        "TEMP-0290435-0B57B5",
        &[],
        ("Debian", "tar", None, "1.34+dfsg-1.2+deb12u1"),
        "Debian:12",
        None,
        Severity::Negligible,
        "[tar's --keep-old-files is not safe]",
        &["https://security-tracker.debian.org/tracker/TEMP-0290435-0B57B5"],
    )
}

fn report(findings: Vec<Finding>) -> ScanReport {
    let summary = Summary::of(&findings, 0, 120);
    ScanReport {
        schema: SCHEMA.to_owned(),
        image: ImageInfo {
            reference: "docker.io/library/debian:12".to_owned(),
            manifest_digest: None,
            config_digest: None,
            platform: Some("linux/amd64".to_owned()),
            layers: (0..3)
                .map(|index| LayerInfo {
                    index,
                    ..LayerInfo::default()
                })
                .collect(),
            ..ImageInfo::default()
        },
        os: None,
        db: DbInfo::default(),
        findings,
        suppressed: vec![],
        summary,
        unchecked: Vec::new(),
        inventory: None,
    }
}

/// Most severe first, as the report orders them; libc-bin duplicates libc6.
fn sample() -> ScanReport {
    report(vec![
        certifi(),
        glibc("libc6"),
        glibc("libc-bin"),
        ncurses(),
        tar(),
    ])
}

#[test]
fn standard_output_is_klars() {
    let out = render_with(&sample(), &[], None);
    let want = format!(
        "Analysing 3 layers\n\
         Got results from Clair API v1\n\
         Found 4 vulnerabilities\n\
         Negligible: 1\n\
         Low: 1\n\
         Medium: 1\n\
         Critical: 1\n\
         \n\
         TEMP-0290435-0B57B5: [Negligible] \n\
         Found in: tar [1.34+dfsg-1.2+deb12u1]\n\
         Fixed By: \n\
         [tar's --keep-old-files is not safe]\n\
         https://security-tracker.debian.org/tracker/TEMP-0290435-0B57B5\n\
         -----------------------------------------\n\
         CVE-2023-50495: [Low] \n\
         Found in: ncurses [6.4-4]\n\
         Fixed By: \n\
         NCurse v6.4-20230418 was discovered to contain a segmentation fault\n\
         https://security-tracker.debian.org/tracker/CVE-2023-50495\n\
         -----------------------------------------\n\
         CVE-2024-33601: [Medium] \n\
         Found in: glibc [2.36-9+deb12u4]\n\
         Fixed By: 2.36-9+deb12u7\n\
         {GLIBC_SUMMARY}\n\
         {GLIBC_LINK}\n\
         -----------------------------------------\n\
         CVE-2023-37920: [Critical] \n\
         Found in: certifi [2022.12.7]\n\
         Fixed By: 2023.7.22\n\
         Removal of e-Tugra root certificate\n\
         https://github.com/advisories/GHSA-xqr8-7jwr-rhp7\n\
         -----------------------------------------\n"
    );
    assert_eq!(out.stdout, want);
    assert_eq!(out.stderr, "");
    assert_eq!(out.exit_code, EXIT_VULNERABLE, "4 counted > threshold 0");
}

#[test]
fn json_output_matches_klars_structs() {
    let out = render_with(&sample(), &[("FORMAT_OUTPUT", "json")], None);
    assert!(out.stdout.ends_with("}\n"), "Encoder.Encode adds a newline");
    assert_eq!(out.stdout.lines().count(), 1);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["LayerCount"], 3);
    // Go sorts map keys.
    let groups: Vec<&str> = doc["Vulnerabilities"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(groups, ["Critical", "Low", "Medium", "Negligible"]);
    assert!(
        out.stdout.find("\"Critical\"").unwrap() < out.stdout.find("\"Low\"").unwrap(),
        "key order in the bytes, not only in the parsed map"
    );

    // Klar's clair.Vulnerability, field by field, in declaration order.
    let medium = &doc["Vulnerabilities"]["Medium"];
    assert_eq!(medium.as_array().unwrap().len(), 1, "one glibc feature");
    let glibc = &medium[0];
    // serde_json's map sorts keys: the order is checked on the bytes.
    let metadata = "{\"NVD\":{\"CVSSv2\":{\"PublishedDateTime\":\"2024-05-06T20:15Z\",\"Score\":0,\"Vectors\":\"\"},\"CVSSv3\":{\"ExploitabilityScore\":1.8,\"ImpactScore\":5.5,\"Score\":7.3,\"Vectors\":\"CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:H/A:H\"}}}";
    let raw = format!(
        "\"Medium\":[{{\"Name\":\"CVE-2024-33601\",\"NamespaceName\":\"debian:12\",\"Description\":\"{GLIBC_SUMMARY}\",\"Link\":\"{GLIBC_LINK}\",\"Severity\":\"Medium\",\"Metadata\":{metadata},\"FixedBy\":\"2.36-9+deb12u7\",\"FeatureName\":\"glibc\",\"FeatureVersion\":\"2.36-9+deb12u4\"}}]"
    );
    assert!(out.stdout.contains(&raw), "{}", out.stdout);
    assert!(
        out.stdout
            .starts_with("{\"LayerCount\":3,\"Vulnerabilities\":{\"Critical\":[{")
    );
    assert_eq!(glibc["Name"], "CVE-2024-33601");
    assert_eq!(glibc["NamespaceName"], "debian:12");
    assert_eq!(glibc["Description"], GLIBC_SUMMARY);
    assert_eq!(glibc["Link"], GLIBC_LINK);
    assert_eq!(glibc["Severity"], "Medium");
    assert_eq!(glibc["FixedBy"], "2.36-9+deb12u7");
    assert_eq!(
        glibc["FeatureName"], "glibc",
        "Clair's dpkg lister: source package"
    );
    assert_eq!(glibc["FeatureVersion"], "2.36-9+deb12u4");
    // Clair 2.1's NVD metadata; the Debian-sourced 9.8 is not NVD's.
    assert_eq!(
        glibc["Metadata"],
        serde_json::json!({"NVD": {
            "CVSSv2": {"PublishedDateTime": "2024-05-06T20:15Z", "Score": 0, "Vectors": ""},
            "CVSSv3": {
                "ExploitabilityScore": 1.8,
                "ImpactScore": 5.5,
                "Score": 7.3,
                "Vectors": "CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:H/A:H"
            }
        }})
    );
    // omitempty: no FixedBy when unfixed, no Metadata without NVD scores; the
    // mis-tagged FeatureName/FeatureVersion are always there.
    let low = &doc["Vulnerabilities"]["Low"][0];
    assert_eq!(low["Name"], "CVE-2023-50495");
    assert!(low.get("FixedBy").is_none() && low.get("Metadata").is_none());
    assert_eq!(low["FeatureName"], "ncurses");
    let mut bare = ncurses();
    bare.package.name = String::new();
    bare.package.source_name = None;
    bare.package.version = String::new();
    bare.summary = None;
    bare.references = vec![];
    let out = render_with(&report(vec![bare]), &[("JSON_OUTPUT", "1")], None);
    assert_eq!(
        out.stdout,
        "{\"LayerCount\":3,\"Vulnerabilities\":{\"Low\":[{\"Name\":\"CVE-2023-50495\",\"NamespaceName\":\"debian:12\",\"Severity\":\"Low\",\"FeatureName\":\"\",\"FeatureVersion\":\"\"}]}}\n"
    );

    // A GHSA is named by its CVE alias, as Clair named by CVE.
    let critical = &doc["Vulnerabilities"]["Critical"][0];
    assert_eq!(critical["Name"], "CVE-2023-37920");
    assert_eq!(critical["NamespaceName"], "PyPI");
    assert_eq!(critical["FeatureName"], "certifi");
    assert_eq!(
        critical["Metadata"]["NVD"]["CVSSv3"]["ExploitabilityScore"],
        3.9
    );
}

#[test]
fn json_with_nothing_to_show() {
    let out = render_with(&report(vec![]), &[("FORMAT_OUTPUT", "json")], None);
    assert_eq!(out.stdout, "{\"LayerCount\":3,\"Vulnerabilities\":{}}\n");
    assert_eq!(out.exit_code, EXIT_OK);
    // Levels under CLAIR_OUTPUT are left out of the map, and not counted.
    let out = render_with(
        &sample(),
        &[("FORMAT_OUTPUT", "json"), ("CLAIR_OUTPUT", "defcon1")],
        None,
    );
    assert_eq!(out.stdout, "{\"LayerCount\":3,\"Vulnerabilities\":{}}\n");
    assert_eq!(out.exit_code, EXIT_OK);
}

#[test]
fn threshold_edges() {
    // CLAIR_OUTPUT=Medium counts glibc (Medium) and certifi (Critical): 2.
    let at = |threshold: &str| {
        render_with(
            &sample(),
            &[("CLAIR_OUTPUT", "Medium"), ("CLAIR_THRESHOLD", threshold)],
            None,
        )
        .exit_code
    };
    assert_eq!(at("2"), EXIT_OK, "count == threshold passes");
    assert_eq!(at("3"), EXIT_OK);
    assert_eq!(at("1"), EXIT_VULNERABLE, "count == threshold + 1 fails");
    assert_eq!(at("0"), EXIT_VULNERABLE);
    assert_eq!(at("nonsense"), EXIT_VULNERABLE, "unparsable threshold is 0");
    // A negative threshold fails even a clean image, as in Klar.
    let clean = render_with(&report(vec![]), &[("CLAIR_THRESHOLD", "-1")], None);
    assert_eq!(clean.exit_code, EXIT_VULNERABLE);
    let clean = render_with(&report(vec![]), &[], None);
    assert_eq!(clean.exit_code, EXIT_OK);
    assert!(clean.stdout.ends_with("Found 0 vulnerabilities\n\n"));
}

#[test]
fn clair_output_filters_listing_and_count_not_the_summary() {
    let out = render_with(
        &sample(),
        &[("CLAIR_OUTPUT", "high"), ("CLAIR_THRESHOLD", "1")],
        None,
    );
    // Found and the per-level lines cover everything…
    assert!(out.stdout.contains(
        "Found 4 vulnerabilities\nNegligible: 1\nLow: 1\nMedium: 1\nCritical: 1\n\nCVE-2023-37920: [Critical] \n"
    ));
    // …the listing only High and above.
    assert!(!out.stdout.contains("CVE-2024-33601:"));
    assert_eq!(out.stdout.matches(SEPARATOR_LINE).count(), 1);
    assert_eq!(out.exit_code, EXIT_OK, "1 counted, threshold 1");
}

const SEPARATOR_LINE: &str = "-----------------------------------------\n";

#[test]
fn ignore_unfixed_lists_but_does_not_count() {
    let pairs = |ignore: &'static str| {
        [
            ("CLAIR_OUTPUT", "Low"),
            ("CLAIR_THRESHOLD", "2"),
            ("IGNORE_UNFIXED", ignore),
        ]
    };
    // Low (unfixed) + Medium + Critical = 3 > 2.
    let out = render_with(&sample(), &pairs("false"), None);
    assert_eq!(out.exit_code, EXIT_VULNERABLE);
    let out = render_with(&sample(), &pairs("true"), None);
    assert_eq!(out.exit_code, EXIT_OK, "the unfixed Low is not counted");
    assert!(
        out.stdout.contains("CVE-2023-50495: [Low] \n"),
        "but still printed"
    );
    for format in ["json", "table"] {
        let mut with_format = pairs("true").to_vec();
        with_format.push(("FORMAT_OUTPUT", format));
        let out = render_with(&sample(), &with_format, None);
        assert_eq!(out.exit_code, EXIT_OK, "{format}");
        assert!(out.stdout.contains("CVE-2023-50495"), "{format}");
    }
}

#[test]
fn whitelist_general_and_per_image() {
    let whitelist = Whitelist::parse(
        "general:\n  - CVE-2023-37920\nimages:\n  library/debian:\n    - CVE-2024-33601\n  debian:\n    - CVE-2023-50495\n",
    )
    .unwrap();
    let out = render_with(&sample(), &[], Some(&whitelist));
    assert!(out.stdout.contains(
        "Got results from Clair API v1\nWhitelisted 2 vulnerabilities\nFound 2 vulnerabilities\nNegligible: 1\nLow: 1\n\n"
    ));
    assert!(!out.stdout.contains("CVE-2023-37920") && !out.stdout.contains("CVE-2024-33601"));
    // The `debian` key is not Klar's name of docker.io/library/debian:12.
    assert!(out.stdout.contains("CVE-2023-50495: [Low]"));
    // Whitelisting matches Klar's Name (the CVE alias), not the GHSA id.
    let ghsa = Whitelist::parse("general: [GHSA-xqr8-7jwr-rhp7]").unwrap();
    let out = render_with(&sample(), &[], Some(&ghsa));
    assert!(!out.stdout.contains("Whitelisted"));
    // The per-image key follows the argument as typed.
    let env = KlarEnv::from_lookup(|_| None).unwrap();
    let typed = Whitelist::parse("images:\n  debian: [CVE-2023-50495]\n").unwrap();
    let out = render_for_image(&sample(), &env, Some(&typed), "docker.io/debian:12");
    assert!(out.stdout.contains("Whitelisted 1 vulnerabilities\n"));
    // Whitelisting can bring the count under the threshold.
    let all = Whitelist::parse(
        "general: [CVE-2023-37920, CVE-2024-33601, CVE-2023-50495, TEMP-0290435-0B57B5]",
    )
    .unwrap();
    let out = render_with(&sample(), &[], Some(&all));
    assert_eq!(out.exit_code, EXIT_OK);
    assert!(
        out.stdout
            .ends_with("Whitelisted 4 vulnerabilities\nFound 0 vulnerabilities\n\n")
    );
}

#[test]
fn table_output_is_klars() {
    let out = render_with(
        &report(vec![ncurses()]),
        &[("FORMAT_OUTPUT", "table")],
        None,
    );
    let want = "Analysing 3 layers\n\
        Got results from Clair API v1\n\
        Found 1 vulnerabilities\n\
        Low: 1\n\
        \n\
        +----------+----------------+-------------+----------------+---------+--------------------------------+------------------------------------------------------------+\n\
        | SEVERITY | NAME           | FEATURENAME | FEATUREVERSION | FIXEDBY | DESCRIPTION                    | LINK                                                       |\n\
        +----------+----------------+-------------+----------------+---------+--------------------------------+------------------------------------------------------------+\n\
        | \x1b[0;94mLow\x1b[0m      | CVE-2023-50495 | ncurses     | 6.4-4          |         | NCurse v6.4-20230418 was       | https://security-tracker.debian.org/tracker/CVE-2023-50495 |\n\
        |          |                |             |                |         | discovered to contain a        |                                                            |\n\
        |          |                |             |                |         | segmentation fault             |                                                            |\n\
        +----------+----------------+-------------+----------------+---------+--------------------------------+------------------------------------------------------------+\n";
    assert_eq!(out.stdout, want);
    assert_eq!(out.exit_code, EXIT_VULNERABLE);
    // No rows: no table at all.
    let out = render_with(
        &report(vec![ncurses()]),
        &[("FORMAT_OUTPUT", "table"), ("CLAIR_OUTPUT", "High")],
        None,
    );
    assert!(out.stdout.ends_with("Low: 1\n\n"));
    assert_eq!(out.exit_code, EXIT_OK);
}

#[test]
fn duplicates_collapse_into_one_clair_feature() {
    let out = render_with(
        &report(vec![glibc("libc6"), glibc("libc-bin"), glibc("libc-l10n")]),
        &[],
        None,
    );
    assert!(out.stdout.contains("Found 1 vulnerabilities\nMedium: 1\n"));
    // A binNMU'd binary has another version, hence another feature.
    let mut other = glibc("libc6-dev");
    other.package.version = "2.36-9+deb12u7".to_owned();
    let out = render_with(&report(vec![glibc("libc6"), other]), &[], None);
    assert!(out.stdout.contains("Found 2 vulnerabilities\n"));
}

#[test]
fn no_layers_is_klars_pull_failure() {
    let mut r = sample();
    r.image.layers.clear();
    for format in ["standard", "json", "table"] {
        let out = render_with(&r, &[("FORMAT_OUTPUT", format)], None);
        assert_eq!(out.stdout, "");
        assert_eq!(out.stderr, "Can't pull fsLayers\n");
        assert_eq!(out.exit_code, EXIT_ERROR);
    }
}

#[test]
fn bad_env_is_exit_2_with_the_variable_named() {
    let out = render_with(&sample(), &[("CLAIR_OUTPUT", "Severe")], None);
    assert_eq!(out.exit_code, EXIT_ERROR);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "Invalid options: CLAIR_OUTPUT: Clair output level Severe is not supported, only support [Unknown Negligible Low Medium High Critical Defcon1]\n\n"
    );
    let out = render_with(&sample(), &[("FORMAT_OUTPUT", "xml")], None);
    assert_eq!(out.exit_code, EXIT_ERROR);
    assert!(out.stderr.contains("FORMAT_OUTPUT"));
    assert_eq!(
        whitelist_failure("could not unmarshal x"),
        "Could not parse whitelist file: could not unmarshal x\n"
    );
}

#[test]
fn json_escapes_like_go() {
    let mut f = ncurses();
    f.summary = Some("a <b> & \"c\"\u{8}".to_owned());
    let out = render_with(&report(vec![f]), &[("JSON_OUTPUT", "true")], None);
    assert!(
        out.stdout
            .contains(r#""Description":"a \u003cb\u003e \u0026 \"c\"\u0008""#)
    );
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        doc["Vulnerabilities"]["Low"][0]["Description"],
        "a <b> & \"c\"\u{8}"
    );
}

#[test]
fn severities_map_one_to_one() {
    for (ours, clair) in [
        (Severity::Unknown, "Unknown"),
        (Severity::Negligible, "Negligible"),
        (Severity::Low, "Low"),
        (Severity::Medium, "Medium"),
        (Severity::High, "High"),
        (Severity::Critical, "Critical"),
    ] {
        assert_eq!(KlarSeverity::from(ours).as_str(), clair);
    }
}
