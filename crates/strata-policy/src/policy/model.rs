//! What a policy file holds, as users write it (YAML; JSON is YAML too).
//! Every struct refuses unknown fields: a misspelt criterion must be an
//! error, never a policy that silently checks less than its author meant.
//! Values are checked while they are read (patterns compile, scores are in
//! range, a policy has a criterion), so every error carries the line and
//! field path of the value that is wrong.

use std::collections::BTreeSet;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use strata_vulndb::Severity;

use crate::date::Date;
use crate::glob::Glob;

/// A policy file: named policies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    /// The policies, in file order; names are unique.
    #[serde(deserialize_with = "unique_names")]
    pub policies: Vec<Policy>,
}

/// One policy: what it checks, how bad a violation is, and what to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Its name, unique in a policy set (`Fixable Critical`).
    pub name: String,
    /// What it checks, in a sentence.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Why the organisation cares.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub rationale: String,
    /// What to do about a violation (shown with every violation).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub remediation: String,
    /// How bad a violation is.
    #[serde(
        serialize_with = "severity_word",
        deserialize_with = "severity_from_word"
    )]
    pub severity: Severity,
    /// Free-form groups (`Vulnerability Management`), for `--categories`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Whether a violation fails the build or only warns.
    #[serde(default)]
    pub enforcement: Enforcement,
    /// The images it applies to (any of these; none: every image).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scope: Vec<ScopePattern>,
    /// Images it does not apply to, each with a reason and an optional expiry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclusions: Vec<Exclusion>,
    /// What makes a violation: every criterion given must hold (AND).
    #[serde(deserialize_with = "non_empty_criteria")]
    pub criteria: Criteria,
}

/// `warn` or `fail`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Enforcement {
    /// A violation is reported; the build goes on.
    #[default]
    Warn,
    /// A violation fails the build (exit 1).
    Fail,
}

/// Images a policy applies to: every pattern given must match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopePattern {
    /// The registry (`registry.example.com`, `*.example.com`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<Pattern>,
    /// The repository (`shop/**`, `library/debian`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<Pattern>,
    /// The tag (`release-*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<Pattern>,
}

/// Images a policy does not apply to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    /// The image, as `REGISTRY/REPOSITORY[:TAG]` (`registry.example.com/shop/**`).
    pub image: Pattern,
    /// Why (shown in the check result).
    pub reason: String,
    /// The day it stops applying (it excludes through the day before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Date>,
}

/// The criteria of a policy, all optional; those given are ANDed.
///
/// Finding criteria (`severity_at_least` … `packages`) select findings: the
/// policy is violated by each finding that meets all of them. Image
/// criteria (`os` … `unscanned_components`) are facts of the image: with
/// finding criteria they are preconditions; alone, the facts themselves are
/// the violations.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criteria {
    /// The finding's severity is at least this.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "optional_severity_word",
        deserialize_with = "optional_severity_from_word"
    )]
    pub severity_at_least: Option<Severity>,
    /// Its highest CVSS base score is at least this (0–10).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "cvss_score"
    )]
    pub cvss_at_least: Option<f64>,
    /// It has (`true`) or has not (`false`) a fixed version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixable: Option<bool>,
    /// A fix has been available for at least this many days (see
    /// [`crate::policy`] for how the fix date is taken).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_since_fix_at_least: Option<u32>,
    /// The advisory was published at least this many days ago.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_since_published_at_least: Option<u32>,
    /// Its EPSS probability is at least this (0–1).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "probability"
    )]
    pub epss_at_least: Option<f64>,
    /// It is (`true`) or is not (`false`) in CISA's KEV catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_kev: Option<bool>,
    /// Its id or one of its aliases is one of these (`CVE-2021-44228`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cves: Vec<String>,
    /// Its package matches one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<PackagePattern>,
    /// The image's OS is one of these (`alpine`, `debian:11`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub os: Vec<String>,
    /// The image was created at least this many days ago.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_age_days_at_least: Option<u32>,
    /// The image runs (`true`) or does not run (`false`) as root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs_as_root: Option<bool>,
    /// Labels the image must have (`KEY` or `KEY=VALUE`): a missing one holds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_labels: Vec<String>,
    /// Labels the image must not have (`KEY` or `KEY=VALUE`): a present one holds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disallowed_labels: Vec<String>,
    /// The image has more layers than this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer_count_above: Option<u32>,
    /// Some of the image's components were (`true`) or were not (`false`)
    /// checked for vulnerabilities: an OS without data, packages whose
    /// versions could not be compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unscanned_components: Option<bool>,
}

