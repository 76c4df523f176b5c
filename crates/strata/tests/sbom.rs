//! `strata sbom` through the real binary: formats, output flags, schema validity.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn images() -> PathBuf {
    let dir = std::env::var_os("STRATA_TEST_IMAGES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/strata-test/images")
        });
    assert!(
        dir.join("oci/bookworm-python.ok").is_file(),
        "test images missing in {}: run scripts/test",
        dir.display()
    );
    dir
}

fn schemas() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|d| d.join("shared/schemas"))
        .find(|d| d.is_dir())
        .unwrap()
}

fn strata(cache: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .env("STRATA_CACHE_DIR", cache)
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .output()
        .unwrap()
}

fn schema(name: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(schemas().join(name)).unwrap()).unwrap()
}

/// A validator for `main` with the other schemas registered under their `$id`s,
/// offline (nothing fetched), formats asserted.
fn validator(main: &str, others: &[&str]) -> jsonschema::Validator {
    let mut registry = jsonschema::Registry::new();
    for other in others {
        let value = schema(other);
        let id = value["$id"].as_str().unwrap().to_owned();
        registry = registry.add(id, value).unwrap();
    }
    let registry = registry.prepare().unwrap();
    jsonschema::options()
        .offline()
        .should_validate_formats(true)
        .with_registry(&registry)
        .build(&schema(main))
        .unwrap()
}

#[test]
fn one_run_writes_every_format_and_each_validates() {
    let cache = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let (inv, cdx, spdx) = (
        out.path().join("inv.json"),
        out.path().join("bom.cdx.json"),
        out.path().join("doc.spdx.json"),
    );
    let image = format!("oci-dir:{}/oci/bookworm-python", images().display());
    let output = strata(
        cache.path(),
        &[
            "sbom",
            &image,
            "-f",
            &format!("json={}", inv.display()),
            "-f",
            &format!("cyclonedx-json={}", cdx.display()),
            "-f",
            &format!("spdx-json={}", spdx.display()),
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stdout.is_empty());

    let inventory: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&inv).unwrap()).unwrap();
    assert_eq!(inventory["schema"], "strata.inventory/v1");
    let count = inventory["packages"].as_array().unwrap().len();
    assert!(count > 100);

    let bom: serde_json::Value = serde_json::from_slice(&std::fs::read(&cdx).unwrap()).unwrap();
    let cdx_validator = validator(
        "bom-1.6.schema.json",
        &["spdx.schema.json", "jsf-0.82.schema.json"],
    );
    let errors: Vec<String> = cdx_validator
        .iter_errors(&bom)
        .map(|e| e.to_string())
        .take(5)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    // One component per package, plus the OS.
    assert_eq!(bom["components"].as_array().unwrap().len(), count + 1);

    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&spdx).unwrap()).unwrap();
    let spdx_validator = validator("spdx-schema-v2.3.json", &[]);
    let errors: Vec<String> = spdx_validator
        .iter_errors(&doc)
        .map(|e| e.to_string())
        .take(5)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(doc["packages"].as_array().unwrap().len(), count + 1);
}

#[test]
fn output_flag_and_format_errors() {
    let cache = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("x.json");
    let image = format!("{}/oci/debian-bookworm", images().display());
    let output = strata(
        cache.path(),
        &["sbom", &image, "-o", file.to_str().unwrap()],
    );
    assert!(output.status.success());
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("\"strata.inventory/v1\"")
    );

    let output = strata(cache.path(), &["sbom", &image, "-f", "xml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown format \"xml\""));
    let output = strata(
        cache.path(),
        &["sbom", &image, "-f", "json", "-f", "spdx-json"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("would all go to stdout"));
}

#[test]
fn scope_all_layers_lists_what_later_layers_removed() {
    let cache = tempfile::tempdir().unwrap();
    let image = format!("{}/oci/bookworm-python", images().display());
    let squashed: serde_json::Value =
        serde_json::from_slice(&strata(cache.path(), &["sbom", &image]).stdout).unwrap();
    let all: serde_json::Value = serde_json::from_slice(
        &strata(cache.path(), &["sbom", &image, "--scope", "all-layers"]).stdout,
    )
    .unwrap();
    let has_pyjwt = |v: &serde_json::Value| {
        v["packages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "pyjwt")
    };
    assert!(!has_pyjwt(&squashed));
    assert!(has_pyjwt(&all));
}
