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

mod env;
mod gojson;
mod output;
pub(crate) mod remote;
mod table;
mod whitelist;

pub(crate) use env::KlarEnv;
#[cfg(test)]
pub(crate) use output::render;
pub(crate) use output::{render_for_image, render_remote};
pub(crate) use whitelist::Whitelist;

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
/// `klar.go`), lowest first; shared with the Clair v1 service.
pub(crate) use strata_report::clair::ClairSeverity as KlarSeverity;

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