impl Criteria {
    /// Whether any criterion selects findings (rather than image facts).
    pub fn selects_findings(&self) -> bool {
        self.severity_at_least.is_some()
            || self.cvss_at_least.is_some()
            || self.fixable.is_some()
            || self.days_since_fix_at_least.is_some()
            || self.days_since_published_at_least.is_some()
            || self.epss_at_least.is_some()
            || self.in_kev.is_some()
            || !self.cves.is_empty()
            || !self.packages.is_empty()
    }

    /// Whether any criterion is a fact of the image.
    pub fn checks_image(&self) -> bool {
        !self.os.is_empty()
            || self.image_age_days_at_least.is_some()
            || self.runs_as_root.is_some()
            || !self.required_labels.is_empty()
            || !self.disallowed_labels.is_empty()
            || self.layer_count_above.is_some()
            || self.unscanned_components.is_some()
    }
}

/// A package pattern: a name glob and, optionally, its ecosystem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackagePattern {
    /// The package (or source package) name: `org.apache.logging.log4j:log4j-core`,
    /// `openssl*`.
    pub name: Pattern,
    /// The OSV ecosystem (`Maven`, `Debian`, `PyPI`), case-insensitive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecosystem: Option<String>,
}

/// A glob as written (`*`, `?`, `[a-z]`, `{a,b}`, `**` across `/`), compiled
/// when read so a bad one is an error at its line.
#[derive(Clone)]
pub struct Pattern {
    text: String,
    glob: Glob,
}

impl Pattern {
    /// Compiles `text`.
    pub fn new(text: &str) -> Result<Pattern, String> {
        Ok(Pattern {
            text: text.to_owned(),
            glob: Glob::new(text)?,
        })
    }

    /// As written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `value` matches.
    pub fn is_match(&self, value: &str) -> bool {
        self.glob.is_match(value)
    }
}

impl std::fmt::Debug for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pattern({:?})", self.text)
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.text == other.text
    }
}

impl Serialize for Pattern {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Pattern, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text.trim().is_empty() {
            return Err(serde::de::Error::custom("empty pattern"));
        }
        Pattern::new(&text).map_err(serde::de::Error::custom)
    }
}

fn severity_from_word<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Severity, D::Error> {
    let word = String::deserialize(deserializer)?;
    crate::parse_severity(&word).map_err(|_| {
        serde::de::Error::custom(format!(
            "unknown severity `{word}` (expected Unknown, Negligible, Low, Medium, High or Critical)"
        ))
    })
}

fn optional_severity_from_word<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Severity>, D::Error> {
    severity_from_word(deserializer).map(Some)
}

// serde's `serialize_with` hands a reference to the field.
#[allow(clippy::trivially_copy_pass_by_ref)]
fn severity_word<S: Serializer>(severity: &Severity, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&format_args!("{severity:?}"))
}

#[allow(clippy::ref_option)]
fn optional_severity_word<S: Serializer>(
    severity: &Option<Severity>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match severity {
        Some(severity) => severity_word(severity, serializer),
        None => serializer.serialize_none(),
    }
}

fn number_in<'de, D: Deserializer<'de>>(
    deserializer: D,
    low: f64,
    high: f64,
    what: &str,
) -> Result<Option<f64>, D::Error> {
    let value = f64::deserialize(deserializer)?;
    if !(low..=high).contains(&value) {
        return Err(serde::de::Error::custom(format!(
            "{what} {value} is outside {low}–{high}"
        )));
    }
    Ok(Some(value))
}

fn cvss_score<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    number_in(deserializer, 0.0, 10.0, "a CVSS score of")
}

fn probability<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    number_in(deserializer, 0.0, 1.0, "an EPSS probability of")
}

fn non_empty_criteria<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Criteria, D::Error> {
    let criteria = Criteria::deserialize(deserializer)?;
    if !criteria.selects_findings() && !criteria.checks_image() {
        return Err(serde::de::Error::custom(
            "no criterion: a policy without one would match everything",
        ));
    }
    for label in criteria
        .required_labels
        .iter()
        .chain(&criteria.disallowed_labels)
    {
        if label
            .split('=')
            .next()
            .is_none_or(|key| key.trim().is_empty())
        {
            return Err(serde::de::Error::custom(format!(
                "label `{label}` has no key (write KEY or KEY=VALUE)"
            )));
        }
    }
    Ok(criteria)
}

fn unique_names<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Policy>, D::Error> {
    let policies = Vec::<Policy>::deserialize(deserializer)?;
    let mut seen = BTreeSet::new();
    for policy in &policies {
        if policy.name.trim().is_empty() {
            return Err(serde::de::Error::custom("a policy has an empty name"));
        }
        if !seen.insert(policy.name.to_lowercase()) {
            return Err(serde::de::Error::custom(format!(
                "two policies are named `{}`",
                policy.name
            )));
        }
    }
    Ok(policies)
}
