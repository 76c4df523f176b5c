//! PHP packages installed by Composer: `vendor/composer/installed.json`, which Composer's
//! `InstalledFilesystemRepository` writes. Composer 1 writes a JSON array of packages;
//! Composer 2 writes `{"packages": […], "dev": bool, "dev-package-names": […]}`.
//!
//! Versions are kept as written (`v1.8.1`); Composer's `version_normalized` (`1.8.1.0`),
//! when present, goes to the metadata.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::{Cataloger, Diagnostics, FileInfo, Package, PackageKind};

/// Finds Composer packages.
#[derive(Debug, Default)]
pub struct ComposerCataloger {
    packages: Vec<Package>,
}

impl ComposerCataloger {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Cataloger for ComposerCataloger {
    fn name(&self) -> &'static str {
        "php"
    }

    fn version(&self) -> u32 {
        1
    }

    fn wants(&self, file: &FileInfo<'_>) -> bool {
        // The vendor directory's name is configurable (`config.vendor-dir`); `composer/` is not.
        file.path == "composer/installed.json" || file.path.ends_with("/composer/installed.json")
    }

    fn visit(&mut self, file: &FileInfo<'_>, content: &[u8], diagnostics: &mut Diagnostics) {
        let content = content.strip_prefix(b"\xef\xbb\xbf").unwrap_or(content);
        let root: Value = match serde_json::from_slice(content) {
            Ok(root) => root,
            Err(err) => return diagnostics.warn(file.path, format!("invalid JSON: {err}")),
        };
        let (records, dev_names) = match &root {
            Value::Array(records) => (records, BTreeSet::new()),
            Value::Object(object) => match object.get("packages") {
                Some(Value::Array(records)) => {
                    let dev_names = object
                        .get("dev-package-names")
                        .and_then(Value::as_array)
                        .map(|names| names.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    (records, dev_names)
                }
                _ => return diagnostics.warn(file.path, "no \"packages\" array"),
            },
            _ => return diagnostics.warn(file.path, "neither a package array nor an object"),
        };
        for (index, record) in records.iter().enumerate() {
            match package(record, file.path, &dev_names) {
                Ok(pkg) => self.packages.push(pkg),
                Err(why) => diagnostics.warn(file.path, format!("package #{index}: {why}")),
            }
        }
    }

    fn finish(&mut self, _diagnostics: &mut Diagnostics) -> Vec<Package> {
        std::mem::take(&mut self.packages)
    }
}

fn package(
    record: &Value,
    path: &str,
    dev_names: &BTreeSet<&str>,
) -> Result<Package, &'static str> {
    let text = |key: &str| {
        record
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let name = text("name").ok_or("no name")?;
    let version = text("version").ok_or("no version")?;
    // Composer package names are `vendor/project` (Composer's package name pattern).
    if name.len() > 214 || name.split('/').count() != 2 || name.contains(char::is_whitespace) {
        return Err("invalid package name");
    }
    if version.len() > 256 || version.contains(char::is_whitespace) {
        return Err("invalid version");
    }
    let mut pkg = Package::new(PackageKind::Composer, name, version, path);
    if let Some(normalized) = text("version_normalized") {
        pkg.metadata
            .insert("version_normalized".into(), normalized.into());
    }
    let licenses: Vec<&str> = match record.get("license") {
        Some(Value::String(license)) => vec![license.as_str()],
        Some(Value::Array(licenses)) => licenses.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !licenses.is_empty() {
        pkg.metadata.insert("license".into(), licenses.join(", "));
    }
    if dev_names.contains(name) {
        pkg.metadata.insert("dev".into(), "true".into());
    }
    Ok(pkg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(relative: &str) -> Vec<u8> {
        let path = crate::testdata::shared_data(&format!("pkgdb/lang/composer/{relative}"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn run(path: &str, content: &[u8]) -> (Vec<Package>, Diagnostics) {
        let mut cataloger = ComposerCataloger::new();
        let file = FileInfo {
            path,
            size: content.len() as u64,
            mode: 0o644,
        };
        assert!(cataloger.wants(&file));
        let mut diagnostics = Diagnostics::default();
        cataloger.visit(&file, content, &mut diagnostics);
        (cataloger.finish(&mut diagnostics), diagnostics)
    }

    fn summary(packages: &[Package]) -> Vec<(&str, &str, Option<&str>, Option<&str>)> {
        packages
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.version.as_str(),
                    p.metadata.get("version_normalized").map(String::as_str),
                    p.metadata.get("dev").map(String::as_str),
                )
            })
            .collect()
    }

    #[test]
    fn wants_installed_json() {
        let c = ComposerCataloger::new();
        let wants = |path| {
            c.wants(&FileInfo {
                path,
                size: 1,
                mode: 0o644,
            })
        };
        assert!(wants("var/www/html/vendor/composer/installed.json"));
        assert!(wants("app/lib/composer/installed.json"));
        assert!(!wants("var/www/html/vendor/composer/installed.php"));
        assert!(!wants("var/www/html/vendor/mycomposer/installed.json"));
        assert!(!wants("installed.json"));
    }

    #[test]
    fn syft_composer_1() {
        let path = "var/www/vendor/composer/installed.json";
        let (packages, diagnostics) = run(path, &shared("syft/composer_1/installed.json"));
        assert!(
            diagnostics.warnings.is_empty(),
            "{:?}",
            diagnostics.warnings
        );
        assert_eq!(
            summary(&packages),
            vec![
                ("asm89/stack-cors", "1.3.0", Some("1.3.0.0"), None),
                ("behat/mink", "v1.8.1", Some("1.8.1.0"), None),
            ]
        );
        for p in &packages {
            assert_eq!(p.kind, Some(PackageKind::Composer));
            assert_eq!(p.paths, vec![path]);
            assert_eq!(p.metadata["license"], "MIT");
        }
    }

    #[test]
    fn syft_composer_2() {
        let (packages, diagnostics) = run(
            "vendor/composer/installed.json",
            &shared("syft/composer_2/installed.json"),
        );
        assert!(
            diagnostics.warnings.is_empty(),
            "{:?}",
            diagnostics.warnings
        );
        // behat/mink is listed in `dev-package-names`.
        assert_eq!(
            summary(&packages),
            vec![
                ("asm89/stack-cors", "1.3.0", Some("1.3.0.0"), None),
                ("behat/mink", "v1.8.1", Some("1.8.1.0"), Some("true")),
            ]
        );
    }

    #[test]
    fn bad_records_are_skipped() {
        let text = br#"{"packages": [
            {"name": "a/good", "version": "dev-main", "license": "MIT"},
            {"name": "no-slash", "version": "1.0"},
            {"name": "b/no-version"},
            {"name": 7, "version": "1"},
            "garbage",
            {"name": "c/ok", "version": "2.0.0"}
        ]}"#;
        let (packages, diagnostics) = run("vendor/composer/installed.json", text);
        assert_eq!(
            summary(&packages),
            vec![
                ("a/good", "dev-main", None, None),
                ("c/ok", "2.0.0", None, None)
            ]
        );
        assert_eq!(packages[0].metadata["license"], "MIT");
        assert_eq!(diagnostics.warnings.len(), 4, "{:?}", diagnostics.warnings);
        assert_eq!(
            diagnostics.warnings[0],
            "vendor/composer/installed.json: package #1: invalid package name"
        );
    }

    #[test]
    fn hostile_files() {
        let deep = "[".repeat(100_000);
        for text in [
            &b""[..],
            b"\xff\xfe",
            b"{\"packages\": {}}",
            b"42",
            b"[{\"name\": \"a/b\", \"version\": \"1\"",
            deep.as_bytes(),
        ] {
            let (packages, diagnostics) = run("vendor/composer/installed.json", text);
            assert!(packages.is_empty());
            assert_eq!(
                diagnostics.warnings.len(),
                1,
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
        let (packages, _) = run("vendor/composer/installed.json", b"\xef\xbb\xbf[]");
        assert!(packages.is_empty());
    }
}
