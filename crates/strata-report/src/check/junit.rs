//! JUnit XML: one `<testsuite>` for the image, one `<testcase>` per policy
//! (classname: its first category). A violated `fail` policy is a
//! `<failure>` listing its violations and remediation; a violated `warn`
//! policy passes with the violations in `<system-out>`; an excluded or
//! out-of-scope policy is `<skipped>`.

use std::fmt::Write as _;

use strata_policy::policy::{CheckResult, PolicyResult, PolicyStatus};

use crate::scan::junit::{attr, text};

/// `result` as JUnit XML.
pub fn render(result: &CheckResult) -> String {
    let tests = result.policies.len();
    let failures = result
        .policies
        .iter()
        .filter(|p| p.status == PolicyStatus::Failed)
        .count();
    let skipped = result
        .policies
        .iter()
        .filter(|p| matches!(p.status, PolicyStatus::Excluded | PolicyStatus::OutOfScope))
        .count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"strata image check\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" timestamp=\"{}T00:00:00\">",
        attr(&format!("policies: {}", result.image.reference)),
        result.evaluated_on
    );
    for policy in &result.policies {
        write_case(&mut out, policy);
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn write_case(out: &mut String, policy: &PolicyResult) {
    let classname = policy.categories.first().map_or("policy", String::as_str);
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\"",
        attr(&policy.name),
        attr(classname)
    );
    let details = || {
        let mut body = String::new();
        for violation in &policy.violations {
            let _ = writeln!(body, "- {}", violation.message);
        }
        if !policy.remediation.is_empty() {
            let _ = writeln!(body, "Remediation: {}", policy.remediation);
        }
        body
    };
    match policy.status {
        PolicyStatus::Passed => out.push_str("/>\n"),
        PolicyStatus::Failed => {
            let count = policy.violations.len();
            let _ = write!(
                out,
                ">\n      <failure type=\"policy\" message=\"{}\">{}</failure>\n    </testcase>\n",
                attr(&format!(
                    "{}: {count} violation{}",
                    policy.name,
                    if count == 1 { "" } else { "s" }
                )),
                text(&details())
            );
        }
        PolicyStatus::Warned => {
            let _ = write!(
                out,
                ">\n      <system-out>{}</system-out>\n    </testcase>\n",
                text(&format!("warning (not enforced):\n{}", details()))
            );
        }
        PolicyStatus::Excluded | PolicyStatus::OutOfScope => {
            let why = match &policy.exclusion {
                Some(exclusion) => format!("excluded: {}", exclusion.reason),
                None => "the image is outside the policy's scope".to_owned(),
            };
            let _ = write!(
                out,
                ">\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                attr(&why)
            );
        }
    }
}
