//! npm packages: installed ones (`**/node_modules/<name>/package.json`,
//! `**/node_modules/@scope/<name>/package.json`, each nested copy its own package) and
//! the ones a lock file pins (`package-lock.json`, `npm-shrinkwrap.json`).
//!
//! Lock files (<https://docs.npmjs.com/cli/configuring-npm/package-lock-json>):
//! lockfileVersion 1 has a recursive `dependencies` tree keyed by name; 2 and 3 have a
//! flat `packages` map keyed by install path (`node_modules/a/node_modules/@s/b`), where
//! `""` is the project itself and `link: true` entries point at a workspace folder.
//! Lock packages carry `from_lockfile = "true"`: the indexer, which sees every layer,
//! drops them where installed `node_modules` packages of the same project exist. Lock
//! files inside `node_modules` are skipped (as npm, Syft and osv-scalibr do): what they
//! pin is installed below, in `node_modules`, and read from there.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::{Cataloger, Diagnostics, FileInfo, Package, PackageKind};

/// Deepest `dependencies` nesting followed in a v1 lock (serde_json refuses JSON nested
/// deeper than 128 levels, which is about 64 of these, before this is reached).
const MAX_DEPTH: usize = 100;
/// Longest package name npm accepts (validate-npm-package-name).
const MAX_NAME_LEN: usize = 214;
/// Longest version string kept.
const MAX_VERSION_LEN: usize = 256;

/// Catalogs npm packages.
#[derive(Debug, Default)]
pub struct NpmCataloger {
    packages: Vec<Package>,
}

impl NpmCataloger {
    /// A cataloger for one layer.
    pub fn new() -> Self {
        Self::default()
    }
}

/// `(parent, last component)` of a slash-separated path.
fn split_last(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

/// `…/node_modules/<name>/package.json` or `…/node_modules/@scope/<name>/package.json`.
fn is_installed_manifest(path: &str) -> bool {
    let Some(dir) = path.strip_suffix("/package.json") else {
        return false;
    };
    let (parent, name) = split_last(dir);
    if name.is_empty() || name.starts_with(['.', '@']) {
        return false;
    }
    let (grandparent, above) = split_last(parent);
    above == "node_modules"
        || (above.len() > 1
            && above.starts_with('@')
            && split_last(grandparent).1 == "node_modules")
}

/// A project's lock file, not one inside `node_modules`.
fn is_lock(path: &str) -> bool {
    let (dir, file) = split_last(path);
    matches!(file, "package-lock.json" | "npm-shrinkwrap.json")
        && !dir.split('/').any(|c| c == "node_modules")
}

impl Cataloger for NpmCataloger {
    fn name(&self) -> &'static str {
        "npm"
    }

    fn version(&self) -> u32 {
        1
    }

    fn wants(&self, file: &FileInfo<'_>) -> bool {
        is_installed_manifest(file.path) || is_lock(file.path)
    }

    fn visit(&mut self, file: &FileInfo<'_>, content: &[u8], diagnostics: &mut Diagnostics) {
        // npm's JSON reader tolerates a UTF-8 byte order mark.
        let content = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
        if is_lock(file.path) {
            self.visit_lock(file.path, content, diagnostics);
        } else if is_installed_manifest(file.path) {
            self.visit_manifest(file.path, content, diagnostics);
        }
    }

    fn finish(&mut self, _diagnostics: &mut Diagnostics) -> Vec<Package> {
        let mut out = std::mem::take(&mut self.packages);
        out.sort_by(|a, b| (&a.paths, &a.name, &a.version).cmp(&(&b.paths, &b.name, &b.version)));
        out
    }
}

impl NpmCataloger {
    fn visit_manifest(&mut self, path: &str, content: &[u8], diagnostics: &mut Diagnostics) {
        let manifest: Manifest = match serde_json::from_slice::<Obj<Manifest>>(content) {
            Ok(Obj(Some(m))) => m,
            Ok(Obj(None)) => return diagnostics.warn(path, "package.json is not a JSON object"),
            Err(e) => return diagnostics.warn(path, format_args!("invalid package.json: {e}")),
        };
        // Without both there is nothing to match (e.g. a folder's private manifest).
        let (Some(name), Some(version)) = (manifest.name.0, manifest.version.0) else {
            return;
        };
        if !valid_name(&name) {
            return diagnostics.warn(
                path,
                format_args!("invalid npm package name {:?}", truncate(&name)),
            );
        }
        if !valid_version(&version) {
            return diagnostics.warn(
                path,
                format_args!("invalid version {:?} of {name}", truncate(&version)),
            );
        }
        let mut p = Package::new(PackageKind::Npm, name, version, path);
        if let Some(license) = manifest.license.0.or(manifest.licenses.0) {
            p.metadata.insert("license".into(), license);
        }
        self.packages.push(p);
    }

