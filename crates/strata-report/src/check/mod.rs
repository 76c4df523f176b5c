//! Renderers of a policy [`CheckResult`] (`strata image check`): a terminal
//! table ([`table`]), the `strata.check/v1` JSON, JUnit XML with a test case
//! per policy ([`junit`]) and SARIF 2.1.0 with a rule per policy ([`sarif`]).

pub mod junit;
pub mod sarif;
pub mod table;

use strata_policy::policy::CheckResult;

/// Every format a check result renders to, by its `--format` name.
pub const FORMATS: [&str; 4] = ["table", "json", "junit", "sarif"];

/// Why a check result could not be rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckRenderError {
    /// Not one of [`FORMATS`].
    #[error("unknown format {0:?} (one of: {formats})", formats = FORMATS.join(", "))]
    UnknownFormat(String),
    /// Serialising failed.
    #[error("cannot render JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Renders `result` in one of [`FORMATS`]; `color` adds ANSI colours to the
/// table, `tool_version` is Strata's version (SARIF names it).
pub fn render(
    result: &CheckResult,
    format: &str,
    color: bool,
    tool_version: &str,
) -> Result<String, CheckRenderError> {
    match format {
        "table" => Ok(table::render(result, color)),
        "json" => Ok(serde_json::to_string_pretty(result)? + "\n"),
        "junit" => Ok(junit::render(result)),
        "sarif" => Ok(serde_json::to_string_pretty(&sarif::render(result, tool_version))? + "\n"),
        other => Err(CheckRenderError::UnknownFormat(other.to_owned())),
    }
}
