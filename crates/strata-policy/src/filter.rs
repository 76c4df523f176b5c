//! `--severity` and `--ignore-unfixed`: which findings are shown and counted
//! at all. Filtered findings are dropped, not suppressed (as in Trivy, whose
//! pipeline filters by severity and status before ignore files and VEX).

use std::collections::BTreeSet;

use strata_match::Finding;
use strata_vulndb::Severity;

use crate::PolicyError;

/// Every severity, lowest first, with the word the flags take.
const SEVERITIES: [(Severity, &str); 6] = [
    (Severity::Unknown, "unknown"),
    (Severity::Negligible, "negligible"),
    (Severity::Low, "low"),
    (Severity::Medium, "medium"),
    (Severity::High, "high"),
    (Severity::Critical, "critical"),
];

/// What the scan shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// The severities shown (`--severity`); `None` shows every severity.
    pub severities: Option<BTreeSet<Severity>>,
    /// `--ignore-unfixed`: show only findings that have a fixed version.
    pub ignore_unfixed: bool,
}

impl Filter {
    /// Whether `finding` is shown.
    pub fn shows(&self, finding: &Finding) -> bool {
        self.severities
            .as_ref()
            .is_none_or(|shown| shown.contains(&finding.severity))
            && (!self.ignore_unfixed || has_fixed_version(finding))
    }
}

/// Whether a finding counts as fixed for `--ignore-unfixed`: it names a
/// fixed version. This is Trivy's rule: `--ignore-unfixed` shows only status
/// `fixed`, and Trivy sets `fixed` exactly when the advisory has a fixed
/// version, whatever the vendor status says. So `NotFixed`, `WontFix`,
/// `EndOfLife`, `UnderInvestigation` and a `Fixed` state with no version to
/// upgrade to are all hidden: in each, upgrading cannot help today.
pub fn has_fixed_version(finding: &Finding) -> bool {
    finding
        .fixed_versions
        .iter()
        .any(|version| !version.trim().is_empty())
}

/// One severity word, case-insensitively (`high`, `HIGH`, `High`).
pub fn parse_severity(word: &str) -> Result<Severity, PolicyError> {
    lookup(word.trim()).ok_or_else(|| PolicyError::UnknownSeverity {
        word: word.trim().to_owned(),
        input: word.to_owned(),
    })
}

/// A `--severity` list: comma-separated words (`LOW,HIGH`), spaces around
/// them allowed. An unknown or empty word is an error naming it.
pub fn parse_severities(list: &str) -> Result<BTreeSet<Severity>, PolicyError> {
    list.split(',')
        .map(|word| {
            lookup(word.trim()).ok_or_else(|| PolicyError::UnknownSeverity {
                word: word.trim().to_owned(),
                input: list.to_owned(),
            })
        })
        .collect()
}

fn lookup(word: &str) -> Option<Severity> {
    SEVERITIES
        .iter()
        .find(|(_, name)| name.eq_ignore_ascii_case(word))
        .map(|(severity, _)| *severity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_parse_case_insensitively() {
        assert_eq!(
            parse_severities("LOW,high, Critical").unwrap(),
            BTreeSet::from([Severity::Low, Severity::High, Severity::Critical])
        );
        assert_eq!(
            parse_severities("unknown,NEGLIGIBLE,medium").unwrap(),
            BTreeSet::from([Severity::Unknown, Severity::Negligible, Severity::Medium])
        );
        assert_eq!(parse_severity("cRiTiCaL").unwrap(), Severity::Critical);
    }

    #[test]
    fn a_bad_word_is_named() {
        let err = parse_severities("LOW,SEVERE,HIGH").unwrap_err();
        assert!(matches!(
            &err,
            PolicyError::UnknownSeverity { word, input } if word == "SEVERE" && input == "LOW,SEVERE,HIGH"
        ));
        assert!(err.to_string().contains("`SEVERE`"), "{err}");
        // Trivy's `MODERATE` is a vendor word, not a level.
        assert!(parse_severity("moderate").is_err());
        assert!(matches!(
            parse_severities("LOW,,HIGH"),
            Err(PolicyError::UnknownSeverity { word, .. }) if word.is_empty()
        ));
    }
}
