//! The embedded store: one SQLite file, schema-versioned. Builds write a *new*
//! file and rename it over the old one, so readers never see a half-written
//! database and a failed build leaves the previous one serving.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::{Advisory, Affected, Enrichment};

/// Bumped when the schema changes; a database of another version is rebuilt.
pub const SCHEMA_VERSION: i64 = 1;

/// A store failure, naming the database file.
#[derive(Debug, thiserror::Error)]
#[error("vulnerability database {path}: {message}")]
pub struct StoreError {
    /// The file.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

fn fail(path: &Path) -> impl Fn(&dyn std::fmt::Display) -> StoreError + '_ {
    move |e| StoreError {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// The namespace a package's advisories are stored under: OSV ecosystems with
/// their release, normalised so every feed agrees (`Ubuntu:22.04:LTS` → `Ubuntu:22.04`).
pub fn normalize_namespace(namespace: &str) -> String {
    let mut parts: Vec<&str> = namespace.split(':').collect();
    if parts.first() == Some(&"Ubuntu") {
        parts.retain(|p| *p != "LTS" && *p != "Pro");
    }
    parts.join(":")
}

const SCHEMA: &str = "
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE sources (name TEXT PRIMARY KEY, url TEXT, fetched_at TEXT, etag TEXT,
                          last_modified TEXT, records INTEGER NOT NULL, newest_modified TEXT);
    CREATE TABLE advisories (id TEXT PRIMARY KEY, source TEXT NOT NULL, data TEXT NOT NULL);
    CREATE TABLE aliases (alias TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (alias, id));
    CREATE TABLE affected (namespace TEXT NOT NULL, package TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL);
    CREATE INDEX affected_package ON affected (namespace, package);
    CREATE TABLE enrichment (cve TEXT PRIMARY KEY, data TEXT NOT NULL);
";

/// One feed's provenance, for `strata db status`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceInfo {
    /// Feed name (`osv:PyPI`, `debian-tracker`…).
    pub name: String,
    /// Where it was fetched from.
    pub url: Option<String>,
    /// When (RFC 3339).
    pub fetched_at: Option<String>,
    /// HTTP validators for the next update.
    pub etag: Option<String>,
    /// HTTP `Last-Modified`.
    pub last_modified: Option<String>,
    /// Records stored.
    pub records: u64,
    /// Newest `modified` among them.
    pub newest_modified: Option<String>,
}

/// Builds a new database beside `path`, then swaps it in.
#[derive(Debug)]
pub struct Builder {
    connection: Connection,
    temporary: PathBuf,
    path: PathBuf,
}

impl Builder {
    /// Starts a build of the database at `path` (a temporary file beside it).
    pub fn new(path: &Path) -> Result<Builder, StoreError> {
        let f = fail(path);
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| f(&e))?;
        let name = path
            .file_name()
            .map_or_else(|| "db".into(), |n| n.to_string_lossy().into_owned());
        let temporary = dir.join(format!(".{name}.building-{}", std::process::id()));
        let _ = std::fs::remove_file(&temporary);
        let connection = Connection::open(&temporary).map_err(|e| f(&e))?;
        connection
            .execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; BEGIN;")
            .and_then(|()| connection.execute_batch(SCHEMA))
            .and_then(|()| {
                connection
                    .execute(
                        "INSERT INTO meta (key, value) VALUES ('schema_version', ?1)",
                        params![SCHEMA_VERSION.to_string()],
                    )
                    .map(drop)
            })
            .map_err(|e| f(&e))?;
        Ok(Builder {
            connection,
            temporary,
            path: path.to_owned(),
        })
    }

    /// Adds an advisory (a later one with the same id replaces the earlier).
    pub fn add(&mut self, advisory: &Advisory) -> Result<(), StoreError> {
        let f = fail(&self.path);
        let data = serde_json::to_string(advisory).map_err(|e| f(&e))?;
        self.connection
            .execute("DELETE FROM affected WHERE id = ?1", params![advisory.id])
            .and_then(|_| {
                self.connection
                    .execute("DELETE FROM aliases WHERE id = ?1", params![advisory.id])
            })
            .and_then(|_| {
                self.connection.execute(
                    "INSERT OR REPLACE INTO advisories (id, source, data) VALUES (?1, ?2, ?3)",
                    params![advisory.id, advisory.source, data],
                )
            })
            .map_err(|e| f(&e))?;
        for alias in advisory.aliases.iter().chain(std::iter::once(&advisory.id)) {
            self.connection
                .execute(
                    "INSERT OR IGNORE INTO aliases (alias, id) VALUES (?1, ?2)",
                    params![alias, advisory.id],
                )
                .map_err(|e| f(&e))?;
        }
        for affected in &advisory.affected {
            let data = serde_json::to_string(affected).map_err(|e| f(&e))?;
            self.connection
                .execute(
                    "INSERT INTO affected (namespace, package, id, data) VALUES (?1, ?2, ?3, ?4)",
                    params![
                        normalize_namespace(&affected.namespace),
                        affected.package,
                        advisory.id,
                        data
                    ],
                )
                .map_err(|e| f(&e))?;
        }
        Ok(())
    }

