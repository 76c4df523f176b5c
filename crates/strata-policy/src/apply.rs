//! Applying a policy to a scan report, in Trivy's order: severity and
//! unfixed filters drop findings; then ignore files, then VEX documents,
//! move the findings they cover to `report.suppressed`.

use std::fmt;
use std::path::PathBuf;

use strata_match::{Finding, ScanReport, Summary, Suppression};

use crate::date::Date;
use crate::filter::Filter;
use crate::ignore::IgnoreFile;
use crate::purl::Purl;
use crate::vex::image::{ImageIdentity, ImageView};
use crate::vex::{Target, VexDocument};

/// [`Suppression::kind`] of a finding an ignore file covers.
pub const SUPPRESSED_BY_IGNORE_FILE: &str = "ignore-file";

/// [`Suppression::kind`] of a finding a VEX statement covers.
pub const SUPPRESSED_BY_VEX: &str = "vex";

/// Something the user should know that does not stop the scan.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// An ignore entry past its date: it no longer suppresses anything.
    ExpiredIgnoreEntry {
        /// The ignore file.
        file: PathBuf,
        /// Its line (line form only).
        line: Option<usize>,
        /// The id it names.
        id: String,
        /// The day it expired.
        expired: Date,
    },
    /// Part of a VEX document that could not be used.
    VexNote {
        /// The VEX document.
        file: PathBuf,
        /// What could not be used.
        note: String,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::ExpiredIgnoreEntry {
                file,
                line,
                id,
                expired,
            } => {
                write!(f, "{}", file.display())?;
                if let Some(line) = line {
                    write!(f, ":{line}")?;
                }
                write!(
                    f,
                    ": ignore entry {id} expired on {expired}; it no longer suppresses"
                )
            }
            Warning::VexNote { file, note } => write!(f, "{}: {note}", file.display()),
        }
    }
}

/// Filters `report.findings` by `filter`, moves those an ignore file or a
/// VEX document covers to `report.suppressed` (each with its
/// [`Suppression`]), and recounts `report.summary`. Findings already in
/// `report.suppressed` stay there if the filter shows them. `today` decides
/// which ignore entries have expired. Returns the warnings: expired ignore
/// entries and unusable parts of VEX documents (a statement that matches
/// nothing is not one: VEX documents routinely cover more than one image).
pub fn apply(
    report: &mut ScanReport,
    filter: &Filter,
    ignore_files: &[IgnoreFile],
    vex_documents: &[VexDocument],
    today: Date,
) -> Vec<Warning> {
    let mut warnings: Vec<Warning> = ignore_files
        .iter()
        .flat_map(|file| {
            file.entries()
                .iter()
                .filter(|entry| entry.is_expired(today))
                .map(|entry| Warning::ExpiredIgnoreEntry {
                    file: file.path().to_owned(),
                    line: entry.line(),
                    id: entry.id().to_owned(),
                    expired: entry.expires().unwrap_or(today),
                })
        })
        .collect();
    warnings.extend(vex_documents.iter().flat_map(|document| {
        document.notes().iter().map(|note| Warning::VexNote {
            file: document.path().to_owned(),
            note: note.clone(),
        })
    }));

    let image = ImageIdentity::new(ImageView {
        reference: &report.image.reference,
        manifest_digest: report.image.manifest_digest.as_deref(),
        platform: report.image.platform.as_deref(),
    });
    let mut shown = Vec::new();
    let mut suppressed: Vec<Finding> = std::mem::take(&mut report.suppressed)
        .into_iter()
        .filter(|finding| filter.shows(finding))
        .collect();
    for mut finding in std::mem::take(&mut report.findings) {
        if !filter.shows(&finding) {
            continue;
        }
        match suppression(&finding, ignore_files, vex_documents, &image, today) {
            Some(why) => {
                finding.suppression = Some(why);
                suppressed.push(finding);
            }
            None => shown.push(finding),
        }
    }
    report.findings = shown;
    report.suppressed = suppressed;
    report.summary = Summary::of(
        &report.findings,
        report.suppressed.len(),
        report.summary.packages,
    );
    warnings
}

/// Why `finding` is suppressed, if it is: the first ignore file with an
/// unexpired entry covering it, else the first VEX document whose deciding
/// statement is `not_affected` or `fixed`.
fn suppression(
    finding: &Finding,
    ignore_files: &[IgnoreFile],
    vex_documents: &[VexDocument],
    image: &ImageIdentity,
    today: Date,
) -> Option<Suppression> {
    let purl = Purl::parse(&finding.package.purl).ok();
    for file in ignore_files {
        if let Some(entry) = file.suppressing(finding, purl.as_ref(), today) {
            return Some(Suppression {
                kind: SUPPRESSED_BY_IGNORE_FILE.to_owned(),
                source: file.path().display().to_string(),
                reason: entry.reason().map(str::to_owned),
            });
        }
    }
    let target = Target {
        finding,
        purl: purl.as_ref(),
        image,
    };
    vex_documents.iter().find_map(|document| {
        let statement = document.deciding(&target)?;
        statement.status.suppresses().then(|| Suppression {
            kind: SUPPRESSED_BY_VEX.to_owned(),
            source: document.path().display().to_string(),
            reason: Some(statement.reason()),
        })
    })
}
