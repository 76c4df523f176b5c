//! SBOM documents from an image's inventory: CycloneDX 1.6 JSON
//! ([`cyclonedx::sbom`]) and SPDX 2.3 JSON ([`spdx::document`]). Both are
//! reproducible: the same inventory gives the same serial number / namespace and
//! identifiers; only the timestamp changes.
//!
//! Scan reports ([`strata_match::ScanReport`]) as SARIF, Trivy JSON, JUnit XML
//! and a terminal table ([`scan`]), and as CycloneDX with vulnerabilities
//! ([`cyclonedx::scan_bom`]); and as Clair v2's API v1 documents, which Klar
//! reads ([`clair`]).
//!
//! Policy check results (`strata image check`) as a table, JSON, JUnit XML
//! and SARIF ([`check`]).

pub mod check;
pub mod clair;
pub mod cyclonedx;
mod ids;
pub mod scan;
pub mod spdx;

pub use ids::now_rfc3339;
