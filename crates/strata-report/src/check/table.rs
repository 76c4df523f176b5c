//! The check result for a terminal: one line per policy, then each violated
//! policy with its violations and remediation, then the verdict. Text from
//! policy files and findings is put on one line with control characters
//! replaced, as in the scan table.

use std::fmt::Write as _;

use strata_policy::policy::{CheckResult, Enforcement, PolicyResult, PolicyStatus};

use crate::scan::{one_line, truncate};

/// How many violations of one policy are listed before `… N more`.
const LISTED_VIOLATIONS: usize = 20;

const RESET: &str = "\x1b[0m";

fn status_word(policy: &PolicyResult) -> String {
    let count = policy.violations.len();
    match policy.status {
        PolicyStatus::Passed => "passed".to_owned(),
        PolicyStatus::Warned => format!("WARN ({count})"),
        PolicyStatus::Failed => format!("FAIL ({count})"),
        PolicyStatus::Excluded => "excluded".to_owned(),
        PolicyStatus::OutOfScope => "out of scope".to_owned(),
    }
}

fn colour(status: PolicyStatus) -> &'static str {
    match status {
        PolicyStatus::Failed => "\x1b[1;31m",
        PolicyStatus::Warned => "\x1b[33m",
        PolicyStatus::Passed => "\x1b[32m",
        PolicyStatus::Excluded | PolicyStatus::OutOfScope => "\x1b[2m",
    }
}

fn enforcement_word(enforcement: Enforcement) -> &'static str {
    match enforcement {
        Enforcement::Warn => "warn",
        Enforcement::Fail => "fail",
    }
}

/// `result` as a table; `color` colours the status column.
pub fn render(result: &CheckResult, color: bool) -> String {
    let mut out = String::new();
    let rows: Vec<[String; 4]> = result
        .policies
        .iter()
        .map(|p| {
            [
                truncate(&one_line(&p.name), 50).into_owned(),
                enforcement_word(p.enforcement).to_owned(),
                format!("{:?}", p.severity),
                status_word(p),
            ]
        })
        .collect();
    let headers = ["POLICY", "ENFORCEMENT", "SEVERITY", "STATUS"];
    let mut widths = headers.map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |out: &mut String, cells: &[String; 4], paint: Option<&str>| {
        let mut text = String::new();
        for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
            let padded = format!("{cell:<width$}");
            match paint {
                Some(code) if i == 3 => {
                    let _ = write!(text, "{code}{padded}{RESET}");
                }
                _ => text.push_str(&padded),
            }
            text.push_str("  ");
        }
        let _ = writeln!(out, "{}", text.trim_end());
    };
    line(&mut out, &headers.map(str::to_owned), None);
    for (row, policy) in rows.iter().zip(&result.policies) {
        line(&mut out, row, color.then(|| colour(policy.status)));
    }

    for policy in result.policies.iter().filter(|p| p.violated) {
        let _ = writeln!(
            out,
            "\n{} [{}] {}",
            if policy.status == PolicyStatus::Failed {
                "✗"
            } else {
                "!"
            },
            enforcement_word(policy.enforcement),
            one_line(&policy.name)
        );
        if !policy.description.is_empty() {
            let _ = writeln!(out, "  {}", one_line(&policy.description));
        }
        for violation in policy.violations.iter().take(LISTED_VIOLATIONS) {
            let _ = writeln!(out, "  - {}", truncate(&one_line(&violation.message), 200));
        }
        if policy.violations.len() > LISTED_VIOLATIONS {
            let _ = writeln!(
                out,
                "  … {} more",
                policy.violations.len() - LISTED_VIOLATIONS
            );
        }
        if !policy.remediation.is_empty() {
            let _ = writeln!(out, "  Remediation: {}", one_line(&policy.remediation));
        }
    }
    for policy in &result.policies {
        if let Some(exclusion) = &policy.exclusion {
            let _ = writeln!(
                out,
                "\n- {} excluded for {}: {}{}",
                one_line(&policy.name),
                one_line(&exclusion.image),
                one_line(&exclusion.reason),
                exclusion
                    .expires
                    .map(|d| format!(" (until {d})"))
                    .unwrap_or_default()
            );
        }
        for note in &policy.notes {
            let _ = writeln!(out, "\n- {}: {}", one_line(&policy.name), one_line(note));
        }
    }
    let _ = writeln!(out, "\n{}", one_line(&result.reason));
    out
}
