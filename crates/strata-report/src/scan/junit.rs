//! JUnit XML in the Surefire shape Jenkins, GitLab and most CI tools read:
//! `<testsuites>` holding a `<testsuite>` per target (the OS packages, then each
//! language ecosystem), a `<testcase>` per scanned package (`name@version`,
//! classname its ecosystem), failing with a `<failure>` that lists the
//! package's findings the gate selects. Findings the gate lets pass are listed
//! in the test case's `<system-out>`. When Strata has no data for the image's
//! OS, its packages' test cases are `<skipped>`: never a pass.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use strata_match::{Finding, ScanReport};

use super::{ScanPackage, ecosystem_root, fix_text, packages, severity_word};

struct Case<'r> {
    package: &'r ScanPackage<'r>,
    findings: Vec<&'r Finding>,
}

struct Suite<'r> {
    name: String,
    ecosystem: String,
    cases: Vec<Case<'r>>,
}

/// `report` as JUnit XML; `gate` selects the findings that fail their package.
pub fn render(report: &ScanReport, gate: &dyn Fn(&Finding) -> bool) -> String {
    let packages = packages(report);
    let mut findings_of: Vec<Vec<&Finding>> = vec![Vec::new(); packages.list.len()];
    for (finding, &index) in report.findings.iter().zip(&packages.of_finding) {
        if let Some(list) = findings_of.get_mut(index) {
            list.push(finding);
        }
    }

    let os_name = match &report.os {
        Some(os) => format!(
            "{} ({} {})",
            report.image.reference,
            os.id,
            os.version.as_deref().unwrap_or("unknown")
        ),
        None => format!("{} (OS packages)", report.image.reference),
    };
    let unsupported = report.os.as_ref().filter(|os| !os.supported).map(|os| {
        format!(
            "no vulnerability data for {} {}: OS packages not checked",
            os.id,
            os.version.as_deref().unwrap_or("unknown")
        )
    });

    let mut os_suite: Option<Suite<'_>> = None;
    let mut lang_suites: BTreeMap<&str, Suite<'_>> = BTreeMap::new();
    for (package, findings) in packages.list.iter().zip(findings_of) {
        let case = Case { package, findings };
        if package.is_os() {
            os_suite
                .get_or_insert_with(|| Suite {
                    name: os_name.clone(),
                    ecosystem: ecosystem_root(package.ecosystem).to_owned(),
                    cases: Vec::new(),
                })
                .cases
                .push(case);
        } else {
            let ecosystem = ecosystem_root(package.ecosystem);
            lang_suites
                .entry(ecosystem)
                .or_insert_with(|| Suite {
                    name: ecosystem.to_owned(),
                    ecosystem: ecosystem.to_owned(),
                    cases: Vec::new(),
                })
                .cases
                .push(case);
        }
    }

    let mut body = String::new();
    let mut totals = Counts::default();
    for (suite, is_os) in os_suite
        .iter()
        .map(|s| (s, true))
        .chain(lang_suites.values().map(|s| (s, false)))
    {
        let skip = if is_os { unsupported.as_deref() } else { None };
        let counts = write_suite(&mut body, report, suite, gate, skip);
        totals.add(&counts);
    }

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"strata\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"0\">",
        totals.tests, totals.failures, totals.skipped
    );
    out.push_str(&body);
    out.push_str("</testsuites>\n");
    out
}

#[derive(Debug, Default)]
struct Counts {
    tests: usize,
    failures: usize,
    skipped: usize,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.tests += other.tests;
        self.failures += other.failures;
        self.skipped += other.skipped;
    }
}

