//! The CI gate: `--fail-on SEVERITY` and `--exit-code N`, with Trivy's
//! meaning of `--exit-code` (the code to exit with when there are findings).
//!
//! * no flag: never fails;
//! * `--exit-code N` alone: fails with N when any finding is shown;
//! * `--fail-on S` alone: fails with 1 when a shown finding is S or worse;
//! * both: `--fail-on` decides, N is the code;
//! * N = 0 never fails; N = 2 is refused, because 2 means "error".
//!
//! Only shown findings count: suppressed and filtered ones never fail a
//! build.

use std::fmt;

use strata_match::Finding;
use strata_vulndb::Severity;

use crate::PolicyError;

/// The exit code of a failed gate when `--exit-code` is not given.
pub const DEFAULT_FAIL_CODE: i32 = 1;

/// The exit code that means "error" (and is therefore refused for a gate).
pub const ERROR_CODE: i32 = 2;

/// How many findings the reason names before `…`.
const NAMED_IN_REASON: usize = 3;

/// The gate's settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Gate {
    fail_on: Option<Severity>,
    exit_code: Option<i32>,
}

/// Passed or failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateStatus {
    /// The build goes on.
    Passed,
    /// The build stops.
    Failed,
}

/// What the gate decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateOutcome {
    /// Passed or failed.
    pub status: GateStatus,
    /// The process exit code: 0 when passed.
    pub exit_code: i32,
    /// One line saying why, naming the worst findings when it failed
    /// (`gate failed: 3 findings at or above High (CVE-… in glibc 2.36-9, …)`).
    pub reason: String,
    /// How many shown findings tripped it (0 when passed).
    pub failing: usize,
}

impl GateOutcome {
    /// Whether the gate passed.
    pub fn passed(&self) -> bool {
        self.status == GateStatus::Passed
    }
}

impl fmt::Display for GateOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl Gate {
    /// From `--fail-on` and `--exit-code`. The code must be 0–255 and not
    /// [`ERROR_CODE`].
    pub fn new(fail_on: Option<Severity>, exit_code: Option<i64>) -> Result<Gate, PolicyError> {
        let exit_code = exit_code
            .map(|code| {
                if code == i64::from(ERROR_CODE) {
                    return Err(PolicyError::BadExitCode {
                        code,
                        reason: "2 is the exit code for errors; choose another",
                    });
                }
                i32::try_from(code)
                    .ok()
                    .filter(|c| (0..=255).contains(c))
                    .ok_or(PolicyError::BadExitCode {
                        code,
                        reason: "exit codes are 0 to 255",
                    })
            })
            .transpose()?;
        Ok(Gate { fail_on, exit_code })
    }

    /// The severity that fails the build, if set.
    pub fn fail_on(&self) -> Option<Severity> {
        self.fail_on
    }

    /// The `--exit-code`, if set.
    pub fn exit_code(&self) -> Option<i32> {
        self.exit_code
    }

    /// Decides on the shown findings of a report (`report.findings`).
    pub fn evaluate(&self, findings: &[Finding]) -> GateOutcome {
        let passed = |reason: String| GateOutcome {
            status: GateStatus::Passed,
            exit_code: 0,
            reason,
            failing: 0,
        };
        let code = self.exit_code.unwrap_or(DEFAULT_FAIL_CODE);
        if self.fail_on.is_none() && self.exit_code.is_none() {
            return passed("gate not set (no --fail-on or --exit-code): never fails".to_owned());
        }
        if code == 0 {
            return passed("gate off: --exit-code 0 never fails".to_owned());
        }
        let mut failing: Vec<&Finding> = findings
            .iter()
            .filter(|f| self.fail_on.is_none_or(|threshold| f.severity >= threshold))
            .collect();
        let scope = match self.fail_on {
            Some(threshold) => format!(" at or above {threshold:?}"),
            None => String::new(),
        };
        if failing.is_empty() {
            return passed(format!("gate passed: no findings{scope}"));
        }
        // Worst first; ties in id order so the reason is stable.
        failing.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.id.cmp(&b.id)));
        let mut named: Vec<String> = failing
            .iter()
            .take(NAMED_IN_REASON)
            .map(|f| {
                // Without a threshold the severity is news; with one, implied.
                let severity = if self.fail_on.is_none() {
                    format!(" ({:?})", f.severity)
                } else {
                    String::new()
                };
                format!(
                    "{}{severity} in {} {}",
                    f.id, f.package.name, f.package.version
                )
            })
            .collect();
        if failing.len() > NAMED_IN_REASON {
            named.push("…".to_owned());
        }
        let count = failing.len();
        let noun = if count == 1 { "finding" } else { "findings" };
        GateOutcome {
            status: GateStatus::Failed,
            exit_code: code,
            reason: format!("gate failed: {count} {noun}{scope} ({})", named.join(", ")),
            failing: count,
        }
    }
}