    /// Adds per-CVE enrichment.
    pub fn enrich(&mut self, enrichment: &Enrichment) -> Result<(), StoreError> {
        let f = fail(&self.path);
        let data = serde_json::to_string(enrichment).map_err(|e| f(&e))?;
        self.connection
            .execute(
                "INSERT OR REPLACE INTO enrichment (cve, data) VALUES (?1, ?2)",
                params![enrichment.cve, data],
            )
            .map(drop)
            .map_err(|e| f(&e))
    }

    /// Records where a feed came from.
    pub fn source(&mut self, source: &SourceInfo) -> Result<(), StoreError> {
        self.connection
            .execute(
                "INSERT OR REPLACE INTO sources (name, url, fetched_at, etag, last_modified, records, newest_modified)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    source.name,
                    source.url,
                    source.fetched_at,
                    source.etag,
                    source.last_modified,
                    i64::try_from(source.records).unwrap_or(i64::MAX),
                    source.newest_modified
                ],
            )
            .map(drop)
            .map_err(|e| fail(&self.path)(&e))
    }

    /// Commits, and atomically replaces the database at the target path. Until this
    /// returns, readers keep the previous file; if it fails, nothing changed.
    pub fn finish(self, built_at: &str) -> Result<(), StoreError> {
        let f = fail(&self.path);
        self.connection
            .execute(
                "INSERT INTO meta (key, value) VALUES ('built_at', ?1)",
                params![built_at],
            )
            .and_then(|_| self.connection.execute_batch("COMMIT; ANALYZE;"))
            .map_err(|e| f(&e))?;
        std::fs::rename(&self.temporary, &self.path).map_err(|e| f(&e))
    }
}

impl Drop for Builder {
    fn drop(&mut self) {
        // An unfinished build leaves no file behind (after `finish`, it is renamed away).
        let _ = std::fs::remove_file(&self.temporary);
    }
}

/// A read-only view of a built database.
#[derive(Debug)]
pub struct Db {
    connection: Connection,
    path: PathBuf,
}

/// An advisory's entry for one package.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// The advisory id.
    pub id: String,
    /// What it says about the package.
    pub affected: Affected,
}

