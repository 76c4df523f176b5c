//! Klar's output and exit rule (`main.go`, `format.go`).
//!
//! * Whitelisted vulnerabilities are dropped first (`filterWhitelist`), then the
//!   rest are grouped by severity (`groupBySeverity`).
//! * Text formats start with `Analysing N layers`, `Got results from Clair API
//!   v1`, `Whitelisted N vulnerabilities` (only when some were), `Found N
//!   vulnerabilities` (every severity), then one `Level: count` line per
//!   non-empty level, lowest first, whatever `CLAIR_OUTPUT` is, and a blank line.
//! * Only levels at or above `CLAIR_OUTPUT` are listed (lowest level first) and
//!   counted; with `IGNORE_UNFIXED` vulnerabilities without `FixedBy` are still
//!   listed but not counted (`iteratePriorities` and the three formatters).
//! * Exit 1 when that count is *greater than* `CLAIR_THRESHOLD`, else 0
//!   (`if vsNumber > conf.Threshold { os.Exit(1) }`).
//! * JSON mode prints only the JSON document.

use std::collections::BTreeMap;

use strata_match::ScanReport;

use super::env::{KlarEnv, KlarFormat};
use super::gojson::klar_json;
use super::table::render_table;
use super::whitelist::{Whitelist, klar_image_name};
use super::{EXIT_ERROR, EXIT_OK, EXIT_VULNERABLE, KlarOutcome, KlarSeverity};
use strata_report::clair::{ClairVulnerability, api};

/// Klar prints which Clair API answered; a Clair v2 server answers on API v1,
/// whose vulnerability shape this mode reproduces, so that is the line kept.
const CLAIR_API_LINE: &str = "Got results from Clair API v1\n";
/// The line after each vulnerability of the standard format.
const SEPARATOR: &str = "-----------------------------------------\n";
/// The table's columns (`tableFormat`).
const TABLE_HEADER: [&str; 7] = [
    "Severity",
    "Name",
    "FeatureName",
    "FeatureVersion",
    "FixedBy",
    "Description",
    "Link",
];

/// Klar's output for `report`. The per-image whitelist key is Klar's name of
/// `report.image.reference`; see [`render_for_image`] to use the argument as
/// the user typed it, as Klar did.
#[cfg(test)]
pub(crate) fn render(
    report: &ScanReport,
    env: &KlarEnv,
    whitelist: Option<&Whitelist>,
) -> KlarOutcome {
    render_for_image(report, env, whitelist, &report.image.reference)
}

/// [`render`], with the image argument as given on the command line (Klar
/// derives the whitelist's image name from it: `docker.io/alpine` is `alpine`
/// to Klar, while a normalised `docker.io/library/alpine` is `library/alpine`).
pub(crate) fn render_for_image(
    report: &ScanReport,
    env: &KlarEnv,
    whitelist: Option<&Whitelist>,
    image_argument: &str,
) -> KlarOutcome {
    let layer_count = report.image.layers.len();
    // Klar: `if len(image.FsLayers) == 0 { fail("Can't pull fsLayers") }`.
    if layer_count == 0 {
        return KlarOutcome {
            stdout: String::new(),
            stderr: "Can't pull fsLayers\n".to_owned(),
            exit_code: EXIT_ERROR,
        };
    }
    // The same path as a Clair server's answer: the report's features, then
    // Klar's flattening of them (so local and remote output agree).
    let config = report.image.config_digest.as_deref().unwrap_or_default();
    let names: Vec<String> = report
        .image
        .layers
        .iter()
        .map(|l| api::layer_name(config, l.digest.as_deref().unwrap_or_default()))
        .collect();
    let all = api::vulnerabilities_of(&api::features(report, &names));
    render_remote(all, layer_count, env, whitelist, image_argument)
}

