//! Helpers shared by the integration tests: the official schemas in
//! `shared/schemas`, offline validators, the bookworm inventory fixture.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub(crate) mod fixture;

use std::path::PathBuf;

use jsonschema::{Registry, Validator};
use serde_json::Value;
use strata_catalog::inventory::Inventory;

/// `shared/schemas`, found by walking up from the crate directory (the
/// repository sits beside `../shared`).
pub(crate) fn schemas_dir() -> PathBuf {
    let start = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    start
        .ancestors()
        .map(|dir| dir.join("shared/schemas"))
        .find(|dir| dir.is_dir())
        .unwrap_or_else(|| panic!("shared/schemas not found above {}", start.display()))
}

pub(crate) fn load(name: &str) -> Value {
    let path = schemas_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// A validator for `root`, with `extra` (`$id` URL, file) registered so `$ref`s
/// resolve locally; nothing is ever fetched. Formats are asserted (CycloneDX
/// needs that, see `shared/schemas/README.md`).
pub(crate) fn validator(root: &str, extra: &[(&str, &str)]) -> Validator {
    let mut registry = Registry::new();
    for (uri, file) in extra {
        registry = registry.add(*uri, load(file)).unwrap();
    }
    let registry = registry.prepare().unwrap();
    jsonschema::options()
        .offline()
        .should_validate_formats(true)
        .with_registry(&registry)
        .build(&load(root))
        .unwrap()
}

pub(crate) fn cyclonedx_validator() -> Validator {
    validator(
        "bom-1.6.schema.json",
        &[
            (
                "http://cyclonedx.org/schema/spdx.schema.json",
                "spdx.schema.json",
            ),
            (
                "http://cyclonedx.org/schema/jsf-0.82.schema.json",
                "jsf-0.82.schema.json",
            ),
        ],
    )
}

pub(crate) fn assert_valid(validator: &Validator, document: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} is not valid:\n{}\n{document:#}",
        errors.join("\n")
    );
}

/// A debian:12-based image: bookworm minbase packages in the base layer,
/// `python3-urllib3` (and the PyPI distribution it owns) in the next, an app with
/// npm (scoped), Maven and Go packages on top.
pub(crate) fn bookworm() -> Inventory {
    serde_json::from_str(include_str!("../data/bookworm-inventory.json")).unwrap()
}
