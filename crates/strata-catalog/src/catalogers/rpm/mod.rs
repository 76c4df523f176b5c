//! rpm: the installed-package database of RPM-based images, read without rpm or any C
//! library. The three backends rpm has used are recognised by their content:
//! SQLite (`rpmdb.sqlite`, rpm ≥ 4.16), Berkeley DB hash (`Packages`) and NDB
//! (`Packages.db`, SUSE). Each record is an rpm header image, decoded in `header`.

mod bdb;
mod header;
mod ndb;
mod sqlite;

use std::collections::BTreeMap;

use crate::{Cataloger, Diagnostics, FileInfo, Package, PackageKind};
use header::Header;

/// The database files rpm uses (`%_dbpath` is `/var/lib/rpm` or, since rpm 4.16 on
/// Fedora/SUSE, `/usr/lib/sysimage/rpm`); which backend is told by the content.
const DB_PATHS: [&str; 6] = [
    "var/lib/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
    "var/lib/rpm/Packages",
    "usr/lib/sysimage/rpm/Packages",
    "var/lib/rpm/Packages.db",
    "usr/lib/sysimage/rpm/Packages.db",
];

/// Databases are read whole (and SQLite/Berkeley DB records copied out of their
/// pages), so this bounds memory per layer. Real ones are a few MiB to a few hundred
/// (a Berkeley DB of a large RHEL 7 system). WARNING: do not raise it to 1 GiB; a
/// bigger database is skipped with the indexer's "too large" warning.
const MAX_DB_SIZE: u64 = 512 << 20;

/// Where a database reader sends what it finds.
trait Sink {
    /// One record: an rpm header image.
    fn blob(&mut self, blob: &[u8]);
    /// A skipped record or page.
    fn warn(&mut self, message: String);
}

/// Reads the rpm databases of one layer.
#[derive(Debug, Default)]
pub struct RpmCataloger {
    packages: Vec<Package>,
}

impl RpmCataloger {
    pub fn new() -> Self {
        Self::default()
    }
}

/// Decodes the records of one database file into packages.
struct Visit<'x> {
    path: &'x str,
    records: usize,
    packages: &'x mut Vec<Package>,
    diagnostics: &'x mut Diagnostics,
}

impl Sink for Visit<'_> {
    fn blob(&mut self, blob: &[u8]) {
        self.records += 1;
        let record = self.records;
        match Header::parse(blob) {
            Ok(header) => {
                let mut warnings = Vec::new();
                if let Some(package) = package(&header, blob.len(), self.path, &mut warnings) {
                    self.packages.push(package);
                }
                for warning in warnings {
                    self.diagnostics
                        .warn(self.path, format!("package record {record}: {warning}"));
                }
            }
            Err(why) => self.diagnostics.warn(
                self.path,
                format!("package record {record}: {why}; skipped"),
            ),
        }
    }

    fn warn(&mut self, message: String) {
        self.diagnostics.warn(self.path, message);
    }
}

/// `name-version-release.src.rpm` → (name, `version-release`).
fn parse_source_rpm(file: &str) -> Option<(&str, String)> {
    let stem = file
        .strip_suffix(".src.rpm")
        .or_else(|| file.strip_suffix(".nosrc.rpm"))?;
    let mut parts = stem.rsplitn(3, '-');
    let (release, version, name) = (parts.next()?, parts.next()?, parts.next()?);
    if [release, version, name].iter().any(|s| s.is_empty()) {
        return None;
    }
    Some((name, format!("{version}-{release}")))
}

