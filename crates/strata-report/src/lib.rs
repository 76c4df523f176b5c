//! SBOM documents from an image's inventory: CycloneDX 1.6 JSON
//! ([`cyclonedx::sbom`]) and SPDX 2.3 JSON ([`spdx::document`]). Both are
//! reproducible: the same inventory gives the same serial number / namespace and
//! identifiers; only the timestamp changes.

pub mod cyclonedx;
mod ids;
pub mod spdx;

pub use ids::now_rfc3339;