fn write_suite(
    out: &mut String,
    report: &ScanReport,
    suite: &Suite<'_>,
    gate: &dyn Fn(&Finding) -> bool,
    skip: Option<&str>,
) -> Counts {
    let mut counts = Counts {
        tests: suite.cases.len(),
        ..Counts::default()
    };
    let mut cases = String::new();
    for case in &suite.cases {
        let (failing, passing): (Vec<&Finding>, Vec<&Finding>) =
            case.findings.iter().copied().partition(|f| gate(f));
        let package = case.package;
        let _ = write!(
            cases,
            "    <testcase name=\"{}\" classname=\"{}\" time=\"0\"",
            attr(&format!("{}@{}", package.name, package.version)),
            attr(package.ecosystem)
        );
        if failing.is_empty() && passing.is_empty() && skip.is_none() {
            cases.push_str("/>\n");
            continue;
        }
        cases.push_str(">\n");
        if !failing.is_empty() {
            counts.failures += 1;
            let ids: Vec<&str> = failing.iter().map(|f| f.id.as_str()).collect();
            let _ = writeln!(
                cases,
                "      <failure message=\"{}\" type=\"vulnerability\">{}</failure>",
                attr(&format!(
                    "{} {}: {}",
                    failing.len(),
                    if failing.len() == 1 {
                        "vulnerability"
                    } else {
                        "vulnerabilities"
                    },
                    ids.join(", ")
                )),
                text(&finding_lines(&failing))
            );
        } else if let Some(reason) = skip {
            counts.skipped += 1;
            let _ = writeln!(cases, "      <skipped message=\"{}\"/>", attr(reason));
        }
        if !passing.is_empty() {
            let _ = writeln!(
                cases,
                "      <system-out>{}</system-out>",
                text(&format!("below the gate:\n{}", finding_lines(&passing)))
            );
        }
        cases.push_str("    </testcase>\n");
    }
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"0\">",
        attr(&suite.name),
        counts.tests,
        counts.failures,
        counts.skipped
    );
    let _ = writeln!(
        out,
        "    <properties>\n      <property name=\"ecosystem\" value=\"{}\"/>\n      <property name=\"image\" value=\"{}\"/>\n    </properties>",
        attr(&suite.ecosystem),
        attr(&report.image.reference)
    );
    out.push_str(&cases);
    out.push_str("  </testsuite>\n");
    counts
}

/// One line per finding: id, severity, fix, layer, summary.
fn finding_lines(findings: &[&Finding]) -> String {
    let mut out = String::new();
    for finding in findings {
        let _ = write!(
            out,
            "{} {} ({})",
            finding.id,
            severity_word(finding.severity),
            fix_text(finding.fix_state, &finding.fixed_versions)
        );
        if let Some(layer) = &finding.layer {
            let _ = write!(out, " layer {}", layer.index);
        }
        if let Some(summary) = finding.summary.as_deref().filter(|s| !s.trim().is_empty()) {
            let _ = write!(out, ": {}", summary.trim());
        }
        out.push('\n');
    }
    out
}

/// Whether XML 1.0 allows `c` at all (escaped or not).
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `value` escaped for a double-quoted attribute. Line breaks and tabs are
/// character references, which attribute-value normalisation would otherwise
/// turn into spaces.
pub(crate) fn attr(value: &str) -> String {
    escape(value, true)
}

/// `value` escaped for element content.
pub(crate) fn text(value: &str) -> String {
    escape(value, false)
}

/// Escapes markup characters (and quotes, in attributes); characters XML
/// cannot carry at all become U+FFFD. `\r` is always a reference: parsers
/// fold a raw one into `\n`.
fn escape(value: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            c if xml_char(c) => out.push(c),
            _ => out.push(char::REPLACEMENT_CHARACTER),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(attr("<&\"'>"), "&lt;&amp;&quot;&apos;&gt;");
        assert_eq!(attr("a\nb\u{0}"), "a&#10;b\u{fffd}");
        assert_eq!(text("<a & b>\u{1b}[31m"), "&lt;a &amp; b&gt;\u{fffd}[31m");
        assert_eq!(text("\u{fffe}x\u{1F600}"), "\u{fffd}x\u{1F600}");
    }
}
