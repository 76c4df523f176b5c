//! CSAF 2.0 VEX (<https://docs.oasis-open.org/csaf/csaf/v2.0/>): for each
//! vulnerability (`cve` and `ids[].text`), the product ids of its
//! `product_status` categories, resolved through `product_tree`:
//!
//! * `branches` (at any depth) and `full_product_names` give a product its
//!   `product_identification_helper.purl` (CSAF 2.1's `purls` too) and
//!   `cpe`;
//! * `relationships` of category `default_component_of`, `installed_on` or
//!   `installed_with` name a product "`product_reference` as part of
//!   `relates_to_product_reference`": the component is the subcomponent, the
//!   other the product (which must be the scanned image, see
//!   [`super`]).
//!
//! Justifications come from `flags[].label` and details from `impact`
//! threats naming the product (directly or via `product_groups`). Within a
//! document the affected categories come last, so a product listed as both
//! affected and not affected stays shown.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::{Identifier, Product, Statement, VexStatus};

#[derive(Deserialize)]
struct Csaf {
    product_tree: Option<ProductTree>,
    #[serde(default)]
    vulnerabilities: Vec<Vulnerability>,
}

#[derive(Deserialize)]
struct ProductTree {
    #[serde(default)]
    branches: Vec<Branch>,
    #[serde(default)]
    full_product_names: Vec<FullProductName>,
    #[serde(default)]
    relationships: Vec<Relationship>,
    #[serde(default)]
    product_groups: Vec<ProductGroup>,
}

#[derive(Deserialize)]
struct Branch {
    #[serde(default)]
    branches: Vec<Branch>,
    product: Option<FullProductName>,
}

#[derive(Deserialize)]
struct FullProductName {
    product_id: String,
    product_identification_helper: Option<Helper>,
}

#[derive(Deserialize)]
struct Helper {
    purl: Option<String>,
    /// CSAF 2.1.
    #[serde(default)]
    purls: Vec<String>,
    cpe: Option<String>,
}

#[derive(Deserialize)]
struct Relationship {
    category: String,
    product_reference: String,
    relates_to_product_reference: String,
    full_product_name: FullProductName,
}

#[derive(Deserialize)]
struct ProductGroup {
    group_id: String,
    #[serde(default)]
    product_ids: Vec<String>,
}

#[derive(Deserialize)]
struct Vulnerability {
    cve: Option<String>,
    #[serde(default)]
    ids: Vec<VulnerabilityId>,
    product_status: Option<ProductStatus>,
    #[serde(default)]
    flags: Vec<Flag>,
    #[serde(default)]
    threats: Vec<Threat>,
}

#[derive(Deserialize)]
struct VulnerabilityId {
    text: String,
}

#[derive(Deserialize, Default)]
struct ProductStatus {
    #[serde(default)]
    known_not_affected: Vec<String>,
    #[serde(default)]
    fixed: Vec<String>,
    #[serde(default)]
    first_fixed: Vec<String>,
    #[serde(default)]
    known_affected: Vec<String>,
    #[serde(default)]
    first_affected: Vec<String>,
    #[serde(default)]
    last_affected: Vec<String>,
    #[serde(default)]
    under_investigation: Vec<String>,
}

#[derive(Deserialize)]
struct Flag {
    label: Option<String>,
    #[serde(default)]
    product_ids: Vec<String>,
    #[serde(default)]
    group_ids: Vec<String>,
}

#[derive(Deserialize)]
struct Threat {
    category: Option<String>,
    details: Option<String>,
    #[serde(default)]
    product_ids: Vec<String>,
    #[serde(default)]
    group_ids: Vec<String>,
}

/// The product tree as lookups: product id → identifiers, relationship
/// product id → (product, component), group id → product ids.
#[derive(Default)]
struct Tree {
    identifiers: BTreeMap<String, Vec<Identifier>>,
    relationships: BTreeMap<String, Vec<(String, String)>>,
    groups: BTreeMap<String, Vec<String>>,
}

