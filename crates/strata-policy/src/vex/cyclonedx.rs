//! CycloneDX VEX (JSON, spec 1.4–1.6): `vulnerabilities[]` with
//! `analysis.state` and `affects[].ref`. A ref is a `bom-ref` of the
//! document's own components (resolved to their purl), or a BOM-Link
//! (`urn:cdx:<serial>/<version>#<bom-ref>`) whose fragment is resolved the
//! same way; a ref that resolves to nothing but is itself a purl (Trivy
//! writes purls as bom-refs) is used as one. The BOM-Link's serial number
//! is not checked: Strata has no SBOM of its own to compare it with.
//!
//! `affects[].versions` limits the statement to the listed exact versions
//! of the package; `range` entries (vers) are not evaluated, so a versions
//! list with only ranges limits the statement to nothing (reported in the
//! document's notes).

use std::collections::HashMap;

use serde::Deserialize;

use super::{Identifier, Product, Statement, VexStatus};
use crate::date::parse_timestamp;

#[derive(Deserialize)]
struct Bom {
    metadata: Option<Metadata>,
    #[serde(default)]
    components: Vec<Component>,
    #[serde(default)]
    vulnerabilities: Vec<Vulnerability>,
}

#[derive(Deserialize)]
struct Metadata {
    component: Option<Component>,
}

#[derive(Deserialize)]
struct Component {
    #[serde(rename = "bom-ref")]
    bom_ref: Option<String>,
    purl: Option<String>,
    #[serde(default)]
    components: Vec<Component>,
}

#[derive(Deserialize)]
struct Vulnerability {
    id: Option<String>,
    #[serde(default)]
    references: Vec<Reference>,
    analysis: Option<Analysis>,
    #[serde(default)]
    affects: Vec<Affects>,
    updated: Option<String>,
}

#[derive(Deserialize)]
struct Reference {
    id: Option<String>,
}

#[derive(Deserialize)]
struct Analysis {
    state: Option<String>,
    justification: Option<String>,
    detail: Option<String>,
    #[serde(rename = "lastUpdated")]
    last_updated: Option<String>,
}

#[derive(Deserialize)]
struct Affects {
    #[serde(rename = "ref")]
    reference: String,
    #[serde(default)]
    versions: Vec<AffectedVersion>,
}

#[derive(Deserialize)]
struct AffectedVersion {
    version: Option<String>,
    range: Option<String>,
}

pub(super) fn statements(bytes: &[u8], notes: &mut Vec<String>) -> Result<Vec<Statement>, String> {
    let bom: Bom =
        serde_json::from_slice(bytes).map_err(|e| format!("bad CycloneDX document: {e}"))?;
    let purls = purls_by_bom_ref(&bom);
    let mut out = Vec::new();
    for (index, vulnerability) in bom.vulnerabilities.into_iter().enumerate() {
        let at = |message: &str| format!("vulnerabilities[{index}]: {message}");
        // Without an analysis a vulnerability is a plain finding, not a
        // VEX statement.
        let Some(analysis) = vulnerability.analysis else {
            continue;
        };
        let Some(label) = analysis.state else {
            continue;
        };
        let status = match label.as_str() {
            "not_affected" | "false_positive" => VexStatus::NotAffected,
            "resolved" | "resolved_with_pedigree" => VexStatus::Fixed,
            "exploitable" => VexStatus::Affected,
            "in_triage" => VexStatus::UnderInvestigation,
            other => {
                return Err(at(&format!(
                    "unknown analysis.state `{other}` (expected resolved, resolved_with_pedigree, exploitable, in_triage, false_positive or not_affected)"
                )));
            }
        };
        let ids: Vec<String> = vulnerability
            .id
            .into_iter()
            .chain(vulnerability.references.into_iter().filter_map(|r| r.id))
            .filter(|id| !id.trim().is_empty())
            .collect();
        if ids.is_empty() {
            return Err(at("no `id`"));
        }
        let products = vulnerability
            .affects
            .iter()
            .map(|affects| {
                let versions: Vec<String> = affects
                    .versions
                    .iter()
                    .filter_map(|v| v.version.clone())
                    .collect();
                if versions.is_empty() && affects.versions.iter().any(|v| v.range.is_some()) {
                    notes.push(at(&format!(
                        "version ranges of `{}` are not evaluated; the statement is not applied to it",
                        affects.reference
                    )));
                    // No identifiers: covers nothing.
                    return Product::default();
                }
                Product {
                    ids: vec![resolve(&affects.reference, &purls, notes)],
                    subcomponents: Vec::new(),
                    versions,
                }
            })
            .collect();
        out.push(Statement {
            ids,
            products,
            status,
            label,
            justification: analysis.justification.filter(|j| !j.trim().is_empty()),
            detail: analysis.detail.filter(|d| !d.trim().is_empty()),
            timestamp: analysis
                .last_updated
                .or(vulnerability.updated)
                .as_deref()
                .and_then(parse_timestamp),
        });
    }
    Ok(out)
}

/// Every component's `bom-ref` → `purl`, nested ones and the metadata
/// component included.
fn purls_by_bom_ref(bom: &Bom) -> HashMap<String, String> {
    let mut map = HashMap::new();
    let mut stack: Vec<&Component> = bom.components.iter().collect();
    stack.extend(bom.metadata.as_ref().and_then(|m| m.component.as_ref()));
    while let Some(component) = stack.pop() {
        if let (Some(bom_ref), Some(purl)) = (&component.bom_ref, &component.purl) {
            map.insert(bom_ref.clone(), purl.clone());
        }
        stack.extend(&component.components);
    }
    map
}

/// A ref as an identifier: the purl of the component it names, else the ref
/// itself (a purl, or text naming the image).
fn resolve(
    reference: &str,
    purls: &HashMap<String, String>,
    notes: &mut Vec<String>,
) -> Identifier {
    let reference = reference.trim();
    // BOM-Link: the fragment is the (percent-encoded) bom-ref.
    let bom_ref = match reference.strip_prefix("urn:cdx:") {
        Some(link) => link.split_once('#').map_or(link, |(_, fragment)| fragment),
        None => reference,
    };
    let decoded = percent_decode(bom_ref);
    let resolved = [bom_ref, decoded.as_str()]
        .into_iter()
        .find_map(|r| purls.get(r));
    match resolved {
        Some(purl) => Identifier::from_text(purl, notes),
        None if bom_ref.starts_with("pkg:") => Identifier::from_text(bom_ref, notes),
        None if decoded.starts_with("pkg:") => Identifier::from_text(&decoded, notes),
        None => Identifier::Text(bom_ref.to_owned()),
    }
}

/// `%XX` → byte; anything malformed is kept as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (byte, hex) {
            (b'%', Some(value)) => {
                out.push(value);
                i += 3;
            }
            _ => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("pkg%3Apypi%2Furllib3"), "pkg:pypi/urllib3");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%+1"), "%+1");
        assert_eq!(percent_decode("%ff"), "%ff", "not UTF-8: kept");
    }
}
