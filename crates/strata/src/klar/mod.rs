//! Klar-compatible mode: `strata klar IMAGE` (or the binary invoked as `klar`)
//! scans locally and prints what Klar v2 (github.com/optiopay/klar, `master`
//! at 4c05f4d, the last release line) prints for the same findings, with Klar's
//! environment variables, whitelist file and exit rule.
//!
//! Klar itself pushes the image's layers to a Clair v2 server and prints the
//! vulnerabilities of Clair's API v1; here the findings of a Strata
//! [`ScanReport`] are shaped into Clair v1 vulnerabilities ([`clair`]) and
//! rendered by Klar's rules ([`output`]).
//!
//! What the caller does around [`render`] (Klar's `main.go`):
//! 1. [`KlarEnv::from_lookup`]; on error print [`invalid_options`] on stderr,
//!    exit [`EXIT_ERROR`];
//! 2. print [`KlarEnv::stderr_preamble`] on stderr;
//! 3. when `WHITELIST_FILE` is set, read it and [`Whitelist::parse`] it; on error
//!    print [`whitelist_failure`] on stderr, exit [`EXIT_ERROR`];
//! 4. scan, then print [`KlarOutcome::stdout`] / [`KlarOutcome::stderr`] and
//!    exit with [`KlarOutcome::exit_code`].

mod clair;
mod env;
mod gojson;
mod output;
mod table;
mod whitelist;

pub(crate) use env::KlarEnv;
#[cfg(test)]
pub(crate) use output::render;
pub(crate) use output::render_for_image;
pub(crate) use whitelist::Whitelist;

use strata_vulndb::Severity;

#[cfg(test)]
use strata_match::ScanReport;

/// Klar's exit status when the count is within `CLAIR_THRESHOLD`.
pub(crate) const EXIT_OK: i32 = 0;
/// Klar's exit status when more vulnerabilities than `CLAIR_THRESHOLD` were counted.
pub(crate) const EXIT_VULNERABLE: i32 = 1;
/// Klar's exit status for every error (bad options, unreadable whitelist, no layers…).
pub(crate) const EXIT_ERROR: i32 = 2;

/// What Klar mode prints and how it exits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KlarOutcome {
    /// Everything Klar prints on stdout.
    pub(crate) stdout: String,
    /// What Klar prints on stderr at that stage (empty unless it fails).
    pub(crate) stderr: String,
    /// 0, 1 (over the threshold) or 2 (error).
    pub(crate) exit_code: i32,
}

/// Clair's severity scale, which Klar uses as is (`priorities` in Klar's
/// `klar.go`), lowest first. `Defcon1` exists only in Clair; no Strata finding
/// has it, but `CLAIR_OUTPUT=Defcon1` is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum KlarSeverity {
    /// Clair's `Unknown`.
    Unknown,
    /// Clair's `Negligible`.
    Negligible,
    /// Clair's `Low`.
    Low,
    /// Clair's `Medium`.
    Medium,
    /// Clair's `High`.
    High,
    /// Clair's `Critical`.
    Critical,
    /// Clair's `Defcon1`.
    Defcon1,
}

impl KlarSeverity {
    /// Every level, lowest first (Klar's `priorities` order).
    pub(crate) const ALL: [KlarSeverity; 7] = [
        KlarSeverity::Unknown,
        KlarSeverity::Negligible,
        KlarSeverity::Low,
        KlarSeverity::Medium,
        KlarSeverity::High,
        KlarSeverity::Critical,
        KlarSeverity::Defcon1,
    ];

    /// Clair's word for the level.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            KlarSeverity::Unknown => "Unknown",
            KlarSeverity::Negligible => "Negligible",
            KlarSeverity::Low => "Low",
            KlarSeverity::Medium => "Medium",
            KlarSeverity::High => "High",
            KlarSeverity::Critical => "Critical",
            KlarSeverity::Defcon1 => "Defcon1",
        }
    }
}

impl From<Severity> for KlarSeverity {
    /// Strata's levels are Clair's, minus `Defcon1`.
    fn from(severity: Severity) -> Self {
        match severity {
            Severity::Unknown => KlarSeverity::Unknown,
            Severity::Negligible => KlarSeverity::Negligible,
            Severity::Low => KlarSeverity::Low,
            Severity::Medium => KlarSeverity::Medium,
            Severity::High => KlarSeverity::High,
            Severity::Critical => KlarSeverity::Critical,
        }
    }
}

/// Klar's stderr line for an options error (`fail("Invalid options: %s", err)`;
/// Klar's messages end in `\n` and `fail` adds another, hence the blank line).
pub(crate) fn invalid_options(error: &str) -> String {
    format!("Invalid options: {error}\n\n")
}

/// Klar's stderr line when the whitelist file cannot be read or parsed.
pub(crate) fn whitelist_failure(error: &str) -> String {
    format!("Could not parse whitelist file: {error}\n")
}

#[cfg(test)]
mod tests;

/// Renders with an environment read from `pairs` (tests).
#[cfg(test)]
fn render_with(
    report: &ScanReport,
    pairs: &[(&str, &str)],
    whitelist: Option<&Whitelist>,
) -> KlarOutcome {
    let env = KlarEnv::from_lookup(|key| {
        pairs
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| (*v).to_owned())
    });
    match env {
        Ok(env) => render(report, &env, whitelist),
        Err(e) => KlarOutcome {
            stdout: String::new(),
            stderr: invalid_options(&e),
            exit_code: EXIT_ERROR,
        },
    }
}