impl Tree {
    fn new(tree: Option<ProductTree>, notes: &mut Vec<String>) -> Tree {
        let mut out = Tree::default();
        let Some(tree) = tree else { return out };
        let mut names: Vec<FullProductName> = tree.full_product_names;
        let mut stack: Vec<Branch> = tree.branches;
        while let Some(branch) = stack.pop() {
            names.extend(branch.product);
            stack.extend(branch.branches);
        }
        for relationship in tree.relationships {
            if matches!(
                relationship.category.as_str(),
                "default_component_of" | "installed_on" | "installed_with"
            ) {
                out.relationships
                    .entry(relationship.full_product_name.product_id.clone())
                    .or_default()
                    .push((
                        relationship.relates_to_product_reference,
                        relationship.product_reference,
                    ));
            }
            names.push(relationship.full_product_name);
        }
        for name in names {
            let ids = out.identifiers.entry(name.product_id).or_default();
            if let Some(helper) = name.product_identification_helper {
                for purl in helper.purl.iter().chain(&helper.purls) {
                    ids.push(Identifier::from_text(purl, notes));
                }
                ids.extend(helper.cpe.map(Identifier::Text));
            }
        }
        for group in tree.product_groups {
            out.groups
                .entry(group.group_id)
                .or_default()
                .extend(group.product_ids);
        }
        out
    }

    fn identifiers(&self, product_id: &str) -> Vec<Identifier> {
        self.identifiers
            .get(product_id)
            .cloned()
            .unwrap_or_default()
    }

    /// The products `product_id` stands for: itself, and each relationship
    /// it names (component inside product).
    fn products(&self, product_id: &str) -> Vec<Product> {
        let mut products = vec![Product {
            ids: self.identifiers(product_id),
            ..Product::default()
        }];
        for (product, component) in self.relationships.get(product_id).into_iter().flatten() {
            products.push(Product {
                ids: self.identifiers(product),
                subcomponents: vec![self.identifiers(component)],
                versions: Vec::new(),
            });
        }
        products
    }

    /// Product ids named directly or through groups.
    fn expand(&self, product_ids: &[String], group_ids: &[String]) -> BTreeSet<String> {
        product_ids
            .iter()
            .cloned()
            .chain(
                group_ids
                    .iter()
                    .filter_map(|g| self.groups.get(g))
                    .flatten()
                    .cloned(),
            )
            .collect()
    }
}

pub(super) fn statements(bytes: &[u8], notes: &mut Vec<String>) -> Result<Vec<Statement>, String> {
    let csaf: Csaf =
        serde_json::from_slice(bytes).map_err(|e| format!("bad CSAF document: {e}"))?;
    let tree = Tree::new(csaf.product_tree, notes);
    let mut out = Vec::new();
    for vulnerability in csaf.vulnerabilities {
        let ids: Vec<String> = vulnerability
            .cve
            .into_iter()
            .chain(vulnerability.ids.into_iter().map(|id| id.text))
            .filter(|id| !id.trim().is_empty())
            .collect();
        if ids.is_empty() {
            continue;
        }
        let status = vulnerability.product_status.unwrap_or_default();
        let justification = |product_id: &str| {
            vulnerability
                .flags
                .iter()
                .find(|flag| {
                    tree.expand(&flag.product_ids, &flag.group_ids)
                        .contains(product_id)
                })
                .and_then(|flag| flag.label.clone())
        };
        let detail = |product_id: &str| {
            vulnerability
                .threats
                .iter()
                .filter(|threat| threat.category.as_deref() == Some("impact"))
                .find(|threat| {
                    tree.expand(&threat.product_ids, &threat.group_ids)
                        .contains(product_id)
                })
                .and_then(|threat| threat.details.clone())
        };
        // Suppressing categories first: the last deciding statement wins.
        let categories = [
            (
                "known_not_affected",
                VexStatus::NotAffected,
                &status.known_not_affected,
            ),
            ("fixed", VexStatus::Fixed, &status.fixed),
            ("first_fixed", VexStatus::Fixed, &status.first_fixed),
            (
                "under_investigation",
                VexStatus::UnderInvestigation,
                &status.under_investigation,
            ),
            (
                "known_affected",
                VexStatus::Affected,
                &status.known_affected,
            ),
            (
                "first_affected",
                VexStatus::Affected,
                &status.first_affected,
            ),
            ("last_affected", VexStatus::Affected, &status.last_affected),
        ];
        for (label, vex_status, product_ids) in categories {
            for product_id in product_ids {
                out.push(Statement {
                    ids: ids.clone(),
                    products: tree.products(product_id),
                    status: vex_status,
                    label: label.to_owned(),
                    justification: justification(product_id),
                    detail: detail(product_id).filter(|d| !d.trim().is_empty()),
                    timestamp: None,
                });
            }
        }
    }
    Ok(out)
}
