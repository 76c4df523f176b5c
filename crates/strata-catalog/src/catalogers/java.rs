//! Java archives (`.jar`, `.war`, `.ear`, Jenkins `.hpi`/`.jpi`), read in memory with the
//! `zip` crate (deflate only).
//!
//! Evidence, in the order Trivy's `parser/java/jar` and Syft's java cataloger use it:
//! every `META-INF/maven/<group>/<artifact>/pom.properties` is one package (a fat jar holds
//! several); without any, the main section of `META-INF/MANIFEST.MF` gives one package
//! (`confidence` = `medium`); without a usable manifest, a `name-1.2.3.jar` file name gives
//! one (`confidence` = `low`). Archives inside archives (`WEB-INF/lib/*.jar`,
//! `BOOT-INF/lib/*.jar`, ear modules…) are read recursively; their path is
//! `outer.war!/WEB-INF/lib/inner.jar`.
//!
//! Hostile archives are bounded: nesting depth, entry count, total decompressed bytes per
//! top-level archive and the compression ratio of each entry (zip bombs).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read};

use zip::ZipArchive;

use crate::{Cataloger, Diagnostics, FileInfo, Package, PackageKind};

/// Archive suffixes read as Java archives (lowercase).
const SUFFIXES: [&str; 5] = [".jar", ".war", ".ear", ".jpi", ".hpi"];

/// Bounds for one top-level archive and everything nested in it.
#[derive(Debug, Clone, Copy)]
struct Limits {
    /// Deepest nesting read (the top-level archive is depth 0).
    depth: usize,
    /// Decompressed bytes read from all entries, nested ones included.
    total: u64,
    /// Entries of one archive.
    entries: usize,
    /// Largest decompressed/compressed ratio of an entry once it exceeds `ratio_floor`.
    ratio: u64,
    ratio_floor: u64,
    /// Largest `pom.properties` / `MANIFEST.MF` read.
    text: u64,
    /// Largest nested archive read.
    nested: u64,
}

const LIMITS: Limits = Limits {
    depth: 4,
    total: 1 << 30,
    entries: 100_000,
    // Deflate text rarely passes 20:1; a bomb is far above 100:1.
    ratio: 100,
    ratio_floor: 1 << 20,
    text: 1 << 20,
    nested: 512 << 20,
};

/// Finds Maven packages in Java archives.
#[derive(Debug, Default)]
pub struct JavaCataloger {
    packages: Vec<Package>,
}

impl JavaCataloger {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Cataloger for JavaCataloger {
    fn name(&self) -> &'static str {
        "java"
    }

    fn version(&self) -> u32 {
        1
    }

    fn wants(&self, file: &FileInfo<'_>) -> bool {
        is_archive_name(file.path)
    }

    fn max_size(&self) -> u64 {
        512 << 20
    }

    fn visit(&mut self, file: &FileInfo<'_>, content: &[u8], diagnostics: &mut Diagnostics) {
        let mut walk = Walk {
            limits: LIMITS,
            budget: LIMITS.total,
            diagnostics,
            packages: &mut self.packages,
        };
        // A spent budget has already been reported; what was found before it is kept.
        let _ = walk.archive(content, file.path, 0);
    }

    fn finish(&mut self, _diagnostics: &mut Diagnostics) -> Vec<Package> {
        std::mem::take(&mut self.packages)
    }
}

fn is_archive_name(path: &str) -> bool {
    let bytes = path.as_bytes();
    SUFFIXES.iter().any(|suffix| {
        bytes.len() > suffix.len()
            && bytes
                .get(bytes.len() - suffix.len()..)
                .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix.as_bytes()))
    })
}

/// The decompression budget of the top-level archive is spent: stop reading it.
struct BudgetSpent;

/// Why an entry was not read.
enum EntryError {
    /// This entry is unusable (corrupt, encrypted, too big for its kind): skip it.
    Skip(String),
    /// A zip bomb: stop reading this archive.
    Bomb(String),
    /// The whole top-level archive's budget is spent.
    Budget,
}

/// What an entry is to us.
enum Entry {
    Pom,
    Manifest,
    Nested,
}

fn classify(name: &str) -> Option<Entry> {
    if name.ends_with('/') {
        return None;
    }
    if name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
        return Some(Entry::Manifest);
    }
    let parts: Vec<&str> = name.split('/').collect();
    if let ["META-INF", "maven", group, artifact, "pom.properties"] = parts.as_slice()
        && !group.is_empty()
        && !artifact.is_empty()
    {
        return Some(Entry::Pom);
    }
    is_archive_name(name).then_some(Entry::Nested)
}

/// Reads one top-level archive and what it nests.
struct Walk<'a> {
    limits: Limits,
    /// Decompressed bytes still allowed.
    budget: u64,
    diagnostics: &'a mut Diagnostics,
    packages: &'a mut Vec<Package>,
}

