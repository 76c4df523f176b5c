//! The human table for a terminal: findings grouped by package (most severe
//! package first), one row per finding, then a summary line. Every field is put
//! on one line with control characters replaced, so hostile package metadata
//! cannot move the cursor or recolour the terminal; long fields are cut.

use std::fmt::Write as _;

use strata_match::{Finding, ScanReport};
use strata_vulndb::{FixState, Severity};

use super::{SEVERITIES, fix_text, one_line, packages, severity_word, truncate};

const HEADERS: [&str; 7] = [
    "PACKAGE",
    "INSTALLED",
    "VULNERABILITY",
    "SEVERITY",
    "FIX",
    "LAYER",
    "TITLE",
];
/// Widest each column may get (characters); longer values are cut with `…`.
const MAX_WIDTHS: [usize; 7] = [40, 32, 28, 10, 32, 5, 60];
const SEVERITY_COLUMN: usize = 3;

const RESET: &str = "\x1b[0m";

/// The ANSI colour of a severity.
fn colour(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "\x1b[1;31m",
        Severity::High => "\x1b[31m",
        Severity::Medium => "\x1b[33m",
        Severity::Low => "\x1b[34m",
        Severity::Negligible | Severity::Unknown => "\x1b[2m",
    }
}

/// `report` as a table; `color` adds ANSI colours by severity.
pub fn render(report: &ScanReport, color: bool) -> String {
    let mut out = String::new();
    let unsupported = report.os.as_ref().filter(|os| !os.supported);
    if let Some(os) = unsupported {
        let _ = writeln!(
            out,
            "no vulnerability data for {}{}: OS packages not checked",
            one_line(&os.id),
            os.version
                .as_deref()
                .map(|v| format!(" {}", one_line(v)))
                .unwrap_or_default()
        );
    }
    let suppressed = report.summary.suppressed;
    if report.findings.is_empty() && unsupported.is_none() {
        out.push_str("no vulnerabilities found");
        if suppressed > 0 {
            let _ = write!(out, "; {suppressed} suppressed");
        }
        out.push('\n');
        return out;
    }

    // Groups in order of first appearance: findings come most severe first.
    let packages = packages(report);
    let mut groups: Vec<(usize, Vec<&Finding>)> = Vec::new();
    for (finding, &package) in report.findings.iter().zip(&packages.of_finding) {
        match groups.iter_mut().find(|(p, _)| *p == package) {
            Some((_, list)) => list.push(finding),
            None => groups.push((package, vec![finding])),
        }
    }

    let mut rows: Vec<([String; 7], Severity)> = Vec::new();
    for (_, findings) in &groups {
        for (i, finding) in findings.iter().enumerate() {
            let (name, version) = if i == 0 {
                (
                    one_line(&finding.package.name).into_owned(),
                    one_line(&finding.package.version).into_owned(),
                )
            } else {
                (String::new(), String::new())
            };
            let fix = match finding.fix_state {
                FixState::Fixed if !finding.fixed_versions.is_empty() => {
                    finding.fixed_versions.join(", ")
                }
                state => fix_text(state, &[]),
            };
            let title = finding
                .summary
                .as_deref()
                .map(|s| one_line(s.trim()).into_owned())
                .unwrap_or_default();
            let cells = [
                name,
                version,
                one_line(&finding.id).into_owned(),
                severity_word(finding.severity).to_owned(),
                one_line(&fix).into_owned(),
                finding
                    .layer
                    .as_ref()
                    .map_or_else(|| "-".to_owned(), |l| l.index.to_string()),
                title,
            ];
            let cells = cells
                .iter()
                .zip(MAX_WIDTHS)
                .map(|(cell, max)| truncate(cell, max).into_owned());
            let mut row: [String; 7] = Default::default();
            for (slot, cell) in row.iter_mut().zip(cells) {
                *slot = cell;
            }
            rows.push((row, finding.severity));
        }
    }

    if !rows.is_empty() {
        let mut widths = HEADERS.map(|h| h.chars().count());
        for (row, _) in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let header = HEADERS.map(str::to_owned);
        write_row(&mut out, &header, &widths, color.then_some("\x1b[1m"), None);
        for (row, severity) in &rows {
            write_row(
                &mut out,
                row,
                &widths,
                None,
                color.then(|| colour(*severity)),
            );
        }
        out.push('\n');
    }

    let counts: Vec<String> = SEVERITIES
        .iter()
        .map(|&s| {
            let n = report.findings.iter().filter(|f| f.severity == s).count();
            format!("{n} {}", severity_word(s).to_lowercase())
        })
        .collect();
    let total = report.findings.len();
    let affected = groups.len();
    let _ = writeln!(
        out,
        "{total} {} ({}) in {affected} {}; {suppressed} suppressed",
        if total == 1 {
            "vulnerability"
        } else {
            "vulnerabilities"
        },
        counts.join(", "),
        if affected == 1 { "package" } else { "packages" },
    );
    out
}

/// One row, cells padded to `widths` (the last one not), the whole row in
/// `style` or only the severity cell in `severity_style`.
fn write_row(
    out: &mut String,
    cells: &[String; 7],
    widths: &[usize; 7],
    style: Option<&str>,
    severity_style: Option<&str>,
) {
    let mut line = String::new();
    let last = cells.len() - 1;
    for (column, (cell, width)) in cells.iter().zip(widths).enumerate() {
        let pad = if column == last {
            0
        } else {
            width.saturating_sub(cell.chars().count()) + 2
        };
        match severity_style.filter(|_| column == SEVERITY_COLUMN) {
            Some(colour) => {
                let _ = write!(line, "{colour}{cell}{RESET}");
            }
            None => line.push_str(cell),
        }
        line.extend(std::iter::repeat_n(' ', pad));
    }
    let line = line.trim_end();
    match style {
        Some(style) => {
            let _ = writeln!(out, "{style}{line}{RESET}");
        }
        None => {
            let _ = writeln!(out, "{line}");
        }
    }
}