/// Klar's output for the vulnerabilities a Clair server returned for an image
/// of `layer_count` layers (Klar's `main.go` after `Analyse`).
pub(crate) fn render_remote(
    all: Vec<ClairVulnerability>,
    layer_count: usize,
    env: &KlarEnv,
    whitelist: Option<&Whitelist>,
    image_argument: &str,
) -> KlarOutcome {
    let image_name = klar_image_name(image_argument);
    let kept: Vec<&ClairVulnerability> = all
        .iter()
        .filter(|v| !whitelist.is_some_and(|w| w.is_whitelisted(&v.name, &image_name)))
        .collect();
    let mut by_severity: BTreeMap<KlarSeverity, Vec<&ClairVulnerability>> = BTreeMap::new();
    for v in &kept {
        by_severity.entry(v.severity).or_default().push(v);
    }
    let shown: Vec<&ClairVulnerability> = by_severity
        .range(env.clair_output..)
        .flat_map(|(_, vs)| vs.iter().copied())
        .collect();
    let counted = shown
        .iter()
        .filter(|v| !env.ignore_unfixed || !v.fixed_by.is_empty())
        .count();

    let stdout = if env.format == KlarFormat::Json {
        let groups = by_severity
            .range(env.clair_output..)
            .map(|(severity, vs)| (severity.as_str(), vs.clone()))
            .collect();
        klar_json(layer_count, &groups)
    } else {
        let mut out = format!("Analysing {layer_count} layers\n{CLAIR_API_LINE}");
        let whitelisted = all.len().saturating_sub(kept.len());
        if whitelisted > 0 {
            out.push_str(&format!("Whitelisted {whitelisted} vulnerabilities\n"));
        }
        out.push_str(&format!("Found {} vulnerabilities\n", kept.len()));
        for (severity, vs) in &by_severity {
            out.push_str(&format!("{}: {}\n", severity.as_str(), vs.len()));
        }
        out.push('\n');
        if env.format == KlarFormat::Table {
            out.push_str(&table(&shown));
        } else {
            out.push_str(&standard(&shown));
        }
        out
    };

    let over = i64::try_from(counted).unwrap_or(i64::MAX) > env.threshold;
    KlarOutcome {
        stdout,
        stderr: String::new(),
        exit_code: if over { EXIT_VULNERABLE } else { EXIT_OK },
    }
}

/// `standardFormat`: one block per vulnerability (note the space before the
/// first newline, as Klar's format string has it).
fn standard(shown: &[&ClairVulnerability]) -> String {
    let mut out = String::new();
    for v in shown {
        out.push_str(&format!(
            "{}: [{}] \nFound in: {} [{}]\nFixed By: {}\n{}\n{}\n",
            v.name,
            v.severity.as_str(),
            v.feature_name,
            v.feature_version,
            v.fixed_by,
            v.description,
            v.link,
        ));
        out.push_str(SEPARATOR);
    }
    out
}

/// `tableFormat`: nothing when there is no row (`if len(data) > 0 { table.Render() }`).
fn table(shown: &[&ClairVulnerability]) -> String {
    if shown.is_empty() {
        return String::new();
    }
    let rows: Vec<Vec<String>> = shown
        .iter()
        .map(|v| {
            vec![
                severity_style(v.severity),
                v.name.clone(),
                v.feature_name.clone(),
                v.feature_version.clone(),
                v.fixed_by.clone(),
                v.description.clone(),
                v.link.clone(),
            ]
        })
        .collect();
    render_table(&TABLE_HEADER, &rows)
}

/// Klar's `SeverityStyle`: the severity in ANSI colours, always (no TTY check).
fn severity_style(severity: KlarSeverity) -> String {
    let code = match severity {
        KlarSeverity::Defcon1 | KlarSeverity::Critical => "1;31",
        KlarSeverity::High => "0;31",
        KlarSeverity::Medium => "0;33",
        KlarSeverity::Low | KlarSeverity::Negligible => "0;94",
        KlarSeverity::Unknown => "0;97",
    };
    format!("\x1b[{code}m{}\x1b[0m", severity.as_str())
}