    fn visit_lock(&mut self, path: &str, content: &[u8], diagnostics: &mut Diagnostics) {
        let lock: Lock = match serde_json::from_slice::<Obj<Lock>>(content) {
            Ok(Obj(Some(l))) => l,
            Ok(Obj(None)) => return diagnostics.warn(path, "lock file is not a JSON object"),
            Err(e) => return diagnostics.warn(path, format_args!("invalid lock file: {e}")),
        };
        // (name, version) → (dev only, licence). The same package at several install
        // paths is one package here, dev only if every copy is.
        let mut found: BTreeMap<(String, String), (bool, Option<String>)> = BTreeMap::new();
        let mut add = |name: String, version: String, dev: bool, license: Option<String>| {
            let entry = found.entry((name, version)).or_insert((dev, None));
            entry.0 &= dev;
            if entry.1.is_none() {
                entry.1 = license;
            }
        };
        // v2 carries both forms; `packages` is the complete one (npm reads it first).
        if let Obj(Some(packages)) = lock.packages {
            for (key, entry) in packages {
                let Obj(Some(entry)) = entry else {
                    diagnostics.warn(
                        path,
                        format_args!("packages entry {:?} is not an object", truncate(&key)),
                    );
                    continue;
                };
                // "" is the project itself; keys without `node_modules/` are workspace
                // folders (the project's own code); links point at one of those.
                let Some((_, key_name)) = key.rsplit_once("node_modules/") else {
                    continue;
                };
                if entry.link.0 {
                    continue;
                }
                let name = entry.name.0.unwrap_or_else(|| key_name.to_string());
                let Some(version) = entry.version.0 else {
                    continue; // e.g. a git dependency recorded without its version
                };
                if !valid_name(&name) {
                    diagnostics.warn(
                        path,
                        format_args!("invalid npm package name {:?}", truncate(&name)),
                    );
                    continue;
                }
                if !valid_version(&version) {
                    diagnostics.warn(
                        path,
                        format_args!("invalid version {:?} of {name}", truncate(&version)),
                    );
                    continue;
                }
                add(name, version, entry.dev.0, entry.license.0);
            }
        } else if let Obj(Some(deps)) = lock.dependencies {
            walk_v1(path, deps, 0, false, &mut add, diagnostics);
        }
        for ((name, version), (dev, license)) in found {
            let mut p = Package::new(PackageKind::Npm, name, version, path);
            p.metadata.insert("from_lockfile".into(), "true".into());
            if dev {
                p.metadata.insert("dev".into(), "true".into());
            }
            if let Some(license) = license {
                p.metadata.insert("license".into(), license);
            }
            self.packages.push(p);
        }
    }
}

/// lockfileVersion 1: `dependencies` keyed by the name the package is installed under,
/// nested where npm nests it. A dependency nested under a dev-only one is dev only too.
fn walk_v1(
    path: &str,
    deps: BTreeMap<String, Obj<V1Dependency>>,
    depth: usize,
    parent_dev: bool,
    add: &mut impl FnMut(String, String, bool, Option<String>),
    diagnostics: &mut Diagnostics,
) {
    if depth >= MAX_DEPTH {
        return diagnostics.warn(path, "dependencies nested too deep; rest skipped");
    }
    for (key, dep) in deps {
        let Obj(Some(dep)) = dep else {
            diagnostics.warn(
                path,
                format_args!("dependency {:?} is not an object", truncate(&key)),
            );
            continue;
        };
        let dev = parent_dev || dep.dev.0;
        if let Some(spec) = dep.version.0 {
            // An alias `"name": {"version": "npm:real@1.2.3"}` installs `real`.
            let (name, version) = match spec.strip_prefix("npm:").and_then(|s| s.rsplit_once('@')) {
                Some((real, version)) => (real.to_string(), version.to_string()),
                None => (key, spec),
            };
            // Other non-registry specs (git URLs, `file:`, tarball URLs) say no version.
            let registry = !version.contains([':', '/', '#']);
            if registry && valid_name(&name) && valid_version(&version) {
                add(name, version, dev, None);
            } else if registry {
                diagnostics.warn(
                    path,
                    format_args!(
                        "invalid dependency {:?}@{:?}",
                        truncate(&name),
                        truncate(&version)
                    ),
                );
            }
        }
        if let Obj(Some(nested)) = dep.dependencies {
            walk_v1(path, nested, depth + 1, dev, add, diagnostics);
        }
    }
}

