//! VEX documents (`--vex FILE`): OpenVEX, CycloneDX VEX (JSON) and CSAF 2.0
//! VEX, detected by content and read into one model of statements.
//!
//! A statement decides a finding when one of its vulnerability ids is the
//! finding's id or one of its aliases (ASCII case-insensitive) and one of
//! its products covers the finding's package:
//!
//! * a product **without subcomponents** covers the package when one of its
//!   identifiers is a purl covering the package's purl (see [`crate::purl`]),
//!   or names the scanned image (then it covers every package in the image);
//! * a product **with subcomponents** covers the package when the product
//!   names the scanned image and a subcomponent covers the package. Strata
//!   does not record which package contains which, so a package-with-
//!   subcomponents product (and CSAF relationships to anything but the
//!   image) cover nothing; unlike `go-vex`, such a product does not cover
//!   itself either.
//!
//! When several statements of one document decide a finding, the latest
//! wins (OpenVEX: statement timestamp, inherited from the document,
//! then document order), as in Trivy. `not_affected` and `fixed` suppress;
//! `affected` and `under_investigation` leave the finding shown. Documents
//! are consulted in `--vex` order; the first that suppresses gives the reason.

mod csaf;
mod cyclonedx;
pub(crate) mod image;
mod openvex;

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::IgnoredAny;
use strata_match::Finding;

use crate::PolicyError;
use crate::purl::Purl;
use crate::read::read_limited;
use image::ImageIdentity;

/// A VEX format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VexFormat {
    /// OpenVEX 0.2.0 (and the 0.0.1 shorthand), bare or as an in-toto
    /// statement's predicate.
    OpenVex,
    /// CycloneDX (1.4–1.6) JSON with `vulnerabilities[].analysis`.
    CycloneDx,
    /// CSAF 2.0 (`csaf_vex` profile or any document with product status).
    Csaf,
}

impl fmt::Display for VexFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VexFormat::OpenVex => "OpenVEX",
            VexFormat::CycloneDx => "CycloneDX VEX",
            VexFormat::Csaf => "CSAF VEX",
        })
    }
}

/// What a statement says of its products, normalised across formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VexStatus {
    /// OpenVEX `not_affected`; CycloneDX `not_affected`, `false_positive`;
    /// CSAF `known_not_affected`. Suppresses.
    NotAffected,
    /// OpenVEX `fixed`; CycloneDX `resolved`, `resolved_with_pedigree`; CSAF
    /// `fixed`, `first_fixed`. Suppresses.
    Fixed,
    /// OpenVEX `affected`; CycloneDX `exploitable`; CSAF `known_affected`,
    /// `first_affected`, `last_affected`. Shown.
    Affected,
    /// OpenVEX `under_investigation`; CycloneDX `in_triage`; CSAF
    /// `under_investigation`. Shown.
    UnderInvestigation,
}

impl VexStatus {
    /// Whether the status hides the finding.
    pub fn suppresses(self) -> bool {
        matches!(self, VexStatus::NotAffected | VexStatus::Fixed)
    }
}

/// A loaded VEX document.
#[derive(Debug, Clone)]
pub struct VexDocument {
    path: PathBuf,
    format: VexFormat,
    statements: Vec<Statement>,
    /// Lowercased vulnerability id → indexes into `statements`, so a finding
    /// is checked only against statements about it (distribution CSAF
    /// documents run to thousands of products).
    by_id: HashMap<String, Vec<usize>>,
    notes: Vec<String>,
}

/// The form ids are compared in.
fn id_key(id: &str) -> String {
    id.trim().to_ascii_lowercase()
}

/// One statement: vulnerability ids, products, status.
#[derive(Debug, Clone)]
pub(crate) struct Statement {
    /// The vulnerability's name and aliases.
    pub(crate) ids: Vec<String>,
    pub(crate) products: Vec<Product>,
    pub(crate) status: VexStatus,
    /// The status as the document writes it (`false_positive`).
    pub(crate) label: String,
    pub(crate) justification: Option<String>,
    pub(crate) detail: Option<String>,
    /// Nanoseconds since the epoch, for "the latest statement wins".
    pub(crate) timestamp: Option<i128>,
}

/// A product a statement is about.
#[derive(Debug, Clone, Default)]
pub(crate) struct Product {
    pub(crate) ids: Vec<Identifier>,
    /// Each subcomponent's identifiers.
    pub(crate) subcomponents: Vec<Vec<Identifier>>,
    /// Installed versions the statement is limited to (CycloneDX
    /// `affects[].versions[].version`); empty is every version.
    pub(crate) versions: Vec<String>,
}

/// How a product or subcomponent is named.
#[derive(Debug, Clone)]
pub(crate) enum Identifier {
    Purl(Purl),
    /// An IRI, CPE, hash or bom-ref that is not a purl: compared exactly.
    Text(String),
}

impl Identifier {
    /// A purl when `text` is one, otherwise exact text. A `pkg:` string that
    /// does not parse is kept as text and reported in `notes`.
    pub(crate) fn from_text(text: &str, notes: &mut Vec<String>) -> Identifier {
        let text = text.trim();
        if text.starts_with("pkg:") {
            match Purl::parse(text) {
                Ok(purl) => return Identifier::Purl(purl),
                Err(e) => notes.push(e),
            }
        }
        Identifier::Text(text.to_owned())
    }

    fn names_package(&self, target: &Target<'_>) -> bool {
        match self {
            Identifier::Purl(pattern) => target.purl.is_some_and(|purl| pattern.matches(purl)),
            Identifier::Text(text) => {
                !text.is_empty() && *text == target.finding.package.purl.trim()
            }
        }
    }