impl Walk<'_> {
    fn archive(&mut self, data: &[u8], path: &str, depth: usize) -> Result<(), BudgetSpent> {
        // The zip crate keeps every central-directory record in memory: count the record
        // signatures first (an upper bound on entries) so a hostile file cannot make it
        // allocate millions of them.
        let records = memchr::memmem::find_iter(data, b"PK\x01\x02")
            .take(self.limits.entries.saturating_add(1))
            .count();
        if records > self.limits.entries {
            self.diagnostics.warn(
                path,
                format!(
                    "more than {} zip entries, archive skipped",
                    self.limits.entries
                ),
            );
            return Ok(());
        }
        let mut zip = match ZipArchive::new(Cursor::new(data)) {
            Ok(zip) => zip,
            Err(err) => {
                self.diagnostics
                    .warn(path, format!("not a readable zip archive: {err}"));
                return Ok(());
            }
        };
        let wanted: Vec<(usize, String, Entry)> = zip
            .file_names_raw()
            .enumerate()
            .filter_map(|(index, raw)| {
                let name = String::from_utf8_lossy(raw);
                classify(&name).map(|kind| (index, name.into_owned(), kind))
            })
            .collect();

        let mut found: Vec<Package> = Vec::new();
        let mut seen = BTreeSet::new();
        let mut manifest = None;
        let mut nested = Vec::new();
        for (index, name, kind) in wanted {
            match kind {
                Entry::Nested => nested.push((index, name)),
                Entry::Pom | Entry::Manifest => {
                    let bytes = match self.read(&mut zip, index, self.limits.text) {
                        Ok(bytes) => bytes,
                        Err(EntryError::Skip(why)) => {
                            self.diagnostics.warn(path, format!("{name}: {why}"));
                            continue;
                        }
                        Err(EntryError::Bomb(why)) => {
                            self.diagnostics
                                .warn(path, format!("{name}: {why}, archive not read further"));
                            return Ok(());
                        }
                        Err(EntryError::Budget) => return Err(self.budget_spent(path)),
                    };
                    if let Entry::Manifest = kind {
                        manifest = Some(Manifest::parse(&bytes));
                    } else {
                        match pom_package(&bytes, path) {
                            Ok(pkg) => {
                                if seen.insert((pkg.name.clone(), pkg.version.clone())) {
                                    found.push(pkg);
                                }
                            }
                            Err(why) => self.diagnostics.warn(path, format!("{name}: {why}")),
                        }
                    }
                }
            }
        }
        if found.is_empty() {
            let file_name = path.rsplit('/').next().unwrap_or(path);
            let guess = manifest
                .and_then(|m| m.package(file_name, path))
                .or_else(|| file_name_package(file_name, path));
            found.extend(guess);
        }
        self.packages.append(&mut found);

        if nested.is_empty() {
            return Ok(());
        }
        if depth >= self.limits.depth {
            self.diagnostics.warn(
                path,
                format!(
                    "archives nested deeper than {} levels not read",
                    self.limits.depth
                ),
            );
            return Ok(());
        }
        for (index, name) in nested {
            let bytes = match self.read(&mut zip, index, self.limits.nested) {
                Ok(bytes) => bytes,
                Err(EntryError::Skip(why)) => {
                    self.diagnostics.warn(path, format!("{name}: {why}"));
                    continue;
                }
                Err(EntryError::Bomb(why)) => {
                    self.diagnostics
                        .warn(path, format!("{name}: {why}, archive not read further"));
                    return Ok(());
                }
                Err(EntryError::Budget) => return Err(self.budget_spent(path)),
            };
            self.archive(&bytes, &format!("{path}!/{name}"), depth + 1)?;
        }
        Ok(())
    }

    fn budget_spent(&mut self, path: &str) -> BudgetSpent {
        self.diagnostics.warn(
            path,
            format!(
                "over {} decompressed bytes in this archive, rest not read",
                self.limits.total
            ),
        );
        BudgetSpent
    }

    /// Decompresses entry `index`, at most `cap` bytes, within the budget and ratio limit.
    fn read(
        &mut self,
        zip: &mut ZipArchive<Cursor<&[u8]>>,
        index: usize,
        cap: u64,
    ) -> Result<Vec<u8>, EntryError> {
        let entry = zip
            .by_index(index)
            .map_err(|err| EntryError::Skip(err.to_string()))?;
        let ratio_cap = entry
            .compressed_size()
            .saturating_mul(self.limits.ratio)
            .max(self.limits.ratio_floor);
        let limit = cap.min(ratio_cap).min(self.budget);
        // Which bound an oversized entry hits, decided before the budget shrinks.
        let excess = if self.budget < cap.min(ratio_cap) {
            EntryError::Budget
        } else if ratio_cap < cap {
            EntryError::Bomb(format!(
                "compression ratio over {}:1 (zip bomb?)",
                self.limits.ratio
            ))
        } else {
            EntryError::Skip(format!("larger than {cap} bytes, skipped"))
        };
        // The declared size may lie, so it only rejects early; the read itself is bounded.
        if entry.size() > limit {
            return Err(excess);
        }
        let capacity = usize::try_from(entry.size()).unwrap_or(0).min(1 << 20);
        let mut bytes = Vec::with_capacity(capacity);
        let result = entry.take(limit.saturating_add(1)).read_to_end(&mut bytes);
        let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        self.budget = self.budget.saturating_sub(read.min(limit));
        if read > limit {
            return Err(excess);
        }
        result.map_err(|err| EntryError::Skip(format!("cannot decompress: {err}")))?;
        Ok(bytes)
    }
}

/// A package from `pom.properties` (Maven's `maven-archiver` writes groupId, artifactId,
/// version there).
fn pom_package(bytes: &[u8], path: &str) -> Result<Package, String> {
    let props = parse_properties(bytes);
    let get = |key: &str| props.get(key).map(|v| v.trim()).filter(|v| !v.is_empty());
    let (Some(group), Some(artifact), Some(version)) =
        (get("groupId"), get("artifactId"), get("version"))
    else {
        return Err("pom.properties without groupId, artifactId and version".to_string());
    };
    Ok(maven_package(Some(group), artifact, version, path))
}

fn maven_package(group: Option<&str>, artifact: &str, version: &str, path: &str) -> Package {
    let name = match group {
        Some(group) => format!("{group}:{artifact}"),
        None => artifact.to_string(),
    };
    let mut pkg = Package::new(PackageKind::Maven, name, version, path);
    if let Some(group) = group {
        pkg.metadata.insert("group_id".into(), group.into());
    }
    pkg.metadata.insert("artifact_id".into(), artifact.into());
    pkg
}

/// `java.util.Properties.load(InputStream)`: ISO-8859-1 text, `#`/`!` comments, keys ending
/// at an unescaped `=`, `:` or blank, backslash continuation lines and escapes.
fn parse_properties(bytes: &[u8]) -> BTreeMap<String, String> {
    // ISO-8859-1: every byte is the code point of the same value.
    let text: String = bytes.iter().map(|&b| char::from(b)).collect();
    let mut props = BTreeMap::new();
    let mut logical = String::new();
    let mut lines = text.split(['\n', '\r']).peekable();
    while let Some(line) = lines.next() {
        let line = line.trim_start_matches([' ', '\t', '\u{c}']);
        if logical.is_empty() && (line.is_empty() || line.starts_with('#') || line.starts_with('!'))
        {
            continue;
        }
        // An odd number of trailing backslashes continues the line.
        let trailing = line.chars().rev().take_while(|&c| c == '\\').count();
        if trailing % 2 == 1 && lines.peek().is_some() {
            logical.push_str(line.strip_suffix('\\').unwrap_or(line));
            continue;
        }
        logical.push_str(line);
        let (key, value) = split_property(&logical);
        props.insert(key, value);
        logical.clear();
    }
    props
}

fn split_property(line: &str) -> (String, String) {
    let mut key = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => key.push(unescape(&mut chars)),
            '=' | ':' | ' ' | '\t' | '\u{c}' => {
                // Blanks, then at most one `=` or `:`, then blanks.
                let mut separator_seen = c == '=' || c == ':';
                while let Some(&next) = chars.peek() {
                    if matches!(next, ' ' | '\t' | '\u{c}')
                        || (!separator_seen && matches!(next, '=' | ':'))
                    {
                        separator_seen |= matches!(next, '=' | ':');
                        chars.next();
                    } else {
                        break;
                    }
                }
                break;
            }
            _ => key.push(c),
        }
    }
    let mut value = String::new();
    while let Some(c) = chars.next() {
        if c == '\\' {
            value.push(unescape(&mut chars));
        } else {
            value.push(c);
        }
    }
    (key, value)
}