/// validate-npm-package-name, `validForOldPackages`: URL-safe characters (old names may
/// have capitals and `~'!()*`), `@scope/name` for scoped ones, not starting with `.` or
/// `_`, at most 214 characters, not a reserved name.
fn valid_name(name: &str) -> bool {
    fn url_safe(part: &str) -> bool {
        !part.is_empty()
            && part != "."
            && part != ".."
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b))
    }
    if name.is_empty() || name.len() > MAX_NAME_LEN || name.starts_with(['.', '_']) {
        return false;
    }
    if matches!(name, "node_modules" | "favicon.ico") {
        return false;
    }
    match name.strip_prefix('@') {
        Some(scoped) => scoped
            .split_once('/')
            .is_some_and(|(scope, pkg)| url_safe(scope) && url_safe(pkg)),
        None => url_safe(name),
    }
}

/// A version as npm records it: semver characters only (no spaces, URLs or specs).
fn valid_version(version: &str) -> bool {
    !version.is_empty()
        && version.len() <= MAX_VERSION_LEN
        && version
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-+_=v".contains(&b))
}

/// At most 64 characters of an untrusted string, for messages.
fn truncate(s: &str) -> String {
    s.chars().take(64).collect()
}

// --- Lenient JSON shapes: a field of an unexpected type reads as absent instead of
// --- failing the whole file; unknown fields are skipped without being stored.

