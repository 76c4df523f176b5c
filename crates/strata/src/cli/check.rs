//! Arguments of `strata image check` and `strata policy …`.

use std::path::PathBuf;

use super::{ImageOptions, InspectFormat, OutputArgs};

pub(crate) const CHECK_ABOUT: &str = "\
Scan an image and evaluate policies on it: the CI gate. Each policy (a name, criteria on the
findings or on the image — severity, CVSS, fix availability, KEV, EPSS, CVE ids, packages,
OS, image age, root user, labels, layer count, unscanned components —, an enforcement, and
remediation text) is reported passed, violated, excluded or out of scope, with the findings
or facts that violate it and what to do.

Policies: --policy FILE or DIR (YAML or JSON, repeatable); without one, Strata's default set
(`strata policy list`). --categories keeps only the policies of those categories.

Exit status: 0 when no `fail` policy is violated (violated `warn` policies only warn), 1 when
one is (stderr names it), 2 on any error (an invalid policy file: FILE:LINE: FIELD: why).

Formats: table, json (strata.check/v1), junit (a test case per policy), sarif (a rule per
policy, a result per violation); several at once with -f FORMAT=FILE.";

/// Arguments of `strata image check`.
#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
    /// The image (reference, archive, directory, or sbom:PATH).
    pub(crate) image: String,

    /// Policy file or directory of them (repeatable; default: the built-in policies).
    #[arg(long, value_name = "FILE|DIR")]
    pub(crate) policy: Vec<PathBuf>,

    /// Evaluate only the policies of these categories (comma-separated, case-insensitive).
    #[arg(long, value_name = "CATEGORIES", value_delimiter = ',')]
    pub(crate) categories: Vec<String>,

    #[command(flatten)]
    pub(crate) image_options: ImageOptions,

    #[command(flatten)]
    pub(crate) output: OutputArgs,

    /// Ignore file (default: .strataignore when present): suppressed findings violate no policy.
    #[arg(long, value_name = "FILE")]
    pub(crate) ignore_file: Option<PathBuf>,

    /// VEX document (OpenVEX, CycloneDX VEX or CSAF VEX) whose not_affected / fixed
    /// statements suppress findings (repeatable).
    #[arg(long, value_name = "FILE")]
    pub(crate) vex: Vec<PathBuf>,

    /// Print nothing on stderr but errors and the reason a check failed.
    #[arg(short, long)]
    pub(crate) quiet: bool,

    #[command(flatten)]
    pub(crate) source: super::SourceArgs,
}

/// `strata policy …`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum PolicyCommand {
    /// List the policies (default: the built-in set): name, enforcement, severity, categories.
    List(PolicyListArgs),
    /// Print one policy as YAML (a start for your own).
    Show(PolicyShowArgs),
    /// Check policy files: exit 0 when all are valid, 2 with FILE:LINE: FIELD: why.
    Validate(PolicyValidateArgs),
}

/// Arguments of `strata policy list`.
#[derive(Debug, clap::Args)]
pub(crate) struct PolicyListArgs {
    /// Policy file or directory (repeatable; default: the built-in policies).
    #[arg(long, value_name = "FILE|DIR")]
    pub(crate) policy: Vec<PathBuf>,

    /// Output format (json: the policy file).
    #[arg(short, long, value_enum, default_value_t = InspectFormat::Table)]
    pub(crate) format: InspectFormat,
}

/// Arguments of `strata policy show`.
#[derive(Debug, clap::Args)]
pub(crate) struct PolicyShowArgs {
    /// The policy's name (case-insensitive).
    pub(crate) name: String,

    /// Policy file or directory (repeatable; default: the built-in policies).
    #[arg(long, value_name = "FILE|DIR")]
    pub(crate) policy: Vec<PathBuf>,
}

/// Arguments of `strata policy validate`.
#[derive(Debug, clap::Args)]
pub(crate) struct PolicyValidateArgs {
    /// Policy files or directories.
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
}