impl Db {
    /// Opens a database read-only, refusing another schema version.
    pub fn open(path: &Path) -> Result<Db, StoreError> {
        let f = fail(path);
        if !path.is_file() {
            return Err(f(&"not found"));
        }
        let connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| f(&e))?;
        let db = Db {
            connection,
            path: path.to_owned(),
        };
        let version = db
            .meta("schema_version")?
            .and_then(|v| v.parse::<i64>().ok());
        if version != Some(SCHEMA_VERSION) {
            return Err(f(&format!(
                "schema version {version:?}, this Strata reads {SCHEMA_VERSION}: update the database"
            )));
        }
        Ok(db)
    }

    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.connection
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                params![key],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| fail(&self.path)(&e))
    }

    /// When the database was built.
    pub fn built_at(&self) -> Result<Option<String>, StoreError> {
        self.meta("built_at")
    }

    /// Every advisory entry for a package in a namespace (`Debian:12`, `bash`).
    pub fn affecting(&self, namespace: &str, package: &str) -> Result<Vec<Match>, StoreError> {
        let f = fail(&self.path);
        let mut statement = self
            .connection
            .prepare_cached("SELECT id, data FROM affected WHERE namespace = ?1 AND package = ?2")
            .map_err(|e| f(&e))?;
        let rows = statement
            .query_map(params![normalize_namespace(namespace), package], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .map_err(|e| f(&e))?;
        let mut found = Vec::new();
        for row in rows {
            let (id, data) = row.map_err(|e| f(&e))?;
            let affected: Affected = serde_json::from_str(&data).map_err(|e| f(&e))?;
            found.push(Match { id, affected });
        }
        Ok(found)
    }

    /// An advisory by its id or any of its aliases (the first, by id, if several).
    pub fn advisory(&self, id_or_alias: &str) -> Result<Option<Advisory>, StoreError> {
        let f = fail(&self.path);
        let data: Option<String> = self
            .connection
            .query_row(
                "SELECT a.data FROM aliases l JOIN advisories a ON a.id = l.id WHERE l.alias = ?1 ORDER BY a.id LIMIT 1",
                params![id_or_alias],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| f(&e))?;
        data.map(|d| serde_json::from_str(&d).map_err(|e| f(&e)))
            .transpose()
    }

    /// Enrichment for a CVE.
    pub fn enrichment(&self, cve: &str) -> Result<Option<Enrichment>, StoreError> {
        let f = fail(&self.path);
        let data: Option<String> = self
            .connection
            .query_row(
                "SELECT data FROM enrichment WHERE cve = ?1",
                params![cve],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| f(&e))?;
        data.map(|d| serde_json::from_str(&d).map_err(|e| f(&e)))
            .transpose()
    }

    /// The feeds the database was built from.
    pub fn sources(&self) -> Result<Vec<SourceInfo>, StoreError> {
        let f = fail(&self.path);
        let mut statement = self
            .connection
            .prepare("SELECT name, url, fetched_at, etag, last_modified, records, newest_modified FROM sources ORDER BY name")
            .map_err(|e| f(&e))?;
        let rows = statement
            .query_map([], |row| {
                Ok(SourceInfo {
                    name: row.get(0)?,
                    url: row.get(1)?,
                    fetched_at: row.get(2)?,
                    etag: row.get(3)?,
                    last_modified: row.get(4)?,
                    records: u64::try_from(row.get::<_, i64>(5)?).unwrap_or(0),
                    newest_modified: row.get(6)?,
                })
            })
            .map_err(|e| f(&e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| f(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feeds;

    fn shared(relative: &str) -> PathBuf {
        let start = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        start
            .ancestors()
            .map(|d| d.join("shared/data"))
            .find(|d| d.is_dir())
            .expect("shared/data")
            .join(relative)
    }

    /// A database built from real feed samples: PyPI (OSV) and the Debian tracker subset.
    fn build(path: &Path) {
        let mut builder = Builder::new(path).unwrap();
        let pypi = feeds::osv::parse_dir(&shared("feeds/osv/PyPI/json")).unwrap();
        for advisory in &pypi.records {
            builder.add(advisory).unwrap();
        }
        let tracker = std::fs::read(shared(
            "feeds/debian/tracker-json/glvd-subset-vim-glibc.json",
        ))
        .unwrap();
        for advisory in &feeds::debian::parse_tracker(&tracker).unwrap().records {
            builder.add(advisory).unwrap();
        }
        builder
            .source(&SourceInfo {
                name: "osv:PyPI".into(),
                records: pypi.records.len() as u64,
                ..SourceInfo::default()
            })
            .unwrap();
        builder.finish("2026-11-23T00:00:00Z").unwrap();
    }

    #[test]
    fn lookups_by_package_and_by_alias() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vuln.db");
        build(&path);
        let db = Db::open(&path).unwrap();
        assert_eq!(
            db.built_at().unwrap().as_deref(),
            Some("2026-11-23T00:00:00Z")
        );
        // The PyPA database has advisories for urllib3 (e.g. PYSEC-2019-132, CVE-2019-11324).
        let urllib3 = db.affecting("PyPI", "urllib3").unwrap();
        assert!(
            urllib3.iter().any(|m| m.id == "PYSEC-2019-132"),
            "{:?}",
            urllib3.iter().map(|m| &m.id).collect::<Vec<_>>()
        );
        // PYSEC-2019-132 names CVE-2019-11236 and GHSA-r64q-w8jr-g9qp as aliases.
        for alias in ["CVE-2019-11236", "GHSA-r64q-w8jr-g9qp", "PYSEC-2019-132"] {
            let by_alias = db.advisory(alias).unwrap().expect("alias lookup");
            assert_eq!(by_alias.id, "PYSEC-2019-132", "{alias}");
        }
        // Debian: source package glibc in bookworm.
        let glibc = db.affecting("Debian:12", "glibc").unwrap();
        assert!(glibc.iter().any(|m| m.id == "CVE-2024-33601"));
        assert!(
            db.affecting("Debian:12", "no-such-package")
                .unwrap()
                .is_empty()
        );
        assert_eq!(db.sources().unwrap()[0].name, "osv:PyPI");
    }

    #[test]
    fn a_failed_build_leaves_the_previous_database_serving() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vuln.db");
        build(&path);
        let before = std::fs::read(&path).unwrap();
        {
            // A build that dies before finishing (dropped, as an error or a kill would).
            let mut builder = Builder::new(&path).unwrap();
            builder
                .add(&Advisory {
                    id: "X-1".into(),
                    source: "test".into(),
                    ..Advisory::default()
                })
                .unwrap();
        }
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "the old file is untouched"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
        assert!(Db::open(&path).unwrap().advisory("X-1").unwrap().is_none());
    }

    #[test]
    fn other_schema_versions_and_garbage_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vuln.db");
        std::fs::write(&path, b"not a database").unwrap();
        assert!(Db::open(&path).is_err());
        assert!(
            Db::open(&dir.path().join("missing.db"))
                .unwrap_err()
                .to_string()
                .contains("not found")
        );
    }

    #[test]
    fn ubuntu_namespaces_normalise() {
        assert_eq!(normalize_namespace("Ubuntu:22.04:LTS"), "Ubuntu:22.04");
        assert_eq!(normalize_namespace("Ubuntu:Pro:14.04:LTS"), "Ubuntu:14.04");
        assert_eq!(normalize_namespace("Debian:12"), "Debian:12");
    }
}
