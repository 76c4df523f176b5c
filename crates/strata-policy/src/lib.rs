//! What a scan shows and whether it fails the build.
//!
//! * [`Filter`]: `--severity` and `--ignore-unfixed` drop findings;
//! * [`IgnoreFile`]: `.strataignore` / `--ignore-file`, in `.trivyignore`
//!   line form or `.trivyignore.yaml` form, suppresses findings;
//! * [`VexDocument`]: `--vex` (OpenVEX, CycloneDX, CSAF 2.0) suppresses
//!   findings its `not_affected` and `fixed` statements cover;
//! * [`apply`]: all of the above on a [`strata_match::ScanReport`];
//! * [`Gate`]: `--fail-on` / `--exit-code`, the CI verdict;
//! * [`policy`]: policy files and `strata image check`'s evaluation.
//!
//! Everything read here is untrusted input: files are size-limited, errors
//! name the file (and line) and what is wrong, nothing panics.

mod apply;
mod date;
mod error;
mod filter;
mod gate;
mod glob;
mod ignore;
pub mod policy;
mod purl;
mod read;
mod vex;

pub use apply::{SUPPRESSED_BY_IGNORE_FILE, SUPPRESSED_BY_VEX, Warning, apply};
pub use date::Date;
pub use error::PolicyError;
pub use filter::{Filter, has_fixed_version, parse_severities, parse_severity};
pub use gate::{DEFAULT_FAIL_CODE, ERROR_CODE, Gate, GateOutcome, GateStatus};
pub use ignore::{DEFAULT_IGNORE_FILE, IgnoreEntry, IgnoreFile};
pub use read::MAX_FILE_BYTES;
pub use vex::{VexDocument, VexFormat, VexStatus};
