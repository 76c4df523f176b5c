//! The scan's filters, suppressions and gate (`strata-policy`), from the flags.

use strata_match::{Finding, ScanReport};
use strata_policy::{Filter, Gate, GateOutcome, IgnoreFile, VexDocument};

use crate::cli::ScanArgs;
use crate::failure::Failure;

/// What the gate decided, and what it fails on (for JUnit).
pub(crate) struct Outcome {
    pub(crate) exit_code: u8,
    /// The gate's one-line verdict, when a gate was set.
    pub(crate) reason: Option<String>,
    gate: Gate,
}

impl Outcome {
    /// Whether this finding alone would fail the gate.
    pub(crate) fn fails(&self, finding: &Finding) -> bool {
        match (self.gate.fail_on(), self.gate.exit_code()) {
            (Some(threshold), code) => code != Some(0) && finding.severity >= threshold,
            (None, Some(code)) => code != 0,
            (None, None) => false,
        }
    }
}

/// Applies `--severity`, `--ignore-unfixed`, the ignore file and `--vex` to the
/// report, then the gate.
pub(crate) fn apply(report: &mut ScanReport, args: &ScanArgs) -> Result<Outcome, Failure> {
    let gate = gate(args)?;
    let filter = Filter {
        severities: if args.severity.is_empty() {
            None
        } else {
            Some(strata_policy::parse_severities(&args.severity.join(","))?)
        },
        ignore_unfixed: args.ignore_unfixed,
    };
    suppress(
        report,
        &filter,
        args.ignore_file.as_deref(),
        &args.vex,
        args.quiet,
    )?;
    let verdict: GateOutcome = gate.evaluate(&report.findings);
    let set = gate.fail_on().is_some() || gate.exit_code().is_some();
    Ok(Outcome {
        exit_code: u8::try_from(verdict.exit_code).unwrap_or(1),
        reason: set.then_some(verdict.reason),
        gate,
    })
}

/// Applies the filter, the ignore file (`.strataignore` when none is given)
/// and the VEX documents to the report, warning about expired entries.
pub(crate) fn suppress(
    report: &mut ScanReport,
    filter: &Filter,
    ignore_file: Option<&std::path::Path>,
    vex: &[std::path::PathBuf],
    quiet: bool,
) -> Result<(), Failure> {
    let ignore_files = match ignore_file {
        Some(path) => vec![IgnoreFile::load(path)?],
        None => IgnoreFile::load_default(std::path::Path::new("."))?
            .into_iter()
            .collect(),
    };
    let vex = vex
        .iter()
        .map(|path| VexDocument::load(path))
        .collect::<Result<Vec<_>, _>>()?;
    let warnings = strata_policy::apply(
        report,
        filter,
        &ignore_files,
        &vex,
        strata_policy::Date::today_utc(),
    );
    if !quiet {
        for warning in warnings {
            eprintln!("warning: {warning}");
        }
    }
    Ok(())
}

/// `--fail-on` and `--exit-code`, checked before anything is scanned.
pub(crate) fn gate(args: &ScanArgs) -> Result<Gate, Failure> {
    let fail_on = args
        .fail_on
        .as_deref()
        .map(strata_policy::parse_severity)
        .transpose()?;
    Gate::new(fail_on, args.exit_code.map(i64::from))
        .map_err(|e| Failure::from(e).hint("--exit-code takes 0 (never fail), 1, or 3 to 255"))
}
