//! Clair v2's API v1, as Klar 2.x consumes it, shared by Strata's Klar mode (the
//! CLI) and the Clair v1 service (`strata server --clair-v1-listen`):
//!
//! * [`ClairVulnerability`]: one vulnerability of one feature, the way Klar holds
//!   it (Clair's `Vulnerability` plus the feature's name and version);
//! * [`api`]: the JSON documents of `/v1/layers` and `/v1/namespaces`
//!   (Clair v2.1 `api/v1/models.go`), the features of a scan report, and Klar's
//!   flattening of a layer's features into its vulnerability list.
//!
//! Both the local Klar mode and the remote one go through the same
//! [`api::features`] → [`api::vulnerabilities_of`] path, so a Strata server and
//! a local scan print the same thing for the same image and database.

pub mod api;
mod vulnerability;

pub use vulnerability::{ClairVulnerability, NvdMetadata, clair_namespace, feature_name};

use strata_vulndb::Severity;

/// Clair's severity scale (`database/severity.go`), lowest first; Klar uses it
/// as is (`priorities` in its `klar.go`). `Defcon1` exists only in Clair; no
/// Strata finding has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ClairSeverity {
    /// `Unknown`.
    Unknown,
    /// `Negligible`.
    Negligible,
    /// `Low`.
    Low,
    /// `Medium`.
    Medium,
    /// `High`.
    High,
    /// `Critical`.
    Critical,
    /// `Defcon1`.
    Defcon1,
}

impl ClairSeverity {
    /// Every level, lowest first (Klar's `priorities` order).
    pub const ALL: [ClairSeverity; 7] = [
        ClairSeverity::Unknown,
        ClairSeverity::Negligible,
        ClairSeverity::Low,
        ClairSeverity::Medium,
        ClairSeverity::High,
        ClairSeverity::Critical,
        ClairSeverity::Defcon1,
    ];

    /// Clair's word for the level.
    pub fn as_str(self) -> &'static str {
        match self {
            ClairSeverity::Unknown => "Unknown",
            ClairSeverity::Negligible => "Negligible",
            ClairSeverity::Low => "Low",
            ClairSeverity::Medium => "Medium",
            ClairSeverity::High => "High",
            ClairSeverity::Critical => "Critical",
            ClairSeverity::Defcon1 => "Defcon1",
        }
    }

    /// The level Clair's word names (exactly as Clair writes it).
    pub fn from_word(word: &str) -> Option<ClairSeverity> {
        ClairSeverity::ALL.into_iter().find(|s| s.as_str() == word)
    }
}

impl From<Severity> for ClairSeverity {
    /// Strata's levels are Clair's, minus `Defcon1`.
    fn from(severity: Severity) -> Self {
        match severity {
            Severity::Unknown => ClairSeverity::Unknown,
            Severity::Negligible => ClairSeverity::Negligible,
            Severity::Low => ClairSeverity::Low,
            Severity::Medium => ClairSeverity::Medium,
            Severity::High => ClairSeverity::High,
            Severity::Critical => ClairSeverity::Critical,
        }
    }
}