/// The character after a backslash: `\t \n \r \f`, `\uXXXX`, or the character itself.
fn unescape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> char {
    match chars.next() {
        Some('t') => '\t',
        Some('n') => '\n',
        Some('r') => '\r',
        Some('f') => '\u{c}',
        Some('u') => {
            let hex: String = (0..4)
                .filter_map(|_| chars.next_if(char::is_ascii_hexdigit))
                .collect();
            u32::from_str_radix(&hex, 16)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or(char::REPLACEMENT_CHARACTER)
        }
        Some(other) => other,
        None => '\\',
    }
}

/// The main section of a JAR manifest (JAR File Specification, "Manifest Specification"):
/// `Name: value` headers up to the first blank line, continuation lines start with one
/// space, names are case-insensitive. Per-entry sections describe files, not the archive.
#[derive(Debug, Default)]
struct Manifest {
    /// Lowercase header name → value (a repeated header keeps its last value, as
    /// `java.util.jar.Attributes` does).
    attributes: BTreeMap<String, String>,
}

impl Manifest {
    fn parse(bytes: &[u8]) -> Manifest {
        let text = String::from_utf8_lossy(bytes);
        let mut manifest = Manifest::default();
        let mut header = String::new();
        // Line ends are CR LF, LF or CR alone.
        for line in text.split("\r\n").flat_map(|l| l.split(['\n', '\r'])) {
            if let Some(rest) = line.strip_prefix(' ') {
                header.push_str(rest);
                continue;
            }
            manifest.add(&header);
            header.clear();
            if line.is_empty() {
                break;
            }
            header.push_str(line);
        }
        manifest.add(&header);
        manifest
    }

    fn add(&mut self, header: &str) {
        if let Some((name, value)) = header.split_once(':') {
            let name = name.trim();
            if !name.is_empty() {
                self.attributes
                    .insert(name.to_ascii_lowercase(), value.trim().to_string());
            }
        }
    }

    /// A header's value, unless empty or a placeholder (`%bundleName` localised OSGi
    /// headers, unexpanded `${project.version}`).
    fn get(&self, name: &str) -> Option<&str> {
        self.attributes
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
            .filter(|v| !v.is_empty() && !v.starts_with('%') && !v.contains("${"))
    }

    /// The package the manifest describes, or `None` without an artifact name and version.
    fn package(&self, file_name: &str, path: &str) -> Option<Package> {
        let header = |h: &str| self.get(h).filter(|v| is_token(v));
        let project_version = header("Implementation-Version").or_else(|| header("Plugin-Version"));
        // The manifest's version tells where the file name's version starts
        // (`zstd-jni-1.3.8-5.jar` with Implementation-Version 1.3.8-5).
        let stem = file_stem(file_name);
        let from_file = stem
            .zip(project_version)
            .and_then(|(stem, v)| stem.strip_suffix(v)?.strip_suffix('-'))
            .filter(|name| is_plain_name(name))
            .map(|name| (name, project_version))
            .or_else(|| stem.and_then(split_stem));
        // Jenkins plugins (`.hpi`/`.jpi`) name their Maven coordinates outright.
        let jenkins_group = self.get("Group-Id");
        // A Maven-style `artifact-version.jar` name is the artifactId more often than the
        // titles, which are display names ("Cassandra", "Jackson-annotations", "com.sun.jna").
        let maven_file = from_file.filter(|(_, version)| version.is_some());
        let artifact = jenkins_group
            .and(self.get("Short-Name"))
            .or(maven_file.map(|(name, _)| name))
            .or_else(|| self.get("Implementation-Title").filter(|t| is_token(t)))
            .or(from_file.map(|(name, _)| name))
            .or_else(|| self.get("Bundle-Name").filter(|t| is_token(t)))
            .or_else(|| self.get("Extension-Name").filter(|t| is_token(t)))?;
        // Implementation-Version is the project version; Bundle-Version is its OSGi form
        // (`27.0.0.jre` for 27.0-jre, `1.26.0` for 1.26), so a file name's version comes
        // first; Specification-Version is often only major.minor.
        let version = project_version
            .or(maven_file.and_then(|(_, version)| version))
            .or_else(|| header("Bundle-Version"))
            .or_else(|| header("Specification-Version"))?;
        let symbolic_name = self
            .get("Bundle-SymbolicName")
            .map(|v| v.split(';').next().unwrap_or(v).trim());
        let vendor_id = self.get("Implementation-Vendor-Id");
        let group = jenkins_group.or_else(|| vendor_id.filter(|v| is_group_id(v)));
        let mut pkg = maven_package(group, artifact, version, path);
        pkg.metadata.insert("confidence".into(), "medium".into());
        if let Some(bsn) = symbolic_name.filter(|v| !v.is_empty()) {
            // `<group>.<artifact>` or the group alone (maven-bundle-plugin's default):
            // kept for matching, not guessed into the name.
            pkg.metadata
                .insert("bundle_symbolic_name".into(), bsn.into());
        }
        if let Some(vendor) = self
            .get("Implementation-Vendor")
            .or(self.get("Bundle-Vendor"))
        {
            pkg.metadata.insert("vendor".into(), vendor.into());
        }
        Some(pkg)
    }
}

/// A machine name, not a display title ("jackson-databind", not "Apache Log4j Core").
fn is_token(value: &str) -> bool {
    value.len() <= 200
        && !value.contains(|c: char| c.is_whitespace() || matches!(c, '/' | ':' | ',' | ';'))
}

/// Implementation-Vendor-Id is a group when it looks like one. Maven's archiver sets it to
/// the project's groupId, but the Apache parent POM overrides it with `org.apache` for
/// every Apache project, so that value names no artifact's group.
fn is_group_id(value: &str) -> bool {
    value != "org.apache"
        && value.contains('.')
        && value.split('.').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
}

/// The file name without its archive suffix.
fn file_stem(file_name: &str) -> Option<&str> {
    SUFFIXES.iter().find_map(|suffix| {
        let cut = file_name.len().checked_sub(suffix.len())?;
        let (stem, tail) = file_name.split_at_checked(cut)?;
        tail.eq_ignore_ascii_case(suffix).then_some(stem)
    })
}

/// `name-1.2.3.jar` → (`name`, `1.2.3`); `name.jar` → (`name`, none).
fn split_file_name(file_name: &str) -> Option<(&str, Option<&str>)> {
    split_stem(file_stem(file_name)?)
}