    fn names_image(&self, image: &ImageIdentity) -> bool {
        match self {
            Identifier::Purl(pattern) => image.matches_purl(pattern),
            Identifier::Text(text) => image.has_text(text),
        }
    }
}

/// A finding as statements see it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'a> {
    pub(crate) finding: &'a Finding,
    /// The package's purl, when it parses.
    pub(crate) purl: Option<&'a Purl>,
    pub(crate) image: &'a ImageIdentity,
}

impl Product {
    fn covers(&self, target: &Target<'_>) -> bool {
        if !self.versions.is_empty() && !self.versions.contains(&target.finding.package.version) {
            return false;
        }
        if self.subcomponents.is_empty() {
            self.ids
                .iter()
                .any(|id| id.names_package(target) || id.names_image(target.image))
        } else {
            self.ids.iter().any(|id| id.names_image(target.image))
                && self
                    .subcomponents
                    .iter()
                    .any(|ids| ids.iter().any(|id| id.names_package(target)))
        }
    }
}

impl Statement {
    fn decides(&self, target: &Target<'_>) -> bool {
        // The id was matched through the index.
        self.products.iter().any(|p| p.covers(target))
    }

    /// `not_affected (vulnerable_code_not_present): <impact statement>`.
    pub(crate) fn reason(&self) -> String {
        let mut reason = self.label.clone();
        if let Some(justification) = &self.justification {
            reason.push_str(&format!(" ({justification})"));
        }
        if let Some(detail) = &self.detail {
            reason.push_str(&format!(": {detail}"));
        }
        reason
    }
}

/// Just enough of any JSON document to tell the formats apart.
#[derive(Deserialize)]
struct Probe {
    #[serde(rename = "bomFormat")]
    bom_format: Option<String>,
    document: Option<ProbeCsaf>,
    statements: Option<IgnoredAny>,
    #[serde(rename = "@context")]
    context: Option<serde_json::Value>,
    #[serde(rename = "predicateType")]
    predicate_type: Option<String>,
}

#[derive(Deserialize)]
struct ProbeCsaf {
    csaf_version: Option<IgnoredAny>,
}

impl VexDocument {
    /// Reads the VEX document at `path`.
    pub fn load(path: &Path) -> Result<VexDocument, PolicyError> {
        let bytes = read_limited(path)?;
        VexDocument::parse(path, &bytes)
    }

    /// Parses `bytes` as the VEX document `path`, detecting the format.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<VexDocument, PolicyError> {
        let error = |message: String| PolicyError::Vex {
            path: path.to_owned(),
            message,
        };
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let probe: Probe = serde_json::from_slice(bytes).map_err(|e| {
            error(format!(
                "not a JSON VEX document ({e}); Strata reads OpenVEX, CycloneDX JSON and CSAF 2.0"
            ))
        })?;
        let mut notes = Vec::new();
        let (format, statements) = if probe
            .bom_format
            .as_deref()
            .is_some_and(|f| f.eq_ignore_ascii_case("CycloneDX"))
        {
            (
                VexFormat::CycloneDx,
                cyclonedx::statements(bytes, &mut notes).map_err(error)?,
            )
        } else if probe.document.is_some_and(|d| d.csaf_version.is_some()) {
            (
                VexFormat::Csaf,
                csaf::statements(bytes, &mut notes).map_err(error)?,
            )
        } else if probe.statements.is_some()
            || probe
                .context
                .as_ref()
                .and_then(|c| c.as_str())
                .is_some_and(|c| c.contains("openvex"))
        {
            (
                VexFormat::OpenVex,
                openvex::statements(bytes, &mut notes).map_err(error)?,
            )
        } else if probe
            .predicate_type
            .as_deref()
            .is_some_and(|t| t.contains("openvex"))
        {
            (
                VexFormat::OpenVex,
                openvex::attestation_statements(bytes, &mut notes).map_err(error)?,
            )
        } else {
            return Err(error(
                "not a VEX document: expected OpenVEX (`statements`), CycloneDX (`bomFormat`) or CSAF (`document.csaf_version`)"
                    .to_owned(),
            ));
        };
        let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, statement) in statements.iter().enumerate() {
            let keys: BTreeSet<String> = statement.ids.iter().map(|id| id_key(id)).collect();
            for key in keys {
                by_id.entry(key).or_default().push(index);
            }
        }
        Ok(VexDocument {
            path: path.to_owned(),
            format,
            statements,
            by_id,
            notes,
        })
    }

    /// The file it was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its format.
    pub fn format(&self) -> VexFormat {
        self.format
    }

    /// How many statements it has (a CSAF document counts one per product
    /// and status).
    pub fn statement_count(&self) -> usize {
        self.statements.len()
    }

    /// Parts of the document that could not be used (a product purl that
    /// does not parse, a version range Strata does not evaluate): the rest
    /// of the document still applies.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The statement deciding `target`: of those that match, the one with
    /// the latest timestamp, and of equals the last in the document.
    pub(crate) fn deciding(&self, target: &Target<'_>) -> Option<&Statement> {
        let finding = target.finding;
        let candidates: BTreeSet<usize> = std::iter::once(&finding.id)
            .chain(&finding.aliases)
            .filter_map(|id| self.by_id.get(&id_key(id)))
            .flatten()
            .copied()
            .collect();
        candidates
            .into_iter()
            .filter_map(|index| Some((index, self.statements.get(index)?)))
            .filter(|(_, statement)| statement.decides(target))
            .max_by_key(|(index, statement)| (statement.timestamp, *index))
            .map(|(_, statement)| statement)
    }
}
