//! Policies: named rules an image must meet, evaluated on a scan report —
//! `strata image check` and the server's `POST /api/v1/checks`.
//!
//! * [`PolicySet`]: policy files (YAML or JSON; see [`PolicyFile`]), or the
//!   built-in default set ([`DEFAULT_POLICIES`]);
//! * [`ImageFacts`]: what a report says of the image besides its findings;
//! * [`evaluate`]: every policy on a report, giving a [`CheckResult`]
//!   (`strata.check/v1`) whose [`CheckResult::exit_code`] gates the build.
//!
//! Rules where the data is thin:
//! * **days since fix**: no feed dates its fixed versions, so the advisory's
//!   publication date stands for the fix date (OSV and GHSA advisories are
//!   published with their fixed version; distro trackers' entries predate
//!   the fix, which only makes the count larger). A finding without a fixed
//!   version, or without a publication date, never meets the criterion.
//! * **image age**: counted from the config's `created`; an image without
//!   one has no age and never meets the criterion.
//! * **cvss**: the highest base score any source gives the finding.
//! * Suppressed findings (ignore files, VEX) never violate a policy.

mod criteria;
mod evaluate;
mod facts;
mod load;
mod model;
mod result;

pub use evaluate::evaluate;
pub use facts::ImageFacts;
pub use load::{DEFAULT_POLICIES, DEFAULT_SOURCE, MAX_POLICY_FILE_BYTES, PolicySet};
pub use model::{
    Criteria, Enforcement, Exclusion, PackagePattern, Pattern, Policy, PolicyFile, ScopePattern,
};
pub use result::{
    CHECK_SCHEMA, CheckResult, CheckSummary, CheckedImage, ExclusionNote, PolicyResult,
    PolicyStatus, ViolatingFinding, Violation,
};