/// As Trivy's `jarFileRegEx`, the version starts at the last `-` followed by a digit
/// (`log4j-1.2-api-2.17.1` → `log4j-1.2-api`, `2.17.1`).
fn split_stem(stem: &str) -> Option<(&str, Option<&str>)> {
    let split = stem.match_indices('-').map(|(at, _)| at).rfind(|&at| {
        stem.get(at + 1..)
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
    });
    let (name, version) = match split.and_then(|at| Some((stem.get(..at)?, stem.get(at + 1..)?))) {
        Some((name, version)) => (name, Some(version)),
        None => (stem, None),
    };
    let plausible = is_plain_name(name) && version.is_none_or(|v| !v.contains(char::is_whitespace));
    plausible.then_some((name, version))
}

fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.ends_with(['-', '*'])
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// The last resort: a name and version from the file name, with low confidence.
fn file_name_package(file_name: &str, path: &str) -> Option<Package> {
    let (name, version) = split_file_name(file_name)?;
    let mut pkg = maven_package(None, name, version?, path);
    pkg.metadata.insert("confidence".into(), "low".into());
    Some(pkg)
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::path::{Path, PathBuf};

    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, ZipWriter};

    use super::*;

    fn test_data(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("test-data/java")
            .join(name)
    }

    fn shared(relative: &str) -> Vec<u8> {
        let path = crate::testdata::shared_data(&format!("pkgdb/lang/java/{relative}"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Runs the cataloger on one file, as the indexer would.
    fn catalog(path: &str, content: &[u8]) -> (Vec<Package>, Diagnostics) {
        catalog_with(path, content, LIMITS)
    }

    fn catalog_with(path: &str, content: &[u8], limits: Limits) -> (Vec<Package>, Diagnostics) {
        let mut diagnostics = Diagnostics::default();
        let mut packages = Vec::new();
        let mut walk = Walk {
            limits,
            budget: limits.total,
            diagnostics: &mut diagnostics,
            packages: &mut packages,
        };
        let _ = walk.archive(content, path, 0);
        (packages, diagnostics)
    }

    fn zip_of(entries: &[(&str, &[u8], CompressionMethod)]) -> Vec<u8> {
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data, method) in entries {
            writer
                .start_file(
                    *name,
                    SimpleFileOptions::default().compression_method(*method),
                )
                .unwrap();
            writer.write_all(data).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    fn summary(packages: &[Package]) -> Vec<(String, String, String)> {
        packages
            .iter()
            .map(|p| (p.name.clone(), p.version.clone(), p.paths.join(",")))
            .collect()
    }

    const STORED: CompressionMethod = CompressionMethod::Stored;
    const DEFLATED: CompressionMethod = CompressionMethod::Deflated;

    #[test]
    fn wants_archives_only() {
        let c = JavaCataloger::new();
        let wants = |path| {
            c.wants(&FileInfo {
                path,
                size: 1,
                mode: 0o644,
            })
        };
        assert!(wants("opt/app/lib/commons-text-1.9.jar"));
        assert!(wants("opt/app/webapp.war"));
        assert!(wants("srv/App.EAR"));
        assert!(wants("var/jenkins_home/plugins/git.jpi"));
        assert!(wants("var/jenkins_home/plugins/git.hpi"));
        assert!(!wants("usr/share/java/foo.jar.sha1"));
        assert!(!wants(".jar"));
        assert!(!wants("usr/lib/libjar.so"));
    }

    #[test]
    fn real_jar_commons_text() {
        let data = std::fs::read(test_data("commons-text-1.9.jar")).unwrap();
        let (packages, diagnostics) = catalog("opt/app/lib/commons-text-1.9.jar", &data);
        assert_eq!(diagnostics.warnings, Vec::<String>::new());
        assert_eq!(packages.len(), 1);
        let p = &packages[0];
        assert_eq!(p.kind, Some(PackageKind::Maven));
        assert_eq!(p.name, "org.apache.commons:commons-text");
        assert_eq!(p.version, "1.9");
        assert_eq!(p.paths, vec!["opt/app/lib/commons-text-1.9.jar"]);
        assert_eq!(p.metadata["group_id"], "org.apache.commons");
        assert_eq!(p.metadata["artifact_id"], "commons-text");
        assert!(!p.metadata.contains_key("confidence"));
    }

    #[test]
    fn real_jar_with_manifest_and_pom() {
        // log4j-jcl has both; pom.properties wins and the manifest adds no second package.
        let data = std::fs::read(test_data("log4j-jcl-2.17.1.jar")).unwrap();
        let (packages, diagnostics) = catalog("opt/app/lib/log4j-jcl-2.17.1.jar", &data);
        assert!(
            diagnostics.warnings.is_empty(),
            "{:?}",
            diagnostics.warnings
        );
        assert_eq!(
            summary(&packages),
            vec![(
                "org.apache.logging.log4j:log4j-jcl".into(),
                "2.17.1".into(),
                "opt/app/lib/log4j-jcl-2.17.1.jar".into()
            )]
        );
    }

    #[test]
    fn real_war_with_nested_jars() {
        let data = std::fs::read(test_data("webapp.war")).unwrap();
        let mut cataloger = JavaCataloger::new();
        let file = FileInfo {
            path: "opt/app/webapp.war",
            size: data.len() as u64,
            mode: 0o644,
        };
        assert!(cataloger.wants(&file));
        let mut diagnostics = Diagnostics::default();
        cataloger.visit(&file, &data, &mut diagnostics);
        let packages = cataloger.finish(&mut diagnostics);
        assert!(
            diagnostics.warnings.is_empty(),
            "{:?}",
            diagnostics.warnings
        );
        // The war itself has a manifest without coordinates and no version in its name.
        assert_eq!(
            summary(&packages),
            vec![
                (
                    "org.apache.commons:commons-text".into(),
                    "1.9".into(),
                    "opt/app/webapp.war!/WEB-INF/lib/commons-text-1.9.jar".into()
                ),
                (
                    "com.fasterxml.jackson.core:jackson-databind".into(),
                    "2.12.1".into(),
                    "opt/app/webapp.war!/WEB-INF/lib/jackson-databind-2.12.1.jar".into()
                ),
            ]
        );
    }

    #[test]
    fn pom_properties_claircore_corpus() {
        // claircore's pom.properties extracted from real jars, named `<jar file>.pom.properties`:
        // every one parses, and artifactId-version is how the jar was named.
        let dir =
            crate::testdata::shared_data("pkgdb/lang/java/claircore-extracted/pom.properties");
        let mut count = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let file = path.file_name().unwrap().to_str().unwrap().to_string();
            let jar = file.strip_suffix(".pom.properties").unwrap();
            let pkg = pom_package(&std::fs::read(&path).unwrap(), jar)
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            count += 1;
            let artifact = &pkg.metadata["artifact_id"];
            assert_eq!(
                pkg.name,
                format!("{}:{artifact}", pkg.metadata["group_id"]),
                "{file}"
            );
            if jar == "cassandra-driver-core-3.11.0-shaded.jar" {
                // A shaded jar: the pom.properties extracted is the one of a library inside.
                assert_eq!(
                    (pkg.name.as_str(), pkg.version.as_str()),
                    ("org.jctools:jctools-core", "2.1.1")
                );
                continue;
            }
            assert!(
                jar.starts_with(&format!("{artifact}-{}", pkg.version)),
                "{file}: {pkg:?}"
            );
        }
        assert_eq!(count, 49);
        let named = |f: &str| {
            pom_package(
                &shared(&format!("claircore-extracted/pom.properties/{f}")),
                f,
            )
            .unwrap()
        };
        let guava = named("guava-27.0-jre.jar.pom.properties");
        assert_eq!(
            (guava.name.as_str(), guava.version.as_str()),
            ("com.google.guava:guava", "27.0-jre")
        );
        let databind = named("jackson-databind-2.9.10.8.jar.pom.properties");
        assert_eq!(databind.name, "com.fasterxml.jackson.core:jackson-databind");
        assert_eq!(databind.version, "2.9.10.8");
        let logback = named("logback-classic-1.2.3.jar.pom.properties");
        assert_eq!(
            (logback.name.as_str(), logback.version.as_str()),
            ("ch.qos.logback:logback-classic", "1.2.3")
        );
        let snakeyaml = named("snakeyaml-1.26.jar.pom.properties");
        assert_eq!(
            (snakeyaml.name.as_str(), snakeyaml.version.as_str()),
            ("org.yaml:snakeyaml", "1.26")
        );
        // netty-all's pom.properties is only three lines without a comment header.
        let netty = named("netty-all-4.1.58.Final.jar.pom.properties");
        assert_eq!(
            (netty.name.as_str(), netty.version.as_str()),
            ("io.netty:netty-all", "4.1.58.Final")
        );
    }

    #[test]
    fn syft_jar_metadata_opensaml() {
        let pom = shared(
            "syft-jar-metadata/opensaml-core-3.4.6/META-INF/maven/org.opensaml/opensaml-core/pom.properties",
        );
        let manifest = shared("syft-jar-metadata/opensaml-core-3.4.6/META-INF/MANIFEST.MF");
        let jar = zip_of(&[
            ("META-INF/MANIFEST.MF", &manifest, DEFLATED),
            (
                "META-INF/maven/org.opensaml/opensaml-core/pom.properties",
                &pom,
                DEFLATED,
            ),
        ]);
        let (packages, diagnostics) = catalog("opt/opensaml-core-3.4.6.jar", &jar);
        assert!(diagnostics.warnings.is_empty());
        assert_eq!(
            summary(&packages),
            vec![(
                "org.opensaml:opensaml-core".into(),
                "3.4.6".into(),
                "opt/opensaml-core-3.4.6.jar".into()
            )]
        );
    }

    /// Every claircore manifest (main section only), with the jar's file name: what it
    /// identifies (name, version), or None when it holds neither title nor version.
    #[test]
    fn manifest_claircore_corpus() {
        let expected: &[(&str, Option<(&str, &str)>)] = &[
            (
                "HdrHistogram-2.1.9",
                Some(("org.hdrhistogram:HdrHistogram", "2.1.9")),
            ),
            ("ST4-4.0.8", Some(("org.antlr:ST4", "4.0.8"))),
            ("airline-0.8", Some(("io.airlift:airline", "0.8"))),
            (
                "antlr-runtime-3.5.2",
                Some(("org.antlr:antlr-runtime", "3.5.2")),
            ),
            (
                "apache-cassandra-4.0.0",
                Some(("apache-cassandra", "4.0.0")),
            ),
            ("asm-7.1", Some(("asm", "7.1"))),
            ("caffeine-2.3.5", Some(("caffeine", "2.3.5"))),
            (
                "cassandra-driver-core-3.11.0-shaded",
                Some(("cassandra-driver-core", "3.11.0-shaded")),
            ),
            (
                "chronicle-bytes-2.20.111",
                Some(("net.openhft:chronicle-bytes", "2.20.111")),
            ),
            (
                "chronicle-core-2.20.126",
                Some(("chronicle-core", "2.20.126")),
            ),
            (
                "chronicle-queue-5.20.123",
                Some(("chronicle-queue", "5.20.123")),
            ),
            (
                "chronicle-threads-2.20.111",
                Some(("chronicle-threads", "2.20.111")),
            ),
            (
                "chronicle-wire-2.20.117",
                Some(("chronicle-wire", "2.20.117")),
            ),
            ("commons-cli-1.1", Some(("commons-cli", "1.1"))),
            ("commons-codec-1.9", Some(("commons-codec", "1.9"))),
            ("commons-lang3-3.11", Some(("commons-lang3", "3.11"))),
            ("commons-math3-3.2", Some(("commons-math3", "3.2"))),
            (
                "concurrent-trees-2.4.0",
                Some(("concurrent-trees", "2.4.0")),
            ),
            ("ecj-4.6.1", Some(("ecj", "4.6.1"))),
            ("fqltool", None),
            ("guava-27.0-jre", Some(("guava", "27.0-jre"))),
            ("high-scale-lib-1.0.6", Some(("high-scale-lib", "1.0.6"))),
            ("hppc-0.8.1", Some(("hppc", "0.8.1"))),
            (
                "j2objc-annotations-1.3",
                Some(("j2objc-annotations", "1.3")),
            ),
            (
                "jackson-annotations-2.9.10",
                Some(("com.fasterxml.jackson.core:jackson-annotations", "2.9.10")),
            ),
            (
                "jackson-core-2.9.10",
                Some(("com.fasterxml.jackson.core:jackson-core", "2.9.10")),
            ),
            (
                "jackson-databind-2.9.10.8",
                Some(("com.fasterxml.jackson.core:jackson-databind", "2.9.10.8")),
            ),
            ("jamm-0.3.2", Some(("jamm", "0.3.2"))),
            (
                "java-cup-runtime-11b-20160615",
                Some(("java-cup-runtime-11b", "20160615")),
            ),
            ("jbcrypt-0.3m", Some(("jbcrypt", "0.3m"))),
            ("jcl-over-slf4j-1.7.25", Some(("jcl-over-slf4j", "1.7.25"))),
            ("jcommander-1.30", Some(("jcommander", "1.30"))),
            ("jctools-core-3.1.0", Some(("jctools-core", "3.1.0"))),
            ("jflex-1.8.2", Some(("jflex", "1.8.2"))),
            ("jna-5.6.0", Some(("jna", "5.6.0"))),
            ("json-simple-1.1", Some(("json-simple", "1.1"))),
            ("jvm-attach-api-1.5", Some(("jvm-attach-api", "1.5"))),
            (
                "log4j-over-slf4j-1.7.25",
                Some(("log4j-over-slf4j", "1.7.25")),
            ),
            ("logback-classic-1.2.3", Some(("logback-classic", "1.2.3"))),
            ("logback-core-1.2.3", Some(("logback-core", "1.2.3"))),
            ("lz4-java-1.7.1", Some(("lz4-java", "1.7.1"))),
            (
                "metrics-core-3.1.5",
                Some(("io.dropwizard.metrics:metrics-core", "3.1.5")),
            ),
            (
                "metrics-jvm-3.1.5",
                Some(("io.dropwizard.metrics:metrics-jvm", "3.1.5")),
            ),
            (
                "metrics-logback-3.1.5",
                Some(("io.dropwizard.metrics:metrics-logback", "3.1.5")),
            ),
            ("mxdump-0.14", Some(("mxdump", "0.14"))),
            (
                "netty-all-4.1.58.Final",
                Some(("io.netty:netty-all", "4.1.58.Final")),
            ),
            (
                "netty-tcnative-boringssl-static-2.0.36.Final",
                Some(("netty-tcnative-boringssl-static", "2.0.36.Final")),
            ),
            ("ohc-core-0.5.1", Some(("ohc-core", "0.5.1"))),
            ("ohc-core-j8-0.5.1", Some(("ohc-core-j8", "0.5.1"))),
            ("psjava-0.1.19", Some(("psjava", "0.1.19"))),
            (
                "reporter-config-base-3.0.3",
                Some(("com.addthis.metrics:reporter-config-base", "3.0.3")),
            ),
            (
                "reporter-config3-3.0.3",
                Some(("com.addthis.metrics:reporter-config3", "3.0.3")),
            ),
            ("sigar-1.6.4", Some(("sigar", "1.6.4"))),
            ("sjk-cli-0.14", Some(("sjk-cli", "0.14"))),
            ("sjk-core-0.14", Some(("sjk-core", "0.14"))),
            ("sjk-json-0.14", Some(("sjk-json", "0.14"))),
            ("sjk-stacktrace-0.14", Some(("sjk-stacktrace", "0.14"))),
            ("slf4j-api-1.7.25", Some(("slf4j-api", "1.7.25"))),
            ("snakeyaml-1.26", Some(("snakeyaml", "1.26"))),
            ("snappy-java-1.1.2.6", Some(("snappy-java", "1.1.2.6"))),
            (
                "snowball-stemmer-1.3.0.581.1",
                Some(("snowball-stemmer", "1.3.0.581.1")),
            ),
            ("stream-2.5.2", Some(("stream", "2.5.2"))),
            ("stress", None),
            (
                "zstd-jni-1.3.8-5",
                Some(("com.github.luben:zstd-jni", "1.3.8-5")),
            ),
        ];
        let dir = crate::testdata::shared_data("pkgdb/lang/java/claircore-extracted/MANIFEST.MF");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        files.sort();
        let mut actual = Vec::new();
        for file in &files {
            let jar = file.strip_suffix(".MANIFEST.MF").unwrap();
            let manifest = Manifest::parse(&std::fs::read(dir.join(file)).unwrap());
            let pkg = manifest.package(jar, jar);
            if let Some(p) = &pkg {
                assert_eq!(p.metadata["confidence"], "medium");
            }
            actual.push((
                jar.strip_suffix(".jar").unwrap().to_string(),
                pkg.map(|p| (p.name, p.version)),
            ));
        }
        let expected: Vec<(String, Option<(String, String)>)> = expected
            .iter()
            .map(|(f, p)| {
                (
                    f.to_string(),
                    p.map(|(n, v)| (n.to_string(), v.to_string())),
                )
            })
            .collect();
        assert_eq!(actual, expected);
    }

    #[test]
    fn manifest_details_from_real_files() {
        let read = |f: &str| {
            Manifest::parse(&shared(&format!(
                "claircore-extracted/MANIFEST.MF/{f}.jar.MANIFEST.MF"
            )))
        };
        let guava = read("guava-27.0-jre");
        assert_eq!(guava.get("Bundle-SymbolicName"), Some("com.google.guava"));
        let pkg = guava
            .package("guava-27.0-jre.jar", "x/guava-27.0-jre.jar")
            .unwrap();
        assert_eq!(pkg.metadata["bundle_symbolic_name"], "com.google.guava");
        assert_eq!(pkg.metadata["artifact_id"], "guava");
        assert!(!pkg.metadata.contains_key("group_id"));
        let databind = read("jackson-databind-2.9.10.8");
        // A 72-byte-folded header is unfolded without adding anything.
        let pkg = databind.package("renamed.jar", "app/renamed.jar").unwrap();
        assert_eq!(pkg.name, "com.fasterxml.jackson.core:jackson-databind");
        assert_eq!(pkg.metadata["vendor"], "FasterXML");
        assert_eq!(pkg.paths, vec!["app/renamed.jar"]);
        let logback = read("logback-classic-1.2.3");
        assert_eq!(
            logback.get("Bundle-SymbolicName"),
            Some("ch.qos.logback.classic")
        );
        assert_eq!(logback.get("bundle-version"), Some("1.2.3"));
    }

    #[test]
    fn manifest_format_rules() {
        let text = b"Manifest-Version: 1.0\r\nImplementation-Title: very-long-artifact-na\r\n me-folded\r\nImplementation-Version: 2.0\r\nBundle-SymbolicName: org.example.thing;singleton:=true\r\nBundle-Name: %bundle.name\r\n\r\nName: org/example/\r\nImplementation-Version: 9.9\r\n";
        let m = Manifest::parse(text);
        assert_eq!(
            m.get("implementation-title"),
            Some("very-long-artifact-name-folded")
        );
        assert_eq!(m.get("Implementation-Version"), Some("2.0"));
        assert_eq!(m.get("Bundle-Name"), None, "localised placeholder");
        assert_eq!(m.get("Name"), None, "per-entry section ignored");
        let pkg = m.package("thing.jar", "thing.jar").unwrap();
        assert_eq!(
            (pkg.name.as_str(), pkg.version.as_str()),
            ("very-long-artifact-name-folded", "2.0")
        );
        assert_eq!(pkg.metadata["bundle_symbolic_name"], "org.example.thing");
        // Lone CR line ends.
        let m = Manifest::parse(b"Implementation-Version: 1\rImplementation-Title: x\r");
        assert_eq!(m.get("Implementation-Title"), Some("x"));
        // Display titles are not artifact names; the file name is used instead.
        let m = Manifest::parse(b"Implementation-Title: Apache Log4j Core\nImplementation-Version: 2.17.1\nImplementation-Vendor-Id: org.apache\n");
        let pkg = m.package("log4j-core.jar", "log4j-core.jar").unwrap();
        assert_eq!(
            (pkg.name.as_str(), pkg.version.as_str()),
            ("log4j-core", "2.17.1")
        );
    }

    #[test]
    fn manifest_jenkins_plugin() {
        // From claircore's manifest_test.go (ghprb plugin manifest).
        let text = "Manifest-Version: 1.0\nArchiver-Version: Plexus Archiver\nCreated-By: Apache Maven\nExtension-Name: ghprb\nSpecification-Title: The Jenkins Plugins Parent POM Project\nImplementation-Title: ghprb\nImplementation-Version: 1.42.2\nGroup-Id: org.jenkins-ci.plugins\nShort-Name: ghprb\nLong-Name: GitHub Pull Request Builder\nPlugin-Version: 1.42.2\n";
        let pkg = Manifest::parse(text.as_bytes())
            .package("ghprb.jpi", "p/ghprb.jpi")
            .unwrap();
        assert_eq!(
            (pkg.name.as_str(), pkg.version.as_str()),
            ("org.jenkins-ci.plugins:ghprb", "1.42.2")
        );
        let text = "Specification-Title: SSH Credentials Plugin\nSpecification-Version: 0.0\nImplementation-Title: SSH Credentials Plugin\nImplementation-Version: 305.v8f4381501156\nGroup-Id: org.jenkins-ci.plugins\nShort-Name: ssh-credentials\n";
        let pkg = Manifest::parse(text.as_bytes())
            .package("ssh-credentials.hpi", "p")
            .unwrap();
        assert_eq!(
            (pkg.name.as_str(), pkg.version.as_str()),
            (
                "org.jenkins-ci.plugins:ssh-credentials",
                "305.v8f4381501156"
            )
        );
    }

    #[test]
    fn properties_format_rules() {
        let text = b"# comment\n! other comment\n  groupId = org.example\\\n    .deep\nartifactId:thing\nversion 1.0\\u002dbeta\nempty\nkey\\=with\\:seps=v\\\\\n";
        let p = parse_properties(text);
        assert_eq!(p["groupId"], "org.example.deep");
        assert_eq!(p["artifactId"], "thing");
        assert_eq!(p["version"], "1.0-beta");
        assert_eq!(p["empty"], "");
        assert_eq!(p["key=with:seps"], "v\\");
        // ISO-8859-1 bytes never fail.
        assert_eq!(parse_properties(b"version=1\xe9")["version"], "1\u{e9}");
        assert!(pom_package(b"groupId=a\nartifactId=b\n", "x.jar").is_err());
    }

    #[test]
    fn file_name_fallback() {
        assert_eq!(
            split_file_name("commons-text-1.9.jar"),
            Some(("commons-text", Some("1.9")))
        );
        assert_eq!(
            split_file_name("log4j-1.2-api-2.17.1.jar"),
            Some(("log4j-1.2-api", Some("2.17.1")))
        );
        assert_eq!(
            split_file_name("app-1.0-SNAPSHOT.war"),
            Some(("app", Some("1.0-SNAPSHOT")))
        );
        assert_eq!(
            split_file_name("netty-all-4.1.58.Final.JAR"),
            Some(("netty-all", Some("4.1.58.Final")))
        );
        assert_eq!(split_file_name("webapp.war"), Some(("webapp", None)));
        assert_eq!(split_file_name("-1.0.jar"), None);
        assert_eq!(split_file_name("a b-1.0.jar"), None);
        let jar = zip_of(&[("org/example/Main.class", b"\xca\xfe\xba\xbe", DEFLATED)]);
        let (packages, diagnostics) = catalog("opt/lib/thing-2.3.4.jar", &jar);
        assert!(diagnostics.warnings.is_empty());
        assert_eq!(
            summary(&packages),
            vec![(
                "thing".into(),
                "2.3.4".into(),
                "opt/lib/thing-2.3.4.jar".into()
            )]
        );
        assert_eq!(packages[0].metadata["confidence"], "low");
        // No version anywhere: nothing to report.
        let (packages, _) = catalog("opt/lib/thing.jar", &jar);
        assert!(packages.is_empty());
    }

    #[test]
    fn fat_jar_several_poms_and_nesting() {
        let pom = |g: &str, a: &str, v: &str| {
            format!("groupId={g}\nartifactId={a}\nversion={v}\n").into_bytes()
        };
        let inner = zip_of(&[(
            "META-INF/maven/org.inner/inner/pom.properties",
            &pom("org.inner", "inner", "3"),
            DEFLATED,
        )]);
        let jar = zip_of(&[
            (
                "META-INF/MANIFEST.MF",
                b"Implementation-Title: app\nImplementation-Version: 9\n",
                DEFLATED,
            ),
            (
                "META-INF/maven/org.app/app/pom.properties",
                &pom("org.app", "app", "1.0"),
                DEFLATED,
            ),
            (
                "META-INF/maven/org.shaded/lib/pom.properties",
                &pom("org.shaded", "lib", "2.0"),
                DEFLATED,
            ),
            (
                "META-INF/maven/org.shaded/lib2/pom.properties",
                b"garbage",
                DEFLATED,
            ),
            ("BOOT-INF/lib/inner-3.jar", &inner, STORED),
            ("lib/broken.jar", b"not a zip", STORED),
        ]);
        let (packages, diagnostics) = catalog("app.jar", &jar);
        assert_eq!(
            summary(&packages),
            vec![
                ("org.app:app".into(), "1.0".into(), "app.jar".into()),
                ("org.shaded:lib".into(), "2.0".into(), "app.jar".into()),
                (
                    "org.inner:inner".into(),
                    "3".into(),
                    "app.jar!/BOOT-INF/lib/inner-3.jar".into()
                ),
            ]
        );
        assert_eq!(diagnostics.warnings.len(), 2, "{:?}", diagnostics.warnings);
        assert!(
            diagnostics.warnings[0]
                .starts_with("app.jar: META-INF/maven/org.shaded/lib2/pom.properties: ")
        );
        assert!(
            diagnostics.warnings[1]
                .starts_with("app.jar!/lib/broken.jar: not a readable zip archive")
        );
    }

    #[test]
    fn hostile_nesting_depth_bomb() {
        let mut archive = zip_of(&[(
            "META-INF/maven/g/a6/pom.properties",
            b"groupId=g\nartifactId=a6\nversion=6",
            STORED,
        )]);
        for level in (0..6).rev() {
            let pom = format!("groupId=g\nartifactId=a{level}\nversion={level}");
            archive = zip_of(&[
                ("META-INF/maven/g/a/pom.properties", pom.as_bytes(), STORED),
                ("lib/next.jar", &archive, STORED),
            ]);
        }
        let (packages, diagnostics) = catalog("deep.jar", &archive);
        let versions: Vec<&str> = packages.iter().map(|p| p.version.as_str()).collect();
        assert_eq!(versions, ["0", "1", "2", "3", "4"]);
        assert_eq!(
            packages[4].paths[0],
            "deep.jar!/lib/next.jar!/lib/next.jar!/lib/next.jar!/lib/next.jar"
        );
        assert_eq!(diagnostics.warnings.len(), 1);
        assert!(
            diagnostics.warnings[0].contains("nested deeper than 4 levels"),
            "{:?}",
            diagnostics.warnings
        );
    }

    #[test]
    fn hostile_zip_bomb_ratio() {
        let zeros = vec![0u8; 8 << 20];
        let bomb = zip_of(&[
            (
                "META-INF/maven/g/a/pom.properties",
                b"groupId=g\nartifactId=a\nversion=1",
                DEFLATED,
            ),
            ("WEB-INF/lib/bomb.jar", &zeros, DEFLATED),
            ("WEB-INF/lib/never-read.jar", b"", STORED),
        ]);
        assert!(bomb.len() < 100_000);
        let (packages, diagnostics) = catalog("bomb.war", &bomb);
        assert_eq!(
            summary(&packages),
            vec![("g:a".into(), "1".into(), "bomb.war".into())]
        );
        assert_eq!(diagnostics.warnings.len(), 1, "{:?}", diagnostics.warnings);
        assert!(
            diagnostics.warnings[0].contains("WEB-INF/lib/bomb.jar: compression ratio over 100:1")
        );
        // A text entry past its cap is skipped, the rest still read.
        let big = zip_of(&[("META-INF/MANIFEST.MF", &zeros[..2 << 20], STORED)]);
        let (packages, diagnostics) = catalog("big-1.0.jar", &big);
        assert_eq!(
            summary(&packages),
            vec![("big".into(), "1.0".into(), "big-1.0.jar".into())]
        );
        assert!(
            diagnostics.warnings[0].contains("larger than 1048576 bytes"),
            "{:?}",
            diagnostics.warnings
        );
    }

    #[test]
    fn hostile_total_budget_and_entry_count() {
        let pom = b"groupId=g\nartifactId=a\nversion=1";
        let inner = zip_of(&[
            ("META-INF/maven/g/a/pom.properties", pom, STORED),
            ("pad", &[7u8; 4000], STORED),
        ]);
        let outer = zip_of(&[
            ("lib/one.jar", &inner, STORED),
            ("lib/two.jar", &inner, STORED),
            ("lib/three.jar", &inner, STORED),
        ]);
        let limits = Limits {
            total: 9000,
            ..LIMITS
        };
        let (packages, diagnostics) = catalog_with("o.war", &outer, limits);
        assert_eq!(packages.len(), 2);
        assert_eq!(diagnostics.warnings.len(), 1, "{:?}", diagnostics.warnings);
        assert!(diagnostics.warnings[0].starts_with("o.war: over 9000 decompressed bytes"));

        let many: Vec<(String, Vec<u8>)> = (0..20).map(|i| (format!("f{i}"), vec![])).collect();
        let entries: Vec<(&str, &[u8], CompressionMethod)> = many
            .iter()
            .map(|(n, d)| (n.as_str(), d.as_slice(), STORED))
            .collect();
        let limits = Limits {
            entries: 10,
            ..LIMITS
        };
        let (packages, diagnostics) = catalog_with("many-1.0.jar", &zip_of(&entries), limits);
        assert!(packages.is_empty());
        assert_eq!(
            diagnostics.warnings,
            vec!["many-1.0.jar: more than 10 zip entries, archive skipped"]
        );
    }

    #[test]
    fn hostile_truncated_corrupt_and_garbage() {
        let data = std::fs::read(test_data("commons-text-1.9.jar")).unwrap();
        for cut in [0, 1, 22, 1000, data.len() / 2, data.len() - 1] {
            let (packages, diagnostics) = catalog("t-1.0.jar", &data[..cut]);
            assert!(packages.is_empty(), "cut {cut}");
            assert_eq!(diagnostics.warnings.len(), 1, "cut {cut}");
        }
        // Damaged compressed data (central directory intact): CRC/inflate error, entry skipped.
        let jar = zip_of(&[(
            "META-INF/maven/g/a/pom.properties",
            b"groupId=g\nartifactId=a\nversion=1\n# padding padding",
            DEFLATED,
        )]);
        let mut damaged = jar.clone();
        let data_at = 30 + "META-INF/maven/g/a/pom.properties".len();
        for b in damaged.iter_mut().skip(data_at).take(20) {
            *b ^= 0x5a;
        }
        let (packages, diagnostics) = catalog("d.jar", &damaged);
        assert!(packages.is_empty());
        assert_eq!(diagnostics.warnings.len(), 1, "{:?}", diagnostics.warnings);
        // Pseudo-random garbage, and garbage full of zip signatures.
        let mut seed = 0x2545_f491_u32;
        let noise: Vec<u8> = (0..100_000)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                seed as u8
            })
            .collect();
        let signatures: Vec<u8> = b"PK\x05\x06PK\x01\x02PK\x03\x04".repeat(5000);
        for garbage in [noise, signatures, vec![0xff; 70_000]] {
            let (packages, diagnostics) = catalog("g.jar", &garbage);
            assert!(packages.is_empty());
            assert_eq!(diagnostics.warnings.len(), 1);
        }
    }

    #[test]
    fn hostile_text_never_panics() {
        for text in [
            &b"\\"[..],
            b"\\u",
            b"\\uzz=\\u12",
            b"a=\\\n",
            b"\xff\xfe=\x00",
            b": \n :",
            b"\r\r\n\\\r\n",
        ] {
            let _ = parse_properties(text);
            let m = Manifest::parse(text);
            let _ = m.package("x-1.jar", "x-1.jar");
        }
        let long = "A: ".to_string() + &"x".repeat(100_000);
        assert_eq!(
            Manifest::parse(long.as_bytes()).get("a").map(str::len),
            Some(100_000)
        );
    }
}
