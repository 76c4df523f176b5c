//! OpenVEX 0.2.0 (<https://github.com/openvex/spec>), also in the 0.0.1
//! shorthand `go-vex` still reads (`"vulnerability": "CVE-…"`, products and
//! subcomponents as plain strings), and as the predicate of an in-toto
//! statement, whose subjects are the products of statements that list none
//! (the spec's inheritance).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Identifier, Product, Statement, VexStatus};
use crate::date::parse_timestamp;

#[derive(Deserialize)]
struct Document {
    timestamp: Option<String>,
    #[serde(default)]
    statements: Vec<RawStatement>,
}

#[derive(Deserialize)]
struct RawStatement {
    vulnerability: Option<Vulnerability>,
    #[serde(default)]
    products: Vec<Component>,
    status: Option<String>,
    justification: Option<String>,
    impact_statement: Option<String>,
    timestamp: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Vulnerability {
    Name(String),
    Full {
        #[serde(rename = "@id")]
        id: Option<String>,
        name: Option<String>,
        #[serde(default)]
        aliases: Vec<String>,
    },
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Component {
    Id(String),
    Full {
        #[serde(rename = "@id")]
        id: Option<String>,
        #[serde(default)]
        identifiers: BTreeMap<String, String>,
        #[serde(default)]
        hashes: BTreeMap<String, String>,
        #[serde(default)]
        subcomponents: Vec<Component>,
    },
}

/// An in-toto statement carrying an OpenVEX predicate.
#[derive(Deserialize)]
struct Attestation {
    #[serde(default)]
    subject: Vec<Subject>,
    predicate: Document,
}

#[derive(Deserialize)]
struct Subject {
    name: Option<String>,
    #[serde(default)]
    digest: BTreeMap<String, String>,
}

/// The statements of a bare OpenVEX document.
pub(super) fn statements(bytes: &[u8], notes: &mut Vec<String>) -> Result<Vec<Statement>, String> {
    let document: Document =
        serde_json::from_slice(bytes).map_err(|e| format!("bad OpenVEX document: {e}"))?;
    convert(document, &[], notes)
}

/// The statements of an in-toto statement with an OpenVEX predicate.
pub(super) fn attestation_statements(
    bytes: &[u8],
    notes: &mut Vec<String>,
) -> Result<Vec<Statement>, String> {
    let attestation: Attestation =
        serde_json::from_slice(bytes).map_err(|e| format!("bad OpenVEX attestation: {e}"))?;
    // The subject is the attested artifact (the image): its name and its
    // digest, as `sha256:<hex>` and bare hex.
    let subjects: Vec<Product> = attestation
        .subject
        .iter()
        .map(|subject| {
            let mut ids: Vec<Identifier> = subject
                .name
                .iter()
                .map(|name| Identifier::from_text(name, notes))
                .collect();
            for (algorithm, hex) in &subject.digest {
                ids.push(Identifier::Text(format!("{algorithm}:{hex}")));
                ids.push(Identifier::Text(hex.clone()));
            }
            Product {
                ids,
                ..Product::default()
            }
        })
        .collect();
    convert(attestation.predicate, &subjects, notes)
}

fn convert(
    document: Document,
    inherited_products: &[Product],
    notes: &mut Vec<String>,
) -> Result<Vec<Statement>, String> {
    let document_time = document.timestamp.as_deref().and_then(parse_timestamp);
    let mut out = Vec::with_capacity(document.statements.len());
    for (index, raw) in document.statements.into_iter().enumerate() {
        let at = |message: &str| format!("statements[{index}]: {message}");
        let ids = match raw.vulnerability {
            Some(Vulnerability::Name(name)) => vec![name],
            Some(Vulnerability::Full { id, name, aliases }) => {
                name.into_iter().chain(aliases).chain(id).collect()
            }
            None => return Err(at("no `vulnerability`")),
        };
        if ids.iter().all(|id| id.trim().is_empty()) {
            return Err(at("the vulnerability has no name"));
        }
        let label = raw.status.ok_or_else(|| at("no `status`"))?;
        let status = match label.as_str() {
            "not_affected" => VexStatus::NotAffected,
            "fixed" => VexStatus::Fixed,
            "affected" => VexStatus::Affected,
            "under_investigation" => VexStatus::UnderInvestigation,
            other => {
                return Err(at(&format!(
                    "unknown status `{other}` (expected not_affected, fixed, affected or under_investigation)"
                )));
            }
        };
        let mut products: Vec<Product> = raw
            .products
            .iter()
            .map(|component| Product {
                ids: identifiers(component, notes),
                subcomponents: match component {
                    Component::Id(_) => Vec::new(),
                    Component::Full { subcomponents, .. } => subcomponents
                        .iter()
                        .map(|sub| identifiers(sub, notes))
                        .collect(),
                },
                versions: Vec::new(),
            })
            .collect();
        if products.is_empty() {
            products = inherited_products.to_vec();
        }
        out.push(Statement {
            ids,
            products,
            status,
            label,
            justification: raw.justification.filter(|j| !j.trim().is_empty()),
            detail: raw.impact_statement.filter(|s| !s.trim().is_empty()),
            timestamp: raw
                .timestamp
                .as_deref()
                .and_then(parse_timestamp)
                .or(document_time),
        });
    }
    Ok(out)
}

/// `@id`, `identifiers` (purl, cpe22, cpe23) and `hashes` values.
fn identifiers(component: &Component, notes: &mut Vec<String>) -> Vec<Identifier> {
    match component {
        Component::Id(id) => vec![Identifier::from_text(id, notes)],
        Component::Full {
            id,
            identifiers,
            hashes,
            ..
        } => id
            .iter()
            .chain(identifiers.values())
            .map(|text| Identifier::from_text(text, notes))
            .chain(hashes.values().map(|hash| Identifier::Text(hash.clone())))
            .collect(),
    }
}