/// The installed files: DIRNAMES[DIRINDEXES[i]] + BASENAMES[i], or the pre-4.0
/// OLDFILENAMES, as image paths. Their total length is bounded (8 × the header + 1 MiB)
/// so a small hostile header cannot expand into gigabytes of paths.
fn files(h: &Header<'_>, blob_len: usize, warnings: &mut Vec<String>) -> Vec<String> {
    let mut budget = blob_len.saturating_mul(8).saturating_add(1 << 20);
    let mut out = Vec::new();
    // Adds one path; false once the budget is spent.
    let mut add = |path: &str, out: &mut Vec<String>| {
        let path = path.trim_start_matches('/');
        if path.len() > budget {
            return false;
        }
        budget -= path.len();
        if !path.is_empty() {
            out.push(path.to_string());
        }
        true
    };
    let mut complete = true;
    if let Some(base) = h.strings(header::BASENAMES) {
        let dirs = h.strings(header::DIRNAMES).unwrap_or_default();
        let indexes = h.int32s(header::DIRINDEXES).unwrap_or_default();
        if indexes.len() != base.len() {
            warnings.push(format!(
                "{} base names but {} directory indexes; files skipped",
                base.len(),
                indexes.len()
            ));
            return out;
        }
        let mut bad = 0usize;
        for (name, index) in base.iter().zip(indexes) {
            let Some(dir) = dirs.get(index as usize) else {
                bad += 1;
                continue;
            };
            complete = add(&format!("{dir}{name}"), &mut out);
            if !complete {
                break;
            }
        }
        if bad > 0 {
            warnings.push(format!(
                "{bad} files with a directory index out of range; skipped"
            ));
        }
    } else if let Some(old) = h.strings(header::OLDFILENAMES) {
        for path in old {
            complete = add(&path, &mut out);
            if !complete {
                break;
            }
        }
    }
    if !complete {
        warnings.push("file list too large; truncated".into());
    }
    out
}

/// The package a header describes; None for `gpg-pubkey` pseudo-packages (imported
/// keys) and headers without a name or version.
fn package(
    h: &Header<'_>,
    blob_len: usize,
    path: &str,
    warnings: &mut Vec<String>,
) -> Option<Package> {
    let (Some(name), Some(version)) = (h.string(header::NAME), h.string(header::VERSION)) else {
        warnings.push("header without name or version; skipped".into());
        return None;
    };
    if name == "gpg-pubkey" {
        return None;
    }
    let release = h.string(header::RELEASE);
    let epoch = h.int32(header::EPOCH);
    let mut evr = match epoch {
        Some(epoch) => format!("{epoch}:{version}"),
        None => version,
    };
    if let Some(release) = &release {
        evr = format!("{evr}-{release}");
    }
    let mut pkg = Package::new(PackageKind::Rpm, name, evr, path);
    pkg.arch = h.string(header::ARCH);
    if let Some(source) = h.string(header::SOURCERPM) {
        match parse_source_rpm(&source) {
            Some((source_name, source_version)) => {
                pkg.source_name = Some(source_name.to_string());
                // Only when it differs (Package::source_version), e.g. with an epoch.
                if source_version != pkg.version {
                    pkg.source_version = Some(source_version);
                }
            }
            None => warnings.push(format!("unparsable source rpm name {source:?}")),
        }
    }
    pkg.files = files(h, blob_len, warnings);
    let mut meta = BTreeMap::new();
    if let Some(epoch) = epoch {
        meta.insert("epoch".to_string(), epoch.to_string());
    }
    let size = h
        .int64(header::LONGSIZE)
        .or_else(|| h.int32(header::SIZE).map(u64::from));
    let facts = [
        ("release", release),
        ("vendor", h.string(header::VENDOR)),
        ("license", h.string(header::LICENSE)),
        ("modularity_label", h.string(header::MODULARITYLABEL)),
        ("size", size.map(|s| s.to_string())),
    ];
    for (key, value) in facts {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            meta.insert(key.to_string(), value);
        }
    }
    pkg.metadata = meta;
    Some(pkg)
}

impl Cataloger for RpmCataloger {
    fn name(&self) -> &'static str {
        "rpm"
    }

    fn version(&self) -> u32 {
        1
    }

    fn wants(&self, file: &FileInfo<'_>) -> bool {
        DB_PATHS.contains(&file.path)
    }

    fn max_size(&self) -> u64 {
        MAX_DB_SIZE
    }

    fn visit(&mut self, file: &FileInfo<'_>, content: &[u8], diagnostics: &mut Diagnostics) {
        let mut visit = Visit {
            path: file.path,
            records: 0,
            packages: &mut self.packages,
            diagnostics,
        };
        let result = if content.starts_with(sqlite::MAGIC) {
            sqlite::read(content, &mut visit)
        } else if ndb::is_ndb(content) {
            ndb::read(content, &mut visit)
        } else if bdb::is_bdb(content) {
            bdb::read(content, &mut visit)
        } else if content.is_empty() {
            Ok(()) // an empty database (rpm creates the file before any install)
        } else {
            Err("not an rpm database (SQLite, Berkeley DB hash or NDB)".into())
        };
        if let Err(why) = result {
            visit.warn(why);
        }
    }

    fn finish(&mut self, _diagnostics: &mut Diagnostics) -> Vec<Package> {
        std::mem::take(&mut self.packages)
    }
}

#[cfg(test)]
mod tests;