#[derive(Deserialize, Default)]
#[serde(default)]
struct Manifest {
    name: Str,
    version: Str,
    license: License,
    /// The deprecated `licenses: [{type, url}]` form.
    licenses: License,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Lock {
    packages: Obj<BTreeMap<String, Obj<V2Package>>>,
    dependencies: Obj<BTreeMap<String, Obj<V1Dependency>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct V2Package {
    name: Str,
    version: Str,
    dev: Flag,
    link: Flag,
    license: License,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct V1Dependency {
    version: Str,
    dev: Flag,
    dependencies: Obj<BTreeMap<String, Obj<V1Dependency>>>,
}

/// Drains a JSON array without keeping it.
fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Drains a JSON object without keeping it.
fn skip_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Implements the scalar visitor methods of a lenient type as "absent".
macro_rules! ignore_scalars {
    ($absent:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok($absent)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok($absent)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok($absent)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok($absent)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok($absent)
        }
    };
}

/// A JSON object read as `T`; anything else is `None`.
struct Obj<T>(Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Obj<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(|t| Obj(Some(t)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                skip_seq(seq).map(|()| Obj(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Obj(None))
            }
            ignore_scalars!(Obj(None));
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A JSON string, trimmed and non-empty; anything else is `None`.
#[derive(Default)]
struct Str(Option<String>);

impl<'de> Deserialize<'de> for Str {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E>(self, s: &str) -> Result<Str, E> {
                let s = s.trim();
                Ok(Str((!s.is_empty()).then(|| s.to_string())))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Str, A::Error> {
                skip_map(map).map(|()| Str(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Str, A::Error> {
                skip_seq(seq).map(|()| Str(None))
            }
            ignore_scalars!(Str(None));
        }
        d.deserialize_any(V)
    }
}

/// `true` only for JSON `true`.
#[derive(Default)]
struct Flag(bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Flag;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, b: bool) -> Result<Flag, E> {
                Ok(Flag(b))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Flag, E> {
                Ok(Flag(false))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Flag, E> {
                Ok(Flag(false))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Flag, E> {
                Ok(Flag(false))
            }
            fn visit_unit<E>(self) -> Result<Flag, E> {
                Ok(Flag(false))
            }
            fn visit_str<E>(self, _: &str) -> Result<Flag, E> {
                Ok(Flag(false))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Flag, A::Error> {
                skip_map(map).map(|()| Flag(false))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Flag, A::Error> {
                skip_seq(seq).map(|()| Flag(false))
            }
        }
        d.deserialize_any(V)
    }
}

/// A licence: `"MIT"`, `{"type": "MIT"}` (deprecated), or an array of either (as in the
/// deprecated `licenses` and some lock files), joined with ` OR `.
#[derive(Default)]
struct License(Option<String>);

impl<'de> Deserialize<'de> for License {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = License;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E>(self, s: &str) -> Result<License, E> {
                let s = s.trim();
                Ok(License((!s.is_empty()).then(|| truncate_license(s))))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<License, A::Error> {
                let mut found = None;
                while let Some(key) = map.next_key::<Str>()? {
                    if key.0.as_deref() == Some("type") {
                        found = map.next_value::<Str>()?.0.map(|s| truncate_license(&s));
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(License(found))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<License, A::Error> {
                let mut all: Vec<String> = Vec::new();
                // Elements are strings or objects; a nested array reads as absent.
                while let Some(item) = seq.next_element::<LicenseItem>()? {
                    if let Some(l) = item.0
                        && all.len() < 16
                        && !all.contains(&l)
                    {
                        all.push(l);
                    }
                }
                Ok(License((!all.is_empty()).then(|| all.join(" OR "))))
            }
            ignore_scalars!(License(None));
        }
        d.deserialize_any(V)
    }
}

/// One element of a licence array: a string or `{type}` object, not another array.
struct LicenseItem(Option<String>);

impl<'de> Deserialize<'de> for LicenseItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LicenseItem;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E>(self, s: &str) -> Result<LicenseItem, E> {
                let s = s.trim();
                Ok(LicenseItem((!s.is_empty()).then(|| truncate_license(s))))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<LicenseItem, A::Error> {
                License::deserialize(MapAccessDeserializer::new(map)).map(|l| LicenseItem(l.0))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<LicenseItem, A::Error> {
                skip_seq(seq).map(|()| LicenseItem(None))
            }
            ignore_scalars!(LicenseItem(None));
        }
        d.deserialize_any(V)
    }
}

/// At most 256 characters of a licence string.
fn truncate_license(s: &str) -> String {
    s.chars().take(256).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::shared_data;

    fn read(rel: &str) -> Vec<u8> {
        std::fs::read(shared_data(rel)).unwrap()
    }

    fn run(files: &[(&str, Vec<u8>)]) -> (Vec<Package>, Diagnostics) {
        let mut c = NpmCataloger::new();
        let mut d = Diagnostics::default();
        for (path, content) in files {
            let info = FileInfo {
                path,
                size: content.len() as u64,
                mode: 0o644,
            };
            if c.wants(&info) {
                c.visit(&info, content, &mut d);
            }
        }
        let pkgs = c.finish(&mut d);
        (pkgs, d)
    }

    /// `name@version` (with ` dev` for dev-only ones), sorted.
    fn ids(pkgs: &[Package]) -> Vec<String> {
        let mut v: Vec<String> = pkgs
            .iter()
            .map(|p| {
                let dev = if p.metadata.contains_key("dev") {
                    " dev"
                } else {
                    ""
                };
                format!("{}@{}{dev}", p.name, p.version)
            })
            .collect();
        v.sort();
        v
    }

    fn lock(fixture: &str) -> Vec<Package> {
        let path = "srv/app/package-lock.json";
        let (pkgs, d) = run(&[(path, read(fixture))]);
        assert!(d.warnings.is_empty(), "{fixture}: {:?}", d.warnings);
        for p in &pkgs {
            assert_eq!(p.kind, Some(PackageKind::Npm));
            assert_eq!(p.paths, vec![path.to_string()]);
            assert_eq!(p.metadata["from_lockfile"], "true");
        }
        pkgs
    }

    #[test]
    fn wants_paths() {
        let c = NpmCataloger::new();
        let yes = [
            "usr/lib/node_modules/npm/package.json",
            "app/node_modules/@actions/core/package.json",
            "app/node_modules/a/node_modules/b/package.json",
            "node_modules/a/package.json",
            "app/node_modules/.pnpm/lodash@4.17.21/node_modules/lodash/package.json",
            "app/package-lock.json",
            "package-lock.json",
            "app/npm-shrinkwrap.json",
        ];
        let no = [
            "app/package.json",
            "app/node_modules/a/test/fixtures/package.json",
            "app/node_modules/a/lib/package.json",
            "app/node_modules/@scope/package.json",
            "app/node_modules/@/x/package.json",
            "app/node_modules/.bin/package.json",
            "app/node_modules/package.json",
            "app/node_modules/a/package-lock.json",
            "app/node_modules/.package-lock.json",
            "app/node_modules/a/npm-shrinkwrap.json",
            "app/yarn.lock",
            "app/node_modules/a/package.json.bak",
        ];
        for p in yes {
            assert!(
                c.wants(&FileInfo {
                    path: p,
                    size: 1,
                    mode: 0o644
                }),
                "{p}"
            );
        }
        for p in no {
            assert!(
                !c.wants(&FileInfo {
                    path: p,
                    size: 1,
                    mode: 0o644
                }),
                "{p}"
            );
        }
    }

    #[test]
    fn names() {
        for ok in [
            "a",
            "@actions/core",
            "JSONStream",
            "lodash.merge",
            "a-b_c",
            "@a/b.c",
            "x~y!z*'()",
        ] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in [
            "",
            ".a",
            "_a",
            "a/b",
            "node_modules/async",
            "@a",
            "@a/",
            "@/b",
            "@a/b/c",
            "a b",
            "é",
            "node_modules",
            "@a/..",
            &"a".repeat(215),
        ] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn syft_installed_package_json() {
        let (pkgs, d) = run(&[
            (
                "app/node_modules/cowsay/package.json",
                read("pkgdb/lang/npm/syft/node_modules/cowsay/package.json"),
            ),
            (
                "app/node_modules/@actions/core/package.json",
                read("pkgdb/lang/npm/syft/node_modules/@actions/core/package.json"),
            ),
            // npm itself, installed globally.
            (
                "usr/local/lib/node_modules/npm/package.json",
                read("pkgdb/lang/npm/syft/pkg-json/package.json"),
            ),
            // The project's own manifest is not an installed package.
            (
                "app/package.json",
                read("pkgdb/lang/npm/syft/pkg-json/package.json"),
            ),
        ]);
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        let got: Vec<(&str, &str, &str, Option<&str>)> = pkgs
            .iter()
            .map(|p| {
                assert!(!p.metadata.contains_key("from_lockfile"));
                (
                    p.name.as_str(),
                    p.version.as_str(),
                    p.paths[0].as_str(),
                    p.metadata.get("license").map(String::as_str),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "@actions/core",
                    "1.6.0",
                    "app/node_modules/@actions/core/package.json",
                    Some("MIT")
                ),
                (
                    "cowsay",
                    "1.4.0",
                    "app/node_modules/cowsay/package.json",
                    Some("MIT")
                ),
                (
                    "npm",
                    "6.14.6",
                    "usr/local/lib/node_modules/npm/package.json",
                    Some("Artistic-2.0")
                ),
            ]
        );
    }

    #[test]
    fn syft_lock_v1() {
        // The fixture also holds a stray `"node_modules/async"` key in the v1 tree: not a
        // package name, so it is not a package (Syft drops it too, as a dev dependency).
        let path = "srv/app/package-lock.json";
        let (pkgs, d) = run(&[(path, read("pkgdb/lang/npm/syft/package-lock.json"))]);
        assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
        assert!(d.warnings[0].contains("node_modules/async"));
        assert_eq!(
            ids(&pkgs),
            [
                "@actions/core@1.6.0",
                "ansi-regex@3.0.0",
                "cowsay@1.4.0",
                "get-stdin@5.0.1",
                "is-fullwidth-code-point@2.0.0",
                "minimist@0.0.10",
                "optimist@0.6.1",
                "string-width@2.1.1",
                "strip-ansi@4.0.0",
                "strip-eof@1.0.0",
                "wordwrap@0.0.3",
            ]
        );
    }

    #[test]
    fn syft_lock_v2_v3() {
        // Syft's expectations without the root project entry, with the dev dependency.
        let v2 = lock("pkgdb/lang/npm/syft/package-lock-2.json");
        assert_eq!(
            ids(&v2),
            [
                "@types/prop-types@15.7.5",
                "@types/react@18.0.17",
                "@types/scheduler@0.16.2",
                "async@3.2.4 dev",
                "csstype@3.1.0"
            ]
        );
        assert!(
            v2.iter()
                .filter(|p| p.name != "async")
                .all(|p| p.metadata["license"] == "MIT")
        );
        let v3 = lock("pkgdb/lang/npm/syft/package-lock-3.json");
        assert_eq!(
            ids(&v3),
            [
                "@types/prop-types@15.7.5",
                "@types/react@18.0.20",
                "@types/scheduler@0.16.2",
                "async@3.2.4 dev",
                "csstype@3.1.1"
            ]
        );
    }

    #[test]
    fn syft_aliases_v1_and_v2_agree() {
        let want = ["@bundled-es-modules/chai@4.2.2", "case@1.6.2", "case@1.6.3"];
        assert_eq!(
            ids(&lock("pkgdb/lang/npm/syft/alias-package-lock-1.json")),
            want
        );
        assert_eq!(
            ids(&lock("pkgdb/lang/npm/syft/alias-package-lock-2.json")),
            want
        );
    }

    #[test]
    fn syft_nested_v1() {
        // Syft's expectations plus the dev subtree (excluded there by default).
        assert_eq!(
            ids(&lock("pkgdb/lang/npm/syft/nested-package-lock-1.json")),
            [
                "dev-nested@1.0.0 dev",
                "dev-parent@1.0.0 dev",
                "duplicate@1.0.0",
                "middle@1.0.0",
                "parent@1.0.0",
                "shared@0.5.0",
                "shared@1.0.0",
                "shared@2.0.0",
            ]
        );
    }

    #[test]
    fn osv_scalibr_v1_and_v2() {
        // The same project in both forms.
        let v1 = ids(&lock("pkgdb/lang/npm/osv-scalibr/scoped-packages.v1.json"));
        let v2 = ids(&lock("pkgdb/lang/npm/osv-scalibr/scoped-packages.v2.json"));
        assert_eq!(v1, ["@babel/code-frame@7.0.0", "wrappy@1.0.2"]);
        assert_eq!(v1, v2);

        // osv-scalibr's expectations for the v1 file (every package, deduplicated).
        let v1 = ids(&lock(
            "pkgdb/lang/npm/osv-scalibr/nested-dependencies-dup.v1.json",
        ));
        let want = [
            "@vue/component-compiler-utils@2.6.0",
            "autoprefixer@9.5.1",
            "babel-code-frame@6.26.0",
            "css-declaration-sorter@4.0.1",
            "cssnano-preset-default@4.0.7",
            "cssnano-util-raw-cache@4.0.1",
            "cssnano@4.1.10",
            "friendly-errors-webpack-plugin@1.7.0",
            "postcss-calc@7.0.1",
            "postcss-colormin@4.0.3",
            "postcss-convert-values@4.0.1",
            "postcss-discard-comments@4.0.2",
            "postcss-discard-duplicates@4.0.2",
            "postcss-discard-empty@4.0.1",
            "postcss-discard-overridden@4.0.1",
            "postcss-loader@3.0.0",
            "postcss-merge-longhand@4.0.11",
            "postcss-merge-rules@4.0.3",
            "postcss-minify-font-values@4.0.2",
            "postcss-minify-gradients@4.0.2",
            "postcss-minify-params@4.0.2",
            "postcss-minify-selectors@4.0.2",
            "postcss-normalize-charset@4.0.1",
            "postcss-normalize-display-values@4.0.2",
            "postcss-normalize-positions@4.0.2",
            "postcss-normalize-repeat-style@4.0.2",
            "postcss-normalize-string@4.0.2",
            "postcss-normalize-timing-functions@4.0.2",
            "postcss-normalize-unicode@4.0.1",
            "postcss-normalize-url@4.0.1",
            "postcss-normalize-whitespace@4.0.2",
            "postcss-ordered-values@4.1.2",
            "postcss-reduce-initial@4.0.3",
            "postcss-reduce-transforms@4.0.2",
            "postcss-svgo@4.0.2",
            "postcss-unique-selectors@4.0.1",
            "supports-color@2.0.0",
            "supports-color@5.5.0",
            "supports-color@6.1.0",
        ];
        assert_eq!(v1, want);
        // The v2 file is upstream's trimmed copy (only the nested supports-color copies):
        // osv-scalibr's expectations, a subset of the v1 set.
        let v2 = ids(&lock(
            "pkgdb/lang/npm/osv-scalibr/nested-dependencies-dup.v2.json",
        ));
        assert_eq!(v2, ["supports-color@2.0.0", "supports-color@6.1.0"]);
        assert!(v2.iter().all(|p| v1.contains(p)));
    }

    #[test]
    fn osv_scalibr_commits_and_bundled() {
        // Git dependencies: the version their package.json gave; raven-js has none.
        assert_eq!(
            ids(&lock("pkgdb/lang/npm/osv-scalibr/commits.v2.json")),
            [
                "@segment/analytics.js-integration-facebook-pixel@2.4.1",
                "ansi-styles@1.0.0",
                "babel-preset-php@1.1.1 dev",
                "is-number-1@3.0.0 dev",
                "is-number-2@2.0.0 dev",
                "is-number-3@2.0.0 dev",
                "is-number-3@3.0.0 dev",
                "is-number-4@3.0.0 dev",
                "is-number-5@3.0.0 dev",
                "postcss-calc@7.0.1",
                "slick-carousel@1.7.1 dev",
            ]
        );
        let bundled = lock("pkgdb/lang/npm/osv-scalibr/bundled-dependencies.v3.json");
        assert_eq!(
            ids(&bundled),
            ["ansi-regex@6.2.2", "semver@7.7.2 dev", "strip-ansi@7.1.2"]
        );
        assert_eq!(bundled[1].metadata["license"], "ISC");
    }

    #[test]
    fn v2_links_workspaces_nested_and_dev_merge() {
        let lock_json = br#"{"lockfileVersion": 3, "packages": {
            "": {"name": "root", "version": "1.0.0"},
            "packages/a": {"name": "a", "version": "0.1.0"},
            "node_modules/a": {"resolved": "packages/a", "link": true},
            "packages/a/node_modules/left-pad": {"version": "1.3.0", "license": ["MIT", {"type": "WTFPL"}, "MIT"]},
            "node_modules/x/node_modules/@s/y": {"version": "2.0.0", "dev": true, "license": {"type": "BSD"}},
            "node_modules/@s/y": {"version": "2.0.0"},
            "node_modules/z": {"version": "1.0.0", "dev": true},
            "node_modules/z2": {"name": "z", "version": "1.0.0", "dev": "yes"}
        }}"#;
        let (pkgs, d) = run(&[("app/package-lock.json", lock_json.to_vec())]);
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        assert_eq!(ids(&pkgs), ["@s/y@2.0.0", "left-pad@1.3.0", "z@1.0.0"]);
        assert_eq!(pkgs[0].metadata["license"], "BSD");
        assert_eq!(pkgs[1].metadata["license"], "MIT OR WTFPL");
    }

    #[test]
    fn v1_specs() {
        let lock_json = br#"{"lockfileVersion": 1, "dependencies": {
            "g": {"version": "git+ssh://git@github.com/a/g.git#0123456789abcdef0123456789abcdef01234567"},
            "h": {"version": "github:a/h#0123456"},
            "f": {"version": "file:../f"},
            "t": {"version": "https://example.com/t-1.0.0.tgz"},
            "al": {"version": "npm:@s/real@3.1.4"},
            "bad": {"version": "npm:@s/real"},
            "ok": {"version": "1.0.0", "dependencies": {"n": {"version": "2.0.0", "dev": true}}}
        }}"#;
        let (pkgs, d) = run(&[("app/npm-shrinkwrap.json", lock_json.to_vec())]);
        assert_eq!(ids(&pkgs), ["@s/real@3.1.4", "n@2.0.0 dev", "ok@1.0.0"]);
        assert_eq!(d.warnings.len(), 0, "{:?}", d.warnings);
    }

    #[test]
    fn hostile_inputs() {
        let cases: [(&str, &[u8]); 12] = [
            ("a/package-lock.json", b""),
            ("a/package-lock.json", b"{"),
            ("a/package-lock.json", b"[]"),
            ("a/package-lock.json", b"null"),
            ("a/package-lock.json", b"\xff\xfe{}"),
            (
                "a/package-lock.json",
                br#"{"packages": {"node_modules/a": {"version": "1"}}} trailing"#,
            ),
            (
                "a/package-lock.json",
                br#"{"packages": {}, "packages": {}}"#,
            ),
            ("a/node_modules/x/package.json", b""),
            ("a/node_modules/x/package.json", b"\"str\""),
            (
                "a/node_modules/x/package.json",
                br#"{"name": "a b", "version": "1.0.0"}"#,
            ),
            (
                "a/node_modules/x/package.json",
                br#"{"name": "x", "version": "1.0.0 || evil\n"}"#,
            ),
            (
                "a/node_modules/x/package.json",
                br#"{"name": "x", "version": "1.0.0""#,
            ),
        ];
        for (path, content) in cases {
            let (pkgs, d) = run(&[(path, content.to_vec())]);
            assert!(pkgs.is_empty(), "{content:?}");
            assert_eq!(d.warnings.len(), 1, "{content:?}: {:?}", d.warnings);
        }

        // Wrong types are read as absent, bad entries skipped, good ones kept.
        let lock_json = br#"{"lockfileVersion": "x", "packages": {
            "node_modules/a": 5, "node_modules/b": {"version": 1},
            "node_modules/c": {"version": "1.0.0", "dev": {"x": [1]}, "license": 7, "link": "true"},
            "node_modules/../../etc": {"version": "1.0.0"}
        }}"#;
        let (pkgs, d) = run(&[("a/package-lock.json", lock_json.to_vec())]);
        assert_eq!(ids(&pkgs), ["c@1.0.0"]);
        assert_eq!(d.warnings.len(), 2, "{:?}", d.warnings);
        let (pkgs, d) = run(&[(
            "a/node_modules/x/package.json",
            br#"{"name": ["x"], "version": "1.0.0", "license": [[["deep"]]]}"#.to_vec(),
        )]);
        assert!(pkgs.is_empty() && d.warnings.is_empty());

        // Deep v1 nesting: refused by serde_json's depth limit, no stack overflow.
        let depth = 100_000;
        let mut deep = String::from(r#"{"lockfileVersion":1,"dependencies":"#);
        for _ in 0..depth {
            deep.push_str(r#"{"a":{"version":"1.0.0","dependencies":"#);
        }
        deep.push_str("{}");
        for _ in 0..depth {
            deep.push_str("}}");
        }
        deep.push('}');
        let (pkgs, d) = run(&[("a/package-lock.json", deep.into_bytes())]);
        assert!(pkgs.is_empty());
        assert_eq!(d.warnings.len(), 1);
        assert!(
            d.warnings[0].contains("recursion limit"),
            "{:?}",
            d.warnings
        );

        // Moderately deep (below serde_json's limit) is read.
        let mut ok = String::from(r#"{"dependencies":"#);
        for i in 0..60 {
            ok.push_str(&format!(
                r#"{{"p{i}":{{"version":"1.0.{i}","dependencies":"#
            ));
        }
        ok.push_str("{}");
        ok.push_str(&"}}".repeat(60));
        ok.push('}');
        let (pkgs, d) = run(&[("a/package-lock.json", ok.into_bytes())]);
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        assert_eq!(pkgs.len(), 60);

        // A huge lock: many entries, huge ignored fields.
        let mut huge = String::from(r#"{"lockfileVersion":3,"packages":{"":{},"#);
        for i in 0..50_000 {
            huge.push_str(&format!(
                r#""node_modules/p{i}":{{"version":"1.0.0","integrity":"{}"}},"#,
                "x".repeat(100)
            ));
        }
        huge.push_str(r#""node_modules/last":{"version":"1.0.0"}}}"#);
        let (pkgs, d) = run(&[("a/package-lock.json", huge.into_bytes())]);
        assert!(d.warnings.is_empty());
        assert_eq!(pkgs.len(), 50_001);

        // A huge name is refused; its message is bounded.
        let long = "n".repeat(1 << 20);
        let (pkgs, d) = run(&[(
            "a/node_modules/x/package.json",
            format!(r#"{{"name":"{long}","version":"1.0.0"}}"#).into_bytes(),
        )]);
        assert!(pkgs.is_empty());
        assert!(d.warnings[0].len() < 200);
    }
}
